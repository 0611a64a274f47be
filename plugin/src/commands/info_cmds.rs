//! `/playbook info | timeline | todo`: read-only views, as ephemeral
//! Markdown.

use super::target::select_run;
use super::{Invocation, Reply, say};
use crate::host::Host;
use crate::runs::PlaybookRun;
use crate::runs::model::status;
use crate::runs::notify::run_link;
use crate::runs::store::{RunFilter, RunSort, RunStore, Viewer};
use crate::timefmt::{duration, utc};

/// Timeline events `/playbook timeline` leaves out, as upstream: too
/// detailed for a chat summary.
const NOISY_EVENTS: [&str; 3] = [
    "assignee_changed",
    "task_state_modified",
    "ran_slash_command",
];

pub fn info<H: Host>(inv: &Invocation<'_, H>) -> Reply {
    let (run, _) = select_run(inv)?;
    let host = inv.host;
    let now = host.now_ms();
    let name_of = |id: &str| {
        host.user(id)
            .ok()
            .flatten()
            .map_or_else(|| id.to_owned(), |u| u.username)
    };
    let participants: Vec<String> = run
        .participant_ids
        .iter()
        .map(|p| format!("@{}", name_of(p)))
        .collect();
    let next_update = if !run.status_update_enabled {
        "status updates are off".to_owned()
    } else if run.status_update_due_at == 0 {
        "no reminder set".to_owned()
    } else if run.is_status_overdue(now) {
        format!(
            "**overdue** by {}",
            duration(now - run.status_update_due_at)
        )
    } else {
        format!("due in {}", duration(run.status_update_due_at - now))
    };
    let mut text = format!(
        "#### {}\n\
         - **Owner:** @{}\n\
         - **Started:** {} ({} ago)\n\
         - **Tasks:** {} of {} done\n\
         - **Next status update:** {}\n\
         - **Participants:** {}\n",
        run_link(&run),
        name_of(&run.owner_user_id),
        utc(run.create_at),
        duration(now - run.create_at),
        run.task_completed,
        run.task_total,
        next_update,
        participants.join(", "),
    );
    if !run.summary.trim().is_empty() {
        text.push_str(&format!("\n**Summary**\n\n{}\n", run.summary));
    }
    say(text)
}

pub fn timeline<H: Host>(inv: &Invocation<'_, H>) -> Reply {
    let (run, _) = select_run(inv)?;
    // The channel's runs come without their logs: read this one whole.
    let run = crate::runs::RunStore::new(inv.host)
        .get(&run.id)
        .map_err(|e| e.to_string())?
        .unwrap_or(run);
    say(timeline_table(&run))
}

/// Upstream's table: Event Time | Since Reported | Event.
pub fn timeline_table(run: &PlaybookRun) -> String {
    let mut events: Vec<_> = run
        .timeline_events
        .iter()
        .filter(|e| e.delete_at == 0 && !NOISY_EVENTS.contains(&e.event_type.as_str()))
        .collect();
    events.sort_by_key(|e| e.event_at);
    let mut out = format!(
        "#### Timeline of {}\n\n| Event Time | Since Reported | Event |\n|---|---|---|\n",
        run_link(run)
    );
    for e in events {
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            utc(e.event_at),
            duration(e.event_at - run.create_at),
            table_cell(&e.summary)
        ));
    }
    out
}

pub fn todo<H: Host>(inv: &Invocation<'_, H>) -> Reply {
    say(todo_text(inv.host, &inv.viewer).map_err(|e| format!("Could not build your list: {e}"))?)
}

/// The `/playbook todo` list, also the body of the digest DM: overdue
/// status updates of runs the user owns, their open tasks, and the runs
/// in progress they take part in.
pub fn todo_text<H: Host + ?Sized>(host: &H, viewer: &Viewer) -> Result<String, String> {
    let filter = RunFilter {
        participant_id: viewer.user_id.clone(),
        statuses: vec![status::IN_PROGRESS.to_owned()],
        sort: RunSort::CreateAt,
        descending: true,
        ..RunFilter::default()
    };
    let runs = RunStore::new(host)
        .all(viewer, &filter)
        .map_err(|e| e.to_string())?;
    let now = host.now_ms();
    let mut out = String::new();

    let overdue: Vec<&PlaybookRun> = runs
        .iter()
        .filter(|r| r.owner_user_id == viewer.user_id && r.is_status_overdue(now))
        .collect();
    out.push_str(&format!(
        "##### Overdue status updates ({})\n",
        overdue.len()
    ));
    for r in &overdue {
        out.push_str(&format!(
            "- {}: overdue by {}\n",
            run_link(r),
            duration(now - r.status_update_due_at)
        ));
    }

    let mut tasks = Vec::new();
    for r in &runs {
        for list in &r.checklists {
            for item in &list.items {
                let mine = item.assignee_id == viewer.user_id
                    || item.assignee_ids.contains(&viewer.user_id);
                if mine && !item.is_completed() {
                    tasks.push((r, item));
                }
            }
        }
    }
    out.push_str(&format!("\n##### Your tasks ({})\n", tasks.len()));
    for (r, item) in &tasks {
        let due = match item.due_date {
            0 => String::new(),
            d if d <= now => format!(" — **overdue** since {}", utc(d)),
            d => format!(" — due {}", utc(d)),
        };
        out.push_str(&format!("- {} ({}){due}\n", item.title, run_link(r)));
    }

    out.push_str(&format!("\n##### Runs in progress ({})\n", runs.len()));
    for r in &runs {
        out.push_str(&format!(
            "- {}: {} of {} tasks done\n",
            run_link(r),
            r.task_completed,
            r.task_total
        ));
    }
    Ok(out)
}

/// Text safe inside a Markdown table cell: no pipes or line breaks.
fn table_cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\r', '\n'], " ")
}
