//! Permission checks shared by the routes. Denials are Mattermost-style:
//! 401 without a session, 403 without permission, 404 for what does not
//! exist.

use super::ApiError;
use super::auth::Caller;
use crate::error::AppError;
use crate::model::{Channel, Team, User};
use crate::services::Services;

pub fn forbidden() -> ApiError {
    AppError::Forbidden("You do not have the appropriate permissions.".into()).into()
}

pub fn team(services: &Services, team_id: &str) -> Result<Team, ApiError> {
    services
        .chat
        .team(team_id)?
        .filter(|t| t.delete_at == 0)
        .ok_or_else(|| AppError::NotFound("team".into()).into())
}

pub fn channel(services: &Services, channel_id: &str) -> Result<Channel, ApiError> {
    services
        .chat
        .channel(channel_id)?
        .ok_or_else(|| AppError::NotFound("channel".into()).into())
}

pub fn is_team_member(
    services: &Services,
    caller: &Caller,
    team_id: &str,
) -> Result<bool, ApiError> {
    Ok(services.chat.is_team_member(team_id, caller.id())?)
}

/// Team members (and admins) may see a team and its public channels.
pub fn require_team_member(
    services: &Services,
    caller: &Caller,
    team_id: &str,
) -> Result<Team, ApiError> {
    let team = team(services, team_id)?;
    if caller.is_admin() || is_team_member(services, caller, team_id)? {
        Ok(team)
    } else {
        Err(forbidden())
    }
}

/// Whether the caller may read a channel: public channels to their team's
/// members, private, direct and group channels to their members.
pub fn can_read_channel(
    services: &Services,
    caller: &Caller,
    channel: &Channel,
) -> Result<bool, ApiError> {
    if caller.is_admin() && channel.channel_type != "D" && channel.channel_type != "G" {
        return Ok(true);
    }
    if services.chat.is_channel_member(&channel.id, caller.id())? {
        return Ok(true);
    }
    Ok(channel.channel_type == "O" && is_team_member(services, caller, &channel.team_id)?)
}

pub fn require_channel_read(
    services: &Services,
    caller: &Caller,
    channel_id: &str,
) -> Result<Channel, ApiError> {
    let channel = channel(services, channel_id)?;
    if can_read_channel(services, caller, &channel)? {
        Ok(channel)
    } else {
        Err(forbidden())
    }
}

/// Posting needs membership (Mattermost does not let non-members post).
pub fn require_channel_member(
    services: &Services,
    caller: &Caller,
    channel_id: &str,
) -> Result<Channel, ApiError> {
    let channel = channel(services, channel_id)?;
    if services.chat.is_channel_member(channel_id, caller.id())? {
        Ok(channel)
    } else if can_read_channel(services, caller, &channel)? {
        Err(AppError::Forbidden("You must join the channel first.".into()).into())
    } else {
        Err(forbidden())
    }
}

/// Mattermost's `manage_incoming_webhooks` permission on a team: granted to
/// system admins and to the team's admins (`team_admin` in the membership's
/// roles) by the default roles. The one check for creating, listing,
/// reading and deleting incoming webhooks: a hook's id is its secret, so
/// seeing a hook is as sensitive as posting with it.
pub fn can_manage_incoming_webhooks(
    services: &Services,
    caller: &Caller,
    team_id: &str,
) -> Result<bool, ApiError> {
    if caller.is_admin() {
        return Ok(true);
    }
    let roles = services.chat.team_member_roles(team_id, caller.id())?;
    Ok(roles.is_some_and(|r| r.split_whitespace().any(|role| role == "team_admin")))
}

/// Whether `user` may post in `channel` right now, for posts made on their
/// behalf without a session (incoming webhooks): an active account, a
/// channel that is not archived, and Mattermost's `create_post` rights —
/// membership for private, direct and group channels, team membership for
/// public ones (Mattermost lets a webhook post in its team's public
/// channels without joining them).
pub fn user_can_post_in(
    services: &Services,
    user: &User,
    channel: &Channel,
) -> Result<bool, ApiError> {
    if user.delete_at != 0 || channel.delete_at != 0 {
        return Ok(false);
    }
    if services.chat.is_channel_member(&channel.id, &user.id)? {
        return Ok(true);
    }
    Ok(channel.channel_type == "O"
        && !channel.team_id.is_empty()
        && services.chat.is_team_member(&channel.team_id, &user.id)?)
}
