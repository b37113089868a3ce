//! The selections kept for "select all matching": each one's progress and ids, bounded in age,
//! number and bytes (the oldest make room, and a dropped one still collecting is stopped).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::store::search::collect::Collected;
use crate::web::AppState;
use crate::web::error::{Error, Result};

/// How long a selection is kept after it was made.
pub(super) const KEEP: Duration = Duration::from_secs(600);
/// Selections kept at once (each may hold up to 500,000 ids).
pub(super) const MAX_KEPT: usize = 16;
/// Bytes of ids kept over all selections (500,000 ids are ~28 MB); the newest always stays.
pub(super) const MAX_BYTES: usize = 64 << 20;

/// What the page polls.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SelectionState {
    pub id: String,
    pub q: String,
    pub done: bool,
    pub scanned: u64,
    pub total: u64,
    /// Matching ids found so far; the exact count once `done`.
    pub count: u64,
    /// Once `done`: how many of them per state (`{"failed": 480, "queued": 20}`), by the list or
    /// registry each was found in (for `id:` searches, by its status).
    pub by_state: BTreeMap<&'static str, u64>,
    /// More than the maximum matched: only the first ones are selected.
    pub truncated: bool,
    pub interrupted: bool,
    pub error: Option<String>,
}

pub(super) struct Selection {
    pub(super) instance: usize,
    pub(super) url: String,
    pub(super) state: Mutex<SelectionState>,
    pub(super) ids: Mutex<Option<Collected>>,
    pub(super) cancel: CancellationToken,
    pub(super) made: Instant,
}

/// The selections of one app, by id (kept in its state; see [`KEEP`] and [`MAX_KEPT`]).
#[derive(Default)]
pub struct Selections(pub(super) Mutex<HashMap<String, Arc<Selection>>>);

pub(super) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Selection {
    /// Roughly the heap bytes of its ids.
    fn bytes(&self) -> usize {
        let ids = lock(&self.ids);
        let groups = ids.as_ref().map_or(&[][..], |c| &c.groups[..]);
        groups.iter().flat_map(|g| &g.ids).map(|i| i.len() + size_of::<String>()).sum()
    }
}

/// Drop expired selections, then the oldest (never `keep`) until at most `max_entries` are kept
/// holding at most `max_bytes` of ids; a dropped one still collecting is stopped.
pub(super) fn trim(
    map: &mut HashMap<String, Arc<Selection>>,
    keep: Option<&str>,
    max_entries: usize,
    max_bytes: usize,
) {
    map.retain(|_, s| s.made.elapsed() < KEEP);
    let mut by_age: Vec<(String, Instant, usize)> =
        map.iter().map(|(k, s)| (k.clone(), s.made, s.bytes())).collect();
    by_age.sort_by_key(|(_, made, _)| *made);
    let (mut count, mut bytes) = (by_age.len(), by_age.iter().map(|x| x.2).sum::<usize>());
    for (k, _, size) in by_age {
        if count <= max_entries && bytes <= max_bytes {
            break;
        }
        if keep == Some(k.as_str()) {
            continue;
        }
        if let Some(s) = map.remove(&k) {
            s.cancel.cancel();
        }
        count -= 1;
        bytes -= size;
    }
}

pub(super) fn get(app: &AppState, id: &str, n: usize) -> Result<Arc<Selection>> {
    let found = lock(&app.selections.0).get(id).cloned();
    let url = app.store.instance(n)?.url.clone();
    match found {
        Some(s) if s.instance == n && s.url == url => Ok(s),
        _ => Err(Error::NotFound(format!("no selection {id:?} (selections are kept 10 minutes)"))),
    }
}
