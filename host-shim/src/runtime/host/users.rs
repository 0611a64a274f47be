//! `users`: users, and the plugin's own bot account.

use super::{R, invalid};
use crate::runtime::bindings::v0_2::chatops::plugin::users;
use crate::runtime::bindings::wit;
use crate::runtime::convert::user_to_wit;
use crate::runtime::state::HostState;

impl users::Host for HostState {
    fn get(&mut self, user_id: String) -> R<Option<wit::User>> {
        Ok(self.services.chat.user(&user_id)?.map(user_to_wit))
    }

    fn get_by_username(&mut self, username: String) -> R<Option<wit::User>> {
        let username = username.trim_start_matches('@').to_lowercase();
        Ok(self
            .services
            .chat
            .user_by_username(&username)?
            .map(user_to_wit))
    }

    fn ensure_bot(
        &mut self,
        username: String,
        display_name: String,
        description: String,
    ) -> R<String> {
        let valid = (3..=22).contains(&username.len())
            && username
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
        if !valid {
            return Err(invalid(
                "username: 3-22 characters of letters, digits, '-', '_', '.'",
            ));
        }
        Ok(self.services.ensure_plugin_bot(
            &self.plugin_id,
            &username,
            &display_name,
            &description,
        )?)
    }
}
