//! Failed jobs across every queue, newest first: three round trips whatever the number of queues.

use super::{Instance, Result, jobs, overview, value};
use crate::rq::State;
use crate::rq::job::JobRow;

/// The newest `limit` failed jobs of all queues (with the queue each was listed in), and the
/// total number of failed entries.
pub async fn failed_across(inst: &Instance, limit: usize) -> Result<(i64, Vec<(String, JobRow)>)> {
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
    let mut all: Vec<(usize, String, Option<f64>)> = Vec::new();
    for (qi, pair) in vals.chunks(2).enumerate() {
        total += pair.first().map_or(0, value::int);
        all.extend(pair.get(1).map(value::scored).unwrap_or_default().into_iter().map(|(m, s)| (qi, m, s)));
    }
    // The score is the expiry (ended + failure_ttl): a good first cut, refined by ended_at below.
    // failure_ttl=-1 stores a score of -1 ("never expires"): such a job may be the newest of all.
    let key = |s: Option<f64>| s.map_or(f64::MIN, |v| if v < 0.0 { f64::INFINITY } else { v });
    all.sort_by(|a, b| key(b.2).total_cmp(&key(a.2)));
    all.truncate(limit);
    let members: Vec<(String, Option<f64>)> = all.iter().map(|(_, m, s)| (m.clone(), *s)).collect();
    let rows = jobs::rows(inst, State::Failed, &members).await?;
    let mut out: Vec<(String, JobRow)> = all
        .iter()
        .zip(rows)
        .map(|((qi, _, _), r)| (names.get(*qi).cloned().unwrap_or_default(), r))
        .collect();
    out.sort_by(|a, b| b.1.ended_at.cmp(&a.1.ended_at));
    Ok((total, out))
}
