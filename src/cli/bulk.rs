//! Whole lists and registries: requeue all, delete all (empty), compact. Each runs chunk by
//! chunk (one atomic script call each) with a progress bar; Ctrl-C stops between chunks.

use std::process::ExitCode;

use super::Ctx;
use super::actions::{status, summary};
use super::output::{clean, count, json, thousands};
use super::prompt::{Bar, cancel_on_ctrl_c};
use crate::rq::State;
use crate::store::jobs::{self, PageQuery};
use crate::store::write::{self, BulkOutcome};

/// How many ids a list or registry holds (404-class error for an unknown queue).
async fn size(ctx: &Ctx, queue: &str, state: State) -> anyhow::Result<i64> {
    let q = PageQuery::new(state, 1, 1, false);
    Ok(jobs::list(ctx.inst()?, queue, q).await?.total)
}

fn report(ctx: &Ctx, verb: &str, out: &BulkOutcome) -> anyhow::Result<ExitCode> {
    ctx.done(out);
    if ctx.json {
        json(out)?;
    } else {
        println!("{}", summary(verb, out));
    }
    Ok(status(out, false))
}

/// Requeue every job of a failed (stopped included) or canceled registry.
pub async fn requeue_all(ctx: &Ctx, queue: &str, state: State) -> anyhow::Result<ExitCode> {
    if !state.requeuable() {
        anyhow::bail!("requeue --all applies to the failed and canceled registries, not {state}");
    }
    let n = size(ctx, queue, state).await?;
    let question =
        format!("Requeue all {} {state} jobs of queue {} on {}?", thousands(n), clean(queue), ctx.target());
    ctx.confirm(&question).await?;
    let bar = Bar::new("requeued");
    let cancel = cancel_on_ctrl_c();
    let label = format!("{}/{state}", clean(queue));
    let out = write::requeue_all(ctx.inst()?, queue, state, |p| bar.update(&label, &p), &cancel).await?;
    bar.finish();
    report(ctx, "requeued", &out)
}

/// Delete every job of a queue list (RQ's `rq empty`) or of one registry.
pub async fn empty(ctx: &Ctx, queue: &str, state: State) -> anyhow::Result<ExitCode> {
    if state == State::Started {
        anyhow::bail!("running jobs cannot be deleted: stop them one by one (rqdash stop ID)");
    }
    let n = size(ctx, queue, state).await?;
    let question = format!(
        "Delete all {} {state} jobs of queue {} on {} (job data included)?",
        thousands(n),
        clean(queue),
        ctx.target()
    );
    ctx.confirm(&question).await?;
    let bar = Bar::new("deleted");
    let cancel = cancel_on_ctrl_c();
    let label = format!("{}/{state}", clean(queue));
    let out = write::empty(ctx.inst()?, queue, state, |p| bar.update(&label, &p), &cancel).await?;
    bar.finish();
    report(ctx, "deleted", &out)
}

/// Remove ids whose job is gone from a queue list, in place.
pub async fn compact(ctx: &Ctx, queue: &str) -> anyhow::Result<ExitCode> {
    let n = size(ctx, queue, State::Queued).await?;
    let question = format!(
        "Compact queue {} ({} ids) on {}: remove the ids whose job is gone?",
        clean(queue),
        thousands(n),
        ctx.target()
    );
    ctx.confirm(&question).await?;
    let bar = Bar::new("");
    let cancel = cancel_on_ctrl_c();
    let label = clean(queue);
    let out = write::compact(ctx.inst()?, queue, |p| bar.update(&label, &p), &cancel).await?;
    bar.finish();
    ctx.done(&out);
    if ctx.json {
        json(&out)?;
    } else {
        let s = if out.orphans_removed == 1 { "" } else { "s" };
        let tail = if out.interrupted { "; interrupted" } else { "" };
        println!("removed {} orphaned id{s} from queue {}{tail}", count(out.orphans_removed), clean(queue));
    }
    Ok(status(&out, false))
}
