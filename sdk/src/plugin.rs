//! The [`Plugin`] trait: one method per hook, each a no-op (or a polite
//! refusal) by default, so a plugin implements only what it handles.

use crate::api::{
    ActionRequest, ActionResponse, CommandArgs, CommandResponse, DialogResponse, DialogSubmission,
    HttpRequest, HttpResponse,
};
use crate::host::{Host, HostError, HostResult, Post};

/// A chat plugin. The hooks take the host as a parameter instead of
/// holding state: an instance may be replaced between any two calls (a trap
/// drops it), so what must survive lives in the host (KV, SQL).
/// [`crate::export_plugin!`] makes the type the component's exports.
pub trait Plugin {
    /// The plugin was enabled: register commands, migrate data. An error
    /// keeps it inactive.
    fn activate<H: Host>(_host: &H) -> HostResult<()> {
        Ok(())
    }

    /// The plugin is about to be disabled or replaced.
    fn deactivate<H: Host>(_host: &H) {}

    /// The admin changed the settings; `config` is the new JSON object.
    fn configuration_changed<H: Host>(_host: &H, _config: &str) -> HostResult<()> {
        Ok(())
    }

    /// A slash command this plugin registered was run.
    fn execute_command<H: Host>(_host: &H, args: &CommandArgs) -> HostResult<CommandResponse> {
        Ok(CommandResponse::ephemeral(format!(
            "{} is not handled by this plugin.",
            args.command
        )))
    }

    /// A post was stored (never called for the plugin's own bot posts).
    fn message_has_been_posted<H: Host>(_host: &H, _post: &Post) {}

    /// A user joined a channel, added by `actor_id` if someone else.
    fn user_has_joined_channel<H: Host>(
        _host: &H,
        _channel_id: &str,
        _user_id: &str,
        _actor_id: Option<&str>,
    ) {
    }

    /// A request under `/plugins/<id>/`.
    fn serve_http<H: Host>(_host: &H, _request: &HttpRequest) -> HttpResponse {
        HttpResponse::mattermost_error(404, "plugin.not_found", "Not found.")
    }

    /// A click on one of the plugin's interactive buttons or menus.
    fn post_action<H: Host>(_host: &H, _request: &ActionRequest) -> HostResult<ActionResponse> {
        Err(HostError::InvalidInput("unknown action".into()))
    }

    /// A dialog the plugin opened was submitted or cancelled.
    fn dialog_submit<H: Host>(
        _host: &H,
        submission: &DialogSubmission,
    ) -> HostResult<DialogResponse> {
        Err(HostError::InvalidInput(format!(
            "unknown dialog {}",
            submission.callback_id
        )))
    }

    /// A job the plugin scheduled is due.
    fn scheduled_job<H: Host>(_host: &H, _key: &str, _payload: &str) {}
}
