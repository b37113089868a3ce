//! `rqdash suspend` / `rqdash resume`: RQ's own suspension flag, for every worker of the instance.

use std::process::ExitCode;

use super::Ctx;
use super::output::{ago, json};
use crate::store::control;

/// Suspend all workers, for `duration` seconds or until resumed.
pub async fn suspend(ctx: &Ctx, duration: Option<u64>) -> anyhow::Result<ExitCode> {
    let inst = ctx.inst()?;
    let how_long = duration.map_or_else(|| "until resumed".to_owned(), |s| format!("for {}", ago(s as f64)));
    ctx.confirm(&format!("Suspend every worker on {} {how_long}?", ctx.target())).await?;
    let s = control::suspend(inst, duration).await?;
    ctx.done(&s);
    if ctx.json {
        json(&s)?;
    } else {
        println!(
            "workers suspended {how_long}: running jobs finish, no new job starts (a worker already \
             waiting for a job may take one more)"
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Lift the suspension.
pub async fn resume(ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let inst = ctx.inst()?;
    ctx.confirm(&format!("Resume the workers on {}?", ctx.target())).await?;
    let was = control::resume(inst).await?;
    ctx.done(&serde_json::json!({ "was_suspended": was }));
    if ctx.json {
        json(&serde_json::json!({ "resumed": was }))?;
    } else if was {
        println!("workers resumed");
    } else {
        println!("workers were not suspended; nothing to do");
    }
    Ok(ExitCode::SUCCESS)
}
