//! Delivers chat events to plugin hooks after they are committed, off the
//! request path: a slow or trapping plugin never delays or fails a post.

use std::sync::Arc;

use tokio::sync::mpsc;

use super::PluginManager;
use crate::runtime::post_to_wit;
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
    for id in manager.running_ids() {
        let result = match &event {
            HookEvent::Posted {
                post,
                bot_of_plugin,
            } => {
                if bot_of_plugin.as_deref() == Some(id.as_str()) {
                    continue;
                }
                let post = post_to_wit((**post).clone());
                manager
                    .call(&id, "message-has-been-posted", move |b, s| {
                        b.chatops_plugin_hooks()
                            .call_message_has_been_posted(s, &post)
                    })
                    .await
            }
            HookEvent::UserJoinedChannel {
                channel_id,
                user_id,
                actor_id,
            } => {
                let (channel_id, user_id, actor_id) =
                    (channel_id.clone(), user_id.clone(), actor_id.clone());
                manager
                    .call(&id, "user-has-joined-channel", move |b, s| {
                        b.chatops_plugin_hooks().call_user_has_joined_channel(
                            s,
                            &channel_id,
                            &user_id,
                            actor_id.as_deref(),
                        )
                    })
                    .await
            }
        };
        // Failures are already logged and counted by the runtime.
        let _ = result;
    }
}
