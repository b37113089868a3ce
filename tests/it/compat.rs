//! rq-dashboard's JSON endpoints answer with its shapes (and pages that do not overlap).

use std::collections::HashSet;

use redis::Commands;

use crate::api_basics::{plant_job, plant_queue};
use crate::support::{FAR, Fixture, RQ_VERSIONS, RedisServer, TestApp};

#[tokio::test]
async fn queues_json_has_rq_dashboards_fields() {
    let f = Fixture::get(RQ_VERSIONS[1]);
    let server = f.server();
    let app = TestApp::new(&server.url());
    let v = app.get_json("/0/data/queues.json").await;
    let default =
        v["queues"].as_array().into_iter().flatten().find(|q| q["name"] == "default").expect("default");
    assert_eq!(default["count"], f.oracle["queues"]["default"]["queued"]);
    assert_eq!(default["failed_job_registry_count"], f.oracle["queues"]["default"]["failed"]);
    for k in [
        "queued_url",
        "deferred_url",
        "scheduled_url",
        "started_url",
        "finished_url",
        "failed_url",
        "canceled_url",
    ] {
        assert!(default[k].as_str().is_some_and(|u| u.starts_with("/0/view/jobs/default/")), "{k}");
    }
    let w = app.get_json("/0/data/workers.json").await;
    let busy =
        w["workers"].as_array().into_iter().flatten().find(|x| x["state"] == "busy").expect("a busy worker");
    assert!(busy["current_job"]["job_id"].is_string());
    assert!(busy["last_heartbeat"].as_str().is_some_and(|s| s.ends_with(" GMT")), "RFC 1123 like Flask");
    let id = f.label("failed_zero").expect("label");
    let j = app.get_json(&format!("/0/data/job/{id}.json")).await;
    assert_eq!(j["status"], "failed");
    assert!(j["metadata"].is_string(), "metadata is a JSON string, as in rq-dashboard");
    assert!(j["created_at"].as_str().is_some_and(|s| s.ends_with("+00:00")));
    assert_eq!(app.get("/0/data/job/nope.json").await.status, 404);
}

#[tokio::test]
async fn rq_dashboard_job_pages_do_not_overlap() {
    let r = RedisServer::start();
    let mut con = r.conn();
    plant_queue(&mut con, "q");
    for i in 0..30 {
        let id = format!("j{i:02}");
        plant_job(&mut con, &id, "failed", "q");
        let _: () = con.zadd("rq:failed:q", &id, FAR + i).expect("ZADD");
    }
    let app = TestApp::new(&r.url());
    for order in ["asc", "dsc"] {
        let mut seen = HashSet::new();
        for page in 1..=4 {
            let v = app.get_json(&format!("/0/data/jobs/q/failed/8/{order}/{page}.json")).await;
            assert_eq!(v["pagination"]["num_pages"], 4);
            for j in v["jobs"].as_array().into_iter().flatten() {
                assert!(seen.insert(j["id"].as_str().unwrap_or_default().to_owned()), "{order}: duplicate");
            }
        }
        assert_eq!(seen.len(), 30, "{order}: every job once");
    }
    let bad = app.get("/0/data/jobs/q/failed/0/asc/1.json").await;
    assert_eq!(bad.status, 400);
}

#[tokio::test]
async fn rq_dashboard_view_urls_redirect_to_rqdash_pages() {
    let r = RedisServer::start();
    let app = TestApp::new(&r.url());
    for (from, to) in [
        (
            "/0/view/jobs/emails/failed/8/dsc/2",
            "/queues/emails?state=failed&per_page=8&order=desc&page=2&instance=0",
        ),
        ("/0/view/job/abc", "/jobs/abc?instance=0"),
        ("/0/view/workers", "/workers?instance=0"),
        ("/0/", "/?instance=0"),
    ] {
        let reply = app.get(from).await;
        assert_eq!(reply.status, 308, "{from}");
        assert_eq!(reply.headers["location"], to, "{from}");
    }
}
