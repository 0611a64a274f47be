//! Conversions between the current contract's (0.2) WIT records and the
//! host's model types. The wire strings of Mattermost ("O", "P", roles)
//! stay in the model; the contract carries enums and flags.

use serde_json::{Map, Value};

use super::bindings::wit;
use crate::error::AppError;
use crate::model::{Channel, Post, Team, User};

impl From<AppError> for wit::Error {
    fn from(err: AppError) -> Self {
        match err {
            AppError::NotFound(_) => wit::Error::NotFound,
            AppError::Unauthorized | AppError::Forbidden(_) => wit::Error::PermissionDenied,
            AppError::Conflict(_) => wit::Error::Conflict,
            AppError::Invalid(msg) | AppError::TooLarge(msg) => wit::Error::InvalidInput(msg),
            err @ (AppError::RateLimited { .. } | AppError::Busy { .. }) => {
                wit::Error::Other(err.to_string())
            }
            AppError::Internal(msg) => wit::Error::Other(msg),
        }
    }
}

impl From<chat_store::StoreError> for wit::Error {
    fn from(err: chat_store::StoreError) -> Self {
        AppError::from(err).into()
    }
}

/// Parses a JSON object text; "" is an empty object. The error names the
/// field.
pub fn parse_object(text: &str, field: &str) -> Result<Map<String, Value>, String> {
    if text.trim().is_empty() {
        return Ok(Map::new());
    }
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(format!("{field}: must be a JSON object")),
        Err(e) => Err(format!("{field}: {e}")),
    }
}

/// [`parse_object`] for a host call: the error is the WIT `invalid-input`.
pub fn json_object(text: &str, field: &str) -> Result<Map<String, Value>, wit::Error> {
    parse_object(text, field).map_err(wit::Error::InvalidInput)
}

pub fn post_from_wit(p: wit::Post) -> Result<Post, wit::Error> {
    Ok(Post {
        props: json_object(&p.props, "props")?,
        id: p.id,
        create_at: p.create_at,
        update_at: p.update_at,
        edit_at: p.edit_at,
        delete_at: p.delete_at,
        user_id: p.user_id,
        channel_id: p.channel_id,
        root_id: p.root_id,
        message: p.message,
        post_type: p.type_,
        ..Default::default()
    })
}

pub fn post_to_wit(p: Post) -> wit::Post {
    wit::Post {
        props: Value::Object(p.props).to_string(),
        id: p.id,
        create_at: p.create_at,
        update_at: p.update_at,
        edit_at: p.edit_at,
        delete_at: p.delete_at,
        user_id: p.user_id,
        channel_id: p.channel_id,
        root_id: p.root_id,
        message: p.message,
        type_: p.post_type,
    }
}

pub fn channel_to_wit(c: Channel) -> wit::Channel {
    wit::Channel {
        id: c.id,
        create_at: c.create_at,
        update_at: c.update_at,
        delete_at: c.delete_at,
        team_id: c.team_id,
        type_: channel_type_to_wit(&c.channel_type),
        display_name: c.display_name,
        name: c.name,
        header: c.header,
        purpose: c.purpose,
        creator_id: c.creator_id,
    }
}

/// Mattermost's one-letter channel type. The store only holds the four
/// types, so anything else is read as the most private.
pub fn channel_type_to_wit(t: &str) -> wit::ChannelType {
    match t {
        "O" => wit::ChannelType::Open,
        "D" => wit::ChannelType::Direct,
        "G" => wit::ChannelType::Group,
        _ => wit::ChannelType::Private,
    }
}

pub fn channel_type_from_wit(t: wit::ChannelType) -> &'static str {
    match t {
        wit::ChannelType::Open => "O",
        wit::ChannelType::Private => "P",
        wit::ChannelType::Direct => "D",
        wit::ChannelType::Group => "G",
    }
}

/// Mattermost's system role names and the contract's flags.
const ROLES: [(&str, wit::Roles); 6] = [
    ("system_admin", wit::Roles::SYSTEM_ADMIN),
    ("system_user", wit::Roles::SYSTEM_USER),
    ("system_guest", wit::Roles::SYSTEM_GUEST),
    ("system_user_manager", wit::Roles::SYSTEM_USER_MANAGER),
    ("system_manager", wit::Roles::SYSTEM_MANAGER),
    ("system_read_only_admin", wit::Roles::SYSTEM_READ_ONLY_ADMIN),
];

pub fn roles_to_wit(roles: &str) -> wit::Roles {
    roles
        .split_whitespace()
        .filter_map(|name| ROLES.iter().find(|(n, _)| *n == name).map(|(_, f)| *f))
        .fold(wit::Roles::empty(), |all, one| all | one)
}

/// The names of `roles` (tests: the mapping is one-to-one).
#[cfg(test)]
fn roles_from_wit(roles: wit::Roles) -> String {
    ROLES
        .iter()
        .filter(|(_, flag)| roles.contains(*flag))
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn channel_from_wit(c: wit::Channel) -> Channel {
    Channel {
        id: c.id,
        create_at: c.create_at,
        update_at: c.update_at,
        delete_at: c.delete_at,
        team_id: c.team_id,
        channel_type: channel_type_from_wit(c.type_).to_string(),
        display_name: c.display_name,
        name: c.name,
        header: c.header,
        purpose: c.purpose,
        creator_id: c.creator_id,
        ..Default::default()
    }
}

pub fn user_to_wit(u: User) -> wit::User {
    wit::User {
        id: u.id,
        create_at: u.create_at,
        update_at: u.update_at,
        delete_at: u.delete_at,
        username: u.username,
        email: u.email,
        nickname: u.nickname,
        first_name: u.first_name,
        last_name: u.last_name,
        roles: roles_to_wit(&u.roles),
        locale: u.locale,
        is_bot: u.is_bot,
    }
}

pub fn team_to_wit(t: Team) -> wit::Team {
    wit::Team {
        id: t.id,
        create_at: t.create_at,
        update_at: t.update_at,
        delete_at: t.delete_at,
        name: t.name,
        display_name: t.display_name,
        description: t.description,
        type_: if t.team_type == "I" {
            wit::TeamType::Invite
        } else {
            wit::TeamType::Open
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_unknown_roles_are_left_out() {
        let flags = roles_to_wit("system_user system_admin custom_role");
        assert_eq!(flags, wit::Roles::SYSTEM_ADMIN | wit::Roles::SYSTEM_USER);
        assert_eq!(roles_from_wit(flags), "system_admin system_user");
        assert_eq!(roles_to_wit(""), wit::Roles::empty());
    }

    #[test]
    fn channel_types_map_both_ways() {
        for t in ["O", "P", "D", "G"] {
            assert_eq!(channel_type_from_wit(channel_type_to_wit(t)), t);
        }
    }
}
