//! `GET /metrics`: every instance's RQ gauges for Prometheus, as OpenMetrics text.
//!
//! With `--metrics-token` the route wants `Authorization: Bearer <token>` and `security::guard`
//! lets it past HTTP Basic auth; without one it is covered by Basic auth like every route.

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use crate::store::metrics::CONTENT_TYPE;

/// The exposition of every configured instance (cached for `--metrics-cache`).
pub async fn metrics(State(app): State<AppState>, headers: HeaderMap) -> Response {
    if !app.metrics.bearer_ok(headers.get(header::AUTHORIZATION).map(|v| v.as_bytes())) {
        let challenge = [(header::WWW_AUTHENTICATE, "Bearer realm=\"rqdash\"")];
        return (StatusCode::UNAUTHORIZED, challenge, "bearer token required").into_response();
    }
    let text = app.metrics.render(&app.store).await;
    let body = Body::from(Bytes::from_owner(ArcText(text)));
    ([(header::CONTENT_TYPE, CONTENT_TYPE)], body).into_response()
}

/// The cached text shared with the response body, without a copy per scrape.
struct ArcText(std::sync::Arc<str>);

impl AsRef<[u8]> for ArcText {
    fn as_ref(&self) -> &[u8] {
        self.0.as_bytes()
    }
}
