//! rq-dashboard compatibility: its JSON endpoints with the same shapes (pages that do not
//! overlap), redirects from its view URLs to rqdash's pages, and its action routes over the
//! `/api/v1` actions, so scripts and bookmarks keep working.

pub mod actions;
mod job;
mod jobs;
mod result;
pub mod views;

pub use job::job;
pub use jobs::list as jobs;

use axum::Json;
use axum::extract::{Path, RawPathParams, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::AppState;
use super::error::{Error, Result};
use super::fmt::seg;
use crate::rq::time;
use crate::store::{overview, workers};

/// Route layer of the compat routes: `{n}` that is not a number is a page that does not exist
/// (`/static/`, `/metrics/`), not a malformed instance.
pub async fn numeric_instance(
    State(app): State<AppState>,
    params: RawPathParams,
    req: Request,
    next: Next,
) -> Response {
    let n = params.iter().find(|(k, _)| *k == "n").map(|(_, v)| v);
    if n.is_some_and(|n| n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit())) {
        return super::pages::not_found(State(app)).await.into_response();
    }
    next.run(req).await
}

/// rq-dashboard's `asc`/`dsc` (and `desc`): true for descending; anything else is refused.
pub(super) fn descending(order: &str) -> Result<bool> {
    match order {
        "asc" => Ok(false),
        "dsc" | "desc" => Ok(true),
        _ => Err(Error::BadRequest(format!("order must be asc or dsc, got {order:?}"))),
    }
}

/// rq-dashboard writes dates as ISO 8601 with a `+00:00` offset.
pub(super) fn iso(t: Option<&str>) -> Value {
    t.and_then(time::parse).map_or(Value::Null, |ts| {
        let s = time::format(ts);
        Value::String(format!("{}+00:00", s.trim_end_matches('Z')))
    })
}

/// rq-dashboard's workers.json writes heartbeats as RFC 1123 ("Fri, 27 Nov 2026 04:37:37 GMT").
fn rfc1123(t: Option<&str>) -> Value {
    t.and_then(time::parse)
        .map_or(Value::Null, |ts| Value::String(ts.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string()))
}

fn view_url(app: &AppState, n: usize, q: &str, reg: &str) -> String {
    format!("{}/{n}/view/jobs/{}/{reg}/8/asc/1", app.prefix, seg(q))
}

/// `GET /{n}/data/queues.json`.
pub async fn queues(State(app): State<AppState>, Path(n): Path<usize>) -> Result<Json<Value>> {
    let o = overview::overview(app.store.instance(n)?).await?;
    let list: Vec<Value> = o
        .queues
        .iter()
        .map(|q| {
            let c = &q.counts;
            json!({
                "name": q.name, "count": c.queued, "queued_url": view_url(&app, n, &q.name, "queued"),
                "deferred_job_registry_count": c.deferred, "deferred_url": view_url(&app, n, &q.name, "deferred"),
                "scheduled_job_registry_count": c.scheduled, "scheduled_url": view_url(&app, n, &q.name, "scheduled"),
                "started_job_registry_count": c.started, "started_url": view_url(&app, n, &q.name, "started"),
                "finished_job_registry_count": c.finished, "finished_url": view_url(&app, n, &q.name, "finished"),
                "failed_job_registry_count": c.failed, "failed_url": view_url(&app, n, &q.name, "failed"),
                "canceled_job_registry_count": c.canceled, "canceled_url": view_url(&app, n, &q.name, "canceled"),
            })
        })
        .collect();
    Ok(Json(json!({ "queues": list })))
}

/// `GET /{n}/data/workers.json`.
pub async fn workers(State(app): State<AppState>, Path(n): Path<usize>) -> Result<Json<Value>> {
    let w = workers::workers(app.store.instance(n)?).await?;
    let list: Vec<Value> = w
        .workers
        .iter()
        .filter(|x| !x.stale)
        .map(|x| {
            json!({
                "name": x.name, "pid": x.pid, "queues": x.queues, "state": x.state,
                "current_job": x.current_job.as_ref().map_or(json!("idle"), |j| json!({"job_id": j})),
                "last_heartbeat": rfc1123(x.last_heartbeat.as_deref()), "birth_date": rfc1123(x.birth.as_deref()),
                "successful_job_count": x.successful_job_count, "failed_job_count": x.failed_job_count,
                "total_working_time": x.total_working_time, "version": x.version, "python_version": x.python_version,
            })
        })
        .collect();
    Ok(Json(json!({ "workers": list })))
}
