//! The one mapping of a failed plugin hook call to a client's answer.
//!
//! A trap's message can carry the guest's panic text, file paths and a wasm
//! backtrace: that goes to the server log (and the admin's status API), never
//! to the client. Every path that turns a [`HookError`] into a response
//! (the plugin HTTP proxy, slash commands, interactive buttons and dialogs)
//! goes through [`hook_error`].

use axum::http::StatusCode;

use super::ApiError;
use crate::error::AppError;
use crate::runtime::HookError;

/// The answer for a failed hook call. `failed` is the caller's own answer
/// for "the plugin failed" (Mattermost's route-specific error); it must not
/// contain the error's text. Throttling and oversized input get their own
/// answers (429 with `Retry-After`, 413 naming the limit).
pub(crate) fn hook_error(plugin_id: &str, err: &HookError, failed: ApiError) -> ApiError {
    match err {
        HookError::Throttled { retry_after, .. } => {
            tracing::info!(
                plugin = plugin_id,
                ?retry_after,
                "caller throttled after repeated plugin failures"
            );
            ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "app.plugin.throttled.app_error",
                format!(
                    "Your requests made the plugin {plugin_id} fail repeatedly; try again in {} seconds.",
                    retry_after.as_secs().max(1)
                ),
            )
            .with_retry_after(*retry_after)
        }
        HookError::TooLarge { hook, limit, .. } => ApiError::from(AppError::TooLarge(format!(
            "{hook}: the request is larger than {limit} bytes, the limit of plugin {plugin_id}"
        ))),
        HookError::Trapped { .. } | HookError::Disabled(_) => {
            // Already logged in full by the runtime; this names the route.
            tracing::warn!(plugin = plugin_id, %err, "plugin hook failed; answered {}", failed.status);
            failed
        }
    }
}

/// The generic "plugin failed" answer: 503, naming only the kind of failure.
pub(crate) fn plugin_failed(plugin_id: &str, err: &HookError) -> ApiError {
    let what = match err {
        HookError::Trapped { kind, .. } => format!(" ({kind})"),
        _ => String::new(),
    };
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "app.plugin.hook_failed.app_error",
        format!("The plugin {plugin_id} failed to handle the request{what}."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::TrapKind;
    use std::time::Duration;

    #[test]
    fn trap_text_never_reaches_the_answer() {
        let err = HookError::Trapped {
            plugin: "p".into(),
            hook: "serve-http".into(),
            kind: TrapKind::Panic,
            message: "panic: secret (at src/lib.rs:1:1)\nwasm backtrace: 0: 0x1".into(),
        };
        let answer = hook_error("p", &err, plugin_failed("p", &err));
        assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            answer.message,
            "The plugin p failed to handle the request (panic)."
        );
    }

    #[test]
    fn throttling_and_size_have_their_own_answers() {
        let err = HookError::Throttled {
            plugin: "p".into(),
            retry_after: Duration::from_millis(1500),
        };
        let answer = hook_error("p", &err, plugin_failed("p", &err));
        assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(answer.retry_after, Some(Duration::from_millis(1500)));
        let err = HookError::TooLarge {
            plugin: "p".into(),
            hook: "dialog-submit".into(),
            limit: 1024,
        };
        let answer = hook_error("p", &err, plugin_failed("p", &err));
        assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(answer.message.contains("1024"), "{}", answer.message);
    }
}
