//! The render gate: at most N requests are answered at once, the rest wait their turn (never an
//! error), so the memory that answers take (decoded jobs, rendered HTML) is N answers' worth
//! whatever the number of clients. Live streams, probes and static assets pass without waiting.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::AppState;

/// The semaphore and what it has seen (for `/metrics`-style questions and for tests).
#[derive(Debug)]
pub struct Gate {
    sem: Arc<Semaphore>,
    limit: usize,
    running: AtomicUsize,
    waiting: AtomicUsize,
    peak: AtomicUsize,
    waited: AtomicUsize,
}

impl Gate {
    /// At most `limit` (at least 1) answers at once.
    pub fn new(limit: usize) -> Arc<Self> {
        let limit = limit.max(1);
        Arc::new(Self {
            sem: Arc::new(Semaphore::new(limit)),
            limit,
            running: AtomicUsize::new(0),
            waiting: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
            waited: AtomicUsize::new(0),
        })
    }

    /// The default: twice the cores (an answer also waits on Redis), between 2 and 16.
    pub fn default_limit() -> usize {
        std::thread::available_parallelism().map_or(2, |n| n.get() * 2).clamp(2, 16)
    }

    /// Wait for a turn; the turn ends when the returned pass is dropped.
    pub async fn enter(self: &Arc<Self>) -> Pass {
        let permit = match Arc::clone(&self.sem).try_acquire_owned() {
            Ok(p) => Some(p),
            Err(_) => {
                self.waiting.fetch_add(1, Ordering::AcqRel);
                self.waited.fetch_add(1, Ordering::AcqRel);
                let _undo = Undo(&self.waiting);
                // The semaphore is never closed, so this only waits (were it closed, the
                // request would go through rather than fail).
                Arc::clone(&self.sem).acquire_owned().await.ok()
            }
        };
        let now = self.running.fetch_add(1, Ordering::AcqRel) + 1;
        self.peak.fetch_max(now, Ordering::AcqRel);
        Pass { _permit: permit, gate: Arc::clone(self) }
    }

    /// The most answers at once.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Answers running now.
    pub fn running(&self) -> usize {
        self.running.load(Ordering::Acquire)
    }

    /// Requests waiting for a turn now.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::Acquire)
    }

    /// The most answers that ever ran at once.
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::Acquire)
    }

    /// Requests that had to wait, since start.
    pub fn waited(&self) -> usize {
        self.waited.load(Ordering::Acquire)
    }
}

/// Decrements a counter when dropped (also when the waiting request is cancelled).
struct Undo<'a>(&'a AtomicUsize);

impl Drop for Undo<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// One turn through the gate.
#[derive(Debug)]
pub struct Pass {
    _permit: Option<OwnedSemaphorePermit>,
    gate: Arc<Gate>,
}

impl Drop for Pass {
    fn drop(&mut self) {
        self.gate.running.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Whether a path (without the URL prefix) waits at the gate: not streams, which stay open as
/// long as their page, nor probes, which must answer while pages are busy, nor static assets.
fn gated(path: &str) -> bool {
    let stream = path == "/events" || (path.starts_with("/api/v1/tasks/") && path.ends_with("/events"));
    !(stream || path == "/healthz" || path == "/readyz" || path.starts_with("/static/"))
}

/// Middleware: hold a pass while the answer is computed. Bodies of pages are rendered whole
/// before the handler returns, so the turn covers the work and the peak memory of an answer.
pub async fn limit(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let path = path.strip_prefix(app.prefix.as_str()).unwrap_or(path);
    if !gated(path) {
        return next.run(req).await;
    }
    let _pass = app.gate.enter().await;
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::gated;

    #[test]
    fn pages_and_apis_wait_but_streams_probes_and_assets_do_not() {
        for p in ["/", "/queues/q", "/jobs/x", "/api/v1/queues", "/metrics", "/api/v1/tasks/1"] {
            assert!(gated(p), "{p}");
        }
        for p in ["/events", "/api/v1/tasks/1/events", "/healthz", "/readyz", "/static/app.js"] {
            assert!(!gated(p), "{p}");
        }
    }
}
