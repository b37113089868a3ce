//! Failed jobs across every queue, newest first: three round trips whatever the number of queues.

use super::{Instance, Result, jobs, overview, value};
use crate::rq::State;
use crate::rq::job::JobRow;

/// The newest `limit` failed jobs of all queues, and the total number of failed entries.
pub async fn failed_across(inst: &Instance, limit: usize) -> Result<(i64, Vec<JobRow>)> {
    let k = &inst.keys;
    let mut p = redis::pipe();
    p.cmd("SMEMBERS").arg(k.queues());
    let (members,): (Vec<String>,) = inst.query(&p).await?;
    let names = overview::queue_names(k, &members);
    if names.is_empty() {
        return Ok((0, Vec::new()));
    }
    let mut p = redis::pipe();
    p.ignore_errors();
    for q in &names {
        let key = k.state_key(State::Failed, q);
        p.cmd("ZCARD").arg(&key);
        p.cmd("ZREVRANGE").arg(&key).arg(0).arg(limit.saturating_sub(1)).arg("WITHSCORES");
    }
    let vals: Vec<redis::Value> = inst.query(&p).await?;
    let mut total = 0;
    let mut all: Vec<(String, Option<f64>)> = Vec::new();
    for pair in vals.chunks(2) {
        total += pair.first().map_or(0, value::int);
        all.extend(pair.get(1).map(value::scored).unwrap_or_default());
    }
    // The score is the expiry (ended + failure_ttl): a good first cut, refined by ended_at below.
    all.sort_by(|a, b| b.1.unwrap_or(f64::MIN).total_cmp(&a.1.unwrap_or(f64::MIN)));
    all.truncate(limit);
    let mut rows = jobs::rows(inst, State::Failed, &all).await?;
    rows.sort_by(|a, b| b.ended_at.cmp(&a.ended_at));
    Ok((total, rows))
}
