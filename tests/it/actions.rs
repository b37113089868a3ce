//! Actions (requeue, enqueue now, delete, cancel, empty, compact, stop) on data made by the real
//! `rq` of each version, checked afterwards with RQ's own Python API and a real `rq worker`.
//! Every test runs once per RQ version, each on its own redis-server.

use std::sync::Mutex;

use clap::Parser;
use serde_json::Value;

use rqdash::config::Cli;
use rqdash::store::Store;
use rqdash::store::write::Progress;

use crate::support::RedisServer;

// Requeue all of a failed registry of thousands of real failed jobs with orphans among them.
mod requeue_all;
// One job at a time: requeue, enqueue now, cancel, delete; 404 and 409.
mod single;
// Selections of ids and whole structures: bulk actions, empty.
mod bulk_and_empty;
// Whole-registry walks skip jobs that moved and still reach the end.
mod skips;
// Compact keeps FIFO order while the list is popped and pushed.
mod compact;
// Stop a running job through the worker's pub/sub channel.
mod stop;
// RQ 3.0 rate limits: slots released on cancel, requeue through the limiter.
mod rate_limit;
// Requeue all of 20,000 failed jobs while a worker consumes and a producer enqueues.
mod concurrency;
// One click acts once: no second requeue of a job failing again; a lost reply is resumed.
mod twice;

/// What RQ's requeue stores as `exc_info`: zlib.compress(b'').
pub const ZLIB_EMPTY: [u8; 8] = [0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01];

/// A store on the test's Redis.
pub fn store(r: &RedisServer) -> Store {
    let cli = Cli::try_parse_from(["rqdash", "--redis-url", &r.url()]).expect("valid flags");
    Store::from_args(&cli.redis).expect("store")
}

/// A JSON list of strings.
pub fn strings(v: &Value) -> Vec<String> {
    v.as_array().expect("a JSON list").iter().map(|s| s.as_str().expect("a string").to_owned()).collect()
}

/// Ids as a Python list literal (JSON strings are Python strings).
pub fn py_list(ids: &[String]) -> String {
    serde_json::to_string(ids).expect("ids to JSON")
}

/// A progress sink that keeps every report, for assertions.
#[derive(Default)]
pub struct Reports(pub Mutex<Vec<Progress>>);

impl Reports {
    pub fn push(&self, p: Progress) {
        self.0.lock().expect("reports lock").push(p);
    }

    pub fn all(&self) -> Vec<Progress> {
        self.0.lock().expect("reports lock").clone()
    }
}
