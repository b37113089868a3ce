//! Redis outages and URL handling: 503 naming the instance (password masked), then recovery.

use std::time::{Duration, Instant};

use crate::support::{RedisServer, TestApp};

/// Poll until `path` answers `status` (bounded), returning the last reply text.
async fn eventually(app: &TestApp, path: &str, status: u16) -> String {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let r = app.get(path).await;
        if r.status.as_u16() == status || Instant::now() > deadline {
            assert_eq!(r.status.as_u16(), status, "{path}: {}", r.text());
            return r.text();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn an_unreachable_redis_gives_503_naming_the_instance_without_its_password() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port());
    let url = format!("redis://user:hunter2@127.0.0.1:{}/0", port.unwrap_or(1));
    let app = TestApp::new(&url);
    let r = app.get("/api/v1/queues").await;
    assert_eq!(r.status, 503);
    let body = r.text();
    assert!(body.contains("instance 0"), "{body}");
    assert!(body.contains("user:***@127.0.0.1"), "{body}");
    assert!(!body.contains("hunter2"), "{body}");
    let inst = app.get_json("/api/v1/instances").await;
    assert_eq!(inst["instances"][0]["ok"], false);
    assert!(!inst.to_string().contains("hunter2"));
}

#[tokio::test]
async fn rqdash_started_while_redis_is_down_recovers_when_it_comes_back() {
    let mut r = RedisServer::start();
    r.kill();
    let app = TestApp::new(&r.url());
    eventually(&app, "/api/v1/queues", 503).await;
    r.restart();
    eventually(&app, "/api/v1/queues", 200).await;
}

#[tokio::test]
async fn a_redis_that_goes_away_and_returns_is_served_again_without_restarting_rqdash() {
    let mut r = RedisServer::start();
    let app = TestApp::new(&r.url());
    eventually(&app, "/api/v1/workers", 200).await;
    r.kill();
    eventually(&app, "/api/v1/workers", 503).await;
    r.restart();
    eventually(&app, "/api/v1/workers", 200).await;
}

#[tokio::test]
async fn a_malformed_url_is_refused_at_start_with_a_masked_message() {
    let cli = <rqdash::config::Cli as clap::Parser>::try_parse_from(["rqdash", "-u", "http://u:pw@h"]);
    let cli = cli.expect("flags parse");
    let err = rqdash::store::Store::from_args(&cli.redis).expect_err("http is not a Redis scheme");
    let msg = err.to_string();
    assert!(msg.contains("unsupported scheme") && !msg.contains("pw@"), "{msg}");
}
