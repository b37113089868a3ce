//! The actions over HTTP: POST only, clear 404/409/400 answers, counts, background tasks.

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use redis::Commands;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::api_basics::{plant_job, plant_queue};
use crate::support::{FAR, RedisServer, TestApp};

async fn post(app: &TestApp, path: &str, body: Option<Value>) -> (u16, Value) {
    let b = Request::builder().method("POST").uri(path).header("content-type", "application/json");
    let body = body.map_or_else(Body::empty, |v| Body::from(v.to_string()));
    let res = app.router.clone().oneshot(b.body(body).expect("request")).await.expect("response");
    let status = res.status().as_u16();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

fn failed_queue(r: &RedisServer, n: usize, ghosts: usize) -> redis::Connection {
    let mut con = r.conn();
    plant_queue(&mut con, "default");
    for i in 0..n {
        let id = format!("f{i:04}");
        plant_job(&mut con, &id, "failed", "default");
        let _: () = con.zadd("rq:failed:default", &id, FAR + 1000 + i as i64).expect("ZADD");
    }
    for i in 0..ghosts {
        let _: () = con.zadd("rq:failed:default", format!("ghost{i}"), FAR + 5000 + i as i64).expect("ZADD");
    }
    con
}

#[tokio::test]
async fn requeue_all_moves_every_real_job_and_counts_the_orphans() {
    let r = RedisServer::start();
    let mut con = failed_queue(&r, 2500, 3);
    let app = TestApp::new(&r.url());
    let (status, v) = post(&app, "/api/v1/queues/default/requeue?state=failed", None).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["requeued"], 2500);
    assert_eq!(v["orphans_removed"], 3);
    assert_eq!(v["skipped"], 0);
    let queued: i64 = con.llen("rq:queue:default").expect("LLEN");
    let failed: i64 = con.zcard("rq:failed:default").expect("ZCARD");
    assert_eq!((queued, failed), (2500, 0));
    let status: String = con.hget("rq:job:f0001", "status").expect("HGET");
    assert_eq!(status, "queued");
}

#[tokio::test]
async fn single_job_actions_answer_404_for_unknown_jobs_and_409_with_the_current_state() {
    let r = RedisServer::start();
    let _con = failed_queue(&r, 1, 0);
    let app = TestApp::new(&r.url());
    let (s, v) = post(&app, "/api/v1/jobs/nope/requeue", None).await;
    assert_eq!(s, 404, "{v}");
    let (s, v) = post(&app, "/api/v1/jobs/f0000/cancel", None).await;
    assert_eq!(s, 409, "{v}");
    assert!(v["error"].as_str().unwrap_or_default().contains("failed"), "names the state: {v}");
    let (s, v) = post(&app, "/api/v1/jobs/f0000/requeue", None).await;
    assert_eq!((s, v["to"].as_str()), (200, Some("queued")), "{v}");
    let (s, _) = post(&app, "/api/v1/jobs/f0000/fly", None).await;
    assert_eq!(s, 404);
    let (s, v) = post(&app, "/api/v1/queues/default/empty?state=started", None).await;
    assert_eq!(s, 400);
    assert!(v["error"].as_str().unwrap_or_default().contains("stop"), "points to stop: {v}");
    let (s, _) = post(&app, "/api/v1/queues/nope/compact", None).await;
    assert_eq!(s, 404);
    let (s, _) = post(&app, "/api/v1/queues/default/requeue?state=finished", None).await;
    assert_eq!(s, 400);
    assert_eq!(app.get("/api/v1/jobs/f0000/requeue").await.status, 405, "GET never acts");
}

#[tokio::test]
async fn bulk_actions_take_a_list_of_ids_and_report_what_happened_to_each() {
    let r = RedisServer::start();
    let _con = failed_queue(&r, 10, 1);
    let app = TestApp::new(&r.url());
    let body = json!({"action": "delete", "ids": ["f0000", "f0001", "ghost0", "absent"], "queue": "default", "state": "failed"});
    let (s, v) = post(&app, "/api/v1/jobs/bulk", Some(body)).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (v["deleted"].as_u64(), v["orphans_removed"].as_u64(), v["missing"].as_u64()),
        (Some(2), Some(1), Some(1)),
        "{v}"
    );
    let (s, _) = post(&app, "/api/v1/jobs/bulk", Some(json!({"action": "explode", "ids": ["x"]}))).await;
    assert_eq!(s, 400);
    let (s, _) = post(&app, "/api/v1/jobs/bulk", Some(json!({"action": "delete", "ids": []}))).await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn a_background_task_reports_progress_and_its_final_counts() {
    let r = RedisServer::start();
    let _con = failed_queue(&r, 3000, 2);
    let app = TestApp::new(&r.url());
    let (s, v) = post(&app, "/api/v1/queues/default/empty?state=failed&background=1", None).await;
    assert_eq!(s, 202, "{v}");
    let task = v["task"].as_u64().expect("task id");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let t = app.get_json(&format!("/api/v1/tasks/{task}")).await;
        if t["done"] == true {
            assert_eq!(t["outcome"]["deleted"], 3000, "{t}");
            assert_eq!(t["outcome"]["orphans_removed"], 2, "{t}");
            assert_eq!(t["processed"], 3002);
            break;
        }
        assert!(std::time::Instant::now() < deadline, "task never finished: {t}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(app.get("/api/v1/tasks/999").await.status, 404);
}

#[tokio::test]
async fn pages_show_action_buttons_unless_read_only() {
    let r = RedisServer::start();
    let _con = failed_queue(&r, 3, 0);
    let app = TestApp::new(&r.url());
    let html = app.get("/queues/default?state=failed").await.text();
    assert!(html.contains("Requeue 3 failed jobs of queue “default”"), "exact confirmation text");
    assert!(html.contains("data-bulk=\"requeue\""));
    let job = app.get("/jobs/f0000").await.text();
    assert!(job.contains(">Requeue</button>") && job.contains(">Delete</button>"));
    let ro = TestApp::with_args(&[r.url()], &["--read-only"]);
    for path in ["/queues/default?state=failed", "/jobs/f0000"] {
        let html = ro.get(path).await.text();
        assert!(
            !html.contains("data-action") && !html.contains("data-bulk") && !html.contains("actions.js"),
            "{path}"
        );
    }
}
