//! Worker pages and controls: the detail page, its API, suspend/resume, shutdown, kill-horse,
//! and removal of stale entries (all POST, behind the same guard as every action).

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use serde_json::{Value, json};

use super::AppState;
use super::error::Result;
use super::page::{PageResult, start};
use super::params::{Name, Params};
use super::view::worker::WorkerPage;
use super::view::worker_link::WorkerPages;
use crate::store::{control, running, worker_cmd, worker_detail};

/// `GET /workers/{name}`.
pub async fn page(
    State(app): State<AppState>,
    Path(Name(name)): Path<Name>,
    RawQuery(q): RawQuery,
) -> PageResult<WorkerPage> {
    let (_, mut c) = start(&app, q.as_deref(), &["instance"], "Worker", "workers")?;
    let inst = app.store.instance(c.instance)?;
    let (d, s) = tokio::join!(worker_detail::worker(inst, &name), control::state(inst));
    let d = d?;
    c.suspended = s.is_ok_and(|s| s.suspended);
    c.title = format!("Worker {name}");
    Ok(WorkerPage::build(c, d))
}

/// `GET /api/v1/workers/{name}`.
pub async fn show(
    State(app): State<AppState>,
    Path(Name(name)): Path<Name>,
    RawQuery(q): RawQuery,
) -> Result<Json<worker_detail::WorkerDetail>> {
    let p = Params::parse(q.as_deref(), &["instance"])?;
    Ok(Json(worker_detail::worker(app.store.instance(p.instance()?)?, &name).await?))
}

/// `POST /api/v1/workers/suspend[?duration=S]`: RQ's `rq suspend`.
pub async fn suspend(
    State(app): State<AppState>,
    RawQuery(q): RawQuery,
) -> Result<Json<control::Suspension>> {
    let p = Params::parse(q.as_deref(), &["instance", "duration"])?;
    let inst = app.store.instance(p.instance()?)?;
    let duration = match p.get("duration") {
        Some(_) => Some(p.int("duration", 0, 1, 31_536_000)?),
        None => None,
    };
    Ok(Json(control::suspend(inst, duration).await?))
}

/// `POST /api/v1/workers/resume`: RQ's `rq resume`.
pub async fn resume(State(app): State<AppState>, RawQuery(q): RawQuery) -> Result<Json<Value>> {
    let p = Params::parse(q.as_deref(), &["instance"])?;
    let was = control::resume(app.store.instance(p.instance()?)?).await?;
    Ok(Json(json!({ "resumed": true, "was_suspended": was })))
}

/// `POST /api/v1/workers/remove-stale`: drop entries whose worker hash is really gone.
pub async fn remove_stale(
    State(app): State<AppState>,
    RawQuery(q): RawQuery,
) -> Result<Json<worker_cmd::StaleRemoved>> {
    let p = Params::parse(q.as_deref(), &["instance"])?;
    Ok(Json(worker_cmd::remove_stale(app.store.instance(p.instance()?)?).await?))
}

/// `POST /api/v1/workers/{name}/shutdown` and `/kill-horse`.
pub async fn command(
    State(app): State<AppState>,
    Path((Name(name), command)): Path<(Name, String)>,
    RawQuery(q): RawQuery,
) -> Result<Json<Value>> {
    let p = Params::parse(q.as_deref(), &["instance"])?;
    let inst = app.store.instance(p.instance()?)?;
    let out = match command.as_str() {
        "shutdown" => worker_cmd::shutdown(inst, &name).await?,
        "kill-horse" => worker_cmd::kill_horse(inst, &name).await?,
        other => {
            return Err(super::error::Error::NotFound(format!(
                "unknown worker command {other:?} (shutdown, kill-horse)"
            )));
        }
    };
    let message = if out.receivers > 0 {
        format!("sent {} to worker {name}", out.command)
    } else {
        format!(
            "no worker is listening on its channel: the {} command was lost (is the worker dead?)",
            out.command
        )
    };
    Ok(Json(
        json!({ "worker": name, "command": out.command, "receivers": out.receivers, "heard": out.receivers > 0, "message": message }),
    ))
}

/// GET of a worker literally named like a control route (`suspend`, `resume`, `remove-stale`).
pub async fn show_named(
    state: State<AppState>,
    name: &'static str,
    q: RawQuery,
) -> Result<Json<worker_detail::WorkerDetail>> {
    show(state, Path(Name(name.to_owned())), q).await
}

/// Which of `names` (the worker names a page shows) to link: one pipelined read, none when no
/// name is shown. A worker that exited and left nothing is named without a link.
pub(super) async fn linkable(
    inst: &crate::store::Instance,
    names: Vec<String>,
) -> std::result::Result<WorkerPages, crate::store::Error> {
    Ok(WorkerPages::new(running::known_workers(inst, &names).await?))
}
