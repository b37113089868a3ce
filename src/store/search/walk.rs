//! Walking (queue, state) sources from a cursor until the budget is spent: chunks of members,
//! the id criterion first, then one pipelined judgement per chunk. The same walk finds orphans
//! for an id prefix once the SCAN of job keys is over ([`Walk::Orphans`]).

use std::time::Instant;

use super::cursor::{Cursor, Pos};
use super::{Budget, CHUNK, Page, RawHit, Stop, judge, matcher, mismatch, read};
use crate::rq::State;
use crate::store::{Instance, Result};

/// What a walk keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Walk {
    /// Every member that matches the query.
    Matches,
    /// Only members whose job hash is missing (the SCAN of `keys_total` job keys found the
    /// others); progress counts those keys first.
    Orphans { keys_total: u64 },
}

/// Walk the sources from the cursor until the budget is spent.
pub async fn walk(
    inst: &Instance,
    q: &super::Query,
    cursor: Option<Cursor>,
    budget: Budget,
    what: Walk,
) -> Result<Page> {
    let started = Instant::now();
    let deadline = started + budget.max_time;
    let sources = read::sources(inst, q).await?;
    let keys_total = match what {
        Walk::Matches => 0,
        Walk::Orphans { keys_total } => keys_total,
    };
    let total: u64 = keys_total + sources.iter().map(|s| s.size).sum::<u64>();
    let orphans = what != Walk::Matches;
    let (mut si, mut pos, mut scanned) = match cursor {
        None => (0, sources.first().map(|s| Pos::start(s.state)), keys_total),
        Some(Cursor::Walk { queue, state, pos, scanned }) => {
            let key = |name: &str, st: State| (name.to_owned(), State::ALL.iter().position(|x| *x == st));
            let at = key(&queue, state);
            let i = sources.iter().position(|s| key(&s.queue, s.state) >= at).unwrap_or(sources.len());
            let same = sources.get(i).is_some_and(|s| s.queue == queue && s.state == state);
            (i, sources.get(i).map(|s| if same { pos } else { Pos::start(s.state) }), scanned)
        }
        Some(Cursor::Keys { .. } | Cursor::Archive { .. }) => return Err(mismatch()),
    };
    let mut hits: Vec<RawHit> = Vec::new();
    let mut examined = 0u64;
    let mut stopped_by = None;
    while let (Some(src), Some(p)) = (sources.get(si), pos.as_mut()) {
        stopped_by = if examined >= budget.max_ids {
            Some(Stop::Ids)
        } else if hits.len() >= budget.max_hits {
            Some(Stop::Hits)
        } else if examined > 0 && started.elapsed() >= budget.max_time {
            Some(Stop::Time)
        } else {
            None
        };
        if stopped_by.is_some() {
            break;
        }
        let next = |i: usize| (i + 1, sources.get(i + 1).map(|s| Pos::start(s.state)));
        if src.size == 0 {
            (si, pos) = next(si);
            continue;
        }
        let n = usize::try_from(budget.max_ids - examined).unwrap_or(CHUNK).clamp(1, CHUNK);
        let (members, ended) = read::fetch(inst, src, p, n).await?;
        if members.is_empty() {
            (si, pos) = next(si);
            continue;
        }
        let ids: Vec<String> =
            members.iter().map(|(m, _)| crate::rq::job::member_to_id(src.state, m).0).collect();
        let pre: Vec<usize> = (0..ids.len()).filter(|i| matcher::id_matches(q, &ids[*i])).collect();
        let pre_ids: Vec<String> = pre.iter().map(|i| ids[*i].clone()).collect();
        let judged = judge::judge(inst, q, &pre_ids, orphans, Some(deadline)).await?;
        // Past the deadline the judgement stopped early: members from the first id it did not
        // reach on are left for the next page.
        let limit = pre.get(judged.len()).copied().unwrap_or(members.len());
        let mut ok = vec![false; ids.len()];
        for (i, (m, f)) in pre.iter().zip(&judged) {
            ok[*i] = *m && !(orphans && f.exists);
        }
        let want = budget.max_hits - hits.len();
        let (mut processed, mut taken) = (0, 0);
        for (i, (m, score)) in members.iter().enumerate() {
            if taken >= want || i >= limit {
                break;
            }
            p.step(m, *score);
            processed += 1;
            if ok[i] {
                taken += 1;
                let (queue, state) = (src.queue.clone(), Some(src.state));
                hits.push(RawHit { queue, state, listed: true, member: m.clone(), score: *score });
            }
        }
        if processed == limit && limit < members.len() {
            stopped_by = Some(Stop::Time);
        }
        examined += processed as u64;
        scanned += processed as u64;
        if processed == members.len() && ended {
            (si, pos) = next(si);
        }
    }
    let done = si >= sources.len();
    let stopped_by = if done { None } else { stopped_by };
    let cursor = match (done, sources.get(si), pos) {
        (false, Some(s), Some(p)) => {
            Some(Cursor::Walk { queue: s.queue.clone(), state: s.state, pos: p, scanned })
        }
        _ => None,
    };
    let scanned = if done { scanned.max(total) } else { scanned };
    let mode = if orphans { "keys" } else { "sources" };
    Ok(Page { raw: hits, scanned, total, cursor, done, mode, stopped_by })
}
