//! JSON API v1 handlers: extract and validate, one store call, serialise.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use serde_json::{Value, json};

use super::AppState;
use super::error::{Error, Result};
use super::params::{Name, Params};
use crate::rq;
use crate::store::{detail, failed, health, info, jobs, overview, workers};

/// `GET /api/v1/instances`: configured instances (masked URLs) and whether each answers PING.
pub async fn instances(State(app): State<AppState>, RawQuery(q): RawQuery) -> Result<Json<Value>> {
    Params::parse(q.as_deref(), &[])?;
    let mut out = Vec::new();
    for inst in app.store.instances() {
        let ok = health::answers_ping(inst).await;
        out.push(json!({ "index": inst.index, "url": inst.url, "ok": ok, "key_prefix": inst.keys.prefix() }));
    }
    Ok(Json(json!({ "instances": out })))
}

/// `GET /api/v1/queues`.
pub async fn queues(State(app): State<AppState>, RawQuery(q): RawQuery) -> Result<Json<overview::Overview>> {
    let p = Params::parse(q.as_deref(), &["instance"])?;
    let inst = app.store.instance(p.instance()?)?;
    Ok(Json(overview::overview(inst).await?))
}

/// `GET /api/v1/failed?limit=`: the newest failures of every queue (by `ended_at`).
pub async fn failed(
    State(app): State<AppState>,
    RawQuery(q): RawQuery,
) -> Result<Json<failed::FailedAcross>> {
    let p = Params::parse(q.as_deref(), &["instance", "limit"])?;
    let inst = app.store.instance(p.instance()?)?;
    let limit = usize::try_from(p.int("limit", 100, 1, 1000)?).unwrap_or(100);
    Ok(Json(failed::failed_across(inst, limit).await?))
}

/// `GET /api/v1/queues/{queue}/jobs?state=&page=&per_page=&order=&expired=`.
pub async fn queue_jobs(
    State(app): State<AppState>,
    Path(Name(queue)): Path<Name>,
    RawQuery(q): RawQuery,
) -> Result<Json<jobs::JobPage>> {
    let p = Params::parse(q.as_deref(), &["instance", "state", "page", "per_page", "order", "expired"])?;
    let inst = app.store.instance(p.instance()?)?;
    let state = match p.get("state") {
        None => rq::State::Queued,
        Some(s) => rq::State::parse(s).ok_or_else(|| {
            Error::NotFound(format!(
                "unknown state {s:?} (one of queued, started, finished, failed, deferred, scheduled, canceled, ready)"
            ))
        })?,
    };
    let desc = match p.get("order") {
        None | Some("asc") => false,
        Some("desc") => true,
        Some(o) => return Err(Error::BadRequest(format!("order must be asc or desc, got {o:?}"))),
    };
    let query = jobs::PageQuery {
        state,
        page: p.int("page", 1, 1, 10_000_000)?,
        per_page: p.int("per_page", 50, 1, jobs::MAX_PER_PAGE)?,
        desc,
        expired: p.flag("expired")?,
    };
    Ok(Json(jobs::list(inst, &queue, query).await?))
}

/// `GET /api/v1/jobs/{id}`.
pub async fn job(
    State(app): State<AppState>,
    Path(Name(id)): Path<Name>,
    RawQuery(q): RawQuery,
) -> Result<axum::response::Response> {
    let p = Params::parse(q.as_deref(), &["instance"])?;
    let inst = app.store.instance(p.instance()?)?;
    match detail::job(inst, &id).await {
        Ok(j) => Ok(axum::response::IntoResponse::into_response(Json(j))),
        // A job RQ already deleted: its archived record, when rqdash saw it end.
        Err(e) => super::functions::job_api_fallback(&app, inst, &id, e).await,
    }
}

/// `GET /api/v1/jobs/bulk`: a job may be called "bulk"; the POST route of that name must not hide it.
pub async fn job_named_bulk(state: State<AppState>, q: RawQuery) -> Result<axum::response::Response> {
    job(state, Path(Name("bulk".to_owned())), q).await
}

/// `GET /api/v1/workers`.
pub async fn workers(State(app): State<AppState>, RawQuery(q): RawQuery) -> Result<Json<workers::Workers>> {
    let p = Params::parse(q.as_deref(), &["instance"])?;
    let inst = app.store.instance(p.instance()?)?;
    Ok(Json(workers::workers(inst).await?))
}

/// `GET /api/v1/redis`.
pub async fn redis_info(State(app): State<AppState>, RawQuery(q): RawQuery) -> Result<Json<Value>> {
    let p = Params::parse(q.as_deref(), &["instance"])?;
    let inst = app.store.instance(p.instance()?)?;
    let info = info::redis_info(inst).await?;
    Ok(Json(json!({ "instance": inst.index, "url": inst.url, "info": info })))
}

/// Unknown `/api` paths.
pub async fn not_found() -> Error {
    Error::NotFound("no such API endpoint".to_owned())
}
