//! `/healthz` and `/readyz`: liveness without Redis, readiness naming the instance that does not
//! answer (password masked), auth unless `--probes-public`, under the URL prefix.

use std::net::TcpListener;
use std::time::Duration;

use axum::body::Body;
use axum::http::Request;
use base64::Engine;
use tower::ServiceExt;

use crate::support::{RedisServer, TestApp};

/// A Redis that accepts connections (the kernel's backlog) and never answers: a hung server.
fn hung_redis() -> (TcpListener, u16) {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    (l, port)
}

/// GET `path` with optional Basic credentials: status and body.
async fn get(app: &TestApp, path: &str, auth: Option<(&str, &str)>) -> (u16, String) {
    let mut b = Request::builder().uri(path);
    if let Some((u, p)) = auth {
        let b64 = base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"));
        b = b.header("authorization", format!("Basic {b64}"));
    }
    let res = app.router.clone().oneshot(b.body(Body::empty()).expect("request")).await.expect("response");
    let status = res.status().as_u16();
    let bytes = http_body_util::BodyExt::collect(res.into_body()).await.expect("body").to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

#[tokio::test]
async fn readyz_lists_every_instance_and_is_ready_when_all_answer_ping() {
    let (a, b) = (RedisServer::start(), RedisServer::start());
    let app = TestApp::with_args(&[a.url(), b.url()], &[]);
    let v = app.get_json("/readyz").await;
    assert_eq!(v["status"], "ready", "{v}");
    let inst = v["instances"].as_array().expect("instances");
    assert_eq!(inst.len(), 2, "{v}");
    assert!(inst.iter().all(|i| i["ok"] == true && i["error"].is_null()), "{v}");
    assert_eq!(inst[1]["index"], 1);
    assert_eq!(app.get("/healthz").await.text(), "ok");
}

#[tokio::test]
async fn readyz_names_the_instance_that_does_not_answer_in_time_with_its_password_masked() {
    let good = RedisServer::start();
    let (_hung, port) = hung_redis();
    let refused = crate::support::served::free_port();
    let urls = [
        good.url(),
        format!("redis://admin:hunter2@127.0.0.1:{port}/0"),
        format!("redis://:hunter2@127.0.0.1:{refused}/0"),
    ];
    let app = TestApp::with_args(&urls, &["--redis-connect-timeout", "0.3"]);
    // Bounded by the connect timeout, not by --redis-timeout's 10 s: probes have deadlines too.
    let r = tokio::time::timeout(Duration::from_secs(5), app.get("/readyz")).await.expect("answers in time");
    assert_eq!(r.status, 503, "{}", r.text());
    let v = r.json();
    let error = v["error"].as_str().unwrap_or_default();
    assert!(error.contains("instance 1") && error.contains("admin:***@127.0.0.1"), "{error}");
    assert!(error.contains("within 300 ms"), "{error}");
    assert!(error.contains("instance 2") && !error.contains("instance 0"), "{error}");
    assert!(!r.text().contains("hunter2"), "{}", r.text());
    let ok: Vec<bool> = v["instances"].as_array().into_iter().flatten().map(|i| i["ok"] == true).collect();
    assert_eq!(ok, [true, false, false], "{v}");
}

#[tokio::test]
async fn healthz_answers_at_once_even_when_redis_hangs() {
    let (_hung, port) = hung_redis();
    let app = TestApp::with_args(&[format!("redis://127.0.0.1:{port}")], &["--redis-connect-timeout", "2"]);
    // Any Redis call would wait for the 2 s connect timeout.
    let r =
        tokio::time::timeout(Duration::from_millis(1500), app.get("/healthz")).await.expect("no Redis call");
    assert_eq!((r.status.as_u16(), r.text().as_str()), (200, "ok"));
}

#[tokio::test]
async fn with_auth_the_probes_need_the_password_unless_probes_public_is_set() {
    let r = RedisServer::start();
    let auth = ["--username", "admin", "--password", "s3cret", "--url-prefix", "/rq"];
    let closed = TestApp::with_args(&[r.url()], &auth);
    for path in ["/rq/healthz", "/rq/readyz"] {
        assert_eq!(get(&closed, path, None).await.0, 401, "{path}");
        assert_eq!(get(&closed, path, Some(("admin", "s3cret"))).await.0, 200, "{path}");
    }
    let open = TestApp::with_args(&[r.url()], &[&auth[..], &["--probes-public"][..]].concat());
    assert_eq!(get(&open, "/rq/healthz", None).await, (200, "ok".to_owned()));
    assert_eq!(get(&open, "/rq/readyz", None).await.0, 200);
    // Only the exact probe paths open up: queue names and job ids are user input.
    for path in ["/rq/", "/rq/api/v1/queues", "/rq/queues/healthz", "/rq/jobs/readyz", "/rq/api/v1/readyz"] {
        assert_eq!(get(&open, path, None).await.0, 401, "{path}");
    }
    // Outside the prefix there is no probe.
    assert_ne!(get(&open, "/readyz", None).await.0, 200);
}
