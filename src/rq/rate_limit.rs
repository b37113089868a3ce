//! RQ 3.0's concurrency limiter (`rq/rate_limit.py`) as pure types: a key's state and the age
//! of a job it holds back.
//!
//! A rate-limited job waits in `rq:rl:<key>:rate_limited` (score: when it started waiting, Unix
//! seconds) until a slot in `rq:rl:<key>:allowed` is free; it is then pushed onto its queue.
//! While it waits it is in no queue and no registry, so no other count shows it: rqdash calls
//! these jobs "held".

use serde::Serialize;

/// One rate-limit key, as RQ's `RateLimitRegistry` reports it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RateLimitKey {
    /// The key given to `RateLimit(key, concurrency)`.
    pub key: String,
    /// `concurrency` from `rq:rl:<key>` (RQ reads a missing one as 0: nothing is promoted).
    pub concurrency: i64,
    /// Jobs holding a slot (`get_allowed_job_count`): queued or running.
    pub running: i64,
    /// Jobs held back (`get_rate_limited_job_count`).
    pub held: i64,
    /// Whether `rq:rl-keys` lists it (RQ's `RateLimitRegistry.all`); a key found only through
    /// its sorted sets is shown too, but RQ's maintenance never visits it.
    pub registered: bool,
}

impl RateLimitKey {
    /// Whether every slot is taken, so held jobs wait for a running one to end.
    pub fn full(&self) -> bool {
        self.running >= self.concurrency
    }
}

/// Seconds a job has been held, from its `rate_limited` score (None for a score in the future
/// or not a number: hostile data, shown without an age).
pub fn held_age(score: Option<f64>, now: f64) -> Option<f64> {
    let s = score.filter(|s| s.is_finite())?;
    (s <= now).then_some(now - s)
}

/// Whether an RQ version string (`"3.0.0"`, a worker's `version` field) is 3.0 or later: the
/// first RQ with rate limits.
pub fn has_rate_limits(version: &str) -> bool {
    version.split('.').next().and_then(|m| m.trim().parse::<u32>().ok()).is_some_and(|m| m >= 3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_jobs_age_counts_from_its_score() {
        assert_eq!(held_age(Some(100.0), 160.0), Some(60.0));
        assert_eq!(held_age(Some(200.0), 160.0), None, "a future score has no age");
        assert_eq!(held_age(Some(f64::NAN), 160.0), None);
        assert_eq!(held_age(None, 160.0), None);
    }

    #[test]
    fn rate_limits_exist_from_rq_3() {
        assert!(has_rate_limits("3.0.0"));
        assert!(has_rate_limits("10.1"));
        assert!(!has_rate_limits("2.12.0"));
        assert!(!has_rate_limits("1.16.2"));
        assert!(!has_rate_limits("garbage"));
    }

    #[test]
    fn a_key_is_full_when_running_reaches_concurrency() {
        let k = RateLimitKey { key: "a".into(), concurrency: 2, running: 2, held: 1, registered: true };
        assert!(k.full());
        assert!(!RateLimitKey { running: 1, ..k }.full());
    }
}
