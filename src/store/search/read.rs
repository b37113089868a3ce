//! The Redis side of a search: which lists and registries to walk, one bounded chunk of ids at a
//! time, and how tracebacks are read from what [`super::judge`] fetched.

use redis::Value;

use super::cursor::{Pos, score_arg};
use super::query::{Query, QueuePattern};
use crate::rq::State;
use crate::rq::result::ResultEntry;
use crate::store::{Instance, Result, overview, value};

/// One list or registry to walk, with its size when the search (page) started.
#[derive(Debug, Clone)]
pub struct Source {
    pub queue: String,
    pub state: State,
    pub size: u64,
}

/// The sources a query looks at, ordered by queue name then state, with their sizes: two
/// round trips whatever the number of queues.
pub async fn sources(inst: &Instance, q: &Query) -> Result<Vec<Source>> {
    let k = &inst.keys;
    let mut names = overview::registered(inst).await?;
    for pat in &q.queues {
        if let QueuePattern::Exact(n) = pat
            && !names.contains(n)
        {
            names.push(n.clone());
        }
    }
    names.sort();
    if !q.queues.is_empty() {
        names.retain(|n| q.queues.iter().any(|pat| pat.matches(n)));
    }
    let states = q.looks_in();
    let mut out = Vec::with_capacity(names.len() * states.len());
    let mut p = redis::pipe();
    p.ignore_errors();
    for name in &names {
        for s in &states {
            p.cmd(if *s == State::Queued { "LLEN" } else { "ZCARD" }).arg(k.state_key(*s, name));
            out.push(Source { queue: name.clone(), state: *s, size: 0 });
        }
    }
    if out.is_empty() {
        return Ok(out);
    }
    let sizes: Vec<Value> = inst.query(&p).await?;
    for (s, v) in out.iter_mut().zip(&sizes) {
        s.size = u64::try_from(value::int(v)).unwrap_or(0);
    }
    Ok(out)
}

/// Up to `n` members from `pos` on, newest first (a registry by score, a list from its tail),
/// and whether the structure ends there.
///
/// A registry continues right after the last member examined when it is still there with the
/// same score (ZREVRANK), whatever was added or removed elsewhere. When it is gone, the fetch
/// starts up to [`CHUNK`](super::CHUNK) members before the recorded count of equal scores and
/// drops what was already examined, so that as many examined members may disappear between two
/// pages without the walk skipping any of the rest.
pub async fn fetch(
    inst: &Instance,
    src: &Source,
    pos: &Pos,
    n: usize,
) -> Result<(Vec<(String, Option<f64>)>, bool)> {
    let key = inst.keys.state_key(src.state, &src.queue);
    if let Pos::Zset { max, last: Some(last), .. } = pos
        && let Some(rank) = rank_of(inst, &key, last, *max).await?
    {
        let mut p = redis::pipe();
        p.ignore_errors();
        p.cmd("ZREVRANGE").arg(&key).arg(rank + 1).arg(rank + n as u64).arg("WITHSCORES");
        let (v,): (Value,) = inst.query(&p).await?;
        let members = value::scored(&v);
        let ended = members.len() < n;
        return Ok((members, ended));
    }
    let mut p = redis::pipe();
    p.ignore_errors();
    let (asked, back) = match pos {
        Pos::List { offset } => {
            let off = i64::try_from(*offset).unwrap_or(i64::MAX / 2);
            let n = i64::try_from(n).unwrap_or(1);
            p.cmd("LRANGE").arg(&key).arg(-(off + n)).arg(-(off + 1));
            (n.unsigned_abs(), 0)
        }
        Pos::Zset { max, skip, .. } => {
            let back = (*skip).min(super::CHUNK as u64);
            p.cmd("ZREVRANGEBYSCORE").arg(&key).arg(score_arg(*max)).arg("-inf").arg("WITHSCORES");
            p.arg("LIMIT").arg(skip - back).arg(n as u64 + back);
            (n as u64 + back, back)
        }
    };
    let (v,): (Value,) = inst.query(&p).await?;
    let raw: Vec<(String, Option<f64>)> = match pos {
        Pos::List { .. } => value::strings(&v).into_iter().rev().map(|m| (m, None)).collect(),
        Pos::Zset { .. } => value::scored(&v),
    };
    let complete = raw.len() as u64 >= asked;
    let mut members = pos.unseen(raw.clone());
    if members.is_empty() && complete {
        // A full window of members that sort after the last one examined, with its score: more
        // arrived than the window holds. Fall back to counting, which always moves on.
        members = raw.into_iter().skip(usize::try_from(back).unwrap_or(0)).collect();
    }
    members.truncate(n);
    Ok((members, !complete))
}

/// The rank (newest first) of `member` if it is still in the registry with score `max`.
async fn rank_of(inst: &Instance, key: &str, member: &str, max: f64) -> Result<Option<u64>> {
    let mut p = redis::pipe();
    p.ignore_errors();
    p.cmd("ZREVRANK").arg(key).arg(member).cmd("ZSCORE").arg(key).arg(member);
    let v: Vec<Value> = inst.query(&p).await?;
    let rank = v.first().filter(|r| matches!(r, Value::Int(_))).map(value::int);
    let same = v.get(1).and_then(value::float).is_some_and(|s| s.to_bits() == max.to_bits());
    Ok(rank.filter(|_| same).and_then(|r| u64::try_from(r).ok()))
}

/// The traceback of a job: the newest results-stream entry's `exc_string` (RQ ≥ 1.12 with
/// Redis ≥ 5), else the hash's zlib `exc_info` (older RQ, older Redis).
pub fn traceback(stream: Option<&Value>, exc_info: Option<&Value>) -> Option<String> {
    let latest = stream.map(value::stream_entries).and_then(|e| e.into_iter().next());
    latest
        .and_then(|(_, f)| ResultEntry::exc_text(&f))
        .or_else(|| exc_info.and_then(value::bytes).map(|raw| crate::rq::decode::decode_text(&raw, true)))
        .filter(|t| !t.trim().is_empty())
}

/// Results read per job for `history:any`: RQ trims each stream to about 10 (`MAXLEN ~ 10`).
pub const HISTORY: usize = 10;

/// Every failure among a job's results (newest first), for `history:any`: each failure entry's
/// traceback (None for one without, such as "max retries exceeded"), and the hash's `exc_info`
/// when it holds one the stream does not (RQ 1.x without streams, 1.x abandoned-job cleanup).
pub fn failures(stream: Option<&Value>, exc_info: Option<&Value>) -> Vec<Option<String>> {
    let mut out: Vec<Option<String>> = stream
        .map(value::stream_entries)
        .unwrap_or_default()
        .into_iter()
        .filter(|(_, f)| is_failure(f))
        .map(|(_, f)| ResultEntry::exc_text(&f))
        .collect();
    let hash = exc_info
        .and_then(value::bytes)
        .map(|raw| crate::rq::decode::decode_text(&raw, true))
        .filter(|t| !t.trim().is_empty());
    if let Some(h) = hash
        && !out.iter().any(|t| t.as_deref() == Some(h.as_str()))
    {
        out.push(Some(h));
    }
    out
}

/// Whether a results-stream entry records a failure: RQ's types 2 (failed), 3 (stopped) and 5
/// (max retries exceeded).
fn is_failure(fields: &[(String, Vec<u8>)]) -> bool {
    let kind = fields.iter().find(|(k, _)| k == "type").map(|(_, v)| String::from_utf8_lossy(v));
    matches!(kind.as_deref().map(str::trim), Some("2" | "3" | "5"))
}
