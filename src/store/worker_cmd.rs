//! Worker control with RQ's own mechanisms: pub/sub commands and stale-entry cleanup.
//!
//! `shutdown` and `kill-horse` are the JSON commands RQ's `send_shutdown_command` /
//! `send_kill_horse_command` publish on `rq:pubsub:<worker>`; PUBLISH answers how many listeners
//! heard it, 0 meaning the worker is gone (the command is then lost).

use std::sync::LazyLock;

use serde::Serialize;

use super::{Error, Instance, Result, overview, value};

/// What a published command reached.
#[derive(Debug, Clone, Serialize)]
pub struct CommandOutcome {
    pub worker: String,
    pub command: &'static str,
    /// PUBLISH's answer: 0 means no worker listened.
    pub receivers: i64,
}

/// Stale entries removed from the worker sets.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct StaleRemoved {
    pub removed_from_workers: i64,
    pub removed_from_queue_sets: i64,
}

static REMOVE_STALE: LazyLock<redis::Script> =
    LazyLock::new(|| redis::Script::new(include_str!("../../lua/remove_stale_workers.lua")));

async fn publish(inst: &Instance, worker: &str, command: &'static str) -> Result<CommandOutcome> {
    let mut p = redis::pipe();
    p.cmd("EXISTS").arg(inst.keys.worker(worker));
    let (exists,): (i64,) = inst.query(&p).await?;
    if exists == 0 {
        return Err(Error::NotFound(format!("no worker named {worker:?} (its hash is gone)")));
    }
    let payload = serde_json::json!({ "command": command }).to_string();
    let mut p = redis::pipe();
    p.cmd("PUBLISH").arg(inst.keys.pubsub(worker)).arg(payload);
    let (receivers,): (i64,) = inst.query(&p).await?;
    Ok(CommandOutcome { worker: worker.to_owned(), command, receivers })
}

/// Warm shutdown: the worker finishes its current job, then exits (RQ's `send_shutdown_command`).
pub async fn shutdown(inst: &Instance, worker: &str) -> Result<CommandOutcome> {
    publish(inst, worker, "shutdown").await
}

/// Kill the work horse running the current job (RQ's `send_kill_horse_command`); retries apply.
pub async fn kill_horse(inst: &Instance, worker: &str) -> Result<CommandOutcome> {
    publish(inst, worker, "kill-horse").await
}

/// Remove members of `rq:workers` and every `rq:workers:<queue>` whose hash is really gone.
pub async fn remove_stale(inst: &Instance) -> Result<StaleRemoved> {
    let k = &inst.keys;
    let names = overview::registered(inst).await?;
    let mut keys = vec![k.workers()];
    keys.extend(names.iter().map(|q| k.queue_workers(q)));
    let mut inv = REMOVE_STALE.prepare_invoke();
    for key in &keys {
        inv.key(key);
    }
    let v = inst.invoke(&inv).await?;
    let a = value::array(&v);
    Ok(StaleRemoved {
        removed_from_workers: a.first().map_or(0, value::int),
        removed_from_queue_sets: a.get(1).map_or(0, value::int),
    })
}
