//! Integration tests: the real compiled plugin components loaded into the
//! real host (wasmtime, SQLite, HTTP). One test binary, modules by capability.
//!
//! The components come from `cargo xtask build-plugins` (the README's test
//! command runs it first). Tests fail, not skip, when they are missing.

mod chat_api;
mod chat_directory;
mod chat_entry_points;
mod chat_files;
mod chat_groups;
mod chat_integrations;
mod chat_preferences;
mod chat_presence;
mod chat_reactions;
mod chat_search;
mod chat_unread;
mod client;
mod durability;
mod engine_flows;
mod helpers;
mod null_bodies;
mod playbooks_api;
mod plugin_hooks;
mod plugin_lifecycle;
mod plugin_sql;
mod restarts;
mod runs_api;
mod sandbox;
mod security_auth;
mod security_interactive;
mod security_plugauthz;
mod security_pluglimits;
mod security_runtime;
mod security_webhooks;
mod upgrade_fixture;
mod web_client;
mod websocket;
