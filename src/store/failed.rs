//! Failed jobs across every queue, newest failure first (by `ended_at`, what the page shows).
//!
//! A failed registry's score is the expiry (ended + `failure_ttl`, which differs per job), so the
//! top scores are not the newest failures. Queues are read smallest first, every entry's
//! `ended_at` while a budget of [`EXACT_BUDGET`] entries lasts, which makes the order exact;
//! the queues past the budget give their latest-expiring entries as candidates instead, and the
//! answer names them. A handful of round trips whatever the number of queues.

use serde::Serialize;

use super::{Instance, Result, census, jobs, order, overview, value};
use crate::rq::State;
use crate::rq::job::JobRow;
use crate::rq::registry::Census;

/// Failed entries whose `ended_at` is read per request, over all queues.
pub const EXACT_BUDGET: i64 = 5_000;

/// The newest failures of all queues.
#[derive(Debug, Clone, Serialize)]
pub struct FailedAcross {
    /// Failed jobs RQ counts, all queues.
    pub total: i64,
    /// Failed entries past their expiry, awaiting RQ's cleanup (not in `total`).
    pub expired: i64,
    /// Queues too big for the exact order: their rows are the newest among the entries that
    /// expire last (and those that never expire).
    pub by_expiry: Vec<String>,
    /// (queue, row), newest failure first.
    pub rows: Vec<(String, JobRow)>,
    /// The queues holding failed jobs, by name (the page's queue filter offers them).
    #[serde(skip)]
    pub queues: Vec<String>,
}

/// Which failures `/failed` lists: one queue, and a function or exception containing a text
/// (case-insensitive). Empty fields match everything.
#[derive(Debug, Clone, Default)]
pub struct FailedFilter {
    pub queue: String,
    pub function: String,
    pub exception: String,
}

impl FailedFilter {
    /// Filters that need each job's data (function, exception) to decide.
    fn by_data(&self) -> bool {
        !self.function.is_empty() || !self.exception.is_empty()
    }

    /// A job id without data has no function or exception: it matches only the queue filter.
    fn matches(&self, r: &JobRow) -> bool {
        let has = |field: Option<&str>, needle: &str| {
            needle.is_empty() || field.is_some_and(|f| f.to_lowercase().contains(&needle.to_lowercase()))
        };
        has(r.func_name.as_deref(), &self.function) && has(r.exc_summary.as_deref(), &self.exception)
    }
}

/// The newest `limit` failed jobs of all queues.
pub async fn failed_across(inst: &Instance, limit: usize) -> Result<FailedAcross> {
    failed_filtered(inst, limit, &FailedFilter::default()).await
}

/// The newest `limit` failed jobs matching `f`. The queue filter narrows the queues read; the
/// function and exception filters read the rows of every candidate (at most the exact budget,
/// plus `limit` per queue past it), newest first, and keep the first `limit` that match.
pub async fn failed_filtered(inst: &Instance, limit: usize, f: &FailedFilter) -> Result<FailedAcross> {
    let k = &inst.keys;
    let (names, _) = overview::queue_list(inst).await?;
    let mut out =
        FailedAcross { total: 0, expired: 0, by_expiry: Vec::new(), rows: Vec::new(), queues: Vec::new() };
    if names.is_empty() {
        return Ok(out);
    }
    let now = census::now();
    let mut p = redis::pipe();
    p.ignore_errors();
    for q in &names {
        census::push_census(&mut p, State::Failed, &k.state_key(State::Failed, q), now);
    }
    let vals: Vec<redis::Value> = inst.query(&p).await?;
    let mut queues: Vec<(usize, Census)> =
        vals.chunks(3).enumerate().map(|(i, v)| (i, census::read_census(v, State::Failed))).collect();
    out.queues = queues.iter().filter(|(_, c)| c.live() > 0).map(|(i, _)| names[*i].clone()).collect();
    out.queues.sort();
    queues.retain(|(i, _)| f.queue.is_empty() || names[*i] == f.queue);
    for (_, c) in &queues {
        out.total += c.live();
        out.expired += c.expired;
    }
    queues.retain(|(_, c)| c.live() > 0);
    queues.sort_by_key(|(_, c)| c.live());
    let lim = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut budget = EXACT_BUDGET;
    let mut p = redis::pipe();
    p.ignore_errors();
    let mut owner = Vec::new();
    for (qi, c) in &queues {
        let key = k.state_key(State::Failed, &names[*qi]);
        let ranks = if c.live() <= budget {
            budget -= c.live();
            c.page_ranks(0, c.live() - 1, false, false)
        } else {
            out.by_expiry.push(names[*qi].clone());
            let mut r = c.page_ranks(0, lim - 1, true, false);
            if c.never > 0 {
                r.push((0, c.never.min(lim) - 1));
            }
            r
        };
        for (a, b) in ranks {
            p.cmd("ZRANGE").arg(&key).arg(a).arg(b).arg("WITHSCORES");
            owner.push(*qi);
        }
    }
    let ranges: Vec<redis::Value> = if owner.is_empty() { Vec::new() } else { inst.query(&p).await? };
    // (queue index, member); a queue's ranges may overlap when it is smaller than `limit`.
    let mut seen = std::collections::HashSet::new();
    let mut cands: Vec<(usize, (String, Option<f64>))> = Vec::new();
    for (v, qi) in ranges.iter().zip(&owner) {
        for m in value::scored(v) {
            if seen.insert((*qi, m.0.clone())) {
                cands.push((*qi, m));
            }
        }
    }
    let members: Vec<(String, Option<f64>)> = cands.iter().map(|(_, m)| m.clone()).collect();
    let t = order::times(inst, &members, "ended_at").await?;
    let mut idx: Vec<usize> = (0..cands.len()).collect();
    idx.sort_by(|a, b| t[*b].total_cmp(&t[*a]).then_with(|| cands[*a].1.0.cmp(&cands[*b].1.0)));
    if !f.by_data() {
        idx.truncate(limit);
    }
    let members: Vec<(String, Option<f64>)> = idx.iter().map(|i| cands[*i].1.clone()).collect();
    let rows = jobs::rows(inst, State::Failed, &members).await?;
    out.rows = idx
        .iter()
        .zip(rows)
        .filter(|(_, r)| f.matches(r))
        .take(limit)
        .map(|(i, r)| (names[cands[*i].0].clone(), r))
        .collect();
    Ok(out)
}
