//! Atomic writes: requeue, enqueue now, delete, cancel, empty, compact, stop.
//!
//! Each operation is one Lua script in `lua/` (with `lua/_prelude.lua` and `lua/_lifecycle.lua`
//! prepended), called once per chunk of at most [`CHUNK`] ids. The script re-reads every job
//! inside Redis, because a job may have moved since the page was rendered: a call either moves a
//! job completely or leaves it alone, and a crash between calls leaves every job in exactly one
//! place. Ids whose job hash is
//! missing (or has no `data`) are removed from the structure being worked on and counted as
//! orphans, never an error.
//!
//! # Layout
//! - [`jobs`]: one job or a list of ids (requeue, enqueue now, delete, cancel).
//! - [`registry`]: everything in a registry or queue: requeue all, empty.
//! - [`compact`]: drop orphan ids from a queue list, keeping FIFO order under load.
//! - [`stop`]: RQ's `stop-job` command for a running job.

pub mod compact;
pub mod jobs;
pub mod pace;
pub mod registry;
pub mod stop;

use std::sync::LazyLock;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use redis::Script;
use serde::{Deserialize, Serialize};

use super::{Instance, Result};
use crate::rq::{State, time};

pub use compact::compact;
pub use jobs::{bulk, cancel, delete, enqueue_now, requeue};
pub use registry::{empty, requeue_all};
pub use stop::{StopOutcome, stop};

/// Most ids one script call works on; [`pace`] picks smaller chunks when calls take longer than
/// a few milliseconds.
pub const CHUNK: usize = 1000;

/// What a bulk operation did. Every id lands in exactly one counter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BulkOutcome {
    pub requeued: u64,
    /// "Enqueue now" of scheduled or deferred jobs.
    pub enqueued: u64,
    pub deleted: u64,
    pub canceled: u64,
    /// Ids without a loadable job, removed from the list or registry worked on.
    pub orphans_removed: u64,
    /// Ids without a loadable job that were not in the given list or registry (bulk by ids).
    pub missing: u64,
    /// Jobs not in a state the action applies to; left where they are.
    pub skipped: u64,
    /// Entries of a whole-registry requeue past their expiry, removed as RQ's cleanup (which
    /// `rq requeue --all` runs first) removes them.
    pub expired_removed: u64,
    /// Entries that arrived after the action started (a requeued job that failed again, a new
    /// failure): left in place, so one click never acts twice on a job.
    pub arrived: u64,
    /// Ids of chunks whose reply was lost with the connection: each may or may not have been
    /// acted on (the walk resumed after them, and every chunk re-checks inside Redis).
    pub unconfirmed: u64,
    /// How many times the connection was lost and the walk resumed by itself.
    pub resumed: u64,
    /// True when the caller cancelled before the end: the counts are what was done until then.
    pub interrupted: bool,
}

impl BulkOutcome {
    /// Add another outcome's counts (an interruption in either is one in the sum).
    pub fn add(&mut self, o: &BulkOutcome) {
        self.requeued += o.requeued;
        self.enqueued += o.enqueued;
        self.deleted += o.deleted;
        self.canceled += o.canceled;
        self.orphans_removed += o.orphans_removed;
        self.missing += o.missing;
        self.skipped += o.skipped;
        self.expired_removed += o.expired_removed;
        self.arrived += o.arrived;
        self.unconfirmed += o.unconfirmed;
        self.resumed += o.resumed;
        self.interrupted |= o.interrupted;
    }
}

/// Progress of a bulk operation, reported after every chunk.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Progress {
    /// Ids examined so far.
    pub processed: u64,
    /// Ids there were to examine when the operation started (a list or registry may change
    /// meanwhile, so `processed` can end up on either side of it).
    pub total: u64,
    /// Counts so far.
    pub outcome: BulkOutcome,
}

/// What a single-job action did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JobChange {
    pub id: String,
    /// The job's origin queue.
    pub queue: String,
    /// The status the job had when the script ran.
    pub from: String,
    /// Its status now: `queued`, `canceled`, `deleted`, or RQ 3.0's `rate_limited` when a
    /// rate-limited job waits for a free slot.
    pub to: String,
}

/// The list or registry a set of ids was selected from: orphan ids are removed from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    pub queue: String,
    pub state: State,
}

/// The per-id actions, as named in the bulk API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BulkAction {
    Requeue,
    Enqueue,
    Delete,
    Cancel,
}

/// The scripts, each with the prelude prepended (EVALSHA with automatic fallback to load).
pub(crate) struct Scripts {
    pub requeue: Script,
    pub enqueue: Script,
    pub delete: Script,
    pub cancel: Script,
    pub stop: Script,
    pub requeue_all: Script,
    pub empty_registry: Script,
    pub empty_queue: Script,
    pub compact: Script,
}

/// Shared helpers: plumbing, then RQ's job transitions (both are plain `local` definitions).
const PRELUDE: [&str; 2] =
    [include_str!("../../../lua/_prelude.lua"), include_str!("../../../lua/_lifecycle.lua")];

pub(crate) fn with_prelude(body: &str) -> Script {
    Script::new(&format!("{}\n{}\n{body}", PRELUDE[0], PRELUDE[1]))
}

/// The sampler's write scripts share only the bookkeeping of the keys they touch (wrong types,
/// expiries once per key written): `lua/_keys.lua`.
pub(crate) fn with_keys_prelude(body: &str) -> Script {
    Script::new(&format!("{}\n{body}", include_str!("../../../lua/_keys.lua")))
}

pub(crate) static SCRIPTS: LazyLock<Scripts> = LazyLock::new(|| Scripts {
    requeue: with_prelude(include_str!("../../../lua/requeue.lua")),
    enqueue: with_prelude(include_str!("../../../lua/enqueue.lua")),
    delete: with_prelude(include_str!("../../../lua/delete.lua")),
    cancel: with_prelude(include_str!("../../../lua/cancel.lua")),
    stop: with_prelude(include_str!("../../../lua/stop.lua")),
    requeue_all: with_prelude(include_str!("../../../lua/requeue_all.lua")),
    empty_registry: with_prelude(include_str!("../../../lua/empty_registry.lua")),
    empty_queue: with_prelude(include_str!("../../../lua/empty_queue.lua")),
    compact: with_prelude(include_str!("../../../lua/compact.lua")),
});

/// Call a script with the prelude's common ARGV (prefix, now as RQ text, now in seconds)
/// followed by `args`. "Now" is taken per call, as RQ takes it per operation.
pub(crate) async fn run<A: redis::ToRedisArgs>(
    inst: &Instance,
    script: &Script,
    keys: &[String],
    args: &[A],
) -> Result<redis::Value> {
    let now = jiff::Timestamp::now();
    let mut inv = script.prepare_invoke();
    for k in keys {
        inv.key(k);
    }
    inv.arg(inst.keys.prefix()).arg(time::format(now)).arg(now.as_second());
    for a in args {
        inv.arg(a);
    }
    inst.invoke(&inv).await
}

/// How many ids a list or registry holds, and whether the queue is known at all; a queue
/// that is neither in `rq:queues` nor has anything in the structure is a 404, a structure
/// holding another type than RQ keeps there a 409 that names it (whole-list operations start
/// here, so none of them half-runs on a corrupt key).
pub(crate) async fn size_of(inst: &Instance, queue: &str, state: State) -> Result<u64> {
    let k = &inst.keys;
    let key = k.state_key(state, queue);
    let mut p = redis::pipe();
    p.ignore_errors();
    p.cmd("SISMEMBER").arg(k.queues()).arg(k.queue(queue));
    p.cmd(if state == State::Queued { "LLEN" } else { "ZCARD" }).arg(&key);
    let v: Vec<redis::Value> = inst.query(&p).await?;
    if v.get(1).is_some_and(super::key_type::is_wrong) {
        super::key_type::require(inst, &[(key, state.key_type())]).await?;
    }
    let known = v.first().map_or(0, super::value::int) > 0;
    let total = v.get(1).map_or(0, super::value::int);
    if !known && total == 0 {
        return Err(super::Error::NotFound(format!("no queue named {queue:?}")));
    }
    Ok(u64::try_from(total).unwrap_or(0))
}

/// How long a bulk action keeps trying to get its connection back before it gives up.
const RESUME_FOR: Duration = Duration::from_secs(60);

/// Wait (PING with backoff) until the connection answers again, for up to [`RESUME_FOR`];
/// the error that stopped the walk is returned if it never does, or if the user cancels.
pub(crate) async fn wait_for_connection(
    inst: &Instance,
    cancel: &CancellationToken,
    first: super::Error,
) -> Result<()> {
    let deadline = tokio::time::Instant::now() + RESUME_FOR;
    let mut pause = Duration::from_millis(100);
    loop {
        let mut p = redis::pipe();
        p.cmd("PING");
        if inst.query::<(String,)>(&p).await.is_ok() {
            return Ok(());
        }
        if tokio::time::Instant::now() + pause > deadline {
            return Err(first);
        }
        tokio::select! {
            () = cancel.cancelled() => return Err(first),
            () = tokio::time::sleep(pause) => {}
        }
        pause = (pause * 2).min(Duration::from_secs(2));
    }
}

/// A reply element as u64 (Lua numbers arrive as integers; anything else counts as 0).
pub(crate) fn count(v: Option<&redis::Value>) -> u64 {
    v.map_or(0, |x| u64::try_from(super::value::int(x)).unwrap_or(0))
}

/// A reply element as text ("" when absent).
pub(crate) fn text(v: Option<&redis::Value>) -> String {
    v.and_then(super::value::string).unwrap_or_default()
}
