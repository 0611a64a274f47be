//! Runs: executions of playbooks (or standalone channel checklists).
//!
//! - [`model`]: `PlaybookRun` and its parts, with upstream's JSON names;
//! - [`store`]: persistence in the SQL tables (decision 022: a row per
//!   run plus participants, followers, metrics and logs as child rows;
//!   optimistic-concurrency updates retried on conflict) and the view/edit
//!   rules;
//! - [`query`]: run lists, filters, visibility and paging in SQL;
//! - [`logs`]: the timeline and status posts as rows;
//! - [`create`]: starting a run;
//! - [`lifecycle`]: checked edits, finish and restore;
//! - [`status`]: status updates and their reminders;
//! - [`retro`]: retrospectives and their reminders;
//! - [`report`]: the Markdown run report;
//! - [`notify`]: bot posts, DMs and webhook payloads shared by the above.

pub mod channel_events;
pub mod checklist_ops;
pub mod create;
pub mod lifecycle;
pub mod logs;
pub mod model;
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
