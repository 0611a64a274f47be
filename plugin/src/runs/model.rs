//! The run data model (`PlaybookRun`), with Mattermost Playbooks' JSON
//! names.
//!
//! A run snapshots its playbook's configuration at start
//! ([`create`](super::create)), so later playbook edits never change it.
//!
//! `task_total` and `task_completed` are derived from the checklists
//! (skipped counts as completed): [`PlaybookRun::update_counts`] recomputes
//! them and the store calls it on every write, so the stored and served
//! values are always right; values sent by clients are ignored.
//!
//! **Followers** are stored inline, in `followers` (a list of user ids,
//! this project's addition to the run JSON): following then shares the
//! run's compare-and-set, so a follow never loses a concurrent edit, and
//! no extra key has to be kept consistent.

use serde::{Deserialize, Serialize};

use crate::playbooks::model::Checklist;

/// `current_status` values.
pub mod status {
    pub const IN_PROGRESS: &str = "InProgress";
    pub const FINISHED: &str = "Finished";
    pub const ALL: [&str; 2] = [IN_PROGRESS, FINISHED];
}

/// `type` values.
pub mod run_type {
    /// Started from a playbook.
    pub const PLAYBOOK: &str = "playbook";
    /// A standalone checklist in a channel (no playbook).
    pub const CHANNEL_CHECKLIST: &str = "channelChecklist";
}

/// Timeline event types used by this module.
pub mod event_type {
    pub const INCIDENT_CREATED: &str = "incident_created";
    pub const OWNER_CHANGED: &str = "owner_changed";
    pub const RUN_FINISHED: &str = "run_finished";
    pub const RUN_RESTORED: &str = "run_restored";
    pub const STATUS_UPDATED: &str = "status_updated";
    pub const STATUS_UPDATE_REQUESTED: &str = "status_update_requested";
    pub const STATUS_UPDATE_SNOOZED: &str = "status_update_snoozed";
    pub const STATUS_UPDATES_ENABLED: &str = "status_updates_enabled";
    pub const STATUS_UPDATES_DISABLED: &str = "status_updates_disabled";
    pub const PUBLISHED_RETROSPECTIVE: &str = "published_retrospective";
    pub const CANCELED_RETROSPECTIVE: &str = "canceled_retrospective";
    pub const RETROSPECTIVE_ENABLED: &str = "retrospective_enabled";
    pub const RETROSPECTIVE_DISABLED: &str = "retrospective_disabled";
    pub const PARTICIPANTS_CHANGED: &str = "participants_changed";
}

use crate::playbooks::model::nullable;

/// A run of a playbook (or a standalone channel checklist).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PlaybookRun {
    pub id: String,
    pub name: String,
    pub summary: String,
    pub summary_modified_at: i64,
    pub owner_user_id: String,
    pub reporter_user_id: String,
    pub team_id: String,
    pub channel_id: String,
    /// The post the run was started from, if any.
    pub post_id: String,
    /// Empty for standalone runs.
    pub playbook_id: String,
    pub create_at: i64,
    pub update_at: i64,
    /// 0 while running.
    pub end_at: i64,
    /// One of [`status::ALL`].
    pub current_status: String,
    #[serde(deserialize_with = "nullable")]
    pub checklists: Vec<Checklist>,
    #[serde(deserialize_with = "nullable")]
    pub status_posts: Vec<StatusPost>,
    pub last_status_update_at: i64,
    pub reminder_post_id: String,
    /// Nanoseconds, as upstream.
    pub previous_reminder: i64,
    pub reminder_message_template: String,
    pub reminder_timer_default_seconds: i64,
    pub status_update_enabled: bool,
    #[serde(deserialize_with = "nullable")]
    pub broadcast_channel_ids: Vec<String>,
    pub status_update_broadcast_channels_enabled: bool,
    #[serde(deserialize_with = "nullable")]
    pub webhook_on_creation_urls: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    pub webhook_on_status_update_urls: Vec<String>,
    pub status_update_broadcast_webhooks_enabled: bool,
    #[serde(deserialize_with = "nullable")]
    pub invited_user_ids: Vec<String>,
    pub default_owner_id: String,
    pub retrospective: String,
    pub retrospective_published_at: i64,
    pub retrospective_was_canceled: bool,
    pub retrospective_reminder_interval_seconds: i64,
    pub retrospective_enabled: bool,
    #[serde(deserialize_with = "nullable")]
    pub participant_ids: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    pub metrics_data: Vec<RunMetricData>,
    #[serde(deserialize_with = "nullable")]
    pub timeline_events: Vec<TimelineEvent>,
    pub create_channel_member_on_new_participant: bool,
    pub remove_channel_member_on_removed_participant: bool,
    /// One of [`run_type`]'s values.
    #[serde(rename = "type")]
    pub kind: String,
    /// 1-based number of the run within its playbook; 0 for standalone runs.
    pub run_number: i64,
    /// `<prefix>-<5-digit run_number>` when the playbook has a prefix.
    pub sequential_id: String,
    /// Derived: number of tasks.
    pub task_total: i64,
    /// Derived: closed or skipped tasks.
    pub task_completed: i64,
    /// User ids following the run (this project stores them inline).
    #[serde(deserialize_with = "nullable")]
    pub followers: Vec<String>,
    /// When the next status update is due (ms; 0 = no reminder pending,
    /// e.g. "never"). This project's addition: upstream derives it from
    /// `last_status_update_at + previous_reminder`, which a snooze breaks.
    pub status_update_due_at: i64,
    /// Per broadcast channel, the root post status updates are threaded
    /// under (this project's addition).
    #[serde(deserialize_with = "nullable")]
    pub broadcast_thread_ids: std::collections::BTreeMap<String, String>,
}

impl Default for PlaybookRun {
    fn default() -> Self {
        PlaybookRun {
            id: String::new(),
            name: String::new(),
            summary: String::new(),
            summary_modified_at: 0,
            owner_user_id: String::new(),
            reporter_user_id: String::new(),
            team_id: String::new(),
            channel_id: String::new(),
            post_id: String::new(),
            playbook_id: String::new(),
            create_at: 0,
            update_at: 0,
            end_at: 0,
            current_status: status::IN_PROGRESS.to_owned(),
            checklists: Vec::new(),
            status_posts: Vec::new(),
            last_status_update_at: 0,
            reminder_post_id: String::new(),
            previous_reminder: 0,
            reminder_message_template: String::new(),
            reminder_timer_default_seconds: 0,
            status_update_enabled: true,
            broadcast_channel_ids: Vec::new(),
            status_update_broadcast_channels_enabled: false,
            webhook_on_creation_urls: Vec::new(),
            webhook_on_status_update_urls: Vec::new(),
            status_update_broadcast_webhooks_enabled: false,
            invited_user_ids: Vec::new(),
            default_owner_id: String::new(),
            retrospective: String::new(),
            retrospective_published_at: 0,
            retrospective_was_canceled: false,
            retrospective_reminder_interval_seconds: 0,
            retrospective_enabled: false,
            participant_ids: Vec::new(),
            metrics_data: Vec::new(),
            timeline_events: Vec::new(),
            create_channel_member_on_new_participant: true,
            remove_channel_member_on_removed_participant: true,
            kind: run_type::PLAYBOOK.to_owned(),
            run_number: 0,
            sequential_id: String::new(),
            task_total: 0,
            task_completed: 0,
            followers: Vec::new(),
            status_update_due_at: 0,
            broadcast_thread_ids: Default::default(),
        }
    }
}

impl PlaybookRun {
    /// Recomputes `task_total` and `task_completed` (skipped counts).
    pub fn update_counts(&mut self) {
        let items = self.checklists.iter().flat_map(|c| c.items.iter());
        self.task_total = items.clone().count() as i64;
        self.task_completed = items.filter(|i| i.is_completed()).count() as i64;
    }

    pub fn is_finished(&self) -> bool {
        self.current_status == status::FINISHED
    }

    pub fn is_participant(&self, user_id: &str) -> bool {
        self.participant_ids.iter().any(|p| p == user_id)
    }

    /// A status update is due and missing (`now` in ms).
    pub fn is_status_overdue(&self, now: i64) -> bool {
        !self.is_finished()
            && self.status_update_enabled
            && self.status_update_due_at > 0
            && self.status_update_due_at <= now
    }

    pub fn is_follower(&self, user_id: &str) -> bool {
        self.followers.iter().any(|p| p == user_id)
    }

    /// Adds `user_id` to the participants unless already there.
    pub fn add_participant(&mut self, user_id: &str) {
        if !user_id.is_empty() && !self.is_participant(user_id) {
            self.participant_ids.push(user_id.to_owned());
        }
    }

    /// The run as JSON (never fails for this plain data; `Null` otherwise).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

/// A status update post of the run.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct StatusPost {
    pub id: String,
    pub create_at: i64,
    pub delete_at: i64,
}

/// A metric value filled in the retrospective.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RunMetricData {
    pub metric_config_id: String,
    /// Nullable: not filled yet.
    pub value: Option<i64>,
}

/// An entry of the run's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TimelineEvent {
    pub id: String,
    pub playbook_run_id: String,
    pub create_at: i64,
    /// Non-zero when removed (soft delete).
    pub delete_at: i64,
    pub event_at: i64,
    pub event_type: String,
    pub summary: String,
    /// JSON text for some types.
    pub details: String,
    pub post_id: String,
    pub subject_user_id: String,
    pub creator_user_id: String,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::playbooks::model::ChecklistItem;

    #[test]
    fn json_names_and_counts() {
        let mut run = PlaybookRun {
            checklists: vec![Checklist {
                items: vec![
                    ChecklistItem {
                        state: "closed".into(),
                        ..Default::default()
                    },
                    ChecklistItem {
                        state: "skipped".into(),
                        ..Default::default()
                    },
                    ChecklistItem::default(),
                ],
                ..Default::default()
            }],
            ..Default::default()
        };
        run.update_counts();
        let v = run.to_json();
        assert_eq!(v["task_total"], 3);
        assert_eq!(v["task_completed"], 2);
        assert_eq!(v["type"], "playbook");
        assert_eq!(v["current_status"], "InProgress");
        for key in [
            "summary_modified_at",
            "previous_reminder",
            "status_update_broadcast_webhooks_enabled",
            "metrics_data",
            "timeline_events",
            "sequential_id",
            "followers",
        ] {
            assert!(v.get(key).is_some(), "{key}");
        }
        let back: PlaybookRun =
            serde_json::from_value(json!({"participant_ids": null, "type": "channelChecklist"}))
                .unwrap();
        assert_eq!(back.kind, run_type::CHANNEL_CHECKLIST);
        assert!(back.participant_ids.is_empty());
    }
}
