//! Errors as Mattermost's error body:
//! `{"id", "message", "detailed_error", "request_id", "status_code"}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::error::AppError;
use crate::model::new_id;

/// An HTTP error answer.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    /// Mattermost-style translation id, e.g. `api.context.404.app_error`.
    pub id: String,
    pub message: String,
    /// Sent as `Retry-After` (whole seconds, at least 1) on throttling answers.
    pub retry_after: Option<std::time::Duration>,
}

impl ApiError {
    pub fn new(status: StatusCode, id: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            id: id.to_string(),
            message: message.into(),
            retry_after: None,
        }
    }

    /// Adds a `Retry-After` header (rounded up to whole seconds).
    pub fn with_retry_after(mut self, wait: std::time::Duration) -> Self {
        self.retry_after = Some(wait);
        self
    }
}

impl From<AppError> for ApiError {
    fn from(err: AppError) -> Self {
        let (status, id) = match &err {
            AppError::NotFound(_) => (StatusCode::NOT_FOUND, "app.not_found.app_error"),
            AppError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "api.context.session_expired.app_error",
            ),
            AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "api.context.permissions.app_error"),
            AppError::Conflict(_) => (StatusCode::BAD_REQUEST, "app.conflict.app_error"),
            AppError::Invalid(_) => (
                StatusCode::BAD_REQUEST,
                "api.context.invalid_param.app_error",
            ),
            AppError::TooLarge(_) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "api.context.too_large.app_error",
            ),
            AppError::RateLimited { retry_after_secs } => {
                return ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "api.context.rate_limit.app_error",
                    err.to_string(),
                )
                .with_retry_after(std::time::Duration::from_secs(*retry_after_secs));
            }
            AppError::Busy { retry_after_secs } => {
                return ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "api.context.server_busy.app_error",
                    err.to_string(),
                )
                .with_retry_after(std::time::Duration::from_secs(*retry_after_secs));
            }
            AppError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                return ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "app.internal.app_error",
                    "internal server error",
                );
            }
        };
        ApiError::new(status, id, err.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({
            "id": self.id,
            "message": self.message,
            "detailed_error": "",
            "request_id": new_id(),
            "status_code": self.status.as_u16(),
        });
        let mut response = (self.status, Json(body)).into_response();
        if let Some(wait) = self.retry_after {
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.max(1).into());
        }
        response
    }
}

impl From<chat_store::StoreError> for ApiError {
    fn from(err: chat_store::StoreError) -> Self {
        AppError::from(err).into()
    }
}
