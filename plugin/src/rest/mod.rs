//! The plugin's REST API below `/plugins/playbooks/api/v0/`, upstream's
//! routes and JSON names.
//!
//! [`serve`] authenticates (the server sets `user_id` from the session; no
//! session → 401), routes with [`router`], and turns handler errors into
//! Mattermost error bodies ([`HttpResponse::error`]): 400 for bad input,
//! its message naming the field (`run_number_prefix: …`, `checklists[0].title: …`,
//! `page: …`), 403 for denials, 404 for unknown ids and routes.
//!
//! Handlers live in one module per resource ([`playbooks`]); [`body`] parses
//! JSON bodies into model types with field-level errors.

pub mod autocomplete;
pub mod body;
pub mod channel_actions;
pub mod permissions;
pub mod playbooks;
pub mod router;
pub mod run_admin;
pub mod run_checklists;
pub mod run_retro;
pub mod run_status;
pub mod runs;
pub mod stats;

#[cfg(test)]
mod openapi_tests;
#[cfg(test)]
pub(crate) mod test_client;

use serde_json::Value;

use crate::api::{HttpRequest, HttpResponse};
use crate::host::{Host, HostError, Level};
use crate::playbooks::FieldError;
use crate::playbooks::store::StoreError;
use router::{Match, Params, Query, Router};

/// The API's path prefix below the plugin's.
pub const API_PREFIX: &str = "/api/v0";
/// Where clients reach this API (the plugin id is fixed by the manifest).
pub const PUBLIC_API_PREFIX: &str = "/plugins/playbooks/api/v0";

/// A failed request: HTTP status and a message for the error body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub message: String,
}

impl ApiError {
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
        }
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, message)
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(403, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, message)
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(500, message)
    }
}

impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        ApiError::bad_request(e.to_string())
    }
}

impl From<HostError> for ApiError {
    fn from(e: HostError) -> Self {
        match e {
            HostError::NotFound => ApiError::not_found("not found"),
            HostError::PermissionDenied => ApiError::forbidden("permission denied"),
            HostError::Conflict => ApiError::new(409, "conflict, try again"),
            HostError::InvalidInput(m) => ApiError::bad_request(m),
            HostError::Other(m) => ApiError::internal(m),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::not_found("Playbook not found."),
            StoreError::Invalid(e) => e.into(),
            StoreError::Conflict(m) => ApiError::new(409, m),
            StoreError::Host(e) => e.into(),
        }
    }
}

pub type ApiResult = Result<HttpResponse, ApiError>;

/// The authenticated user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub user_id: String,
    pub is_system_admin: bool,
}

/// Everything a handler gets.
pub struct Ctx<'a, H: Host> {
    pub host: &'a H,
    pub request: &'a HttpRequest,
    pub caller: Caller,
    pub params: Params,
    pub query: Query,
}

pub type Handler<H> = fn(&Ctx<'_, H>) -> ApiResult;

pub(crate) fn routes<H: Host>() -> Router<Handler<H>> {
    // `run_admin` has literal `/runs/…` routes (`/runs/owners`): before
    // the `/runs/{id}` ones of `runs`.
    let router = runs::routes(run_admin::routes(playbooks::routes(Router::new())));
    let router = run_retro::routes(run_status::routes(router));
    let router = autocomplete::routes(channel_actions::routes(router));
    stats::routes(run_checklists::routes(router))
}

/// Serves a request whose path starts with [`API_PREFIX`].
pub fn serve<H: Host>(host: &H, request: &HttpRequest) -> HttpResponse {
    let path = request
        .path
        .strip_prefix(API_PREFIX)
        .unwrap_or(&request.path);
    let routes = routes::<H>();
    let result =
        authenticate(host, request).and_then(|caller| match routes.find(&request.method, path) {
            Match::Found(handler, params) => handler(&Ctx {
                host,
                request,
                caller,
                params,
                query: Query::parse(&request.query),
            }),
            Match::MethodNotAllowed(allowed) => {
                let mut response = crate::api::error_response(
                    405,
                    &format!("{} is not allowed on {}", request.method, request.path),
                );
                response.headers.push(("Allow".into(), allowed.join(", ")));
                Ok(response)
            }
            Match::NotFound => Err(ApiError::not_found(format!(
                "No route {} {}",
                request.method, request.path
            ))),
        });
    result.unwrap_or_else(|e| {
        if e.status >= 500 {
            host.log(
                Level::Error,
                &format!("{} {}: {}", request.method, request.path, e.message),
            );
        }
        crate::api::error_response(e.status, &e.message)
    })
}

/// Every route needs a session, as upstream's: 401 without one, and for a
/// user the server no longer knows.
fn authenticate<H: Host>(host: &H, request: &HttpRequest) -> Result<Caller, ApiError> {
    let unauthorized = || ApiError::new(401, "You must be logged in.");
    let user_id = request
        .user_id
        .as_deref()
        .filter(|u| !u.is_empty())
        .ok_or_else(unauthorized)?;
    let user = host.user(user_id)?.ok_or_else(unauthorized)?;
    Ok(Caller {
        is_system_admin: user.is_system_admin(),
        user_id: user.id,
    })
}

/// A JSON response with extra headers.
pub fn json_with(status: u16, body: &Value, headers: &[(&str, String)]) -> HttpResponse {
    let mut response = HttpResponse::json(status, body);
    response
        .headers
        .extend(headers.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
    response
}

/// 204 No Content.
pub fn no_content() -> HttpResponse {
    HttpResponse {
        status: 204,
        headers: Vec::new(),
        body: Vec::new(),
    }
}
