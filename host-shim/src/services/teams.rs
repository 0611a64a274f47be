//! Teams: creation with Mattermost's default channels, and joining them.
//!
//! Every team starts with `town-square` and `off-topic`, and whoever joins
//! the team joins both, as in Mattermost: a newcomer always has a channel to
//! land in, and links to `/<team>/channels/town-square` always work.

use super::{Services, validate_channel_name};
use crate::error::{AppError, AppResult};
use crate::model::{Channel, Team, new_id, now_ms};

/// The channels every team has, `(name, display name)`.
pub const DEFAULT_CHANNELS: [(&str, &str); 2] =
    [("town-square", "Town Square"), ("off-topic", "Off-Topic")];

/// First URL segments the web client uses for its own pages: a team with one
/// of these names could never be reached at `/<team>/…`.
pub const RESERVED_TEAM_NAMES: [&str; 17] = [
    "admin_console",
    "api",
    "boards",
    "channels",
    "error",
    "files",
    "help",
    "hooks",
    "login",
    "oauth",
    "plug",
    "playbooks",
    "plugins",
    "post",
    "select_team",
    "signup_user_complete",
    "static",
];

/// What a client asks for in `POST /teams`.
#[derive(Debug, Clone, Default)]
pub struct NewTeam {
    pub name: String,
    pub display_name: String,
    pub description: String,
    pub team_type: String,
}

impl Services {
    /// Creates a team with its default channels; `creator_id` becomes its
    /// admin and joins them.
    pub fn create_team(&self, new: NewTeam, creator_id: &str) -> AppResult<Team> {
        let name = new.name.trim().to_lowercase();
        validate_channel_name(&name).map_err(|_| {
            AppError::Invalid(
                "name: 1-64 characters of lowercase letters, digits, '-' and '_'".into(),
            )
        })?;
        if RESERVED_TEAM_NAMES.contains(&name.as_str()) {
            return Err(AppError::Invalid(format!(
                "name: \"{name}\" is reserved, choose another"
            )));
        }
        let display_name = new.display_name.trim();
        if display_name.is_empty() || display_name.chars().count() > 64 {
            return Err(AppError::Invalid("display_name: 1-64 characters".into()));
        }
        let team_type = if new.team_type.is_empty() {
            "O".to_string()
        } else {
            new.team_type
        };
        if team_type != "O" && team_type != "I" {
            return Err(AppError::Invalid("type: must be \"O\" or \"I\"".into()));
        }
        let now = now_ms();
        let team = Team {
            id: new_id(),
            create_at: now,
            update_at: now,
            name,
            display_name: display_name.to_string(),
            description: new.description,
            team_type,
            ..Default::default()
        };
        self.chat.create_team(&team)?;
        self.chat
            .add_team_member(&team.id, creator_id, "team_user team_admin")?;
        for (name, display_name) in DEFAULT_CHANNELS {
            self.create_channel(Channel {
                team_id: team.id.clone(),
                channel_type: "O".into(),
                name: name.into(),
                display_name: display_name.into(),
                creator_id: creator_id.to_string(),
                ..Default::default()
            })?;
        }
        Ok(team)
    }

    /// Adds a member to a team (idempotent) and to its default channels.
    pub fn add_team_member(&self, team_id: &str, user_id: &str) -> AppResult<()> {
        if self.chat.team(team_id)?.is_none_or(|t| t.delete_at != 0) {
            return Err(AppError::NotFound("team".into()));
        }
        if self.chat.user(user_id)?.is_none() {
            return Err(AppError::NotFound("user".into()));
        }
        self.chat.add_team_member(team_id, user_id, "team_user")?;
        for (name, _) in DEFAULT_CHANNELS {
            if let Some(channel) = self
                .chat
                .channel_by_name(team_id, name)?
                .filter(|c| c.delete_at == 0)
            {
                self.add_channel_member(&channel.id, user_id, None)?;
            }
        }
        Ok(())
    }
}
