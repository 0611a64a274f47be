//! `/playbook settings [digest|weekly-digest] [on|off]`: per-user digest
//! preferences, stored at `usettings/<user_id>`.

use serde::{Deserialize, Serialize};

use super::{Invocation, Reply, say};
use crate::host::{Host, HostResult, update_json};

/// A user's preferences (both on by default, as upstream).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserSettings {
    pub digest_enabled: bool,
    pub weekly_digest_enabled: bool,
}

impl Default for UserSettings {
    fn default() -> Self {
        UserSettings {
            digest_enabled: true,
            weekly_digest_enabled: true,
        }
    }
}

pub fn settings_key(user_id: &str) -> String {
    format!("usettings/{user_id}")
}

pub fn load<H: Host + ?Sized>(host: &H, user_id: &str) -> HostResult<UserSettings> {
    Ok(host
        .kv_get(&settings_key(user_id))?
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default())
}

const USAGE: &str = "Usage: `/playbook settings [digest|weekly-digest] [on|off]`.";

pub fn command<H: Host>(inv: &Invocation<'_, H>) -> Reply {
    let user = &inv.viewer.user_id;
    let current = load(inv.host, user).map_err(|e| e.to_string())?;
    let (which, value) = match inv.words.as_slice() {
        [] => return say(describe(&current)),
        [which, value] => (which.to_lowercase(), value.to_lowercase()),
        _ => return Err(USAGE.into()),
    };
    let on = match value.as_str() {
        "on" | "true" | "enable" => true,
        "off" | "false" | "disable" => false,
        _ => return Err(format!("{value:?} is not on or off. {USAGE}")),
    };
    if which != "digest" && which != "weekly-digest" {
        return Err(format!("{which:?} is not a setting. {USAGE}"));
    }
    let stored = update_json(inv.host, &settings_key(user), |old| {
        let mut s: UserSettings = old
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default();
        match which.as_str() {
            "digest" => s.digest_enabled = on,
            _ => s.weekly_digest_enabled = on,
        }
        serde_json::to_value(s).unwrap_or_default()
    });
    let stored: UserSettings = stored
        .map_err(|e| e.to_string())
        .and_then(|v| serde_json::from_value(v).map_err(|e| e.to_string()))?;
    say(describe(&stored))
}

fn describe(s: &UserSettings) -> String {
    let word = |b: bool| if b { "on" } else { "off" };
    format!(
        "Your settings:\n- Daily digest: **{}**\n- Weekly digest: **{}**",
        word(s.digest_enabled),
        word(s.weekly_digest_enabled)
    )
}
