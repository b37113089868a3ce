//! The job page's facts: serializer, timeouts and TTLs, retries and repeats, callbacks, webhooks
//! and running executions, as (label, text) pairs; only the ones the job has.

use crate::rq::detail::JobDetail;
use crate::web::fmt;

/// The facts of `j`, in the order the page lists them.
pub(super) fn facts(j: &JobDetail) -> Vec<(&'static str, String)> {
    let mut facts: Vec<(&'static str, String)> = vec![("Serializer", j.serializer.to_owned())];
    let mut push = |k: &'static str, v: Option<String>| {
        if let Some(v) = v {
            facts.push((k, v));
        }
    };
    push("Timeout", j.timeout.map(|t| if t < 0 { "none".into() } else { fmt::duration(t as f64) }));
    push("Result TTL", j.result_ttl.map(|t| t.to_string()));
    push("Failure TTL", j.failure_ttl.map(|t| t.to_string()));
    push("Queue TTL", j.ttl.map(|t| t.to_string()));
    push(
        "Key expires",
        Some(match j.key_ttl {
            -1 => "never".into(),
            t if t >= 0 => format!("in {}", fmt::duration(t as f64)),
            _ => "–".into(),
        }),
    );
    push("Position in queue", j.position.map(|p| fmt::int(p + 1)));
    push("Started → ended", j.duration_seconds.map(fmt::duration));
    push("Retries left", j.retries_left.map(|r| r.to_string()));
    push("Retry intervals", j.retry_intervals.as_ref().map(ToString::to_string));
    push("Retries by return", j.number_of_retries.map(|r| r.to_string()));
    push("Repeats left", j.repeats_left.map(|r| r.to_string()));
    push("Repeat intervals", j.repeat_intervals.as_ref().map(ToString::to_string));
    push("Allow dependency failures", j.allow_dependency_failures.map(|b| b.to_string()));
    push("Enqueue at front", j.enqueue_at_front.map(|b| b.to_string()));
    push("Rate limit key", j.rate_limit_key.clone());
    for cb in &j.callbacks {
        facts.push((
            "Callback",
            format!(
                "on {}: {}{}",
                cb.kind,
                cb.name,
                cb.timeout.map(|t| format!(" (timeout {t} s)")).unwrap_or_default()
            ),
        ));
    }
    facts.extend(super::job_values::webhooks(j.webhooks.as_ref()).into_iter().map(|w| ("Webhook", w)));
    for e in &j.executions {
        facts.push((
            "Running execution",
            format!(
                "{}{}",
                e.id,
                e.expires_at
                    .as_deref()
                    .map(|x| format!(", heartbeat expires {}", fmt::relative(x)))
                    .unwrap_or_default()
            ),
        ));
    }
    facts
}
