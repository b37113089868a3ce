//! The web layer's one error type: each variant has one status; JSON `{"error": ...}` bodies.

use axum::Json;
use axum::http::StatusCode;
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
