//! The in-memory cache of failure groups, per (instance, queue): a fresh snapshot is served for
//! [`TTL`]; after that the next request starts one background computation (later requests join
//! it) and may wait a little for it. Stale snapshots stay available while a new one computes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::watch;

use super::{Progress, Shared, compute};
use crate::store::{Error, Result, Store};

/// How long a snapshot is served before it is recomputed.
pub const TTL: Duration = Duration::from_secs(30);
/// Snapshots unused for this long are dropped (they hold every failed id).
const EVICT: Duration = Duration::from_secs(600);
/// Snapshots kept at once (one per queue visited, plus "all queues").
pub const MAX_ENTRIES: usize = 64;
/// Bytes of snapshots kept at once: 100,000 failed ids are ~6 MB. The snapshot just computed is
/// always kept, however big; older ones make room.
pub const MAX_BYTES: usize = 64 << 20;

/// (masked URL, key prefix, queue): two apps on one Redis share; tests on different ones don't.
type Key = (String, String, Option<String>);

#[derive(Clone)]
enum Run {
    Going(Progress),
    Done(std::result::Result<Shared, Error>),
}

#[derive(Default)]
struct Slot {
    ready: Option<(Shared, Instant)>,
    running: Option<watch::Receiver<Run>>,
}

/// The snapshots of one app (kept in its state, so two apps in one process do not share).
#[derive(Default)]
pub struct Cache(Mutex<HashMap<Key, Slot>>);

/// What the caller gets.
#[derive(Debug, Clone)]
pub enum Status {
    Ready(Shared),
    /// Still computing after the wait; the previous snapshot, if any, is in `stale`.
    Computing {
        progress: Progress,
        stale: Option<Shared>,
    },
}

fn lock(cache: &Cache) -> std::sync::MutexGuard<'_, HashMap<Key, Slot>> {
    cache.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The groups of instance `n` for `queue` (None: all queues): fresh from the cache, or computed
/// in the background, waiting at most `wait` for the result.
pub async fn groups(
    store: &Store,
    cache: &Arc<Cache>,
    n: usize,
    queue: Option<&str>,
    wait: Duration,
) -> Result<Status> {
    let inst = store.instance(n)?;
    // An unknown queue is a 404 now, not a background computation that fails later.
    if queue.is_some() {
        super::scope(inst, queue).await?;
    }
    let key: Key = (inst.url.clone(), inst.keys.prefix().to_owned(), queue.map(str::to_owned));
    let (mut rx, stale) = {
        let mut map = lock(cache);
        map.retain(|_, s| {
            s.running.is_some() || s.ready.as_ref().is_some_and(|(_, at)| at.elapsed() < EVICT)
        });
        let slot = map.entry(key.clone()).or_default();
        if let Some((snap, at)) = &slot.ready
            && at.elapsed() < TTL
        {
            return Ok(Status::Ready(Arc::clone(snap)));
        }
        let stale = slot.ready.as_ref().map(|(s, _)| Arc::clone(s));
        let rx = match &slot.running {
            Some(rx) => rx.clone(),
            None => {
                let (tx, rx) = watch::channel(Run::Going(Progress::default()));
                slot.running = Some(rx.clone());
                spawn(store.clone(), Arc::clone(cache), n, key, tx);
                rx
            }
        };
        (rx, stale)
    };
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let now = rx.borrow().clone();
        match now {
            Run::Done(Ok(s)) => return Ok(Status::Ready(s)),
            Run::Done(Err(e)) => return Err(e),
            Run::Going(progress) => {
                let changed = tokio::time::timeout_at(deadline, rx.changed()).await;
                if !matches!(changed, Ok(Ok(()))) {
                    return Ok(Status::Computing { progress, stale });
                }
            }
        }
    }
}

fn spawn(store: Store, cache: Arc<Cache>, n: usize, key: Key, tx: watch::Sender<Run>) {
    tokio::spawn(async move {
        let result = match store.instance(n) {
            Ok(inst) => compute(inst, key.2.as_deref(), |p| {
                tx.send_replace(Run::Going(p));
            })
            .await
            .map(Arc::new),
            Err(e) => Err(e),
        };
        {
            let mut map = lock(&cache);
            let slot = map.entry(key.clone()).or_default();
            slot.running = None;
            if let Ok(s) = &result {
                slot.ready = Some((Arc::clone(s), Instant::now()));
            }
            trim(&mut map, &key, MAX_ENTRIES, MAX_BYTES);
        }
        tx.send_replace(Run::Done(result));
    });
}

/// Drop the oldest snapshots (never `keep`'s, nor a slot still computing) until at most
/// `max_entries` are kept and they hold at most `max_bytes`.
fn trim<K: Eq + std::hash::Hash + Clone>(
    map: &mut HashMap<K, Slot>,
    keep: &K,
    max_entries: usize,
    max_bytes: usize,
) {
    let mut ready: Vec<(K, Instant, usize)> = map
        .iter()
        .filter_map(|(k, s)| s.ready.as_ref().map(|(snap, at)| (k.clone(), *at, snap.approx_bytes())))
        .collect();
    ready.sort_by_key(|(_, at, _)| *at);
    let (mut count, mut bytes) = (ready.len(), ready.iter().map(|r| r.2).sum::<usize>());
    for (k, _, size) in ready {
        if count <= max_entries && bytes <= max_bytes {
            break;
        }
        if k == *keep {
            continue;
        }
        if let Some(slot) = map.get_mut(&k) {
            slot.ready = None;
            if slot.running.is_none() {
                map.remove(&k);
            }
        }
        count -= 1;
        bytes -= size;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::failure_groups::{Group, Snapshot};

    fn snap(ids: usize) -> Shared {
        let s = String::new;
        let group = Group {
            id: s(),
            exc_type: s(),
            message: s(),
            label: s(),
            count: ids as u64,
            first_seen: None,
            last_seen: None,
            functions: vec![],
            queues: vec![],
            example_id: s(),
            example_exception: s(),
            example_traceback: s(),
            ids: (0..ids).map(|i| format!("{i:032x}")).collect(),
            ended: vec![0.0; ids],
        };
        let computed = jiff::Timestamp::UNIX_EPOCH;
        let (computed_at, queue) = (s(), None);
        Arc::new(Snapshot {
            queue,
            computed_at,
            computed,
            elapsed_ms: 0,
            scanned: 0,
            orphans: 0,
            groups: vec![group],
        })
    }

    #[test]
    fn the_cache_keeps_the_newest_snapshots_within_its_entry_and_byte_budgets() {
        let mut map: HashMap<u32, Slot> = HashMap::new();
        let t0 = Instant::now();
        for k in 0..4u32 {
            let at = t0 + Duration::from_millis(u64::from(k));
            map.insert(k, Slot { ready: Some((snap(1000), at)), running: None });
        }
        let one = snap(1000).approx_bytes();
        assert!(one > 1000 * 56, "ids are counted: {one}");
        trim(&mut map, &3, 10, 2 * one);
        let mut left: Vec<u32> = map.keys().copied().collect();
        left.sort_unstable();
        assert_eq!(left, [2, 3], "the two newest fit the byte budget");
        trim(&mut map, &2, 1, usize::MAX);
        assert_eq!(map.keys().copied().collect::<Vec<_>>(), [2], "the kept one stays, however old");
        // A snapshot bigger than the whole budget is still kept when it is the one just made.
        map.insert(9, Slot { ready: Some((snap(5000), Instant::now())), running: None });
        trim(&mut map, &9, 10, one);
        assert_eq!(map.keys().copied().collect::<Vec<_>>(), [9]);
    }
}
