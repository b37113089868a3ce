//! Per-id actions: one job (404/409 errors) or a selection of ids (counts), in chunks.

use redis::Script;
use tokio_util::sync::CancellationToken;

use super::pace::Pacer;
use super::{BulkAction, BulkOutcome, JobChange, Progress, SCRIPTS, Source, run, text};
use crate::rq::State;
use crate::store::{Error, Instance, Result, value};

/// One id's answer from a per-id script (four reply entries each, see `answer()` in the prelude).
#[derive(Debug)]
struct Answer {
    code: String,
    status: String,
    origin: String,
    detail: String,
}

impl BulkAction {
    fn script(self) -> &'static Script {
        let s = &*SCRIPTS;
        match self {
            BulkAction::Requeue => &s.requeue,
            BulkAction::Enqueue => &s.enqueue,
            BulkAction::Delete => &s.delete,
            BulkAction::Cancel => &s.cancel,
        }
    }

    fn verb(self) -> &'static str {
        match self {
            BulkAction::Requeue => "requeued",
            BulkAction::Enqueue => "enqueued now",
            BulkAction::Delete => "deleted",
            BulkAction::Cancel => "canceled",
        }
    }

    /// The statuses the action applies to, for 409 messages (the scripts hold the real check).
    fn applies_to(self) -> &'static str {
        match self {
            BulkAction::Requeue => "failed, stopped or canceled jobs",
            BulkAction::Enqueue => "scheduled or deferred jobs",
            BulkAction::Delete => "jobs that are not running (stop a started job first)",
            BulkAction::Cancel => "queued, deferred or scheduled jobs",
        }
    }
}

/// Run one action script on at most [`super::CHUNK`] ids.
async fn call(
    inst: &Instance,
    action: BulkAction,
    ids: &[String],
    source: Option<&Source>,
    lrem_always: bool,
) -> Result<Vec<Answer>> {
    let (keys, kind) = match source {
        Some(s) => {
            let kind = if s.state == State::Queued { "list" } else { "zset" };
            (vec![inst.keys.state_key(s.state, &s.queue)], kind)
        }
        None => (Vec::new(), ""),
    };
    let mut args: Vec<&str> = Vec::with_capacity(ids.len() + 2);
    args.push(kind);
    args.push(if lrem_always { "1" } else { "0" });
    args.extend(ids.iter().map(String::as_str));
    let reply = run(inst, action.script(), &keys, &args).await?;
    let a = value::array(&reply);
    Ok(a.chunks_exact(4)
        .map(|c| Answer {
            code: text(c.first()),
            status: text(c.get(1)),
            origin: text(c.get(2)),
            detail: text(c.get(3)),
        })
        .collect())
}

async fn single(inst: &Instance, action: BulkAction, id: &str) -> Result<JobChange> {
    let answers = call(inst, action, &[id.to_owned()], None, true).await?;
    let Some(a) = answers.into_iter().next() else {
        return Err(Error::Internal(format!("no answer from the {action:?} script")));
    };
    match a.code.as_str() {
        "done" => Ok(JobChange { id: id.to_owned(), queue: a.origin, from: a.status, to: a.detail }),
        "orphan" => Err(Error::NotFound(format!("no job {id:?} (no hash, or a hash without data)"))),
        _ if a.detail == "state" => {
            let status = if a.status.is_empty() { "without a status" } else { a.status.as_str() };
            Err(Error::Conflict(format!(
                "job {id:?} is {status}; it cannot be {}: this applies to {}",
                action.verb(),
                action.applies_to()
            )))
        }
        _ => {
            let status = if a.status.is_empty() { String::new() } else { format!(" ({})", a.status) };
            Err(Error::Conflict(format!("job {id:?}{status} cannot be {}: {}", action.verb(), a.detail)))
        }
    }
}

/// Requeue a failed, stopped or canceled job at the back of its origin queue (RQ's
/// `Job.requeue()`): 404 when there is no such job, 409 with its status otherwise.
pub async fn requeue(inst: &Instance, id: &str) -> Result<JobChange> {
    single(inst, BulkAction::Requeue, id).await
}

/// Enqueue a scheduled or deferred job now, as RQ's scheduler / `enqueue_dependents` would.
pub async fn enqueue_now(inst: &Instance, id: &str) -> Result<JobChange> {
    single(inst, BulkAction::Enqueue, id).await
}

/// Delete a job that is not running, the way RQ's `Job.delete()` does (and atomically).
pub async fn delete(inst: &Instance, id: &str) -> Result<JobChange> {
    single(inst, BulkAction::Delete, id).await
}

/// Cancel a queued, deferred or scheduled job into `canceled` (RQ's `Job.cancel()`).
pub async fn cancel(inst: &Instance, id: &str) -> Result<JobChange> {
    single(inst, BulkAction::Cancel, id).await
}

/// Apply `action` to a selection of ids, a few milliseconds of Redis time per script call
/// (see [`super::pace`]). `source` is the list or
/// registry they were selected from: orphan ids are removed from it. Checked for cancellation
/// before each chunk; progress is reported after each.
pub async fn bulk(
    inst: &Instance,
    action: BulkAction,
    ids: &[String],
    source: Option<&Source>,
    progress: impl Fn(Progress) + Send,
    cancel: &CancellationToken,
) -> Result<BulkOutcome> {
    let mut out = BulkOutcome::default();
    let mut processed = 0u64;
    let total = ids.len() as u64;
    let mut pace = Pacer::default();
    let mut rest = ids;
    while !rest.is_empty() {
        if cancel.is_cancelled() {
            out.interrupted = true;
            break;
        }
        let (chunk, after) = rest.split_at(pace.take().min(rest.len()));
        rest = after;
        match call(inst, action, chunk, source, false).await {
            Ok(answers) => answers.iter().for_each(|a| tally(&mut out, action, a)),
            // The chunk may or may not have run; running it again would count its ids as
            // skipped. Report it as unconfirmed, wait for Redis and go on with the next one.
            Err(e) if e.is_unavailable() => {
                out.unconfirmed += chunk.len() as u64;
                progress(Progress { processed, total, outcome: out });
                super::wait_for_connection(inst, cancel, e).await?;
                out.resumed += 1;
            }
            Err(e) => return Err(e),
        }
        pace.done(chunk.len());
        processed += chunk.len() as u64;
        progress(Progress { processed, total, outcome: out });
    }
    Ok(out)
}

fn tally(out: &mut BulkOutcome, action: BulkAction, a: &Answer) {
    match a.code.as_str() {
        "done" => match action {
            BulkAction::Requeue => out.requeued += 1,
            BulkAction::Enqueue => out.enqueued += 1,
            BulkAction::Delete => out.deleted += 1,
            BulkAction::Cancel => out.canceled += 1,
        },
        "orphan" if a.detail != "0" => out.orphans_removed += 1,
        "orphan" => out.missing += 1,
        _ => out.skipped += 1,
    }
}
