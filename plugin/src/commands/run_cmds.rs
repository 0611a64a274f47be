//! `/playbook run | finish | update | owner | add`.

use serde_json::json;

use super::target::select_run;
use super::{Invocation, Reply, dialogs, say, silent};
use crate::host::Host;
use crate::playbooks::Playbook;
use crate::playbooks::new_id_from_host;
use crate::playbooks::store::{ListFilter, PlaybookStore};
use crate::runs::PlaybookRun;
use crate::runs::create::{StartRequest, start_run};
use crate::runs::lifecycle::{change_owner, check_open, edit_run, event};
use crate::runs::notify::run_link;
use crate::runs::status_ui::open_update_dialog;
use crate::runs::store::{RunError, Viewer};

/// `run`: no arguments opens the run dialog; `run <playbook> [name…]`
/// starts a run of the playbook (by id, or by title: exact, then a unique
/// prefix, then a unique substring, case-insensitively).
pub fn run<H: Host>(inv: &Invocation<'_, H>) -> Reply {
    let Some(query) = inv.words.first() else {
        dialogs::open_run_dialog(
            inv.host,
            &inv.args.trigger_id,
            &inv.viewer,
            &inv.args.team_id,
            &dialogs::RunDialogState {
                channel_id: inv.args.channel_id.clone(),
                ..Default::default()
            },
        )?;
        return silent();
    };
    let pb = find_playbook(inv.host, &inv.viewer, &inv.args.team_id, query)?;
    let run = start_run(
        inv.host,
        &inv.viewer.user_id,
        StartRequest {
            playbook_id: pb.id.clone(),
            team_id: pb.team_id.clone(),
            name: inv.words[1..].join(" "),
            ..Default::default()
        },
    )
    .map_err(|e| format!("Could not start a run of {:?}: {e}", pb.title))?;
    say(format!("Started the run {}.", run_link(&run)))
}

/// The playbooks `viewer` may run in `team_id` (not archived).
pub fn runnable_playbooks<H: Host>(
    host: &H,
    viewer: &Viewer,
    team_id: &str,
) -> Result<Vec<Playbook>, String> {
    let filter = ListFilter {
        per_page: usize::MAX,
        visible_to: (!viewer.is_system_admin).then(|| viewer.user_id.clone()),
        ..ListFilter::default()
    };
    let page = PlaybookStore::new(host)
        .list(&[team_id.to_owned()], &filter)
        .map_err(|e| format!("Could not list the playbooks: {e}"))?;
    Ok(page.items)
}

fn find_playbook<H: Host>(
    host: &H,
    viewer: &Viewer,
    team_id: &str,
    query: &str,
) -> Result<Playbook, String> {
    let playbooks = runnable_playbooks(host, viewer, team_id)?;
    let q = query.to_lowercase();
    let tiers: [&dyn Fn(&Playbook) -> bool; 4] = [
        &|pb| pb.id == query,
        &|pb| pb.title.to_lowercase() == q,
        &|pb| pb.title.to_lowercase().starts_with(&q),
        &|pb| pb.title.to_lowercase().contains(&q),
    ];
    for matches in tiers {
        let found: Vec<&Playbook> = playbooks.iter().filter(|pb| matches(pb)).collect();
        match found.as_slice() {
            [] => continue,
            [one] => return Ok((*one).clone()),
            many => {
                let names: Vec<String> = many.iter().map(|pb| format!("{:?}", pb.title)).collect();
                return Err(format!(
                    "Several playbooks match {query:?}: {}. Use the full name (quoted) or the id.",
                    names.join(", ")
                ));
            }
        }
    }
    Err(format!(
        "No playbook matches {query:?} in this team. Type `/playbook run` to pick one from a list."
    ))
}

/// `finish`: a confirmation dialog that says how many tasks are open.
pub fn finish<H: Host>(inv: &Invocation<'_, H>) -> Reply {
    let (run, _) = select_run(inv)?;
    check_can_edit(inv, &run)?;
    dialogs::open_finish_dialog(inv.host, &inv.args.trigger_id, &run)?;
    silent()
}

/// `update`: the status update dialog.
pub fn update<H: Host>(inv: &Invocation<'_, H>) -> Reply {
    let (run, _) = select_run(inv)?;
    check_can_edit(inv, &run)?;
    if !run.status_update_enabled {
        return Err("Status updates are disabled for this run.".into());
    }
    open_update_dialog(inv.host, &inv.args.trigger_id, &run.id).map_err(|e| e.to_string())?;
    silent()
}

/// `owner`: shows the owner; `owner @user` changes it.
pub fn owner<H: Host>(inv: &Invocation<'_, H>) -> Reply {
    let (run, rest) = select_run(inv)?;
    let Some(wanted) = rest.first() else {
        let owner = inv
            .host
            .user(&run.owner_user_id)
            .ok()
            .flatten()
            .map_or_else(|| run.owner_user_id.clone(), |u| u.username);
        return say(format!("The owner of {} is @{owner}.", run_link(&run)));
    };
    let username = wanted.trim_start_matches('@');
    let user = inv
        .host
        .user_by_username(username)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("There is no user @{username}."))?;
    let run = change_owner(inv.host, &inv.viewer, &run.id, &user.id).map_err(describe)?;
    say(format!(
        "@{} is now the owner of {}.",
        user.username,
        run_link(&run)
    ))
}

/// `add <post id>`: adds a post the user can read to the run's timeline
/// (`event_from_post`).
pub fn add_to_timeline<H: Host>(inv: &Invocation<'_, H>) -> Reply {
    let (run, rest) = select_run(inv)?;
    let [post_id] = rest else {
        return Err("Command expects one argument: the post id.".into());
    };
    // Unknown, deleted and unreadable posts all read "no post".
    let post = crate::authz::read_post(inv.host, &inv.viewer, post_id, "post_id")
        .map_err(|_| format!("There is no post {post_id}."))?;
    let now = inv.host.now_ms();
    let event_id = new_id_from_host(inv.host).map_err(|e| e.to_string())?;
    let summary: String = post
        .message
        .lines()
        .next()
        .unwrap_or("")
        .chars()
        .take(120)
        .collect();
    let (run, _) = edit_run(inv.host, &inv.viewer, &run.id, |r: &mut PlaybookRun| {
        check_open(r)?;
        let mut e = event(
            r,
            event_id.clone(),
            now,
            "event_from_post",
            summary.clone(),
            &inv.viewer.user_id,
        );
        e.post_id.clone_from(&post.id);
        e.event_at = post.create_at;
        e.subject_user_id.clone_from(&post.user_id);
        e.details = json!({"post_channel_id": post.channel_id}).to_string();
        r.timeline_events.push(e);
        Ok::<(), RunError>(())
    })
    .map_err(describe)?;
    say(format!(
        "Added the post to the timeline of {}.",
        run_link(&run)
    ))
}

fn check_can_edit<H: Host>(inv: &Invocation<'_, H>, run: &PlaybookRun) -> Result<(), String> {
    // A no-op edit: refused exactly like a real one would be.
    edit_run(inv.host, &inv.viewer, &run.id, |_: &mut PlaybookRun| {
        Ok::<(), RunError>(())
    })
    .map(|_| ())
    .map_err(describe)
}

/// A run error as a sentence for the user.
pub fn describe(e: RunError) -> String {
    match e {
        RunError::Forbidden(m) | RunError::NotFound(m) | RunError::Conflict(m) => m,
        RunError::Invalid(e) => format!("{}: {}", e.field, e.message),
        RunError::Host(e) => format!("Something went wrong: {e}"),
    }
}
