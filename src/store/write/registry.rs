//! Whole-structure operations: requeue all of a registry, empty a queue or a registry. Each chunk
//! is one script call that takes its ids from the structure itself (nothing travels over the
//! wire), so a crash or a cancellation between chunks leaves everything consistent.

use tokio_util::sync::CancellationToken;

use super::pace::Pacer;
use super::{BulkOutcome, Progress, SCRIPTS, count, run, size_of, text};
use crate::rq::{State, time};
use crate::store::{Error, Instance, Result, value};

/// Walk a registry chunk by chunk with `script` (requeue_all.lua / empty_registry.lua: same
/// reply shape); `done` says which counter the first reply entry feeds.
///
/// The walk acts only on the entries that were there when it started: it stops at the highest
/// score it saw then, and each chunk leaves in place (as `arrived`) the jobs that ended or were
/// enqueued after the start: a requeued job that fails again while the walk runs is re-added
/// to the registry, and must not be requeued a second time by the same click.
///
/// A chunk whose reply is lost with the connection is counted as `unconfirmed`; the walk waits
/// for the connection and resumes, which is safe because every chunk re-checks inside Redis.
async fn walk_registry(
    inst: &Instance,
    queue: &str,
    state: State,
    script: &redis::Script,
    done: fn(&mut BulkOutcome, u64),
    progress: impl Fn(Progress) + Send,
    cancel: &CancellationToken,
) -> Result<BulkOutcome> {
    let total = size_of(inst, queue, state).await?;
    let key = inst.keys.state_key(state, queue);
    let mut out = BulkOutcome::default();
    let Some(max_score) = highest_score(inst, &key).await? else { return Ok(out) };
    let started = time::format(jiff::Timestamp::now());
    let (mut cursor, mut cursor_score) = (String::new(), String::new());
    let mut processed = 0u64;
    let mut pace = Pacer::default();
    loop {
        if cancel.is_cancelled() {
            out.interrupted = true;
            break;
        }
        let size = pace.take();
        let limit = size.to_string();
        let args = [
            limit.as_str(),
            cursor.as_str(),
            cursor_score.as_str(),
            state.as_str(),
            max_score.as_str(),
            &started,
        ];
        let reply = match run(inst, script, std::slice::from_ref(&key), &args).await {
            Ok(r) => r,
            Err(e) if e.is_unavailable() => {
                out.unconfirmed += size as u64;
                progress(Progress { processed, total, outcome: out });
                super::wait_for_connection(inst, cancel, e).await?;
                out.resumed += 1;
                tracing::warn!(queue, %state, "connection lost during a bulk action; resumed");
                continue;
            }
            Err(e) => return Err(e),
        };
        let r = value::array(&reply);
        done(&mut out, count(r.first()));
        out.orphans_removed += count(r.get(1));
        out.skipped += count(r.get(2));
        let examined = count(r.get(3));
        pace.done(usize::try_from(examined).unwrap_or(size));
        (cursor, cursor_score) = (text(r.get(4)), text(r.get(5)));
        out.expired_removed += count(r.get(6));
        out.arrived += count(r.get(7));
        processed += examined;
        progress(Progress { processed, total, outcome: out });
        // A short window means the walk reached the end, or the highest score it began with.
        if examined < size as u64 {
            break;
        }
    }
    Ok(out)
}

/// The highest score in a registry (as Lua reads it back), or None when it is empty.
async fn highest_score(inst: &Instance, key: &str) -> Result<Option<String>> {
    let mut p = redis::pipe();
    p.ignore_errors();
    p.cmd("ZRANGE").arg(key).arg(-1).arg(-1).arg("WITHSCORES");
    let (v,): (redis::Value,) = inst.query(&p).await?;
    Ok(value::scored(&v).first().map(|(_, s)| match s {
        Some(x) if x.is_finite() => format!("{x}"),
        Some(x) if *x < 0.0 => "-inf".to_owned(),
        _ => "inf".to_owned(),
    }))
}

/// Requeue every job of a queue's `failed` (stopped jobs included) or `canceled` registry,
/// a few milliseconds of Redis time per call (see [`super::pace`]), like `rq requeue --all` but never stopped by an orphan id: orphans are
/// removed and counted; jobs whose status no longer fits are left in place and counted as
/// skipped. Each job goes to the back of its origin queue.
pub async fn requeue_all(
    inst: &Instance,
    queue: &str,
    state: State,
    progress: impl Fn(Progress) + Send,
    cancel: &CancellationToken,
) -> Result<BulkOutcome> {
    if !state.requeuable() {
        return Err(Error::BadRequest(format!(
            "requeue all applies to the failed and canceled registries, not {state}"
        )));
    }
    let done: fn(&mut BulkOutcome, u64) = |o, n| o.requeued += n;
    walk_registry(inst, queue, state, &SCRIPTS.requeue_all, done, progress, cancel).await
}

/// Empty a queue list (RQ's `Queue.empty()`) or delete every job of a registry, deleting the
/// job hashes too, the way `Job.delete()` does. `started` is refused: running jobs are stopped,
/// not deleted. RQ 3.0's transient `ready` registry is left to RQ.
pub async fn empty(
    inst: &Instance,
    queue: &str,
    state: State,
    progress: impl Fn(Progress) + Send,
    cancel: &CancellationToken,
) -> Result<BulkOutcome> {
    match state {
        State::Queued => empty_queue(inst, queue, progress, cancel).await,
        State::Started => Err(Error::BadRequest(
            "the started registry cannot be emptied: its jobs are running; stop them one by one \
             (POST /api/v1/jobs/{id}/stop) and they move to failed"
                .to_owned(),
        )),
        State::Ready => Err(Error::BadRequest(
            "the ready registry is RQ 3.0's hand-over area; RQ's maintenance enqueues what is in it"
                .to_owned(),
        )),
        _ => {
            let done: fn(&mut BulkOutcome, u64) = |o, n| o.deleted += n;
            walk_registry(inst, queue, state, &SCRIPTS.empty_registry, done, progress, cancel).await
        }
    }
}

async fn empty_queue(
    inst: &Instance,
    queue: &str,
    progress: impl Fn(Progress) + Send,
    cancel: &CancellationToken,
) -> Result<BulkOutcome> {
    let total = size_of(inst, queue, State::Queued).await?;
    let key = inst.keys.queue(queue);
    let mut out = BulkOutcome::default();
    let mut processed = 0u64;
    let mut pace = Pacer::default();
    while processed < total {
        if cancel.is_cancelled() {
            out.interrupted = true;
            break;
        }
        // Never pop more than were there at the start: jobs pushed after the click survive.
        let n = (total - processed).min(pace.take() as u64);
        let arg = n.to_string();
        let reply = match run(inst, &SCRIPTS.empty_queue, std::slice::from_ref(&key), &[arg.as_str()]).await {
            Ok(r) => r,
            Err(e) if e.is_unavailable() => {
                // The chunk may have run: its ids are gone from the head or still there, and
                // the next chunk pops from the head again either way.
                out.unconfirmed += n;
                progress(Progress { processed, total, outcome: out });
                super::wait_for_connection(inst, cancel, e).await?;
                out.resumed += 1;
                processed += n;
                continue;
            }
            Err(e) => return Err(e),
        };
        let r = value::array(&reply);
        out.deleted += count(r.first());
        out.orphans_removed += count(r.get(1));
        out.skipped += count(r.get(2));
        let examined = count(r.get(3));
        pace.done(usize::try_from(examined).unwrap_or(0));
        processed += examined;
        progress(Progress { processed, total, outcome: out });
        if examined == 0 {
            break;
        }
    }
    Ok(out)
}
