//! The host's one error type. Services return it; the HTTP layer maps it to a
//! Mattermost error body and the plugin runtime maps it to the WIT `error`.

use chat_store::StoreError;

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum AppError {
    /// The named thing does not exist (or the caller may not know it does).
    #[error("{0} not found")]
    NotFound(String),
    /// No valid session.
    #[error("Invalid or expired session, please login again.")]
    Unauthorized,
    /// Authenticated, but not allowed.
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Conflict(String),
    /// Bad input; the message names the field.
    #[error("{0}")]
    Invalid(String),
    /// Too large a request or value.
    #[error("{0}")]
    TooLarge(String),
    /// Too many attempts at something guarded by a rate limit (logins,
    /// sign-ups); the client may try again after `retry_after_secs`.
    #[error("Too many attempts; try again in {retry_after_secs} s.")]
    RateLimited { retry_after_secs: u64 },
    /// The server is saturated (for example the password hashing queue is
    /// full) and refuses rather than queueing without bound.
    #[error("The server is busy; try again in {retry_after_secs} s.")]
    Busy { retry_after_secs: u64 },
    /// Our fault; details are logged, not shown.
    #[error("internal error: {0}")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => AppError::NotFound("object".into()),
            StoreError::Conflict(what) => AppError::Conflict(format!("{what} already exists")),
            StoreError::Invalid(msg) => AppError::Invalid(msg),
            StoreError::Backend(msg) => AppError::Internal(msg),
        }
    }
}
