//! User preferences (Mattermost's `/users/{id}/preferences`): checked
//! against Mattermost's limits, stored, and announced to the user's own
//! websockets (`preferences_changed` / `preferences_deleted`, with
//! `data.preferences` a JSON string of the list).
//!
//! Who may name which posts and channels (`flagged_post`,
//! `favorite_channel`) is the HTTP layer's check, with the caller.

use chat_store::ports::preferences::Preference;
use serde_json::Value;

use super::{Broadcast, Services, WsEvent};
use crate::error::{AppError, AppResult};

/// Mattermost's `maxUpdatePreferences`.
pub const MAX_PER_REQUEST: usize = 100;
/// Mattermost's `Preference.IsValid` limits, in characters.
pub const MAX_CATEGORY_CHARS: usize = 32;
pub const MAX_NAME_CHARS: usize = 32;
pub const MAX_VALUE_CHARS: usize = 2000;
/// Preferences one user may have in all (Mattermost has no such bound;
/// without one a user could grow the table without end).
pub const MAX_PER_USER: u32 = 10_000;

pub const FAVORITE_CHANNEL: &str = "favorite_channel";
pub const FLAGGED_POST: &str = "flagged_post";

/// Checks a request's list: its size and each item's fields. The error
/// names the item (`preferences[3].value: …`). Every item must belong to
/// `user_id` (403 otherwise: saving for someone else).
pub fn validate(user_id: &str, preferences: &[Preference]) -> AppResult<()> {
    if preferences.is_empty() {
        return Err(AppError::Invalid("preferences: at least one".into()));
    }
    if preferences.len() > MAX_PER_REQUEST {
        return Err(AppError::Invalid(format!(
            "preferences: at most {MAX_PER_REQUEST} per request"
        )));
    }
    for (i, p) in preferences.iter().enumerate() {
        if p.user_id != user_id {
            return Err(AppError::Forbidden(format!(
                "preferences[{i}].user_id: you may only change your own preferences"
            )));
        }
        let category = p.category.chars().count();
        if category == 0 || category > MAX_CATEGORY_CHARS {
            return Err(AppError::Invalid(format!(
                "preferences[{i}].category: 1 to {MAX_CATEGORY_CHARS} characters"
            )));
        }
        if p.name.chars().count() > MAX_NAME_CHARS {
            return Err(AppError::Invalid(format!(
                "preferences[{i}].name: at most {MAX_NAME_CHARS} characters"
            )));
        }
        if p.value.chars().count() > MAX_VALUE_CHARS {
            return Err(AppError::Invalid(format!(
                "preferences[{i}].value: at most {MAX_VALUE_CHARS} characters"
            )));
        }
        if p.category == "theme"
            && serde_json::from_str::<serde_json::Map<String, Value>>(&p.value).is_err()
        {
            return Err(AppError::Invalid(format!(
                "preferences[{i}].value: a theme is a JSON object"
            )));
        }
    }
    Ok(())
}

impl Services {
    fn publish_preferences(&self, event: &str, user_id: &str, preferences: &[Preference]) {
        let mut data = serde_json::Map::new();
        data.insert(
            "preferences".into(),
            Value::String(serde_json::to_string(preferences).unwrap_or_default()),
        );
        self.events.publish(WsEvent {
            event: event.into(),
            data,
            broadcast: Broadcast {
                user_id: user_id.to_string(),
                ..Default::default()
            },
        });
    }

    /// Stores `preferences` of `user_id` (all or none) and tells the
    /// user's websockets.
    pub fn save_preferences(&self, user_id: &str, preferences: &[Preference]) -> AppResult<()> {
        validate(user_id, preferences)?;
        self.preferences
            .save_preferences(user_id, preferences, MAX_PER_USER)?;
        self.publish_preferences("preferences_changed", user_id, preferences);
        Ok(())
    }

    /// Deletes the named preferences of `user_id` and tells the user's
    /// websockets.
    pub fn delete_preferences(&self, user_id: &str, preferences: &[Preference]) -> AppResult<()> {
        validate(user_id, preferences)?;
        self.preferences.delete_preferences(user_id, preferences)?;
        self.publish_preferences("preferences_deleted", user_id, preferences);
        Ok(())
    }

    /// Ids of the channels `user_id` marked favourite.
    pub fn favorite_channel_ids(&self, user_id: &str) -> AppResult<Vec<String>> {
        Ok(self
            .preferences
            .preferences_in(user_id, FAVORITE_CHANNEL)?
            .into_iter()
            .filter(|p| p.value == "true")
            .map(|p| p.name)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pref(category: &str, name: &str, value: &str) -> Preference {
        Preference {
            user_id: "u".into(),
            category: category.into(),
            name: name.into(),
            value: value.into(),
        }
    }

    fn message(result: AppResult<()>) -> String {
        match result {
            Err(AppError::Invalid(m) | AppError::Forbidden(m)) => m,
            other => panic!("expected an error, got {other:?}"),
        }
    }

    #[test]
    fn limits_name_the_item_and_field() {
        assert!(validate("u", &[pref("c", "n", "v")]).is_ok());
        assert!(message(validate("u", &[])).starts_with("preferences:"));
        let many = vec![pref("c", "n", "v"); MAX_PER_REQUEST + 1];
        assert!(message(validate("u", &many)).starts_with("preferences:"));
        let long = "x".repeat(33);
        assert!(
            message(validate("u", &[pref("c", "n", "v"), pref(&long, "n", "v")]))
                .starts_with("preferences[1].category")
        );
        assert!(
            message(validate("u", &[pref("", "n", "v")])).starts_with("preferences[0].category")
        );
        assert!(
            message(validate("u", &[pref("c", &long, "v")])).starts_with("preferences[0].name")
        );
        // Characters, not bytes.
        assert!(validate("u", &[pref("c", "n", &"é".repeat(MAX_VALUE_CHARS))]).is_ok());
        assert!(
            message(validate(
                "u",
                &[pref("c", "n", &"é".repeat(MAX_VALUE_CHARS + 1))]
            ))
            .starts_with("preferences[0].value")
        );
        assert!(
            message(validate("u", &[pref("theme", "", "not json")]))
                .starts_with("preferences[0].value")
        );
        let mut other = pref("c", "n", "v");
        other.user_id = "someone".into();
        assert!(matches!(
            validate("u", &[other]),
            Err(AppError::Forbidden(_))
        ));
    }
}
