//! `dialogs`: interactive dialogs, opened for the user of a trigger id.

use super::{R, invalid};
use crate::runtime::bindings::v0_2::chatops::plugin::dialogs;
use crate::runtime::convert::json_object;
use crate::runtime::state::HostState;
use crate::services::{Broadcast, WsEvent};

impl dialogs::Host for HostState {
    fn open(&mut self, trigger_id: String, dialog: String) -> R<()> {
        let trigger = self
            .services
            .triggers
            .lookup(&trigger_id)
            .filter(|t| t.plugin_id == self.plugin_id)
            .ok_or_else(|| invalid("trigger-id: unknown or expired"))?;
        let mut dialog = json_object(&dialog, "dialog")?;
        self.services
            .integrity
            .seal_dialog(&self.plugin_id, &trigger.user_id, &mut dialog)?;
        let mut data = serde_json::Map::new();
        let payload = serde_json::json!({
            "trigger_id": trigger_id,
            "url": format!("/plugins/{}/dialog", self.plugin_id),
            "dialog": dialog,
        });
        data.insert(
            "dialog".into(),
            serde_json::Value::String(payload.to_string()),
        );
        self.services.events.publish(WsEvent {
            event: "open_dialog".into(),
            data,
            broadcast: Broadcast {
                user_id: trigger.user_id,
                ..Default::default()
            },
        });
        Ok(())
    }
}
