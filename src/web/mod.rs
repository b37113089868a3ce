//! HTTP front end: one route table, security headers, graceful shutdown that also ends streams.

mod api;
pub mod error;
mod params;

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::routing::get;
use tokio_util::sync::CancellationToken;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

use crate::store::Store;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// "" or "/prefix": every generated link starts with it.
    pub prefix: String,
    /// Cancelled on shutdown so long-lived responses end.
    pub shutdown: CancellationToken,
}

/// The full router, mounted under the URL prefix.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/api/v1/instances", get(api::instances))
        .route("/api/v1/queues", get(api::queues))
        .route("/api/v1/queues/{queue}/jobs", get(api::queue_jobs))
        .route("/api/v1/jobs/{id}", get(api::job))
        .route("/api/v1/workers", get(api::workers))
        .route("/api/v1/redis", get(api::redis_info))
        .route("/api/{*rest}", get(api::not_found))
        .route("/healthz", get(|| async { "ok" }));
    let prefix = state.prefix.clone();
    let app = api.with_state(state);
    let app = if prefix.is_empty() { app } else { Router::new().nest(&prefix, app) };
    app.layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, Duration::from_secs(60)))
        .layer(header_layer(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header_layer(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header_layer(header::REFERRER_POLICY, "same-origin"))
        .layer(header_layer(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
        ))
        .layer(header_layer(header::CACHE_CONTROL, "no-store"))
}

fn header_layer(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

/// Serve until `shutdown` is cancelled.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    let token = state.shutdown.clone();
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(async move { token.cancelled().await }).await
}
