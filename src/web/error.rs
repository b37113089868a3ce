//! The web layer's one error type: each variant has one status; JSON `{"error": ...}` bodies.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::store;

/// Errors a handler can return.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    #[error(transparent)]
    Store(#[from] store::Error),
}

/// Handler result alias.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The HTTP status for this error.
    pub fn status(&self) -> StatusCode {
        match self {
            Error::BadRequest(_) => StatusCode::BAD_REQUEST,
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::Store(e) => match e {
                store::Error::NotFound(_) => StatusCode::NOT_FOUND,
                store::Error::BadRequest(_) => StatusCode::BAD_REQUEST,
                store::Error::Conflict(_) | store::Error::WrongType(_) => StatusCode::CONFLICT,
                store::Error::Forbidden { .. } => StatusCode::FORBIDDEN,
                store::Error::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
                store::Error::Redis { .. } | store::Error::Config(_) | store::Error::Internal(_) => {
                    StatusCode::INTERNAL_SERVER_ERROR
                }
            },
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            // Messages name the instance by its masked URL only, so they are safe to log and show.
            tracing::warn!(status = status.as_u16(), "{self}");
        }
        (status, Json(serde_json::json!({ "error": self.to_string() }))).into_response()
    }
}

/// axum refuses an oversized body in plain text ("Failed to buffer the request body"): answer
/// JSON like every other error, saying the limit.
pub async fn body_too_large(res: Response) -> Response {
    let json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if res.status() != StatusCode::PAYLOAD_TOO_LARGE || json {
        return res;
    }
    let limit = super::BODY_LIMIT;
    let msg = format!("request body too large: the limit is {} MB ({limit} bytes)", limit >> 20);
    (StatusCode::PAYLOAD_TOO_LARGE, Json(serde_json::json!({ "error": msg }))).into_response()
}
