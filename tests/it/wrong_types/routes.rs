//! Every route of the router (src/web/mod.rs), every CLI read, the live stream and the history
//! sampler, against one planted wrong type: each failure is returned as a line, not a panic, so
//! one run lists them all.

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use super::side;
use crate::support::{TestApp, seg};

/// Jobs of queue `default` (and `long`) in every state, with dependents, dependencies and results.
pub const JOBS: [&str; 8] =
    ["q-add-1", "fail-zero", "history-1", "dep-parent-a", "dep-child-2", "sched-in-1", "fin-int", "busy-1"];
/// A worker with a hash and one with a partial hash.
pub const WORKERS: [&str; 2] = ["fixture-busy", "partial-worker"];
pub const STATES: [&str; 8] =
    ["queued", "started", "finished", "failed", "deferred", "scheduled", "canceled", "ready"];

/// Read-only GETs: pages, the JSON API, rq-dashboard's URLs, metrics, doctor, search.
fn gets() -> Vec<String> {
    let mut g: Vec<String> = [
        "/",
        "/?sort=failed&dir=desc",
        "/?range=24h",
        "/workers",
        "/failed",
        "/failed/groups",
        "/search",
        "/search?q=zero",
        "/search?q=queue%3Adefault",
        "/search?q=state%3Afailed%20exc%3AZeroDivision",
        "/search?q=id%3Afail-zero",
        "/search?q=id%3Afail*",
        "/search?q=history%3Aany%20boom",
        "/search?q=group%3A0123",
        "/search?q=worker%3Afixture",
        "/api/v1/search?q=zero",
        "/api/v1/search?q=id%3Afail-zero",
        "/api/v1/search?q=state%3Afinished%20after%3A2h",
        "/api/v1/failed",
        "/api/v1/failed/groups",
        "/jump?id=fail-zero",
        "/doctor",
        "/api/v1/doctor",
        "/static/app.js",
        "/api/v1/instances",
        "/api/v1/queues",
        "/api/v1/workers",
        "/schedulers",
        "/api/v1/schedulers",
        "/api/v1/workers/suspend",
        "/api/v1/redis",
        "/api/v1/jobs/bulk",
        "/healthz",
        "/metrics",
        "/0/data/queues.json",
        "/0/data/workers.json",
        "/0/",
        "/0/view",
        "/0/view/queues",
        "/0/view/workers",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    for q in ["default", "high"] {
        g.push(format!("/queues/{q}"));
        g.push(format!("/queues/{q}?order=desc&range=7d"));
        g.push(format!("/queues/{q}?state=failed&expired=1"));
        for s in STATES {
            g.push(format!("/queues/{q}?state={s}"));
            g.push(format!("/api/v1/queues/{q}/jobs?state={s}"));
            g.push(format!("/api/v1/queues/{q}/jobs?state={s}&order=desc&per_page=3&page=2"));
            g.push(format!("/0/data/jobs/{q}/{s}/8/asc/1"));
            g.push(format!("/0/view/jobs/{q}/{s}/8/dsc/1"));
        }
    }
    for id in JOBS {
        g.push(format!("/jobs/{id}"));
        g.push(format!("/jobs/{id}/full?item=arg%3A0"));
        g.push(format!("/jobs/{id}/full?item=exc"));
        g.push(format!("/api/v1/jobs/{id}"));
        g.push(format!("/0/data/job/{id}"));
        g.push(format!("/0/view/job/{id}"));
        g.push(format!("/jump?id={id}"));
    }
    for w in WORKERS.iter().chain(&["ghost-worker"]) {
        g.push(format!("/workers/{}", seg(w)));
        g.push(format!("/api/v1/workers/{}", seg(w)));
    }
    g
}

/// Actions, least destructive first (the dataset is restored after each case anyway).
fn posts() -> Vec<(String, Option<Value>)> {
    let mut p: Vec<(String, Option<Value>)> = Vec::new();
    let all: Vec<&str> = JOBS.to_vec();
    p.push(("/api/v1/jobs/bulk".into(), Some(json!({"action": "requeue", "ids": all}))));
    p.push((
        "/api/v1/jobs/bulk".into(),
        Some(json!({"action": "enqueue", "ids": all, "queue": "default", "state": "scheduled"})),
    ));
    for id in JOBS {
        for a in ["stop", "requeue", "enqueue", "cancel"] {
            p.push((format!("/api/v1/jobs/{id}/{a}"), None));
        }
    }
    for path in [
        "/api/v1/workers/fixture-busy/shutdown",
        "/api/v1/workers/partial-worker/kill-horse",
        "/api/v1/workers/suspend",
        "/api/v1/workers/resume",
        "/api/v1/workers/remove-stale",
        "/api/v1/queues/default/compact",
        "/api/v1/queues/default/requeue?state=failed",
        "/api/v1/queues/default/requeue?state=canceled",
        "/api/v1/doctor/fix",
    ] {
        p.push((path.into(), None));
    }
    for s in ["queued", "failed", "finished", "deferred", "scheduled", "canceled"] {
        p.push((format!("/api/v1/queues/default/empty?state={s}"), None));
    }
    p.push(("/api/v1/jobs/bulk".into(), Some(json!({"action": "delete", "ids": all}))));
    for id in JOBS {
        p.push((format!("/api/v1/jobs/{id}/delete"), None));
    }
    p
}

pub async fn post(app: &TestApp, path: &str, body: Option<&Value>) -> (u16, String) {
    let b = Request::builder().method("POST").uri(path).header("content-type", "application/json");
    let body = body.map_or_else(Body::empty, |v| Body::from(v.to_string()));
    let res = app.router.clone().oneshot(b.body(body).expect("request")).await.expect("response");
    let status = res.status().as_u16();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    (status, String::from_utf8_lossy(&bytes).chars().take(300).collect())
}

/// What went wrong (5xx, or a 2xx/4xx body that still carries Redis' WRONGTYPE).
pub fn judge(what: &str, status: u16, body: &str) -> Option<String> {
    if status >= 500 || body.contains("WRONGTYPE") {
        let cut: String = body.chars().take(200).collect();
        return Some(format!("{what}: {status} {cut}"));
    }
    None
}

/// Hit everything once with `key` planted; every failure as one line.
pub async fn hit_every_route(app: &TestApp, url: &str, key: &str) -> Vec<String> {
    let mut out = Vec::new();
    for path in gets() {
        let r = app.get(&path).await;
        // A read never refuses: a corrupt key is shown, not answered with a conflict.
        let status = if r.status == 409 { 500 } else { r.status.as_u16() };
        out.extend(judge(&format!("GET {path}"), status, &r.text()));
    }
    if let Err(e) = super::named::others_listed(app).await {
        out.push(e);
    }
    out.extend(side::live(app).await);
    out.extend(side::sample(url).await);
    out.extend(side::selection(app).await);
    let (url, key) = (url.to_owned(), key.to_owned());
    out.extend(tokio::task::spawn_blocking(move || side::cli(&url, &key)).await.expect("cli runs"));
    for (path, body) in posts() {
        let (status, text) = post(app, &path, body.as_ref()).await;
        out.extend(judge(&format!("POST {path}"), status, &text));
    }
    out
}
