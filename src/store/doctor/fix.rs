//! The repairs of `doctor --fix`, driven by a report: each a chunked Lua script (or the existing
//! compact) that re-checks inside Redis, so what changed since the scan is left alone.

use std::sync::LazyLock;

use redis::Script;
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use super::{CHUNK, Check, Finding, Policy, Report};
use crate::rq::State;
use crate::store::write::with_prelude;
use crate::store::write::{self, BulkOutcome, Progress, count, run, size_of, text};
use crate::store::{Instance, Result, value};

/// One repair done.
#[derive(Debug, Clone, Serialize)]
pub struct FixStep {
    pub check: Check,
    pub queue: Option<String>,
    pub key: Option<String>,
    /// How many were repaired, and how ("removed from the registry", ...).
    pub repaired: u64,
    pub what: &'static str,
    /// Data-less job hashes deleted on the way (registry pruning).
    pub hashes_deleted: u64,
}

/// A problem `--fix` did not touch, and why.
#[derive(Debug, Clone, Serialize)]
pub struct LeftAlone {
    pub check: Check,
    pub count: u64,
    pub reason: &'static str,
}

/// Everything `--fix` did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FixOutcome {
    pub steps: Vec<FixStep>,
    pub left_alone: Vec<LeftAlone>,
    /// Cancelled before the end: the steps are what was done until then.
    pub interrupted: bool,
}

struct Scripts {
    expire: Script,
    prune: Script,
    srem: Script,
    release: Script,
}

static SCRIPTS: LazyLock<Scripts> = LazyLock::new(|| Scripts {
    expire: with_prelude(include_str!("../../../lua/doctor_expire_registry.lua")),
    prune: with_prelude(include_str!("../../../lua/doctor_prune_registry.lua")),
    srem: with_prelude(include_str!("../../../lua/doctor_srem_missing.lua")),
    release: with_prelude(include_str!("../../../lua/doctor_release_deferred.lua")),
});

/// Repair what the report found and the policy allows. `progress(label, p)` is called after
/// every chunk of a list or registry; `cancel` is checked before each script call.
pub async fn fix(
    inst: &Instance,
    report: &Report,
    progress: impl Fn(&str, Progress) + Send + Sync,
    cancel: &CancellationToken,
) -> Result<FixOutcome> {
    let mut out = FixOutcome::default();
    for f in &report.findings {
        if cancel.is_cancelled() {
            out.interrupted = true;
            break;
        }
        let step = match f.check {
            Check::ExpiredEntry => expire(inst, f, cancel).await?,
            Check::MissingJob | Check::JobWithoutData => {
                // Both checks of one list or registry are repaired by the same walk.
                let done_before = out.steps.iter().any(|s| s.key == f.key && s.queue == f.queue);
                if done_before {
                    continue;
                }
                prune(inst, f, &progress, cancel).await?
            }
            Check::StaleWorker | Check::StaleQueueWorker => srem(inst, f, "key", cancel).await?,
            Check::DanglingDependent | Check::DanglingDependency => srem(inst, f, "job", cancel).await?,
            Check::StuckDeferred => release(inst, f, cancel).await?,
            _ => continue,
        };
        out.interrupted |= cancel.is_cancelled();
        out.steps.push(step);
    }
    for c in &report.checks {
        if let (Policy::LeaveAlone(reason), true) = (c.policy, c.count > 0) {
            out.left_alone.push(LeftAlone { check: c.check, count: c.count, reason });
        }
    }
    Ok(out)
}

fn step(f: &Finding, repaired: u64, what: &'static str) -> FixStep {
    FixStep { check: f.check, queue: f.queue.clone(), key: f.key.clone(), repaired, what, hashes_deleted: 0 }
}

/// Orphan ids of one list (compact, order kept) or registry (pruned in windows).
async fn prune(
    inst: &Instance,
    f: &Finding,
    progress: &(impl Fn(&str, Progress) + Send + Sync),
    cancel: &CancellationToken,
) -> Result<FixStep> {
    let (Some(queue), Some(state)) = (f.queue.as_deref(), f.state) else {
        return Ok(step(f, 0, "nothing to prune"));
    };
    let label = format!("{queue}/{state}");
    if state == State::Queued {
        let o = write::compact(inst, queue, |p| progress(&label, p), cancel).await?;
        return Ok(step(f, o.orphans_removed, "removed from the queue list"));
    }
    let total = size_of(inst, queue, state).await?;
    let key = inst.keys.state_key(state, queue);
    let (limit, composite) = (CHUNK.to_string(), if state == State::Started { "1" } else { "0" });
    let (mut cursor, mut cursor_score) = (String::new(), String::new());
    let (mut removed, mut deleted, mut processed) = (0u64, 0u64, 0u64);
    while !cancel.is_cancelled() {
        let args = [limit.as_str(), cursor.as_str(), cursor_score.as_str(), composite];
        let reply = run(inst, &SCRIPTS.prune, std::slice::from_ref(&key), &args).await?;
        let r = value::array(&reply);
        removed += count(r.first());
        let examined = count(r.get(1));
        (cursor, cursor_score) = (text(r.get(2)), text(r.get(3)));
        deleted += count(r.get(4));
        processed += examined;
        let outcome = BulkOutcome { orphans_removed: removed, ..BulkOutcome::default() };
        progress(&label, Progress { processed, total, outcome });
        if examined < CHUNK as u64 || processed >= total {
            break;
        }
    }
    let mut s = step(f, removed, "removed from the registry");
    s.hashes_deleted = deleted;
    Ok(s)
}

/// Registry entries past expiry, removed in bounded chunks as RQ's cleanup removes them.
async fn expire(inst: &Instance, f: &Finding, cancel: &CancellationToken) -> Result<FixStep> {
    let (Some(key), Some(state)) = (f.key.clone(), f.state) else {
        return Ok(step(f, 0, "nothing to remove"));
    };
    let (limit, started) = (CHUNK.to_string(), if state == State::Started { "1" } else { "0" });
    let (mut removed, mut kept) = (0u64, 0u64);
    while !cancel.is_cancelled() {
        let offset = kept.to_string();
        let args = [limit.as_str(), offset.as_str(), started];
        let reply = run(inst, &SCRIPTS.expire, std::slice::from_ref(&key), &args).await?;
        let r = value::array(&reply);
        removed += count(r.first());
        kept += count(r.get(2));
        if count(r.get(1)) < CHUNK as u64 {
            break;
        }
    }
    Ok(step(f, removed, "removed past expiry, as RQ's cleanup does"))
}

/// Set members naming a worker key (`mode` "key") or a job (`mode` "job") that is gone.
async fn srem(inst: &Instance, f: &Finding, mode: &str, cancel: &CancellationToken) -> Result<FixStep> {
    let mut removed = 0;
    for chunk in f.items.chunks(CHUNK) {
        if cancel.is_cancelled() {
            break;
        }
        let keys: Vec<String> = chunk.iter().map(|(set, _)| set.clone()).collect();
        let mut args: Vec<&str> = vec![mode];
        args.extend(chunk.iter().map(|(_, m)| m.as_str()));
        removed += count(Some(&run(inst, &SCRIPTS.srem, &keys, &args).await?));
    }
    let what = if mode == "key" { "removed from the worker set" } else { "removed from the link sets" };
    Ok(step(f, removed, what))
}

/// Enqueue deferred jobs whose parents all finished.
async fn release(inst: &Instance, f: &Finding, cancel: &CancellationToken) -> Result<FixStep> {
    let mut released = 0;
    for chunk in f.items.chunks(CHUNK) {
        if cancel.is_cancelled() {
            break;
        }
        let ids: Vec<&str> = chunk.iter().map(|(_, id)| id.as_str()).collect();
        let reply = run(inst, &SCRIPTS.release, &[], &ids).await?;
        released += count(value::array(&reply).first());
    }
    Ok(step(f, released, "enqueued"))
}
