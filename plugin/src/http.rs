//! The plugin's REST routes, served under `/plugins/playbooks`.

use serde_json::json;

use crate::api::{HttpRequest, HttpResponse};
use crate::host::Host;
use crate::selfcheck;

pub fn serve<H: Host>(host: &H, request: &HttpRequest) -> HttpResponse {
    let path = request.path.trim_end_matches('/');
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match (request.method.as_str(), segments.as_slice()) {
        ("GET", ["api", "v0", "version"]) => HttpResponse::json(
            200,
            &json!({"id": "playbooks", "version": env!("CARGO_PKG_VERSION")}),
        ),
        ("GET", ["api", "v0", "selfcheck", channel_id]) => {
            let Some(user_id) = &request.user_id else {
                return crate::api::error_response(401, "You must be logged in.");
            };
            match host.user(user_id) {
                Ok(Some(user)) if user.is_system_admin() => {}
                Ok(_) => {
                    return crate::api::error_response(
                        403,
                        "Only system admins can read self-check reports.",
                    );
                }
                Err(err) => return crate::api::error_response(500, &err.to_string()),
            }
            match selfcheck::report(host, channel_id) {
                Ok(Some(report)) => HttpResponse::json(200, &report),
                Ok(None) => {
                    crate::api::error_response(404, "No self-check was run in this channel.")
                }
                Err(err) => crate::api::error_response(500, &err.to_string()),
            }
        }
        _ if request.path.starts_with("/api/v0/") => crate::rest::serve(host, request),
        _ => crate::api::error_response(
            404,
            &format!("No route {} {}", request.method, request.path),
        ),
    }
}
