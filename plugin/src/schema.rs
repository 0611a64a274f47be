//! The plugin's SQL schema (decision 022): one row per record with the
//! columns lists filter and sort on, plus a `data` JSON document of the
//! rest (so the REST JSON stays exactly what it was), and child tables for
//! what lists, filters and stats need. Applied by [`migrate`] from the
//! `activate` hook; versions are append-only.

use crate::host::{Host, HostResult};
use crate::sql::{self, Migration};

const V1_PLAYBOOKS: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS playbooks (
        id TEXT PRIMARY KEY,
        team_id TEXT NOT NULL,
        title_lower TEXT NOT NULL,
        public BIGINT NOT NULL,
        delete_at BIGINT NOT NULL,
        num_runs BIGINT NOT NULL,
        active_runs BIGINT NOT NULL,
        last_run_at BIGINT NOT NULL,
        version BIGINT NOT NULL,
        data TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS playbooks_team ON playbooks (team_id, title_lower)",
    "CREATE TABLE IF NOT EXISTS playbook_members (
        playbook_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        PRIMARY KEY (playbook_id, user_id))",
    "CREATE INDEX IF NOT EXISTS playbook_members_user ON playbook_members (user_id, playbook_id)",
    // `run_number_prefix` is unique per team, case-insensitively (upper-cased).
    "CREATE TABLE IF NOT EXISTS playbook_prefixes (
        team_id TEXT NOT NULL,
        prefix TEXT NOT NULL,
        playbook_id TEXT NOT NULL,
        PRIMARY KEY (team_id, prefix))",
    "CREATE TABLE IF NOT EXISTS run_numbers (
        playbook_id TEXT PRIMARY KEY,
        last_number BIGINT NOT NULL)",
];

const V2_RUNS: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS runs (
        id TEXT PRIMARY KEY,
        team_id TEXT NOT NULL,
        channel_id TEXT NOT NULL,
        playbook_id TEXT NOT NULL,
        owner_user_id TEXT NOT NULL,
        current_status TEXT NOT NULL,
        name_lower TEXT NOT NULL,
        create_at BIGINT NOT NULL,
        end_at BIGINT NOT NULL,
        update_at BIGINT NOT NULL,
        last_status_update_at BIGINT NOT NULL,
        version BIGINT NOT NULL,
        data TEXT NOT NULL)",
    // Team lists in start order (the default), per status, and by end time.
    "CREATE INDEX IF NOT EXISTS runs_team_create ON runs (team_id, create_at, id)",
    "CREATE INDEX IF NOT EXISTS runs_team_status ON runs (team_id, current_status, create_at, id)",
    "CREATE INDEX IF NOT EXISTS runs_team_end ON runs (team_id, end_at)",
    "CREATE INDEX IF NOT EXISTS runs_owner ON runs (owner_user_id, current_status, create_at)",
    "CREATE INDEX IF NOT EXISTS runs_channel ON runs (channel_id, create_at)",
    "CREATE INDEX IF NOT EXISTS runs_playbook ON runs (playbook_id, current_status, end_at)",
    "CREATE INDEX IF NOT EXISTS runs_create ON runs (create_at, id)",
    "CREATE TABLE IF NOT EXISTS run_participants (
        run_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        PRIMARY KEY (run_id, user_id))",
    "CREATE INDEX IF NOT EXISTS run_participants_user ON run_participants (user_id, run_id)",
    "CREATE TABLE IF NOT EXISTS run_followers (
        run_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        PRIMARY KEY (run_id, user_id))",
    "CREATE INDEX IF NOT EXISTS run_followers_user ON run_followers (user_id, run_id)",
    // One row per timeline event, in order of `seq` (the event's position:
    // events are appended or changed in place, never inserted in front).
    "CREATE TABLE IF NOT EXISTS run_timeline (
        run_id TEXT NOT NULL,
        seq BIGINT NOT NULL,
        id TEXT NOT NULL,
        playbook_run_id TEXT NOT NULL,
        create_at BIGINT NOT NULL,
        delete_at BIGINT NOT NULL,
        event_at BIGINT NOT NULL,
        event_type TEXT NOT NULL,
        summary TEXT NOT NULL,
        details TEXT NOT NULL,
        post_id TEXT NOT NULL,
        subject_user_id TEXT NOT NULL,
        creator_user_id TEXT NOT NULL,
        PRIMARY KEY (run_id, seq))",
    "CREATE TABLE IF NOT EXISTS run_status_posts (
        run_id TEXT NOT NULL,
        seq BIGINT NOT NULL,
        post_id TEXT NOT NULL,
        create_at BIGINT NOT NULL,
        delete_at BIGINT NOT NULL,
        PRIMARY KEY (run_id, seq))",
    // Filled metric values, for the playbook dashboard's statistics.
    "CREATE TABLE IF NOT EXISTS run_metrics (
        run_id TEXT NOT NULL,
        metric_id TEXT NOT NULL,
        playbook_id TEXT NOT NULL,
        create_at BIGINT NOT NULL,
        value BIGINT NOT NULL,
        PRIMARY KEY (run_id, metric_id))",
    "CREATE INDEX IF NOT EXISTS run_metrics_playbook ON run_metrics (playbook_id, metric_id, create_at)",
];

const V3_CHANNELS: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS channel_actions (
        channel_id TEXT NOT NULL,
        id TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (channel_id, id))",
    // Bumped with every change of a channel's actions: the per-instance
    // keyword matcher cache compares it (one indexed read per post).
    "CREATE TABLE IF NOT EXISTS channel_action_versions (
        channel_id TEXT PRIMARY KEY,
        version BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS keyword_ignores (
        thread_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        PRIMARY KEY (thread_id, user_id))",
    // Progress of the one-time move of KV records into these tables.
    "CREATE TABLE IF NOT EXISTS kv_import (
        name TEXT PRIMARY KEY,
        cursor TEXT,
        done BIGINT NOT NULL)",
];

/// Every schema version, oldest first. Append only: a shipped version
/// never changes.
pub const MIGRATIONS: &[Migration<'static>] = &[(1, V1_PLAYBOOKS), (2, V2_RUNS), (3, V3_CHANNELS)];

/// Brings the database to the newest schema (a no-op when it is).
pub fn migrate<H: Host + ?Sized>(host: &H) -> HostResult<Vec<i64>> {
    sql::migrate(host, MIGRATIONS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::FakeHost;
    use crate::host::prelude::*;

    #[test]
    fn the_schema_applies_once_and_has_its_tables() {
        let host = FakeHost::bare();
        assert_eq!(migrate(&host).unwrap(), [1, 2, 3]);
        assert!(migrate(&host).unwrap().is_empty());
        for table in [
            "playbooks",
            "runs",
            "run_timeline",
            "run_metrics",
            "channel_actions",
            "keyword_ignores",
            "kv_import",
        ] {
            let n = host
                .sql_query(&format!("SELECT COUNT(*) AS n FROM {table}"), &[])
                .unwrap();
            assert_eq!(n.first().unwrap().i64("n").unwrap(), 0, "{table}");
        }
    }
}
