//! RQ 2.0+ groups: one group's page (jobs and status counts, linked from its jobs) and its API.

use axum::Json;
use axum::extract::{Path, RawQuery, State};

use super::AppState;
use super::error::Result;
use super::page::{PageResult, start};
use super::params::{Name, Params};
use super::view::group::GroupView;
use crate::store::groups::{self, GroupPage};
use crate::store::jobs::MAX_PER_PAGE;

const ALLOWED: &[&str] = &["instance", "page", "per_page"];

/// `GET /groups/{name}?page=&per_page=`.
pub async fn page(
    State(app): State<AppState>,
    Path(Name(name)): Path<Name>,
    RawQuery(q): RawQuery,
) -> PageResult<GroupView> {
    let (p, mut c) = start(&app, q.as_deref(), ALLOWED, "Group", "")?;
    let page = p.int("page", 1, 1, 10_000_000)?;
    let per_page = p.int("per_page", 50, 1, MAX_PER_PAGE)?;
    let inst = app.store.instance(c.instance)?;
    let g = groups::group(inst, &name, page, per_page).await?;
    c.title = format!("Group {name}");
    Ok(GroupView::build(c, g))
}

/// `GET /api/v1/groups/{name}?page=&per_page=`.
pub async fn api(
    State(app): State<AppState>,
    Path(Name(name)): Path<Name>,
    RawQuery(q): RawQuery,
) -> Result<Json<GroupPage>> {
    let p = Params::parse(q.as_deref(), ALLOWED)?;
    let (page, per_page) = (p.int("page", 1, 1, 10_000_000)?, p.int("per_page", 50, 1, MAX_PER_PAGE)?);
    Ok(Json(groups::group(app.store.instance(p.instance()?)?, &name, page, per_page).await?))
}
