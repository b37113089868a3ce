//! Auth on every route; mutations refused cross-site, without the page's token, and in read-only mode.

use axum::body::Body;
use axum::http::Request;
use base64::Engine;
use tower::ServiceExt;

use crate::support::{RedisServer, TestApp};

async fn send(app: &TestApp, method: &str, path: &str, headers: &[(&str, &str)]) -> u16 {
    let mut b = Request::builder().method(method).uri(path);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    let res = app.router.clone().oneshot(b.body(Body::empty()).expect("request")).await.expect("response");
    res.status().as_u16()
}

fn basic(user: &str, pass: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}")))
}

#[tokio::test]
async fn with_auth_configured_every_route_needs_the_password_probes_included() {
    let r = RedisServer::start();
    let app = TestApp::with_args(&[r.url()], &["--username", "admin", "--password", "s3cret"]);
    let paths =
        ["/", "/workers", "/api/v1/queues", "/events", "/static/app.css", "/nowhere", "/healthz", "/readyz"];
    for path in paths {
        assert_eq!(send(&app, "GET", path, &[]).await, 401, "{path} without credentials");
        assert_eq!(
            send(&app, "GET", path, &[("authorization", &basic("admin", "wrong"))]).await,
            401,
            "{path}"
        );
    }
    assert_eq!(send(&app, "GET", "/", &[("authorization", &basic("admin", "s3cret"))]).await, 200);
    assert_eq!(
        send(&app, "GET", "/api/v1/queues", &[("authorization", &basic("admin", "s3cret"))]).await,
        200
    );
    // Without --probes-public (see probes.rs) the probes are no exception.
    assert_eq!(send(&app, "GET", "/healthz", &[("authorization", &basic("admin", "s3cret"))]).await, 200);
}

#[tokio::test]
async fn cross_site_and_tokenless_browser_posts_are_refused_but_curl_is_not() {
    let r = RedisServer::start();
    let app = TestApp::new(&r.url());
    let path = "/api/v1/queues";
    assert_eq!(send(&app, "POST", path, &[("sec-fetch-site", "cross-site")]).await, 403);
    assert_eq!(
        send(&app, "POST", path, &[("origin", "https://evil.example"), ("host", "127.0.0.1:9181")]).await,
        403
    );
    assert_eq!(send(&app, "POST", path, &[("sec-fetch-site", "same-origin")]).await, 403, "no token");
    // A command-line client sends no browser headers: it reaches the route (405: GET only here).
    assert_eq!(send(&app, "POST", path, &[]).await, 405);
}

#[tokio::test]
async fn read_only_mode_refuses_every_mutation() {
    let r = RedisServer::start();
    let app = TestApp::with_args(&[r.url()], &["--read-only"]);
    assert_eq!(send(&app, "POST", "/api/v1/queues", &[]).await, 403);
    assert_eq!(send(&app, "DELETE", "/api/v1/jobs/x", &[]).await, 403);
    assert_eq!(send(&app, "GET", "/api/v1/queues", &[]).await, 200);
}
