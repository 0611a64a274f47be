//! Starting a run ([`start_run`]): upstream's "Start" life cycle.
//!
//! From a playbook: the caller must be able to view it (and it must not be
//! archived); its configuration is snapshotted; items' relative due dates
//! become absolute; the run number comes from `pbseq/<playbook_id>`; the
//! name template is resolved; a channel is created (private unless
//! `create_public_run` / `create_public_playbook_run`) or the given one is
//! linked (caller must be a member); bot, reporter, owner and invitees join
//! it; the run is stored; then, best effort (failures only logged): the
//! announcement in broadcast channels, the owner's DM, the quote of the
//! originating post, creation webhooks, the playbook's run counters and the
//! `playbook_run_created` event.
//!
//! Standalone runs (no `playbook_id`): type `channelChecklist`, the given
//! channel or a new one, empty checklists.

use serde::Deserialize;
use serde_json::json;

use super::model::{PlaybookRun, TimelineEvent, event_type, run_type, status};
pub use super::notify::publish;
use super::notify::{bot_post, fire_webhooks, log_err, skipped_broadcasts, webhook_payload};
use super::store::{
    RunError, RunResult, RunStore, Viewer, bump_playbook_counters, can_view_playbook,
    next_run_number,
};
use crate::authz;
use crate::host::{Channel, Host, HostError, Level};
use crate::playbooks::model::{Playbook, channel_mode};
use crate::playbooks::store::PlaybookStore;
use crate::playbooks::{FieldError, new_id_from_host};

/// The bot's username.
pub const BOT_USERNAME: &str = "playbooks";
const MAX_NAME_CHARS: usize = 64;
const MAX_CHANNEL_NAME: usize = 64;

/// The body of `POST /runs`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct StartRequest {
    pub name: String,
    pub owner_user_id: String,
    pub team_id: String,
    pub channel_id: String,
    pub summary: String,
    pub post_id: String,
    pub playbook_id: String,
    pub create_public_run: Option<bool>,
    #[serde(rename = "type")]
    pub kind: String,
}

/// Makes sure the bot exists; returns its user id.
pub fn bot_id<H: Host + ?Sized>(host: &H) -> RunResult<String> {
    Ok(host.ensure_bot(
        BOT_USERNAME,
        "Playbooks",
        "Playbooks bot: announces and reminds about runs.",
    )?)
}

/// Starts a run for `caller_user_id`.
pub fn start_run<H: Host + ?Sized>(
    host: &H,
    caller_user_id: &str,
    request: StartRequest,
) -> RunResult<PlaybookRun> {
    let viewer = Viewer::load(host, caller_user_id)?;
    let now = host.now_ms();
    let playbook = load_playbook(host, &viewer, &request)?;

    if !request.kind.is_empty()
        && request.kind != run_type::PLAYBOOK
        && request.kind != run_type::CHANNEL_CHECKLIST
    {
        return Err(FieldError::new(
            "type",
            format!("{:?} is not playbook or channelChecklist", request.kind),
        )
        .into());
    }

    // Team.
    let team_id = match &playbook {
        Some(pb) => {
            if !request.team_id.is_empty() && request.team_id != pb.team_id {
                return Err(FieldError::new("team_id", "must be the playbook's team").into());
            }
            pb.team_id.clone()
        }
        None if !request.team_id.is_empty() => request.team_id.clone(),
        None if !request.channel_id.is_empty() => host
            .channel(&request.channel_id)?
            .map(|c| c.team_id)
            .ok_or_else(|| FieldError::new("channel_id", "no such channel"))?,
        None => return Err(FieldError::new("team_id", "is required").into()),
    };
    host.team(&team_id)?
        .ok_or_else(|| FieldError::new("team_id", format!("no team {team_id}")))?;
    if !authz::is_team_member(host, &viewer, &team_id)? {
        return Err(RunError::Forbidden(format!(
            "You are not a member of team {team_id}."
        )));
    }

    // The bot quotes this post into the run channel: the caller must be
    // able to read it themselves (a private channel's, a DM's or a deleted
    // post would leak through the quote otherwise).
    if !request.post_id.is_empty() {
        authz::read_post(host, &viewer, &request.post_id, "post_id")?;
    }

    // Owner.
    let owner_id = if !request.owner_user_id.is_empty() {
        request.owner_user_id.clone()
    } else {
        match &playbook {
            Some(pb) if pb.default_owner_enabled && !pb.default_owner_id.is_empty() => {
                pb.default_owner_id.clone()
            }
            _ => caller_user_id.to_owned(),
        }
    };
    let owner = authz::require_team_user(host, &team_id, &owner_id, "owner_user_id")?;
    let creator_name = host
        .user(caller_user_id)?
        .map(|u| u.username)
        .unwrap_or_default();

    // Number and name.
    let mut run = PlaybookRun {
        id: new_id_from_host(host)?,
        owner_user_id: owner_id.clone(),
        reporter_user_id: caller_user_id.to_owned(),
        team_id: team_id.clone(),
        post_id: request.post_id.clone(),
        summary: request.summary.clone(),
        create_at: now,
        update_at: now,
        current_status: status::IN_PROGRESS.to_owned(),
        last_status_update_at: now,
        ..Default::default()
    };
    if !run.summary.is_empty() {
        run.summary_modified_at = now;
    }
    match &playbook {
        Some(pb) => {
            snapshot(&mut run, pb, now);
            run.run_number = next_run_number(host, &pb.id)?;
            if !pb.run_number_prefix.is_empty() {
                run.sequential_id = format!("{}-{:05}", pb.run_number_prefix, run.run_number);
            }
        }
        None => run.kind = run_type::CHANNEL_CHECKLIST.to_owned(),
    }
    let template = match &playbook {
        Some(pb) if request.name.trim().is_empty() => pb.channel_name_template.clone(),
        _ => request.name.clone(),
    };
    let field = if request.name.trim().is_empty() {
        "channel_name_template"
    } else {
        "name"
    };
    run.name = resolve_name(
        &template,
        &run.sequential_id,
        &owner.username,
        &creator_name,
    )
    .map_err(|m| FieldError::new(field, m))?;
    if run.name.chars().count() > MAX_NAME_CHARS {
        return Err(FieldError::new(
            "name",
            format!("must be at most {MAX_NAME_CHARS} characters"),
        )
        .into());
    }

    // The bot joins the team first: the host makes the channel's creator
    // (the bot) a member, which needs team membership.
    let bot = bot_id(host)?;
    log_err(
        host,
        "adding the bot to the team",
        host.add_team_member(&team_id, &bot),
    );

    // Channel.
    let link_channel = if !request.channel_id.is_empty() {
        Some(request.channel_id.clone())
    } else {
        match &playbook {
            Some(pb) if pb.channel_mode == channel_mode::LINK_EXISTING_CHANNEL => {
                if pb.channel_id.is_empty() {
                    return Err(FieldError::new(
                        "channel_id",
                        "is required: the playbook links runs to an existing channel but has none",
                    )
                    .into());
                }
                Some(pb.channel_id.clone())
            }
            _ => None,
        }
    };
    let channel = match link_channel {
        Some(id) => {
            let channel = host
                .channel(&id)?
                .ok_or_else(|| FieldError::new("channel_id", format!("no channel {id}")))?;
            if channel.team_id != team_id {
                return Err(FieldError::new("channel_id", "is not in the run's team").into());
            }
            // The bot posts there and adds people: the caller must be able
            // to post there (a member; not archived).
            authz::postable_channel(host, caller_user_id, &id, "channel_id")?
        }
        None => {
            let public = request.create_public_run.unwrap_or_else(|| {
                playbook
                    .as_ref()
                    .is_some_and(|p| p.create_public_playbook_run)
            });
            create_channel(host, &run, playbook.as_ref(), public)?
        }
    };
    run.channel_id = channel.id.clone();

    // Members.
    let mut joiners = vec![bot.clone(), caller_user_id.to_owned(), owner_id.clone()];
    run.add_participant(&owner_id);
    run.add_participant(caller_user_id);
    if let Some(pb) = &playbook
        && pb.invite_users_enabled
    {
        for user in &pb.invited_user_ids {
            if host.is_team_member(&team_id, user).unwrap_or(false) {
                joiners.push(user.clone());
                run.add_participant(user);
            }
        }
    }
    for user in &joiners {
        log_err(
            host,
            "adding a run member to its channel",
            host.add_channel_member(&channel.id, user),
        );
    }

    run.timeline_events.push(TimelineEvent {
        id: new_id_from_host(host)?,
        playbook_run_id: run.id.clone(),
        create_at: now,
        event_at: now,
        event_type: event_type::INCIDENT_CREATED.to_owned(),
        summary: format!("Run started by @{creator_name}"),
        subject_user_id: caller_user_id.to_owned(),
        creator_user_id: caller_user_id.to_owned(),
        ..Default::default()
    });

    if run.status_update_enabled {
        run.status_update_due_at = super::status::due_at(now, run.reminder_timer_default_seconds);
    }
    let run = RunStore::new(host).create(run)?;
    super::status::schedule_first_reminder(host, &run);
    after_start(host, &run, playbook.as_ref(), &channel, &creator_name);
    Ok(run)
}

fn load_playbook<H: Host + ?Sized>(
    host: &H,
    viewer: &Viewer,
    request: &StartRequest,
) -> RunResult<Option<Playbook>> {
    if request.playbook_id.is_empty() {
        return Ok(None);
    }
    let pb = PlaybookStore::new(host)
        .get(&request.playbook_id)?
        .ok_or_else(|| FieldError::new("playbook_id", "no such playbook"))?;
    if !can_view_playbook(host, viewer, &pb)? {
        return Err(RunError::Forbidden(
            "You do not have permission to view this playbook.".into(),
        ));
    }
    if pb.is_archived() {
        return Err(FieldError::new("playbook_id", "the playbook is archived").into());
    }
    Ok(Some(pb))
}

/// Copies the playbook's configuration into the run.
fn snapshot(run: &mut PlaybookRun, pb: &Playbook, now: i64) {
    run.kind = run_type::PLAYBOOK.to_owned();
    run.playbook_id = pb.id.clone();
    run.checklists = pb.checklists.clone();
    for item in run.checklists.iter_mut().flat_map(|c| c.items.iter_mut()) {
        item.due_date = if item.due_date > 0 {
            now.saturating_add(item.due_date)
        } else {
            0
        };
        item.state.clear();
        item.state_modified = 0;
        item.command_last_run = 0;
        item.update_at = 0;
        match item.assignee_type.as_str() {
            "owner" => {
                item.assignee_id = run.owner_user_id.clone();
                item.assignee_ids = vec![run.owner_user_id.clone()];
            }
            "creator" => {
                item.assignee_id = run.reporter_user_id.clone();
                item.assignee_ids = vec![run.reporter_user_id.clone()];
            }
            _ => {}
        }
    }
    run.reminder_message_template = pb.reminder_message_template.clone();
    run.reminder_timer_default_seconds = pb.reminder_timer_default_seconds;
    run.status_update_enabled = pb.status_update_enabled;
    run.broadcast_channel_ids = pb.broadcast_channel_ids.clone();
    run.status_update_broadcast_channels_enabled = pb.broadcast_enabled;
    run.webhook_on_creation_urls = if pb.webhook_on_creation_enabled {
        pb.webhook_on_creation_urls.clone()
    } else {
        Vec::new()
    };
    run.webhook_on_status_update_urls = pb.webhook_on_status_update_urls.clone();
    run.status_update_broadcast_webhooks_enabled = pb.webhook_on_status_update_enabled;
    run.invited_user_ids = if pb.invite_users_enabled {
        pb.invited_user_ids.clone()
    } else {
        Vec::new()
    };
    run.default_owner_id = if pb.default_owner_enabled {
        pb.default_owner_id.clone()
    } else {
        String::new()
    };
    run.retrospective_reminder_interval_seconds = pb.retrospective_reminder_interval_seconds;
    run.retrospective_enabled = pb.retrospective_enabled;
    if pb.retrospective_enabled {
        run.retrospective = pb.retrospective_template.clone();
    }
    if pb.run_summary_template_enabled && run.summary.is_empty() {
        run.summary = pb.run_summary_template.clone();
    }
    run.create_channel_member_on_new_participant = pb.create_channel_member_on_new_participant;
    run.remove_channel_member_on_removed_participant =
        pb.remove_channel_member_on_removed_participant;
}

/// Resolves `{SEQ}`, `{OWNER}` and `{CREATOR}` in `template`. Any other
/// `{TOKEN}` (upper-case letters and `_`) is an error; an empty result
/// becomes `"<SEQ> - Untitled"` or `"Untitled"`.
pub fn resolve_name(
    template: &str,
    seq: &str,
    owner: &str,
    creator: &str,
) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let token = after.find('}').map(|close| &after[..close]);
        match token {
            Some(t) if !t.is_empty() && t.chars().all(|c| c.is_ascii_uppercase() || c == '_') => {
                match t {
                    "SEQ" => out.push_str(seq),
                    "OWNER" => out.push_str(owner),
                    "CREATOR" => out.push_str(creator),
                    other => {
                        return Err(format!(
                            "unknown token {{{other}}}: use {{SEQ}}, {{OWNER}} or {{CREATOR}}"
                        ));
                    }
                }
                rest = &after[t.len() + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    let out = out.trim().to_owned();
    if !out.is_empty() {
        Ok(out)
    } else if seq.is_empty() {
        Ok("Untitled".into())
    } else {
        Ok(format!("{seq} - Untitled"))
    }
}

/// A channel name from a run name: lower-case a-z, 0-9 and single inner
/// hyphens, with `suffix` appended, at most 64 characters.
pub fn channel_name(run_name: &str, suffix: &str) -> String {
    let mut base = String::new();
    let mut gap = false;
    for c in run_name.chars() {
        if c.is_ascii_alphanumeric() {
            if gap && !base.is_empty() {
                base.push('-');
            }
            gap = false;
            base.push(c.to_ascii_lowercase());
        } else {
            gap = true;
        }
    }
    let room = MAX_CHANNEL_NAME.saturating_sub(suffix.len() + 1);
    base.truncate(room);
    let base = base.trim_end_matches('-');
    if base.is_empty() {
        format!("run-{suffix}")
    } else {
        format!("{base}-{suffix}")
    }
}

fn create_channel<H: Host + ?Sized>(
    host: &H,
    run: &PlaybookRun,
    playbook: Option<&Playbook>,
    public: bool,
) -> RunResult<Channel> {
    let header = match playbook {
        Some(pb) => format!(
            "This channel was created as part of the [{}](/playbooks/playbooks/{}) playbook.",
            pb.title, pb.id
        ),
        None => String::new(),
    };
    let mut last = HostError::Conflict;
    for _ in 0..5 {
        let suffix: String = new_id_from_host(host)?.chars().take(4).collect();
        let channel = Channel {
            id: String::new(),
            team_id: run.team_id.clone(),
            channel_type: if public { "O" } else { "P" }.to_owned(),
            name: channel_name(&run.name, &suffix),
            display_name: run.name.chars().take(MAX_NAME_CHARS).collect(),
            header: header.clone(),
            purpose: String::new(),
            delete_at: 0,
        };
        match host.create_channel(channel) {
            Ok(c) => return Ok(c),
            Err(HostError::Conflict) => last = HostError::Conflict,
            Err(e) => return Err(e.into()),
        }
    }
    Err(RunError::Host(last))
}

/// The side effects after the run is stored; failures are logged only.
fn after_start<H: Host + ?Sized>(
    host: &H,
    run: &PlaybookRun,
    playbook: Option<&Playbook>,
    channel: &Channel,
    creator: &str,
) {
    let run_link = format!("[{}](/playbooks/runs/{})", run.name, run.id);
    if let Some(pb) = playbook {
        if pb.broadcast_enabled {
            let message = format!(
                "@{creator} ran the [{}](/playbooks/playbooks/{}) playbook: {run_link}",
                pb.title, pb.id
            );
            // Checked again now, for the run's creator: the playbook may
            // have been saved by someone else, or rights changed since.
            let (allowed, refused) =
                authz::split_postable(host, &run.reporter_user_id, &pb.broadcast_channel_ids);
            for channel_id in &allowed {
                log_err(
                    host,
                    "announcing the run",
                    host.create_post(bot_post(channel_id, &message)),
                );
            }
            skipped_broadcasts(
                host,
                &run.reporter_user_id,
                &channel.id,
                &refused,
                "announced",
            );
        }
        if let Err(e) = bump_playbook_counters(host, &pb.id, 1, 1, Some(run.create_at)) {
            host.log(
                Level::Warn,
                &format!("updating run counters of {}: {e}", pb.id),
            );
        }
    }
    if run.owner_user_id != run.reporter_user_id {
        let dm = bot_id(host).and_then(|bot| Ok(host.direct_channel(&bot, &run.owner_user_id)?));
        match dm {
            Ok(dm) => log_err(
                host,
                "DMing the owner",
                host.create_post(bot_post(
                    &dm.id,
                    &format!("@{creator} started the run {run_link} and made you its owner."),
                )),
            ),
            Err(e) => host.log(Level::Warn, &format!("DMing the owner: {e}")),
        }
    }
    if !run.post_id.is_empty() {
        match host.post(&run.post_id) {
            Ok(Some(original)) => {
                let quoted: String = original
                    .message
                    .lines()
                    .map(|l| format!("> {l}\n"))
                    .collect();
                log_err(
                    host,
                    "quoting the original post",
                    host.create_post(bot_post(
                        &channel.id,
                        &format!("This run was started from a post:\n{quoted}"),
                    )),
                );
            }
            Ok(None) => host.log(Level::Warn, &format!("post {} not found", run.post_id)),
            Err(e) => host.log(Level::Warn, &format!("reading post {}: {e}", run.post_id)),
        }
    }
    if !run.webhook_on_creation_urls.is_empty() {
        let body = webhook_payload(
            host,
            run,
            event_type::INCIDENT_CREATED,
            run.create_at,
            &run.reporter_user_id,
            json!({}),
        );
        fire_webhooks(host, &run.webhook_on_creation_urls, &body);
    }
    publish(host, "playbook_run_created", run);
}

#[cfg(test)]
#[path = "create_tests.rs"]
pub(crate) mod tests;
