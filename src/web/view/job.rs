//! The job page: the call, decoded values (cut at 64 KB with a link to the full text), history, relations.

use askama::Template;
use askama_web::WebTemplate;

use super::{ActionButton, Chrome};
use crate::rq::decode::Decoded;
use crate::rq::detail::{JobDetail, Related};
use crate::web::fmt::{self, Time};

/// Values longer than this are cut on the page, with a link to the raw view.
pub const PAGE_VALUE_MAX: usize = 64 * 1024;

/// A decoded value prepared for display.
pub struct ValueView {
    pub label: String,
    pub text: String,
    pub truncated: bool,
    pub full_href: String,
    /// Multi-line pretty form for structured values (collapsible), when different from `text`.
    pub pretty: Option<String>,
    pub undecodable: bool,
}

/// A results-history entry.
pub struct ResultView {
    pub kind: &'static str,
    pub label: String,
    pub at: Option<Time>,
    pub worker: Option<(String, String)>,
    pub duration: String,
    pub value: Option<ValueView>,
    pub exc: Option<String>,
}

/// A related job with its badge.
pub struct RelatedView {
    pub id: String,
    pub href: String,
    pub status: String,
    pub missing: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "job.html")]
pub struct JobPage {
    pub c: Chrome,
    /// The job's keys holding another type than RQ keeps there, one sentence each.
    pub corrupt: Vec<String>,
    pub id: String,
    pub status: String,
    pub missing: bool,
    pub call: String,
    pub call_truncated: bool,
    pub description: String,
    pub origin: Option<(String, String)>,
    pub facts: Vec<(&'static str, String)>,
    pub times: Vec<(&'static str, Time)>,
    pub worker: Option<(String, String)>,
    pub args: Vec<ValueView>,
    pub data_error: Option<String>,
    pub meta: Option<ValueView>,
    pub result: Option<ValueView>,
    pub exc: Option<String>,
    pub exc_truncated: bool,
    pub results: Vec<ResultView>,
    pub dependencies: Vec<RelatedView>,
    pub dependents: Vec<RelatedView>,
    pub raw: Vec<(String, String, String)>,
    pub full_base: String,
    pub actions: Vec<ActionButton>,
}

/// The actions that apply to a job in its status (RQ's own rules; the server re-checks).
fn job_actions(c: &Chrome, id: &str, status: &str, queue: &str) -> Vec<ActionButton> {
    if c.read_only {
        return Vec::new();
    }
    let url = |a: &str| format!("{}/api/v1/jobs/{}/{a}?instance={}", c.prefix, fmt::seg(id), c.instance);
    let b = |label, a: &str, confirm: String, class| ActionButton {
        label,
        url: url(a),
        confirm,
        class,
        background: false,
    };
    let mut out = Vec::new();
    match status {
        "failed" | "stopped" | "canceled" => {
            out.push(b("Requeue", "requeue", format!("Requeue job {id} into queue `{queue}`?"), ""))
        }
        "scheduled" | "deferred" => {
            out.push(b("Enqueue now", "enqueue", format!("Enqueue job {id} on queue `{queue}` now?"), ""))
        }
        "started" => out.push(b(
            "Stop",
            "stop",
            format!("Ask the worker running job {id} to stop it? The job becomes stopped (failed registry)."),
            "danger",
        )),
        _ => {}
    }
    if matches!(status, "queued" | "deferred" | "scheduled") {
        out.push(b(
            "Cancel",
            "cancel",
            format!("Cancel job {id}? It moves to the canceled registry of `{queue}`."),
            "",
        ));
    }
    if status != "started" {
        out.push(b(
            "Delete",
            "delete",
            format!("Delete job {id} and its data, results and links? This cannot be undone."),
            "danger",
        ));
    }
    out
}

fn cut(s: &str) -> (String, bool) {
    if s.len() > PAGE_VALUE_MAX {
        (crate::rq::job::truncate(s, PAGE_VALUE_MAX), true)
    } else {
        (s.to_owned(), false)
    }
}

/// A collapsible, indented form for big structured values (lists, dicts); None for scalars,
/// short values and special objects (`{"$bytes": ..}`, `{"$class": ..}`) whose repr says it all.
fn pretty_json(v: &serde_json::Value) -> Option<String> {
    let structured = match v {
        serde_json::Value::Array(a) => !a.is_empty(),
        serde_json::Value::Object(o) => !o.is_empty() && !o.keys().any(|k| k.starts_with('$')),
        _ => false,
    };
    if !structured {
        return None;
    }
    serde_json::to_string_pretty(v)
        .ok()
        .filter(|p| p.len() <= PAGE_VALUE_MAX && p.len() > 80 && p.lines().count() > 3)
}

/// Prepare a decoded value; `key` names it in the raw-view URL.
pub fn value_view(label: String, d: &Decoded, full_href: String) -> ValueView {
    let repr = d.to_repr(usize::MAX / 2);
    let (text, truncated) = cut(&repr);
    let json = serde_json::to_value(d).ok();
    let pretty = json.as_ref().and_then(|j| j.get("value")).and_then(pretty_json);
    ValueView {
        label,
        text,
        truncated,
        full_href,
        pretty,
        undecodable: matches!(d, Decoded::Undecodable { .. }),
    }
}

fn related(c: &Chrome, r: &[Related]) -> Vec<RelatedView> {
    r.iter()
        .map(|x| RelatedView {
            href: c.job_href(&x.id),
            id: x.id.clone(),
            status: x.status.clone().unwrap_or_else(|| if x.missing { "missing".into() } else { "?".into() }),
            missing: x.missing,
        })
        .collect()
}

impl JobPage {
    /// Build the page from the decoded job.
    pub fn build(c: Chrome, j: JobDetail) -> Self {
        let full_base = format!("{}/jobs/{}/full?instance={}&item=", c.prefix, fmt::seg(&j.id), c.instance);
        let mut args: Vec<ValueView> = j
            .args
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let (text, truncated) = cut(&a.repr);
                ValueView {
                    label: format!("args[{i}]"),
                    text,
                    truncated,
                    full_href: format!("{full_base}arg:{i}"),
                    pretty: pretty_json(&a.value),
                    undecodable: false,
                }
            })
            .collect();
        args.extend(j.kwargs.iter().map(|a| {
            let name = a.name.clone().unwrap_or_default();
            let (text, truncated) = cut(&a.repr);
            ValueView {
                full_href: format!("{full_base}kwarg:{}", fmt::q(&name)),
                label: name,
                text,
                truncated,
                pretty: pretty_json(&a.value),
                undecodable: false,
            }
        }));
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
        push("Group", j.group_id.clone());
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
        let times: Vec<(&'static str, Time)> = [
            ("Created", &j.created_at),
            ("Enqueued", &j.enqueued_at),
            ("Started", &j.started_at),
            ("Ended", &j.ended_at),
            ("Last heartbeat", &j.last_heartbeat),
        ]
        .into_iter()
        .filter_map(|(k, v)| Time::from(v.as_deref()).map(|t| (k, t)))
        .collect();
        let results = j
            .results
            .iter()
            .enumerate()
            .map(|(i, r)| ResultView {
                kind: r.type_name,
                label: r.type_name.replace('_', " "),
                at: Time::from(r.created_at.as_deref()),
                worker: r.worker_name.clone().map(|w| (c.worker_href(&w), w)),
                duration: r.duration_seconds.map(fmt::duration).unwrap_or_default(),
                value: r
                    .return_value
                    .as_ref()
                    .map(|v| value_view("return value".into(), v, format!("{full_base}result:{i}"))),
                exc: r.exc_string.as_deref().map(|e| cut(e).0),
            })
            .collect();
        let (call, call_truncated) = cut(j.call.as_deref().unwrap_or_default());
        let (exc, exc_truncated) = match j.exc_info.as_deref() {
            Some(e) => {
                let (t, tr) = cut(e);
                (Some(t), tr)
            }
            None => (None, false),
        };
        Self {
            corrupt: j.corrupt.iter().map(|w| w.message.clone()).collect(),
            id: j.id.clone(),
            status: j.status.clone().unwrap_or_else(|| "unknown".into()),
            missing: j.missing,
            call,
            call_truncated,
            description: j.description.clone().unwrap_or_default(),
            origin: j.origin.clone().map(|o| (c.queue_href(&o, None), o)),
            facts,
            times,
            worker: j.worker_name.clone().map(|w| (c.worker_href(&w), w)),
            args,
            data_error: j.data_error.as_ref().map(|d| d.to_repr(4096)),
            meta: j.meta.as_ref().map(|m| value_view("meta".into(), m, format!("{full_base}meta"))),
            result: j.result.as_ref().map(|r| value_view("result".into(), r, format!("{full_base}result"))),
            exc,
            exc_truncated,
            results,
            dependencies: related(&c, &j.dependencies),
            dependents: related(&c, &j.dependents),
            raw: j
                .raw
                .iter()
                .map(|r| {
                    (
                        r.name.clone(),
                        fmt::int(r.len as i64),
                        r.text.clone().unwrap_or_else(|| format!("(binary) {}", r.hex_preview)),
                    )
                })
                .collect(),
            full_base,
            actions: job_actions(
                &c,
                &j.id,
                j.status.as_deref().unwrap_or(""),
                j.origin.as_deref().unwrap_or(""),
            ),
            c,
        }
    }
}

/// The untruncated text of one item of a job (for the "show all" links), as plain text.
pub fn full_item(j: &JobDetail, item: &str) -> Option<String> {
    let (kind, key) = item.split_once(':').unwrap_or((item, ""));
    match kind {
        "arg" => j.args.get(key.parse::<usize>().ok()?).map(|a| a.repr.clone()),
        "kwarg" => j.kwargs.iter().find(|a| a.name.as_deref() == Some(key)).map(|a| a.repr.clone()),
        "meta" => j.meta.as_ref().map(|m| m.to_repr(usize::MAX / 2)),
        "result" if key.is_empty() => j.result.as_ref().map(|m| m.to_repr(usize::MAX / 2)),
        "result" => j
            .results
            .get(key.parse::<usize>().ok()?)?
            .return_value
            .as_ref()
            .map(|m| m.to_repr(usize::MAX / 2)),
        "exc" => j.exc_info.clone(),
        "call" => j.call.clone(),
        _ => None,
    }
}
