//! Schema migrations, tracked with `PRAGMA user_version`.
//!
//! `user_version` is the number of entries of [`MIGRATIONS`] already applied.
//! On open, the missing ones are applied in order, all in one `IMMEDIATE`
//! transaction together with the version bump, so a crash mid-way leaves the
//! previous schema intact and two processes cannot migrate at once. Never edit
//! a released migration: append a new one. Version 4 is the last released
//! schema before reactions, search, files and presence (5–8). Upgrade tests
//! start from a named version, never from `MIGRATIONS.len() - 1`: that
//! moves when a migration is appended and silently stops testing the one
//! it was written for.

use rusqlite::{Connection, TransactionBehavior};

use crate::ports::{StoreError, StoreResult};

/// Migration `i` (0-based) brings the schema from version `i` to `i + 1`.
pub(super) const MIGRATIONS: &[&str] = &[
    MIGRATION_1,
    MIGRATION_2,
    MIGRATION_3,
    MIGRATION_4,
    MIGRATION_REACTIONS,
    MIGRATION_SEARCH,
    MIGRATION_FILES,
    MIGRATION_PRESENCE,
];

/// Version 1: everything.
const MIGRATION_1: &str = r#"
CREATE TABLE kv (
    ns    TEXT NOT NULL,
    key   TEXT NOT NULL,
    value BLOB NOT NULL,
    PRIMARY KEY (ns, key)
) WITHOUT ROWID;

CREATE TABLE jobs (
    plugin_id TEXT NOT NULL,
    key       TEXT NOT NULL,
    at_ms     INTEGER NOT NULL,
    payload   TEXT NOT NULL,
    PRIMARY KEY (plugin_id, key)
) WITHOUT ROWID;
CREATE INDEX jobs_at_ms ON jobs (at_ms);

CREATE TABLE users (
    id            TEXT PRIMARY KEY NOT NULL,
    create_at     INTEGER NOT NULL DEFAULT 0,
    update_at     INTEGER NOT NULL DEFAULT 0,
    delete_at     INTEGER NOT NULL DEFAULT 0,
    username      TEXT NOT NULL UNIQUE,
    email         TEXT NOT NULL UNIQUE,
    nickname      TEXT NOT NULL DEFAULT '',
    first_name    TEXT NOT NULL DEFAULT '',
    last_name     TEXT NOT NULL DEFAULT '',
    roles         TEXT NOT NULL DEFAULT '',
    locale        TEXT NOT NULL DEFAULT '',
    is_bot        INTEGER NOT NULL DEFAULT 0,
    password_hash TEXT
);

CREATE TABLE plugin_bots (
    plugin_id TEXT PRIMARY KEY NOT NULL,
    user_id   TEXT NOT NULL UNIQUE REFERENCES users (id)
);

CREATE TABLE teams (
    id           TEXT PRIMARY KEY NOT NULL,
    create_at    INTEGER NOT NULL DEFAULT 0,
    update_at    INTEGER NOT NULL DEFAULT 0,
    delete_at    INTEGER NOT NULL DEFAULT 0,
    display_name TEXT NOT NULL DEFAULT '',
    name         TEXT NOT NULL UNIQUE,
    description  TEXT NOT NULL DEFAULT '',
    email        TEXT NOT NULL DEFAULT '',
    type         TEXT NOT NULL DEFAULT 'O'
);

CREATE TABLE team_members (
    team_id TEXT NOT NULL REFERENCES teams (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    roles   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (team_id, user_id)
) WITHOUT ROWID;
CREATE INDEX team_members_user ON team_members (user_id);

CREATE TABLE channels (
    id              TEXT PRIMARY KEY NOT NULL,
    create_at       INTEGER NOT NULL DEFAULT 0,
    update_at       INTEGER NOT NULL DEFAULT 0,
    delete_at       INTEGER NOT NULL DEFAULT 0,
    team_id         TEXT NOT NULL DEFAULT '',
    type            TEXT NOT NULL DEFAULT 'O',
    display_name    TEXT NOT NULL DEFAULT '',
    name            TEXT NOT NULL,
    header          TEXT NOT NULL DEFAULT '',
    purpose         TEXT NOT NULL DEFAULT '',
    last_post_at    INTEGER NOT NULL DEFAULT 0,
    total_msg_count INTEGER NOT NULL DEFAULT 0,
    creator_id      TEXT NOT NULL DEFAULT '',
    UNIQUE (team_id, name)
);
CREATE INDEX channels_team_display_name ON channels (team_id, display_name);

CREATE TABLE channel_members (
    channel_id TEXT NOT NULL REFERENCES channels (id),
    user_id    TEXT NOT NULL REFERENCES users (id),
    joined_at  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (channel_id, user_id)
) WITHOUT ROWID;
CREATE INDEX channel_members_user ON channel_members (user_id);

CREATE TABLE posts (
    id              TEXT PRIMARY KEY NOT NULL,
    create_at       INTEGER NOT NULL DEFAULT 0,
    update_at       INTEGER NOT NULL DEFAULT 0,
    edit_at         INTEGER NOT NULL DEFAULT 0,
    delete_at       INTEGER NOT NULL DEFAULT 0,
    is_pinned       INTEGER NOT NULL DEFAULT 0,
    user_id         TEXT NOT NULL DEFAULT '',
    channel_id      TEXT NOT NULL REFERENCES channels (id),
    root_id         TEXT NOT NULL DEFAULT '',
    original_id     TEXT NOT NULL DEFAULT '',
    message         TEXT NOT NULL DEFAULT '',
    type            TEXT NOT NULL DEFAULT '',
    props           TEXT NOT NULL DEFAULT '{}',
    hashtags        TEXT NOT NULL DEFAULT '',
    file_ids        TEXT NOT NULL DEFAULT '[]',
    pending_post_id TEXT NOT NULL DEFAULT '',
    metadata        TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX posts_channel_create_at ON posts (channel_id, create_at);
CREATE INDEX posts_channel_update_at ON posts (channel_id, update_at);
CREATE INDEX posts_root ON posts (root_id);

CREATE TABLE commands (
    trigger            TEXT PRIMARY KEY NOT NULL,
    plugin_id          TEXT NOT NULL,
    display_name       TEXT NOT NULL DEFAULT '',
    description        TEXT NOT NULL DEFAULT '',
    auto_complete      INTEGER NOT NULL DEFAULT 0,
    auto_complete_desc TEXT NOT NULL DEFAULT '',
    auto_complete_hint TEXT NOT NULL DEFAULT '',
    autocomplete_data  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX commands_plugin ON commands (plugin_id);
"#;

/// Version 2: sessions, personal access tokens and incoming webhooks
/// ([`AuthStore`](crate::AuthStore)).
///
/// `sessions.access_token_id` is `''` for password logins, so it is not a
/// foreign key; revoking a token deletes its sessions explicitly.
const MIGRATION_2: &str = r#"
CREATE TABLE sessions (
    id               TEXT PRIMARY KEY NOT NULL,
    token_hash       TEXT NOT NULL UNIQUE,
    user_id          TEXT NOT NULL REFERENCES users (id),
    create_at        INTEGER NOT NULL DEFAULT 0,
    expires_at       INTEGER NOT NULL DEFAULT 0,
    last_activity_at INTEGER NOT NULL DEFAULT 0,
    access_token_id  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_access_token ON sessions (access_token_id);

CREATE TABLE access_tokens (
    id          TEXT PRIMARY KEY NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    user_id     TEXT NOT NULL REFERENCES users (id),
    description TEXT NOT NULL DEFAULT '',
    is_active   INTEGER NOT NULL DEFAULT 1,
    create_at   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX access_tokens_user ON access_tokens (user_id);

CREATE TABLE incoming_webhooks (
    id             TEXT PRIMARY KEY NOT NULL,
    create_at      INTEGER NOT NULL DEFAULT 0,
    update_at      INTEGER NOT NULL DEFAULT 0,
    delete_at      INTEGER NOT NULL DEFAULT 0,
    user_id        TEXT NOT NULL DEFAULT '',
    channel_id     TEXT NOT NULL REFERENCES channels (id),
    team_id        TEXT NOT NULL DEFAULT '',
    display_name   TEXT NOT NULL DEFAULT '',
    description    TEXT NOT NULL DEFAULT '',
    username       TEXT NOT NULL DEFAULT '',
    icon_url       TEXT NOT NULL DEFAULT '',
    channel_locked INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX incoming_webhooks_team_create_at ON incoming_webhooks (team_id, create_at);
"#;

/// Version 3: unread tracking on channel memberships (decision 012).
///
/// Memberships that exist before the upgrade start out read (their
/// `msg_count` is the channel's total as of now): an upgrade should not
/// make every old channel look unread.
const MIGRATION_3: &str = r#"
ALTER TABLE channel_members ADD COLUMN last_viewed_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE channel_members ADD COLUMN msg_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE channel_members ADD COLUMN mention_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE channel_members ADD COLUMN last_update_at INTEGER NOT NULL DEFAULT 0;

UPDATE channel_members SET
    msg_count = (SELECT total_msg_count FROM channels WHERE channels.id = channel_members.channel_id),
    last_viewed_at = (SELECT last_post_at FROM channels WHERE channels.id = channel_members.channel_id),
    last_update_at = joined_at;
"#;

/// Version 4: at-least-once jobs and durable outgoing webhooks (decision 016).
///
/// A job is leased (`lease_id`, `lease_until`) while its hook runs and
/// removed only after the hook succeeded; `attempts` counts the leases.
/// Outgoing webhook deliveries wait in `webhook_deliveries` until sent or
/// given up; `next_at_ms` is both the retry time and, while a delivery is
/// being sent, its lease expiry.
const MIGRATION_4: &str = r#"
ALTER TABLE jobs ADD COLUMN lease_id TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;

CREATE TABLE webhook_deliveries (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    plugin_id     TEXT NOT NULL,
    url           TEXT NOT NULL,
    body          TEXT NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_at_ms    INTEGER NOT NULL,
    created_at_ms INTEGER NOT NULL
);
CREATE INDEX webhook_deliveries_next_at ON webhook_deliveries (next_at_ms);
CREATE INDEX webhook_deliveries_plugin ON webhook_deliveries (plugin_id);
"#;

/// Emoji reactions (decision 018). One row per (post, user, emoji); the
/// primary key serves the per-post lookups. `posts.has_reactions` is kept
/// in step by the same transactions that add and remove reactions, so
/// listing posts never has to look at this table to fill the flag.
const MIGRATION_REACTIONS: &str = r#"
CREATE TABLE reactions (
    post_id    TEXT NOT NULL REFERENCES posts (id),
    user_id    TEXT NOT NULL REFERENCES users (id),
    emoji_name TEXT NOT NULL,
    create_at  INTEGER NOT NULL,
    PRIMARY KEY (post_id, user_id, emoji_name)
) WITHOUT ROWID;

ALTER TABLE posts ADD COLUMN has_reactions INTEGER NOT NULL DEFAULT 0;
"#;

/// Full-text search over posts (decision 019).
///
/// `post_search` is a contentless FTS5 index of post messages (the text
/// lives only in `posts`); `post_search_docs` maps each indexed post to its
/// FTS rowid (`doc_id`) and carries what a search filters on. Only live,
/// non-system posts are indexed; triggers on `posts` keep both tables in
/// step inside the transaction of every post write, whoever makes it.
///
/// `doc_id` orders like `create_at`: it is `create_at * 2^20` plus the next
/// free slot within that millisecond, so "newest first" is FTS5's own
/// descending rowid order and a search stops after one page instead of
/// sorting every match. (`posts` has a TEXT key and its implicit rowid may
/// change on `VACUUM`, so it cannot serve.) `create_at` is clamped to
/// `[0, 2^42)` (year 2109); should a millisecond ever hold 2^20 posts, the
/// next one takes the highest `doc_id` + 1, which is still unique.
const MIGRATION_SEARCH: &str = r#"
CREATE TABLE post_search_docs (
    doc_id     INTEGER PRIMARY KEY,
    post_id    TEXT NOT NULL UNIQUE,
    channel_id TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    create_at  INTEGER NOT NULL
);
CREATE INDEX post_search_docs_channel ON post_search_docs (channel_id);
CREATE INDEX post_search_docs_user ON post_search_docs (user_id);

CREATE VIRTUAL TABLE post_search USING fts5 (
    message,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);

CREATE TRIGGER posts_search_insert AFTER INSERT ON posts
WHEN NEW.delete_at = 0 AND substr(NEW.type, 1, 7) <> 'system_'
BEGIN
    INSERT INTO post_search_docs (doc_id, post_id, channel_id, user_id, create_at)
    SELECT CASE WHEN slot < base + 1048576 THEN slot
                ELSE (SELECT MAX(doc_id) + 1 FROM post_search_docs) END,
           NEW.id, NEW.channel_id, NEW.user_id, NEW.create_at
    FROM (SELECT base,
                 COALESCE((SELECT MAX(doc_id) + 1 FROM post_search_docs
                           WHERE doc_id BETWEEN base AND base + 1048575), base) AS slot
          FROM (SELECT MIN(MAX(NEW.create_at, 0), 4398046511103) * 1048576 AS base));
    INSERT INTO post_search (rowid, message)
    SELECT doc_id, NEW.message FROM post_search_docs WHERE post_id = NEW.id;
END;

CREATE TRIGGER posts_search_update AFTER UPDATE ON posts
WHEN OLD.message IS NOT NEW.message OR OLD.delete_at IS NOT NEW.delete_at
     OR OLD.type IS NOT NEW.type OR OLD.user_id IS NOT NEW.user_id
     OR OLD.channel_id IS NOT NEW.channel_id OR OLD.id IS NOT NEW.id
BEGIN
    DELETE FROM post_search
    WHERE rowid = (SELECT doc_id FROM post_search_docs WHERE post_id = OLD.id);
    DELETE FROM post_search_docs WHERE post_id = OLD.id;
    INSERT INTO post_search_docs (doc_id, post_id, channel_id, user_id, create_at)
    SELECT CASE WHEN slot < base + 1048576 THEN slot
                ELSE (SELECT MAX(doc_id) + 1 FROM post_search_docs) END,
           NEW.id, NEW.channel_id, NEW.user_id, NEW.create_at
    FROM (SELECT base,
                 COALESCE((SELECT MAX(doc_id) + 1 FROM post_search_docs
                           WHERE doc_id BETWEEN base AND base + 1048575), base) AS slot
          FROM (SELECT MIN(MAX(NEW.create_at, 0), 4398046511103) * 1048576 AS base))
    WHERE NEW.delete_at = 0 AND substr(NEW.type, 1, 7) <> 'system_';
    INSERT INTO post_search (rowid, message)
    SELECT doc_id, NEW.message FROM post_search_docs WHERE post_id = NEW.id;
END;

CREATE TRIGGER posts_search_delete AFTER DELETE ON posts
BEGIN
    DELETE FROM post_search
    WHERE rowid = (SELECT doc_id FROM post_search_docs WHERE post_id = OLD.id);
    DELETE FROM post_search_docs WHERE post_id = OLD.id;
END;

INSERT INTO post_search_docs (doc_id, post_id, channel_id, user_id, create_at)
SELECT MIN(MAX(create_at, 0), 4398046511103) * 1048576
           + ROW_NUMBER() OVER (PARTITION BY MIN(MAX(create_at, 0), 4398046511103) ORDER BY id)
           - 1,
       id, channel_id, user_id, create_at
FROM posts
WHERE delete_at = 0 AND substr(type, 1, 7) <> 'system_';

INSERT INTO post_search (rowid, message)
SELECT d.doc_id, p.message FROM post_search_docs AS d JOIN posts AS p ON p.id = d.post_id;
"#;

/// Uploaded files' metadata (decision 017). `post_id` is `''` until a post
/// carrying the file is created; the blob keys (`path`, `thumbnail_path`,
/// `preview_path`) point into the [`BlobStore`](crate::BlobStore).
const MIGRATION_FILES: &str = r#"
CREATE TABLE file_infos (
    id                TEXT PRIMARY KEY NOT NULL,
    creator_id        TEXT NOT NULL REFERENCES users (id),
    channel_id        TEXT NOT NULL REFERENCES channels (id),
    post_id           TEXT NOT NULL DEFAULT '',
    create_at         INTEGER NOT NULL DEFAULT 0,
    update_at         INTEGER NOT NULL DEFAULT 0,
    delete_at         INTEGER NOT NULL DEFAULT 0,
    name              TEXT NOT NULL,
    extension         TEXT NOT NULL DEFAULT '',
    size              INTEGER NOT NULL DEFAULT 0,
    mime_type         TEXT NOT NULL DEFAULT '',
    width             INTEGER NOT NULL DEFAULT 0,
    height            INTEGER NOT NULL DEFAULT 0,
    has_preview_image INTEGER NOT NULL DEFAULT 0,
    mini_preview      TEXT,
    path              TEXT NOT NULL,
    thumbnail_path    TEXT NOT NULL DEFAULT '',
    preview_path      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX file_infos_post ON file_infos (post_id);
CREATE INDEX file_infos_channel_create_at ON file_infos (channel_id, create_at);
"#;

/// Statuses and preferences (decision 020).
///
/// `user_status` holds one row per user who ever had a status; a user
/// without a row is `offline`. It is in the store, not in memory, so that
/// several nodes can share statuses. `dnd_end_time` is in seconds (as
/// Mattermost sends it), 0 for none; `prev_status` is what a timed "do not
/// disturb" returns to. The index serves the sweep that turns idle users
/// `away` and ends expired "do not disturb".
///
/// `preferences` is Mattermost's table: one value per user, category and
/// name.
const MIGRATION_PRESENCE: &str = r#"
CREATE TABLE user_status (
    user_id          TEXT PRIMARY KEY NOT NULL REFERENCES users (id),
    status           TEXT NOT NULL DEFAULT 'offline',
    manual           INTEGER NOT NULL DEFAULT 0,
    last_activity_at INTEGER NOT NULL DEFAULT 0,
    dnd_end_time     INTEGER NOT NULL DEFAULT 0,
    prev_status      TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX user_status_sweep ON user_status (status, last_activity_at);

CREATE TABLE preferences (
    user_id  TEXT NOT NULL REFERENCES users (id),
    category TEXT NOT NULL,
    name     TEXT NOT NULL,
    value    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (user_id, category, name)
) WITHOUT ROWID;
"#;

/// Applies the migrations `conn` has not seen yet.
pub(super) fn migrate(conn: &mut Connection) -> StoreResult<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version: i64 = tx.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    let applied = usize::try_from(version)
        .ok()
        .filter(|v| *v <= MIGRATIONS.len())
        .ok_or_else(|| {
            StoreError::Backend(format!(
                "database schema version {version} is not supported by this build (latest {})",
                MIGRATIONS.len()
            ))
        })?;
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (index + 1) as i64)?;
    }
    tx.commit()?;
    Ok(())
}
