//! The typed facade over the hooks a plugin exports, whatever contract
//! version it was built against. `server/` and `plugins/` call hooks
//! through [`Guest`] with the plain types below and get one outcome type
//! back ([`Outcome`]); only this file and `bindings.rs` know the generated
//! WIT types, so a new contract version is one more arm here.

use wasmtime::Store;

use super::bindings::{v0_1, v0_2};
use super::state::HostState;
use crate::model::Post;

/// The error a hook answered with (the WIT `error` variant).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PluginError {
    NotFound,
    PermissionDenied,
    Conflict,
    InvalidInput(String),
    Other(String),
}

impl PluginError {
    /// The text shown to the user whose request the hook refused.
    pub fn text(&self) -> String {
        match self {
            PluginError::NotFound => "not found".into(),
            PluginError::PermissionDenied => "permission denied".into(),
            PluginError::Conflict => "conflict".into(),
            PluginError::InvalidInput(msg) | PluginError::Other(msg) => msg.clone(),
        }
    }
}

/// What one hook call came to: the host side failed (trap, disabled,
/// throttled: [`super::HookError`]), or the hook answered, with its value
/// or its own error.
pub type Outcome<T> = Result<Result<T, PluginError>, super::HookError>;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CommandArgs {
    pub user_id: String,
    pub channel_id: String,
    pub team_id: String,
    pub root_id: String,
    /// The whole command line, e.g. "/playbook run".
    pub command: String,
    pub trigger_id: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResponseType {
    #[default]
    Ephemeral,
    InChannel,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CommandResponse {
    pub response_type: ResponseType,
    pub text: String,
    pub username: String,
    pub icon_url: String,
    pub post_type: String,
    /// JSON object text.
    pub props: String,
    pub goto_location: String,
    /// JSON array text ("" for none).
    pub attachments: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HttpRequest {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub user_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ActionKind {
    #[default]
    Button,
    Select,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ActionRequest {
    pub user_id: String,
    pub channel_id: String,
    pub team_id: String,
    pub post_id: String,
    pub trigger_id: String,
    pub kind: ActionKind,
    pub context: String,
    pub selected_option: String,
}

/// Changes a plugin asks for on a post; `None` keeps the stored value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PostPatch {
    pub message: Option<String>,
    /// JSON object text; replaces the whole map.
    pub props: Option<String>,
    /// Only contract 0.1 could change a post's type.
    pub post_type: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ActionResponse {
    pub update: Option<PostPatch>,
    pub ephemeral_text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DialogSubmission {
    pub callback_id: String,
    pub state: String,
    pub user_id: String,
    pub channel_id: String,
    pub team_id: String,
    pub submission: String,
    pub cancelled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DialogResponse {
    pub errors: Vec<(String, String)>,
    pub error: String,
}

/// A plugin instance's exports, by contract version.
pub enum Guest {
    V0_1(v0_1::ChatPlugin),
    V0_2(v0_2::ChatPlugin),
}

type S<'a> = &'a mut Store<HostState>;
type W<T> = wasmtime::Result<T>;

/// Converts the plugin's answer, whichever version's types it came in.
macro_rules! answer {
    ($call:expr, $ok:expr) => {
        $call.map(|r| r.map($ok).map_err(plugin_error!()))
    };
}

macro_rules! plugin_error {
    () => {
        |e| match e {
            NotFound => PluginError::NotFound,
            PermissionDenied => PluginError::PermissionDenied,
            Conflict => PluginError::Conflict,
            InvalidInput(m) => PluginError::InvalidInput(m),
            Other(m) => PluginError::Other(m),
        }
    };
}

mod v1 {
    pub use super::v0_1::chatops::plugin::types::Error;
    pub use super::v0_1::exports::chatops::plugin::hooks::*;
}
mod v2 {
    pub use super::v0_2::chatops::plugin::types::Error;
    pub use super::v0_2::exports::chatops::plugin::hooks::*;
}

impl Guest {
    pub fn activate(&self, s: S) -> W<Result<(), PluginError>> {
        match self {
            Guest::V0_1(g) => {
                use v1::Error::*;
                answer!(g.chatops_plugin_hooks().call_activate(s), |()| ())
            }
            Guest::V0_2(g) => {
                use v2::Error::*;
                answer!(g.chatops_plugin_hooks().call_activate(s), |()| ())
            }
        }
    }

    pub fn deactivate(&self, s: S) -> W<()> {
        match self {
            Guest::V0_1(g) => g.chatops_plugin_hooks().call_deactivate(s),
            Guest::V0_2(g) => g.chatops_plugin_hooks().call_deactivate(s),
        }
    }

    pub fn configuration_changed(&self, s: S, config: &str) -> W<Result<(), PluginError>> {
        match self {
            Guest::V0_1(g) => {
                use v1::Error::*;
                answer!(
                    g.chatops_plugin_hooks()
                        .call_configuration_changed(s, config),
                    |()| ()
                )
            }
            Guest::V0_2(g) => {
                use v2::Error::*;
                answer!(
                    g.chatops_plugin_hooks()
                        .call_configuration_changed(s, config),
                    |()| ()
                )
            }
        }
    }

    pub fn message_posted(&self, s: S, post: &Post) -> W<()> {
        let wit = super::convert::post_to_wit(post.clone());
        match self {
            Guest::V0_1(g) => g
                .chatops_plugin_hooks()
                .call_message_has_been_posted(s, &super::host::v0_1::post_down(wit)),
            Guest::V0_2(g) => g
                .chatops_plugin_hooks()
                .call_message_has_been_posted(s, &wit),
        }
    }

    pub fn user_joined_channel(
        &self,
        s: S,
        channel_id: &str,
        user_id: &str,
        actor_id: Option<&str>,
    ) -> W<()> {
        match self {
            Guest::V0_1(g) => g
                .chatops_plugin_hooks()
                .call_user_has_joined_channel(s, channel_id, user_id, actor_id),
            Guest::V0_2(g) => g
                .chatops_plugin_hooks()
                .call_user_has_joined_channel(s, channel_id, user_id, actor_id),
        }
    }

    pub fn run_command(&self, s: S, a: &CommandArgs) -> W<Result<CommandResponse, PluginError>> {
        macro_rules! args {
            ($m:ident) => {
                $m::CommandArgs {
                    user_id: a.user_id.clone(),
                    channel_id: a.channel_id.clone(),
                    team_id: a.team_id.clone(),
                    root_id: a.root_id.clone(),
                    command: a.command.clone(),
                    trigger_id: a.trigger_id.clone(),
                }
            };
        }
        match self {
            Guest::V0_1(g) => {
                use v1::Error::*;
                answer!(
                    g.chatops_plugin_hooks().call_execute_command(s, &args!(v1)),
                    |r: v1::CommandResponse| CommandResponse {
                        response_type: if r.response_type == "in_channel" {
                            ResponseType::InChannel
                        } else {
                            ResponseType::Ephemeral
                        },
                        text: r.text,
                        username: r.username,
                        icon_url: r.icon_url,
                        post_type: r.type_,
                        props: r.props,
                        goto_location: r.goto_location,
                        attachments: r.attachments,
                    }
                )
            }
            Guest::V0_2(g) => {
                use v2::Error::*;
                answer!(
                    g.chatops_plugin_hooks().call_execute_command(s, &args!(v2)),
                    |r: v2::CommandResponse| CommandResponse {
                        response_type: match r.response_type {
                            v2::ResponseType::InChannel => ResponseType::InChannel,
                            v2::ResponseType::Ephemeral => ResponseType::Ephemeral,
                        },
                        text: r.text,
                        username: r.username,
                        icon_url: r.icon_url,
                        post_type: r.type_,
                        props: r.props,
                        goto_location: r.goto_location,
                        attachments: r.attachments,
                    }
                )
            }
        }
    }

    pub fn serve_http(&self, s: S, r: &HttpRequest) -> W<HttpResponse> {
        macro_rules! request {
            ($m:ident) => {
                $m::HttpRequest {
                    method: r.method.clone(),
                    path: r.path.clone(),
                    query: r.query.clone(),
                    headers: r.headers.clone(),
                    body: r.body.clone(),
                    user_id: r.user_id.clone(),
                }
            };
        }
        macro_rules! response {
            ($resp:expr) => {
                $resp.map(|r| HttpResponse {
                    status: r.status,
                    headers: r.headers,
                    body: r.body,
                })
            };
        }
        match self {
            Guest::V0_1(g) => response!(g.chatops_plugin_hooks().call_serve_http(s, &request!(v1))),
            Guest::V0_2(g) => response!(g.chatops_plugin_hooks().call_serve_http(s, &request!(v2))),
        }
    }

    pub fn post_action(&self, s: S, r: &ActionRequest) -> W<Result<ActionResponse, PluginError>> {
        macro_rules! request {
            ($m:ident, $kind:expr) => {
                $m::ActionRequest {
                    user_id: r.user_id.clone(),
                    channel_id: r.channel_id.clone(),
                    team_id: r.team_id.clone(),
                    post_id: r.post_id.clone(),
                    trigger_id: r.trigger_id.clone(),
                    type_: $kind,
                    context: r.context.clone(),
                    selected_option: r.selected_option.clone(),
                }
            };
        }
        match self {
            Guest::V0_1(g) => {
                use v1::Error::*;
                let kind = match r.kind {
                    ActionKind::Button => "button".to_string(),
                    ActionKind::Select => "select".to_string(),
                };
                answer!(
                    g.chatops_plugin_hooks()
                        .call_post_action(s, &request!(v1, kind)),
                    |a: v1::ActionResponse| ActionResponse {
                        // 0.1 replaced message, props and type.
                        update: a.update.map(|p| PostPatch {
                            message: Some(p.message),
                            props: Some(p.props),
                            post_type: Some(p.type_),
                        }),
                        ephemeral_text: a.ephemeral_text,
                    }
                )
            }
            Guest::V0_2(g) => {
                use v2::Error::*;
                let kind = match r.kind {
                    ActionKind::Button => v2::ActionType::Button,
                    ActionKind::Select => v2::ActionType::Select,
                };
                answer!(
                    g.chatops_plugin_hooks()
                        .call_post_action(s, &request!(v2, kind)),
                    |a: v2::ActionResponse| ActionResponse {
                        update: a.update.map(|p| PostPatch {
                            message: p.message,
                            props: p.props,
                            post_type: None,
                        }),
                        ephemeral_text: a.ephemeral_text,
                    }
                )
            }
        }
    }

    pub fn dialog_submit(
        &self,
        s: S,
        d: &DialogSubmission,
    ) -> W<Result<DialogResponse, PluginError>> {
        macro_rules! submission {
            ($m:ident) => {
                $m::DialogSubmission {
                    callback_id: d.callback_id.clone(),
                    state: d.state.clone(),
                    user_id: d.user_id.clone(),
                    channel_id: d.channel_id.clone(),
                    team_id: d.team_id.clone(),
                    submission: d.submission.clone(),
                    cancelled: d.cancelled,
                }
            };
        }
        match self {
            Guest::V0_1(g) => {
                use v1::Error::*;
                answer!(
                    g.chatops_plugin_hooks()
                        .call_dialog_submit(s, &submission!(v1)),
                    |r: v1::DialogResponse| DialogResponse {
                        errors: r.errors,
                        error: r.error,
                    }
                )
            }
            Guest::V0_2(g) => {
                use v2::Error::*;
                answer!(
                    g.chatops_plugin_hooks()
                        .call_dialog_submit(s, &submission!(v2)),
                    |r: v2::DialogResponse| DialogResponse {
                        errors: r.errors,
                        error: r.error,
                    }
                )
            }
        }
    }

    pub fn scheduled_job(&self, s: S, key: &str, payload: &str) -> W<()> {
        match self {
            Guest::V0_1(g) => g.chatops_plugin_hooks().call_scheduled_job(s, key, payload),
            Guest::V0_2(g) => g.chatops_plugin_hooks().call_scheduled_job(s, key, payload),
        }
    }
}

/// A component's pre-linked form, by the contract version it exports.
pub enum GuestPre {
    V0_1(v0_1::ChatPluginPre<HostState>),
    V0_2(v0_2::ChatPluginPre<HostState>),
}

/// The hooks interface each version exports, newest first.
const HOOKS_0_2: &str = "chatops:plugin/hooks@0.2.0";
const HOOKS_0_1: &str = "chatops:plugin/hooks@0.1.0";

impl GuestPre {
    /// Picks the contract version by the hooks interface the component
    /// exports, then links it.
    pub fn new(
        engine: &wasmtime::Engine,
        linker: &wasmtime::component::Linker<HostState>,
        component: &wasmtime::component::Component,
    ) -> anyhow::Result<Self> {
        let exports: Vec<String> = component
            .component_type()
            .exports(engine)
            .map(|(name, _)| name.to_string())
            .collect();
        let instance_pre = linker.instantiate_pre(component)?;
        if exports.iter().any(|e| e == HOOKS_0_2) {
            Ok(GuestPre::V0_2(v0_2::ChatPluginPre::new(instance_pre)?))
        } else if exports.iter().any(|e| e == HOOKS_0_1) {
            Ok(GuestPre::V0_1(v0_1::ChatPluginPre::new(instance_pre)?))
        } else {
            anyhow::bail!("the component exports neither {HOOKS_0_2} nor {HOOKS_0_1}: {exports:?}")
        }
    }

    /// The contract version the plugin was built against ("0.2.0").
    pub fn contract_version(&self) -> &'static str {
        match self {
            GuestPre::V0_1(_) => "0.1.0",
            GuestPre::V0_2(_) => "0.2.0",
        }
    }

    pub fn instantiate(&self, store: S) -> anyhow::Result<Guest> {
        Ok(match self {
            GuestPre::V0_1(pre) => Guest::V0_1(pre.instantiate(store)?),
            GuestPre::V0_2(pre) => Guest::V0_2(pre.instantiate(store)?),
        })
    }
}
