//! `commands`: slash-command registration and execution as a user.

use super::{R, invalid};
use crate::model::CommandRegistration;
use crate::runtime::bindings::v0_2::chatops::plugin::commands;
use crate::runtime::convert::json_object;
use crate::runtime::state::HostState;

impl commands::Host for HostState {
    fn register(&mut self, command: commands::Command) -> R<()> {
        let trigger = command.trigger.trim_start_matches('/').to_lowercase();
        let valid =
            !trigger.is_empty() && trigger.len() <= 128 && !trigger.contains(char::is_whitespace);
        if !valid {
            return Err(invalid("trigger: 1-128 characters without spaces"));
        }
        if !command.autocomplete_data.is_empty() {
            json_object(&command.autocomplete_data, "autocomplete-data")?;
        }
        let registration = CommandRegistration {
            plugin_id: self.plugin_id.clone(),
            trigger,
            display_name: command.display_name,
            description: command.description,
            auto_complete: command.auto_complete,
            auto_complete_desc: command.auto_complete_desc,
            auto_complete_hint: command.auto_complete_hint,
            autocomplete_data: command.autocomplete_data,
        };
        Ok(self.services.chat.register_command(&registration)?)
    }

    fn unregister(&mut self, trigger: String) -> R<()> {
        let trigger = trigger.trim_start_matches('/').to_lowercase();
        self.services
            .chat
            .unregister_command(&self.plugin_id, &trigger)?;
        Ok(())
    }

    fn execute(
        &mut self,
        user_id: String,
        channel_id: String,
        root_id: String,
        command: String,
    ) -> R<commands::Executed> {
        use crate::services::command_exec::Executed;
        match self
            .services
            .execute_command_as(&user_id, &channel_id, &root_id, &command)?
        {
            Executed::Ran(response) => Ok(commands::Executed::Ran(response.text)),
            Executed::Queued => Ok(commands::Executed::Queued),
        }
    }
}
