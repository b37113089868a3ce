//! The router under test, driven in-process with `oneshot` (no socket, no sleeps).

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use clap::Parser;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use rqdash::config::Cli;
use rqdash::store::Store;
use rqdash::web::{self, AppState};

/// An rqdash app wired to the given Redis URLs.
pub struct TestApp {
    pub router: Router,
    /// Cancel to simulate rqdash shutting down (ends live streams).
    pub shutdown: tokio_util::sync::CancellationToken,
}

/// A response, read whole.
pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    /// The body as JSON (panics with the body text when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl TestApp {
    /// Build with extra command-line flags, e.g. `["--url-prefix", "/rq"]`.
    pub fn with_args(urls: &[String], extra: &[&str]) -> Self {
        let mut argv: Vec<String> = vec!["rqdash".into()];
        for u in urls {
            argv.push("--redis-url".into());
            argv.push(u.clone());
        }
        argv.extend(extra.iter().map(|s| (*s).to_owned()));
        let cli = Cli::try_parse_from(argv).expect("valid flags");
        let store = Store::from_args(&cli.redis).expect("store");
        let shutdown = tokio_util::sync::CancellationToken::new();
        let state = AppState::from_args(store, &cli.serve, shutdown.clone()).expect("valid serve flags");
        Self { router: web::router(state), shutdown }
    }

    /// Build for one Redis URL.
    pub fn new(url: &str) -> Self {
        Self::with_args(&[url.to_owned()], &[])
    }

    /// Send a request.
    pub async fn request(&self, method: &str, path: &str) -> Reply {
        self.send(method, path, &[], Body::empty()).await
    }

    /// Send a request with headers and a body.
    pub async fn send(&self, method: &str, path: &str, headers: &[(&str, &str)], body: Body) -> Reply {
        let mut b = Request::builder().method(method).uri(path);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        let res =
            self.router.clone().oneshot(b.body(body).expect("request")).await.expect("infallible router");
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.expect("body").to_bytes().to_vec();
        Reply { status, headers, body }
    }

    /// GET a path.
    pub async fn get(&self, path: &str) -> Reply {
        self.request("GET", path).await
    }

    /// GET a path that must answer 200 with JSON.
    pub async fn get_json(&self, path: &str) -> Value {
        let r = self.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "GET {path}: {}", r.text());
        r.json()
    }
}

/// Percent-encode a path segment (queue names may hold `/`, `:`, spaces, unicode).
pub fn seg(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}
