//! Sidebar categories (Mattermost's `SidebarCategoryWithChannels`): per user
//! and team, custom categories with their channels, plus the built-in
//! "Favorites", "Channels" and "Direct Messages" ones computed from
//! memberships. "Favorites" holds the channels the user marked with
//! Mattermost's `favorite_channel` preference (decision 020): the
//! preference is the one record, so the category and the preference
//! cannot disagree; a favourite leaves whatever category it was in.
//!
//! Custom categories are stored in the host's own KV namespace (`@host`,
//! key `categories/<user_id>/<team_id>`), one JSON document per user and
//! team, updated with compare-and-set: they are small, read whole, and need
//! no SQL schema of their own.

use serde::{Deserialize, Serialize};

use super::Services;
use crate::error::{AppError, AppResult};
use crate::model::new_id;

const HOST_NS: &str = "@host";
const MAX_NAME_CHARS: usize = 22;

/// One category as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    pub id: String,
    pub user_id: String,
    pub team_id: String,
    pub sort_order: i64,
    pub sorting: String,
    /// `custom`, `channels` or `direct_messages`.
    #[serde(rename = "type")]
    pub kind: String,
    pub display_name: String,
    pub muted: bool,
    pub collapsed: bool,
    pub channel_ids: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Stored {
    custom: Vec<Category>,
}

fn key(user_id: &str, team_id: &str) -> String {
    format!("categories/{user_id}/{team_id}")
}

impl Services {
    fn stored_categories(
        &self,
        user_id: &str,
        team_id: &str,
    ) -> AppResult<(Option<Vec<u8>>, Stored)> {
        let raw = self.kv.get(HOST_NS, &key(user_id, team_id))?;
        let stored = raw
            .as_deref()
            .and_then(|b| serde_json::from_slice(b).ok())
            .unwrap_or_default();
        Ok((raw, stored))
    }

    /// The user's categories in a team: "Favorites" (when the user has
    /// favourites among the channels they are in), custom ones (in their
    /// order), then "Channels" (every other channel of the team the user is
    /// in) and "Direct Messages".
    pub fn categories(&self, user_id: &str, team_id: &str) -> AppResult<Vec<Category>> {
        let (_, mut stored) = self.stored_categories(user_id, team_id)?;
        let mine = self.chat.channels_for_user(team_id, user_id)?;
        let favorites: Vec<String> = {
            let marked = self.favorite_channel_ids(user_id)?;
            mine.iter()
                .filter(|c| marked.contains(&c.id))
                .map(|c| c.id.clone())
                .collect()
        };
        for c in &mut stored.custom {
            c.channel_ids.retain(|id| !favorites.contains(id));
        }
        let in_custom: Vec<&String> = stored
            .custom
            .iter()
            .flat_map(|c| c.channel_ids.iter())
            .collect();
        let (direct, other): (Vec<_>, Vec<_>) = mine
            .into_iter()
            .filter(|c| !in_custom.contains(&&c.id) && !favorites.contains(&c.id))
            .partition(|c| c.channel_type == "D" || c.channel_type == "G");
        let builtin = |kind: &str, name: &str, order: i64, ids: Vec<String>| Category {
            id: format!("{kind}_{user_id}_{team_id}"),
            user_id: user_id.to_owned(),
            team_id: team_id.to_owned(),
            sort_order: order,
            sorting: String::new(),
            kind: kind.to_owned(),
            display_name: name.to_owned(),
            muted: false,
            collapsed: false,
            channel_ids: ids,
        };
        let n = stored.custom.len() as i64;
        let mut all = Vec::with_capacity(stored.custom.len() + 3);
        if !favorites.is_empty() {
            all.push(builtin("favorites", "Favorites", 0, favorites));
        }
        all.extend(stored.custom);
        all.push(builtin(
            "channels",
            "Channels",
            (n + 1) * 10,
            other.into_iter().map(|c| c.id).collect(),
        ));
        all.push(builtin(
            "direct_messages",
            "Direct Messages",
            (n + 2) * 10,
            direct.into_iter().map(|c| c.id).collect(),
        ));
        Ok(all)
    }

    /// Puts `channel_id` into the user's custom category `name` in the
    /// team (created if missing; names compare case-insensitively), taking
    /// it out of any other custom category. Returns the category.
    pub fn add_to_category(
        &self,
        user_id: &str,
        team_id: &str,
        name: &str,
        channel_id: &str,
    ) -> AppResult<Category> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
            return Err(AppError::Invalid(format!(
                "display_name: 1 to {MAX_NAME_CHARS} characters"
            )));
        }
        for _ in 0..32 {
            let (raw, mut stored) = self.stored_categories(user_id, team_id)?;
            for c in &mut stored.custom {
                c.channel_ids.retain(|id| id != channel_id);
            }
            let position = stored
                .custom
                .iter()
                .position(|c| c.display_name.to_lowercase() == name.to_lowercase());
            let index = match position {
                Some(i) => i,
                None => {
                    stored.custom.push(Category {
                        id: new_id(),
                        user_id: user_id.to_owned(),
                        team_id: team_id.to_owned(),
                        sort_order: (stored.custom.len() as i64 + 1) * 10 - 5,
                        sorting: String::new(),
                        kind: "custom".into(),
                        display_name: name.to_owned(),
                        muted: false,
                        collapsed: false,
                        channel_ids: Vec::new(),
                    });
                    stored.custom.len() - 1
                }
            };
            stored.custom[index]
                .channel_ids
                .insert(0, channel_id.to_owned());
            let bytes =
                serde_json::to_vec(&stored).map_err(|e| AppError::Internal(e.to_string()))?;
            if self.kv.compare_and_set(
                HOST_NS,
                &key(user_id, team_id),
                raw.as_deref(),
                Some(&bytes),
            )? {
                return Ok(stored.custom[index].clone());
            }
        }
        Err(AppError::Conflict(
            "categories are being changed concurrently".into(),
        ))
    }
}
