//! Delivers chat events to plugin hooks after they are committed, off the
//! request path: a slow or trapping plugin never delays or fails a post.

use std::sync::Arc;

use tokio::sync::mpsc;

use super::PluginManager;
use crate::runtime::Initiator;
use crate::services::HookEvent;

/// Drains hook events for as long as the sender side lives.
pub fn spawn_hook_dispatcher(
    manager: Arc<PluginManager>,
    mut events: mpsc::UnboundedReceiver<HookEvent>,
) {
    tokio::spawn(async move {
        while let Some(event) = events.recv().await {
            let manager = manager.clone();
            // Each event is delivered to every plugin concurrently; events do
            // not wait for each other.
            tokio::spawn(async move { deliver(&manager, event).await });
        }
    });
}

async fn deliver(manager: &PluginManager, event: HookEvent) {
    if let HookEvent::ExecuteCommand {
        plugin_id,
        ctx,
        command,
    } = event
    {
        run_queued_command(manager, &plugin_id, *ctx, command).await;
        return;
    }
    for id in manager.running_ids() {
        let result = match &event {
            HookEvent::Posted {
                post,
                bot_of_plugin,
            } => {
                if bot_of_plugin.as_deref() == Some(id.as_str()) {
                    continue;
                }
                // A trap here is charged to the author: posting is their
                // request, and no one user may get a plugin disabled.
                let author = Initiator::from_user(Some(&post.user_id));
                let post = (**post).clone();
                manager
                    .call_as(&id, "message-has-been-posted", author, move |g, s| {
                        g.message_posted(s, &post)
                    })
                    .await
            }
            HookEvent::ExecuteCommand { .. } => continue,
            HookEvent::UserJoinedChannel {
                channel_id,
                user_id,
                actor_id,
            } => {
                // Charged to whoever made the join happen.
                let who = Initiator::from_user(Some(actor_id.as_deref().unwrap_or(user_id)));
                let (channel_id, user_id, actor_id) =
                    (channel_id.clone(), user_id.clone(), actor_id.clone());
                manager
                    .call_as(&id, "user-has-joined-channel", who, move |g, s| {
                        g.user_joined_channel(s, &channel_id, &user_id, actor_id.as_deref())
                    })
                    .await
            }
        };
        // Failures are already logged and counted by the runtime.
        let _ = result;
    }
}

/// A plugin command a plugin asked to run as a user: run it like
/// `POST /api/v4/commands/execute` would, and apply its response.
async fn run_queued_command(
    manager: &PluginManager,
    plugin_id: &str,
    ctx: crate::services::commands::CommandContext,
    command: String,
) {
    use crate::server::commands::{plugin_bot_or, response_from_wit};
    let args = crate::runtime::hooks::CommandArgs {
        user_id: ctx.user.id.clone(),
        channel_id: ctx.channel.id.clone(),
        team_id: ctx.team_id.clone(),
        root_id: ctx.root_id.clone(),
        command: command.clone(),
        trigger_id: String::new(),
    };
    let response = match manager.execute_command(plugin_id, args).await {
        Some(Ok(Ok(wit))) => response_from_wit(plugin_id, wit),
        Some(Ok(Err(err))) => crate::services::commands::CommandResponse::ephemeral(err.text()),
        Some(Err(err)) => {
            tracing::warn!(plugin = plugin_id, %err, command, "queued command failed");
            return;
        }
        None => {
            tracing::warn!(
                plugin = plugin_id,
                command,
                "queued command: plugin not running"
            );
            return;
        }
    };
    let services = manager.services();
    let author = plugin_bot_or(services, plugin_id, &ctx.user.id);
    if let Err(err) = services.apply_command_response(&ctx, &response, &author) {
        tracing::warn!(plugin = plugin_id, %err, command, "queued command response not applied");
    }
}
