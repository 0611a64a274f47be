//! `http-out`: queued outgoing webhook deliveries.

use super::R;
use crate::runtime::bindings::v0_2::chatops::plugin::http_out;
use crate::runtime::state::HostState;

impl http_out::Host for HostState {
    fn post_json(&mut self, url: String, body: String) -> R<()> {
        Ok(self
            .services
            .webhooks
            .post_json(&self.plugin_id, &url, body)?)
    }
}
