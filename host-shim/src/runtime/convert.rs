//! Conversions between WIT records and the host's model types.

use serde_json::{Map, Value};

use super::bindings::chatops::plugin::types as wit;
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

/// Parses a JSON object text; "" is an empty object.
pub fn json_object(text: &str, field: &str) -> Result<Map<String, Value>, wit::Error> {
    if text.trim().is_empty() {
        return Ok(Map::new());
    }
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(wit::Error::InvalidInput(format!(
            "{field}: must be a JSON object"
        ))),
        Err(e) => Err(wit::Error::InvalidInput(format!("{field}: {e}"))),
    }
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
        type_: c.channel_type,
        display_name: c.display_name,
        name: c.name,
        header: c.header,
        purpose: c.purpose,
        creator_id: c.creator_id,
    }
}

pub fn channel_from_wit(c: wit::Channel) -> Channel {
    Channel {
        id: c.id,
        create_at: c.create_at,
        update_at: c.update_at,
        delete_at: c.delete_at,
        team_id: c.team_id,
        channel_type: c.type_,
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
        roles: u.roles,
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
        type_: t.team_type,
    }
}
