//! Request extractors whose failures are Mattermost error bodies.

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::ApiError;

/// A JSON body with a clear 400 when malformed or mistyped, naming the
/// field. Read as Mattermost's Go server reads it ([`go_json`]): whatever
/// the `Content-Type`, `null` members are absent, unknown ones ignored.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "api.context.invalid_body_param.app_error",
                format!("Invalid request body: {}", rejection.body_text()),
            )
        })?;
        go_json::from_slice(&bytes).map(JsonBody).map_err(|err| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "api.context.invalid_body_param.app_error",
                format!("Invalid request body: {err}"),
            )
        })
    }
}

/// `Query<T>` with a clear 400.
pub struct QueryParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(QueryParams(value)),
            Err(rejection) => Err(query_error(rejection)),
        }
    }
}

fn query_error(rejection: QueryRejection) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "api.context.invalid_url_param.app_error",
        format!("Invalid query: {}", rejection.body_text()),
    )
}

/// Mattermost's `page` / `per_page` query (0-based pages, 60 per page by
/// default, at most 200).
#[derive(Debug, serde::Deserialize)]
#[serde(default)]
pub struct Paging {
    pub page: u32,
    pub per_page: u32,
}

impl Default for Paging {
    fn default() -> Self {
        Self {
            page: 0,
            per_page: 60,
        }
    }
}

impl Paging {
    /// Offset and limit.
    pub fn bounds(&self) -> (u32, u32) {
        let per_page = self.per_page.clamp(1, 200);
        (self.page.saturating_mul(per_page), per_page)
    }
}
