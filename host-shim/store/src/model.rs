//! Chat entities with Mattermost API v4 JSON field names.
//!
//! These are the shapes the HTTP API serialises and the store persists. Ids are
//! 26-character lowercase base32 ([`new_id`]); times are epoch milliseconds.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A new Mattermost-style id: 16 random bytes as 26 lowercase base32 chars.
pub fn new_id() -> String {
    const ALPHABET: &[u8; 32] = b"ybndrfg8ejkmcpqxot1uwisza345h769";
    let bytes: [u8; 16] = rand::random();
    let mut out = String::with_capacity(26);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// True for strings shaped like ids from [`new_id`].
pub fn is_valid_id(id: &str) -> bool {
    id.len() == 26
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// Current time in epoch milliseconds.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct User {
    pub id: String,
    pub create_at: i64,
    pub update_at: i64,
    pub delete_at: i64,
    pub username: String,
    pub email: String,
    pub nickname: String,
    pub first_name: String,
    pub last_name: String,
    pub roles: String,
    pub locale: String,
    pub is_bot: bool,
}

impl User {
    pub fn is_system_admin(&self) -> bool {
        self.roles.split_whitespace().any(|r| r == "system_admin")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Team {
    pub id: String,
    pub create_at: i64,
    pub update_at: i64,
    pub delete_at: i64,
    pub display_name: String,
    pub name: String,
    pub description: String,
    pub email: String,
    #[serde(rename = "type")]
    pub team_type: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Channel {
    pub id: String,
    pub create_at: i64,
    pub update_at: i64,
    pub delete_at: i64,
    pub team_id: String,
    #[serde(rename = "type")]
    pub channel_type: String,
    pub display_name: String,
    pub name: String,
    pub header: String,
    pub purpose: String,
    pub last_post_at: i64,
    pub total_msg_count: i64,
    pub creator_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Post {
    pub id: String,
    pub create_at: i64,
    pub update_at: i64,
    pub edit_at: i64,
    pub delete_at: i64,
    pub is_pinned: bool,
    pub user_id: String,
    pub channel_id: String,
    pub root_id: String,
    pub original_id: String,
    pub message: String,
    #[serde(rename = "type")]
    pub post_type: String,
    pub props: Map<String, Value>,
    pub hashtags: String,
    pub file_ids: Vec<String>,
    pub pending_post_id: String,
    pub reply_count: i64,
    pub metadata: Map<String, Value>,
    /// Whether anyone reacted to the post (kept by the reaction store;
    /// never taken from a client). Omitted when false, as Mattermost does.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub has_reactions: bool,
}

/// A user's membership of a channel with Mattermost's unread counters.
///
/// Unread messages are `channel.total_msg_count - msg_count`: `msg_count` is
/// the channel's total as of the member's last view (or own post), so a post
/// costs one counter bump on the channel, not one per member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct ChannelMembership {
    pub channel_id: String,
    pub user_id: String,
    pub joined_at: i64,
    /// When the member last viewed the channel (or posted in it).
    pub last_viewed_at: i64,
    /// The channel's `total_msg_count` when the member last viewed it.
    pub msg_count: i64,
    /// Posts mentioning the member since they last viewed the channel.
    pub mention_count: i64,
    /// When any of the above last changed.
    pub last_update_at: i64,
}

/// A user's membership of a team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct TeamMembership {
    pub team_id: String,
    pub user_id: String,
    /// Space-separated team roles, e.g. `"team_user team_admin"`.
    pub roles: String,
}

/// What storing a post changes besides the post and its channel's counters
/// (all in the same transaction).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PostEffects {
    /// Users whose `mention_count` in the channel goes up by one. Users who
    /// are not members, and the author, are skipped.
    pub mention_user_ids: Vec<String>,
    /// Every member but the author is mentioned (`@channel`, `@all`,
    /// `@here`; every post of a direct or group channel).
    pub mention_all_members: bool,
    /// Marks the author's membership viewed as of the post (a person's own
    /// post is read; a webhook's or bot's post is not read by its owner).
    pub author_viewed: bool,
}

/// Which users to list: every set field narrows the result. Sorted by
/// username.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserQuery {
    /// Members of this team.
    pub in_team: Option<String>,
    /// Members of this channel.
    pub in_channel: Option<String>,
    /// Not members of this channel.
    pub not_in_channel: Option<String>,
    /// Users this user may see: themself and whoever shares a team or a
    /// channel with them. `None` (admins) sees everyone.
    pub visible_to: Option<String>,
    /// Whitespace-separated words; each must be a case-insensitive prefix of
    /// the username, first name, last name or nickname. Empty: no filter.
    pub term: String,
    /// `Some(true)`: only active users; `Some(false)`: only deactivated ones.
    pub active: Option<bool>,
    pub offset: u32,
    pub limit: u32,
}

/// A slash command registered by a plugin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct CommandRegistration {
    pub plugin_id: String,
    pub trigger: String,
    pub display_name: String,
    pub description: String,
    pub auto_complete: bool,
    pub auto_complete_desc: String,
    pub auto_complete_hint: String,
    /// Mattermost `AutocompleteData` JSON, or "" for none.
    pub autocomplete_data: String,
}

/// Which posts of a channel to read, newest first (Mattermost paging rules).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PostQuery {
    pub page: u32,
    pub per_page: u32,
    /// Only posts created or updated after this time (`since`).
    pub since: Option<i64>,
    /// Only posts older than this post (`before`).
    pub before: Option<String>,
    /// Only posts newer than this post (`after`).
    pub after: Option<String>,
    pub include_deleted: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_26_lowercase_base32_and_unique() {
        let a = new_id();
        let b = new_id();
        assert!(is_valid_id(&a), "{a}");
        assert_ne!(a, b);
        assert!(!is_valid_id("short"));
        assert!(!is_valid_id(&a.to_uppercase()));
    }

    #[test]
    fn post_json_uses_mattermost_names() {
        let post = Post {
            post_type: "custom_x".into(),
            ..Default::default()
        };
        let json = serde_json::to_value(&post).unwrap();
        assert_eq!(json["type"], "custom_x");
        assert!(json.get("root_id").is_some());
        assert!(json.get("post_type").is_none());
    }
}
