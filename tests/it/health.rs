//! Health verdicts: every rule made true on real states (RQ's own enqueues, real workers failing
//! jobs, a stale worker hash, Redis configured with CONFIG SET), then seen through
//! `/api/v1/health`, the pages, `/metrics` and `rqdash check`; alerts to a local webhook.

use clap::Parser;
use serde_json::Value;

use rqdash::config::Cli;
use rqdash::store::Store;

use crate::support::{RedisServer, TestApp};

// One test per rule, on real RQ data.
mod rules;
// Where verdicts show: the API shape, pages, /metrics, `rqdash check` exit codes.
mod surfaces;
// Webhooks: once per change, retried after a 500, one sender among replicas.
mod alerts;
// The slow-function rule: real slow runs against a recorded week, its edges and its cost.
mod slow_function;
// contrib/: every metric the Grafana dashboard and the Prometheus rules use is exported.
mod contrib;

/// The verdicts of instance 0 as the API answers them, from a fresh app (its cache is new).
pub async fn health(r: &RedisServer, flags: &[&str]) -> Value {
    TestApp::with_args(&[r.url()], flags).get_json("/api/v1/health").await
}

/// One queue's entry of a health answer.
pub fn queue<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["queues"]
        .as_array()
        .and_then(|a| a.iter().find(|q| q["queue"] == name))
        .unwrap_or_else(|| panic!("queue {name} missing from {v:#}"))
}

/// The rule names of a list of reasons.
pub fn rules_of(reasons: &Value) -> Vec<String> {
    reasons
        .as_array()
        .map_or_else(Vec::new, |a| a.iter().map(|r| r["rule"].as_str().unwrap_or("").to_owned()).collect())
}

pub fn store(r: &RedisServer) -> Store {
    Store::from_args(&Cli::try_parse_from(["rqdash", "--redis-url", &r.url()]).expect("flags").redis)
        .expect("store")
}

/// Seconds since the epoch now.
pub fn now() -> i64 {
    rqdash::rq::time::now_epoch() as i64
}

/// An ISO timestamp `ago` seconds in the past, as RQ writes them.
pub fn iso_ago(ago: i64) -> String {
    rqdash::rq::time::from_epoch((now() - ago) as f64).expect("valid time")
}
