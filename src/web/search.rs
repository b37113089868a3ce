//! Search: the page (query box and form controls, results with "scanned X of Y", a continue
//! link), its JSON API, and "select all matching" for bulk actions; failure groups in
//! [`groups`].
//!
//! # Layout
//! - this file: `GET /search`, `GET /api/v1/search`.
//! - [`selection`]: `POST /api/v1/search/select`, `GET /api/v1/search/selections/{id}`,
//!   `POST /api/v1/search/selections/{id}/{requeue|delete|cancel|enqueue|stop}`.
//! - [`groups`]: `GET /failed/groups`, `GET /api/v1/failed/groups`, the overview's top groups.

pub mod groups;
pub mod selection;

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Serialize;

use super::AppState;
use super::error::Result;
use super::fmt;
use super::page::{PageResult, start};
use super::params::Params;
use super::view::search::SearchView;
use crate::store::search::{self, Budget, Query, query};
use crate::store::{Error as StoreError, overview};

/// The form controls folded into `q` (each replaces the criteria of its key).
const CONTROLS: [&str; 7] = ["queue", "state", "func", "exc", "worker", "after", "before"];

/// One page of the search API: the store's page, and which of its workers have a page to link
/// (search.js links only those, as the HTML page does).
#[derive(Serialize)]
pub struct ApiPage {
    #[serde(flatten)]
    page: search::SearchPage,
    linked_workers: Vec<String>,
}

/// `GET /api/v1/search?q=&cursor=&limit=&instance=`: one page of hits, progress and the cursor.
pub async fn api(State(app): State<AppState>, RawQuery(raw): RawQuery) -> Result<Json<ApiPage>> {
    let p = Params::parse(raw.as_deref(), &["instance", "q", "cursor", "limit"])?;
    let inst = app.store.instance(p.instance()?)?;
    let q = Query::parse(p.get("q").unwrap_or(""), jiff::Timestamp::now())?;
    let max_hits = usize::try_from(p.int("limit", 50, 1, 1000)?).unwrap_or(50);
    let budget = Budget { max_hits, ..Budget::default() };
    let page = search::search_with(inst, &q, p.get("cursor"), budget, &app.history).await?;
    let names = page.hits.iter().filter_map(|h| h.job.worker_name.clone()).collect();
    let linked_workers = super::workers::linkable(inst, names).await?.names();
    Ok(Json(ApiPage { page, linked_workers }))
}

/// `GET /search?q=&cursor=&instance=` (plus the form's controls, folded into a canonical `q`
/// by a redirect so that every results URL is a bookmark).
pub async fn page(State(app): State<AppState>, RawQuery(raw): RawQuery) -> PageResult<Response> {
    let mut allowed = vec!["instance", "q", "cursor"];
    allowed.extend(CONTROLS);
    let (p, mut c) = start(&app, raw.as_deref(), &allowed, "Search", "search")?;
    let text = p.get("q").unwrap_or("").trim().to_owned();
    let controls: Vec<(&str, &str)> = CONTROLS.iter().filter_map(|k| Some((*k, p.get(k)?))).collect();
    if controls.iter().any(|(_, v)| !v.trim().is_empty()) {
        let merged = query::merge(&text, &controls)?;
        let to = format!("{}/search?q={}{}", c.prefix, fmt::q(&merged), c.inst_amp);
        return Ok(Redirect::to(&to).into_response());
    }
    let inst = app.store.instance(c.instance)?;
    let (queues, suspended) = overview::queue_list(inst).await?;
    c.suspended = suspended;
    if text.is_empty() {
        return Ok(SearchView::form(c, queues).into_response());
    }
    c.title = format!("Search: {text}");
    let found = match Query::parse(&text, jiff::Timestamp::now()) {
        Ok(q) => search::search_with(inst, &q, p.get("cursor"), Budget::default(), &app.history).await,
        Err(e) => Err(e),
    };
    match found {
        Ok(page) => {
            let names = page.hits.iter().filter_map(|h| h.job.worker_name.clone()).collect();
            let workers = super::workers::linkable(inst, names).await?;
            let continued = p.get("cursor").is_some();
            Ok(SearchView::results(c, queues, &text, continued, page, &workers).into_response())
        }
        Err(StoreError::BadRequest(m)) => {
            Ok((StatusCode::BAD_REQUEST, SearchView::error(c, queues, &text, m)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
