//! `posts`: create, read, edit and delete messages; ephemeral ones.

use super::R;
use crate::runtime::bindings::v0_2::chatops::plugin::posts;
use crate::runtime::bindings::wit;
use crate::runtime::convert::{json_object, post_from_wit, post_to_wit};
use crate::runtime::state::HostState;
use crate::services::Author;

impl posts::Host for HostState {
    fn create(&mut self, post: wit::Post) -> R<wit::Post> {
        let bot_id = self.bot_id()?;
        let author = Author::Plugin {
            plugin_id: self.plugin_id.clone(),
            bot_id,
        };
        let created = self.services.create_post(post_from_wit(post)?, author)?;
        Ok(post_to_wit(created))
    }

    fn update(&mut self, post_id: String, patch: wit::PostPatch) -> R<wit::Post> {
        let mut post = self
            .services
            .chat
            .post(&post_id)?
            .filter(|p| p.delete_at == 0)
            .ok_or(wit::Error::NotFound)?;
        if let Some(message) = patch.message {
            post.message = message;
        }
        if let Some(props) = patch.props {
            post.props = json_object(&props, "props")?;
        }
        self.services
            .integrity
            .sign_post_actions(&self.plugin_id, &mut post)?;
        Ok(post_to_wit(self.services.update_post(&post)?))
    }

    fn delete(&mut self, post_id: String) -> R<()> {
        self.services
            .delete_post(&post_id)
            .map(|_| ())
            .map_err(Into::into)
    }

    fn get(&mut self, post_id: String) -> R<Option<wit::Post>> {
        Ok(self.services.chat.post(&post_id)?.map(post_to_wit))
    }

    fn send_ephemeral(&mut self, user_id: String, post: wit::Post) -> R<wit::Post> {
        let mut post = post_from_wit(post)?;
        if post.user_id.is_empty() {
            post.user_id = self.bot_id()?;
        }
        Ok(post_to_wit(self.services.send_ephemeral(&user_id, post)?))
    }
}
