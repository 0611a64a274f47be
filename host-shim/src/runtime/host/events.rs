//! `events`: the plugin's custom websocket events.

use super::{R, invalid};
use crate::runtime::bindings::v0_2::chatops::plugin::events;
use crate::runtime::convert::json_object;
use crate::runtime::state::{HostState, limits};
use crate::services::{Broadcast, WsEvent};

impl events::Host for HostState {
    fn publish(&mut self, event: String, data: String, broadcast: events::Broadcast) -> R<()> {
        let valid = !event.is_empty()
            && event.len() <= 64
            && event
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !valid {
            return Err(invalid(
                "event: 1-64 characters of letters, digits, '_', '-'",
            ));
        }
        if data.len() > limits::MAX_EVENT_BYTES {
            return Err(invalid(format!(
                "data: larger than {} bytes",
                limits::MAX_EVENT_BYTES
            )));
        }
        let data = json_object(&data, "data")?;
        self.services.events.publish(WsEvent {
            event: format!("custom_{}_{}", self.plugin_id, event),
            data,
            broadcast: Broadcast {
                user_id: broadcast.user_id.unwrap_or_default(),
                channel_id: broadcast.channel_id.unwrap_or_default(),
                team_id: broadcast.team_id.unwrap_or_default(),
                omit_users: None,
                ..Default::default()
            },
        });
        Ok(())
    }
}
