//! `rqdash demo`'s data: realistic RQ data in RQ 2.x's own format (JSON serializer, so no
//! pickle is written), kept alive by simulated workers that move jobs through their lifecycle
//! exactly as RQ's would, one atomic Lua script per transition (`lua/demo_*.lua`).
//!
//! # Layout
//! - [`catalog`]: what gets enqueued (calls of Python builtins, so a real worker can run them).
//! - [`pyfunc`]: what a simulated worker's call returns or raises, as CPython would.
//! - [`encode`]: RQ's encodings (json.dumps, description, zlib, base64, timestamps, uuid4).
//! - [`sim`]: one tick: registry cleanup, scheduler, producer, workers, a user's cancel.
//! - [`workers`]: the simulated workers: birth, heartbeats, each job's start and end.
//! - [`seed`]: workers' birth, the last minutes replayed on a virtual clock, planted orphans.
//! - [`cleanup`]: with someone else's Redis, removing exactly what the demo created.

pub mod catalog;
mod cleanup;
pub mod encode;
pub mod pyfunc;
mod seed;
mod sim;
mod workers;

use std::collections::HashSet;
use std::sync::LazyLock;

use jiff::Timestamp;
use redis::Script;

use crate::rq::time;
use crate::store::write::with_prelude;
use crate::store::{Instance, Result, Store};
use catalog::{QUEUES, Rng};
use workers::SimWorker;

/// Namespace of queue names when the demo shares a Redis (`--redis-url`).
pub const SHARED_NAMESPACE: &str = "rqdash-demo-";

/// The planted orphans: ids left in a registry after their job hash was deleted by hand.
pub const ORPHANS: usize = 3;

struct Scripts {
    enqueue: Script,
    start: Script,
    finish: Script,
    schedule: Script,
    heartbeat: Script,
    cancel: Script,
    maintain: Script,
}

static SCRIPTS: LazyLock<Scripts> = LazyLock::new(|| Scripts {
    enqueue: with_prelude(include_str!("../../../lua/demo_enqueue.lua")),
    start: with_prelude(include_str!("../../../lua/demo_start.lua")),
    finish: with_prelude(include_str!("../../../lua/demo_finish.lua")),
    schedule: with_prelude(include_str!("../../../lua/demo_schedule.lua")),
    heartbeat: with_prelude(include_str!("../../../lua/demo_heartbeat.lua")),
    cancel: with_prelude(include_str!("../../../lua/demo_cancel.lua")),
    maintain: with_prelude(include_str!("../../../lua/demo_maintain.lua")),
});

/// The demo on one Redis instance (instance 0 of its store).
pub struct Demo {
    store: Store,
    /// The queue names, namespaced when the Redis is shared.
    pub queues: Vec<String>,
    rng: Rng,
    workers: Vec<SimWorker>,
    scheduler: Scheduler,
    /// Job ids created (kept only for a shared Redis, to remove them at the end).
    created: Option<HashSet<String>>,
    /// History keys of the dashboard to remove at the end (shared Redis only).
    history_prefix: Option<String>,
    /// When the live loop last ticked (a long gap means the machine slept).
    last_live: Option<Timestamp>,
}

struct Scheduler {
    name: String,
    pid: String,
    created_at: String,
}

impl Demo {
    /// A demo on `store`'s first instance. `shared`: the Redis is someone else's (`--redis-url`),
    /// so queues are namespaced and everything created is remembered for [`Demo::remove`], with
    /// the dashboard's history under `history_prefix`.
    pub fn new(store: Store, shared: bool, history_prefix: Option<String>, seed: u64) -> Self {
        let ns = if shared { SHARED_NAMESPACE } else { "" };
        let mut rng = Rng::new(seed);
        let workers = workers::workers(&mut rng);
        let scheduler = Scheduler {
            name: encode::uuid4(rng.u128(), false),
            pid: workers.get(1).map_or_else(|| "4242".to_owned(), |w| (w.pid + 1).to_string()),
            created_at: String::new(),
        };
        Self {
            store,
            queues: QUEUES.iter().map(|q| format!("{ns}{q}")).collect(),
            rng,
            workers,
            scheduler,
            created: shared.then(HashSet::new),
            history_prefix: if shared { history_prefix } else { None },
            last_live: None,
        }
    }

    fn inst(&self) -> Result<&Instance> {
        self.store.instance(0)
    }

    /// The names of the simulated workers.
    pub fn worker_names(&self) -> Vec<String> {
        self.workers.iter().map(|w| w.name.clone()).collect()
    }

    /// Run a demo script with the common ARGV (prefix, `t` as RQ text and seconds, the age of
    /// `t` against the real now) followed by `args`.
    async fn call(&self, script: &Script, t: Timestamp, args: &[Vec<u8>]) -> Result<redis::Value> {
        let inst = self.inst()?;
        let age = (Timestamp::now().as_second() - t.as_second()).max(0);
        let mut inv = script.prepare_invoke();
        inv.arg(inst.keys.prefix()).arg(time::format(t)).arg(t.as_second()).arg(age);
        for a in args {
            inv.arg(a.as_slice());
        }
        inst.invoke(&inv).await
    }

    /// One live tick at the real now (the loop calls it every second). After a stall (the
    /// machine slept), every worker heartbeats first, as RQ's would on waking up.
    pub async fn live_tick(&mut self) -> Result<()> {
        let now = Timestamp::now();
        let stalled = self.last_live.is_some_and(|l| (now - l).as_secs() > 5);
        self.last_live = Some(now);
        if stalled {
            self.beat_all(now).await?;
        }
        self.tick(now, 1.0, false).await
    }

    fn remember(&mut self, id: &str) {
        if let Some(c) = &mut self.created {
            c.insert(id.to_owned());
        }
    }
}

/// One script argument, from text or bytes.
fn a(x: impl AsRef<[u8]>) -> Vec<u8> {
    x.as_ref().to_vec()
}
