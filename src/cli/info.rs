//! `rqdash info`: `rq info`'s screen (same lines, bars and colours), without its side effects:
//! RQ's own command runs registry and worker cleanup before printing; this only reads.

use std::process::ExitCode;
use std::time::Duration;

use serde::Serialize;

mod screen;

use super::Ctx;
use crate::config::InfoArgs;
use crate::rq::key_type::WrongType;
use crate::rq::worker::Worker;
use crate::store::overview::{self, Counts, QueueInfo};
use crate::store::workers;
use screen::screen;

/// What `info --json` prints: the overview's queues and the live workers.
#[derive(Debug, Clone, Serialize)]
pub struct Info {
    pub queues: Vec<QueueInfo>,
    /// Sums over the queues shown.
    pub totals: Counts,
    /// Workers whose hash exists (RQ's `Worker.all` skips the others), of the queues shown.
    pub workers: Vec<Worker>,
    pub suspended: bool,
    /// Keys read holding another type than RQ keeps there (read as empty), each once.
    pub corrupt: Vec<WrongType>,
}

/// Read everything once: the overview (one round trip for the counts) and the workers.
pub async fn read(ctx: &Ctx, only: &[String]) -> anyhow::Result<Info> {
    let inst = ctx.inst()?;
    crate::store::discover::scan_into(inst).await;
    let o = overview::overview(inst).await?;
    let w = workers::workers(inst).await?;
    let queues: Vec<QueueInfo> = if only.is_empty() {
        o.queues
    } else {
        // Like `rq info QUEUE`: the named queues in the given order, unknown ones counted as 0.
        only.iter()
            .map(|n| {
                o.queues.iter().find(|q| &q.name == n).cloned().unwrap_or_else(|| QueueInfo {
                    name: n.clone(),
                    counts: Counts::default(),
                    workers: 0,
                    oldest_enqueued_at: None,
                    registered: false,
                    corrupt: Vec::new(),
                })
            })
            .collect()
    };
    let mut totals = Counts::default();
    for q in &queues {
        totals.add(&q.counts);
    }
    let mut corrupt: Vec<WrongType> = Vec::new();
    for x in o.corrupt.iter().chain(queues.iter().flat_map(|q| &q.corrupt)).chain(&w.corrupt) {
        if !corrupt.iter().any(|c| c.key == x.key) {
            corrupt.push(x.clone());
        }
    }
    let workers = w
        .workers
        .into_iter()
        .filter(|w| !w.stale && (only.is_empty() || w.queues.iter().any(|q| only.contains(q))))
        .collect();
    Ok(Info { queues, totals, workers, suspended: o.suspended, corrupt })
}

/// Said on stderr when a one-shot `info` finds nothing: which Redis was read, and why that one,
/// since the usual cause is a URL that was never passed (rq's `rq info` reads `RQ_REDIS_URL`).
fn where_we_looked(ctx: &Ctx) -> String {
    let why = match ctx.url_source {
        Some(src) => format!("the URL came from {src}"),
        None => "no --redis-url (--url, -u), RQDASH_REDIS_URL, RQ_DASHBOARD_REDIS_URL or RQ_REDIS_URL \
                 is set, so rqdash read RQ's default local Redis"
            .to_owned(),
    };
    format!(
        "rqdash: no RQ queues or workers at {} with key prefix {:?}: {why}",
        ctx.target(),
        ctx.key_prefix()
    )
}

/// `rqdash info`: once, or every `--interval` seconds with the screen cleared, until Ctrl-C.
pub async fn info(ctx: &Ctx, a: &InfoArgs) -> anyhow::Result<ExitCode> {
    let every = match a.interval {
        Some(s) if s.is_finite() && s > 0.0 => Some(Duration::from_secs_f64(s.max(0.1))),
        Some(_) => anyhow::bail!("--interval must be a positive number of seconds"),
        None => None,
    };
    loop {
        let info = read(ctx, &a.queues).await?;
        if every.is_some() && !ctx.json {
            print!("\x1b[2J\x1b[H");
        }
        match (ctx.json, every) {
            (true, Some(_)) => println!("{}", serde_json::to_string(&info)?),
            (true, None) => super::output::json(&info)?,
            (false, _) => println!("{}", screen(&info, a, ctx.style)),
        }
        if every.is_none() && info.queues.is_empty() && info.workers.is_empty() {
            eprintln!("{}", where_we_looked(ctx));
        }
        let Some(every) = every else { return Ok(ExitCode::SUCCESS) };
        tokio::select! {
            () = tokio::time::sleep(every) => {}
            _ = tokio::signal::ctrl_c() => return Ok(ExitCode::SUCCESS),
        }
    }
}
