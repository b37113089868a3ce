//! Who may call which route: one rule per route of the route table, enforced by one
//! `route_layer` over every route, so a route without a rule is admin-only (and a test reading
//! `web/mod.rs` fails) rather than left open.

use axum::body::Body;
use axum::extract::{FromRequestParts, MatchedPath, RawPathParams, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use crate::auth::need::{action_role, refusal};
use crate::auth::{Identity, Role};

/// What a route needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// A read: every identity.
    Read,
    /// This action (its role from [`action_role`]).
    Act(&'static str),
    /// The action named by this path parameter (`jobs/{id}/{action}`).
    PathAction(&'static str),
    /// The `action` field of the JSON body (`/api/v1/jobs/bulk`).
    BodyAction,
}

/// Which queue the role must hold on, for queue-scoped identities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The `{queue}` path parameter.
    Queue,
    /// The `origin` of the job `{id}` (one field read from Redis, only for scoped identities).
    Job,
    /// Several queues or none (bulk ids, selections, workers, suspend): an unscoped grant.
    All,
}

/// One route's rule: method, path (without the URL prefix), need, scope.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub method: &'static str,
    pub path: &'static str,
    pub need: Need,
    pub scope: Scope,
}

const fn read(path: &'static str) -> Rule {
    Rule { method: "GET", path, need: Need::Read, scope: Scope::All }
}

const fn post(path: &'static str, need: Need, scope: Scope) -> Rule {
    Rule { method: "POST", path, need, scope }
}

use Need::{Act, BodyAction, PathAction};
use Scope::{All, Job, Queue};

/// Every route of [`super::router`] and what it needs.
pub const RULES: &[Rule] = &[
    read("/"),
    read("/queues/{queue}"),
    read("/jobs/{id}"),
    read("/jobs/{id}/full"),
    read("/workers"),
    read("/workers/{name}"),
    read("/failed"),
    read("/schedulers"),
    read("/api/v1/schedulers"),
    read("/failed/groups"),
    read("/search"),
    read("/api/v1/search"),
    post("/api/v1/search/select", Act("select"), All),
    read("/api/v1/search/selections/{id}"),
    post("/api/v1/search/selections/{id}/{action}", PathAction("action"), All),
    read("/api/v1/failed"),
    read("/api/v1/failed/groups"),
    read("/groups/{name}"),
    read("/api/v1/groups/{name}"),
    read("/rate-limits"),
    read("/rate-limits/{key}"),
    read("/api/v1/rate-limits"),
    read("/api/v1/rate-limits/{key}"),
    read("/functions"),
    read("/functions/{func}"),
    read("/api/v1/functions"),
    read("/api/v1/functions/{func}"),
    read("/audit"),
    read("/api/v1/audit"),
    read("/jump"),
    read("/doctor"),
    read("/api/v1/doctor"),
    post("/api/v1/doctor/fix", Act("repair"), All),
    read("/events"),
    read("/static/{*path}"),
    read("/api/v1/instances"),
    read("/api/v1/queues"),
    read("/api/v1/queues/{queue}/jobs"),
    read("/api/v1/jobs/{id}"),
    read("/api/v1/workers"),
    read("/api/v1/workers/{name}"),
    read("/api/v1/workers/suspend"),
    post("/api/v1/workers/suspend", Act("suspend"), All),
    read("/api/v1/workers/resume"),
    post("/api/v1/workers/resume", Act("resume"), All),
    read("/api/v1/workers/remove-stale"),
    post("/api/v1/workers/remove-stale", Act("remove-stale"), All),
    post("/api/v1/workers/{name}/{command}", PathAction("command"), All),
    read("/api/v1/redis"),
    read("/api/v1/jobs/bulk"),
    post("/api/v1/jobs/bulk", BodyAction, All),
    post("/api/v1/jobs/{id}/reveal", Act("reveal"), Job),
    post("/api/v1/jobs/{id}/{action}", PathAction("action"), Job),
    post("/api/v1/queues/{queue}/requeue", Act("requeue"), Queue),
    post("/api/v1/queues/{queue}/empty", Act("empty"), Queue),
    post("/api/v1/queues/{queue}/compact", Act("compact"), Queue),
    read("/api/v1/tasks/{id}"),
    post("/api/v1/tasks/{id}/cancel", Act("cancel-task"), All),
    read("/api/v1/tasks/{id}/events"),
    read("/api/{*rest}"),
    read("/api/v1/health"),
    read("/healthz"),
    read("/readyz"),
    read("/metrics"),
    read("/{n}/data/queues.json"),
    read("/{n}/data/workers.json"),
    read("/{n}/data/job/{id}"),
    read("/{n}/data/jobs/{queue}/{registry}/{per_page}/{order}/{page}"),
    read("/{n}/"),
    read("/{n}/view"),
    read("/{n}/view/queues"),
    read("/{n}/view/workers"),
    read("/{n}/view/job/{id}"),
    read("/{n}/view/jobs"),
    read("/{n}/view/jobs/{queue}/{registry}/{per_page}/{order}/{page}"),
    // rq-dashboard's action URLs answer a GET with a 405 saying "POST": a read.
    read("/job/{id}/{action}"),
    post("/job/{id}/{action}", PathAction("action"), Job),
    read("/requeue/{queue}"),
    post("/requeue/{queue}", Act("requeue"), Queue),
    read("/requeue-all"),
    post("/requeue-all", Act("requeue"), All),
    read("/queue/{queue}/empty"),
    post("/queue/{queue}/empty", Act("empty"), Queue),
    read("/queue/{queue}/compact"),
    post("/queue/{queue}/compact", Act("compact"), Queue),
    read("/queue/{queue}/{registry}/empty"),
    post("/queue/{queue}/{registry}/empty", Act("empty"), Queue),
];

/// The rule of a route (HEAD is a GET).
pub fn rule(method: &str, path: &str) -> Option<&'static Rule> {
    let method = if method == "HEAD" { "GET" } else { method };
    RULES.iter().find(|r| r.method == method && r.path == path)
}

fn refuse(status: StatusCode, msg: &str) -> Response {
    (status, axum::Json(serde_json::json!({ "error": msg }))).into_response()
}

/// The route layer: look up the matched route's rule and refuse what the caller may not do.
pub async fn enforce(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let matched = req.extensions().get::<MatchedPath>().map(|m| m.as_str().to_owned()).unwrap_or_default();
    let path = matched.strip_prefix(app.prefix.as_str()).unwrap_or(&matched);
    let path = if path.is_empty() { "/" } else { path };
    // No rule for this method (a POST to a GET route, which axum answers 405), or a route added
    // without one (the test below fails): admins only, never an open door.
    const NO_RULE: Rule = Rule { method: "", path: "", need: Need::Act("unlisted"), scope: Scope::All };
    let rule = rule(req.method().as_str(), path).unwrap_or(&NO_RULE);
    if rule.need == Need::Read {
        return next.run(req).await;
    }
    let who = req.extensions().get::<Identity>().cloned();
    let who = who.unwrap_or_else(|| Identity::anonymous(None).capped(Role::Viewer));
    let (mut parts, body) = req.into_parts();
    let params = RawPathParams::from_request_parts(&mut parts, &app).await.ok();
    let param = |name: &str| {
        params.as_ref().and_then(|p| p.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_owned()))
    };
    let (action, body) = match rule.need {
        Need::Act(a) => (a.to_owned(), body),
        Need::PathAction(p) => (param(p).unwrap_or_default(), body),
        Need::BodyAction | Need::Read => match axum::body::to_bytes(body, super::BODY_LIMIT).await {
            Ok(bytes) => (body_action(&bytes), Body::from(bytes)),
            // Bare: error::body_too_large words it (the limit), as for every other route.
            Err(_) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
        },
    };
    let need = action_role(&action);
    let queue = match rule.scope {
        Scope::Queue => param("queue"),
        Scope::Job if !who.queues.is_empty() && who.role >= need => {
            let n = super::refresh::instance(parts.uri.query()).unwrap_or(0);
            let id = param("id").unwrap_or_default();
            match app.store.instance(n) {
                Ok(inst) => crate::store::detail::origin(inst, &id).await.ok().flatten(),
                Err(_) => None,
            }
        }
        Scope::Job | Scope::All => None,
    };
    if !who.may(need, queue.as_deref()) {
        let what = if action.is_empty() { "this action" } else { action.as_str() };
        return refuse(StatusCode::FORBIDDEN, &refusal(what, need, queue.as_deref()));
    }
    next.run(Request::from_parts(parts, body)).await
}

/// The `action` of a bulk body; "" (admin only) when it has none.
fn body_action(body: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("action")?.as_str().map(str::to_owned))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The routes registered in `web/mod.rs`, read from its source: each must have a rule for
    /// each of its methods, so that a new route cannot be added without deciding who may call it.
    #[test]
    fn every_route_of_the_route_table_has_a_rule() {
        let src = include_str!("mod.rs");
        let mut seen = 0;
        for chunk in src.split(".route(").skip(1) {
            let Some(path) = chunk.trim_start().strip_prefix("&at(\"").and_then(|c| c.split('"').next())
            else {
                continue;
            };
            let head: String = chunk.chars().take(200).collect();
            let call = head.split("\n        .route(").next().unwrap_or_default();
            let has_get = call.contains("get(") || call.contains("refuse_get()");
            let has_post = call.contains("post(");
            assert!(has_get || has_post, "route {path}: no method seen in {call:?}");
            for (m, has) in [("GET", has_get), ("POST", has_post)] {
                assert_eq!(rule(m, path).is_some(), has, "{m} {path}: rule and route table disagree");
            }
            seen += 1;
        }
        assert_eq!(seen, RULES.iter().map(|r| r.path).collect::<std::collections::HashSet<_>>().len());
    }

    #[test]
    fn a_bulk_body_names_its_action() {
        assert_eq!(body_action(br#"{"action":"delete","ids":["a"]}"#), "delete");
        assert_eq!(body_action(b"not json"), "");
        assert_eq!(action_role(&body_action(b"{}")), Role::Admin);
    }
}
