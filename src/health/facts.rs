//! What one read of an instance saw, as the rules take it: per queue, the failure window, and
//! instance-wide (read in `store::verdict`; the rules in [`super::rules`] only look).

use serde::Serialize;

/// A worker whose heartbeat is older than this is stale: RQ's default worker ttl (420 s), after
/// which its hash would have expired, plus a minute of grace.
pub const STALE_HEARTBEAT_S: f64 = 480.0;

/// The window of the failure-rate rules (minutes of history).
pub const FAILURE_WINDOW_MIN: i64 = 15;

/// One queue as read.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct QueueFacts {
    pub name: String,
    pub queued: i64,
    /// Live workers (hash present, heartbeat fresh) listening on the queue.
    pub listening_workers: i64,
    /// Age of the job at the head of the queue (None when empty).
    pub oldest_age_s: Option<i64>,
    /// Scheduled jobs overdue past RQ's grace period while no scheduler holds the queue's lock.
    pub overdue_without_scheduler: i64,
    /// The last [`FAILURE_WINDOW_MIN`] minutes of history; None when none was recorded.
    pub failures: Option<Failures>,
    /// Run times of the queue's functions with enough calls both recently and in the baseline
    /// (see `store::verdict::functions` for the windows and the caps).
    pub functions: Vec<RunTimes>,
}

/// One function's run time p95 recently and over its 7-day baseline, from the per-function
/// histograms the sampler records.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RunTimes {
    pub function: String,
    pub calls: u64,
    pub p95_s: f64,
    pub baseline_calls: u64,
    pub baseline_p95_s: f64,
    /// `p95_s / baseline_p95_s` (`store::functions::p95_vs_baseline`).
    pub ratio: f64,
}

/// Jobs that ended in the failure window, from the history the sampler records.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Failures {
    pub finished: u64,
    pub failed: u64,
    /// Failed jobs per minute in the same hour of day over the previous 7 days (None: no data).
    pub baseline_failed_per_min: Option<f64>,
}

/// The instance-wide facts.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct InstanceFacts {
    /// From INFO memory (None when INFO is not readable).
    pub maxmemory_policy: Option<String>,
    pub used_memory: Option<i64>,
    pub maxmemory: Option<i64>,
    /// Workers listed in `rq:workers` whose hash is gone or whose heartbeat is stale.
    pub stale_workers: Vec<String>,
}

/// Everything the rules look at.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Facts {
    pub now: i64,
    pub queues: Vec<QueueFacts>,
    pub instance: InstanceFacts,
}
