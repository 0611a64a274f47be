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

/// Run lists fast for every viewer (issue 13; `plugin/src/runs/query.rs`).
/// A member's visibility is two branches: runs of viewable playbooks
/// (`team_id, playbook_id` ranges) and runs taken part in (now answered by
/// `run_participants` alone: it carries the run's never-changing `team_id`,
/// `playbook_id` and `create_at`). The ordered team indexes carry
/// `playbook_id` (and the start-order one `name_lower`) so a page or a count
/// checks visibility and the filter in the index, without reading rows.
const V4_LIST_INDEXES: &[&str] = &[
    "ALTER TABLE run_participants ADD COLUMN team_id TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE run_participants ADD COLUMN playbook_id TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE run_participants ADD COLUMN create_at BIGINT NOT NULL DEFAULT 0",
    "UPDATE run_participants SET
        team_id = COALESCE((SELECT r.team_id FROM runs r WHERE r.id = run_participants.run_id), ''),
        playbook_id = COALESCE((SELECT r.playbook_id FROM runs r WHERE r.id = run_participants.run_id), ''),
        create_at = COALESCE((SELECT r.create_at FROM runs r WHERE r.id = run_participants.run_id), 0)",
    "CREATE INDEX IF NOT EXISTS run_participants_viewer
        ON run_participants (user_id, team_id, create_at, run_id, playbook_id)",
    "CREATE INDEX IF NOT EXISTS runs_team_playbook ON runs (team_id, playbook_id, create_at, id)",
    // Supersede the team indexes of v2 with ones that carry `playbook_id`.
    "DROP INDEX IF EXISTS runs_team_create",
    // `LIKE '%term%'` can use no index: a search scans this index of the
    // team's runs in page order, names included, instead of the rows.
    "CREATE INDEX IF NOT EXISTS runs_team_create_pb
        ON runs (team_id, create_at, id, playbook_id, name_lower)",
    "DROP INDEX IF EXISTS runs_team_status",
    "CREATE INDEX IF NOT EXISTS runs_team_status_pb
        ON runs (team_id, current_status, create_at, id, playbook_id)",
    // `/stats/playbook` from the index alone: durations need `create_at`,
    // active participants the run `id`.
    "DROP INDEX IF EXISTS runs_playbook",
    "CREATE INDEX IF NOT EXISTS runs_playbook_stats
        ON runs (playbook_id, current_status, end_at, create_at, id)",
    // Active participants: the playbook's distinct participants, each
    // checked for one run in progress.
    "CREATE INDEX IF NOT EXISTS run_participants_playbook
        ON run_participants (playbook_id, user_id, run_id)",
    // Metric means, ranges and the last values from the index alone.
    "DROP INDEX IF EXISTS run_metrics_playbook",
    "CREATE INDEX IF NOT EXISTS run_metrics_playbook_value
        ON run_metrics (playbook_id, metric_id, create_at, value)",
    "CREATE INDEX IF NOT EXISTS runs_team_owner
        ON runs (team_id, owner_user_id, current_status, create_at, id, playbook_id)",
];

/// A change names the log entries it writes by id ([`crate::runs::logs`]):
/// finding which are stored takes an index, not a walk of the run's log.
const V5_LOG_IDS: &[&str] = &[
    "CREATE INDEX IF NOT EXISTS run_timeline_id ON run_timeline (run_id, id)",
    "CREATE INDEX IF NOT EXISTS run_status_posts_id ON run_status_posts (run_id, post_id)",
];

/// Run counts per team, playbook, owner and status, and per participant
/// (`plugin/src/runs/counts.rs`): a filtered list's `total_count` sums a few
/// rows instead of counting every matching run. Filled by the first
/// `activate` after this version (`counts::ensure`).
const V6_RUN_COUNTS: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS run_counts (
        team_id TEXT NOT NULL,
        playbook_id TEXT NOT NULL,
        owner_user_id TEXT NOT NULL,
        current_status TEXT NOT NULL,
        n BIGINT NOT NULL,
        PRIMARY KEY (team_id, playbook_id, owner_user_id, current_status))",
    "CREATE TABLE IF NOT EXISTS run_participant_counts (
        user_id TEXT NOT NULL,
        team_id TEXT NOT NULL,
        playbook_id TEXT NOT NULL,
        owner_user_id TEXT NOT NULL,
        current_status TEXT NOT NULL,
        n BIGINT NOT NULL,
        PRIMARY KEY (user_id, team_id, playbook_id, owner_user_id, current_status))",
];

/// Run name search by trigram (`plugin/src/runs/name_index.rs`): the
/// postings of a gram, within a team or across teams, by primary key.
/// Filled by `activate` (`name_index::ensure`, resumable).
const V7_NAME_GRAMS: &[&str] = &["CREATE TABLE IF NOT EXISTS run_name_grams (
        gram TEXT NOT NULL,
        g_team TEXT NOT NULL,
        g_run TEXT NOT NULL,
        PRIMARY KEY (gram, g_team, g_run))"];

/// Every schema version, oldest first. Append only: a shipped version
/// never changes.
pub const MIGRATIONS: &[Migration<'static>] = &[
    (1, V1_PLAYBOOKS),
    (2, V2_RUNS),
    (3, V3_CHANNELS),
    (4, V4_LIST_INDEXES),
    (5, V5_LOG_IDS),
    (6, V6_RUN_COUNTS),
    (7, V7_NAME_GRAMS),
];

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
        assert_eq!(migrate(&host).unwrap(), [1, 2, 3, 4, 5, 6, 7]);
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

    /// v4 fills the new `run_participants` columns of existing rows from
    /// their run (a participant row of a missing run gets blanks).
    #[test]
    fn v4_backfills_participant_identity_columns() {
        let host = FakeHost::bare();
        assert_eq!(sql::migrate(&host, &MIGRATIONS[..3]).unwrap(), [1, 2, 3]);
        host.sql_execute(
            "INSERT INTO runs (id, team_id, channel_id, playbook_id, owner_user_id, \
             current_status, name_lower, create_at, end_at, update_at, \
             last_status_update_at, version, data) \
             VALUES ('r1', 't1', 'c1', 'pb1', 'u1', 'InProgress', 'x', 42, 0, 42, 0, 1, '{}')",
            &[],
        )
        .unwrap();
        host.sql_execute(
            "INSERT INTO run_participants (run_id, user_id) VALUES ('r1', 'u1'), ('gone', 'u1')",
            &[],
        )
        .unwrap();
        assert_eq!(migrate(&host).unwrap(), [4, 5, 6, 7]);
        let rows = host
            .sql_query(
                "SELECT run_id, team_id, playbook_id, create_at FROM run_participants \
                 ORDER BY run_id",
                &[],
            )
            .unwrap();
        let got: Vec<String> = rows
            .iter()
            .map(|r| {
                format!(
                    "{} {} {} {}",
                    r.text("run_id").unwrap(),
                    r.text("team_id").unwrap(),
                    r.text("playbook_id").unwrap(),
                    r.i64("create_at").unwrap()
                )
            })
            .collect();
        assert_eq!(got, ["gone   0", "r1 t1 pb1 42"]);
    }
}
