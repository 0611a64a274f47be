//! The playbooks plugin: the workflow engine of the chat server, compiled to
//! a WebAssembly component.
//!
//! Everything is plain Rust over the SDK's [`host::Host`] port, so it
//! compiles and unit-tests natively (`cargo test -p playbooks-plugin`).
//! [`Playbooks`] is the plugin as the SDK sees it; on wasm32 the SDK's
//! `export_plugin!` makes it the component's exports (the bindings live in
//! the SDK, not here).

pub mod api;
pub mod authz;
pub mod channel_actions;
pub mod commands;
pub mod digest;
pub mod hooks;
pub mod host;
pub mod http;
pub mod import;
pub mod jobs;
pub mod kvjson;
pub mod legacy;
pub mod lifecycle;
pub mod limits;
pub mod playbooks;
pub mod progress;
pub mod rest;
pub mod runs;
pub mod schema;
pub mod selfcheck;
pub mod sql;

/// `params![a, b]`: statement parameters (from the SDK).
pub use chatops_plugin_sdk::params;
pub mod timefmt;

// The in-memory host: unit tests, and the fuzz targets (`fuzz/`, feature
// `fuzzing`) that drive the REST API and `/playbook` without a server.
#[cfg(any(test, feature = "fuzzing"))]
pub mod fake;

/// The playbooks plugin: each hook forwards to [`hooks`].
pub struct Playbooks;

impl chatops_plugin_sdk::Plugin for Playbooks {
    fn activate<H: host::Host>(host: &H) -> host::HostResult<()> {
        hooks::activate(host)
    }
    fn deactivate<H: host::Host>(host: &H) {
        hooks::deactivate(host)
    }
    fn configuration_changed<H: host::Host>(host: &H, config: &str) -> host::HostResult<()> {
        hooks::configuration_changed(host, config)
    }
    fn execute_command<H: host::Host>(
        host: &H,
        args: &api::CommandArgs,
    ) -> host::HostResult<api::CommandResponse> {
        hooks::execute_command(host, args)
    }
    fn message_has_been_posted<H: host::Host>(host: &H, post: &host::Post) {
        hooks::message_has_been_posted(host, post)
    }
    fn user_has_joined_channel<H: host::Host>(
        host: &H,
        channel_id: &str,
        user_id: &str,
        actor_id: Option<&str>,
    ) {
        hooks::user_has_joined_channel(host, channel_id, user_id, actor_id)
    }
    fn serve_http<H: host::Host>(host: &H, request: &api::HttpRequest) -> api::HttpResponse {
        hooks::serve_http(host, request)
    }
    fn post_action<H: host::Host>(
        host: &H,
        request: &api::ActionRequest,
    ) -> host::HostResult<api::ActionResponse> {
        hooks::post_action(host, request)
    }
    fn dialog_submit<H: host::Host>(
        host: &H,
        submission: &api::DialogSubmission,
    ) -> host::HostResult<api::DialogResponse> {
        hooks::dialog_submit(host, submission)
    }
    fn scheduled_job<H: host::Host>(host: &H, key: &str, payload: &str) {
        hooks::scheduled_job(host, key, payload)
    }
}

#[cfg(target_arch = "wasm32")]
chatops_plugin_sdk::export_plugin!(Playbooks);
