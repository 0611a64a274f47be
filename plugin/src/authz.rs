//! Whether a user may do, themselves, what they ask the plugin to do with
//! its bot's rights.
//!
//! The bot can read every post and post in every channel, so an id taken
//! from a request (a body, a slash command, a dialog's `state`, a button's
//! `context`) is a capability the caller must already hold: quoting a post
//! the caller cannot read, or broadcasting into a channel they cannot post
//! in, would lend them the bot's reach (issue 11, findings 1 and 5). Every
//! such id goes through this module before the plugin acts on it.
//!
//! The rules are the server's own (`host-shim/src/server/access.rs`), so
//! the plugin never allows more than the REST API would:
//!
//! - **Read a channel**: a member; for an open channel (`O`) any member of
//!   its team; a system admin any channel but other people's direct (`D`)
//!   and group (`G`) messages.
//! - **Read a post**: it exists, is not deleted (a deleted post is "not
//!   found", as over REST) and its channel is readable.
//! - **Post in a channel**: a member (system admins too: the server lets no
//!   non-member post), and the channel is not archived.
//! - **Team**: a member, or a system admin.
//!
//! Denials carry the field they are about, so REST answers 403 (or 404 for
//! what does not exist or cannot be seen as existing) with a message that
//! starts with the field's name.

use crate::host::{Channel, Host, HostResult, Post};
/// Playbooks: viewable by system admins, and by team members for whom it
/// is public or who are its members (kept beside the run store's other
/// visibility rules, re-exported here so every check is found in one place).
pub use crate::runs::store::can_view_playbook;
use crate::runs::store::{RunError, Viewer};

/// Why an id was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denied {
    /// Unknown, or deleted: 404.
    NotFound(String),
    /// Known but out of the user's reach: 403.
    Forbidden(String),
}

impl From<Denied> for RunError {
    fn from(d: Denied) -> Self {
        match d {
            Denied::NotFound(m) => RunError::NotFound(m),
            Denied::Forbidden(m) => RunError::Forbidden(m),
        }
    }
}

impl std::fmt::Display for Denied {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Denied::NotFound(m) | Denied::Forbidden(m) => f.write_str(m),
        }
    }
}

/// A check's outcome: refusals are [`RunError::NotFound`] /
/// [`RunError::Forbidden`] (404 / 403 over REST), host failures
/// [`RunError::Host`]; run code and REST handlers use `?` directly.
pub type Checked<T> = Result<T, RunError>;

fn not_found(field: &str, what: &str, id: &str) -> RunError {
    Denied::NotFound(format!("{field}: no {what} {id}")).into()
}

fn forbidden(field: &str, message: String) -> RunError {
    Denied::Forbidden(format!("{field}: {message}")).into()
}

/// System admins count as members of every team.
pub fn is_team_member<H: Host + ?Sized>(
    host: &H,
    viewer: &Viewer,
    team_id: &str,
) -> HostResult<bool> {
    Ok(viewer.is_system_admin || host.is_team_member(team_id, &viewer.user_id)?)
}

/// The server's read rule for channels (see the module doc).
pub fn can_read_channel<H: Host + ?Sized>(
    host: &H,
    viewer: &Viewer,
    channel: &Channel,
) -> HostResult<bool> {
    let personal = matches!(channel.channel_type.as_str(), "D" | "G");
    if viewer.is_system_admin && !personal {
        return Ok(true);
    }
    if host.is_channel_member(&channel.id, &viewer.user_id)? {
        return Ok(true);
    }
    Ok(channel.channel_type == "O"
        && !channel.team_id.is_empty()
        && host.is_team_member(&channel.team_id, &viewer.user_id)?)
}

/// Posting: a member, in a channel that is not archived.
pub fn can_post_in_channel<H: Host + ?Sized>(
    host: &H,
    user_id: &str,
    channel: &Channel,
) -> HostResult<bool> {
    Ok(channel.delete_at == 0 && host.is_channel_member(&channel.id, user_id)?)
}

/// Post `post_id` (named `field` in errors) if `viewer` may read it.
pub fn read_post<H: Host + ?Sized>(
    host: &H,
    viewer: &Viewer,
    post_id: &str,
    field: &str,
) -> Checked<Post> {
    let post = host
        .post(post_id)?
        .filter(|p| p.delete_at == 0)
        .ok_or_else(|| not_found(field, "post", post_id))?;
    let channel = host
        .channel(&post.channel_id)?
        .ok_or_else(|| not_found(field, "post", post_id))?;
    if !can_read_channel(host, viewer, &channel)? {
        return Err(forbidden(
            field,
            "you do not have permission to read this post".into(),
        ));
    }
    Ok(post)
}

/// Channel `channel_id` if `viewer` may read it.
pub fn read_channel<H: Host + ?Sized>(
    host: &H,
    viewer: &Viewer,
    channel_id: &str,
    field: &str,
) -> Checked<Channel> {
    let channel = host
        .channel(channel_id)?
        .ok_or_else(|| not_found(field, "channel", channel_id))?;
    if !can_read_channel(host, viewer, &channel)? {
        return Err(forbidden(
            field,
            format!("you do not have permission to read channel {channel_id}"),
        ));
    }
    Ok(channel)
}

/// Channel `channel_id` if `user_id` may post in it.
pub fn postable_channel<H: Host + ?Sized>(
    host: &H,
    user_id: &str,
    channel_id: &str,
    field: &str,
) -> Checked<Channel> {
    let channel = host
        .channel(channel_id)?
        .ok_or_else(|| not_found(field, "channel", channel_id))?;
    if channel.delete_at != 0 {
        return Err(forbidden(
            field,
            format!("channel {channel_id} is archived"),
        ));
    }
    if !host.is_channel_member(channel_id, user_id)? {
        return Err(forbidden(
            field,
            format!("you cannot post in channel {channel_id}: you are not a member"),
        ));
    }
    Ok(channel)
}

/// Channels a playbook is being saved with (`field`): each one not
/// already in `kept` (the stored value, which an editor may keep without
/// access to every channel in it) must be one `user_id` may post in, as the
/// bot will post there for them: 403 naming `field`, 400 for an unknown
/// channel. Empty ids (no channel) pass.
pub fn check_saved_channels<H: Host + ?Sized>(
    host: &H,
    user_id: &str,
    field: &str,
    channel_ids: &[String],
    kept: &[String],
) -> Checked<()> {
    let added = channel_ids
        .iter()
        .filter(|id| !id.is_empty() && !kept.contains(id));
    for id in added {
        match postable_channel(host, user_id, id, field) {
            // An unknown channel in a saved setting is bad input (400).
            Err(RunError::NotFound(_)) => {
                return Err(RunError::Invalid(crate::playbooks::FieldError::new(
                    field,
                    format!("no channel {id}"),
                )));
            }
            other => {
                other?;
            }
        }
    }
    Ok(())
}

/// [`check_saved_channels`] for `broadcast_channel_ids`.
pub fn check_broadcast_channels<H: Host + ?Sized>(
    host: &H,
    user_id: &str,
    channel_ids: &[String],
    kept: &[String],
) -> Checked<()> {
    check_saved_channels(host, user_id, "broadcast_channel_ids", channel_ids, kept)
}

/// The broadcast channels `user_id` may post in right now; the others are
/// returned apart, to be skipped (and said so).
pub fn split_postable<H: Host + ?Sized>(
    host: &H,
    user_id: &str,
    channel_ids: &[String],
) -> (Vec<String>, Vec<String>) {
    let mut ok = Vec::new();
    let mut refused = Vec::new();
    for id in channel_ids {
        let allowed = match host.channel(id) {
            Ok(Some(channel)) => can_post_in_channel(host, user_id, &channel).unwrap_or(false),
            _ => false,
        };
        if allowed {
            ok.push(id.clone());
        } else {
            refused.push(id.clone());
        }
    }
    (ok, refused)
}

/// `user_id` (named `field`) exists and is a member of `team_id`: for
/// people the caller makes owners, participants, assignees or invitees.
pub fn require_team_user<H: Host + ?Sized>(
    host: &H,
    team_id: &str,
    user_id: &str,
    field: &str,
) -> Checked<crate::host::User> {
    let user = host.user(user_id)?.ok_or_else(|| {
        RunError::Invalid(crate::playbooks::FieldError::new(
            field,
            format!("no user {user_id}"),
        ))
    })?;
    if !host.is_team_member(team_id, user_id)? {
        return Err(RunError::Invalid(crate::playbooks::FieldError::new(
            field,
            "is not a member of the run's team",
        )));
    }
    Ok(user)
}

#[cfg(test)]
#[path = "authz_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "authz_routes_tests.rs"]
mod routes_tests;
