//! Worker control through the API, verified with real `rq worker` processes of every RQ version.

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use redis::Commands;
use serde_json::Value;
use tower::ServiceExt;

use crate::support::rq_worker::{Rq, wait_until};
use crate::support::{Fixture, RQ_VERSIONS, RedisServer, TestApp};

async fn post(app: &TestApp, path: &str) -> (u16, Value) {
    let req = Request::builder().method("POST").uri(path).body(Body::empty()).expect("request");
    let res = app.router.clone().oneshot(req).await.expect("response");
    let status = res.status().as_u16();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

fn worker_keys(con: &mut redis::Connection) -> Vec<String> {
    let mut v: Vec<String> = con.smembers("rq:workers").expect("SMEMBERS");
    v.sort();
    v
}

#[tokio::test]
async fn suspend_resume_and_shutdown_work_on_real_workers_of_every_rq_version() {
    for version in RQ_VERSIONS {
        let server = RedisServer::start();
        let rq = Rq::new(version, &server);
        let mut con = server.conn();
        let app = TestApp::new(&server.url());
        let name = format!("ctl-{}", version.replace('.', "-"));
        let mut child = rq.spawn_worker(&["-n", &name, "ctlq"]);
        wait_until(30, "the worker to register", || {
            worker_keys(&mut con).contains(&format!("rq:worker:{name}"))
        });
        // The page and the API know it.
        let page = app.get(&format!("/workers/{name}")).await;
        assert_eq!(page.status, 200, "rq {version}: {}", page.text());
        let api = app.get_json(&format!("/api/v1/workers/{name}")).await;
        assert_eq!(api["worker"]["name"], name.as_str());
        // Suspend with a duration: RQ's flag with a TTL; the worker reports itself suspended.
        let (s, v) = post(&app, "/api/v1/workers/suspend?duration=600").await;
        assert_eq!(s, 200, "{v}");
        let ttl: i64 = con.ttl("rq:suspended").expect("TTL");
        assert!(ttl > 0 && ttl <= 600, "rq {version}: ttl {ttl}");
        // An idle worker is blocked waiting for a job: it takes one more job, then sees the flag.
        let enqueue = "from rq import Queue\nj = Queue('ctlq', connection=conn()).enqueue(ok)\nout(j.id)";
        rq.py(enqueue);
        wait_until(30, "the worker to notice the suspension", || {
            con.hget::<_, _, Option<String>>(format!("rq:worker:{name}"), "state").ok().flatten().as_deref()
                == Some("suspended")
        });
        // While suspended, a new job stays queued.
        let held = rq.py(enqueue);
        let held = held.as_str().expect("job id").to_owned();
        let (s, _) = post(&app, "/api/v1/workers/resume").await;
        assert_eq!(s, 200);
        let exists: bool = con.exists("rq:suspended").expect("EXISTS");
        assert!(!exists, "rq {version}: resumed");
        wait_until(30, "the held job to run after resume", || {
            con.hget::<_, _, Option<String>>(format!("rq:job:{held}"), "status").ok().flatten().as_deref()
                == Some("finished")
        });
        // Kill the work horse of a busy worker: its job fails, the worker lives on.
        let long =
            rq.py("from rq import Queue\nj = Queue('ctlq', connection=conn()).enqueue(sleep, 60)\nout(j.id)");
        let long = long.as_str().expect("job id").to_owned();
        wait_until(30, "the long job to start", || {
            con.hget::<_, _, Option<String>>(format!("rq:job:{long}"), "status").ok().flatten().as_deref()
                == Some("started")
        });
        let (s, v) = post(&app, &format!("/api/v1/workers/{name}/kill-horse")).await;
        assert_eq!((s, v["heard"].as_bool()), (200, Some(true)), "rq {version}: {v}");
        wait_until(30, "the killed job to fail", || {
            con.hget::<_, _, Option<String>>(format!("rq:job:{long}"), "status").ok().flatten().as_deref()
                == Some("failed")
        });
        // Warm shutdown over pub/sub: the worker hears it and exits.
        let (s, v) = post(&app, &format!("/api/v1/workers/{name}/shutdown")).await;
        assert_eq!((s, v["heard"].as_bool()), (200, Some(true)), "rq {version}: {v}");
        wait_until(30, "the worker to exit", || child.try_wait().ok().flatten().is_some());
        assert!(!worker_keys(&mut con).contains(&format!("rq:worker:{name}")), "rq {version}: deregistered");
    }
}

#[tokio::test]
async fn removing_stale_entries_touches_only_workers_whose_hash_is_gone() {
    let f = Fixture::get(RQ_VERSIONS[2]);
    let server = f.server();
    let mut con = server.conn();
    let app = TestApp::new(&server.url());
    let before = worker_keys(&mut con);
    assert!(before.contains(&"rq:worker:ghost-worker".to_owned()));
    let (s, v) = post(&app, "/api/v1/workers/remove-stale").await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["removed_from_workers"], 1, "{v}");
    assert_eq!(v["removed_from_queue_sets"], 1, "{v}");
    let after = worker_keys(&mut con);
    let expected: Vec<String> = before.into_iter().filter(|k| k != "rq:worker:ghost-worker").collect();
    assert_eq!(after, expected);
    let in_queue: bool = con.sismember("rq:workers:default", "rq:worker:ghost-worker").expect("SISMEMBER");
    assert!(!in_queue);
}

#[tokio::test]
async fn commands_to_unknown_or_deaf_workers_say_so() {
    let server = RedisServer::start();
    let mut con = server.conn();
    let _: () = con.hset("rq:worker:deaf", "state", "idle").expect("HSET");
    let _: () = con.sadd("rq:workers", "rq:worker:deaf").expect("SADD");
    let app = TestApp::new(&server.url());
    let (s, _) = post(&app, "/api/v1/workers/nobody/shutdown").await;
    assert_eq!(s, 404);
    let (s, v) = post(&app, "/api/v1/workers/deaf/kill-horse").await;
    assert_eq!((s, v["receivers"].as_i64()), (200, Some(0)), "{v}");
    assert!(v["message"].as_str().unwrap_or_default().contains("no worker is listening"));
    assert_eq!(app.get("/workers/nobody").await.status, 404);
    let ro = TestApp::with_args(&[server.url()], &["--read-only"]);
    let (s, _) = post(&ro, "/api/v1/workers/suspend").await;
    assert_eq!(s, 403);
}
