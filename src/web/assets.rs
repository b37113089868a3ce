//! Static assets embedded in the binary (read from disk in debug builds), with ETags.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "static/"]
struct Static;

/// Changes with every release, so `?v=` busts caches.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// `GET /static/{*path}`: cacheable by shared caches only when no password protects it.
pub async fn asset(
    State(app): State<super::AppState>,
    Path(path): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(file) = Static::get(&path) else {
        return (StatusCode::NOT_FOUND, "no such asset").into_response();
    };
    let etag = format!(
        "\"{}\"",
        file.metadata.sha256_hash().iter().take(12).map(|b| format!("{b:02x}")).collect::<String>()
    );
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    let mime = file.metadata.mimetype().to_owned();
    (
        [
            (header::CONTENT_TYPE, mime),
            (header::ETAG, etag),
            (
                header::CACHE_CONTROL,
                format!("{}, max-age=3600", if app.access.required() { "private" } else { "public" }),
            ),
        ],
        file.data.into_owned(),
    )
        .into_response()
}
