//! Channel actions: per-channel automation (keyword prompts to run a
//! playbook, welcome messages, sidebar categories), their REST routes
//! live in [`crate::rest::channel_actions`].
//!
//! - [`model`]: the JSON shapes and validation;
//! - [`store`]: the SQL tables (actions, versions, ignore flags) and the
//!   per-instance matcher cache;
//! - [`matcher`]: Aho-Corasick keyword matching (word or substring mode);
//! - [`prompt`]: the hooks (posts, joins) and the prompt's buttons.

pub mod matcher;
pub mod model;
pub mod prompt;
pub mod store;

#[cfg(test)]
mod tests;
