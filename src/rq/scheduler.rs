//! Queue schedulers (`rq worker --with-scheduler`): the `rq:scheduler-lock:<q>` lock, whose
//! value is the holder's PID (1.x, 2.0–2.9) or scheduler name (2.10+, identity in
//! `rq:scheduler:<name>`), and the scheduled jobs whose time has passed.

use serde::Serialize;

use super::time;

/// Scheduled jobs late by more than this, with no lock held, are an alert: a live scheduler
/// moves due jobs within a second, and a worker retries a lost lock within its fallback period.
pub const OVERDUE_GRACE_SECONDS: f64 = 120.0;

/// The queue scheduler that holds a queue's lock, from `rq:scheduler:<name>` (2.10+).
#[derive(Debug, Clone, Serialize)]
pub struct QueueScheduler {
    pub name: String,
    pub hostname: Option<String>,
    pub pid: Option<i64>,
    pub queues: Vec<String>,
    pub created_at: Option<String>,
    pub last_heartbeat: Option<String>,
}

/// One queue's scheduling state.
#[derive(Debug, Clone, Serialize)]
pub struct QueueScheduling {
    pub queue: String,
    /// The lock's value: a PID before RQ 2.10, the scheduler's name since.
    pub lock: Option<String>,
    /// Seconds left on the lock (a live scheduler refreshes it to 61 s every second).
    pub lock_ttl_seconds: Option<i64>,
    pub holder: Option<QueueScheduler>,
    /// Jobs in `rq:scheduled:<q>`.
    pub scheduled: i64,
    /// Of those, the ones whose time has passed.
    pub overdue: i64,
    /// When the oldest overdue job was due.
    pub oldest_due_at: Option<String>,
    pub oldest_overdue_seconds: Option<f64>,
    /// Overdue by more than the grace period and no scheduler holds the lock.
    pub alert: bool,
}

impl QueueScheduling {
    /// Judge one queue's raw readings at `now`.
    pub fn new(
        queue: &str,
        lock: Option<String>,
        ttl: i64,
        scheduled: i64,
        overdue: i64,
        oldest: Option<f64>,
        now: f64,
    ) -> Self {
        let oldest = oldest.filter(|_| overdue > 0);
        let late = oldest.map(|o| (now - o).max(0.0));
        Self {
            queue: queue.to_owned(),
            lock_ttl_seconds: lock.as_ref().map(|_| ttl).filter(|t| *t >= 0),
            alert: lock.is_none() && late.is_some_and(|l| l > OVERDUE_GRACE_SECONDS),
            lock,
            holder: None,
            scheduled,
            overdue,
            oldest_due_at: oldest.and_then(time::from_epoch),
            oldest_overdue_seconds: late,
        }
    }
}

impl QueueScheduler {
    /// From the hash fields of `rq:scheduler:<name>`; None when the hash is empty.
    pub fn from_hash(name: &str, fields: &[(String, Vec<u8>)]) -> Option<Self> {
        if fields.is_empty() {
            return None;
        }
        let get = |k: &str| {
            fields.iter().find(|(f, _)| f == k).map(|(_, v)| String::from_utf8_lossy(v).into_owned())
        };
        Some(Self {
            name: name.to_owned(),
            hostname: get("hostname"),
            pid: get("pid").and_then(|p| p.parse().ok()),
            queues: get("queues")
                .map(|q| q.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect())
                .unwrap_or_default(),
            created_at: get("created_at").and_then(|t| time::normalize(&t)),
            last_heartbeat: get("last_heartbeat").and_then(|t| time::normalize(&t)),
        })
    }
}

/// Whether a lock value names a scheduler (2.10+) rather than being a bare PID.
pub fn lock_names_scheduler(value: &str) -> bool {
    !value.is_empty() && !value.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overdue_jobs_alert_only_past_the_grace_period_and_without_a_lock() {
        let q = QueueScheduling::new("q", None, -2, 4, 3, Some(1000.0), 1000.0 + 600.0);
        assert!(q.alert);
        let held = QueueScheduling::new("q", Some("abc".into()), 50, 4, 3, Some(1000.0), 1600.0);
        assert!(!held.alert);
        let fresh = QueueScheduling::new("q", None, -2, 4, 3, Some(1000.0), 1010.0);
        assert!(!fresh.alert);
        assert!(!QueueScheduling::new("q", None, -2, 1, 0, None, 1600.0).alert);
    }

    #[test]
    fn a_pid_lock_is_told_from_a_named_one() {
        assert!(!lock_names_scheduler("26394"));
        assert!(lock_names_scheduler("8ec1b77fa86d4b72b422ae14dea7ca45"));
    }
}
