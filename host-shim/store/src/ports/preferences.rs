//! Mattermost's user preferences: free-form `(category, name) → value`
//! per user, which clients use for flags, favourite channels and display
//! settings.

use serde::{Deserialize, Serialize};

use super::StoreResult;

/// Mattermost's `Preference`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Preference {
    pub user_id: String,
    pub category: String,
    pub name: String,
    pub value: String,
}

pub trait PreferenceStore: Send + Sync {
    /// A user's preferences, by category and name.
    fn preferences(&self, user_id: &str) -> StoreResult<Vec<Preference>>;
    /// A user's preferences in one category, by name.
    fn preferences_in(&self, user_id: &str, category: &str) -> StoreResult<Vec<Preference>>;
    fn preference(
        &self,
        user_id: &str,
        category: &str,
        name: &str,
    ) -> StoreResult<Option<Preference>>;
    /// Inserts or replaces `preferences` (all of `user_id`), in one
    /// transaction, unless the user would then have more than `max_total`:
    /// then nothing is stored and the answer is
    /// [`Invalid`](super::StoreError::Invalid).
    fn save_preferences(
        &self,
        user_id: &str,
        preferences: &[Preference],
        max_total: u32,
    ) -> StoreResult<()>;
    /// Deletes the user's preferences named by `(category, name)` of each
    /// item, in one transaction. Returns how many existed.
    fn delete_preferences(&self, user_id: &str, preferences: &[Preference]) -> StoreResult<u64>;
}
