//! The hook argument and answer types come from the SDK; this adds the
//! playbooks plugin's own error body.

pub use chatops_plugin_sdk::api::*;

/// A Mattermost-style error body with the plugin's error id.
pub fn error_response(status: u16, message: &str) -> HttpResponse {
    HttpResponse::mattermost_error(status, "plugin.playbooks.error", message)
}
