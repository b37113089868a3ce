//! rq-dashboard compatibility: its JSON endpoints with the same shapes (pages that do not
//! overlap), and redirects from its view URLs to rqdash's pages, so scripts and bookmarks keep working.

use axum::Json;
use axum::extract::{Path, RawPathParams, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Value, json};

use super::AppState;
use super::error::{Error, Result};
use super::fmt::seg;
use super::params::Name;
use crate::rq::{State as RqState, time};
use crate::store::{detail, jobs, overview, workers};

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
fn descending(order: &str) -> Result<bool> {
    match order {
        "asc" => Ok(false),
        "dsc" | "desc" => Ok(true),
        _ => Err(Error::BadRequest(format!("order must be asc or dsc, got {order:?}"))),
    }
}

/// rq-dashboard writes dates as ISO 8601 with a `+00:00` offset.
fn iso(t: Option<&str>) -> Value {
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

/// `GET /{n}/data/jobs/{queue}/{registry}/{per_page}/{order}/{page}.json`, with correct pages.
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
) -> Result<Json<Value>> {
    let inst = app.store.instance(n)?;
    let state =
        RqState::parse(&registry).ok_or_else(|| Error::NotFound(format!("unknown registry {registry:?}")))?;
    let num = |name: &str, v: &str, max: u64| -> Result<u64> {
        v.parse::<u64>().ok().filter(|x| (1..=max).contains(x)).ok_or_else(|| {
            Error::BadRequest(format!("{name} must be a number between 1 and {max}, got {v:?}"))
        })
    };
    let per_page = num("per_page", &per_page, jobs::MAX_PER_PAGE)?;
    let page_s = page.strip_suffix(".json").unwrap_or(&page);
    let page = num("page", page_s, 10_000_000)?;
    let desc = descending(&order)?;
    let p = jobs::list(inst, &queue, jobs::PageQuery::new(state, page, per_page, desc)).await?;
    let url = |k: u64| {
        format!(
            "{}/{n}/view/jobs/{}/{registry}/{per_page}/{}/{k}",
            app.prefix,
            seg(&queue),
            if desc { "dsc" } else { "asc" }
        )
    };
    let pages = p.pages.max(1);
    let (lo, hi) = (page.saturating_sub(5).max(1), (page + 4).min(pages));
    let mut pagination = json!({
        "current_page": page,
        "num_pages": pages,
        "pages_in_window": (lo..=hi).map(|k| json!({"number": k, "url": url(k)})).collect::<Vec<_>>(),
        "first_page": {"url": url(1)},
        "last_page": {"url": url(pages)},
    });
    if page > 1 {
        pagination["prev_page"] = json!({"url": url(page - 1)});
    }
    if page < pages {
        pagination["next_page"] = json!({"url": url(page + 1)});
    }
    let rows: Vec<Value> = p
        .jobs
        .iter()
        .map(|j| {
            json!({
                "id": j.id, "description": j.description, "created_at": iso(j.created_at.as_deref()),
                "started_at": iso(j.started_at.as_deref()), "ended_at": iso(j.ended_at.as_deref()),
                "exc_info": j.exc_summary,
            })
        })
        .collect();
    Ok(Json(json!({ "name": queue, "registry_name": registry, "jobs": rows, "pagination": pagination })))
}

/// `GET /{n}/data/job/{id}.json`: 404 JSON for a missing job (rq-dashboard answers 500).
pub async fn job(
    State(app): State<AppState>,
    Path((n, Name(id))): Path<(usize, Name)>,
) -> Result<Json<Value>> {
    let id = id.strip_suffix(".json").unwrap_or(&id).to_owned();
    let j = detail::job(app.store.instance(n)?, &id).await?;
    let meta =
        j.meta.as_ref().and_then(|m| serde_json::to_value(m).ok()).and_then(|v| v.get("value").cloned());
    let result =
        j.result.as_ref().and_then(|m| serde_json::to_value(m).ok()).and_then(|v| v.get("value").cloned());
    let mut out = json!({
        "id": j.id, "created_at": iso(j.created_at.as_deref()), "enqueued_at": iso(j.enqueued_at.as_deref()),
        "started_at": iso(j.started_at.as_deref()), "ended_at": iso(j.ended_at.as_deref()),
        "origin": j.origin, "status": j.status, "result": result, "exc_info": j.exc_info,
        "description": j.description,
        // rq-dashboard sends meta as a string of JSON; scripts parse it a second time.
        "metadata": meta.map_or_else(|| "{}".to_owned(), |m| m.to_string()),
    });
    if !j.dependencies.is_empty() {
        out["depends_on"] = json!(j.dependencies.iter().map(|d| d.id.clone()).collect::<Vec<_>>());
        out["depends_on_status"] = json!(
            j.dependencies.iter().map(|d| if d.missing { "expired" } else { "active" }).collect::<Vec<_>>()
        );
    }
    Ok(Json(out))
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

/// `/{n}/`, `/{n}/view`, `/{n}/view/queues` → the overview.
pub async fn view_overview(State(app): State<AppState>, Path(n): Path<usize>) -> Redirect {
    Redirect::permanent(&format!("{}/?instance={n}", app.prefix))
}

/// `/{n}/view/workers` → the workers page.
pub async fn view_workers(State(app): State<AppState>, Path(n): Path<usize>) -> Redirect {
    Redirect::permanent(&format!("{}/workers?instance={n}", app.prefix))
}

/// `/{n}/view/job/{id}` → the job page.
pub async fn view_job(State(app): State<AppState>, Path((n, Name(id))): Path<(usize, Name)>) -> Redirect {
    Redirect::permanent(&format!("{}/jobs/{}?instance={n}", app.prefix, seg(&id)))
}

/// `/{n}/view/jobs/{queue}/{registry}/{per_page}/{order}/{page}` → the queue page.
pub async fn view_jobs(
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
    Ok(Redirect::permanent(&format!(
        "{}/queues/{}?state={}&per_page={}&order={order}&page={}&instance={n}",
        app.prefix,
        seg(&queue),
        seg(&registry),
        seg(&per_page),
        seg(&page)
    )))
}
