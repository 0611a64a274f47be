//! `channels`: channels and their membership.

use super::{R, invalid};
use crate::runtime::bindings::v0_2::chatops::plugin::channels;
use crate::runtime::bindings::wit;
use crate::runtime::convert::{channel_from_wit, channel_to_wit};
use crate::runtime::state::{HostState, limits};

impl channels::Host for HostState {
    fn add_to_category(
        &mut self,
        user_id: String,
        team_id: String,
        category: String,
        channel_id: String,
    ) -> R<()> {
        if !self
            .services
            .chat
            .is_channel_member(&channel_id, &user_id)?
        {
            return Err(wit::Error::PermissionDenied);
        }
        self.services
            .add_to_category(&user_id, &team_id, &category, &channel_id)?;
        Ok(())
    }

    fn get(&mut self, channel_id: String) -> R<Option<wit::Channel>> {
        Ok(self.services.chat.channel(&channel_id)?.map(channel_to_wit))
    }

    fn get_by_name(&mut self, team_id: String, name: String) -> R<Option<wit::Channel>> {
        Ok(self
            .services
            .chat
            .channel_by_name(&team_id, &name)?
            .map(channel_to_wit))
    }

    fn create(&mut self, channel: wit::Channel) -> R<wit::Channel> {
        let mut channel = channel_from_wit(channel);
        if channel.creator_id.is_empty() {
            channel.creator_id = self.bot_id()?;
        }
        Ok(channel_to_wit(self.services.create_channel(channel)?))
    }

    fn direct(&mut self, user_a: String, user_b: String) -> R<wit::Channel> {
        Ok(channel_to_wit(
            self.services.direct_channel(&user_a, &user_b)?,
        ))
    }

    fn add_member(&mut self, channel_id: String, user_id: String) -> R<()> {
        let actor = self.bot_id().ok();
        Ok(self
            .services
            .add_channel_member(&channel_id, &user_id, actor.as_deref())?)
    }

    fn remove_member(&mut self, channel_id: String, user_id: String) -> R<()> {
        Ok(self.services.remove_channel_member(&channel_id, &user_id)?)
    }

    fn is_member(&mut self, channel_id: String, user_id: String) -> R<bool> {
        Ok(self
            .services
            .chat
            .is_channel_member(&channel_id, &user_id)?)
    }

    fn members(
        &mut self,
        channel_id: String,
        cursor: Option<String>,
        limit: u32,
    ) -> R<wit::IdPage> {
        // The cursor is opaque to the plugin; today it is the offset of
        // the next page in the store's member order.
        let offset = match cursor.as_deref() {
            None => 0,
            Some(c) => c
                .parse::<u32>()
                .map_err(|_| invalid("cursor: not one this host handed out"))?,
        };
        let limit = limit.clamp(1, limits::MAX_MEMBERS_PAGE);
        let ids = self
            .services
            .chat
            .channel_members(&channel_id, offset, limit)?;
        let next_cursor = (ids.len() == limit as usize).then(|| (offset + limit).to_string());
        Ok(wit::IdPage { ids, next_cursor })
    }

    fn update(&mut self, channel: wit::Channel) -> R<wit::Channel> {
        Ok(channel_to_wit(
            self.services.update_channel(&channel_from_wit(channel))?,
        ))
    }

    fn archive(&mut self, channel_id: String) -> R<()> {
        let channel = self
            .services
            .chat
            .channel(&channel_id)?
            .ok_or(wit::Error::NotFound)?;
        self.services.archive_channel(channel)?;
        Ok(())
    }
}
