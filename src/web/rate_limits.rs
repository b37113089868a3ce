//! RQ 3.0 rate limits: the page of every key, the page of one key's held jobs, and their API.

use axum::Json;
use axum::extract::{Path, RawQuery, State};

use super::AppState;
use super::error::{Error, Result};
use super::page::{PageResult, start};
use super::params::{Name, Params};
use super::view::rate_limits::{HeldView, RateLimitsPage};
use crate::store::rate_limits::{self, HeldPage, HeldQuery, RateLimits};

/// `GET /rate-limits[?queue=]`: every key with its concurrency, running and held counts (and
/// the held jobs of one queue, per key: a queue's "Held" tab links here).
pub async fn page(State(app): State<AppState>, RawQuery(q): RawQuery) -> PageResult<RateLimitsPage> {
    let (p, c) = start(&app, q.as_deref(), &["instance", "queue"], "Rate limits", "rate-limits")?;
    let inst = app.store.instance(c.instance)?;
    let r = rate_limits::rate_limits(inst).await?;
    Ok(RateLimitsPage::build(c, r, p.get("queue").filter(|q| !q.is_empty())))
}

/// `GET /rate-limits/{key}?page=&per_page=&order=&queue=`: the jobs one key holds back.
pub async fn key_page(
    State(app): State<AppState>,
    Path(Name(key)): Path<Name>,
    RawQuery(q): RawQuery,
) -> PageResult<HeldView> {
    let (p, mut c) = start(&app, q.as_deref(), ALLOWED, "Rate limit", "rate-limits")?;
    let query = held_query(&p)?;
    let inst = app.store.instance(c.instance)?;
    let h = rate_limits::held_page(inst, &key, query).await?;
    c.title = format!("Rate limit {key}");
    Ok(HeldView::build(c, h))
}

/// `GET /api/v1/rate-limits`.
pub async fn api(State(app): State<AppState>, RawQuery(q): RawQuery) -> Result<Json<RateLimits>> {
    let p = Params::parse(q.as_deref(), &["instance"])?;
    Ok(Json(rate_limits::rate_limits(app.store.instance(p.instance()?)?).await?))
}

/// `GET /api/v1/rate-limits/{key}?page=&per_page=&order=&queue=`.
pub async fn key_api(
    State(app): State<AppState>,
    Path(Name(key)): Path<Name>,
    RawQuery(q): RawQuery,
) -> Result<Json<HeldPage>> {
    let p = Params::parse(q.as_deref(), ALLOWED)?;
    let query = held_query(&p)?;
    Ok(Json(rate_limits::held_page(app.store.instance(p.instance()?)?, &key, query).await?))
}

const ALLOWED: &[&str] = &["instance", "page", "per_page", "order", "queue"];

fn held_query(p: &Params) -> Result<HeldQuery> {
    let desc = match p.get("order") {
        None | Some("asc") => false,
        Some("desc") => true,
        Some(o) => return Err(Error::BadRequest(format!("order must be asc or desc, got {o:?}"))),
    };
    Ok(HeldQuery {
        page: p.int("page", 1, 1, 10_000_000)?,
        per_page: p.int("per_page", 50, 1, crate::store::jobs::MAX_PER_PAGE)?,
        desc,
        queue: p.get("queue").filter(|q| !q.is_empty()).map(str::to_owned),
    })
}
