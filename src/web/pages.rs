//! HTML page handlers: extract and validate, one or two store calls, render a view model.

use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::AppState;
use super::error::Error;
use super::history;
use super::page::{PageError, PageResult, start};
use super::params::{Name, Params};
use super::view::HistoryBlock;
use super::view::failed::FailedPage;
use super::view::job::JobPage;
use super::view::overview::OverviewPage;
use super::view::queue::QueuePage;
use super::view::queue_table::TableQuery;
use super::view::workers::WorkersPage;
use crate::rq;
use crate::store::history as history_store;
use crate::store::{detail, failed, info, jobs, overview, running, schedulers, workers};

/// `GET /`: the overview.
pub async fn overview_page(State(app): State<AppState>, RawQuery(q): RawQuery) -> PageResult<OverviewPage> {
    let (p, c) = start(
        &app,
        q.as_deref(),
        &["instance", "sort", "dir", "q", "range", "qpage"],
        "Overview",
        "overview",
    )?;
    let range = range_param(&p)?;
    let inst = app.store.instance(c.instance)?;
    let sort = p.get("sort").unwrap_or("name");
    let valid = ["name", "workers", "oldest", "held"].contains(&sort) || rq::State::parse(sort).is_some();
    if !valid {
        return Err(Error::BadRequest(format!("cannot sort by {sort:?}")).into());
    }
    let desc = p.get("dir") == Some("desc");
    let qpage = p.int("qpage", 1, 1, 1_000_000)?;
    let (o, w, r, h, top, health, stored) = tokio::join!(
        overview::overview(inst),
        workers::workers(inst),
        info::redis_info(inst),
        history::charts_for(inst, &app.history, None, range),
        super::search::groups::top_groups_last_hour(&app, &c, 5),
        app.health.report(inst),
        crate::store::budget::state::read(inst, &app.history)
    );
    let (o, w) = (o?, w?);
    // The reads just made may have seen rate limits for the first time.
    let mut c = c;
    c.rate_limits |= inst.has_rate_limits();
    let r = r.unwrap_or_default();
    let names: Vec<String> = o.queues.iter().map(|q| q.name.clone()).collect();
    super::schedulers::warnings(inst, &mut c, &names, &w).await;
    let base = format!(
        "{}/?{}",
        c.prefix,
        if c.instance == 0 { String::new() } else { format!("instance={}&", c.instance) }
    );
    let filter = p.get("q").unwrap_or("");
    let page = usize::try_from(qpage).unwrap_or(1);
    let query = TableQuery { sort, desc, filter, page, held: false };
    // Health is an extra too: a failed judgement leaves the badges out, not the page.
    let mut page = OverviewPage::build(c, o, &w, r, inst.sentinel, &query).with_health(health.ok());
    // History is an extra: a failed read leaves the charts out, not the page.
    page.history = h.ok().map(|h| HistoryBlock::new(h, &base));
    page.top_groups = Some(top);
    // What rqdash itself stores, as the sampler last measured it (an extra as well).
    if let Ok(Some(s)) = stored {
        page.redis_rows.extend(super::view::overview::storage_rows(&s));
    }
    Ok(page)
}

/// `GET /queues/{queue}`: one page of one state.
pub async fn queue_page(
    State(app): State<AppState>,
    Path(Name(queue)): Path<Name>,
    RawQuery(q): RawQuery,
) -> PageResult<QueuePage> {
    let (p, mut c) = start(
        &app,
        q.as_deref(),
        &["instance", "state", "page", "per_page", "order", "range", "expired"],
        &queue,
        "",
    )?;
    let range = range_param(&p)?;
    let state = match p.get("state") {
        None | Some("") => rq::State::Queued,
        Some(s) => rq::State::parse(s).ok_or_else(|| Error::NotFound(format!("unknown state {s:?}")))?,
    };
    let desc = match p.get("order") {
        // Failures first: a failed tab opens on the newest failure.
        None => state == rq::State::Failed,
        Some("asc") => false,
        Some("desc") => true,
        Some(o) => return Err(Error::BadRequest(format!("order must be asc or desc, got {o:?}")).into()),
    };
    let page = p.int("page", 1, 1, 10_000_000)?;
    let per_page = p.int("per_page", 50, 1, jobs::MAX_PER_PAGE)?;
    let inst = app.store.instance(c.instance)?;
    let expired = p.flag("expired")?;
    let query = jobs::PageQuery { state, page, per_page, desc, expired };
    let (list, o, h, a, health) = tokio::join!(
        jobs::list(inst, &queue, query),
        overview::queue_counts(inst, &queue),
        history::charts_for(inst, &app.history, Some(&queue), range),
        schedulers::alerts(inst, std::slice::from_ref(&queue)),
        app.health.report(inst)
    );
    if let Ok(a) = a {
        inst.note_cron(a.cron_present);
        c.schedulers_nav = inst.cron_seen();
        c.scheduler_banner = a.banner();
    }
    let list = list?;
    let workers =
        super::workers::linkable(inst, list.jobs.iter().filter_map(|j| j.worker_name.clone()).collect());
    let workers = workers.await?;
    let (counts, suspended, corrupt) = o?;
    c.suspended = suspended;
    c.rate_limits |= inst.has_rate_limits();
    let corrupt: Vec<_> =
        corrupt.into_iter().map(|w| (overview::state_of(&inst.keys, &queue, &w.key), w.message)).collect();
    c.title = format!("{queue} · {state}");
    let base = format!(
        "{}?state={state}{}&",
        c.queue_href(&queue, None).split('?').next().unwrap_or(""),
        c.inst_amp
    );
    let mut page = QueuePage::build(c, list, &counts, &corrupt, &workers);
    page.history = h.ok().map(|h| HistoryBlock::new(h, &base));
    page.health = health.ok().and_then(|r| r.queue(&queue).cloned());
    Ok(page)
}

/// The `range` of the history charts (1h, 24h, 7d, 90d; default 1h).
fn range_param(p: &Params) -> Result<history_store::Range, Error> {
    match p.get("range") {
        None => Ok(Default::default()),
        Some(r) => history_store::Range::parse(r)
            .ok_or_else(|| Error::BadRequest(format!("range must be 1h, 24h, 7d or 90d, got {r:?}"))),
    }
}

/// `GET /jobs/{id}`.
pub async fn job_page(
    State(app): State<AppState>,
    Path(Name(id)): Path<Name>,
    RawQuery(q): RawQuery,
) -> PageResult<axum::response::Response> {
    let (_, mut c) = start(&app, q.as_deref(), &["instance"], "Job", "")?;
    let inst = app.store.instance(c.instance)?;
    let j = match detail::job(inst, &id).await {
        Ok(j) => j,
        // A job RQ already deleted: its archived record, when rqdash saw it end.
        Err(e) => return super::functions::job_page_fallback(&app, inst, c, &id, e).await,
    };
    let names = j.worker_name.iter().chain(j.results.iter().filter_map(|r| r.worker_name.as_ref()));
    let workers = super::workers::linkable(inst, names.cloned().collect()).await?;
    c.title = format!("Job {id}");
    Ok(axum::response::IntoResponse::into_response(JobPage::build(c, j, &workers)))
}

/// `GET /workers`.
pub async fn workers_page(State(app): State<AppState>, RawQuery(q): RawQuery) -> PageResult<WorkersPage> {
    let (_, c) = start(&app, q.as_deref(), &["instance"], "Workers", "workers")?;
    let inst = app.store.instance(c.instance)?;
    let w = workers::workers(inst).await?;
    let jobs = running::current_jobs(inst, &w).await?;
    let mut c = c;
    inst.note_cron(super::schedulers::any_cron_worker(&w));
    c.schedulers_nav = inst.cron_seen();
    Ok(WorkersPage::build(c, w, &jobs))
}

/// `GET /failed`: newest failures across all queues, filtered by queue, function, exception.
pub async fn failed_page(State(app): State<AppState>, RawQuery(q): RawQuery) -> PageResult<FailedPage> {
    let allowed = ["instance", "limit", "queue", "function", "exception"];
    let (p, mut c) = start(&app, q.as_deref(), &allowed, "Failures", "failed")?;
    let limit = p.int("limit", 100, 1, 1000)?;
    let inst = app.store.instance(c.instance)?;
    let text = |k: &str| p.get(k).unwrap_or("").trim().to_owned();
    let filter = failed::FailedFilter {
        queue: text("queue"),
        function: text("function"),
        exception: text("exception"),
    };
    let n = usize::try_from(limit).unwrap_or(100);
    let f = failed::failed_filtered(inst, n, &filter).await?;
    let names: Vec<String> = f.rows.iter().filter_map(|(_, r)| r.worker_name.clone()).collect();
    let workers = super::workers::linkable(inst, names).await?;
    c.suspended = crate::store::control::state(inst).await.is_ok_and(|s| s.suspended);
    Ok(FailedPage::build(c, f, filter, limit, &workers))
}

/// `GET /jump?id=`: the header's job-id box.
pub async fn jump(State(app): State<AppState>, RawQuery(q): RawQuery) -> PageResult<Response> {
    let (p, c) = start(&app, q.as_deref(), &["instance", "id"], "Job", "")?;
    let id = p.get("id").unwrap_or("").trim().to_owned();
    if id.is_empty() {
        return Err(Error::BadRequest("type a job id to jump to it".into()).into());
    }
    let inst = app.store.instance(c.instance)?;
    if !detail::exists(inst, &id).await? {
        return Err(Error::NotFound(format!("no job with id {id:?} in instance {}", c.instance)).into());
    }
    Ok(Redirect::to(&c.job_href(&id)).into_response())
}

/// Any other path: an HTML 404 inside the frame.
pub async fn not_found(State(_): State<AppState>) -> PageError {
    Error::NotFound("no such page".into()).into()
}
