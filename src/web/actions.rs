//! Mutation endpoints (POST only, behind the security guard): one job, selected ids, or all.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use tokio_util::sync::CancellationToken;

use super::AppState;
use super::error::{Error, Result};
use super::params::{Name, Params};
use super::tasks::Reporter;
use crate::rq::State as RqState;
use crate::store::Store;
use crate::store::write::{self, BulkAction, BulkOutcome, Source};

/// `POST /api/v1/jobs/{id}/{action}`: requeue, delete, cancel, enqueue, stop.
pub async fn job_action(
    State(app): State<AppState>,
    Path((Name(id), action)): Path<(Name, String)>,
    RawQuery(q): RawQuery,
) -> Result<Response> {
    let p = Params::parse(q.as_deref(), &["instance"])?;
    let inst = app.store.instance(p.instance()?)?;
    let change = match action.as_str() {
        "requeue" => write::requeue(inst, &id).await?,
        "delete" => write::delete(inst, &id).await?,
        "cancel" => write::cancel(inst, &id).await?,
        "enqueue" => write::enqueue_now(inst, &id).await?,
        "stop" => {
            let s = write::stop(inst, &id).await?;
            let message = if s.heard() {
                format!("asked worker {} to stop job {id}", s.worker)
            } else {
                format!("no worker is listening on rq:pubsub:{}: the stop command was lost", s.worker)
            };
            return Ok(Json(json!({ "stop": s, "heard": s.heard(), "message": message })).into_response());
        }
        other => {
            return Err(Error::NotFound(format!(
                "unknown action {other:?} (requeue, delete, cancel, enqueue, stop)"
            )));
        }
    };
    Ok(Json(change).into_response())
}

/// Body of `POST /api/v1/jobs/bulk`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BulkBody {
    pub action: BulkAction,
    pub ids: Vec<String>,
    /// The queue and state the ids were selected from: orphan ids are removed from it.
    pub queue: Option<String>,
    pub state: Option<RqState>,
}

/// Ids accepted in one bulk request (the store works through them 1,000 at a time).
const MAX_IDS: usize = 100_000;

/// `POST /api/v1/jobs/bulk` with `{"action":"requeue|delete|cancel|enqueue","ids":[...]}`.
pub async fn bulk(
    State(app): State<AppState>,
    RawQuery(q): RawQuery,
    body: axum::body::Bytes,
) -> Result<Response> {
    let p = Params::parse(q.as_deref(), &["instance", "background"])?;
    let n = p.instance()?;
    app.store.instance(n)?;
    let b: BulkBody =
        serde_json::from_slice(&body).map_err(|e| Error::BadRequest(format!("bad JSON body: {e}")))?;
    if b.ids.is_empty() || b.ids.len() > MAX_IDS {
        return Err(Error::BadRequest(format!("ids must hold 1 to {MAX_IDS} job ids, got {}", b.ids.len())));
    }
    let source = match (b.queue, b.state) {
        (Some(queue), Some(state)) => Some(Source { queue, state }),
        (None, None) => None,
        _ => return Err(Error::BadRequest("give both queue and state, or neither".into())),
    };
    let label = format!("{} {} selected jobs", verb(b.action), b.ids.len());
    run(&app, &p, label, move |store, r| async move {
        let inst = store.instance(n)?;
        write::bulk(inst, b.action, &b.ids, source.as_ref(), |x| r.progress(x), r.cancel()).await
    })
    .await
}

fn verb(a: BulkAction) -> &'static str {
    match a {
        BulkAction::Requeue => "requeue",
        BulkAction::Enqueue => "enqueue",
        BulkAction::Delete => "delete",
        BulkAction::Cancel => "cancel",
    }
}

fn state_param(p: &Params, allowed: &[RqState]) -> Result<RqState> {
    let s = p.get("state").ok_or_else(|| Error::BadRequest("state is required".into()))?;
    let st = RqState::parse(s).ok_or_else(|| Error::NotFound(format!("unknown state {s:?}")))?;
    if !allowed.contains(&st) {
        let names: Vec<&str> = allowed.iter().map(|a| a.as_str()).collect();
        return Err(Error::BadRequest(format!("state must be one of {}, got {s}", names.join(", "))));
    }
    Ok(st)
}

/// Parse a whole-queue action's parameters and check the queue exists: (params, instance).
async fn queue_action(
    app: &AppState,
    q: Option<&str>,
    queue: &str,
    with_state: bool,
) -> Result<(Params, usize)> {
    let allowed: &[&str] =
        if with_state { &["instance", "state", "background"] } else { &["instance", "background"] };
    let p = Params::parse(q, allowed)?;
    let n = p.instance()?;
    if !crate::store::overview::queue_exists(app.store.instance(n)?, queue).await? {
        return Err(Error::NotFound(format!("no queue named {queue:?}")));
    }
    Ok((p, n))
}

/// `POST /api/v1/queues/{queue}/requeue?state=failed|canceled`: every job of that registry.
pub async fn requeue_all(
    State(app): State<AppState>,
    Path(Name(queue)): Path<Name>,
    RawQuery(q): RawQuery,
) -> Result<Response> {
    let (p, n) = queue_action(&app, q.as_deref(), &queue, true).await?;
    let state = state_param(&p, &RqState::REQUEUABLE)?;
    let label = format!("requeue all {state} jobs of {queue}");
    run(&app, &p, label, move |store, r| async move {
        write::requeue_all(store.instance(n)?, &queue, state, |x| r.progress(x), r.cancel()).await
    })
    .await
}

/// `POST /api/v1/queues/{queue}/empty?state=...`: delete every job (and its hash) of a list or registry.
pub async fn empty(
    State(app): State<AppState>,
    Path(Name(queue)): Path<Name>,
    RawQuery(q): RawQuery,
) -> Result<Response> {
    let (p, n) = queue_action(&app, q.as_deref(), &queue, true).await?;
    if p.get("state") == Some("started") {
        return Err(Error::BadRequest(
            "the started registry cannot be emptied: its jobs are running; stop them instead".into(),
        ));
    }
    use RqState::*;
    let state = state_param(&p, &[Queued, Failed, Finished, Deferred, Scheduled, Canceled])?;
    let label = format!("empty {state} of {queue}");
    run(&app, &p, label, move |store, r| async move {
        write::empty(store.instance(n)?, &queue, state, |x| r.progress(x), r.cancel()).await
    })
    .await
}

/// `POST /api/v1/queues/{queue}/compact`: drop orphaned ids from the queue, keeping order.
pub async fn compact(
    State(app): State<AppState>,
    Path(Name(queue)): Path<Name>,
    RawQuery(q): RawQuery,
) -> Result<Response> {
    let (p, n) = queue_action(&app, q.as_deref(), &queue, false).await?;
    let label = format!("compact {queue}");
    run(&app, &p, label, move |store, r| async move {
        write::compact(store.instance(n)?, &queue, |x| r.progress(x), r.cancel()).await
    })
    .await
}

/// Run now and answer the counts, or with `?background=1` (`true`, `yes`) answer 202 with a task
/// to watch; any other spelling is a 400, never a silent foreground run.
async fn run<F, Fut>(app: &AppState, p: &Params, label: String, op: F) -> Result<Response>
where
    F: FnOnce(Store, Reporter) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = crate::store::Result<BulkOutcome>> + Send + 'static,
{
    let store = app.store.clone();
    if p.flag("background")? {
        let id = app.tasks.spawn(label, move |r| op(store, r));
        let events = format!("{}/api/v1/tasks/{id}/events", app.prefix);
        return Ok((StatusCode::ACCEPTED, Json(json!({ "task": id, "events": events }))).into_response());
    }
    // In the foreground the operation still runs chunk by chunk; it is cancelled if rqdash stops.
    let tasks = Arc::clone(&app.tasks);
    let id = tasks.spawn(label, move |r| op(store, r));
    let mut rx = app.tasks.watch(id)?;
    let shutdown: CancellationToken = app.shutdown.clone();
    loop {
        if rx.borrow().done {
            break;
        }
        tokio::select! {
            r = rx.changed() => if r.is_err() { break },
            () = shutdown.cancelled() => break,
        }
    }
    let s = rx.borrow().clone();
    match s.error {
        Some(e) => {
            let status = s.error_status.and_then(|c| StatusCode::from_u16(c).ok());
            Ok((status.unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), Json(json!({ "error": e })))
                .into_response())
        }
        None => Ok(Json(s.outcome).into_response()),
    }
}
