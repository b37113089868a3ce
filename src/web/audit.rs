//! The audit log over HTTP: one middleware records every request that may change data (every
//! method but GET/HEAD/OPTIONS), so a new action route is recorded without a line of its own.
//!
//! It runs inside the security guard, so it sees only requests that were let through, with the
//! caller's [`Identity`]. It writes the intent first and refuses the request with a 503 when that
//! fails (fail closed: rqdash never makes a change it cannot attribute). Then the handler runs in
//! its own task, so that a client hanging up mid-action still leaves an outcome, and the outcome
//! is written from the answer: at once, or, for an answer that names a background task (202),
//! when that task ends: done, stopped between chunks (partial counts) or failed.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::body::{Body, Bytes};
use axum::extract::{MatchedPath, RawPathParams, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::AppState;
use crate::audit::{self, Entry, Target};
use crate::auth::Identity;
use crate::store::audit as log;

/// The audit settings of the server and the background tasks it still has to close.
#[derive(Debug, Default)]
pub struct Audit {
    pub log: log::Log,
    /// Task number → (instance, intent) of the action it runs, so that stopping it is recorded
    /// where the action is, naming it.
    tasks: Mutex<HashMap<u64, (usize, Entry)>>,
}

impl Audit {
    /// Record to `log`.
    pub fn new(log: log::Log) -> Self {
        Self { log, tasks: Mutex::default() }
    }

    fn task(&self, id: u64) -> Option<(usize, Entry)> {
        self.tasks.lock().ok()?.get(&id).cloned()
    }
}

/// Requests by POST that only read (collecting a selection's ids changes nothing).
const READS: [&str; 1] = ["/api/v1/search/select"];

/// What a request does, named from its route: (action, target, instance), or None for a read.
fn describe(
    app: &AppState,
    method: &Method,
    route: &str,
    params: &HashMap<String, String>,
    query: &str,
    body: &Bytes,
) -> Option<(String, Target, usize)> {
    if READS.contains(&route) {
        return None;
    }
    let q = super::params::Params::loose(query);
    let p = |k: &str| params.get(k).cloned().unwrap_or_default();
    let mut n = q.get("instance").and_then(|i| i.parse().ok()).unwrap_or(0);
    let queue = |state: &str| Target { queue: p("queue"), state: state.into(), ..Target::default() };
    let state = q.get("state").cloned().unwrap_or_default();
    let (action, target) = match route {
        // Showing a job's redacted values to an admin is recorded like an action on it.
        "/api/v1/jobs/{id}/reveal" => ("job.reveal".into(), Target::default().with_ids(&[p("id")])),
        "/api/v1/jobs/{id}/{action}" | "/job/{id}/{action}" => {
            (format!("job.{}", p("action")), Target::default().with_ids(&[p("id")]))
        }
        "/api/v1/jobs/bulk" => {
            let b: Value = serde_json::from_slice(body).unwrap_or_default();
            let ids: Vec<String> = b["ids"].as_array().map_or_else(Vec::new, |a| {
                a.iter().map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned)).collect()
            });
            let text = |k: &str| b[k].as_str().unwrap_or_default().to_owned();
            let t = Target { queue: text("queue"), state: text("state"), ..Target::default() };
            (format!("bulk.{}", text("action")), t.with_ids(&ids))
        }
        "/api/v1/queues/{queue}/requeue" => ("queue.requeue".into(), queue(&state)),
        "/requeue/{queue}" => ("queue.requeue".into(), queue("failed")),
        "/requeue-all" => (
            "queue.requeue".into(),
            Target { state: "failed".into(), target: "every queue".into(), ..Target::default() },
        ),
        "/api/v1/queues/{queue}/empty" => ("queue.empty".into(), queue(&state)),
        "/queue/{queue}/empty" => ("queue.empty".into(), queue("queued")),
        "/queue/{queue}/{registry}/empty" => ("queue.empty".into(), queue(&p("registry"))),
        "/api/v1/queues/{queue}/compact" | "/queue/{queue}/compact" => {
            ("queue.compact".into(), queue("queued"))
        }
        "/api/v1/search/selections/{id}/{action}" => {
            let (query, _) = super::search::selection::described(app, &p("id")).unwrap_or_default();
            let t = Target { target: format!("selection {}", p("id")), query, ..Target::default() };
            (format!("selection.{}", p("action")), t)
        }
        "/api/v1/workers/suspend" => {
            let target = q.get("duration").map(|d| format!("{d}s")).unwrap_or_default();
            ("workers.suspend".into(), Target { target, ..Target::default() })
        }
        "/api/v1/workers/resume" => ("workers.resume".into(), Target::default()),
        "/api/v1/workers/remove-stale" => ("workers.remove-stale".into(), Target::default()),
        "/api/v1/workers/{name}/{command}" => {
            (format!("worker.{}", p("command")), Target { target: p("name"), ..Target::default() })
        }
        "/api/v1/doctor/fix" => ("doctor.fix".into(), Target::default()),
        "/api/v1/tasks/{id}/cancel" => {
            let task = p("id");
            let mut target = format!("task {task}");
            if let Some((inst, intent)) = task.parse().ok().and_then(|t| app.audit.task(t)) {
                n = inst;
                target = format!("task {task}: {} {}", intent.action, intent.id);
                return Some(("task.stop".into(), Target { target, ..intent.target }, n));
            }
            ("task.stop".into(), Target { target, ..Target::default() })
        }
        // A route added without a name here is still recorded, by its method and path.
        other => (format!("{method} {other}"), Target::default()),
    };
    Some((action, target, n))
}

/// The middleware (see the module documentation).
pub async fn record(State(app): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let Some(route) = req.extensions().get::<MatchedPath>().map(|m| m.as_str().to_owned()) else {
        return next.run(req).await;
    };
    let route = route.strip_prefix(app.prefix.as_str()).unwrap_or(&route).to_owned();
    let (mut parts, body) = req.into_parts();
    let params: HashMap<String, String> =
        match <RawPathParams as axum::extract::FromRequestParts<AppState>>::from_request_parts(
            &mut parts, &app,
        )
        .await
        {
            Ok(raw) => raw.iter().map(|(k, v)| (k.to_owned(), super::fmt::unseg(v.to_owned()))).collect(),
            Err(_) => HashMap::new(),
        };
    // Over the limit: the 413 the handler's own extractor would answer (made JSON outside).
    let Ok(bytes) = axum::body::to_bytes(body, super::BODY_LIMIT).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };

    let query = parts.uri.query().unwrap_or_default().to_owned();
    let Some((action, target, n)) = describe(&app, &parts.method, &route, &params, &query, &bytes) else {
        return next.run(Request::from_parts(parts, Body::from(bytes))).await;
    };
    let who = parts.extensions.get::<Identity>().cloned().unwrap_or_else(|| Identity::anonymous(None));
    let n = if app.store.instance(n).is_ok() { n } else { 0 };
    let Ok(inst) = app.store.instance(n) else {
        return next.run(Request::from_parts(parts, Body::from(bytes))).await;
    };
    let mut intent = Entry::intent(&who, &action, target);
    match log::record(inst, &app.audit.log, &intent).await {
        Ok(id) => intent.id = id,
        Err(e) => {
            // 403 when the Redis user may not XADD (ACL), else 503: rqdash cannot act now.
            let forbidden = matches!(e, crate::store::Error::Forbidden { .. });
            let status = if forbidden { StatusCode::FORBIDDEN } else { StatusCode::SERVICE_UNAVAILABLE };
            let msg = format!("the audit log could not be written, so nothing was done: {e}");
            return (status, axum::Json(json!({ "error": msg }))).into_response();
        }
    }
    let req = Request::from_parts(parts, Body::from(bytes));
    let handler = tokio::spawn(async move {
        let res = next.run(req).await;
        conclude(&app, n, intent, res).await
    });
    handler.await.unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// Write the outcome of `intent` from the answer `res` (or hand it to the task the answer names),
/// and give the answer back unchanged.
async fn conclude(app: &AppState, n: usize, intent: Entry, res: Response) -> Response {
    let (parts, body) = res.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap_or_default();
    let answer: Value = serde_json::from_slice(&bytes).unwrap_or_default();
    let failed = !parts.status.is_success();
    let task = answer.get("task").and_then(Value::as_u64).filter(|_| parts.status == StatusCode::ACCEPTED);
    match task {
        Some(id) => follow(app.clone(), n, intent, id),
        None => {
            let mut results = audit::results(&answer);
            results.remove("error");
            results.insert("http_status".into(), json!(parts.status.as_u16()));
            let error = answer["error"].as_str().unwrap_or_default();
            let error = if failed && error.is_empty() { parts.status.to_string() } else { error.to_owned() };
            let outcome = intent.outcome(audit::status_of(&results, failed), results, &error);
            if let Ok(inst) = app.store.instance(n) {
                let _ = log::record(inst, &app.audit.log, &outcome).await;
            }
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Write the outcome of background task `id` when it ends.
fn follow(app: AppState, n: usize, intent: Entry, id: u64) {
    let Ok(mut rx) = app.tasks.watch(id) else { return };
    if let Ok(mut t) = app.audit.tasks.lock() {
        t.insert(id, (n, intent.clone()));
    }
    tokio::spawn(async move {
        while !rx.borrow().done {
            if rx.changed().await.is_err() {
                break;
            }
        }
        let s = rx.borrow().clone();
        let mut results = audit::results(&serde_json::to_value(s.outcome).unwrap_or_default());
        results.insert("task".into(), json!(id));
        results.insert("processed".into(), json!(s.processed));
        let error = s.error.unwrap_or_default();
        let outcome =
            intent.outcome(audit::status_of(&results, !error.is_empty() || !s.done), results, &error);
        if let Ok(inst) = app.store.instance(n) {
            let _ = log::record(inst, &app.audit.log, &outcome).await;
        }
        if let Ok(mut t) = app.audit.tasks.lock() {
            t.remove(&id);
        }
    });
}
