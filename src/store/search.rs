//! Find jobs anywhere: a bounded, resumable scan that never blocks Redis.
//!
//! A search walks (queue, state) sources in order (queue name, then state), each newest first in
//! chunks of at most [`CHUNK`] ids (ZREVRANGEBYSCORE / LRANGE by index, never a whole
//! structure), judges a chunk with one pipelined HMGET of only the fields the query needs, and
//! reads tracebacks (`XREVRANGE rq:results:<id> + - COUNT 1`, or the last 10 results with
//! `history:any`) and `data` only for ids that pass every other criterion; `exc:` without
//! `state:` or `history:any` walks only the failed and canceled registries. Each request stops at its [`Budget`] (ids examined, time, hits) and
//! returns an opaque cursor to continue. `id:abc` is one HMGET (and, when the hash is missing,
//! one bounded lookup per list and registry); `id:abc*` alone SCANs the job keys, then walks the
//! lists and registries for orphans. See [`query`] for the syntax.
//!
//! # Layout
//! - [`query`]: the syntax, parsed into a [`Query`]; `syntax`: tokens, quoting, folding form
//!   controls into one query.
//! - [`matcher`]: judging one job from what has been read so far (pure).
//! - [`cursor`]: the opaque continuation.
//! - `read`: sources, chunks and the pipelined reads; `walk`: the walk over them; `keys`: exact
//!   id and id-prefix SCAN; `orphans`: where an exact id without a hash sits.
//! - [`collect`]: every matching id, for "select all matching".
//! - [`archived`]: `archived:` and judging an archived record; `archived_walk`: the archive's
//!   stream in chunks; `combined`: a page over live jobs, then the archive.

pub mod archived;
mod archived_walk;
pub mod collect;
mod combined;
pub mod cursor;
mod judge;
mod keys;
pub mod matcher;
mod orphans;
pub mod query;
pub(crate) mod read;
mod syntax;
mod walk;

use std::time::{Duration, Instant};

use serde::Serialize;

pub use combined::search_with;
pub use cursor::Cursor;
pub use query::Query;

use super::{Error, Instance, Result, jobs};
use crate::rq::State;
use crate::rq::job::JobRow;
use query::IdPattern;
use walk::{Walk, walk};

/// Most ids read per chunk.
pub const CHUNK: usize = 1000;

/// Which part of the [`Budget`] ended a page before the end of the search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stop {
    /// `max_ids` were examined.
    Ids,
    /// The time was up, between chunks or inside one (huge values take long to judge).
    Time,
    /// The page is full of hits.
    Hits,
}

/// How much one request may do before it answers with a cursor.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// Ids examined (list/registry members, or keys walked by SCAN).
    pub max_ids: u64,
    /// Wall time; checked between chunks and between the ids of a chunk, so a request runs
    /// past it by the judgement of one id at most (its fields are capped, see [`matcher`]).
    pub max_time: Duration,
    /// Hits per page.
    pub max_hits: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Self { max_ids: 20_000, max_time: Duration::from_millis(300), max_hits: 50 }
    }
}

/// One matching job and where it was found.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub queue: String,
    /// The list or registry it was found in; for id searches, the state its status names.
    pub state: Option<State>,
    /// True when found in that list/registry (orphans there can be cleaned up by bulk actions).
    pub listed: bool,
    /// An archived record of a job RQ deleted (see [`archived`]), not a live job.
    pub archived: bool,
    pub job: JobRow,
}

/// One page of results.
#[derive(Debug, Clone, Serialize)]
pub struct SearchPage {
    pub hits: Vec<Hit>,
    /// Ids examined so far, this page and the ones before (approximate for SCAN).
    pub scanned: u64,
    /// Ids there are to examine (for SCAN: the number of keys in the database).
    pub total: u64,
    /// Continue with this; None when done.
    pub cursor: Option<String>,
    pub done: bool,
    /// "sources" (lists and registries), "keys" (SCAN for an id prefix), "id", or "archive"
    /// (the page ended in the job archive).
    pub mode: &'static str,
    pub elapsed_ms: u64,
    /// What ended this page early (None when `done`): `ids`, `time` or `hits`.
    pub stopped_by: Option<Stop>,
}

/// A match before its row is read: where it was found and the raw list/registry member.
#[derive(Debug, Clone)]
pub(crate) struct RawHit {
    pub queue: String,
    pub state: Option<State>,
    pub listed: bool,
    pub member: String,
    pub score: Option<f64>,
}

/// A page of raw matches.
#[derive(Debug, Clone)]
pub(crate) struct Page {
    pub raw: Vec<RawHit>,
    pub scanned: u64,
    pub total: u64,
    pub cursor: Option<Cursor>,
    pub done: bool,
    pub mode: &'static str,
    pub stopped_by: Option<Stop>,
}

/// One page of a search, from the start or from `cursor`, with a row per hit; the archive is
/// the one under the default history prefix (see [`search_with`]).
pub async fn search(inst: &Instance, q: &Query, cursor: Option<&str>, budget: Budget) -> Result<SearchPage> {
    search_with(inst, q, cursor, budget, &super::history::Layout::default()).await
}

/// Rows for raw hits, in order: one pipelined read per state among them.
async fn rows(inst: &Instance, raw: Vec<RawHit>) -> Result<Vec<Hit>> {
    let mut states: Vec<Option<State>> = raw.iter().map(|h| h.state).collect();
    states.sort_by_key(|s| s.map(State::as_str));
    states.dedup();
    let mut rows: Vec<Option<JobRow>> = vec![None; raw.len()];
    for st in states {
        let idx: Vec<usize> = (0..raw.len()).filter(|i| raw[*i].state == st).collect();
        let members: Vec<(String, Option<f64>)> =
            idx.iter().map(|i| (raw[*i].member.clone(), raw[*i].score)).collect();
        for (i, row) in idx.into_iter().zip(jobs::rows(inst, st.unwrap_or(State::Queued), &members).await?) {
            rows[i] = Some(row);
        }
    }
    Ok(raw
        .into_iter()
        .zip(rows)
        .filter_map(|(h, row)| {
            Some(Hit { queue: h.queue, state: h.state, listed: h.listed, archived: false, job: row? })
        })
        .collect())
}

/// One page of raw matches.
pub(crate) async fn page(inst: &Instance, q: &Query, cursor: Option<Cursor>, budget: Budget) -> Result<Page> {
    let budget = Budget { max_ids: budget.max_ids.max(1), max_hits: budget.max_hits.max(1), ..budget };
    match (&q.id, &cursor) {
        (Some(IdPattern::Exact(id)), _) => keys::exact(inst, q, id, budget).await,
        (Some(IdPattern::Prefix(p)), c) if q.queues.is_empty() && q.states.is_empty() => {
            let resume = match c {
                None => None,
                Some(Cursor::Keys { scan, scanned }) => Some((*scan, *scanned)),
                Some(Cursor::Walk { .. }) if !q.needs_hash() => {
                    return orphan_walk(inst, q, cursor, budget).await;
                }
                Some(_) => return Err(mismatch()),
            };
            let started = Instant::now();
            let mut first = keys::prefix(inst, q, p, resume, budget).await?;
            // The SCAN ended within the budget: go on with the orphans in the same request.
            let examined = first.scanned.saturating_sub(resume.map_or(0, |r| r.1));
            let rest = Budget {
                max_ids: budget.max_ids.saturating_sub(examined),
                max_time: budget.max_time.saturating_sub(started.elapsed()),
                max_hits: budget.max_hits.saturating_sub(first.raw.len()),
            };
            let walk_next = matches!(first.cursor, Some(Cursor::Walk { .. }));
            if walk_next && rest.max_ids > 0 && rest.max_hits > 0 && !rest.max_time.is_zero() {
                let more = orphan_walk(inst, q, first.cursor.take(), rest).await?;
                first.raw.extend(more.raw);
                Ok(Page { raw: first.raw, ..more })
            } else {
                Ok(first)
            }
        }
        (_, Some(Cursor::Keys { .. })) => Err(mismatch()),
        _ => walk(inst, q, cursor, budget, Walk::Matches).await,
    }
}

/// The orphans of an id prefix, after the SCAN of the job keys.
async fn orphan_walk(inst: &Instance, q: &Query, cursor: Option<Cursor>, budget: Budget) -> Result<Page> {
    let keys_total = keys::dbsize(inst).await?;
    walk(inst, q, cursor, budget, Walk::Orphans { keys_total }).await
}

fn mismatch() -> Error {
    Error::BadRequest("the cursor belongs to another kind of search: start the search again".into())
}
