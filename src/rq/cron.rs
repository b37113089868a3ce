//! `rq cron` (RQ 2.4+) as RQ stores it: schedulers in `rq:cron_schedulers` (score = heartbeat),
//! each one's identity and jobs (JSON, 2.7+) in `rq:cron_scheduler:<name>`, and per cron job the
//! ids it enqueued in `rq:cron_job:<name>:jobs` (2.11+).

use serde::Serialize;
use serde_json::Value;

use super::{schedule, time};

/// `DEFAULT_CRON_SCHEDULER_TTL` of RQ 2.12 and 3.0 (60 s before 2.11): a scheduler whose last
/// heartbeat is older is dead, and RQ's `CronScheduler.all()` would drop it from the registry.
pub const CRON_SCHEDULER_TTL: i64 = 120;
/// The `cron_jobs` JSON is untrusted: larger values are not parsed.
const MAX_JOBS_JSON: usize = 1 << 20;
/// Next run times shown per cron job.
pub const NEXT_RUNS: usize = 5;

/// One cron scheduler process.
#[derive(Debug, Clone, Serialize)]
pub struct CronScheduler {
    pub name: String,
    pub hostname: Option<String>,
    pub pid: Option<i64>,
    pub created_at: Option<String>,
    pub config_file: Option<String>,
    /// From the registry's score.
    pub last_heartbeat: Option<String>,
    pub heartbeat_age_seconds: Option<f64>,
    pub ttl_seconds: i64,
    /// No heartbeat for longer than the TTL: the process is gone.
    pub stale: bool,
    /// Listed in `rq:cron_schedulers` but its hash has expired (dead for over the TTL).
    pub hash_missing: bool,
    pub jobs: Vec<CronJob>,
    /// Why the `cron_jobs` field could not be read, if it could not.
    pub jobs_error: Option<String>,
}

/// One registered cron job, as its scheduler last saved it.
#[derive(Debug, Clone, Serialize)]
pub struct CronJob {
    pub name: String,
    pub func_name: String,
    pub queue_name: String,
    /// JSON text, as RQ stores it.
    pub args: Option<String>,
    pub kwargs: Option<String>,
    pub interval: Option<i64>,
    pub cron: Option<String>,
    /// The schedule in plain words.
    pub schedule: String,
    /// The cron string does not parse (RQ would not have accepted it either).
    pub schedule_error: Option<String>,
    /// The next run times (UTC); from RQ's own next time for interval jobs.
    pub next_runs: Vec<String>,
    pub latest_enqueue_time: Option<String>,
    pub next_enqueue_time: Option<String>,
    /// RQ's next time has passed: no live scheduler enqueued it (a restarted one runs it at once).
    pub due: bool,
    /// Jobs it enqueued, newest first (filled by the store from `rq:cron_job:<name>:jobs`).
    pub recent: Vec<CronRun>,
    /// Entries in its history set (RQ keeps up to 1,000 for a year).
    pub history_total: i64,
}

/// One job a cron job enqueued.
#[derive(Debug, Clone, Serialize)]
pub struct CronRun {
    pub id: String,
    pub enqueued_at: Option<String>,
    /// The job's current RQ status; None when its hash is gone (expired after its result TTL).
    pub status: Option<String>,
}

/// Whether an RQ version string (a worker's `version` field) has `rq cron` (2.4+).
pub fn version_has_cron(version: &str) -> bool {
    let mut it = version.split('.').map(|p| p.trim().parse::<u32>().unwrap_or(0));
    let (major, minor) = (it.next().unwrap_or(0), it.next().unwrap_or(0));
    (major, minor) >= (2, 4)
}

impl CronScheduler {
    /// Decode a scheduler from its registry score and hash fields, judged at `now` (Unix seconds).
    pub fn from_hash(name: &str, score: Option<f64>, fields: &[(String, Vec<u8>)], now: f64) -> Self {
        let get = |k: &str| {
            fields.iter().find(|(f, _)| f == k).map(|(_, v)| String::from_utf8_lossy(v).into_owned())
        };
        let age = score.map(|s| (now - s).max(0.0));
        let (jobs, jobs_error) = match get("cron_jobs") {
            None => (Vec::new(), None),
            Some(j) if j.len() > MAX_JOBS_JSON => {
                (Vec::new(), Some(format!("cron_jobs is {} bytes", j.len())))
            }
            Some(j) => match serde_json::from_str::<Vec<Value>>(&j) {
                Ok(v) => (v.iter().map(|d| CronJob::from_json(d, now)).collect(), None),
                Err(e) => (Vec::new(), Some(format!("cron_jobs is not a JSON list: {e}"))),
            },
        };
        Self {
            name: name.to_owned(),
            hostname: get("hostname"),
            pid: get("pid").and_then(|p| p.parse().ok()),
            created_at: get("created_at").and_then(|t| time::normalize(&t)),
            config_file: get("config_file").filter(|c| !c.is_empty()),
            last_heartbeat: score.and_then(time::from_epoch),
            heartbeat_age_seconds: age,
            ttl_seconds: CRON_SCHEDULER_TTL,
            stale: age.is_none_or(|a| a > CRON_SCHEDULER_TTL as f64),
            hash_missing: fields.is_empty(),
            jobs,
            jobs_error,
        }
    }
}

impl CronJob {
    /// One entry of `cron_jobs` (`CronJob.to_dict()`), tolerant of missing fields.
    pub fn from_json(d: &Value, now: f64) -> Self {
        let s = |k: &str| d.get(k).and_then(Value::as_str).map(str::to_owned);
        let func_name = s("func_name").unwrap_or_default();
        let interval = d.get("interval").and_then(Value::as_i64).filter(|i| *i > 0);
        let cron = s("cron").filter(|c| !c.trim().is_empty());
        let latest = s("latest_enqueue_time").and_then(|t| time::normalize(&t));
        let next = s("next_enqueue_time").and_then(|t| time::normalize(&t));
        let (schedule, schedule_error, next_runs) = match (&cron, interval) {
            (Some(c), _) => match schedule::parse(c) {
                Ok(parsed) => (
                    schedule::describe_cron(c).unwrap_or_default(),
                    None,
                    schedule::next_runs(&parsed, now, NEXT_RUNS),
                ),
                Err(e) => (String::new(), Some(e), Vec::new()),
            },
            (None, Some(i)) => (schedule::describe_interval(i), None, interval_runs(next.as_deref(), i)),
            (None, None) => (String::new(), Some("neither interval nor cron".to_owned()), Vec::new()),
        };
        let due =
            next.as_deref().and_then(time::parse).is_some_and(|t| (t.as_microsecond() as f64) / 1e6 < now);
        Self {
            due,
            name: s("name").unwrap_or_else(|| func_name.clone()),
            func_name,
            queue_name: s("queue_name").unwrap_or_default(),
            args: s("args"),
            kwargs: s("kwargs"),
            interval,
            cron,
            schedule,
            schedule_error,
            next_runs,
            latest_enqueue_time: latest,
            next_enqueue_time: next,
            recent: Vec::new(),
            history_total: 0,
        }
    }
}

/// RQ's next time, then every `interval` after it (RQ runs a never-run interval job at start).
fn interval_runs(next: Option<&str>, interval: i64) -> Vec<String> {
    let Some(start) = next.and_then(time::parse) else { return Vec::new() };
    let start = start.as_microsecond() as f64 / 1e6;
    (0..NEXT_RUNS as i64).filter_map(|k| time::from_epoch(start + (k * interval) as f64)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(k: &str, v: &str) -> (String, Vec<u8>) {
        (k.to_owned(), v.as_bytes().to_vec())
    }

    #[test]
    fn a_scheduler_is_stale_once_its_heartbeat_is_older_than_the_ttl() {
        let fields = [f("hostname", "h"), f("pid", "7"), f("created_at", "2026-12-03T06:21:03.842381Z")];
        let live = CronScheduler::from_hash("s", Some(1000.0), &fields, 1100.0);
        assert!(!live.stale);
        assert_eq!(live.pid, Some(7));
        let dead = CronScheduler::from_hash("s", Some(1000.0), &fields, 1121.0);
        assert!(dead.stale);
        assert!(CronScheduler::from_hash("s", Some(1000.0), &[], 1001.0).hash_missing);
    }

    #[test]
    fn rq_has_cron_from_version_2_4() {
        assert!(!version_has_cron("1.16.2"));
        assert!(!version_has_cron("2.3.9"));
        assert!(version_has_cron("2.12.0"));
        assert!(version_has_cron("3.0.0"));
        assert!(!version_has_cron("garbage"));
    }

    #[test]
    fn interval_jobs_run_from_rqs_next_time_and_bad_json_is_reported() {
        let jobs = r#"[{"func_name":"t.a","queue_name":"q","interval":60,"cron":null,
            "next_enqueue_time":"2026-12-03T06:21:06.879948Z"}]"#;
        let s = CronScheduler::from_hash("s", Some(1.0), &[f("cron_jobs", jobs)], 2.0);
        let j = &s.jobs[0];
        assert_eq!(j.name, "t.a", "name defaults to func_name, as RQ's from_dict does");
        assert_eq!(j.schedule, "every minute");
        assert_eq!(j.next_runs[1], "2026-12-03T06:22:06.879948Z");
        let bad = CronScheduler::from_hash("s", Some(1.0), &[f("cron_jobs", "{")], 2.0);
        assert!(bad.jobs_error.is_some() && bad.jobs.is_empty());
    }
}
