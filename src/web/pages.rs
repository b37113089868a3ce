//! HTML page handlers: extract and validate, one or two store calls, render a view model.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::AppState;
use super::error::Error;
use super::history;
use super::params::{Name, Params};
use super::view::failed::FailedPage;
use super::view::job::JobPage;
use super::view::overview::OverviewPage;
use super::view::queue::QueuePage;
use super::view::queue_table::TableQuery;
use super::view::workers::{ErrorPage, WorkersPage};
use super::view::{Chrome, HistoryBlock};
use crate::rq;
use crate::store::history as history_store;
use crate::store::{detail, failed, info, jobs, overview, running, schedulers, workers};

/// A page error: rendered as an HTML page with the frame, never as JSON.
pub struct PageError(Error, Box<Chrome>);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        if status.is_server_error() {
            tracing::warn!(status = status.as_u16(), "{}", self.0);
        }
        let heading = match status {
            StatusCode::NOT_FOUND => "Not found",
            StatusCode::BAD_REQUEST => "Bad request",
            StatusCode::SERVICE_UNAVAILABLE => "Redis is unreachable",
            _ => "Something went wrong",
        };
        let mut c = *self.1;
        c.title = heading.to_owned();
        let page = ErrorPage {
            c,
            status: status.as_u16(),
            heading: heading.to_owned(),
            message: self.0.to_string(),
        };
        (status, page).into_response()
    }
}

pub(super) type PageResult<T> = Result<T, PageError>;

/// Turn any error into a page error inside the given frame: `.map_err(pe(&c))`.
pub(super) fn pe<E: Into<Error>>(c: &Chrome) -> impl Fn(E) -> PageError + '_ {
    move |e| PageError(e.into(), Box::new(c.clone()))
}

/// Validate the query and pick the instance; errors render inside the frame of instance 0.
pub(super) fn start(
    app: &AppState,
    q: Option<&str>,
    allowed: &[&str],
    title: &str,
    nav: &'static str,
) -> PageResult<(Params, Chrome)> {
    let fallback = || Chrome::new(app, 0, title, nav);
    let p = Params::parse(q, allowed).map_err(|e| PageError(e, Box::new(fallback())))?;
    let n = p.instance().map_err(|e| PageError(e, Box::new(fallback())))?;
    if app.store.instance(n).is_err() {
        return Err(PageError(Error::NotFound(format!("no Redis instance {n}")), Box::new(fallback())));
    }
    Ok((p, Chrome::new(app, n, title, nav)))
}

/// `GET /`: the overview.
pub async fn overview_page(State(app): State<AppState>, RawQuery(q): RawQuery) -> PageResult<OverviewPage> {
    let (p, c) = start(
        &app,
        q.as_deref(),
        &["instance", "sort", "dir", "q", "range", "qpage"],
        "Overview",
        "overview",
    )?;
    let range = range_param(&p, &c)?;
    let fail = |e: crate::store::Error| PageError(e.into(), Box::new(c.clone()));
    let inst = app.store.instance(c.instance).map_err(fail)?;
    let sort = p.get("sort").unwrap_or("name");
    let valid = ["name", "workers", "oldest", "held"].contains(&sort) || rq::State::parse(sort).is_some();
    if !valid {
        return Err(PageError(Error::BadRequest(format!("cannot sort by {sort:?}")), Box::new(c)));
    }
    let desc = p.get("dir") == Some("desc");
    let qpage = p.int("qpage", 1, 1, 1_000_000).map_err(|e| PageError(e, Box::new(c.clone())))?;
    let (o, w, r, h, top) = tokio::join!(
        overview::overview(inst),
        workers::workers(inst),
        info::redis_info(inst),
        history::charts_for(inst, &app.history, None, range),
        super::search::groups::top_groups_last_hour(&app, &c, 5)
    );
    let (o, w) = (o.map_err(fail)?, w.map_err(fail)?);
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
    let mut page = OverviewPage::build(c, o, &w, r, inst.sentinel, &query);
    // History is an extra: a failed read leaves the charts out, not the page.
    page.history = h.ok().map(|h| HistoryBlock::new(h, &base));
    page.top_groups = Some(top);
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
    let range = range_param(&p, &c)?;
    let bad = |e: Error, c: &Chrome| PageError(e, Box::new(c.clone()));
    let state = match p.get("state") {
        None | Some("") => rq::State::Queued,
        Some(s) => {
            rq::State::parse(s).ok_or_else(|| bad(Error::NotFound(format!("unknown state {s:?}")), &c))?
        }
    };
    let desc = match p.get("order") {
        // Failures first: a failed tab opens on the newest failure.
        None => state == rq::State::Failed,
        Some("asc") => false,
        Some("desc") => true,
        Some(o) => return Err(bad(Error::BadRequest(format!("order must be asc or desc, got {o:?}")), &c)),
    };
    let page = p.int("page", 1, 1, 10_000_000).map_err(|e| bad(e, &c))?;
    let per_page = p.int("per_page", 50, 1, jobs::MAX_PER_PAGE).map_err(|e| bad(e, &c))?;
    let inst = app.store.instance(c.instance).map_err(|e| bad(e.into(), &c))?;
    let expired = p.flag("expired").map_err(|e| bad(e, &c))?;
    let query = jobs::PageQuery { state, page, per_page, desc, expired };
    let (list, o, h, a) = tokio::join!(
        jobs::list(inst, &queue, query),
        overview::queue_counts(inst, &queue),
        history::charts_for(inst, &app.history, Some(&queue), range),
        schedulers::alerts(inst, std::slice::from_ref(&queue))
    );
    if let Ok(a) = a {
        inst.note_cron(a.cron_present);
        c.schedulers_nav = inst.cron_seen();
        c.scheduler_banner = a.banner();
    }
    let list = list.map_err(|e| bad(e.into(), &c))?;
    let (counts, suspended, corrupt) = o.map_err(|e| bad(e.into(), &c))?;
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
    let mut page = QueuePage::build(c, list, &counts, &corrupt);
    page.history = h.ok().map(|h| HistoryBlock::new(h, &base));
    Ok(page)
}

/// The `range` of the history charts (1h, 24h, 7d, 90d; default 1h).
fn range_param(p: &Params, c: &Chrome) -> PageResult<history_store::Range> {
    match p.get("range") {
        None => Ok(Default::default()),
        Some(r) => history_store::Range::parse(r).ok_or_else(|| {
            PageError(
                Error::BadRequest(format!("range must be 1h, 24h, 7d or 90d, got {r:?}")),
                Box::new(c.clone()),
            )
        }),
    }
}

/// `GET /jobs/{id}`.
pub async fn job_page(
    State(app): State<AppState>,
    Path(Name(id)): Path<Name>,
    RawQuery(q): RawQuery,
) -> PageResult<JobPage> {
    let (_, mut c) = start(&app, q.as_deref(), &["instance"], "Job", "")?;
    let inst = app.store.instance(c.instance).map_err(pe(&c))?;
    let j = detail::job(inst, &id).await.map_err(pe(&c))?;
    c.title = format!("Job {id}");
    Ok(JobPage::build(c, j))
}

/// `GET /workers`.
pub async fn workers_page(State(app): State<AppState>, RawQuery(q): RawQuery) -> PageResult<WorkersPage> {
    let (_, c) = start(&app, q.as_deref(), &["instance"], "Workers", "workers")?;
    let inst = app.store.instance(c.instance).map_err(pe(&c))?;
    let w = workers::workers(inst).await.map_err(pe(&c))?;
    let jobs = running::current_jobs(inst, &w).await.map_err(pe(&c))?;
    let mut c = c;
    inst.note_cron(super::schedulers::any_cron_worker(&w));
    c.schedulers_nav = inst.cron_seen();
    Ok(WorkersPage::build(c, w, &jobs))
}

/// `GET /failed`: newest failures across all queues, filtered by queue, function, exception.
pub async fn failed_page(State(app): State<AppState>, RawQuery(q): RawQuery) -> PageResult<FailedPage> {
    let allowed = ["instance", "limit", "queue", "function", "exception"];
    let (p, mut c) = start(&app, q.as_deref(), &allowed, "Failures", "failed")?;
    let limit = p.int("limit", 100, 1, 1000).map_err(pe(&c))?;
    let inst = app.store.instance(c.instance).map_err(pe(&c))?;
    let text = |k: &str| p.get(k).unwrap_or("").trim().to_owned();
    let filter = failed::FailedFilter {
        queue: text("queue"),
        function: text("function"),
        exception: text("exception"),
    };
    let n = usize::try_from(limit).unwrap_or(100);
    let f = failed::failed_filtered(inst, n, &filter).await.map_err(pe(&c))?;
    let names: Vec<String> = f.rows.iter().filter_map(|(_, r)| r.worker_name.clone()).collect();
    let known = running::known_workers(inst, &names).await.map_err(pe(&c))?;
    c.suspended = crate::store::control::state(inst).await.is_ok_and(|s| s.suspended);
    Ok(FailedPage::build(c, f, filter, limit, &known))
}

/// `GET /jump?id=`: the header's job-id box.
pub async fn jump(State(app): State<AppState>, RawQuery(q): RawQuery) -> PageResult<Response> {
    let (p, c) = start(&app, q.as_deref(), &["instance", "id"], "Job", "")?;
    let id = p.get("id").unwrap_or("").trim().to_owned();
    if id.is_empty() {
        return Err(PageError(Error::BadRequest("type a job id to jump to it".into()), Box::new(c)));
    }
    let inst = app.store.instance(c.instance).map_err(pe(&c))?;
    let mut pipe = redis::pipe();
    pipe.cmd("EXISTS").arg(inst.keys.job(&id));
    let (n,): (i64,) = inst.query(&pipe).await.map_err(pe(&c))?;
    if n == 0 {
        return Err(PageError(
            Error::NotFound(format!("no job with id {id:?} in instance {}", c.instance)),
            Box::new(c),
        ));
    }
    Ok(Redirect::to(&c.job_href(&id)).into_response())
}

/// Any other path: an HTML 404 inside the frame.
pub async fn not_found(State(app): State<AppState>) -> PageError {
    PageError(Error::NotFound("no such page".into()), Box::new(Chrome::new(&app, 0, "Not found", "")))
}
