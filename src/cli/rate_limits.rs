//! `rqdash rate-limits [KEY]`: RQ 3.0's limiter keys with their counts, or the jobs one key holds
//! back, from the same store calls as the rate-limits pages.

use std::process::ExitCode;

use super::Ctx;
use super::output::{ago, clean, json, thousands, ts};
use super::table::Table;
use crate::config::RateLimitsArgs;
use crate::store::jobs::MAX_PER_PAGE;
use crate::store::rate_limits::{self, HeldQuery};

/// Every key (no KEY), or the first `--limit` held jobs of KEY.
pub async fn rate_limits(ctx: &Ctx, a: &RateLimitsArgs) -> anyhow::Result<ExitCode> {
    match &a.key {
        None => keys(ctx).await,
        Some(k) => held(ctx, k, a.limit).await,
    }
}

async fn keys(ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let r = rate_limits::rate_limits(ctx.inst()?).await?;
    if ctx.json {
        json(&r)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut t = Table::new(&["KEY", "CONCURRENCY", "RUNNING", "HELD", "STATE"]).right(&[1, 2, 3]);
    for k in &r.keys {
        let state = if k.concurrency <= 0 {
            ctx.style.yellow("concurrency unset")
        } else if k.full() {
            "full".to_owned()
        } else {
            "slots free".to_owned()
        };
        t.row(vec![clean(&k.key), thousands(k.concurrency), thousands(k.running), thousands(k.held), state]);
    }
    print!("{}", t.render(ctx.style));
    println!("{} keys, {} jobs held, {} running", r.keys.len(), thousands(r.held), thousands(r.running));
    for w in &r.corrupt {
        println!("{}", ctx.style.yellow(&w.message));
    }
    Ok(ExitCode::SUCCESS)
}

async fn held(ctx: &Ctx, key: &str, limit: u64) -> anyhow::Result<ExitCode> {
    let q = HeldQuery { page: 1, per_page: limit.min(MAX_PER_PAGE), desc: false, queue: None };
    let h = rate_limits::held_page(ctx.inst()?, key, q).await?;
    if ctx.json {
        json(&h)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut t = Table::new(&["JOB", "QUEUE", "FUNCTION", "HELD SINCE", "WAITING"]);
    for j in &h.jobs {
        let r = &j.job;
        let func = if r.missing {
            ctx.style.red("job data missing")
        } else {
            r.func_name.as_deref().or(r.call_note.as_deref()).map_or_else(|| "-".to_owned(), clean)
        };
        t.row(vec![
            clean(&r.id),
            r.origin.as_deref().map_or_else(|| "-".to_owned(), clean),
            func,
            ts(r.score_at.as_deref()),
            j.held_seconds.map_or_else(|| "-".to_owned(), ago),
        ]);
    }
    print!("{}", t.render(ctx.style));
    let k = &h.rate_limit;
    println!(
        "{} of {} held by {} (concurrency {}, {} running)",
        h.jobs.len(),
        thousands(h.total),
        clean(&k.key),
        thousands(k.concurrency),
        thousands(k.running)
    );
    Ok(ExitCode::SUCCESS)
}
