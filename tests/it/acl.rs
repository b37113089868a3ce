//! A least-privilege Redis user (ACL `+@read +@connection +info`): every read works with read
//! commands alone, and an action is refused as 403 naming the command the user lacks.

use std::process::{Command, Stdio};
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use clap::Parser;
use http_body_util::BodyExt;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

use rqdash::config::Cli;
use rqdash::store::Store;
use rqdash::store::history::{self, Layout};

use crate::support::{Fixture, RQ_VERSIONS, TestApp};

for_each_rq_version!(a_read_only_acl_user_sees_every_page_list_and_job);

async fn a_read_only_acl_user_sees_every_page_list_and_job(version: &'static str) {
    let f = Fixture::get(version);
    let server = f.server();
    let app = TestApp::with_args(&[server.acl_reader()], &["--read-only"]);
    let id = f.label("failed_zero").expect("label");
    let failed = f.oracle["queues"]["default"]["failed"].as_u64().expect("oracle count");
    // Twice: the first list meets the refused MULTI, the second goes straight to the plain pipeline.
    for _ in 0..2 {
        let v = app.get_json("/api/v1/queues/default/jobs?state=failed&per_page=100").await;
        assert_eq!(v["total"].as_u64(), Some(failed), "rq {version}: {v}");
        let ids: Vec<&str> =
            v["jobs"].as_array().into_iter().flatten().filter_map(|j| j["id"].as_str()).collect();
        assert!(ids.contains(&id), "rq {version}: {id} not in {ids:?}");
    }
    let compat = app.get_json("/0/data/jobs/default/failed/100/asc/1.json").await;
    assert!(
        compat["jobs"].as_array().is_some_and(|j| j.iter().any(|x| x["id"] == id)),
        "rq {version}: {compat}"
    );
    let job = app.get_json(&format!("/api/v1/jobs/{id}")).await;
    assert_eq!(job["status"], "failed", "rq {version}");
    for path in [
        "/".to_owned(),
        "/queues/default".to_owned(),
        "/queues/default?state=failed".to_owned(),
        format!("/jobs/{id}"),
        "/workers".to_owned(),
        "/failed".to_owned(),
        "/failed/groups".to_owned(),
        "/search?q=exc%3AZeroDivisionError".to_owned(),
        "/doctor".to_owned(),
        "/metrics".to_owned(),
        "/api/v1/redis".to_owned(),
        "/api/v1/queues".to_owned(),
        "/api/v1/workers".to_owned(),
        "/schedulers".to_owned(),
        "/api/v1/schedulers".to_owned(),
        "/0/data/queues.json".to_owned(),
        "/0/data/workers.json".to_owned(),
        format!("/0/data/job/{id}.json"),
    ] {
        let r = app.get(&path).await;
        assert_eq!(r.status, StatusCode::OK, "rq {version}: GET {path}: {}", r.text());
    }
}

#[tokio::test]
async fn a_requeue_by_a_read_only_acl_user_is_forbidden_and_names_the_refused_command() {
    let f = Fixture::get(RQ_VERSIONS[1]);
    let server = f.server();
    let app = TestApp::with_args(&[server.acl_reader()], &[]);
    let id = f.label("failed_zero").expect("label");
    let req = Request::builder().method("POST").uri(format!("/api/v1/jobs/{id}/requeue")).body(Body::empty());
    let res = app.router.clone().oneshot(req.expect("request")).await.expect("response");
    let status = res.status();
    let body =
        String::from_utf8_lossy(&res.into_body().collect().await.expect("body").to_bytes()).into_owned();
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    // The first write is the audit log's intent (before the action's script).
    assert!(body.contains("'xadd'") && body.contains("+xadd") && body.contains("audit"), "{body}");
    assert!(!body.contains("pass=pw"), "the password is masked: {body}");
    let job = app.get_json(&format!("/api/v1/jobs/{id}")).await;
    assert_eq!(job["status"], "failed", "nothing was requeued");
}

#[test]
fn the_cli_lists_jobs_for_a_read_only_acl_user_and_refuses_a_requeue_naming_the_refused_command() {
    let f = Fixture::get(RQ_VERSIONS[1]);
    let server = f.server();
    let url = server.acl_reader();
    let id = f.label("failed_zero").expect("label");
    let rqdash = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_rqdash"))
            .arg("--redis-url")
            .arg(&url)
            .args(args)
            .env("RUST_LOG", "warn")
            .env_remove("RQDASH_INSTANCE")
            .stdin(Stdio::null())
            .output()
            .expect("run the rqdash binary")
    };
    let list = rqdash(&["jobs", "default", "--state", "failed"]);
    let (out, err) = (String::from_utf8_lossy(&list.stdout), String::from_utf8_lossy(&list.stderr));
    assert!(list.status.success(), "rqdash jobs: {err}");
    assert!(out.contains(id), "{out}");
    let requeue = rqdash(&["requeue", id, "--yes"]);
    let err = String::from_utf8_lossy(&requeue.stderr);
    assert!(!requeue.status.success(), "a refused requeue exits non-zero");
    assert!(err.contains("'xadd'") && err.contains("+xadd"), "the audit intent is the first write: {err}");
}

#[tokio::test]
async fn the_history_sampler_of_a_read_only_acl_user_stops_at_its_first_refused_tick() {
    let f = Fixture::get(RQ_VERSIONS[1]);
    let server = f.server();
    let url = server.acl_reader();
    let cli = Cli::try_parse_from(["rqdash", "--redis-url", &url]).expect("flags");
    let store = Store::from_args(&cli.redis).expect("store");
    let shutdown = CancellationToken::new();
    let tasks = history::spawn_sampler(
        store,
        Layout::default(),
        history::Limits::default(),
        Duration::from_secs(5),
        shutdown.clone(),
    );
    // The first tick is immediate; a sampler that kept retrying would still run at the deadline.
    let ended = tokio::time::timeout(Duration::from_secs(4), futures_util::future::join_all(tasks)).await;
    shutdown.cancel();
    assert!(ended.is_ok(), "the sampler kept running after Redis refused its writes");
    let mut con = server.conn();
    let keys: Vec<String> = redis::cmd("KEYS").arg("rqdash:*").query(&mut con).expect("KEYS");
    assert!(keys.is_empty(), "{keys:?}");
}
