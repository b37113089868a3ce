//! `rqdash info`: `rq info`'s screen (same lines, bars and colours), without its side effects:
//! RQ's own command runs registry and worker cleanup before printing; this only reads.

use std::process::ExitCode;
use std::time::Duration;

use serde::Serialize;

use super::Ctx;
use super::output::{Style, clean, pad};
use crate::config::InfoArgs;
use crate::rq::key_type::WrongType;
use crate::rq::worker::Worker;
use crate::store::overview::{self, Counts, QueueInfo};
use crate::store::workers;

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

/// RQ's `get_scale`: the lowest of its scales at or above `x`.
fn scale(x: i64) -> i64 {
    [20, 50, 100, 200, 400, 600, 800, 1000].into_iter().find(|s| x <= *s).unwrap_or(x)
}

fn terminal_columns() -> i64 {
    std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse().ok()).unwrap_or(80)
}

/// The queue block, line for line as `rq info` (1.14+) prints it.
pub fn queue_lines(info: &Info, raw: bool, style: Style, columns: i64) -> Vec<String> {
    let chart_width = 20.min(columns - 20).max(0);
    let max = info.queues.iter().map(|q| q.counts.queued).max().unwrap_or(0);
    let ratio = chart_width as f64 / scale(max).max(1) as f64;
    let mut out = Vec::new();
    for q in &info.queues {
        let c = &q.counts;
        let tail =
            format!("{}, {} executing, {} finished, {} failed", c.queued, c.started, c.finished, c.failed);
        if raw {
            out.push(format!("queue {} {tail}", clean(&q.name)));
        } else {
            let bar = format!("|{}", "█".repeat((ratio * c.queued as f64) as usize));
            out.push(format!("{} {} {tail}", pad(&clean(&q.name), 12), style.green(&bar)));
        }
    }
    if !raw {
        out.push(format!("{} queues, {} jobs total", info.queues.len(), info.totals.queued));
    }
    out
}

fn worker_name(w: &Worker) -> String {
    let or_q = |v: Option<String>| v.map_or_else(|| "?".to_owned(), |s| clean(&s));
    format!(
        "{} ({} {} {})",
        clean(&w.name),
        or_q(w.hostname.clone()),
        or_q(w.ip_address.clone()),
        or_q(w.pid.map(|p| p.to_string()))
    )
}

/// The worker block, per worker or (`by_queue`) per queue.
pub fn worker_lines(info: &Info, raw: bool, by_queue: bool, style: Style) -> Vec<String> {
    let mut out = Vec::new();
    if by_queue {
        let longest = info.queues.iter().map(|q| clean(&q.name).chars().count()).max().unwrap_or(0);
        for q in &info.queues {
            let mut names: Vec<String> = info
                .workers
                .iter()
                .filter(|w| w.queues.contains(&q.name))
                .map(|w| format!("{} ({})", clean(&w.name), style.worker_state(&w.state)))
                .collect();
            names.sort();
            let list = if names.is_empty() { "–".to_owned() } else { names.join(", ") };
            out.push(format!("{} {list}", pad(&format!("{}:", clean(&q.name)), longest + 1)));
        }
    } else {
        for w in &info.workers {
            let queues = clean(&w.queues.join(", "));
            let jobs = format!("jobs: {} finished, {} failed", w.successful_job_count, w.failed_job_count);
            if raw {
                out.push(format!("worker {} {} {queues}. {jobs}", worker_name(w), clean(&w.state)));
            } else {
                out.push(format!("{}: {} {queues}. {jobs}", worker_name(w), style.worker_state(&w.state)));
            }
        }
    }
    if !raw {
        out.push(format!("{} workers, {} queues", info.workers.len(), info.queues.len()));
    }
    out
}

/// Local time as Python's `datetime.now()` prints it.
fn now_local() -> String {
    crate::rq::time::format_in(jiff::Timestamp::now(), &jiff::tz::TimeZone::system(), ' ', "")
}

fn screen(info: &Info, a: &InfoArgs, style: Style) -> String {
    let mut lines = Vec::new();
    if !a.only_workers {
        lines.extend(queue_lines(info, a.raw, style, terminal_columns()));
    }
    if !a.only_queues && !a.only_workers && !a.raw {
        lines.push(String::new());
    }
    if !a.only_queues {
        lines.extend(worker_lines(info, a.raw, a.by_queue, style));
    }
    if !a.only_queues && !a.only_workers && !a.raw {
        lines.push(String::new());
        let suspended = if info.suspended { style.yellow(" (workers suspended)") } else { String::new() };
        lines.push(format!("Updated: {}{suspended}", now_local()));
    }
    for w in info.corrupt.iter().filter(|_| !a.raw) {
        lines.push(style.yellow(&format!("warning: {} (read as empty)", w.message)));
    }
    lines.join("\n")
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

#[cfg(test)]
mod tests {
    use super::*;

    fn queue(name: &str, queued: i64, started: i64) -> QueueInfo {
        let counts = Counts { queued, started, ..Counts::default() };
        let (oldest_enqueued_at, corrupt) = (None, Vec::new());
        QueueInfo { name: name.to_owned(), counts, workers: 0, oldest_enqueued_at, registered: true, corrupt }
    }

    #[test]
    fn queue_lines_match_rq_info() {
        let queues = vec![queue("low", 0, 1), queue("high", 25, 0), queue("default", 5, 0)];
        let mut totals = Counts::default();
        queues.iter().for_each(|q| totals.add(&q.counts));
        let info = Info { queues, totals, workers: Vec::new(), suspended: false, corrupt: Vec::new() };
        // RQ 2.12's own output for the same counts (rq-data-model.md §6).
        assert_eq!(
            queue_lines(&info, false, Style { color: false }, 80),
            vec![
                "low          | 0, 1 executing, 0 finished, 0 failed",
                "high         |██████████ 25, 0 executing, 0 finished, 0 failed",
                "default      |██ 5, 0 executing, 0 finished, 0 failed",
                "3 queues, 30 jobs total",
            ]
        );
        assert_eq!(
            queue_lines(&info, true, Style { color: false }, 80)[0],
            "queue low 0, 1 executing, 0 finished, 0 failed"
        );
    }

    #[test]
    fn scales_follow_rq() {
        assert_eq!(scale(0), 20);
        assert_eq!(scale(25), 50);
        assert_eq!(scale(5000), 5000);
    }
}
