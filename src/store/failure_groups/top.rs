//! The overview's "top failure groups of the last hour", read from the cached snapshot of all
//! queues (never waiting long for a computation).

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use super::cache::{Cache, Status, groups};
use crate::store::Store;

/// One group as the overview shows it.
#[derive(Debug, Clone, Serialize)]
pub struct TopGroup {
    pub id: String,
    pub label: String,
    /// Failures of the group that ended in the last hour.
    pub last_hour: u64,
    pub count: u64,
    pub last_seen: Option<String>,
    pub functions: Vec<String>,
}

/// The overview's "top failure groups of the last hour".
#[derive(Debug, Clone, Default, Serialize)]
pub struct TopGroups {
    pub groups: Vec<TopGroup>,
    /// A computation is running (the list is from the previous snapshot, or empty).
    pub computing: bool,
    /// When the snapshot shown was computed.
    pub as_of: Option<String>,
    pub error: Option<String>,
}

/// The `limit` groups with the most failures in the last hour, across all queues of instance `n`.
/// Never fails: errors are reported in the value, so the overview still renders. Waits at most
/// 200 ms for a computation; otherwise shows the previous snapshot (marked as computing).
pub async fn top_groups_last_hour(store: &Store, cache: &Arc<Cache>, n: usize, limit: usize) -> TopGroups {
    let (snap, computing) = match groups(store, cache, n, None, Duration::from_millis(200)).await {
        Ok(Status::Ready(s)) => (Some(s), false),
        Ok(Status::Computing { stale, .. }) => (stale, true),
        Err(e) => return TopGroups { error: Some(e.to_string()), ..TopGroups::default() },
    };
    let Some(snap) = snap else { return TopGroups { computing, ..TopGroups::default() } };
    let since = crate::rq::time::now_epoch() - 3600.0;
    let mut top: Vec<TopGroup> = snap
        .groups
        .iter()
        .map(|g| TopGroup {
            id: g.id.clone(),
            label: g.label.clone(),
            last_hour: g.ended.iter().filter(|t| **t >= since).count() as u64,
            count: g.count,
            last_seen: g.last_seen.clone(),
            functions: g.functions.iter().take(3).map(|(f, _)| f.clone()).collect(),
        })
        .filter(|g| g.last_hour > 0)
        .collect();
    top.sort_by(|a, b| b.last_hour.cmp(&a.last_hour).then_with(|| b.last_seen.cmp(&a.last_seen)));
    top.truncate(limit);
    TopGroups { groups: top, computing, as_of: Some(snap.computed_at.clone()), error: None }
}
