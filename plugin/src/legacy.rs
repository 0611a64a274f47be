//! The KV key layout of releases before the SQL tables (decision 007, the
//! parts decision 022 supersedes). Only the one-time importer
//! ([`crate::import`]) and its tests use these: nothing writes them any more.

/// `pb/<id>`: a playbook's JSON.
pub fn playbook_key(id: &str) -> String {
    format!("pb/{id}")
}
pub const PLAYBOOK_PREFIX: &str = "pb/";
/// `pbt/<team>/<id>`: the team index of playbooks ("").
pub fn playbook_team_key(team_id: &str, id: &str) -> String {
    format!("pbt/{team_id}/{id}")
}
/// `pbpfx/<team>/<PREFIX>`: a run number prefix claim (the playbook id).
pub fn prefix_key(team_id: &str, prefix: &str) -> String {
    format!("pbpfx/{team_id}/{}", prefix.to_ascii_uppercase())
}
/// `pbseq/<playbook>`: the last run number (decimal).
pub fn seq_key(playbook_id: &str) -> String {
    format!("pbseq/{playbook_id}")
}
pub const SEQ_PREFIX: &str = "pbseq/";

/// `run/<id>`: a run's JSON; logs inline (oldest layout) or under
/// `rtl/`/`rsp/` with their ranges in `_logs`.
pub fn run_key(id: &str) -> String {
    format!("run/{id}")
}
pub const RUN_PREFIX: &str = "run/";
/// `rt/<team>/<create_at, 13 digits>/<id>`: the team index (a summary).
pub fn run_team_key(team_id: &str, create_at: i64, id: &str) -> String {
    format!("rt/{team_id}/{:013}/{id}", create_at.max(0))
}
/// `rc/<channel>/<id>`: runs of a channel ("").
pub fn run_channel_key(channel_id: &str, id: &str) -> String {
    format!("rc/{channel_id}/{id}")
}
/// `rp/<playbook>/<id>`: runs of a playbook ("").
pub fn run_playbook_key(playbook_id: &str, id: &str) -> String {
    format!("rp/{playbook_id}/{id}")
}
/// `rtl/<run>/<n, 10 digits>`: timeline entry `n`.
pub fn timeline_key(run_id: &str, n: u64) -> String {
    format!("rtl/{run_id}/{n:010}")
}
/// `rsp/<run>/<n, 10 digits>`: status post entry `n`.
pub fn status_post_key(run_id: &str, n: u64) -> String {
    format!("rsp/{run_id}/{n:010}")
}

/// `ca/<channel>/<id>`: a channel action's JSON.
pub fn action_key(channel_id: &str, id: &str) -> String {
    format!("ca/{channel_id}/{id}")
}
pub const ACTION_PREFIX: &str = "ca/";
/// `cav/<channel>`: the channel's action version.
pub fn action_version_key(channel_id: &str) -> String {
    format!("cav/{channel_id}")
}
pub const ACTION_VERSION_PREFIX: &str = "cav/";
/// `kwignore/<thread>/<user>`: "1" when the user ignored keyword prompts
/// in the thread.
pub fn ignore_key(thread_id: &str, user_id: &str) -> String {
    format!("kwignore/{thread_id}/{user_id}")
}
pub const IGNORE_PREFIX: &str = "kwignore/";

/// The `_logs` field of a `run/<id>` record in the second layout: the live
/// entries `first..next` of each log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Span {
    pub first: u64,
    pub next: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Layout {
    pub timeline: Span,
    pub status_posts: Span,
}
