//! The playbook data model, with Mattermost Playbooks' JSON field names.
//!
//! Field names, string values and defaults follow the reference
//! (Mattermost Playbooks), so the upstream web app, the Go client and
//! exported files work unchanged. Enumerations stay plain `String`s in JSON,
//! as upstream; the allowed values are the constants in [`state`],
//! [`assignee_type`], [`metric_type`], [`channel_mode`] and [`role`], and
//! [`validate`](super::validate) enforces them.
//!
//! Every struct is `#[serde(default)]`: clients send partial objects (the
//! upstream web app omits fields it does not show), and a missing field
//! takes the value of the type's `Default`, which holds the reference
//! defaults. Lists also accept `null`, which Go clients send for nil slices.

use serde::{Deserialize, Deserializer, Serialize};

/// Checklist item states (`ChecklistItem::state`).
pub mod state {
    /// Not started. Upstream's "open" is the empty string.
    pub const OPEN: &str = "";
    pub const IN_PROGRESS: &str = "in_progress";
    pub const CLOSED: &str = "closed";
    /// Counts as completed in run progress.
    pub const SKIPPED: &str = "skipped";
    pub const ALL: [&str; 4] = [OPEN, IN_PROGRESS, CLOSED, SKIPPED];
}

/// How a checklist item's assignee is chosen when a run starts.
pub mod assignee_type {
    /// The specific users in `assignee_ids` / `assignee_id`.
    pub const SPECIFIC_USERS: &str = "";
    /// Whoever owns the run.
    pub const OWNER: &str = "owner";
    /// Whoever started the run.
    pub const CREATOR: &str = "creator";
    pub const ALL: [&str; 3] = [SPECIFIC_USERS, OWNER, CREATOR];
}

/// Metric kinds (`MetricConfig::kind`, JSON `type`).
pub mod metric_type {
    /// A duration in milliseconds.
    pub const DURATION: &str = "metric_duration";
    pub const CURRENCY: &str = "metric_currency";
    pub const INTEGER: &str = "metric_integer";
    pub const ALL: [&str; 3] = [DURATION, CURRENCY, INTEGER];
}

/// Where a run of the playbook talks (`Playbook::channel_mode`).
pub mod channel_mode {
    pub const CREATE_NEW_CHANNEL: &str = "create_new_channel";
    /// Use `Playbook::channel_id` (or the channel given at run start).
    pub const LINK_EXISTING_CHANNEL: &str = "link_existing_channel";
    pub const ALL: [&str; 2] = [CREATE_NEW_CHANNEL, LINK_EXISTING_CHANNEL];
}

/// Playbook membership roles (`PlaybookMember::roles`).
pub mod role {
    pub const MEMBER: &str = "playbook_member";
    pub const ADMIN: &str = "playbook_admin";
    pub const ALL: [&str; 2] = [MEMBER, ADMIN];
}

/// Task action trigger and action types (`Trigger::kind`, `Action::kind`).
pub mod task_action {
    /// Payload [`KeywordsByUsers`](super::KeywordsByUsers).
    pub const KEYWORDS_BY_USERS: &str = "keywords_by_users";
    /// Payload [`MarkItemAsDone`](super::MarkItemAsDone).
    pub const MARK_ITEM_AS_DONE: &str = "mark_item_as_done";
}

/// Upstream's default status-update reminder: 7 days. The reference only
/// says "> 0"; this is the value the upstream web app proposes for a new
/// playbook (`emptyPlaybook()`), so a playbook created by a bare API call
/// behaves like one created in the UI.
pub const DEFAULT_REMINDER_SECONDS: i64 = 7 * 24 * 60 * 60;

/// Deserialises `null` as the type's default, as Go's `encoding/json` does
/// for slices (the Go client sends `null` for every nil list).
pub(crate) fn nullable<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// A playbook: the template runs are started from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Playbook {
    pub id: String,
    pub title: String,
    /// Markdown.
    pub description: String,
    pub team_id: String,
    /// Visible to the whole team (otherwise members only).
    pub public: bool,
    pub create_public_playbook_run: bool,
    pub create_at: i64,
    pub update_at: i64,
    /// Non-zero when archived.
    pub delete_at: i64,
    #[serde(deserialize_with = "nullable")]
    pub checklists: Vec<Checklist>,
    #[serde(deserialize_with = "nullable")]
    pub members: Vec<PlaybookMember>,
    pub reminder_message_template: String,
    /// Default interval between status updates of a run. Upstream requires
    /// it to be positive; this project also accepts 0, meaning "never
    /// remind" (upstream users asked for it), so the range is `>= 0`.
    pub reminder_timer_default_seconds: i64,
    pub status_update_enabled: bool,
    #[serde(deserialize_with = "nullable")]
    pub invited_user_ids: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    pub invited_group_ids: Vec<String>,
    pub invite_users_enabled: bool,
    pub default_owner_id: String,
    pub default_owner_enabled: bool,
    #[serde(deserialize_with = "nullable")]
    pub broadcast_channel_ids: Vec<String>,
    pub broadcast_enabled: bool,
    #[serde(deserialize_with = "nullable")]
    pub webhook_on_creation_urls: Vec<String>,
    pub webhook_on_creation_enabled: bool,
    #[serde(deserialize_with = "nullable")]
    pub webhook_on_status_update_urls: Vec<String>,
    pub webhook_on_status_update_enabled: bool,
    pub message_on_join: String,
    pub message_on_join_enabled: bool,
    /// 0 = remind once.
    pub retrospective_reminder_interval_seconds: i64,
    pub retrospective_template: String,
    pub retrospective_enabled: bool,
    /// Legacy: kept in data and exports, not used for matching (channel
    /// actions replaced it upstream).
    #[serde(deserialize_with = "nullable")]
    pub signal_any_keywords: Vec<String>,
    pub signal_any_keywords_enabled: bool,
    pub categorize_channel_enabled: bool,
    /// Sidebar category for run channels, at most 22 characters.
    pub category_name: String,
    pub run_summary_template_enabled: bool,
    pub run_summary_template: String,
    /// Run/channel name template; tokens `{SEQ}`, `{OWNER}`, `{CREATOR}`.
    pub channel_name_template: String,
    #[serde(deserialize_with = "nullable")]
    pub metrics: Vec<MetricConfig>,
    pub create_channel_member_on_new_participant: bool,
    pub remove_channel_member_on_removed_participant: bool,
    /// The channel runs link to in `link_existing_channel` mode.
    pub channel_id: String,
    pub channel_mode: String,
    /// Prefix of run sequential ids (`INC-00042`); unique per team.
    pub run_number_prefix: String,
    pub admin_only_edit: bool,
    /// Only the owner or an admin may finish, restore or change owner.
    pub owner_group_only_actions: bool,
    pub new_channel_only: bool,
    pub auto_archive_channel: bool,

    // List counters, maintained by the store; never trusted from clients.
    /// Number of checklists.
    pub num_stages: i64,
    /// Number of checklist items in all checklists.
    pub num_steps: i64,
    pub num_runs: i64,
    /// Upstream's count of configured actions; the upstream web app reads
    /// it, so it is kept although the reference does not list it.
    pub num_actions: i64,
    pub last_run_at: i64,
    pub active_runs: i64,
}

impl Default for Playbook {
    /// The reference defaults, as the upstream web app creates a playbook:
    /// public, status updates every 7 days, retrospective on, channel
    /// membership following participation, a new channel per run. Message
    /// and retrospective templates start empty (the UI proposes texts).
    fn default() -> Self {
        Playbook {
            id: String::new(),
            title: String::new(),
            description: String::new(),
            team_id: String::new(),
            public: true,
            create_public_playbook_run: false,
            create_at: 0,
            update_at: 0,
            delete_at: 0,
            checklists: Vec::new(),
            members: Vec::new(),
            reminder_message_template: String::new(),
            reminder_timer_default_seconds: DEFAULT_REMINDER_SECONDS,
            status_update_enabled: true,
            invited_user_ids: Vec::new(),
            invited_group_ids: Vec::new(),
            invite_users_enabled: false,
            default_owner_id: String::new(),
            default_owner_enabled: false,
            broadcast_channel_ids: Vec::new(),
            broadcast_enabled: true,
            webhook_on_creation_urls: Vec::new(),
            webhook_on_creation_enabled: false,
            webhook_on_status_update_urls: Vec::new(),
            webhook_on_status_update_enabled: true,
            message_on_join: String::new(),
            message_on_join_enabled: false,
            retrospective_reminder_interval_seconds: 0,
            retrospective_template: String::new(),
            retrospective_enabled: true,
            signal_any_keywords: Vec::new(),
            signal_any_keywords_enabled: false,
            categorize_channel_enabled: false,
            category_name: String::new(),
            run_summary_template_enabled: false,
            run_summary_template: String::new(),
            channel_name_template: String::new(),
            metrics: Vec::new(),
            create_channel_member_on_new_participant: true,
            remove_channel_member_on_removed_participant: true,
            channel_id: String::new(),
            channel_mode: channel_mode::CREATE_NEW_CHANNEL.to_owned(),
            run_number_prefix: String::new(),
            admin_only_edit: false,
            owner_group_only_actions: false,
            new_channel_only: false,
            auto_archive_channel: false,
            num_stages: 0,
            num_steps: 0,
            num_runs: 0,
            num_actions: 0,
            last_run_at: 0,
            active_runs: 0,
        }
    }
}

impl Playbook {
    /// Brings client input to its canonical form before validation:
    /// reconciles each item's single and multiple assignees (see
    /// [`ChecklistItem::normalize_assignees`]) and drops empty and duplicate
    /// keywords (upstream de-duplicates them too, but loses their order).
    pub fn normalize(&mut self) {
        for checklist in &mut self.checklists {
            for item in &mut checklist.items {
                item.normalize_assignees();
            }
        }
        dedup_non_empty(&mut self.signal_any_keywords);
    }

    /// Recomputes the counters derived from the checklists.
    pub fn update_counts(&mut self) {
        self.num_stages = self.checklists.len() as i64;
        self.num_steps = self.checklists.iter().map(|c| c.items.len() as i64).sum();
    }

    /// The member entry of `user_id`, if any.
    pub fn member(&self, user_id: &str) -> Option<&PlaybookMember> {
        self.members.iter().find(|m| m.user_id == user_id)
    }

    pub fn is_archived(&self) -> bool {
        self.delete_at != 0
    }
}

/// Keeps the first occurrence of each non-empty string, in order.
fn dedup_non_empty(list: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    list.retain(|s| !s.is_empty() && seen.insert(s.clone()));
}

/// A playbook member and their roles (`playbook_member`, `playbook_admin`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PlaybookMember {
    pub user_id: String,
    #[serde(deserialize_with = "nullable")]
    pub roles: Vec<String>,
}

impl PlaybookMember {
    pub fn is_admin(&self) -> bool {
        self.roles.iter().any(|r| r == role::ADMIN)
    }
}

/// A named section of tasks.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Checklist {
    pub id: String,
    pub title: String,
    #[serde(deserialize_with = "nullable")]
    pub items: Vec<ChecklistItem>,
}

/// A task. The same shape serves playbooks (the template: state and the
/// `*_modified` times unused, `due_date` relative) and runs (live state,
/// `due_date` absolute).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ChecklistItem {
    pub id: String,
    pub title: String,
    /// Markdown.
    pub description: String,
    /// One of [`state::ALL`].
    pub state: String,
    /// When `state` last changed (ms); 0 if never.
    pub state_modified: i64,
    /// The first of [`Self::assignee_ids`], kept for Mattermost clients that
    /// know a single assignee only.
    pub assignee_id: String,
    /// This project's extension: a task may have several assignees
    /// (upstream users asked for it). `assignee_ids[0] == assignee_id`
    /// whenever either is set; [`Self::normalize_assignees`] restores that
    /// after a client changed only one of them.
    #[serde(deserialize_with = "nullable")]
    pub assignee_ids: Vec<String>,
    /// When the assignee last changed (ms); 0 if never.
    pub assignee_modified: i64,
    /// One of [`assignee_type::ALL`].
    pub assignee_type: String,
    /// A slash command; `$VAR` is replaced from `$VAR=value` lines of the
    /// run summary.
    pub command: String,
    pub command_last_run: i64,
    /// In a playbook: an offset in ms from the run start (>= 0), 0 = none.
    /// In a run: an absolute time in ms.
    pub due_date: i64,
    #[serde(deserialize_with = "nullable")]
    pub task_actions: Vec<TaskAction>,
    pub update_at: i64,
}

impl ChecklistItem {
    /// Reconciles `assignee_id` (what Mattermost clients edit) with
    /// `assignee_ids` (what this project's clients edit):
    ///
    /// - `assignee_id` set and absent from `assignee_ids`: a single-assignee
    ///   client picked someone new, so it becomes the only assignee;
    /// - `assignee_id` set and listed later: it moves to the front, as the
    ///   "first assignee" contract requires;
    /// - `assignee_id` empty: taken from `assignee_ids[0]` (a multi-assignee
    ///   client need not send it). To unassign everyone, clear both.
    ///
    /// Empty and duplicate ids are dropped.
    pub fn normalize_assignees(&mut self) {
        dedup_non_empty(&mut self.assignee_ids);
        if self.assignee_id.is_empty() {
            if let Some(first) = self.assignee_ids.first() {
                self.assignee_id = first.clone();
            }
        } else if let Some(pos) = self
            .assignee_ids
            .iter()
            .position(|a| *a == self.assignee_id)
        {
            let first = self.assignee_ids.remove(pos);
            self.assignee_ids.insert(0, first);
        } else {
            self.assignee_ids = vec![self.assignee_id.clone()];
        }
    }

    /// Whether the item counts as done for progress (skipped counts).
    pub fn is_completed(&self) -> bool {
        self.state == state::CLOSED || self.state == state::SKIPPED
    }
}

/// "When `trigger` fires, do `actions`", on one task.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TaskAction {
    pub trigger: Trigger,
    #[serde(deserialize_with = "nullable")]
    pub actions: Vec<Action>,
}

/// A task action trigger. `payload` is JSON *text*, as upstream stores it;
/// [`KeywordsByUsers::parse`] reads the one known kind.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Trigger {
    #[serde(rename = "type")]
    pub kind: String,
    pub payload: String,
}

/// A task action. `payload` is JSON *text*; [`MarkItemAsDone::parse`]
/// reads the one known kind.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Action {
    #[serde(rename = "type")]
    pub kind: String,
    pub payload: String,
}

/// Payload of the `keywords_by_users` trigger: a post containing one of
/// `keywords`, by one of `user_ids` (anyone if empty).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct KeywordsByUsers {
    #[serde(deserialize_with = "nullable")]
    pub keywords: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    pub user_ids: Vec<String>,
}

impl KeywordsByUsers {
    pub fn parse(payload: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(payload)
    }
}

/// Payload of the `mark_item_as_done` action.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct MarkItemAsDone {
    pub enabled: bool,
}

impl MarkItemAsDone {
    pub fn parse(payload: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(payload)
    }
}

/// A key metric collected in each run's retrospective.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct MetricConfig {
    pub id: String,
    /// Unique within the playbook (case-insensitively, here).
    pub title: String,
    pub description: String,
    /// One of [`metric_type::ALL`].
    #[serde(rename = "type")]
    pub kind: String,
    /// Nullable: no target. Milliseconds for durations.
    pub target: Option<i64>,
}

#[cfg(test)]
#[path = "model_tests.rs"]
mod tests;
