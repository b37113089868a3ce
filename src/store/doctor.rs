//! `rqdash doctor`: an integrity report of one instance's RQ data, and the repairs that are safe.
//!
//! Reading is bounded and pipelined: queues come from `rq:queues`, workers from `rq:workers`
//! (never KEYS or SCAN); every list and registry is walked in windows of [`CHUNK`] ids, and the
//! job fields of a window are read in one pipeline (EXISTS, HEXISTS `data`, HMGET of a few
//! fields, SCARD of the dependents set). The report is not a snapshot: under load an id may be
//! seen twice or not at all. It never writes.
//!
//! # Checks
//! - `expired_entry`: a finished or failed entry past its expiry (score in `[0, now]`), or a
//!   started entry past its heartbeat deadline whose job is gone. RQ's API no longer counts
//!   them; the registry cleanup a worker of the queue runs would drop them, but a queue without
//!   workers is never cleaned. Not reported as `missing_job` (their hashes expired with them).
//! - `unregistered_queue`: a queue holding jobs that `rq:queues` does not list (RQ's
//!   `Queue.delete()` keeps the registries; other tools push without registering).
//! - `missing_job`: an id in a queue list or registry whose job hash `rq:job:<id>` is gone. RQ's
//!   workers skip it, but `rq requeue --all` (and rq-dashboard's "requeue all") stop at the first
//!   one with NoSuchJobError, and the registries count it.
//! - `job_without_data`: the same with a hash that has no `data` (e.g. only `last_heartbeat`: a
//!   heartbeat raced a delete). `Job.fetch` raises for it and `Job.fetch_many` for the whole batch.
//! - `status_mismatch`: a loadable job whose `status` does not belong where it sits (queued in the
//!   list, started in wip, failed or stopped in failed, ...). Not reported: RQ 2.3+ `Repeat` jobs
//!   (with `repeats_left`) still in finished while their next run is scheduled or queued.
//! - `abandoned_started`: a wip entry of a `started` job whose score (heartbeat expiry) has passed,
//!   or whose job names a worker whose hash is gone.
//! - `dangling_dependent`: `rq:job:<id>:dependents` of a job found in a list or registry names a
//!   job RQ cannot load.
//! - `dangling_dependency`: a deferred job's `rq:job::<id>:dependencies` (or `dependency_ids`)
//!   names a job RQ cannot load, while another parent is still pending.
//! - `stuck_deferred`: a deferred job whose parents have all finished. RQ releases dependents in
//!   the transaction that finishes the last parent, so this job will never run by itself.
//! - `deferred_parents_gone`: a deferred job whose parents are finished or gone, at least one gone
//!   (deleted, emptied, expired), or that names no parent at all.
//! - `stale_worker` / `stale_queue_worker`: a member of `rq:workers` / `rq:workers:<q>` whose
//!   worker hash is gone (RQ's test for a dead worker).
//! - `empty_queue`: a member of `rq:queues` with nothing in its list, registries or intermediate
//!   list and no worker listening.
//! - `overdue_scheduled`: scheduled jobs due more than 120 s ago in a queue whose
//!   `rq:scheduler-lock:<q>` no scheduler holds: nothing will ever enqueue them.
//! - `stale_cron_scheduler`: a member of `rq:cron_schedulers` whose heartbeat is older than the
//!   120 s TTL: its `rq cron` process is gone and its cron jobs are not enqueued.
//! - `wrong_type`: a key RQ reads (`rq:queues`, `rq:workers`, a queue list, a registry, a
//!   workers set, a job hash, a dependents or dependencies set, a worker hash) holding another
//!   type than RQ keeps there. RQ fails on it with WRONGTYPE; the scan reads it as empty.
//!
//! # Fixes (`--fix`), each a chunked Lua script that re-checks inside Redis before it writes
//! - `expired_entry`: `lua/doctor_expire_registry.lua` removes the entries still past expiry,
//!   as RQ's cleanup (`ZREMRANGEBYSCORE key 0 now`) does; job hashes are left to their TTL.
//! - `missing_job`, `job_without_data` in a queue list: [`write::compact`](super::write::compact)
//!   (order kept). In a registry: `lua/doctor_prune_registry.lua` ZREMs the member and DELs a
//!   data-less job hash.
//! - `stale_worker`, `stale_queue_worker`, `dangling_dependent`, `dangling_dependency`:
//!   `lua/doctor_srem_missing.lua` SREMs the member if its worker key / job is still gone (what
//!   RQ's `clean_worker_registry` does for workers; RQ already treats a missing parent as met).
//! - `stuck_deferred`: `lua/doctor_release_deferred.lua` enqueues the job if it is still deferred
//!   and every parent still finished: what RQ's `enqueue_dependents` would have done.
//! - Left alone, with the reason in [`Check::policy`]: `status_mismatch`, `abandoned_started`,
//!   `deferred_parents_gone`, `empty_queue`, `unregistered_queue`, `wrong_type`.

mod check;
mod fix;
mod links;
mod scan;
mod window;
mod workers;

use serde::Serialize;

use crate::rq::State;

pub use check::{Check, Policy};
pub use fix::{FixOutcome, FixStep, LeftAlone, fix};
pub use scan::scan;

/// Ids per window and per script call.
pub const CHUNK: usize = 1000;
/// Example ids kept per finding.
pub const EXAMPLES: usize = 5;

/// Problems of one check in one place.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub check: Check,
    /// The queue concerned (None for `rq:workers`).
    pub queue: Option<String>,
    /// The list or registry, for problems found in one.
    pub state: Option<State>,
    /// The list, registry or set the ids sit in (None when they are spread over many sets).
    pub key: Option<String>,
    pub count: u64,
    /// A few ids (or `parent -> child` links), with context in parentheses.
    pub examples: Vec<String>,
    /// (set or owner, member) pairs the repair works on; kept for the repairs that need them.
    #[serde(skip)]
    pub(crate) items: Vec<(String, String)>,
}

/// The count and policy of one check.
#[derive(Debug, Clone, Serialize)]
pub struct CheckSummary {
    pub check: Check,
    pub description: &'static str,
    pub count: u64,
    pub policy: Policy,
}

/// The whole report of one instance.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub instance: usize,
    pub url: String,
    /// Queues in `rq:queues`, ids examined in lists and registries, members of worker sets.
    pub queues: u64,
    pub ids_examined: u64,
    pub worker_members: u64,
    /// Problems found, all checks together.
    pub problems: u64,
    /// Of which `--fix` repairs.
    pub repairable: u64,
    pub checks: Vec<CheckSummary>,
    pub findings: Vec<Finding>,
    /// What rqdash itself stores against `--storage-max-memory` (set by the CLI; over it is a
    /// finding).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage: Option<crate::store::budget::state::Status>,
}

impl Report {
    /// Whether nothing at all was found.
    pub fn is_clean(&self) -> bool {
        self.problems == 0 && !self.storage.is_some_and(|s| s.over())
    }
}
