//! Playbooks: the templates runs are started from.
//!
//! This first layer is pure data, without host access:
//!
//! - [`model`]: the entities with Mattermost Playbooks' JSON names and
//!   defaults, plus this project's extensions (several assignees per task,
//!   "never" as a reminder interval);
//! - [`validate`]: the rules a playbook must satisfy before it is stored,
//!   reported as a [`FieldError`] naming the offending JSON path;
//! - [`export`]: Mattermost's playbook export format (`"version": 1`), both
//!   ways;
//! - [`ids`]: Mattermost-style ids from the host's randomness.
//!
//! Storage, permissions and the HTTP API build on these.

pub mod export;
pub mod ids;
pub mod model;
pub mod store;
pub mod validate;

#[cfg(test)]
mod testdata;

pub use export::{EXPORT_VERSION, export_playbook, import_playbook};
pub use ids::{HostIds, is_valid_id, new_id, new_id_from_host};
pub use model::{
    Action, Checklist, ChecklistItem, MetricConfig, Playbook, PlaybookMember, TaskAction, Trigger,
};
pub use validate::{FieldError, validate_playbook};
