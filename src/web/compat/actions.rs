//! rq-dashboard's action routes (`/job/<id>/delete`, `/requeue/<queue>`, ...), answered in its
//! `{"status": "OK"}` shape. Each one is the `/api/v1` action it names, called as it is, so the
//! same orphan-safe Lua, checks, read-only refusal and CSRF guard apply; GET never acts.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::super::AppState;
use super::super::actions;
use super::super::error::{Error, Result};
use super::super::params::{Name, Params};
use crate::rq::State as RqState;
use crate::store::overview;

/// rq-dashboard's registry names for `/queue/<queue>/<registry>/empty`.
const REGISTRIES: [&str; 7] =
    ["queued", "failed", "finished", "deferred", "scheduled", "canceled", "started"];

/// The instance an action route acts on: `?instance=N` (rq-dashboard's action URLs name none).
fn instance(q: Option<&str>) -> Result<usize> {
    Params::parse(q, &["instance"])?.instance()
}

/// An `/api/v1` answer in rq-dashboard's shape: `{"status": "OK", ...counts}` on success,
/// `{"status": "ERROR", "error": ...}` with the same HTTP status otherwise.
async fn reshape(res: Response, count: Option<&str>) -> Response {
    let status = res.status();
    let body = axum::body::to_bytes(res.into_body(), 1 << 20).await.unwrap_or_default();
    let mut out = Map::new();
    let inner: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let ok = status.is_success();
    out.insert("status".into(), json!(if ok { "OK" } else { "ERROR" }));
    if let Some(field) = count.filter(|_| ok) {
        out.insert("count".into(), inner.get(field).cloned().unwrap_or(json!(0)));
    }
    if let Value::Object(m) = inner {
        out.extend(m);
    }
    (status, Json(Value::Object(out))).into_response()
}

/// A refusal in rq-dashboard's shape, `{"status": "ERROR", "error": ...}`, with the HTTP status
/// the error maps to; handlers return it with `?`.
pub struct Refused(Error);

impl<E: Into<Error>> From<E> for Refused {
    fn from(e: E) -> Self {
        Refused(e.into())
    }
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        let status = self.0.status();
        (status, Json(json!({ "status": "ERROR", "error": self.0.to_string() }))).into_response()
    }
}

type Answer = std::result::Result<Response, Refused>;

/// `POST /job/<id>/delete` and `POST /job/<id>/requeue`.
pub async fn job(
    State(app): State<AppState>,
    Path((Name(id), action)): Path<(Name, String)>,
    RawQuery(q): RawQuery,
) -> Answer {
    let n = instance(q.as_deref())?;
    // rq-dashboard's job actions (cancel: before 0.6); rqdash's others live under /api/v1.
    if !["delete", "requeue", "cancel"].contains(&action.as_str()) {
        return Err(Error::NotFound(format!("unknown action {action:?} (delete, requeue, cancel)")).into());
    }
    let res =
        actions::job_action(State(app), Path((Name(id), action)), RawQuery(Some(format!("instance={n}"))))
            .await
            .into_response();
    Ok(reshape(res, None).await)
}

/// `POST /requeue/<queue>`: every failed job of the queue; `count` is how many were requeued.
pub async fn requeue_queue(
    State(app): State<AppState>,
    Path(Name(queue)): Path<Name>,
    RawQuery(q): RawQuery,
) -> Answer {
    let n = instance(q.as_deref())?;
    let query = RawQuery(Some(format!("state=failed&instance={n}")));
    let res = actions::requeue_all(State(app), Path(Name(queue)), query).await.into_response();
    Ok(reshape(res, Some("requeued")).await)
}

/// `POST /requeue-all` (rq-dashboard before 0.6, when RQ had one failed queue): the failed jobs
/// of every queue, one queue after the other, their counts added.
pub async fn requeue_every_queue(State(app): State<AppState>, RawQuery(q): RawQuery) -> Answer {
    let n = instance(q.as_deref())?;
    let (names, _) = overview::queue_list(app.store.instance(n)?).await?;
    let mut total = Map::new();
    for name in names {
        let query = RawQuery(Some(format!("state=failed&instance={n}")));
        let res = actions::requeue_all(State(app.clone()), Path(Name(name)), query).await.into_response();
        let status = res.status();
        let body = axum::body::to_bytes(res.into_body(), 1 << 20).await.unwrap_or_default();
        match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Object(o)) if status.is_success() => add(&mut total, o),
            // A queue removed since it was listed has nothing left to requeue.
            _ if status == StatusCode::NOT_FOUND => {}
            _ => return Ok(reshape((status, body).into_response(), None).await),
        }
    }
    Ok(reshape(Json(Value::Object(total)).into_response(), Some("requeued")).await)
}

/// Add one queue's counts to the total (an interruption in any is one in the sum).
fn add(total: &mut Map<String, Value>, o: Map<String, Value>) {
    for (k, v) in o {
        let sum = match (total.get(&k), &v) {
            (Some(Value::Number(a)), Value::Number(b)) => {
                json!(a.as_u64().unwrap_or(0) + b.as_u64().unwrap_or(0))
            }
            (Some(Value::Bool(a)), Value::Bool(b)) => json!(*a || *b),
            _ => v,
        };
        total.insert(k, sum);
    }
}

/// `POST /queue/<queue>/<registry>/empty` (and `/queue/<queue>/empty`, the queued list, as
/// rq-dashboard before 0.6 had it). An empty `started` registry empties to nothing; one holding
/// running jobs is refused, as `/api/v1` refuses it: stop them instead.
pub async fn empty(
    State(app): State<AppState>,
    Path((Name(queue), registry)): Path<(Name, String)>,
    RawQuery(q): RawQuery,
) -> Answer {
    let n = instance(q.as_deref())?;
    if !REGISTRIES.contains(&registry.as_str()) {
        let all = REGISTRIES.join(", ");
        return Err(Error::NotFound(format!("unknown registry {registry:?} (one of {all})")).into());
    }
    if registry == RqState::Started.as_str() {
        return empty_started(&app, n, &queue).await;
    }
    let query = RawQuery(Some(format!("state={registry}&instance={n}")));
    let res = actions::empty(State(app), Path(Name(queue)), query).await.into_response();
    Ok(reshape(res, None).await)
}

/// `POST /queue/<queue>/empty`: rq-dashboard before 0.6 emptied the queued list.
pub async fn empty_queued(state: State<AppState>, Path(Name(queue)): Path<Name>, q: RawQuery) -> Answer {
    empty(state, Path((Name(queue), "queued".to_owned())), q).await
}

async fn empty_started(app: &AppState, n: usize, queue: &str) -> Answer {
    let (c, ..) = overview::queue_counts(app.store.instance(n)?, queue).await?;
    if c.started > 0 {
        return Err(crate::store::Error::Conflict(format!(
            "the started registry of {queue:?} holds {} running jobs: it is not emptied (their workers \
             would lose them); stop them instead",
            c.started
        ))
        .into());
    }
    Ok(Json(json!({ "status": "OK", "deleted": 0 })).into_response())
}

/// `POST /queue/<queue>/compact`.
pub async fn compact(
    State(app): State<AppState>,
    Path(Name(queue)): Path<Name>,
    RawQuery(q): RawQuery,
) -> Answer {
    let n = instance(q.as_deref())?;
    let res = actions::compact(State(app), Path(Name(queue)), RawQuery(Some(format!("instance={n}"))))
        .await
        .into_response();
    Ok(reshape(res, None).await)
}

/// GET on an action route: 405, never an action (links, prefetchers and crawlers follow GETs,
/// and a GET carries no CSRF check).
pub async fn refuse_get() -> Response {
    let msg = "this action changes data, so it is only done by POST (rq-dashboard also accepted GET \
               here; rqdash does not: browsers prefetch, crawlers follow links, and a GET is not \
               CSRF-checked)";
    (
        StatusCode::METHOD_NOT_ALLOWED,
        [(header::ALLOW, "POST")],
        Json(json!({ "status": "ERROR", "error": msg })),
    )
        .into_response()
}
