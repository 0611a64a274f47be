//! Activation, deactivation and settings: what the plugin sets up in the
//! server when it starts.

use serde_json::Value;

use crate::host::{Host, HostResult, Level, SlashCommand};

pub const BOT_USERNAME: &str = "playbooks";
pub const BOT_DISPLAY_NAME: &str = "Playbooks";
pub const COMMAND_TRIGGER: &str = "playbook";

/// KV keys of the plugin's life-cycle record (visible to admins through the
/// self-check report).
pub const KEY_ACTIVATED_AT: &str = "lifecycle/activated-at";
pub const KEY_DEACTIVATED_AT: &str = "lifecycle/deactivated-at";
pub const KEY_CONFIG_CHANGED_AT: &str = "lifecycle/configuration-changed-at";

/// Mattermost `AutocompleteData` for `/playbook`.
pub fn autocomplete_data() -> Value {
    crate::commands::autocomplete::autocomplete_data(COMMAND_TRIGGER)
}

pub fn activate<H: Host>(host: &H) -> HostResult<()> {
    // The tables first, then the one-time move of older releases' KV
    // records into them (resumable; a no-op once done).
    crate::schema::migrate(host)?;
    crate::import::run(host)?;
    host.ensure_bot(
        BOT_USERNAME,
        BOT_DISPLAY_NAME,
        "Playbooks bot: runs, checklists and status updates",
    )?;
    host.register_command(&SlashCommand {
        trigger: COMMAND_TRIGGER.into(),
        display_name: "Playbook".into(),
        description: "Playbooks".into(),
        auto_complete: true,
        auto_complete_desc: "Available commands: run, finish, update, check, checkadd, checkremove, owner, info, timeline, add, todo, settings, help".into(),
        auto_complete_hint: "[command]".into(),
        autocomplete_data: autocomplete_data(),
    })?;
    crate::digest::schedule(host)?;
    host.kv_set(KEY_ACTIVATED_AT, host.now_ms().to_string().as_bytes())?;
    host.log(
        Level::Info,
        &format!("playbooks {} activated", env!("CARGO_PKG_VERSION")),
    );
    Ok(())
}

pub fn deactivate<H: Host>(host: &H) {
    if let Err(err) = host.kv_set(KEY_DEACTIVATED_AT, host.now_ms().to_string().as_bytes()) {
        host.log(
            Level::Warn,
            &format!("could not record deactivation: {err}"),
        );
    }
    host.log(Level::Info, "playbooks deactivated");
}

/// Settings must be a JSON object; anything else is refused.
pub fn configuration_changed<H: Host>(host: &H, config: &str) -> HostResult<()> {
    match serde_json::from_str::<Value>(config) {
        Ok(Value::Object(_)) => {
            host.kv_set(KEY_CONFIG_CHANGED_AT, host.now_ms().to_string().as_bytes())?;
            Ok(())
        }
        _ => Err(crate::host::HostError::InvalidInput(
            "config: must be a JSON object".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::FakeHost;

    #[test]
    fn activation_registers_the_command_and_bot() {
        let host = FakeHost::with_basics();
        activate(&host).unwrap();
        assert_eq!(host.commands.borrow()[0].trigger, "playbook");
        assert!(host.bot.borrow().is_some());
        assert!(host.kv.borrow().contains_key(KEY_ACTIVATED_AT));
    }

    #[test]
    fn settings_must_be_an_object() {
        let host = FakeHost::with_basics();
        assert!(configuration_changed(&host, "[1]").is_err());
        assert!(configuration_changed(&host, "{\"a\":1}").is_ok());
    }
}
