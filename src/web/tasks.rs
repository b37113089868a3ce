//! Background bulk operations: progress pushed over SSE, cancellable, results kept for a while.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::{Path, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::{Stream, StreamExt};
use serde::Serialize;
use tokio::sync::watch;
use tokio_stream::wrappers::WatchStream;
use tokio_util::sync::CancellationToken;

use super::AppState;
use super::error::{Error, Result};
use crate::store::write::{BulkOutcome, Progress};

/// How long a finished task's result stays readable.
const KEEP: Duration = Duration::from_secs(600);

/// What a page sees of a running or finished task.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TaskState {
    pub id: u64,
    /// What it does, e.g. "requeue all failed jobs of default".
    pub label: String,
    pub done: bool,
    pub processed: u64,
    pub total: u64,
    pub outcome: BulkOutcome,
    pub error: Option<String>,
    /// The HTTP status the error maps to (404, 409, 503, ...).
    pub error_status: Option<u16>,
}

struct Task {
    state: watch::Sender<TaskState>,
    cancel: CancellationToken,
    started: Instant,
}

/// All tasks of this process.
#[derive(Default)]
pub struct Tasks {
    next: AtomicU64,
    map: Mutex<HashMap<u64, Arc<Task>>>,
}

/// Handle given to the operation: report progress, check cancellation.
pub struct Reporter {
    task: Arc<Task>,
}

impl Reporter {
    /// Publish progress after a chunk.
    pub fn progress(&self, p: Progress) {
        self.task.state.send_modify(|s| {
            s.processed = p.processed;
            s.total = p.total;
            s.outcome = p.outcome;
        });
    }

    /// The token the operation checks between chunks.
    pub fn cancel(&self) -> &CancellationToken {
        &self.task.cancel
    }
}

impl Tasks {
    /// Register a task and run `op` in the background; returns its id at once.
    pub fn spawn<F, Fut>(self: &Arc<Self>, label: String, op: F) -> u64
    where
        F: FnOnce(Reporter) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = crate::store::Result<BulkOutcome>> + Send + 'static,
    {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let (tx, _) = watch::channel(TaskState { id, label, ..Default::default() });
        let task = Arc::new(Task { state: tx, cancel: CancellationToken::new(), started: Instant::now() });
        {
            let mut map = self.map.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            map.retain(|_, t| !(t.state.borrow().done && t.started.elapsed() > KEEP));
            map.insert(id, Arc::clone(&task));
        }
        let reporter = Reporter { task: Arc::clone(&task) };
        tokio::spawn(async move {
            let result = op(reporter).await;
            task.state.send_modify(|s| {
                s.done = true;
                match result {
                    Ok(o) => s.outcome = o,
                    Err(e) => {
                        s.error = Some(e.to_string());
                        s.error_status = Some(Error::from(e).status().as_u16());
                    }
                }
            });
        });
        id
    }

    /// Follow a task's state.
    pub fn watch(&self, id: u64) -> Result<watch::Receiver<TaskState>> {
        Ok(self.get(id)?.state.subscribe())
    }

    fn get(&self, id: u64) -> Result<Arc<Task>> {
        let map = self.map.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        map.get(&id)
            .cloned()
            .ok_or_else(|| Error::NotFound(format!("no task {id} (finished tasks are kept 10 minutes)")))
    }
}

/// `GET /api/v1/tasks/{id}`.
pub async fn show(State(app): State<AppState>, Path(id): Path<u64>) -> Result<Json<TaskState>> {
    Ok(Json(app.tasks.get(id)?.state.borrow().clone()))
}

/// `POST /api/v1/tasks/{id}/cancel`: stops after the chunk in progress; counts stay exact.
pub async fn cancel(State(app): State<AppState>, Path(id): Path<u64>) -> Result<Json<TaskState>> {
    let t = app.tasks.get(id)?;
    t.cancel.cancel();
    Ok(Json(t.state.borrow().clone()))
}

/// `GET /api/v1/tasks/{id}/events`: one `progress` event per chunk, the last one with `done`.
pub async fn events(
    State(app): State<AppState>,
    Path(id): Path<u64>,
) -> Result<super::live::Unbuffered<impl Stream<Item = std::result::Result<Event, Infallible>>>> {
    let rx = app.tasks.get(id)?.state.subscribe();
    let mut finished = false;
    let stream = WatchStream::new(rx)
        .take_while(move |s| {
            let go = !finished;
            finished = s.done;
            std::future::ready(go)
        })
        .map(|s| Ok(Event::default().event("progress").data(serde_json::to_string(&s).unwrap_or_default())))
        .take_until(app.shutdown.clone().cancelled_owned());
    Ok((super::live::UNBUFFERED, Sse::new(stream).keep_alive(KeepAlive::default())))
}
