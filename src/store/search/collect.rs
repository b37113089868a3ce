//! Every id a query matches, for "select all matching": the same bounded pages as a search,
//! one after the other (no rows read), deduplicated, grouped by where each id was found so a
//! bulk action can clean orphans from the right list or registry, and counted per state so the
//! confirmation can say what the action will touch.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;

use serde::Serialize;
use tokio_util::sync::CancellationToken;

use super::{Budget, Cursor, Query, page};
use crate::rq::State;
use crate::store::{Instance, Result};

/// Most ids one selection holds; a larger match asks the user to narrow the search.
pub const MAX_SELECTION: usize = 500_000;

/// Progress of a collection, after every page.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct CollectProgress {
    pub scanned: u64,
    pub total: u64,
    pub found: u64,
}

/// The ids of one list or registry (None: found by id, not in a particular structure).
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    pub source: Option<(String, State)>,
    pub ids: Vec<String>,
}

/// What a collection found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Collected {
    pub groups: Vec<Group>,
    pub count: u64,
    /// How many of them per state: the list or registry each was found in, or for `id:`
    /// searches the state its status names ("unknown" for a status without one).
    pub by_state: BTreeMap<&'static str, u64>,
    /// Stopped at [`MAX_SELECTION`]: more jobs match.
    pub truncated: bool,
    /// Stopped by the caller before the end.
    pub interrupted: bool,
    pub scanned: u64,
    pub total: u64,
}

/// Collect every matching id; `progress` after each page, `cancel` checked between pages.
pub async fn collect(
    inst: &Instance,
    q: &Query,
    progress: impl Fn(CollectProgress) + Send,
    cancel: &CancellationToken,
) -> Result<Collected> {
    let budget = Budget { max_ids: 50_000, max_time: Duration::from_secs(1), max_hits: 50_000 };
    let mut cursor: Option<Cursor> = None;
    let mut seen: HashSet<String> = HashSet::new();
    let mut order: Vec<Option<(String, State)>> = Vec::new();
    let mut by_source: HashMap<Option<(String, State)>, Vec<String>> = HashMap::new();
    let mut out = Collected::default();
    if !q.archived.live() {
        // Archived records are of deleted jobs: there is nothing to act on.
        return Ok(out);
    }
    loop {
        if cancel.is_cancelled() {
            out.interrupted = true;
            break;
        }
        let p = page(inst, q, cursor.take(), budget).await?;
        for h in p.raw {
            let id = crate::rq::job::member_to_id(h.state.unwrap_or(State::Queued), &h.member).0;
            if seen.len() >= MAX_SELECTION {
                out.truncated = true;
                break;
            }
            if !seen.insert(id.clone()) {
                continue;
            }
            *out.by_state.entry(h.state.map_or("unknown", State::as_str)).or_default() += 1;
            let source = match (h.listed, h.state) {
                (true, Some(s)) => Some((h.queue, s)),
                _ => None,
            };
            by_source
                .entry(source.clone())
                .or_insert_with(|| {
                    order.push(source);
                    Vec::new()
                })
                .push(id);
        }
        (out.scanned, out.total) = (p.scanned, p.total);
        progress(CollectProgress { scanned: p.scanned, total: p.total, found: seen.len() as u64 });
        if p.done || out.truncated {
            break;
        }
        cursor = p.cursor;
    }
    out.count = seen.len() as u64;
    out.groups = order
        .into_iter()
        .map(|source| {
            let ids = by_source.remove(&source).unwrap_or_default();
            Group { source, ids }
        })
        .collect();
    Ok(out)
}
