//! `log`: the plugin's lines in the host's structured log.

use crate::runtime::bindings::v0_2::chatops::plugin::log;
use crate::runtime::state::{HostState, limits};

impl log::Host for HostState {
    fn write(&mut self, level: log::Level, message: String) {
        let mut message = message;
        if message.len() > limits::MAX_LOG_BYTES {
            let mut cut = limits::MAX_LOG_BYTES;
            while !message.is_char_boundary(cut) {
                cut -= 1;
            }
            message.truncate(cut);
            message.push('…');
        }
        let plugin = self.plugin_id.as_str();
        match level {
            log::Level::Debug => tracing::debug!(plugin, "{message}"),
            log::Level::Info => tracing::info!(plugin, "{message}"),
            log::Level::Warn => tracing::warn!(plugin, "{message}"),
            log::Level::Error => {
                tracing::error!(plugin, "{message}");
                // The guest's panic hook reports through here right before
                // it traps; keep the text for the trap report.
                if message.starts_with("panic") {
                    self.last_panic = Some(message);
                }
            }
        }
    }
}
