//! Per-function performance pages and API, and the archived record a job page or the job API
//! shows once RQ deleted the job.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::AppState;
use super::error::{Error, Result};
use super::page::{PageResult, start};
use super::params::{Name, Params};
use super::view::function::{ArchivedJobPage, FunctionPage};
use super::view::functions::{COLUMNS, FunctionsPage};
use crate::rq::time;
use crate::store::archive::{self, Record};
use crate::store::functions::{self, Detail, Functions};
use crate::store::history::Range;
use crate::store::{self, Instance};

fn now() -> i64 {
    time::now_epoch() as i64
}

fn range(p: &Params) -> Result<Range> {
    match p.get("range") {
        None | Some("") => Ok(Range::H24),
        Some(r) => Range::parse(r)
            .ok_or_else(|| Error::BadRequest(format!("range must be 1h, 24h, 7d or 90d, got {r:?}"))),
    }
}

/// `GET /functions?range=&sort=&dir=&q=`: the sortable table.
pub async fn page(State(app): State<AppState>, RawQuery(q): RawQuery) -> PageResult<FunctionsPage> {
    let (p, c) =
        start(&app, q.as_deref(), &["instance", "range", "sort", "dir", "q"], "Functions", "functions")?;
    let range = range(&p)?;
    let sort = p.get("sort").unwrap_or("calls");
    if !COLUMNS.iter().any(|(k, _, _)| *k == sort) {
        return Err(Error::BadRequest(format!("unknown sort column {sort:?}")).into());
    }
    let desc = match p.get("dir") {
        None => COLUMNS.iter().any(|(k, _, n)| *k == sort && *n),
        Some("desc") => true,
        Some("asc") => false,
        Some(d) => return Err(Error::BadRequest(format!("dir must be asc or desc, got {d:?}")).into()),
    };
    let inst = app.store.instance(c.instance)?;
    let f = functions::functions(inst, &app.history, range, now()).await?;
    Ok(FunctionsPage::build(c, f, sort, desc, p.get("q").unwrap_or("").trim()))
}

/// `GET /functions/{func}?range=`: charts, queues, slowest recent jobs, archived failures.
pub async fn function_page(
    State(app): State<AppState>,
    Path(Name(func)): Path<Name>,
    RawQuery(q): RawQuery,
) -> PageResult<FunctionPage> {
    let (p, mut c) = start(&app, q.as_deref(), &["instance", "range"], "Function", "functions")?;
    let range = range(&p)?;
    let inst = app.store.instance(c.instance)?;
    let t = now();
    let d = functions::detail(inst, &app.history, &func, range, t).await?;
    c.title = format!("Function {func}");
    Ok(FunctionPage::build(c, d, t))
}

/// `GET /api/v1/functions?range=`.
pub async fn api(State(app): State<AppState>, RawQuery(q): RawQuery) -> Result<Json<Functions>> {
    let p = Params::parse(q.as_deref(), &["instance", "range"])?;
    let inst = app.store.instance(p.instance()?)?;
    Ok(Json(functions::functions(inst, &app.history, range(&p)?, now()).await?))
}

/// `GET /api/v1/functions/{func}?range=`.
pub async fn function_api(
    State(app): State<AppState>,
    Path(Name(func)): Path<Name>,
    RawQuery(q): RawQuery,
) -> Result<Json<Detail>> {
    let p = Params::parse(q.as_deref(), &["instance", "range"])?;
    let inst = app.store.instance(p.instance()?)?;
    Ok(Json(functions::detail(inst, &app.history, &func, range(&p)?, now()).await?))
}

/// An archived record as the job API serves it.
#[derive(Debug, Serialize)]
pub struct Archived {
    pub archived: bool,
    #[serde(flatten)]
    pub record: Record,
}

/// The archived record of a job whose hash is gone, if the archive has one.
pub async fn archived(app: &AppState, inst: &Instance, id: &str) -> store::Result<Option<Record>> {
    archive::read::find(inst, &archive::Keys::new(&app.history), id, now()).await
}

/// The job API's answer for a missing job: the archived record (200), else the 404 it had.
pub async fn job_api_fallback(
    app: &AppState,
    inst: &Instance,
    id: &str,
    err: store::Error,
) -> Result<Response> {
    if !matches!(err, store::Error::NotFound(_)) {
        return Err(err.into());
    }
    match archived(app, inst, id).await? {
        Some(record) => Ok(Json(Archived { archived: true, record }).into_response()),
        None => Err(err.into()),
    }
}

/// The job page for a missing job: the archived record with a banner, else the 404 page.
pub async fn job_page_fallback(
    app: &AppState,
    inst: &Instance,
    mut c: super::view::Chrome,
    id: &str,
    err: store::Error,
) -> PageResult<Response> {
    if !matches!(err, store::Error::NotFound(_)) {
        return Err(Error::from(err).into());
    }
    match archived(app, inst, id).await.map_err(Error::from)? {
        Some(record) => {
            c.title = format!("Job {id} (archived)");
            Ok(ArchivedJobPage::build(c, record).into_response())
        }
        None => Err(Error::from(err).into()),
    }
}
