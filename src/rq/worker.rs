//! Worker hashes `rq:worker:<name>`: tolerant of missing fields and of hashes that are gone.

use serde::Serialize;

use crate::rq::{split_started_member, time};

/// One member of `rq:workers`, decoded.
#[derive(Debug, Clone, Serialize)]
pub struct Worker {
    pub name: String,
    /// The member is in `rq:workers` but its hash is gone (crashed, or expired): reported, not deleted.
    pub stale: bool,
    /// `started`, `idle`, `busy`, `suspended`; RQ shows `?` when the field is missing.
    pub state: String,
    pub queues: Vec<String>,
    /// From `current_job` (1.x/2.x) or the `rq:worker:<w>:executions` set (3.0).
    pub current_job: Option<String>,
    pub current_execution_id: Option<String>,
    pub current_job_working_time: Option<f64>,
    pub hostname: Option<String>,
    pub pid: Option<i64>,
    pub ip_address: Option<String>,
    pub version: Option<String>,
    pub python_version: Option<String>,
    pub birth: Option<String>,
    pub last_heartbeat: Option<String>,
    pub death: Option<String>,
    pub shutdown_requested_date: Option<String>,
    pub successful_job_count: i64,
    pub failed_job_count: i64,
    pub total_working_time: f64,
    /// Seconds since the last heartbeat (idle workers heartbeat only every ~405 s).
    pub heartbeat_age_seconds: Option<f64>,
    /// TTL of the worker hash in seconds (-1 none, None when gone).
    pub ttl: Option<i64>,
    /// The inferred `rq worker-pool` this worker belongs to (see `rq::pool`); None when alone.
    pub pool: Option<String>,
}

fn get<'a>(fields: &'a [(String, Vec<u8>)], name: &str) -> Option<&'a [u8]> {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_slice())
}

fn text(fields: &[(String, Vec<u8>)], name: &str) -> Option<String> {
    get(fields, name).map(|v| String::from_utf8_lossy(v).trim().to_owned()).filter(|s| !s.is_empty())
}

fn num<T: std::str::FromStr>(fields: &[(String, Vec<u8>)], name: &str) -> Option<T> {
    text(fields, name).and_then(|s| s.parse::<T>().ok())
}

impl Worker {
    /// Decode a worker hash; `executions` holds the 3.0 `rq:worker:<w>:executions` members.
    pub fn from_hash(name: &str, fields: &[(String, Vec<u8>)], executions: &[String], ttl: i64) -> Self {
        let stale = fields.is_empty();
        let (exec_job, exec_id) = match executions.first() {
            Some(m) => {
                let (id, eid) = split_started_member(m);
                (Some(id.to_owned()), eid.map(str::to_owned))
            }
            None => (None, None),
        };
        let last_heartbeat = text(fields, "last_heartbeat").and_then(|s| time::normalize(&s));
        let heartbeat_age_seconds = last_heartbeat
            .as_deref()
            .and_then(time::parse)
            .map(|t| (time::now_epoch() - t.as_microsecond() as f64 / 1e6).max(0.0));
        Self {
            name: name.to_owned(),
            stale,
            state: text(fields, "state").unwrap_or_else(|| "?".to_owned()),
            queues: text(fields, "queues")
                .map(|q| q.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect())
                .unwrap_or_default(),
            current_job: text(fields, "current_job").or(exec_job),
            current_execution_id: exec_id,
            current_job_working_time: num(fields, "current_job_working_time"),
            hostname: text(fields, "hostname"),
            pid: num(fields, "pid"),
            ip_address: text(fields, "ip_address"),
            version: text(fields, "version"),
            python_version: text(fields, "python_version"),
            birth: text(fields, "birth").and_then(|s| time::normalize(&s)),
            last_heartbeat,
            death: text(fields, "death").and_then(|s| time::normalize(&s)),
            shutdown_requested_date: text(fields, "shutdown_requested_date")
                .and_then(|s| time::normalize(&s)),
            successful_job_count: num(fields, "successful_job_count").unwrap_or(0),
            failed_job_count: num(fields, "failed_job_count").unwrap_or(0),
            total_working_time: num(fields, "total_working_time").unwrap_or(0.0),
            heartbeat_age_seconds,
            ttl: (!stale).then_some(ttl),
            pool: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(k: &str, v: &str) -> (String, Vec<u8>) {
        (k.to_owned(), v.as_bytes().to_vec())
    }

    #[test]
    fn a_worker_whose_hash_is_gone_is_stale_with_unknown_state() {
        let w = Worker::from_hash("ghost", &[], &[], -2);
        assert!(w.stale);
        assert_eq!(w.state, "?");
        assert_eq!(w.ttl, None);
    }

    #[test]
    fn a_partial_worker_hash_still_decodes() {
        let w = Worker::from_hash("p", &[f("state", "idle"), f("queues", "a,b"), f("pid", "x")], &[], 10);
        assert_eq!(w.queues, vec!["a", "b"]);
        assert_eq!(w.pid, None);
        assert_eq!(w.successful_job_count, 0);
    }

    #[test]
    fn rq3_current_job_comes_from_the_executions_set() {
        let m = "job-1:0123456789abcdef0123456789abcdef".to_owned();
        let w = Worker::from_hash("w", &[f("state", "busy")], &[m], 90);
        assert_eq!(w.current_job.as_deref(), Some("job-1"));
    }
}
