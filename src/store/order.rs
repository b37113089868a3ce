//! Registry entries ordered by the time a reader sees (`ended_at`, `started_at`) rather than by
//! their score, which is an expiry (ended + TTL, where the TTL differs per job) or a heartbeat
//! deadline. Costs one HGET per entry, so callers bound how many entries they pass.

use super::{Instance, Result, value};
use crate::rq::{State, split_started_member, time};

/// Sort `members` by `field` (newest first when `desc`) and keep positions `start..=end`.
/// Entries without a readable time sort by their score (an orphan keeps its place); entries
/// of equal time by member, so pages are stable.
pub async fn by_field(
    inst: &Instance,
    members: Vec<(String, Option<f64>)>,
    field: &str,
    desc: bool,
    start: i64,
    end: i64,
) -> Result<Vec<(String, Option<f64>)>> {
    let t = times(inst, &members, field).await?;
    let mut keyed: Vec<(f64, (String, Option<f64>))> = t.into_iter().zip(members).collect();
    sort(&mut keyed, desc);
    let lo = usize::try_from(start).unwrap_or(usize::MAX);
    let hi = usize::try_from(end.saturating_add(1)).unwrap_or(usize::MAX).min(keyed.len());
    Ok(keyed.into_iter().take(hi).skip(lo).map(|(_, m)| m).collect())
}

/// Each member's sort key, in order: `field` as Unix seconds, else its score, else the
/// lowest value (one pipelined HGET per member).
pub async fn times(inst: &Instance, members: &[(String, Option<f64>)], field: &str) -> Result<Vec<f64>> {
    if members.is_empty() {
        return Ok(Vec::new());
    }
    let mut p = redis::pipe();
    p.ignore_errors();
    for (m, _) in members {
        p.cmd("HGET").arg(inst.keys.job(split_started_member(m).0)).arg(field);
    }
    let v: Vec<redis::Value> = inst.query(&p).await?;
    Ok(members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let t = v
                .get(i)
                .and_then(value::string)
                .and_then(|s| time::parse(&s))
                .map(|t| t.as_millisecond() as f64 / 1000.0);
            t.or(m.1).filter(|x| x.is_finite()).unwrap_or(f64::MIN)
        })
        .collect())
}

/// Oldest first, or newest first when `desc`; ties by member.
fn sort(keyed: &mut [(f64, (String, Option<f64>))], desc: bool) {
    keyed.sort_by(|a, b| {
        let o = a.0.total_cmp(&b.0).then_with(|| a.1.0.cmp(&b.1.0));
        if desc { o.reverse() } else { o }
    });
}

/// What "newest first" follows in `state`, for the page to say.
pub fn label(state: State, order_by: &str) -> &'static str {
    match (state, order_by) {
        (_, "ended_at") => "time ended",
        (_, "started_at") => "time started",
        (State::Finished | State::Failed, _) => "expiry time (ended + TTL)",
        (State::Started, _) => "heartbeat deadline",
        (State::Scheduled, _) => "scheduled time",
        (State::Deferred, _) => "time deferred",
        (State::Canceled, _) => "time canceled",
        _ => "position in the queue",
    }
}
