//! Searches that start from job keys rather than lists: an exact `id:` (one HMGET; where it sits
//! when the hash is missing, see [`super::orphans`]) and an id prefix across every queue and
//! registry (`SCAN … MATCH rq:job:<prefix>* COUNT 1000`, resumable, never KEYS), followed by a
//! walk of the lists and registries for orphans with that prefix.

use std::collections::HashSet;
use std::time::Instant;

use super::cursor::{Cursor, Pos};
use super::matcher::Facts;
use super::query::Query;
use super::{Budget, Page, RawHit, Stop, judge, orphans, read};
use crate::rq::State;
use crate::store::{Instance, Result, value};

/// Keys examined per SCAN call.
pub const SCAN_COUNT: u64 = 1000;

/// A job's registry state from its `status` ([`State::from_status`]).
pub fn state_of(status: Option<&str>) -> Option<State> {
    status.and_then(State::from_status)
}

/// Escape glob metacharacters so the prefix is matched literally.
pub(super) fn glob_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    for c in s.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Whether the job's own queue and state pass `queue:` / `state:` (used when there is no
/// list or registry the id was found in).
fn placed(q: &Query, f: &Facts) -> bool {
    let origin = f.origin.as_deref().unwrap_or("");
    (q.queues.is_empty() || q.queues.iter().any(|p| p.matches(origin)))
        && (q.states.is_empty() || state_of(f.status.as_deref()).is_some_and(|s| q.states.contains(&s)))
}

fn raw(id: String, f: Facts) -> RawHit {
    let state = state_of(f.status.as_deref());
    RawHit { queue: f.origin.unwrap_or_default(), state, listed: false, member: id, score: None }
}

/// `id:<exact>`: the job itself, if it exists and passes the other criteria; else, when nothing
/// else needs the hash, the lists and registries where the orphaned id sits.
pub async fn exact(inst: &Instance, q: &Query, id: &str, budget: Budget) -> Result<Page> {
    let judged = judge::judge(inst, q, &[id.to_owned()], true, None).await?;
    if !q.needs_hash() && judged.iter().all(|(_, f)| !f.exists) {
        return orphans::exact(inst, q, id, budget).await;
    }
    let raw: Vec<RawHit> = judged
        .into_iter()
        .filter(|(ok, f)| *ok && f.exists && placed(q, f))
        .map(|(_, f)| raw(id.to_owned(), f))
        .collect();
    Ok(Page { raw, scanned: 1, total: 1, cursor: None, done: true, mode: "id", stopped_by: None })
}

/// `id:<prefix>*` without `queue:`/`state:`: SCAN the job keys. Whole SCAN batches are judged,
/// so a page may hold a few more hits than asked for; SCAN may return a key twice across pages.
/// When nothing else needs the hash, the SCAN ends with a walk cursor for the orphans (ids in
/// lists and registries whose hash is missing), and the total counts those ids too.
pub async fn prefix(
    inst: &Instance,
    q: &Query,
    prefix: &str,
    resume: Option<(u64, u64)>,
    budget: Budget,
) -> Result<Page> {
    let started = Instant::now();
    let ns = inst.keys.job("");
    let pattern = format!("{}{}*", glob_escape(&ns), glob_escape(prefix));
    let total = dbsize(inst).await?;
    let orphans = !q.needs_hash();
    let listed: u64 = if orphans { read::sources(inst, q).await?.iter().map(|s| s.size).sum() } else { 0 };
    let (mut scan, mut scanned) = resume.unwrap_or((0, 0));
    let mut seen = HashSet::new();
    let mut found: Vec<RawHit> = Vec::new();
    let mut examined = 0u64;
    let mut stopped_by;
    let count = budget.max_ids.clamp(1, SCAN_COUNT);
    loop {
        let mut p = redis::pipe();
        p.cmd("SCAN").arg(scan).arg("MATCH").arg(&pattern).arg("COUNT").arg(count);
        let (reply,): (redis::Value,) = inst.query(&p).await?;
        let parts = value::array(&reply);
        scan = parts.first().map_or(0, |v| u64::try_from(value::int(v)).unwrap_or(0));
        let ids: Vec<String> = parts
            .get(1)
            .map(value::strings)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|key| key.strip_prefix(ns.as_str()).map(str::to_owned))
            // rq:job:<id>:dependents and rq:job::<id>:dependencies share the namespace.
            .filter(|id| {
                !id.ends_with(":dependents") && !id.ends_with(":dependencies") && !id.starts_with(':')
            })
            .filter(|id| seen.insert(id.clone()))
            .collect();
        // A SCAN batch cannot be resumed halfway: it is judged whole (fields are capped).
        for (id, (ok, f)) in ids.iter().zip(judge::judge(inst, q, &ids, true, None).await?) {
            if ok && f.exists && placed(q, &f) {
                found.push(raw(id.clone(), f));
            }
        }
        examined += count;
        scanned = (scanned + count).min(total.max(scanned));
        stopped_by = if examined >= budget.max_ids {
            Some(Stop::Ids)
        } else if found.len() >= budget.max_hits {
            Some(Stop::Hits)
        } else if started.elapsed() >= budget.max_time {
            Some(Stop::Time)
        } else {
            None
        };
        if scan == 0 || stopped_by.is_some() {
            break;
        }
    }
    let scanned = if scan == 0 { total.max(scanned) } else { scanned };
    let cursor = match (scan, orphans) {
        (0, false) => None,
        // The walk resumes at the first source at or after ("", queued): the first one.
        (0, true) => Some(Cursor::Walk {
            queue: String::new(),
            state: State::Queued,
            pos: Pos::List { offset: 0 },
            scanned,
        }),
        _ => Some(Cursor::Keys { scan, scanned }),
    };
    let done = cursor.is_none();
    let stopped_by = if scan == 0 { None } else { stopped_by };
    Ok(Page { raw: found, scanned, total: total + listed, cursor, done, mode: "keys", stopped_by })
}

/// The number of keys, which a SCAN walks.
pub async fn dbsize(inst: &Instance) -> Result<u64> {
    let mut p = redis::pipe();
    p.cmd("DBSIZE");
    let (total,): (u64,) = inst.query(&p).await?;
    Ok(total)
}

/// Milliseconds since `t`.
pub fn ms(t: Instant) -> u64 {
    u64::try_from(t.elapsed().as_millis()).unwrap_or(u64::MAX)
}
