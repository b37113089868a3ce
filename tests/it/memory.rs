//! Memory stays bounded under load: at most N answers are computed at once (the rest wait, none
//! fails), and the caches that hold job ids are bounded in bytes as well as in entries.

use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use clap::Parser;
use http_body_util::BodyExt;
use tower::ServiceExt;

use rqdash::config::Cli;
use rqdash::store::Store;
use rqdash::web::gate::Gate;
use rqdash::web::{self, AppState};

use crate::api_basics::{plant_job, plant_queue};
use crate::support::RedisServer;

/// Yield until `cond` holds: the spawned requests run on this runtime, so this waits for them to
/// reach a state, not for time to pass. Panics if they never get there.
async fn until(what: &str, cond: impl Fn() -> bool) {
    for _ in 0..1_000_000 {
        if cond() {
            return;
        }
        tokio::task::yield_now().await;
    }
    panic!("never reached: {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_concurrent_page_requests_than_the_gate_allows_all_succeed_with_at_most_n_rendering() {
    let r = RedisServer::start();
    let mut con = r.conn();
    plant_queue(&mut con, "default");
    plant_job(&mut con, "j1", "queued", "default");
    let _: () = redis::cmd("RPUSH").arg("rq:queue:default").arg("j1").query(&mut con).expect("RPUSH");

    let gate = Gate::new(2);
    let cli = Cli::try_parse_from(["rqdash", "--redis-url", &r.url()]).expect("flags");
    let store = Store::from_args(&cli.redis).expect("store");
    let shutdown = tokio_util::sync::CancellationToken::new();
    let state =
        AppState::new(store, String::new(), false, std::time::Duration::from_secs(1), shutdown.clone())
            .with_gate(Arc::clone(&gate));
    let router = web::router(state);

    // Take both turns, so that every request has to wait at the gate.
    let (a, b) = (gate.enter().await, gate.enter().await);
    let paths = ["/queues/default", "/jobs/j1", "/", "/api/v1/queues", "/api/v1/jobs/j1"];
    let handles: Vec<_> = paths
        .iter()
        .map(|p| {
            let req = Request::get(*p).body(Body::empty()).expect("request");
            let router = router.clone();
            tokio::spawn(async move {
                let res = router.oneshot(req).await.expect("infallible");
                let status = res.status();
                let body = res.into_body().collect().await.expect("body").to_bytes();
                (status, body.len())
            })
        })
        .collect();
    until("every request waits at the gate", || gate.waiting() == paths.len()).await;
    assert!(handles.iter().all(|h| !h.is_finished()), "no request was answered past the gate");
    // Probes and live streams do not wait behind pages.
    let probe = router.clone().oneshot(Request::get("/healthz").body(Body::empty()).expect("req")).await;
    assert_eq!(probe.expect("infallible").status(), 200);
    assert_eq!(gate.running(), 2);

    drop((a, b));
    for (h, p) in handles.into_iter().zip(paths) {
        let (status, len) = h.await.expect("request task");
        assert_eq!(status, 200, "GET {p}");
        assert!(len > 0, "GET {p} has a body");
    }
    assert_eq!(gate.waiting(), 0);
    assert_eq!(gate.running(), 0);
    assert!(gate.peak() <= 2, "at most 2 answers at once, saw {}", gate.peak());
    assert_eq!(gate.waited(), paths.len(), "every request waited its turn");
    shutdown.cancel();
}
