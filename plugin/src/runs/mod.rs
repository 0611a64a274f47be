//! Runs: executions of playbooks (or standalone channel checklists).
//!
//! - [`model`]: `PlaybookRun` and its parts, with upstream's JSON names;
//! - [`store`]: persistence in the SQL tables (decision 022: a row per
//!   run plus participants, followers, metrics and logs as child rows;
//!   optimistic-concurrency updates retried on conflict) and the view/edit
//!   rules;
//! - [`query`]: run lists, filters, visibility and paging in SQL;
//! - [`counts`]: run counts kept per team, playbook, owner and status;
//! - [`name_index`]: the trigram index that run name searches read;
//! - [`logs`]: the timeline and status posts as rows;
//! - [`create`]: starting a run;
//! - [`lifecycle`]: checked edits, finish and restore;
//! - [`status`]: status updates and their reminders;
//! - [`retro`]: retrospectives and their reminders;
//! - [`report`]: the Markdown run report;
//! - [`notify`]: bot posts, DMs, webhook payloads and live-update events
//!   shared by the above;
//! - [`incremental`]: the changed-fields-only run update clients get.

pub mod channel_events;
pub mod checklist_ops;
pub mod counts;
pub mod create;
pub mod incremental;
pub mod lifecycle;
pub mod logs;
pub mod model;
pub mod name_index;
pub mod notify;
pub mod query;
pub mod report;
pub mod retro;
pub mod status;
pub mod status_ui;
pub mod store;
pub mod task_actions;

pub use model::PlaybookRun;
pub use store::{RunError, RunStore};
