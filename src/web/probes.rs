//! Probes for orchestrators: `/healthz` (the process serves; no Redis call) and `/readyz`
//! (every configured Redis answers PING in time). Public only with `--probes-public`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::AppState;

/// The probe paths, below the URL prefix (exact matches: queue names are user input).
pub const PATHS: [&str; 2] = ["/healthz", "/readyz"];

/// `GET /healthz`: liveness. Never touches Redis, so a Redis outage does not get rqdash restarted.
pub async fn healthz() -> &'static str {
    "ok"
}

/// `GET /readyz`: 200 when every instance answered PING, else 503 naming those that did not.
pub async fn readyz(State(app): State<AppState>) -> Response {
    let r = app.store.readiness().await;
    let failing: Vec<&str> = r.instances.iter().filter_map(|p| p.error.as_deref()).collect();
    let status = if r.ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    let mut body = json!({ "status": if r.ready { "ready" } else { "unavailable" } });
    if !r.ready {
        body["error"] = json!(failing.join("; "));
    }
    body["timeout_ms"] = json!(r.timeout_ms);
    body["instances"] = json!(r.instances);
    (status, Json(body)).into_response()
}
