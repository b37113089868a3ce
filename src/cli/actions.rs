//! Actions on jobs by id: requeue, enqueue, delete, cancel (one id: its change or a clear
//! error; many: chunked, with a progress bar and counts), and stop.

use std::process::ExitCode;

use super::output::{clean, count, json};
use super::prompt::{Bar, cancel_on_ctrl_c};
use super::{Ctx, EXIT_INTERRUPTED};
use crate::store::write::{self, BulkAction, BulkOutcome};

fn verb(a: BulkAction) -> (&'static str, &'static str) {
    match a {
        BulkAction::Requeue => ("Requeue", "requeued"),
        BulkAction::Enqueue => ("Enqueue now", "enqueued"),
        BulkAction::Delete => ("Delete", "deleted"),
        BulkAction::Cancel => ("Cancel", "canceled"),
    }
}

/// "requeued 99,997; removed 3 orphaned ids": the main count always, the others when not 0.
pub fn summary(main: &str, o: &BulkOutcome) -> String {
    let n = o.requeued + o.enqueued + o.deleted + o.canceled;
    let mut parts = vec![format!("{main} {}", count(n))];
    if o.orphans_removed > 0 {
        let s = if o.orphans_removed == 1 { "" } else { "s" };
        parts.push(format!("removed {} orphaned id{s}", count(o.orphans_removed)));
    }
    if o.missing > 0 {
        parts.push(format!("{} not found", count(o.missing)));
    }
    if o.skipped > 0 {
        parts.push(format!("skipped {} (not in a state this applies to)", count(o.skipped)));
    }
    if o.expired_removed > 0 {
        parts.push(format!("removed {} expired entries (RQ's cleanup)", count(o.expired_removed)));
    }
    if o.arrived > 0 {
        parts.push(format!("left {} that arrived after the start", count(o.arrived)));
    }
    if o.unconfirmed > 0 {
        parts.push(format!(
            "connection lost and resumed {} time(s): counts are at least these, up to {} more unconfirmed",
            o.resumed,
            count(o.unconfirmed)
        ));
    }
    if o.interrupted {
        parts.push("interrupted".to_owned());
    }
    parts.join("; ")
}

/// The exit status of a bulk outcome: 130 when interrupted, 1 when `strict` and some ids were
/// not acted on, else 0.
pub fn status(o: &BulkOutcome, strict: bool) -> ExitCode {
    if o.interrupted {
        ExitCode::from(EXIT_INTERRUPTED)
    } else if strict && (o.missing > 0 || o.skipped > 0) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// One action on the given ids. Any id not acted on (not found, wrong state) fails the command.
pub async fn per_id(ctx: &Ctx, action: BulkAction, ids: &[String]) -> anyhow::Result<ExitCode> {
    let inst = ctx.inst()?;
    let (ask, done) = verb(action);
    let what = match ids {
        [one] => format!("job {}", clean(one)),
        _ => format!("{} jobs", count(ids.len() as u64)),
    };
    ctx.confirm(&format!("{ask} {what} on {}?", ctx.target())).await?;
    if let [id] = ids {
        let change = match action {
            BulkAction::Requeue => write::requeue(inst, id).await?,
            BulkAction::Enqueue => write::enqueue_now(inst, id).await?,
            BulkAction::Delete => write::delete(inst, id).await?,
            BulkAction::Cancel => write::cancel(inst, id).await?,
        };
        ctx.done(&change);
        if ctx.json {
            json(&change)?;
        } else {
            let (from, to) = (clean(&change.from), clean(&change.to));
            println!("{done} {} ({from} -> {to}, queue {})", clean(&change.id), clean(&change.queue));
        }
        return Ok(ExitCode::SUCCESS);
    }
    let bar = Bar::new(done);
    let cancel = cancel_on_ctrl_c();
    let out = write::bulk(inst, action, ids, None, |p| bar.update("jobs", &p), &cancel).await?;
    bar.finish();
    ctx.done(&out);
    if ctx.json {
        json(&out)?;
    } else {
        println!("{}", summary(done, &out));
    }
    Ok(status(&out, true))
}

/// Stop a running job; fails when no worker was listening (the command is then lost).
pub async fn stop(ctx: &Ctx, id: &str) -> anyhow::Result<ExitCode> {
    let inst = ctx.inst()?;
    ctx.confirm(&format!("Stop running job {} on {}?", clean(id), ctx.target())).await?;
    let out = write::stop(inst, id).await?;
    ctx.done(&out);
    if ctx.json {
        json(&out)?;
    } else if out.heard() {
        println!(
            "sent stop-job for {} to worker {}: it becomes stopped (in failed)",
            clean(id),
            clean(&out.worker)
        );
    } else {
        eprintln!(
            "rqdash: worker {} is not listening (dead, or on another Redis): the stop was lost",
            clean(&out.worker)
        );
    }
    Ok(if out.heard() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_name_the_main_count_and_what_else_happened() {
        let o = BulkOutcome { requeued: 99_997, orphans_removed: 3, ..BulkOutcome::default() };
        assert_eq!(summary("requeued", &o), "requeued 99,997; removed 3 orphaned ids");
        let o = BulkOutcome { deleted: 1, skipped: 2, missing: 1, ..BulkOutcome::default() };
        assert_eq!(
            summary("deleted", &o),
            "deleted 1; 1 not found; skipped 2 (not in a state this applies to)"
        );
        assert_eq!(summary("requeued", &BulkOutcome::default()), "requeued 0");
    }
}
