//! Prometheus `/metrics`: the cache window (one Redis read for many scrapes) and the bearer token.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, header};
use base64::Engine;
use clap::Parser;
use http_body_util::BodyExt;
use tower::ServiceExt;

use rqdash::config::Cli;
use rqdash::store::metrics::{CONTENT_TYPE, MetricsState};

use super::store;
use crate::support::probe::{calls, reset};
use crate::support::{Fixture, RedisServer, TestApp};

#[tokio::test]
async fn scrapes_within_the_cache_window_share_one_redis_read_even_when_concurrent() {
    let f = Fixture::get("3.0.0");
    let r = f.server();
    let mut con = r.conn();
    let s = store(&[r.url()]);
    let window = Duration::from_secs(60);
    MetricsState::new(false, window, None).render(&s).await; // connects
    reset(&mut con);
    let cached = MetricsState::new(false, window, None);
    let first = cached.render(&s).await;
    let one_read = calls(&mut con);
    assert!(one_read > 0);
    for _ in 0..3 {
        assert_eq!(cached.render(&s).await, first, "the cached text is served");
    }
    assert_eq!(calls(&mut con), one_read, "cached scrapes sent no command");
    reset(&mut con);
    let fresh = MetricsState::new(false, window, None);
    futures_util::future::join_all((0..10).map(|_| fresh.render(&s))).await;
    assert_eq!(calls(&mut con), one_read, "ten concurrent scrapes cost one read");
    reset(&mut con);
    let uncached = MetricsState::new(false, Duration::ZERO, None);
    uncached.render(&s).await;
    uncached.render(&s).await;
    assert_eq!(calls(&mut con), 2 * one_read, "an expired answer is read again");
}

#[test]
fn a_configured_token_is_required_as_a_bearer_token() {
    let argv = ["rqdash", "--metrics-token", "s3cret"];
    let m = MetricsState::from_args(&Cli::try_parse_from(argv).expect("flags").serve);
    assert!(m.token_required());
    for ok in ["Bearer s3cret", "bearer s3cret", "BEARER  s3cret "] {
        assert!(m.bearer_ok(Some(ok.as_bytes())), "{ok}");
    }
    for bad in ["Bearer s3cre", "Bearer s3cretX", "Bearer ", "s3cret", "Basic s3cret", "Bearers3cret"] {
        assert!(!m.bearer_ok(Some(bad.as_bytes())), "{bad}");
    }
    assert!(!m.bearer_ok(None));
    let open = MetricsState::from_args(&Cli::try_parse_from(["rqdash"]).expect("flags").serve);
    assert!(!open.token_required());
    assert!(open.bearer_ok(None), "without a token /metrics is left to Basic auth");
    assert!(Cli::try_parse_from(["rqdash", "--metrics-token", ""]).is_err(), "an empty token is refused");
}

async fn get(app: &TestApp, auth: Option<&str>) -> (u16, Option<String>, String) {
    let mut b = Request::builder().uri("/metrics");
    if let Some(a) = auth {
        b = b.header(header::AUTHORIZATION, a);
    }
    let res = app.router.clone().oneshot(b.body(Body::empty()).expect("request")).await.expect("response");
    let ct = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let status = res.status().as_u16();
    let body = res.into_body().collect().await.expect("body").to_bytes();
    (status, ct, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn get_metrics_takes_the_bearer_token_instead_of_basic_auth_when_one_is_configured() {
    let r = RedisServer::start();
    let basic = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode("admin:pw"));
    let creds = ["--username", "admin", "--password", "pw"];
    let app = TestApp::with_args(&[r.url()], &creds);
    assert_eq!(get(&app, None).await.0, 401, "Basic auth covers /metrics without a token");
    let (status, ct, body) = get(&app, Some(&basic)).await;
    assert_eq!((status, ct.as_deref()), (200, Some(CONTENT_TYPE)));
    assert!(body.contains("rqdash_up{instance=\"0\"} 1\n") && body.ends_with("# EOF\n"), "{body}");
    let app = TestApp::with_args(&[r.url()], &[&creds[..], &["--metrics-token", "t0k"]].concat());
    assert_eq!(get(&app, None).await.0, 401);
    assert_eq!(get(&app, Some(&basic)).await.0, 401, "the token is required, Basic is not enough");
    assert_eq!(get(&app, Some("Bearer nope")).await.0, 401);
    assert_eq!(get(&app, Some("Bearer t0k")).await.0, 200);
    let page = Request::builder().uri("/").header(header::AUTHORIZATION, "Bearer t0k").body(Body::empty());
    let res = app.router.clone().oneshot(page.expect("request")).await.expect("response");
    assert_eq!(res.status().as_u16(), 401, "the token opens /metrics only");
}
