//! Group messages (channels of type `G`, 3 to 8 people, outside any
//! team), as Mattermost makes them: the name is the hex SHA-1 of the
//! members' sorted ids, so one set of people has one group channel; the
//! display name is their usernames, sorted, joined by ", ".

use sha1::{Digest, Sha1};

use super::{Broadcast, Services, WsEvent};
use crate::error::{AppError, AppResult};
use crate::model::{Channel, is_valid_id, new_id, now_ms};

/// Mattermost's `ChannelGroupMinUsers` and `ChannelGroupMaxUsers`.
pub const MIN_GROUP_USERS: usize = 3;
pub const MAX_GROUP_USERS: usize = 8;
/// Mattermost truncates the display name to the channel name length.
const MAX_DISPLAY_NAME_BYTES: usize = 64;

/// Mattermost's `GetGroupNameFromUserIds`.
pub fn group_channel_name(sorted_ids: &[String]) -> String {
    let mut hasher = Sha1::new();
    for id in sorted_ids {
        hasher.update(id.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// Usernames sorted and joined, cut to 64 bytes on a character boundary.
fn group_display_name(mut usernames: Vec<String>) -> String {
    usernames.sort();
    let mut name = usernames.join(", ");
    if name.len() > MAX_DISPLAY_NAME_BYTES {
        let mut end = MAX_DISPLAY_NAME_BYTES;
        while !name.is_char_boundary(end) {
            end -= 1;
        }
        name.truncate(end);
    }
    name
}

impl Services {
    /// Gets or creates the group channel of `user_ids` plus `creator_id`.
    /// Everyone must exist, be active and, unless `creator_sees_all`
    /// (system admins), be visible to the creator (share a team or a
    /// channel); someone the creator may not see is reported exactly like
    /// an unknown id. Returns the channel and whether it is new.
    pub fn group_channel(
        &self,
        creator_id: &str,
        creator_sees_all: bool,
        user_ids: &[String],
    ) -> AppResult<(Channel, bool)> {
        if let Some(bad) = user_ids.iter().find(|id| !is_valid_id(id)) {
            return Err(AppError::Invalid(format!(
                "user_ids: {bad:?} is not a user id"
            )));
        }
        let mut ids: Vec<String> = user_ids.to_vec();
        ids.push(creator_id.to_string());
        ids.sort();
        ids.dedup();
        if !(MIN_GROUP_USERS..=MAX_GROUP_USERS).contains(&ids.len()) {
            return Err(AppError::Invalid(format!(
                "user_ids: a group message has {MIN_GROUP_USERS} to {MAX_GROUP_USERS} people, you included ({} given)",
                ids.len()
            )));
        }
        let users = self.chat.users_by_ids(&ids)?;
        let visible = if creator_sees_all {
            ids.clone()
        } else {
            self.presence.visible_users(creator_id, &ids)?
        };
        for id in &ids {
            let user = users.iter().find(|u| &u.id == id);
            if user.is_none() || !visible.contains(id) {
                return Err(AppError::Invalid(format!("user_ids: no user {id}")));
            }
            if user.is_some_and(|u| u.delete_at != 0) {
                return Err(AppError::Invalid(format!(
                    "user_ids: user {id} is deactivated"
                )));
            }
        }
        let now = now_ms();
        let channel = Channel {
            id: new_id(),
            create_at: now,
            update_at: now,
            channel_type: "G".into(),
            name: group_channel_name(&ids),
            display_name: group_display_name(users.iter().map(|u| u.username.clone()).collect()),
            last_post_at: now,
            creator_id: creator_id.to_string(),
            ..Default::default()
        };
        let (channel, created) = self.groups.create_group_channel(&channel, &ids, now)?;
        if created {
            // Mattermost's event for a new group channel, to its members.
            let mut data = serde_json::Map::new();
            data.insert(
                "teammate_ids".into(),
                serde_json::Value::String(serde_json::to_string(&ids).unwrap_or_default()),
            );
            self.events.publish(WsEvent {
                event: "group_added".into(),
                data,
                broadcast: Broadcast {
                    channel_id: channel.id.clone(),
                    ..Default::default()
                },
            });
        }
        Ok((channel, created))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_is_mattermosts_sha1_of_the_sorted_ids() {
        // sha1("abc") — the ids are hashed one after the other.
        let ids = vec!["a".to_string(), "b".to_string(), "c".to_string()];
        assert_eq!(
            group_channel_name(&ids),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
    }

    #[test]
    fn display_name_is_sorted_usernames_cut_on_a_character() {
        assert_eq!(
            group_display_name(vec!["carol".into(), "alice".into(), "bob".into()]),
            "alice, bob, carol"
        );
        let long = group_display_name(vec!["é".repeat(40), "b".repeat(40)]);
        assert!(long.len() <= 64 && long.starts_with("bbbb"));
        assert!(long.is_char_boundary(long.len()));
    }
}
