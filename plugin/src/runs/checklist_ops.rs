//! Pure operations on a run's checklists.
//!
//! Every REST route under `/runs/{id}/checklists`, the `/playbook check…`
//! slash commands and the task actions change a run's checklists the same
//! few ways; doing it here, on a plain `Vec<Checklist>`, keeps the rules
//! (state transitions, move semantics, assignee reconciliation, timeline
//! wording) in one place that is tested natively, without a host.
//!
//! Checklists and items are addressed either by position, as upstream's
//! routes and slash commands do (0-based checklist and item numbers), or by
//! their stable ids, which stay right when someone else reordered the list
//! in between (see [`ChecklistRef`], [`ItemRef`]).
//!
//! Each operation either fails without touching anything, with an
//! [`OpError`] naming the argument at fault, or returns a [`Change`]: what
//! happened, in the shape of a timeline event, for the caller to record.
//! The caller (run store / REST layer) still has to: refuse edits to
//! finished runs, check edit rights, store the run with its counters
//! recomputed ([`PlaybookRun::update_counts`](super::model::PlaybookRun::update_counts)),
//! append [`Change::timeline_event`] when there is one, execute slash
//! commands, and publish the update.

use std::fmt;

use serde_json::{Value, json};

use super::model::TimelineEvent;
use crate::playbooks::model::{Checklist, ChecklistItem, state};
use crate::playbooks::validate::{FieldError, MAX_TITLE_CHARS};

/// Timeline event types produced here (upstream's names).
pub mod event_type {
    pub const TASK_STATE_MODIFIED: &str = "task_state_modified";
    pub const ASSIGNEE_CHANGED: &str = "assignee_changed";
    pub const RAN_SLASH_COMMAND: &str = "ran_slash_command";
}

/// `details.action` of `task_state_modified` events.
pub mod action {
    /// To `closed`.
    pub const CHECK: &str = "check";
    /// From `closed` or `in_progress` back to open.
    pub const UNCHECK: &str = "uncheck";
    /// To `skipped`.
    pub const SKIP: &str = "skip";
    /// From `skipped` back to open.
    pub const RESTORE: &str = "restore";
    /// To `in_progress`: not an upstream action (upstream has no such
    /// transition in its UI), named here so the timeline can show it.
    pub const START: &str = "start";
}

/// A checklist, by 0-based position or by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChecklistRef {
    Index(usize),
    Id(String),
}

/// An item, by 0-based positions or by id (searched in every checklist,
/// since item ids are unique in a run).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemRef {
    Index { checklist: usize, item: usize },
    Id(String),
}

/// Whether an error means "no such thing" (HTTP 404) or "bad argument"
/// (HTTP 400): routes answer differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpErrorKind {
    NotFound,
    Invalid,
}

/// Why an operation was refused: the argument (`checklist`, `item`,
/// `new_state`, `title`, …) and a message for a human.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpError {
    pub kind: OpErrorKind,
    pub field: String,
    pub message: String,
}

impl OpError {
    fn not_found(field: &str, message: impl Into<String>) -> Self {
        OpError {
            kind: OpErrorKind::NotFound,
            field: field.to_owned(),
            message: message.into(),
        }
    }

    fn invalid(field: &str, message: impl Into<String>) -> Self {
        OpError {
            kind: OpErrorKind::Invalid,
            field: field.to_owned(),
            message: message.into(),
        }
    }

    pub fn is_not_found(&self) -> bool {
        self.kind == OpErrorKind::NotFound
    }
}

impl fmt::Display for OpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for OpError {}

/// So code that reports [`FieldError`]s (the playbook API) can reuse them.
impl From<OpError> for FieldError {
    fn from(e: OpError) -> Self {
        FieldError::new(e.field, e.message)
    }
}

/// Who does it, and when: stamps `*_modified`/`update_at` and becomes the
/// timeline event's subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor<'a> {
    pub user_id: &'a str,
    pub now_ms: i64,
}

/// What an operation did, shaped for the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// False for a no-op (same state, same assignees, …): nothing to store.
    pub changed: bool,
    /// A timeline event type from [`event_type`], or `""` when upstream
    /// records no timeline event for this kind of change.
    pub event_type: &'static str,
    /// Human text, upstream's wording (`checked off checklist item "X"`).
    /// Set for every change, so logs and replies can use it too.
    pub summary: String,
    /// Structured details (`{"action":"check","task":"X"}`), `Null` if none.
    pub details: Value,
    /// The acting user, for the event's `subject_user_id`.
    pub subject_user_id: String,
    /// Where the affected checklist/item is now (after a move, add or
    /// duplicate: the new position), so a route can answer with it.
    pub checklist: Option<usize>,
    pub item: Option<usize>,
}

impl Change {
    fn new(summary: String) -> Self {
        Change {
            changed: true,
            event_type: "",
            summary,
            details: Value::Null,
            subject_user_id: String::new(),
            checklist: None,
            item: None,
        }
    }

    fn unchanged(summary: String) -> Self {
        Change {
            changed: false,
            ..Change::new(summary)
        }
    }

    fn at(mut self, checklist: usize, item: Option<usize>) -> Self {
        self.checklist = Some(checklist);
        self.item = item;
        self
    }

    fn event(mut self, kind: &'static str, by: &Actor<'_>, details: Value) -> Self {
        self.event_type = kind;
        self.subject_user_id = by.user_id.to_owned();
        self.details = details;
        self
    }

    /// `details` as the JSON text a [`TimelineEvent`] stores (`""` if none).
    pub fn details_text(&self) -> String {
        if self.details.is_null() {
            String::new()
        } else {
            self.details.to_string()
        }
    }

    /// The timeline event to append, if this change has one. `id` is left
    /// empty for the store to assign; `creator_user_id` is the actor, as
    /// upstream records it.
    pub fn timeline_event(&self, run_id: &str, now_ms: i64) -> Option<TimelineEvent> {
        if !self.changed || self.event_type.is_empty() {
            return None;
        }
        Some(TimelineEvent {
            playbook_run_id: run_id.to_owned(),
            create_at: now_ms,
            event_at: now_ms,
            event_type: self.event_type.to_owned(),
            summary: self.summary.clone(),
            details: self.details_text(),
            subject_user_id: self.subject_user_id.clone(),
            creator_user_id: self.subject_user_id.clone(),
            ..TimelineEvent::default()
        })
    }
}

/// Source of fresh ids for new checklists and items (the host's
/// [`HostIds::next_id`](crate::playbooks::ids::HostIds::next_id) in the
/// plugin, a counter in tests).
pub type IdSource<'a> = &'a mut dyn FnMut() -> String;

// ---------------------------------------------------------------------------
// Addressing

/// The position of a checklist.
pub fn find_checklist(lists: &[Checklist], r: &ChecklistRef) -> Result<usize, OpError> {
    match r {
        ChecklistRef::Index(i) if *i < lists.len() => Ok(*i),
        ChecklistRef::Index(i) => Err(OpError::not_found("checklist", format!("no checklist {i}"))),
        ChecklistRef::Id(id) if id.is_empty() => {
            // Never match checklists that lack an id.
            Err(OpError::invalid("checklist", "the id must not be empty"))
        }
        ChecklistRef::Id(id) => lists
            .iter()
            .position(|c| c.id == *id)
            .ok_or_else(|| OpError::not_found("checklist", format!("no checklist with id {id:?}"))),
    }
}

/// The position (checklist, item) of an item.
pub fn find_item(lists: &[Checklist], r: &ItemRef) -> Result<(usize, usize), OpError> {
    match r {
        ItemRef::Index { checklist, item } => {
            let c = find_checklist(lists, &ChecklistRef::Index(*checklist))?;
            if *item < lists[c].items.len() {
                Ok((c, *item))
            } else {
                Err(OpError::not_found(
                    "item",
                    format!("no item {item} in checklist {checklist}"),
                ))
            }
        }
        ItemRef::Id(id) if id.is_empty() => {
            Err(OpError::invalid("item", "the id must not be empty"))
        }
        ItemRef::Id(id) => lists
            .iter()
            .enumerate()
            .find_map(|(c, list)| list.items.iter().position(|i| i.id == *id).map(|i| (c, i)))
            .ok_or_else(|| OpError::not_found("item", format!("no item with id {id:?}"))),
    }
}

fn item_mut<'a>(
    lists: &'a mut [Checklist],
    r: &ItemRef,
) -> Result<(usize, usize, &'a mut ChecklistItem), OpError> {
    let (c, i) = find_item(lists, r)?;
    Ok((c, i, &mut lists[c].items[i]))
}

// ---------------------------------------------------------------------------
// Argument checks

/// Titles are shown in lists and the timeline: one must be there, and
/// bounded like playbook titles.
fn check_title(field: &str, title: &str) -> Result<String, OpError> {
    let title = title.trim();
    if title.is_empty() {
        return Err(OpError::invalid(field, "must not be empty"));
    }
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(OpError::invalid(
            field,
            format!("must be at most {MAX_TITLE_CHARS} characters"),
        ));
    }
    Ok(title.to_owned())
}

/// A task's command is a slash command (or none): anything else could not
/// be run, and would only fail later, when someone clicks "Run".
fn check_command(field: &str, command: &str) -> Result<String, OpError> {
    let command = command.trim();
    if command.is_empty() || (command.starts_with('/') && command.len() > 1) {
        Ok(command.to_owned())
    } else {
        Err(OpError::invalid(
            field,
            "must be empty or a slash command starting with /",
        ))
    }
}

fn check_state(field: &str, new_state: &str) -> Result<(), OpError> {
    if state::ALL.contains(&new_state) {
        Ok(())
    } else {
        Err(OpError::invalid(
            field,
            "must be one of \"\", in_progress, closed, skipped",
        ))
    }
}

/// Makes `item` a fresh task of this run: new id, run state cleared (a copy
/// or a new task is work not done yet), assignees reconciled.
fn fresh_item(item: &mut ChecklistItem, ids: &mut dyn FnMut() -> String, now_ms: i64) {
    item.id = ids();
    item.state = state::OPEN.to_owned();
    item.state_modified = 0;
    item.command_last_run = 0;
    item.normalize_assignees();
    item.update_at = now_ms;
}

// ---------------------------------------------------------------------------
// Checklists

/// Appends a checklist (`POST /runs/{id}/checklists`). The given items are
/// new tasks: they get fresh ids and an open state whatever they carried,
/// so client-chosen ids can never collide with existing ones.
pub fn add_checklist(
    lists: &mut Vec<Checklist>,
    title: &str,
    items: Vec<ChecklistItem>,
    ids: IdSource<'_>,
    by: &Actor<'_>,
) -> Result<Change, OpError> {
    let title = check_title("title", title)?;
    for (n, item) in items.iter().enumerate() {
        check_title(&format!("items[{n}].title"), &item.title)?;
        check_command(&format!("items[{n}].command"), &item.command)?;
    }
    let mut checklist = Checklist {
        id: ids(),
        title,
        items,
    };
    for item in &mut checklist.items {
        item.title = item.title.trim().to_owned();
        item.command = item.command.trim().to_owned();
        fresh_item(item, ids, by.now_ms);
    }
    let summary = format!("added checklist {:?}", checklist.title);
    lists.push(checklist);
    Ok(Change::new(summary).at(lists.len() - 1, None))
}

/// Renames a checklist (`PUT …/{c}/rename`).
pub fn rename_checklist(
    lists: &mut [Checklist],
    r: &ChecklistRef,
    title: &str,
) -> Result<Change, OpError> {
    let c = find_checklist(lists, r)?;
    let title = check_title("title", title)?;
    let list = &mut lists[c];
    if list.title == title {
        return Ok(Change::unchanged(format!("renamed checklist {title:?}")).at(c, None));
    }
    let summary = format!("renamed checklist {:?} to {title:?}", list.title);
    list.title = title;
    Ok(Change::new(summary).at(c, None))
}

/// Removes a checklist and its items (`DELETE …/checklists/{c}`); later
/// checklists move up by one.
pub fn delete_checklist(lists: &mut Vec<Checklist>, r: &ChecklistRef) -> Result<Change, OpError> {
    let c = find_checklist(lists, r)?;
    let removed = lists.remove(c);
    Ok(Change::new(format!(
        "deleted checklist {:?}",
        removed.title
    )))
}

/// Moves a checklist so that it ends up at position `to` (counted in the
/// resulting list, as upstream's `checklists/move`), shifting the others.
pub fn move_checklist(
    lists: &mut Vec<Checklist>,
    from: &ChecklistRef,
    to: usize,
) -> Result<Change, OpError> {
    let c = find_checklist(lists, from)?;
    if to >= lists.len() {
        return Err(OpError::invalid(
            "to",
            format!("must be below {} (the number of checklists)", lists.len()),
        ));
    }
    let list = lists.remove(c);
    let summary = format!("moved checklist {:?} from {c} to {to}", list.title);
    lists.insert(to, list);
    let change = if c == to {
        Change::unchanged(summary)
    } else {
        Change::new(summary)
    };
    Ok(change.at(to, None))
}

/// Inserts a copy of a checklist right after it (`POST …/{c}/duplicate`),
/// where the user who clicked "Duplicate" looks for it. The copy and its
/// items get new ids, and its tasks start open: the copy is new work.
pub fn duplicate_checklist(
    lists: &mut Vec<Checklist>,
    r: &ChecklistRef,
    ids: IdSource<'_>,
    by: &Actor<'_>,
) -> Result<Change, OpError> {
    let c = find_checklist(lists, r)?;
    let mut copy = lists[c].clone();
    copy.id = ids();
    for item in &mut copy.items {
        fresh_item(item, ids, by.now_ms);
    }
    let summary = format!("duplicated checklist {:?}", copy.title);
    lists.insert(c + 1, copy);
    Ok(Change::new(summary).at(c + 1, None))
}

/// Sets every item of the checklist to `to` when its state is in `from`;
/// returns how many changed.
fn set_all(list: &mut Checklist, from: &[&str], to: &str, by: &Actor<'_>) -> usize {
    let mut n = 0;
    for item in &mut list.items {
        if from.contains(&item.state.as_str()) {
            item.state = to.to_owned();
            item.state_modified = by.now_ms;
            item.update_at = by.now_ms;
            n += 1;
        }
    }
    n
}

/// Skips every item of a checklist (`PUT …/{c}/skip`): the section does
/// not apply to this run. Items already closed stay closed (they were
/// done; skipping would lose that), so only open and in-progress ones
/// change. Like upstream, no per-item timeline events.
pub fn skip_checklist(
    lists: &mut [Checklist],
    r: &ChecklistRef,
    by: &Actor<'_>,
) -> Result<Change, OpError> {
    let c = find_checklist(lists, r)?;
    let list = &mut lists[c];
    let n = set_all(list, &[state::OPEN, state::IN_PROGRESS], state::SKIPPED, by);
    let summary = format!("skipped checklist {:?}", list.title);
    let change = if n == 0 {
        Change::unchanged(summary)
    } else {
        Change::new(summary)
    };
    Ok(change.at(c, None))
}

/// Undoes [`skip_checklist`] (`PUT …/{c}/restore`): skipped items become
/// open again; others are left alone.
pub fn restore_checklist(
    lists: &mut [Checklist],
    r: &ChecklistRef,
    by: &Actor<'_>,
) -> Result<Change, OpError> {
    let c = find_checklist(lists, r)?;
    let list = &mut lists[c];
    let n = set_all(list, &[state::SKIPPED], state::OPEN, by);
    let summary = format!("restored checklist {:?}", list.title);
    let change = if n == 0 {
        Change::unchanged(summary)
    } else {
        Change::new(summary)
    };
    Ok(change.at(c, None))
}

// ---------------------------------------------------------------------------
// Items

/// Appends a task to a checklist (`POST …/{c}/add`, `/playbook checkadd`).
/// It gets a fresh id and starts open; its assignees, due date, command and
/// task actions are kept.
pub fn add_item(
    lists: &mut [Checklist],
    r: &ChecklistRef,
    mut item: ChecklistItem,
    ids: IdSource<'_>,
    by: &Actor<'_>,
) -> Result<Change, OpError> {
    let c = find_checklist(lists, r)?;
    item.title = check_title("title", &item.title)?;
    item.command = check_command("command", &item.command)?;
    if item.due_date < 0 {
        return Err(OpError::invalid("due_date", "must not be negative"));
    }
    fresh_item(&mut item, ids, by.now_ms);
    let summary = format!("added checklist item {:?}", item.title);
    let list = &mut lists[c];
    list.items.push(item);
    Ok(Change::new(summary).at(c, Some(list.items.len() - 1)))
}

/// The editable text of a task (`PUT …/item/{i}`): replaced as a whole, as
/// upstream's route does.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ItemEdit {
    pub title: String,
    pub description: String,
    pub command: String,
}

/// Replaces a task's title, description and command. A changed command
/// resets `command_last_run`: the new command has never run.
pub fn edit_item(
    lists: &mut [Checklist],
    r: &ItemRef,
    edit: ItemEdit,
    by: &Actor<'_>,
) -> Result<Change, OpError> {
    let (c, i, item) = item_mut(lists, r)?;
    let title = check_title("title", &edit.title)?;
    let command = check_command("command", &edit.command)?;
    if item.title == title && item.description == edit.description && item.command == command {
        return Ok(Change::unchanged(format!("edited checklist item {title:?}")).at(c, Some(i)));
    }
    if item.command != command {
        item.command_last_run = 0;
    }
    item.title = title;
    item.description = edit.description;
    item.command = command;
    item.update_at = by.now_ms;
    Ok(Change::new(format!("edited checklist item {:?}", item.title)).at(c, Some(i)))
}

/// Removes a task (`DELETE …/item/{i}`, `/playbook checkremove`); later
/// items of its checklist move up by one.
pub fn delete_item(lists: &mut [Checklist], r: &ItemRef) -> Result<Change, OpError> {
    let (c, i) = find_item(lists, r)?;
    let removed = lists[c].items.remove(i);
    Ok(Change::new(format!("deleted checklist item {:?}", removed.title)).at(c, None))
}

/// Moves a task to position `to_item` of checklist `to_checklist` (the same
/// or another one), `to_item` counted in the destination *after* the task
/// left its place, as upstream's `checklists/move-item`: within one
/// checklist `to_item < len`, into another `to_item <= len` (`len` appends).
pub fn move_item(
    lists: &mut [Checklist],
    from: &ItemRef,
    to_checklist: &ChecklistRef,
    to_item: usize,
) -> Result<Change, OpError> {
    let (c, i) = find_item(lists, from)?;
    let dest = find_checklist(lists, to_checklist)?;
    let room = if dest == c {
        lists[dest].items.len() - 1
    } else {
        lists[dest].items.len()
    };
    if to_item > room {
        return Err(OpError::invalid(
            "to_item",
            format!("must be at most {room} in checklist {dest}"),
        ));
    }
    let item = lists[c].items.remove(i);
    let summary = format!(
        "moved checklist item {:?} from {c}/{i} to {dest}/{to_item}",
        item.title
    );
    lists[dest].items.insert(to_item, item);
    let change = if (c, i) == (dest, to_item) {
        Change::unchanged(summary)
    } else {
        Change::new(summary)
    };
    Ok(change.at(dest, Some(to_item)))
}

/// Inserts a copy of a task right after it (`POST …/item/{i}/duplicate`),
/// with a new id and an open state (the copy is new work); assignees, due
/// date, command and task actions are kept.
pub fn duplicate_item(
    lists: &mut [Checklist],
    r: &ItemRef,
    ids: IdSource<'_>,
    by: &Actor<'_>,
) -> Result<Change, OpError> {
    let (c, i) = find_item(lists, r)?;
    let mut copy = lists[c].items[i].clone();
    fresh_item(&mut copy, ids, by.now_ms);
    let summary = format!("duplicated checklist item {:?}", copy.title);
    lists[c].items.insert(i + 1, copy);
    Ok(Change::new(summary).at(c, Some(i + 1)))
}

/// Changes a task's state (`PUT …/item/{i}/state`, `/playbook check`, task
/// actions), recording `state_modified`. The timeline action follows
/// upstream: to `closed` = check, `skipped` → open = restore, other → open
/// = uncheck, to `skipped` = skip (plus [`action::START`] for
/// `in_progress`). Setting the current state is a no-op without an event,
/// so a double click does not log twice.
pub fn set_state(
    lists: &mut [Checklist],
    r: &ItemRef,
    new_state: &str,
    by: &Actor<'_>,
) -> Result<Change, OpError> {
    check_state("new_state", new_state)?;
    let (c, i, item) = item_mut(lists, r)?;
    if item.state == new_state {
        return Ok(Change::unchanged(format!(
            "checklist item {:?} is already {:?}",
            item.title, new_state
        ))
        .at(c, Some(i)));
    }
    let (act, verb) = match new_state {
        state::CLOSED => (action::CHECK, "checked off"),
        state::SKIPPED => (action::SKIP, "skipped"),
        state::IN_PROGRESS => (action::START, "started"),
        _ if item.state == state::SKIPPED => (action::RESTORE, "restored"),
        _ => (action::UNCHECK, "unchecked"),
    };
    item.state = new_state.to_owned();
    item.state_modified = by.now_ms;
    item.update_at = by.now_ms;
    let summary = format!("{verb} checklist item {:?}", item.title);
    let details = json!({"action": act, "task": item.title});
    Ok(Change::new(summary)
        .event(event_type::TASK_STATE_MODIFIED, by, details)
        .at(c, Some(i)))
}

/// Toggles open ↔ closed, as `/playbook check` does upstream: a closed task
/// is unchecked, any other one is checked.
pub fn toggle_checked(
    lists: &mut [Checklist],
    r: &ItemRef,
    by: &Actor<'_>,
) -> Result<Change, OpError> {
    let (c, i) = find_item(lists, r)?;
    let next = if lists[c].items[i].state == state::CLOSED {
        state::OPEN
    } else {
        state::CLOSED
    };
    set_state(lists, r, next, by)
}

/// Skips a task (`PUT …/item/{i}/skip`).
pub fn skip_item(lists: &mut [Checklist], r: &ItemRef, by: &Actor<'_>) -> Result<Change, OpError> {
    set_state(lists, r, state::SKIPPED, by)
}

/// Brings a skipped task back to open (`PUT …/item/{i}/restore`). A task
/// that is not skipped is left as it is (no-op): "restore" must not
/// silently uncheck a done task.
pub fn restore_item(
    lists: &mut [Checklist],
    r: &ItemRef,
    by: &Actor<'_>,
) -> Result<Change, OpError> {
    let (c, i) = find_item(lists, r)?;
    let item = &lists[c].items[i];
    if item.state != state::SKIPPED {
        return Ok(
            Change::unchanged(format!("checklist item {:?} is not skipped", item.title))
                .at(c, Some(i)),
        );
    }
    set_state(lists, r, state::OPEN, by)
}

/// Renders user ids for summaries: `@username` when `username` knows the
/// user, else the id (the summary stays meaningful for deleted users).
fn mentions(ids: &[String], username: &dyn Fn(&str) -> Option<String>) -> String {
    ids.iter()
        .map(|id| format!("@{}", username(id).unwrap_or_else(|| id.clone())))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Sets a task's assignees (this project's extension: several per task).
/// Empty and duplicate ids are dropped; `assignee_id` becomes the first
/// (see [`ChecklistItem::normalize_assignees`]), so single-assignee
/// clients keep working. An empty list unassigns. `assignee_modified` is
/// stamped and an `assignee_changed` event returned, unless nothing
/// changed. Whether the users exist or may be assigned is the caller's
/// check (it needs the host).
pub fn set_assignees(
    lists: &mut [Checklist],
    r: &ItemRef,
    assignee_ids: Vec<String>,
    by: &Actor<'_>,
    username: &dyn Fn(&str) -> Option<String>,
) -> Result<Change, OpError> {
    let (c, i, item) = item_mut(lists, r)?;
    let mut next = ChecklistItem {
        assignee_ids,
        ..ChecklistItem::default()
    };
    next.normalize_assignees();
    if next.assignee_ids == item.assignee_ids && next.assignee_id == item.assignee_id {
        return Ok(
            Change::unchanged(format!("the assignees of {:?} did not change", item.title))
                .at(c, Some(i)),
        );
    }
    let old = std::mem::replace(&mut item.assignee_ids, next.assignee_ids);
    item.assignee_id = next.assignee_id;
    item.assignee_modified = by.now_ms;
    item.update_at = by.now_ms;
    let summary = match item.assignee_ids.len() {
        0 => format!("removed the assignee of {:?}", item.title),
        1 => format!(
            "changed the assignee of {:?} to {}",
            item.title,
            mentions(&item.assignee_ids, username)
        ),
        _ => format!(
            "changed the assignees of {:?} to {}",
            item.title,
            mentions(&item.assignee_ids, username)
        ),
    };
    let details = json!({
        "task": item.title,
        "old_assignee_ids": old,
        "assignee_ids": item.assignee_ids,
    });
    Ok(Change::new(summary)
        .event(event_type::ASSIGNEE_CHANGED, by, details)
        .at(c, Some(i)))
}

/// Upstream's single-assignee route (`PUT …/item/{i}/assignee
/// {assignee_id}`): replaces all assignees by this one (`""` unassigns).
pub fn set_assignee(
    lists: &mut [Checklist],
    r: &ItemRef,
    assignee_id: &str,
    by: &Actor<'_>,
    username: &dyn Fn(&str) -> Option<String>,
) -> Result<Change, OpError> {
    set_assignees(lists, r, vec![assignee_id.to_owned()], by, username)
}

/// Sets a run task's due date (`PUT …/item/{i}/duedate`): absolute ms, 0 =
/// none. Upstream records no timeline event for it.
pub fn set_due_date(
    lists: &mut [Checklist],
    r: &ItemRef,
    due_date: i64,
    by: &Actor<'_>,
) -> Result<Change, OpError> {
    if due_date < 0 {
        return Err(OpError::invalid(
            "due_date",
            "must be 0 (none) or a time in ms",
        ));
    }
    let (c, i, item) = item_mut(lists, r)?;
    let summary = format!("changed the due date of {:?}", item.title);
    if item.due_date == due_date {
        return Ok(Change::unchanged(summary).at(c, Some(i)));
    }
    item.due_date = due_date;
    item.update_at = by.now_ms;
    Ok(Change::new(summary).at(c, Some(i)))
}

/// Sets a task's slash command (`PUT …/item/{i}/command`); `""` removes
/// it. A changed command resets `command_last_run`.
pub fn set_command(
    lists: &mut [Checklist],
    r: &ItemRef,
    command: &str,
    by: &Actor<'_>,
) -> Result<Change, OpError> {
    let command = check_command("command", command)?;
    let (c, i, item) = item_mut(lists, r)?;
    let summary = format!("changed the command of {:?}", item.title);
    if item.command == command {
        return Ok(Change::unchanged(summary).at(c, Some(i)));
    }
    item.command = command;
    item.command_last_run = 0;
    item.update_at = by.now_ms;
    Ok(Change::new(summary).at(c, Some(i)))
}

/// Records that a task's command ran (`POST …/item/{i}/run`): stamps
/// `command_last_run` and returns a `ran_slash_command` change whose
/// `details.command` is the command as stored. Substituting `$VAR`s from
/// the run summary and executing it are the caller's job (they need the
/// host); the caller should not store this change if execution fails.
pub fn run_command(
    lists: &mut [Checklist],
    r: &ItemRef,
    by: &Actor<'_>,
) -> Result<Change, OpError> {
    let (c, i, item) = item_mut(lists, r)?;
    if item.command.is_empty() {
        return Err(OpError::invalid("command", "the item has no command"));
    }
    item.command_last_run = by.now_ms;
    item.update_at = by.now_ms;
    let summary = format!("ran the slash command: {:?}", item.command);
    let details = json!({"command": item.command, "task": item.title});
    Ok(Change::new(summary)
        .event(event_type::RAN_SLASH_COMMAND, by, details)
        .at(c, Some(i)))
}

// ---------------------------------------------------------------------------
// Queries

/// `(task_total, task_completed)`, skipped counting as completed (as
/// upstream's progress bar); `i64` as the run's fields are.
pub fn task_counts(lists: &[Checklist]) -> (i64, i64) {
    let items = lists.iter().flat_map(|c| c.items.iter());
    let total = items.clone().count() as i64;
    let completed = items.filter(|i| i.is_completed()).count() as i64;
    (total, completed)
}

/// Which tasks to list (the run's checklist filter, the `todo` digest).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemFilter<'a> {
    All,
    /// Assigned to this user (among possibly several assignees).
    Mine(&'a str),
    Unassigned,
    /// `closed`.
    Checked,
    Skipped,
    /// Not completed and due before this time (ms).
    Overdue(i64),
}

impl<'a> ItemFilter<'a> {
    /// Parses a query value (`all`, `mine`, `unassigned`, `checked`,
    /// `skipped`, `overdue`); `user_id` and `now_ms` fill `mine` and
    /// `overdue`.
    pub fn parse(name: &str, user_id: &'a str, now_ms: i64) -> Result<Self, OpError> {
        match name {
            "" | "all" => Ok(ItemFilter::All),
            "mine" => Ok(ItemFilter::Mine(user_id)),
            "unassigned" => Ok(ItemFilter::Unassigned),
            "checked" => Ok(ItemFilter::Checked),
            "skipped" => Ok(ItemFilter::Skipped),
            "overdue" => Ok(ItemFilter::Overdue(now_ms)),
            _ => Err(OpError::invalid(
                "filter",
                "must be one of all, mine, unassigned, checked, skipped, overdue",
            )),
        }
    }

    pub fn matches(&self, item: &ChecklistItem) -> bool {
        match *self {
            ItemFilter::All => true,
            ItemFilter::Mine(user) => {
                !user.is_empty()
                    && (item.assignee_id == user || item.assignee_ids.iter().any(|a| a == user))
            }
            ItemFilter::Unassigned => item.assignee_id.is_empty() && item.assignee_ids.is_empty(),
            ItemFilter::Checked => item.state == state::CLOSED,
            ItemFilter::Skipped => item.state == state::SKIPPED,
            ItemFilter::Overdue(now) => {
                item.due_date != 0 && item.due_date < now && !item.is_completed()
            }
        }
    }
}

/// The positions `(checklist, item)` of the tasks matching `filter`, in
/// display order.
pub fn items_matching(lists: &[Checklist], filter: &ItemFilter<'_>) -> Vec<(usize, usize)> {
    lists
        .iter()
        .enumerate()
        .flat_map(|(c, list)| {
            list.items
                .iter()
                .enumerate()
                .filter(|(_, item)| filter.matches(item))
                .map(move |(i, _)| (c, i))
        })
        .collect()
}

#[cfg(test)]
#[path = "checklist_ops_tests.rs"]
mod tests;
