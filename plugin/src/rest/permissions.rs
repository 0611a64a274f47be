//! Who may do what with a playbook, shared by the playbook routes (and the
//! run routes to come: a run is viewable by whoever can view its playbook).
//!
//! - **View** (get, export, duplicate's source): system admin, or a member
//!   of the playbook's team for whom the playbook is public or who is one of
//!   its members. Lists and autocomplete show exactly the viewable ones.
//! - **Create** (create, import, duplicate): system admin, or team member.
//! - **Edit** (PUT, PATCH, archive, restore): system admin, or a viewer who
//!   is a playbook admin (role `playbook_admin`), or — when the playbook is
//!   public and not `admin_only_edit` — any playbook member. Team members
//!   who are not playbook members never edit. That is the reading of the
//!   reference rule: `admin_only_edit` restricts editing to admins; without
//!   it, public playbooks are edited by their members, private ones by
//!   their admins only.
//! - Changing `members`, `public` or `admin_only_edit` takes a playbook
//!   admin (or system admin) even where members may edit the rest:
//!   otherwise a member could make themselves admin, or lock others out.
//! - Archived playbooks stay viewable, but only restore changes them (400
//!   "… archived …" otherwise, archiving again included).
//!
//! Denials are 403 with a message saying what is missing.

use std::collections::{BTreeMap, BTreeSet};

use super::{ApiError, Ctx};
use crate::host::Host;
use crate::playbooks::{FieldError, Playbook, PlaybookMember};

/// Whom lists are restricted to (see
/// [`ListFilter::visible_to`](crate::playbooks::store::ListFilter)): nobody
/// for system admins.
pub fn viewer<H: Host>(ctx: &Ctx<'_, H>) -> Option<String> {
    (!ctx.caller.is_system_admin).then(|| ctx.caller.user_id.clone())
}

/// System admins count as members of every team.
pub fn is_team_member<H: Host>(ctx: &Ctx<'_, H>, team_id: &str) -> Result<bool, ApiError> {
    Ok(ctx.caller.is_system_admin || ctx.host.is_team_member(team_id, &ctx.caller.user_id)?)
}

/// Creating in `team_id`: the team must be given and exist, the caller be
/// a member (or system admin).
pub fn require_create<H: Host>(ctx: &Ctx<'_, H>, team_id: &str) -> Result<(), ApiError> {
    if team_id.trim().is_empty() {
        return Err(FieldError::new("team_id", "is required").into());
    }
    if !is_team_member(ctx, team_id)? {
        return Err(ApiError::forbidden(format!(
            "You are not a member of team {team_id}."
        )));
    }
    if ctx.host.team(team_id)?.is_none() {
        return Err(FieldError::new("team_id", format!("no team {team_id}")).into());
    }
    Ok(())
}

pub fn can_view<H: Host>(ctx: &Ctx<'_, H>, pb: &Playbook) -> Result<bool, ApiError> {
    let user = &ctx.caller.user_id;
    Ok(ctx.caller.is_system_admin
        || ((pb.public || pb.member(user).is_some()) && is_team_member(ctx, &pb.team_id)?))
}

pub fn is_playbook_admin<H: Host>(ctx: &Ctx<'_, H>, pb: &Playbook) -> bool {
    ctx.caller.is_system_admin
        || pb
            .member(&ctx.caller.user_id)
            .is_some_and(PlaybookMember::is_admin)
}

/// Edit rights, archived or not (restore).
pub fn check_edit_rights<H: Host>(ctx: &Ctx<'_, H>, pb: &Playbook) -> Result<(), ApiError> {
    if !can_view(ctx, pb)? {
        return Err(ApiError::forbidden(
            "You do not have permission to view this playbook.",
        ));
    }
    let member = pb.member(&ctx.caller.user_id).is_some();
    if is_playbook_admin(ctx, pb) || (pb.public && !pb.admin_only_edit && member) {
        return Ok(());
    }
    Err(ApiError::forbidden(if pb.public && !pb.admin_only_edit {
        "Only members of this playbook can edit it."
    } else {
        "Only admins of this playbook can edit it."
    }))
}

/// Edit rights on a playbook that is not archived.
pub fn check_edit<H: Host>(ctx: &Ctx<'_, H>, pb: &Playbook) -> Result<(), ApiError> {
    check_edit_rights(ctx, pb)?;
    if pb.is_archived() {
        return Err(ApiError::bad_request(
            "This playbook is archived: restore it before changing it.",
        ));
    }
    Ok(())
}

/// Members, visibility and `admin_only_edit` are for playbook admins.
pub fn check_privileged<H: Host>(
    ctx: &Ctx<'_, H>,
    old: &Playbook,
    new: &Playbook,
) -> Result<(), ApiError> {
    let changed = old.public != new.public
        || old.admin_only_edit != new.admin_only_edit
        || member_roles(old) != member_roles(new);
    if changed && !is_playbook_admin(ctx, old) {
        return Err(ApiError::forbidden(
            "Only admins of this playbook can change its members, public or admin_only_edit.",
        ));
    }
    Ok(())
}

pub fn member_roles(pb: &Playbook) -> BTreeMap<&str, BTreeSet<&str>> {
    let mut out: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for m in &pb.members {
        out.entry(&m.user_id)
            .or_default()
            .extend(m.roles.iter().map(String::as_str));
    }
    out
}
