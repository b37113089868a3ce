//! Flags of the health verdicts (`--health-*`, read by `serve` and `rqdash check`) and of their
//! alerts (`--alert-*`, `serve` only). Every default is in [`crate::health::Settings`]'s too.

use clap::Args;

use crate::health::alerter::Hook;
use crate::health::{Rule, Settings, webhook};

/// Thresholds of the health rules and where alerts go.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Health and alerts")]
pub struct HealthArgs {
    /// A queue whose oldest queued job waits this long is a warning: "90s", "10m", "2h".
    #[arg(long, env = "RQDASH_HEALTH_OLDEST_WARNING", default_value = "10m", value_parser = parse_span, global = true)]
    pub health_oldest_warning: i64,

    /// ... and critical from this long.
    #[arg(long, env = "RQDASH_HEALTH_OLDEST_CRITICAL", default_value = "1h", value_parser = parse_span, global = true)]
    pub health_oldest_critical: i64,

    /// Percent of the jobs ended in the last 15 minutes that failed above which a queue is a warning.
    #[arg(long, env = "RQDASH_HEALTH_FAILURE_RATE_WARNING", default_value_t = 10.0, value_parser = percent, global = true)]
    pub health_failure_rate_warning: f64,

    /// ... and critical above this percent.
    #[arg(long, env = "RQDASH_HEALTH_FAILURE_RATE_CRITICAL", default_value_t = 50.0, value_parser = percent, global = true)]
    pub health_failure_rate_critical: f64,

    /// Jobs that must have ended in the 15 minutes for a failure rate to count.
    #[arg(long, env = "RQDASH_HEALTH_FAILURE_MIN_JOBS", default_value_t = 10, global = true)]
    pub health_failure_min_jobs: u64,

    /// Failures per minute (last 15 minutes) above this multiple of the same hour's average over
    /// the previous 7 days are a spike (warning).
    #[arg(long, env = "RQDASH_HEALTH_SPIKE_FACTOR", default_value_t = 3.0, global = true)]
    pub health_spike_factor: f64,

    /// Failures in the 15 minutes needed before a spike counts.
    #[arg(long, env = "RQDASH_HEALTH_SPIKE_MIN_FAILURES", default_value_t = 10, global = true)]
    pub health_spike_min_failures: u64,

    /// Redis memory above this percent of maxmemory is critical.
    #[arg(long, env = "RQDASH_HEALTH_MEMORY_CRITICAL", default_value_t = 90.0, value_parser = percent, global = true)]
    pub health_memory_critical: f64,

    /// A function whose run time p95 over the last one to two hours is above this multiple of its
    /// p95 over the 7 days before is slow (warning).
    #[arg(long, env = "RQDASH_HEALTH_SLOW_FACTOR", default_value_t = 3.0, value_parser = factor, global = true)]
    pub health_slow_factor: f64,

    /// Calls a function needs in each of the two periods before its p95 counts (at least 5).
    #[arg(long, env = "RQDASH_HEALTH_SLOW_MIN_CALLS", default_value_t = 20, global = true,
          value_parser = clap::value_parser!(u64).range(5..))]
    pub health_slow_min_calls: u64,

    /// Rules to turn off (comma-separated, repeatable): no-worker, oldest-job, overdue-scheduled,
    /// failure-rate, failure-spike, slow-function, eviction-policy, memory, stale-worker.
    #[arg(long, env = "RQDASH_HEALTH_OFF", value_delimiter = ',', value_parser = parse_rule, global = true,
          value_name = "RULE")]
    pub health_off: Vec<Rule>,

    /// POST a JSON payload to this URL when a verdict changes (repeatable; the env var takes a
    /// space-separated list). Sent by one rqdash per Redis (a lease), retried with backoff.
    #[arg(long, env = "RQDASH_ALERT_WEBHOOK", value_delimiter = ' ', value_parser = hook_url, global = true,
          hide_env_values = true, value_name = "URL")]
    pub alert_webhook: Vec<String>,

    /// Same for a Slack-compatible incoming webhook (`{"text": ...}`), repeatable.
    #[arg(long, env = "RQDASH_ALERT_SLACK_WEBHOOK", value_delimiter = ' ', value_parser = hook_url, global = true,
          hide_env_values = true, value_name = "URL")]
    pub alert_slack_webhook: Vec<String>,
}

impl HealthArgs {
    /// The rules' thresholds.
    pub fn settings(&self) -> Settings {
        Settings {
            oldest_warning_s: self.health_oldest_warning,
            oldest_critical_s: self.health_oldest_critical,
            failure_rate_warning: self.health_failure_rate_warning,
            failure_rate_critical: self.health_failure_rate_critical,
            failure_min_jobs: self.health_failure_min_jobs,
            spike_factor: self.health_spike_factor,
            spike_min_failures: self.health_spike_min_failures,
            memory_critical: self.health_memory_critical,
            slow_factor: self.health_slow_factor,
            slow_min_calls: self.health_slow_min_calls,
            off: self.health_off.clone(),
        }
    }

    /// The webhooks, generic first.
    pub fn hooks(&self) -> Vec<Hook> {
        let json = self.alert_webhook.iter().filter(|u| !u.is_empty()).map(|u| Hook::Json(u.clone()));
        json.chain(self.alert_slack_webhook.iter().filter(|u| !u.is_empty()).map(|u| Hook::Slack(u.clone())))
            .collect()
    }
}

/// "90s", "10m", "2h", "1d" or bare seconds, as seconds.
pub fn parse_span(s: &str) -> Result<i64, String> {
    let t = s.trim();
    let (n, unit) = match t.char_indices().find(|(_, c)| c.is_ascii_alphabetic()) {
        Some((i, _)) => t.split_at(i),
        None => (t, "s"),
    };
    let mult = match unit.trim() {
        "s" => 1,
        "m" | "min" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(format!("not a duration: {s:?} (try 90s, 10m or 2h)")),
    };
    let n: f64 = n.trim().parse().map_err(|_| format!("not a duration: {s:?} (try 90s, 10m or 2h)"))?;
    if !(0.0..=1e9).contains(&n) {
        return Err(format!("duration out of range: {s:?}"));
    }
    Ok((n * f64::from(mult)) as i64)
}

fn percent(s: &str) -> Result<f64, String> {
    let v: f64 = s.trim().trim_end_matches('%').parse().map_err(|_| format!("not a percent: {s:?}"))?;
    if (0.0..=100.0).contains(&v) { Ok(v) } else { Err(format!("a percent is between 0 and 100, got {s:?}")) }
}

/// A multiple above 1 (a factor of 1 or less would call every function slow).
fn factor(s: &str) -> Result<f64, String> {
    let v: f64 = s.trim().trim_end_matches(['x', '×']).parse().map_err(|_| format!("not a factor: {s:?}"))?;
    if v > 1.0 && v.is_finite() { Ok(v) } else { Err(format!("a factor is above 1, got {s:?}")) }
}

fn parse_rule(s: &str) -> Result<Rule, String> {
    Rule::parse(s).ok_or_else(|| {
        let names: Vec<&str> = Rule::ALL.iter().map(|r| r.name()).collect();
        format!("unknown rule {s:?}: {}", names.join(", "))
    })
}

fn hook_url(s: &str) -> Result<String, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(String::new());
    }
    webhook::parse(s).map(|_| s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_take_seconds_minutes_hours_and_days() {
        assert_eq!(parse_span("90s"), Ok(90));
        assert_eq!(parse_span("10m"), Ok(600));
        assert_eq!(parse_span("1.5h"), Ok(5400));
        assert_eq!(parse_span("2d"), Ok(172_800));
        assert_eq!(parse_span("45"), Ok(45));
        assert!(parse_span("10 parsecs").is_err());
        assert!(parse_span("-1m").is_err());
    }

    #[test]
    fn a_slow_factor_is_a_multiple_above_one() {
        assert_eq!(factor("3"), Ok(3.0));
        assert_eq!(factor("2.5x"), Ok(2.5));
        assert!(factor("1").is_err());
        assert!(factor("fast").is_err());
        assert!(factor("inf").is_err());
    }

    #[test]
    fn fewer_than_five_slow_min_calls_is_refused_not_silently_raised() {
        let parse =
            |v: &str| crate::config::try_parse_from(["rqdash", "--health-slow-min-calls", v], |_| None);
        assert!(parse("4").is_err(), "a p95 of fewer than 5 calls is never compared");
        assert!(parse("5").is_ok());
    }
}
