//! `GET /{n}/data/jobs/{queue}/{registry}/{per_page}/{order}/{page}.json`: rq-dashboard's job
//! list, with pages that do not overlap, every id shown (orphans as `missing: true`) and each
//! job's latest traceback in full.

use axum::Json;
use axum::extract::{Path, State};
use serde_json::{Value, json};

use super::super::AppState;
use super::super::error::{Error, Result};
use super::super::fmt::seg;
use super::super::params::Name;
use super::{descending, iso};
use crate::rq::State as RqState;
use crate::store::{compat, jobs};

/// rq-dashboard's pagination window: 10 pages around the current one, slid to stay in range.
pub fn window(num_pages: u64, current: u64) -> std::ops::RangeInclusive<u64> {
    const SIZE: i64 = 10;
    let n = i64::try_from(num_pages).unwrap_or(i64::MAX);
    let cur = i64::try_from(current).unwrap_or(i64::MAX);
    let start = (n - SIZE).min(cur - 1 - SIZE / 2).max(0);
    let end = (start + SIZE).min(n);
    (start.unsigned_abs() + 1)..=end.unsigned_abs()
}

/// A whole number of at least 1 (rq-dashboard answers 500 to 0 and to words: a 400 here).
fn positive(name: &str, v: &str) -> Result<u64> {
    v.parse::<u64>()
        .ok()
        .filter(|x| *x >= 1)
        .ok_or_else(|| Error::BadRequest(format!("{name} must be a whole number of at least 1, got {v:?}")))
}

type JobsPath = (usize, Name, String, String, String, String);

/// The handler.
pub async fn list(
    State(app): State<AppState>,
    Path((n, Name(queue), registry, per_page, order, page)): Path<JobsPath>,
) -> Result<Json<Value>> {
    let inst = app.store.instance(n)?;
    let state =
        RqState::parse(&registry).ok_or_else(|| Error::NotFound(format!("unknown registry {registry:?}")))?;
    // Above rqdash's cap, per_page is brought down to it: rq-dashboard has no cap, and its
    // "On page" box takes up to 200, so scripts asking for more get full 500-job pages.
    let per_page = positive("per_page", &per_page)?.min(jobs::MAX_PER_PAGE);
    let page = positive("page", page.strip_suffix(".json").unwrap_or(&page))?.min(u64::from(u32::MAX));
    let desc = descending(&order)?;
    let p = jobs::list(inst, &queue, jobs::PageQuery::new(state, page, per_page, desc)).await?;
    let ids: Vec<String> = p.jobs.iter().map(|j| j.id.clone()).collect();
    let latest = compat::latest(inst, &ids).await?;
    let order = if desc { "dsc" } else { "asc" };
    let url = |k: u64| json!({"url": format!("{}/{n}/view/jobs/{}/{registry}/{per_page}/{order}/{k}", app.prefix, seg(&queue))});
    // An empty registry has 0 pages, as in rq-dashboard (whose last_page link then names page 0).
    let pages = p.pages;
    let mut pagination = json!({
        "current_page": page,
        "num_pages": pages,
        "pages_in_window": window(pages, page).map(|k| json!({"number": k, "url": url(k)["url"]})).collect::<Vec<_>>(),
        "first_page": url(1),
        "last_page": url(pages),
    });
    if page > 1 {
        pagination["prev_page"] = url(page - 1);
    }
    if page < pages {
        pagination["next_page"] = url(page + 1);
    }
    let rows: Vec<Value> = p
        .jobs
        .iter()
        .zip(latest)
        .map(|(j, l)| {
            json!({
                "id": j.id, "description": j.description, "created_at": iso(j.created_at.as_deref()),
                "started_at": iso(j.started_at.as_deref()), "ended_at": iso(j.ended_at.as_deref()),
                "exc_info": l.exc_info, "missing": j.missing,
            })
        })
        .collect();
    Ok(Json(json!({ "name": queue, "registry_name": registry, "jobs": rows, "pagination": pagination })))
}

#[cfg(test)]
mod tests {
    use super::window;

    #[test]
    fn the_window_is_rq_dashboards_ten_pages_slid_into_range() {
        assert_eq!(window(0, 1).count(), 0);
        assert_eq!(window(3, 1), 1..=3);
        assert_eq!(window(20, 1), 1..=10);
        assert_eq!(window(20, 12), 7..=16);
        assert_eq!(window(20, 20), 11..=20);
    }
}
