//! The store calls the front ends use: the table of every function, and one function's page
//! (totals per queue, buckets for charts, its slowest recent jobs and archived failures).

use serde::Serialize;

use super::layout::Keys;
use super::read::{self, Bucket, Stat};
use crate::store::archive::{self, Record};
use crate::store::history::{Layout, Range};
use crate::store::{Instance, Result, value};

/// Archived records looked through for a function's slowest jobs and failures.
pub const RECENT_SCAN: usize = 5_000;
/// Jobs listed per kind on a function's page.
pub const LISTED: usize = 20;

/// Every queue RQ knows (`SMEMBERS rq:queues`), sorted.
pub async fn queue_names(inst: &Instance) -> Result<Vec<String>> {
    let mut p = redis::pipe();
    p.ignore_errors();
    p.cmd("SMEMBERS").arg(inst.keys.queues());
    let vals: Vec<redis::Value> = inst.query(&p).await?;
    let prefix = format!("{}:queue:", inst.keys.prefix());
    let mut names: Vec<String> = vals
        .first()
        .map(value::strings)
        .unwrap_or_default()
        .into_iter()
        .map(|k| k.strip_prefix(&prefix).map(str::to_owned).unwrap_or(k))
        .collect();
    names.sort();
    Ok(names)
}

/// `GET /api/v1/functions`: every (queue, function) with calls in `range` or the period before,
/// busiest first.
#[derive(Debug, Clone, Serialize)]
pub struct Functions {
    pub range: Range,
    pub functions: Vec<Stat>,
}

pub async fn functions(inst: &Instance, history: &Layout, range: Range, now: i64) -> Result<Functions> {
    let queues = queue_names(inst).await?;
    let mut functions = read::table(inst, &Keys::new(history), &queues, range, now, None).await?;
    functions.sort_by(|a, b| {
        b.calls.cmp(&a.calls).then_with(|| (&a.function, &a.queue).cmp(&(&b.function, &b.queue)))
    });
    Ok(Functions { range, functions })
}

/// `GET /api/v1/functions/{func}`.
#[derive(Debug, Clone, Serialize)]
pub struct Detail {
    pub function: String,
    pub range: Range,
    /// Totals per queue over the range.
    pub queues: Vec<Stat>,
    /// Buckets summed over its queues, oldest first.
    pub buckets: Vec<Bucket>,
    /// Its slowest jobs among the newest archived records.
    pub slowest: Vec<Record>,
    /// Its newest archived failures.
    pub failures: Vec<Record>,
}

pub async fn detail(inst: &Instance, history: &Layout, func: &str, range: Range, now: i64) -> Result<Detail> {
    let keys = Keys::new(history);
    let all = queue_names(inst).await?;
    let queues = read::table(inst, &keys, &all, range, now, Some(func)).await?;
    let names: Vec<String> = queues.iter().map(|s| s.queue.clone()).collect();
    let buckets = read::series(inst, &keys, &names, func, range, now).await?;
    let recent = archive::read::recent(inst, &archive::Keys::new(history), RECENT_SCAN).await?;
    let mine: Vec<Record> = recent.into_iter().filter(|r| r.function.as_deref() == Some(func)).collect();
    let failures =
        mine.iter().filter(|r| r.status.as_deref() == Some("failed")).take(LISTED).cloned().collect();
    let mut slowest: Vec<Record> = mine.into_iter().filter(|r| r.run_s.is_some()).collect();
    slowest.sort_by(|a, b| b.run_s.partial_cmp(&a.run_s).unwrap_or(std::cmp::Ordering::Equal));
    slowest.truncate(LISTED);
    Ok(Detail { function: func.to_owned(), range, queues, buckets, slowest, failures })
}
