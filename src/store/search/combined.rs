//! One page of a search over live jobs and then the job archive (see [`super::archived`]): the
//! live walk first; once it is done, what is left of the same request's budget walks the archive
//! newest first, and the cursor continues there. One request never reads more than its budget.

use std::time::Instant;

use super::archived_walk::{self, Found};
use super::query::IdPattern;
use super::{Budget, Cursor, Hit, Page, Query, SearchPage, Stop, archived, keys, mismatch, page, rows};
use crate::rq::State;
use crate::store::archive::{Keys, Record};
use crate::store::history::Layout;
use crate::store::{Instance, Result};

/// Ids a cursor says were examined before this page.
fn scanned_before(c: Option<&Cursor>) -> u64 {
    match c {
        Some(Cursor::Walk { scanned, .. } | Cursor::Keys { scanned, .. }) => *scanned,
        _ => 0,
    }
}

/// One page of a search, from the start or from `cursor`, with the archive kept under `history`.
pub async fn search_with(
    inst: &Instance,
    q: &Query,
    cursor: Option<&str>,
    budget: Budget,
    history: &Layout,
) -> Result<SearchPage> {
    let started = Instant::now();
    let budget = Budget { max_ids: budget.max_ids.max(1), max_hits: budget.max_hits.max(1), ..budget };
    let cursor = cursor.filter(|c| !c.trim().is_empty()).map(Cursor::decode).transpose()?;
    let keys = Keys::new(history);
    if let (Some(IdPattern::Exact(id)), true) = (&q.id, q.archived.archive()) {
        // One record by id through the day indexes, not a walk of the stream.
        let p = if q.archived.live() { page(inst, q, None, budget).await? } else { id_page() };
        let hits = archived_walk::exact(inst, &keys, q, id).await?.into_iter().collect();
        return finish(inst, p, hits, 0, started).await;
    }
    let in_archive = if q.archived.archive() { archived_walk::len(inst, &keys).await? } else { 0 };
    // Where the archive walk starts: after which entry, with how many live ids examined before.
    let (live, after, live_ids, archive_scanned) = match cursor {
        Some(Cursor::Archive { after, live, scanned }) if q.archived.archive() => {
            (None, after, live, scanned)
        }
        Some(Cursor::Archive { .. }) => return Err(mismatch()),
        c if q.archived.live() => {
            let before = scanned_before(c.as_ref());
            let p = page(inst, q, c, budget).await?;
            // An empty archive leaves the live page as it is (its mode, its numbers).
            if !p.done || !q.archived.archive() || in_archive == 0 {
                return finish(inst, p, Vec::new(), in_archive, started).await;
            }
            let n = p.scanned;
            (Some((p, n.saturating_sub(before))), None, n, 0)
        }
        None => (None, None, 0, 0),
        Some(_) => return Err(mismatch()),
    };
    let (live_hits, examined) = live.as_ref().map_or((0, 0), |(p, e)| (p.raw.len(), *e));
    let rest = Budget {
        max_ids: budget.max_ids.saturating_sub(examined),
        max_time: budget.max_time.saturating_sub(started.elapsed()),
        max_hits: budget.max_hits.saturating_sub(live_hits),
    };
    // The entry to continue after (Some(None): the newest), or None when the archive is done.
    let (hits, examined, next, stopped_by) = if in_archive == 0 {
        (Vec::new(), 0, None, None)
    } else if rest.max_ids == 0 || rest.max_hits == 0 || rest.max_time.is_zero() {
        // The live walk used the budget up: the archive starts on the next page.
        let why = if rest.max_hits == 0 {
            Stop::Hits
        } else if rest.max_ids == 0 {
            Stop::Ids
        } else {
            Stop::Time
        };
        (Vec::new(), 0, Some(after), Some(why))
    } else {
        let f: Found = archived_walk::walk(inst, &keys, q, after.as_deref(), rest).await?;
        (f.hits, f.examined, f.next.map(Some), f.stopped_by)
    };
    let scanned = archive_scanned + examined;
    let cursor = next.map(|after| Cursor::Archive { after, live: live_ids, scanned });
    let done = cursor.is_none();
    let p = Page {
        raw: live.map(|(p, _)| p.raw).unwrap_or_default(),
        scanned: live_ids + if done { scanned.max(in_archive) } else { scanned },
        total: live_ids + in_archive.max(scanned),
        cursor,
        done,
        mode: "archive",
        stopped_by: stopped_by.filter(|_| !done),
    };
    finish(inst, p, hits, 0, started).await
}

/// The page of an exact `id:` when only the archive is searched.
fn id_page() -> Page {
    Page { raw: Vec::new(), scanned: 1, total: 1, cursor: None, done: true, mode: "id", stopped_by: None }
}

/// The answer: a row per live hit, then the archived records, and the archive in the total.
async fn finish(
    inst: &Instance,
    p: Page,
    records: Vec<Record>,
    more_total: u64,
    started: Instant,
) -> Result<SearchPage> {
    let mut hits = rows(inst, p.raw).await?;
    hits.extend(records.into_iter().map(|r| Hit {
        queue: r.queue.clone(),
        state: r.status.as_deref().and_then(State::from_status),
        listed: false,
        archived: true,
        job: archived::row(&r),
    }));
    Ok(SearchPage {
        hits,
        scanned: p.scanned,
        total: p.total + more_total,
        cursor: p.cursor.map(|c| c.encode()),
        done: p.done,
        mode: p.mode,
        elapsed_ms: keys::ms(started),
        stopped_by: p.stopped_by,
    })
}
