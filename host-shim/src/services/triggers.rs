//! Trigger ids: short-lived tokens that let a plugin open a dialog for the
//! user whose command or button click it is handling (Mattermost semantics:
//! a trigger id is valid for a few minutes and names one user).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::model::new_id;

const TRIGGER_TTL: Duration = Duration::from_secs(180);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trigger {
    pub user_id: String,
    pub plugin_id: String,
}

#[derive(Default)]
pub struct TriggerRegistry {
    entries: Mutex<HashMap<String, (Trigger, Instant)>>,
}

impl TriggerRegistry {
    /// Issues a new trigger id for `user_id`, usable by `plugin_id`.
    pub fn issue(&self, user_id: &str, plugin_id: &str) -> String {
        let id = new_id();
        let now = Instant::now();
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|_, (_, at)| now.duration_since(*at) < TRIGGER_TTL);
            let trigger = Trigger {
                user_id: user_id.into(),
                plugin_id: plugin_id.into(),
            };
            entries.insert(id.clone(), (trigger, now));
        }
        id
    }

    /// The trigger, if it exists and has not expired.
    pub fn lookup(&self, id: &str) -> Option<Trigger> {
        let entries = self.entries.lock().ok()?;
        let (trigger, at) = entries.get(id)?;
        (at.elapsed() < TRIGGER_TTL).then(|| trigger.clone())
    }
}
