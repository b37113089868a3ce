//! Compact a queue: drop orphan ids from the list in place, preserving FIFO order while workers
//! pop and producers push (the design is in `lua/compact.lua`).

use tokio_util::sync::CancellationToken;

use super::{BulkOutcome, CHUNK, Progress, SCRIPTS, count, run, size_of, text};
use crate::rq::State;
use crate::store::{Instance, Result, value};

/// Remove every id whose job hash is missing (or has no `data`) from a queue list, [`CHUNK`]
/// entries per call, without ever moving the list: the order of the remaining ids is exactly
/// what it was, and jobs pushed or popped meanwhile are unaffected. Unlike RQ's
/// `Queue.compact()`, an empty or missing list is not an error.
pub async fn compact(
    inst: &Instance,
    queue: &str,
    progress: impl Fn(Progress) + Send,
    cancel: &CancellationToken,
) -> Result<BulkOutcome> {
    let total = size_of(inst, queue, State::Queued).await?;
    let key = inst.keys.queue(queue);
    let limit = CHUNK.to_string();
    let mut anchor = String::new();
    let mut end = 0u64;
    let mut out = BulkOutcome::default();
    let mut processed = 0u64;
    loop {
        if cancel.is_cancelled() {
            out.interrupted = true;
            break;
        }
        let end_s = end.to_string();
        let args = [limit.as_str(), anchor.as_str(), end_s.as_str()];
        let reply = run(inst, &SCRIPTS.compact, std::slice::from_ref(&key), &args).await?;
        let r = value::array(&reply);
        out.orphans_removed += count(r.first());
        let examined = count(r.get(1));
        anchor = text(r.get(2));
        end = count(r.get(3));
        processed += examined;
        progress(Progress { processed, total, outcome: out });
        // Ids pushed after the start are fresh jobs, not orphans: stop once the length seen at
        // the start has been covered, so a busy producer cannot keep the walk going.
        if examined < CHUNK as u64 || processed >= total {
            break;
        }
    }
    Ok(out)
}
