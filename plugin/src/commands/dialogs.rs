//! Dialogs opened by the slash commands (and the keyword prompt): start a
//! run, confirm finishing one, add a task. Each has its own `callback_id`;
//! [`on_dialog`] answers for them and returns `None` for others.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::run_cmds::{describe, runnable_playbooks};
use crate::api::{DialogResponse, DialogSubmission};
use crate::authz;
use crate::host::{Host, HostResult, Post};
use crate::playbooks::model::ChecklistItem;
use crate::runs::PlaybookRun;
use crate::runs::checklist_ops::{self as ops, ChecklistRef};
use crate::runs::create::{StartRequest, start_run};
use crate::runs::lifecycle::{apply_checklist_op, finish};
use crate::runs::notify::{bot_post, log_err, run_link};
use crate::runs::store::{RunError, Viewer};

pub const RUN_DIALOG: &str = "playbooks_run";
pub const FINISH_DIALOG: &str = "playbooks_finish";
pub const ADD_ITEM_DIALOG: &str = "playbooks_checkadd";
const DIALOG_URL: &str = "/plugins/playbooks/dialog";

/// Carried in the run dialog's `state`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RunDialogState {
    pub channel_id: String,
    /// The post the run starts from (keyword prompts); quoted in the run
    /// channel.
    pub post_id: String,
    /// Offer only these playbooks (keyword prompts); empty = all runnable.
    pub playbook_ids: Vec<String>,
}

/// Opens the run dialog: a playbook select (runnable playbooks of the
/// team), the run name and summary.
pub fn open_run_dialog<H: Host>(
    host: &H,
    trigger_id: &str,
    viewer: &Viewer,
    team_id: &str,
    state: &RunDialogState,
) -> Result<(), String> {
    let mut playbooks = runnable_playbooks(host, viewer, team_id)?;
    if !state.playbook_ids.is_empty() {
        playbooks.retain(|pb| state.playbook_ids.contains(&pb.id));
    }
    if playbooks.is_empty() {
        return Err("There are no playbooks you can run in this team. Create one first.".into());
    }
    let options: Vec<Value> = playbooks
        .iter()
        .map(|pb| json!({"text": pb.title, "value": pb.id}))
        .collect();
    let dialog = json!({
        "url": DIALOG_URL,
        "callback_id": RUN_DIALOG,
        "state": serde_json::to_string(state).unwrap_or_default(),
        "title": "Run playbook",
        "submit_label": "Start run",
        "elements": [
            {"display_name": "Playbook", "name": "playbook_id", "type": "select",
             "options": options, "default": playbooks[0].id},
            {"display_name": "Run name", "name": "name", "type": "text", "optional": true,
             "max_length": 64, "help_text": "Empty: the playbook's channel name template decides."},
            {"display_name": "Summary", "name": "summary", "type": "textarea", "optional": true},
        ],
    });
    host.open_dialog(trigger_id, &dialog)
        .map_err(|e| format!("Could not open the dialog: {e}"))
}

/// The finish confirmation, saying how many tasks are still open.
pub fn open_finish_dialog<H: Host>(
    host: &H,
    trigger_id: &str,
    run: &PlaybookRun,
) -> Result<(), String> {
    let open = run.task_total - run.task_completed;
    let intro = match open {
        0 => format!(
            "Are you sure you want to finish {} for all participants?",
            run_link(run)
        ),
        1 => format!(
            "There is **1 outstanding task**. Are you sure you want to finish {} for all participants?",
            run_link(run)
        ),
        n => format!(
            "There are **{n} outstanding tasks**. Are you sure you want to finish {} for all participants?",
            run_link(run)
        ),
    };
    let dialog = json!({
        "url": DIALOG_URL,
        "callback_id": FINISH_DIALOG,
        "state": run.id,
        "title": "Confirm finish run",
        "introduction_text": intro,
        "submit_label": "Finish run",
        "elements": [],
    });
    host.open_dialog(trigger_id, &dialog)
        .map_err(|e| format!("Could not open the dialog: {e}"))
}

/// The add-task dialog for checklist `checklist` of `run`.
pub fn open_add_item_dialog<H: Host>(
    host: &H,
    trigger_id: &str,
    run: &PlaybookRun,
    checklist: usize,
) -> Result<(), String> {
    let title = run
        .checklists
        .get(checklist)
        .map_or("", |c| c.title.as_str());
    let dialog = json!({
        "url": DIALOG_URL,
        "callback_id": ADD_ITEM_DIALOG,
        "state": json!({"run_id": run.id, "checklist": checklist}).to_string(),
        "title": "Add task",
        "introduction_text": format!("To checklist **{title}** of {}", run_link(run)),
        "submit_label": "Add task",
        "elements": [
            {"display_name": "Title", "name": "title", "type": "text", "max_length": 255},
            {"display_name": "Description", "name": "description", "type": "textarea", "optional": true},
        ],
    });
    host.open_dialog(trigger_id, &dialog)
        .map_err(|e| format!("Could not open the dialog: {e}"))
}

/// Submissions of the dialogs above.
pub fn on_dialog<H: Host>(host: &H, s: &DialogSubmission) -> HostResult<Option<DialogResponse>> {
    let known = [RUN_DIALOG, FINISH_DIALOG, ADD_ITEM_DIALOG];
    if !known.contains(&s.callback_id.as_str()) {
        return Ok(None);
    }
    if s.cancelled {
        return Ok(Some(DialogResponse::default()));
    }
    let viewer = match Viewer::load(host, &s.user_id) {
        Ok(v) => v,
        Err(e) => return Ok(Some(general(describe(e)))),
    };
    let text = |name: &str| {
        s.submission
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let response = match s.callback_id.as_str() {
        RUN_DIALOG => {
            let state: RunDialogState = serde_json::from_str(&s.state).unwrap_or_default();
            let playbook_id = text("playbook_id");
            if playbook_id.is_empty() {
                return Ok(Some(field("playbook_id", "Pick a playbook.")));
            }
            // `state.post_id` is re-checked against the submitter's rights
            // by `start_run` (the quoted post must be readable to them).
            let request = StartRequest {
                playbook_id,
                team_id: s.team_id.clone(),
                name: text("name"),
                summary: text("summary"),
                post_id: state.post_id.clone(),
                ..StartRequest::default()
            };
            match start_run(host, &viewer.user_id, request) {
                Ok(run) => {
                    // `state` comes back from the client: its channel is
                    // used only where the submitter may read.
                    let readable = !state.channel_id.is_empty()
                        && authz::read_channel(host, &viewer, &state.channel_id, "state").is_ok();
                    let channel = if readable {
                        state.channel_id
                    } else {
                        s.channel_id.clone()
                    };
                    tell(
                        host,
                        &viewer.user_id,
                        &channel,
                        &format!("Started the run {}.", run_link(&run)),
                    );
                    DialogResponse::default()
                }
                Err(RunError::Invalid(e)) if e.field == "name" || e.field == "summary" => {
                    field(&e.field, &e.message)
                }
                Err(e) => general(describe(e)),
            }
        }
        FINISH_DIALOG => match finish(host, &viewer, &s.state) {
            Ok(run) => {
                let username = host.user(&viewer.user_id)?.unwrap_or_default().username;
                log_err(
                    host,
                    "announcing the finish",
                    host.create_post(bot_post(
                        &run.channel_id,
                        &format!("@{username} marked {} as finished.", run_link(&run)),
                    )),
                );
                DialogResponse::default()
            }
            Err(e) => general(describe(e)),
        },
        _ => {
            let state: Value = serde_json::from_str(&s.state).unwrap_or_default();
            let run_id = state["run_id"].as_str().unwrap_or_default();
            let checklist = state["checklist"]
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .unwrap_or(usize::MAX);
            let title = text("title");
            if title.trim().is_empty() {
                return Ok(Some(field("title", "Give the task a title.")));
            }
            let added = apply_checklist_op(host, &viewer, run_id, |lists, by, ids| {
                let item = ChecklistItem {
                    title: title.clone(),
                    description: text("description"),
                    ..ChecklistItem::default()
                };
                ops::add_item(lists, &ChecklistRef::Index(checklist), item, ids, by)
            });
            match added {
                Ok(_) => DialogResponse::default(),
                Err(RunError::Invalid(e)) if e.field == "title" => field("title", &e.message),
                Err(e) => general(describe(e)),
            }
        }
    };
    Ok(Some(response))
}

fn field(name: &str, message: &str) -> DialogResponse {
    DialogResponse {
        errors: vec![(name.to_owned(), message.to_owned())],
        ..DialogResponse::default()
    }
}

fn general(message: String) -> DialogResponse {
    DialogResponse {
        error: message,
        ..DialogResponse::default()
    }
}

/// An ephemeral note to `user_id` in `channel_id` (best effort).
fn tell<H: Host>(host: &H, user_id: &str, channel_id: &str, message: &str) {
    if channel_id.is_empty() {
        return;
    }
    log_err(
        host,
        "telling the user",
        host.send_ephemeral(
            user_id,
            Post {
                channel_id: channel_id.to_owned(),
                message: message.to_owned(),
                ..Post::default()
            },
        ),
    );
}
