//! An exact `id:` whose job hash is missing: the id may still sit in a queue list or a registry
//! (an "orphan", shown as "job data missing"), so look for it in every list and registry the
//! query chooses, each lookup bounded: ZSCORE in registries, LPOS with a MAXLEN in queue lists,
//! and a ZSCAN of at most the budget's ids for the started registry's `<id>:<execution>`
//! members (RQ ≥ 2.1). An id prefix finds orphans by walking the sources instead
//! ([`super::walk::Walk::Orphans`]).

use redis::Value;

use super::keys::glob_escape;
use super::{Budget, Page, Query, RawHit, read};
use crate::rq::State;
use crate::rq::job::member_to_id;
use crate::store::{Instance, Result, value};

/// Most list entries one LPOS compares (about 25 ms of Redis time for 1,000,000).
pub const LPOS_MAXLEN: u64 = 1_000_000;

/// Members one ZSCAN call asks for.
const ZSCAN_COUNT: u64 = 1000;

/// Where the orphaned `id` sits. `scanned` counts what was really looked at: every member of a
/// registry (ZSCORE is exact), at most [`LPOS_MAXLEN`] of a list, what ZSCAN walked of started.
pub async fn exact(inst: &Instance, q: &Query, id: &str, budget: Budget) -> Result<Page> {
    let sources: Vec<read::Source> =
        read::sources(inst, q).await?.into_iter().filter(|s| s.size > 0).collect();
    let total: u64 = sources.iter().map(|s| s.size).sum();
    let mut raw = Vec::new();
    let mut scanned = 0;
    if !sources.is_empty() {
        let mut p = redis::pipe();
        p.ignore_errors();
        for s in &sources {
            let key = inst.keys.state_key(s.state, &s.queue);
            if s.state == State::Queued {
                p.cmd("LPOS").arg(key).arg(id).arg("MAXLEN").arg(LPOS_MAXLEN);
            } else {
                p.cmd("ZSCORE").arg(key).arg(id);
            }
        }
        let found: Vec<Value> = inst.query(&p).await?;
        for (s, v) in sources.iter().zip(&found) {
            let hit = |score| RawHit {
                queue: s.queue.clone(),
                state: Some(s.state),
                listed: true,
                member: id.to_owned(),
                score,
            };
            if s.state == State::Queued {
                scanned += s.size.min(LPOS_MAXLEN);
                if matches!(v, Value::Int(_)) {
                    raw.push(hit(None));
                }
            } else {
                scanned += s.size;
                if let Some(score) = value::float(v) {
                    raw.push(hit(Some(score)));
                }
            }
        }
    }
    let mut left = budget.max_ids;
    for s in sources.iter().filter(|s| s.state == State::Started) {
        let (members, walked) = started_members(inst, s, id, left).await?;
        left = left.saturating_sub(walked);
        // ZSCORE above already counted this registry as a whole; take back what ZSCAN missed.
        scanned -= s.size - walked.min(s.size);
        for (member, score) in members {
            raw.push(RawHit { queue: s.queue.clone(), state: Some(s.state), listed: true, member, score });
        }
    }
    Ok(Page { raw, scanned, total, cursor: None, done: true, mode: "id", stopped_by: None })
}

/// The started registry's `<id>:<execution id>` members of `id`, by ZSCAN MATCH over at most
/// `max` members; returns them and how many members were walked (the size when it finished).
async fn started_members(
    inst: &Instance,
    src: &read::Source,
    id: &str,
    max: u64,
) -> Result<(Vec<(String, Option<f64>)>, u64)> {
    let key = inst.keys.state_key(src.state, &src.queue);
    let pattern = format!("{}:*", glob_escape(id));
    let (mut cursor, mut walked, mut out) = (0u64, 0u64, Vec::new());
    loop {
        if walked >= max {
            return Ok((out, walked));
        }
        let mut p = redis::pipe();
        p.ignore_errors();
        p.cmd("ZSCAN").arg(&key).arg(cursor).arg("MATCH").arg(&pattern).arg("COUNT").arg(ZSCAN_COUNT);
        let (reply,): (Value,) = inst.query(&p).await?;
        let parts = value::array(&reply);
        cursor = parts.first().map_or(0, |v| u64::try_from(value::int(v)).unwrap_or(0));
        let found = parts.get(1).map(value::scored).unwrap_or_default();
        // A ZSCAN call walks about COUNT members (all of a small, listpack-encoded registry).
        walked += ZSCAN_COUNT;
        out.extend(found.into_iter().filter(|(m, _)| member_to_id(State::Started, m).0 == id));
        if cursor == 0 {
            return Ok((out, src.size));
        }
    }
}
