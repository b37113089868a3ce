//! Request bodies, parameters and paths that are wrong: refused with a status and a message that
//! say why, never silently taken for something else.

use axum::body::Body;
use base64::Engine;
use redis::Commands;

use crate::api_basics::{plant_job, plant_queue};
use crate::support::{FAR, RedisServer, TestApp};

/// A queue `default` with `n` failed jobs.
fn failed_jobs(r: &RedisServer, n: usize) -> redis::Connection {
    let mut con = r.conn();
    plant_queue(&mut con, "default");
    for i in 0..n {
        let id = format!("f{i}");
        plant_job(&mut con, &id, "failed", "default");
        let _: () = con.zadd("rq:failed:default", &id, FAR + i as i64).expect("ZADD");
    }
    con
}

#[tokio::test]
async fn a_body_over_the_limit_gets_a_json_413_that_says_the_limit() {
    let r = RedisServer::start();
    let app = TestApp::new(&r.url());
    let ids = vec!["x".repeat(1000); 5_000];
    let body = serde_json::json!({ "action": "delete", "ids": ids }).to_string();
    let json = [("content-type", "application/json")];
    let reply = app.send("POST", "/api/v1/jobs/bulk", &json, Body::from(body)).await;
    assert_eq!(reply.status, 413);
    let error = reply.json()["error"].as_str().unwrap_or_default().to_owned();
    assert!(error.contains("4 MB") && error.contains("4194304 bytes"), "{error}");
}

#[tokio::test]
async fn background_takes_true_or_false_in_any_usual_spelling_and_refuses_the_rest() {
    let r = RedisServer::start();
    let _con = failed_jobs(&r, 3);
    let app = TestApp::new(&r.url());
    let path = |bg: &str| format!("/api/v1/queues/default/requeue?state=failed&background={bg}");
    let reply = app.request("POST", &path("yes")).await;
    assert_eq!(reply.status, 202, "yes runs in the background: {}", reply.text());
    assert!(reply.json()["task"].is_u64());
    let reply = app.request("POST", &path("no")).await;
    assert_eq!(reply.status, 200, "no runs in the foreground: {}", reply.text());
    for bad in ["maybe", "2", "yes%20please"] {
        let reply = app.request("POST", &path(bad)).await;
        assert_eq!(reply.status, 400, "{bad}: {}", reply.text());
        assert!(reply.json()["error"].as_str().is_some_and(|e| e.contains("background")), "{bad}");
    }
}

#[tokio::test]
async fn static_and_metrics_with_a_trailing_slash_are_pages_that_do_not_exist() {
    let r = RedisServer::start();
    let app = TestApp::new(&r.url());
    for path in ["/static/", "/metrics/", "/jobs/", "/workers/", "/static/view", "/x1/data/queues.json"] {
        let reply = app.get(path).await;
        assert_eq!(reply.status, 404, "{path}: {}", reply.text());
        assert!(!reply.text().contains("Cannot parse"), "{path}");
    }
    assert_eq!(app.get("/0/data/queues.json").await.status, 200, "rq-dashboard's instance 0 still works");
}

#[tokio::test]
async fn the_rq_dashboard_jobs_routes_refuse_an_unknown_order() {
    let r = RedisServer::start();
    let _con = failed_jobs(&r, 3);
    let app = TestApp::new(&r.url());
    for order in ["asc", "dsc"] {
        assert_eq!(app.get(&format!("/0/data/jobs/default/failed/8/{order}/1.json")).await.status, 200);
        assert_eq!(app.get(&format!("/0/view/jobs/default/failed/8/{order}/1")).await.status, 308);
    }
    let reply = app.get("/0/data/jobs/default/failed/8/sideways/1.json").await;
    assert_eq!(reply.status, 400);
    assert!(reply.json()["error"].as_str().is_some_and(|e| e.contains("order")), "{}", reply.text());
    assert_eq!(app.get("/0/view/jobs/default/failed/8/sideways/1").await.status, 400);
}

#[tokio::test]
async fn static_assets_are_private_to_the_browser_under_basic_auth_and_public_without() {
    let r = RedisServer::start();
    let open = TestApp::new(&r.url());
    let cache = |reply: &crate::support::app::Reply| {
        reply.headers.get("cache-control").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
    };
    let reply = open.get("/static/app.css").await;
    assert_eq!(reply.status, 200);
    assert!(cache(&reply).starts_with("public"), "{}", cache(&reply));
    let locked = TestApp::with_args(&[r.url()], &["--username", "admin", "--password", "pw"]);
    let auth = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode("admin:pw"));
    let reply = locked.send("GET", "/static/app.css", &[("authorization", &auth)], Body::empty()).await;
    assert_eq!(reply.status, 200);
    assert!(cache(&reply).starts_with("private"), "{}", cache(&reply));
}
