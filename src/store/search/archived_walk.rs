//! Walking the job archive for a search: the stream newest first in chunks
//! (`XREVRANGE <archive> <before> - COUNT n`, never the whole stream) under the same budget as
//! the lists and registries, resumable after the last entry examined. A record is a hit when it
//! passes the query ([`super::archived::matches`]) and its job hash is gone (one pipelined
//! `EXISTS` per chunk for the records that pass): a job RQ still holds is found live, once.

use std::collections::HashSet;
use std::time::Instant;

use redis::Value;

use super::archived::matches;
use super::{Budget, CHUNK, Query, Stop};
use crate::store::archive::{Keys, Record, read::record};
use crate::store::{Instance, Result, value};

/// What one walk of the archive found.
#[derive(Debug, Default)]
pub struct Found {
    pub hits: Vec<Record>,
    /// Entries examined by this walk.
    pub examined: u64,
    /// The last entry examined, to continue after; None when the stream ended.
    pub next: Option<String>,
    pub stopped_by: Option<Stop>,
}

/// The stream id just before `id` (`XREVRANGE`'s `(` exclusive bound needs Redis 6.2).
fn before(id: &str) -> Option<String> {
    let (ms, seq) = id.split_once('-')?;
    let (ms, seq): (u64, u64) = (ms.parse().ok()?, seq.parse().ok()?);
    match (ms, seq) {
        (_, s) if s > 0 => Some(format!("{ms}-{}", s - 1)),
        (0, _) => None,
        (m, _) => Some(format!("{}-{}", m - 1, u64::MAX)),
    }
}

/// The number of records in the archive.
pub async fn len(inst: &Instance, keys: &Keys) -> Result<u64> {
    let mut p = redis::pipe();
    p.ignore_errors();
    p.cmd("XLEN").arg(keys.stream());
    let (v,): (Value,) = inst.query(&p).await?;
    Ok(u64::try_from(value::int(&v)).unwrap_or(0))
}

/// Walk from after entry `after` (None: the newest) until the stream or the budget ends.
pub async fn walk(
    inst: &Instance,
    keys: &Keys,
    q: &Query,
    after: Option<&str>,
    budget: Budget,
) -> Result<Found> {
    let started = Instant::now();
    let mut out = Found { next: after.map(str::to_owned), ..Found::default() };
    let mut seen: HashSet<String> = HashSet::new();
    loop {
        out.stopped_by = if out.examined >= budget.max_ids {
            Some(Stop::Ids)
        } else if out.hits.len() >= budget.max_hits {
            Some(Stop::Hits)
        } else if out.examined > 0 && started.elapsed() >= budget.max_time {
            Some(Stop::Time)
        } else {
            None
        };
        if out.stopped_by.is_some() {
            return Ok(out);
        }
        let end = match out.next.as_deref() {
            None => "+".to_owned(),
            Some(last) => match before(last) {
                Some(b) => b,
                None => return Ok(Found { next: None, ..out }),
            },
        };
        let n = usize::try_from(budget.max_ids - out.examined).unwrap_or(CHUNK).clamp(1, CHUNK);
        let mut p = redis::pipe();
        p.ignore_errors();
        p.cmd("XREVRANGE").arg(keys.stream()).arg(&end).arg("-").arg("COUNT").arg(n);
        let (v,): (Value,) = inst.query(&p).await?;
        let entries = value::stream_entries(&v);
        let ended = entries.len() < n;
        let records: Vec<(String, Option<Record>)> = entries
            .into_iter()
            .map(|(id, f)| {
                let r = record(&id, &f).filter(|r| matches(q, r));
                (id, r)
            })
            .collect();
        let gone = gone(inst, records.iter().filter_map(|(_, r)| r.as_ref())).await?;
        let mut gone = gone.into_iter();
        for (id, r) in records {
            if out.hits.len() >= budget.max_hits {
                return Ok(Found { stopped_by: Some(Stop::Hits), ..out });
            }
            out.examined += 1;
            out.next = Some(id);
            if let Some(r) = r
                && gone.next().unwrap_or(false)
                && seen.insert(r.id.clone())
            {
                out.hits.push(r);
            }
        }
        if ended {
            return Ok(Found { next: None, stopped_by: None, ..out });
        }
    }
}

/// For each record, whether its job hash is gone: one pipelined `EXISTS` each.
async fn gone<'a>(inst: &Instance, records: impl Iterator<Item = &'a Record>) -> Result<Vec<bool>> {
    let mut p = redis::pipe();
    p.ignore_errors();
    let mut n = 0;
    for r in records {
        p.cmd("EXISTS").arg(inst.keys.job(&r.id));
        n += 1;
    }
    if n == 0 {
        return Ok(Vec::new());
    }
    let vals: Vec<Value> = inst.query(&p).await?;
    Ok(vals.iter().map(|v| value::int(v) == 0).collect())
}

/// Whether the record of an exact `id:` is a hit: found by id ([`crate::store::archive::read::find`])
/// and its job hash gone.
pub async fn exact(inst: &Instance, keys: &Keys, q: &Query, id: &str) -> Result<Option<Record>> {
    let now = crate::rq::time::now_epoch() as i64;
    let Some(r) = crate::store::archive::read::find(inst, keys, id, now).await? else { return Ok(None) };
    if !matches(q, &r) {
        return Ok(None);
    }
    Ok(gone(inst, std::iter::once(&r)).await?.first().copied().unwrap_or(false).then_some(r))
}

#[cfg(test)]
mod tests {
    use super::before;

    #[test]
    fn the_entry_before_a_stream_id_is_one_sequence_or_one_millisecond_earlier() {
        assert_eq!(before("1700-3").as_deref(), Some("1700-2"));
        assert_eq!(before("1700-0").as_deref(), Some("1699-18446744073709551615"));
        assert_eq!(before("0-0"), None);
        assert_eq!(before("junk"), None);
    }
}
