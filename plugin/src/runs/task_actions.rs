//! Task actions: "when a message from these users contains these keywords,
//! mark the task done" (upstream's `keywords_by_users` trigger with the
//! `mark_item_as_done` action), evaluated on posts in run channels.
//!
//! Matching uses the channel-action matcher's word mode (case-insensitive,
//! whole words). The change is made by the plugin's bot, so it needs no
//! edit rights of the poster; the timeline says which post did it.

use serde_json::Value;

use super::checklist_ops::{self as ops, ItemRef};
use super::lifecycle::apply_checklist_op;
use super::store::{RunStore, Viewer};
use crate::channel_actions::matcher::{KeywordSet, MatchMode, Matcher};
use crate::host::{Host, HostError, HostResult, Level, Post};
use crate::playbooks::model::{ChecklistItem, KeywordsByUsers, MarkItemAsDone, state, task_action};

/// Whether `item` should be marked done by `post`.
pub fn fires(item: &ChecklistItem, post: &Post) -> bool {
    if item.is_completed() {
        return false;
    }
    item.task_actions.iter().any(|ta| {
        ta.trigger.kind == task_action::KEYWORDS_BY_USERS
            && ta.actions.iter().any(|a| {
                a.kind == task_action::MARK_ITEM_AS_DONE
                    && MarkItemAsDone::parse(&a.payload).is_ok_and(|p| p.enabled)
            })
            && KeywordsByUsers::parse(&ta.trigger.payload).is_ok_and(|t| {
                (t.user_ids.is_empty() || t.user_ids.contains(&post.user_id))
                    && !Matcher::new(&[KeywordSet {
                        owner: 0,
                        keywords: t.keywords,
                        mode: MatchMode::Word,
                    }])
                    .find(&post.message)
                    .is_empty()
            })
    })
}

/// Marks done every task of the channel's runs in progress whose trigger
/// `post` fires. Returns how many.
pub fn on_post<H: Host + ?Sized>(host: &H, post: &Post) -> HostResult<usize> {
    let automated = post.post_type.starts_with("system_")
        || post.props.get("from_plugin").and_then(Value::as_str) == Some("true");
    if automated || post.message.trim().is_empty() {
        return Ok(0);
    }
    let runs = RunStore::new(host)
        .in_channel(&post.channel_id)
        .map_err(|e| HostError::Other(e.to_string()))?;
    let mut done = 0;
    for run in runs.iter().filter(|r| !r.is_finished()) {
        let firing: Vec<String> = run
            .checklists
            .iter()
            .flat_map(|c| c.items.iter())
            .filter(|item| fires(item, post))
            .map(|item| item.id.clone())
            .collect();
        if firing.is_empty() {
            continue;
        }
        let bot = super::create::bot_id(host).map_err(|e| HostError::Other(e.to_string()))?;
        let system = Viewer {
            user_id: bot,
            is_system_admin: true,
        };
        for item_id in firing {
            let marked = apply_checklist_op(host, &system, &run.id, |lists, by, _| {
                ops::set_state(lists, &ItemRef::Id(item_id.clone()), state::CLOSED, by)
            });
            match marked {
                Ok((_, change)) if change.changed => done += 1,
                Ok(_) => {}
                Err(e) => host.log(
                    Level::Warn,
                    &format!("task action on {} item {item_id}: {e}", run.id),
                ),
            }
        }
    }
    Ok(done)
}
