//! rq-dashboard's page URLs (`/{n}/view/...`) as redirects to rqdash's pages, so bookmarks and
//! links keep working: a client that follows them lands on the page that shows the same thing.

use axum::extract::{Path, State};
use axum::response::Redirect;

use super::super::AppState;
use super::super::error::{Error, Result};
use super::super::fmt::seg;
use super::super::params::Name;
use super::descending;
use crate::store::jobs::MAX_PER_PAGE;

/// `/{n}/`, `/{n}/view`, `/{n}/view/queues` → the overview.
pub async fn overview(State(app): State<AppState>, Path(n): Path<usize>) -> Redirect {
    Redirect::permanent(&format!("{}/?instance={n}", app.prefix))
}

/// `/{n}/view/workers` → the workers page.
pub async fn workers(State(app): State<AppState>, Path(n): Path<usize>) -> Redirect {
    Redirect::permanent(&format!("{}/workers?instance={n}", app.prefix))
}

/// `/{n}/view/job/{id}` → the job page.
pub async fn job(State(app): State<AppState>, Path((n, Name(id))): Path<(usize, Name)>) -> Redirect {
    Redirect::permanent(&format!("{}/jobs/{}?instance={n}", app.prefix, seg(&id)))
}

/// `/{n}/view/jobs` → rq-dashboard's default view: the queued jobs of `default`, 8 a page.
pub async fn jobs_default(State(app): State<AppState>, Path(n): Path<usize>) -> Redirect {
    Redirect::permanent(&format!(
        "{}/queues/default?state=queued&per_page=8&order=asc&page=1&instance={n}",
        app.prefix
    ))
}

/// A whole number from a path segment (rq-dashboard routes them as `<int:...>`: anything else
/// is a page that does not exist), brought into `[1, max]`.
fn clamped(name: &str, v: &str, max: u64) -> Result<u64> {
    let n =
        v.parse::<u64>().map_err(|_| Error::NotFound(format!("{name} must be a whole number, got {v:?}")))?;
    Ok(n.clamp(1, max))
}

/// `/{n}/view/jobs/{queue}/{registry}/{per_page}/{order}/{page}` → the queue page (per_page
/// above rqdash's cap of 500 is brought down to it, page 0 up to 1, as the JSON does).
pub async fn jobs(
    State(app): State<AppState>,
    Path((n, Name(queue), registry, per_page, order, page)): Path<(
        usize,
        Name,
        String,
        String,
        String,
        String,
    )>,
) -> Result<Redirect> {
    let order = if descending(&order)? { "desc" } else { "asc" };
    let per_page = clamped("per_page", &per_page, MAX_PER_PAGE)?;
    let page = clamped("page", &page, u64::from(u32::MAX))?;
    Ok(Redirect::permanent(&format!(
        "{}/queues/{}?state={}&per_page={per_page}&order={order}&page={page}&instance={n}",
        app.prefix,
        seg(&queue),
        seg(&registry),
    )))
}
