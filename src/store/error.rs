//! The store layer's one error enum (the web layer maps each variant to one HTTP status) and
//! its `Result` alias.

/// Errors of the store layer; the web layer maps each to one HTTP status.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    /// The job is not in a state the action applies to (the message names its current state).
    #[error("{0}")]
    Conflict(String),
    #[error("Redis instance {index} ({url}) is unreachable: {detail}")]
    Unavailable { index: usize, url: String, detail: String },
    #[error("Redis error on instance {index} ({url}): {detail}")]
    Redis { index: usize, url: String, detail: String },
    /// The Redis user's ACL refused a command, key or channel (NOPERM); the message names it.
    #[error("{detail} (instance {index}, {url})")]
    Forbidden { index: usize, url: String, detail: String },
    /// A key the operation works on holds another type than RQ keeps there (see
    /// [`key_type`]): RQ cannot use it, so rqdash leaves it alone.
    #[error("{}; nothing was changed", .0.message)]
    WrongType(crate::rq::key_type::WrongType),
    #[error("{0}")]
    Config(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// Whether the connection was lost or Redis did not answer (the command may have run).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Error::Unavailable { .. })
    }
}

/// Result alias for store calls.
pub type Result<T, E = Error> = std::result::Result<T, E>;
