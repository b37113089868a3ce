//! Live updates: ONE poller per instance, only while someone watches, fanned out to every tab over SSE.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{RawQuery, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::{Stream, StreamExt};
use serde::Serialize;
use tokio::sync::watch;
use tokio_stream::wrappers::WatchStream;

use super::AppState;
use super::error::Result;
use super::params::Params;
use crate::store::overview::{self, Overview};
use crate::store::{Store, workers};

/// What every open page receives each tick.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Snapshot {
    /// Increases every tick, even when nothing changed (lets pages show "live"); pages send it
    /// back when they refresh, so that the refresh is at least as new (see [`super::refresh`]).
    pub seq: u64,
    pub overview: Option<Overview>,
    pub workers: WorkerCounts,
    /// Set while Redis cannot be read; pages show "disconnected from Redis".
    pub error: Option<String>,
}

/// Workers by state, for the overview cards.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct WorkerCounts {
    pub total: usize,
    pub busy: usize,
    pub idle: usize,
    pub suspended: usize,
    pub stale: usize,
}

/// The fan-out point: one watch channel and one poller per instance.
pub struct Hub {
    store: Store,
    interval: Duration,
    channels: Mutex<HashMap<usize, watch::Sender<Arc<Snapshot>>>>,
    /// The last tick number handed out, across instances and pollers: a restarted poller never
    /// repeats a number, so a page rendered for an old tick is never taken for a newer one.
    /// It starts at the clock's milliseconds, so the numbers of a restarted rqdash are above
    /// those of the one before (a tick a second is far below a thousand): an open tab that
    /// reconnects with the `since` of a page the old process rendered is served at once.
    ticks: AtomicU64,
    shutdown: tokio_util::sync::CancellationToken,
}

impl Hub {
    /// A hub polling every `interval` while watched.
    pub fn new(store: Store, interval: Duration, shutdown: tokio_util::sync::CancellationToken) -> Arc<Self> {
        Arc::new(Self {
            store,
            interval,
            channels: Mutex::new(HashMap::new()),
            ticks: AtomicU64::new((crate::rq::time::now_epoch() * 1000.0).max(0.0) as u64),
            shutdown,
        })
    }

    /// Watch an instance; starts its poller if nobody was watching.
    pub fn subscribe(self: &Arc<Self>, instance: usize) -> watch::Receiver<Arc<Snapshot>> {
        let mut map = self.channels.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(tx) = map.get(&instance) {
            return tx.subscribe();
        }
        let (tx, rx) = watch::channel(Arc::new(Snapshot::default()));
        map.insert(instance, tx.clone());
        let hub = Arc::clone(self);
        tokio::spawn(async move { hub.poll(instance, tx).await });
        rx
    }

    /// The last tick number handed out (for any instance): a snapshot numbered above it starts
    /// reading Redis after this call, so it is never older than a page rendered after it.
    pub fn last_tick(&self) -> u64 {
        self.ticks.load(Ordering::SeqCst)
    }

    /// The tick last sent for `instance`, while someone watches it (0 before its first tick).
    pub fn published(&self, instance: usize) -> Option<u64> {
        let map = self.channels.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        map.get(&instance).map(|tx| tx.borrow().seq)
    }

    async fn poll(self: Arc<Self>, instance: usize, tx: watch::Sender<Arc<Snapshot>>) {
        loop {
            {
                // Stop (and forget the channel) under the lock, so a new subscriber starts a new poller.
                let mut map = self.channels.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                if tx.receiver_count() == 0 || self.shutdown.is_cancelled() {
                    map.remove(&instance);
                    return;
                }
            }
            let seq = self.ticks.fetch_add(1, Ordering::SeqCst) + 1;
            let snap = self.read(instance, seq).await;
            tx.send_replace(Arc::new(snap));
            tokio::select! {
                () = tokio::time::sleep(self.interval) => {}
                () = self.shutdown.cancelled() => {}
            }
        }
    }

    async fn read(&self, instance: usize, seq: u64) -> Snapshot {
        let Ok(inst) = self.store.instance(instance) else {
            return Snapshot { seq, error: Some(format!("no instance {instance}")), ..Default::default() };
        };
        match tokio::try_join!(overview::overview(inst), workers::workers(inst)) {
            Ok((o, w)) => {
                let live: Vec<_> = w.workers.iter().filter(|x| !x.stale).collect();
                let by = |s: &str| live.iter().filter(|x| x.state == s).count();
                let counts = WorkerCounts {
                    total: live.len(),
                    busy: by("busy"),
                    idle: by("idle"),
                    suspended: by("suspended"),
                    stale: w.workers.len() - live.len(),
                };
                Snapshot { seq, overview: Some(o), workers: counts, error: None }
            }
            Err(e) => Snapshot { seq, error: Some(e.to_string()), ..Default::default() },
        }
    }
}

/// Asks nginx (and proxies that honour it) to pass a stream through unbuffered, whatever their
/// configuration: a buffered event stream arrives late or never.
pub const UNBUFFERED: [(&str, &str); 1] = [("x-accel-buffering", "no")];

/// An event stream sent with [`UNBUFFERED`].
pub type Unbuffered<S> = ([(&'static str, &'static str); 1], Sse<S>);

/// `GET /events?instance=N&since=T`: Server-Sent Events with a `snapshot` event per tick, from
/// the first tick numbered above `T`. A page names the last tick handed out before it read Redis:
/// the snapshot already sent when it connects may be older than the page (read before an action
/// ended, say) and would put back counts the page has just shown to be gone.
pub async fn events(
    State(app): State<AppState>,
    RawQuery(q): RawQuery,
) -> Result<Unbuffered<impl Stream<Item = std::result::Result<Event, Infallible>>>> {
    let p = Params::parse(q.as_deref(), &["instance", "since"])?;
    let n = p.instance()?;
    let since = p.int("since", 0, 0, u64::MAX)?;
    app.store.instance(n)?;
    let rx = app.hub.subscribe(n);
    let stream = WatchStream::new(rx)
        .filter(move |s| std::future::ready(s.seq > since))
        .map(|s| Ok(Event::default().event("snapshot").data(serde_json::to_string(&*s).unwrap_or_default())))
        .take_until(app.shutdown.clone().cancelled_owned());
    Ok((UNBUFFERED, Sse::new(stream).keep_alive(KeepAlive::default())))
}
