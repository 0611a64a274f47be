//! Runs: executions of playbooks (or standalone channel checklists).
//!
//! - [`model`]: `PlaybookRun` and its parts, with upstream's JSON names;
//! - [`store`]: persistence (key layout, CAS updates, list filters) and
//!   the view/edit rules;
//! - [`create`]: starting a run.

pub mod checklist_ops;
pub mod create;
pub mod model;
pub mod store;

pub use model::PlaybookRun;
pub use store::{RunError, RunStore};
