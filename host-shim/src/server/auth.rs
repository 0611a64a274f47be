//! Who is asking: the session behind a request.
//!
//! Like Mattermost, a request authenticates with `Authorization: Bearer
//! <token>` (or `Token <token>`), or with the `MMAUTHTOKEN` cookie a browser
//! got at login. Cookie-authenticated requests that change state must also
//! carry `X-Requested-With: XMLHttpRequest` (Mattermost's CSRF defence).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};

use super::{ApiError, AppState};
use crate::error::AppError;
use crate::model::User;

pub const COOKIE_TOKEN: &str = "MMAUTHTOKEN";
pub const COOKIE_USER_ID: &str = "MMUSERID";

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    pub session_id: String,
}

impl Caller {
    pub fn id(&self) -> &str {
        &self.user.id
    }

    pub fn is_admin(&self) -> bool {
        self.user.is_system_admin()
    }

    /// Resolves a `{user_id}` path segment ("me" = the caller) for routes
    /// where users act on themselves and admins on anyone: 403 otherwise.
    pub fn self_or_admin(&self, user_id: &str) -> Result<String, ApiError> {
        if user_id == "me" || user_id == self.id() {
            return Ok(self.id().to_string());
        }
        self.require_admin()?;
        Ok(user_id.to_string())
    }

    /// 403 unless the caller is a system admin.
    pub fn require_admin(&self) -> Result<(), ApiError> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(AppError::Forbidden("You do not have the appropriate permissions.".into()).into())
        }
    }
}

/// The caller when there is one; anonymous requests are allowed.
#[derive(Debug, Clone)]
pub struct MaybeCaller(pub Option<Caller>);

/// A cookie's value from the `Cookie` header.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The token a request presents, and whether it came from a cookie.
pub(super) fn presented_token(parts: &Parts) -> Option<(String, bool)> {
    if let Some(value) = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        // The scheme is case-insensitive (Client4 sends "BEARER").
        if let Some((scheme, token)) = value.trim().split_once(' ')
            && (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token"))
        {
            return Some((token.trim().to_string(), false));
        }
    }
    cookie(&parts.headers, COOKIE_TOKEN).map(|t| (t.to_string(), true))
}

async fn resolve(parts: &Parts, state: &AppState) -> Result<Option<Caller>, ApiError> {
    let Some((token, from_cookie)) = presented_token(parts) else {
        return Ok(None);
    };
    if from_cookie && !matches!(parts.method, Method::GET | Method::HEAD) {
        let xhr = parts
            .headers
            .get("x-requested-with")
            .and_then(|v| v.to_str().ok());
        if xhr != Some("XMLHttpRequest") {
            return Err(AppError::Unauthorized.into());
        }
    }
    let services = state.services.clone();
    let (session, user) = tokio::task::spawn_blocking(move || services.authenticate(&token))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    // A request from a web client (Mattermost's rule: it says
    // `X-Requested-With: XMLHttpRequest`) is the user being active
    // (decision 020); scripts and bots are not.
    let from_web_client = parts
        .headers
        .get("x-requested-with")
        .is_some_and(|v| v.as_bytes() == b"XMLHttpRequest");
    if from_web_client && state.services.activity_due(&user.id) {
        let services = state.services.clone();
        let user_id = user.id.clone();
        tokio::task::spawn_blocking(move || {
            if let Err(err) = services.write_activity(&user_id) {
                tracing::warn!(%err, "recording activity failed");
            }
        });
    }
    Ok(Some(Caller {
        user,
        session_id: session.id,
    }))
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        resolve(parts, state)
            .await?
            .ok_or_else(|| AppError::Unauthorized.into())
    }
}

impl FromRequestParts<AppState> for MaybeCaller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // A bad or expired token on an optional route is still an error: the
        // client believes it is logged in and should hear that it is not.
        Ok(MaybeCaller(resolve(parts, state).await?))
    }
}
