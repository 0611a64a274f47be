//! The embedded default backend: one SQLite database file holding the plugin
//! key-value store, the scheduled jobs and the chat entities.
//!
//! [`SqliteStore`] implements [`KvStore`](crate::KvStore),
//! [`JobStore`](crate::JobStore), [`ChatStore`](crate::ChatStore),
//! [`AuthStore`](crate::AuthStore), [`DeliveryStore`](crate::DeliveryStore) and
//! [`ReactionStore`](crate::ReactionStore).
//!
//! The plugins' own SQL databases are not in that file:
//! [`SqlitePluginDatabases`] keeps one file per plugin (see `plugin_sql`).
//!
//! # Connection settings
//!
//! * `journal_mode = WAL`: readers never block the writer and the writer never
//!   blocks readers; each read transaction sees the last commit made before it
//!   began. This is what lets the read-only pool below run beside the writer.
//!   The setting is persistent (stored in the file).
//! * `synchronous = NORMAL`: in WAL mode a commit is appended to the `-wal`
//!   file with `write(2)` before `COMMIT` returns; only checkpoints `fsync`.
//!   An acknowledged write therefore survives the process being killed
//!   (`kill -9`, panic, OOM kill) because the data is already in the kernel;
//!   only a power loss or OS crash can roll back the last few commits, and
//!   even then the database stays consistent (never corrupted). `FULL` would
//!   add an `fsync` per commit for protection we do not need.
//! * `foreign_keys = ON`: memberships, plugin bots and posts reference their
//!   users/teams/channels; SQLite only enforces that when asked, per
//!   connection. A violated reference is reported as [`StoreError::NotFound`].
//! * `busy_timeout = 5000 ms`: inside this process writes are serialised by a
//!   mutex, so `SQLITE_BUSY` can only come from another process (a backup
//!   tool, the `sqlite3` shell) or a checkpoint; waiting up to five seconds
//!   instead of failing at once makes those rare collisions invisible.
//!
//! # Concurrency
//!
//! One writer connection behind a [`Mutex`]; every write method runs in one
//! `BEGIN IMMEDIATE` transaction on it, so compare-and-set, set-if-absent,
//! atomic batches and job claims are genuinely atomic. Reads use a small pool
//! of read-only connections (one is opened when the pool is empty, at most
//! [`READER_POOL_SIZE`] idle ones are kept), each read running in one
//! transaction so multi-statement reads see a single snapshot.
//!
//! # Schema
//!
//! Versioned with `PRAGMA user_version`; see [`schema`].

mod auth;
mod chat;
mod deliveries;
mod files;
mod jobs;
mod kv;
mod plugin_sql;
mod plugin_sql_conn;
mod preferences;
mod presence;
mod reactions;
mod schema;
mod search;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, Transaction, TransactionBehavior, ffi};

use crate::ports::{StoreError, StoreResult};

pub use plugin_sql::{DEFAULT_MAX_DB_BYTES, IDLE_PER_PLUGIN, SqlitePluginDatabases};

/// `?, ?, …` for `n` parameters of an `IN (…)` list.
fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// Idle read-only connections kept for reuse.
pub const READER_POOL_SIZE: usize = 4;
/// How long a connection waits for a lock held by another process.
const BUSY_TIMEOUT: Duration = Duration::from_millis(5000);
/// Prepared statements cached per connection (there are about 80 distinct ones).
const STATEMENT_CACHE: usize = 96;

/// The SQLite store. Cheap to share behind an `Arc`; `Send + Sync`.
pub struct SqliteStore {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (creating the parent directory and the file if missing) the
    /// database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> StoreResult<SqliteStore> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| StoreError::Backend(format!("creating {}: {e}", parent.display())))?;
        }
        let mut writer = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        writer.busy_timeout(BUSY_TIMEOUT)?;
        writer.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        let mode: String =
            writer.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Backend(format!(
                "{}: cannot use WAL journal mode (got {mode})",
                path.display()
            )));
        }
        writer.pragma_update(None, "synchronous", "NORMAL")?;
        writer.pragma_update(None, "foreign_keys", "ON")?;
        schema::migrate(&mut writer)?;
        Ok(SqliteStore {
            path: path.to_path_buf(),
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::with_capacity(READER_POOL_SIZE)),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn open_reader(&self) -> StoreResult<Connection> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(conn)
    }

    /// Runs `f` in one read transaction on a pooled read-only connection.
    fn read<T>(&self, f: impl FnOnce(&Transaction<'_>) -> StoreResult<T>) -> StoreResult<T> {
        let pooled = self
            .readers
            .lock()
            .map_err(|_| poisoned("reader pool"))?
            .pop();
        let mut conn = match pooled {
            Some(conn) => conn,
            None => self.open_reader()?,
        };
        let result = run_read(&mut conn, f);
        if let Ok(mut pool) = self.readers.lock()
            && pool.len() < READER_POOL_SIZE
        {
            pool.push(conn);
        }
        result
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction on the writer, committing
    /// if it returns `Ok` and rolling back otherwise.
    fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> StoreResult<T>) -> StoreResult<T> {
        let mut conn = self.writer.lock().map_err(|_| poisoned("writer"))?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = f(&tx)?;
        tx.commit()?;
        Ok(value)
    }
}

fn run_read<T>(
    conn: &mut Connection,
    f: impl FnOnce(&Transaction<'_>) -> StoreResult<T>,
) -> StoreResult<T> {
    let tx = conn.transaction()?;
    let value = f(&tx)?;
    tx.finish()?;
    Ok(value)
}

fn poisoned(what: &str) -> StoreError {
    StoreError::Backend(format!("{what} lock poisoned by a panic"))
}

impl From<rusqlite::Error> for StoreError {
    fn from(err: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(code, message) = &err
            && code.code == ErrorCode::ConstraintViolation
        {
            match code.extended_code {
                ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                    return StoreError::Conflict(conflict_name(message.as_deref().unwrap_or("")));
                }
                ffi::SQLITE_CONSTRAINT_FOREIGNKEY => return StoreError::NotFound,
                _ => {}
            }
        }
        StoreError::Backend(err.to_string())
    }
}

/// Turns "UNIQUE constraint failed: users.username" into "username".
fn conflict_name(message: &str) -> String {
    let columns = message.rsplit(": ").next().unwrap_or(message);
    match columns {
        "users.username" => "username",
        "users.email" => "email",
        "users.id" => "user id",
        "teams.name" => "team name",
        "teams.id" => "team id",
        "channels.team_id, channels.name" => "channel name",
        "channels.id" => "channel id",
        "posts.id" => "post id",
        "plugin_bots.plugin_id" => "plugin bot",
        "plugin_bots.user_id" => "bot user",
        "commands.trigger" => "command trigger",
        "sessions.id" => "session id",
        "sessions.token_hash" => "session token",
        "access_tokens.id" => "access token id",
        "access_tokens.token_hash" => "access token",
        "incoming_webhooks.id" => "incoming webhook id",
        "reactions.post_id, reactions.user_id, reactions.emoji_name" => "reaction",
        other => other,
    }
    .to_string()
}

/// Maps a JSON column that failed to parse to a row-conversion error.
fn json_column_error(index: usize, err: serde_json::Error) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Text, Box::new(err))
}

/// Converts a `u32` page parameter to SQLite's integer type.
fn sql_int(n: u32) -> i64 {
    i64::from(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::{ChatStore, DeliveryStore, JobStore, KvStore};

    pub(super) fn temp_store() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("nested").join("chat.db")).unwrap();
        (dir, store)
    }

    /// Stores a user `name` (`name@example.com`) and returns it.
    pub(super) fn stored_user(store: &SqliteStore, name: &str) -> crate::model::User {
        let user = crate::model::User {
            id: crate::model::new_id(),
            username: name.into(),
            email: format!("{name}@example.com"),
            ..Default::default()
        };
        store.create_user(&user, None).unwrap();
        user
    }

    #[test]
    fn store_is_send_sync_and_implements_all_ports() {
        fn ports<T: KvStore + JobStore + ChatStore + DeliveryStore + Send + Sync + 'static>() {}
        ports::<SqliteStore>();
    }

    #[test]
    fn open_creates_parent_dir_and_sets_pragmas() {
        let (dir, store) = temp_store();
        assert!(dir.path().join("nested").join("chat.db").exists());
        let conn = store.writer.lock().unwrap();
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let sync: i64 = conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        assert_eq!(sync, 1, "NORMAL");
        let fk: i64 = conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
        let timeout: i64 = conn
            .query_row("PRAGMA busy_timeout", [], |r| r.get(0))
            .unwrap();
        assert_eq!(timeout, 5000);
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, schema::MIGRATIONS.len() as i64);
    }

    #[test]
    fn reopening_keeps_schema_version_and_rejects_newer_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("chat.db");
        drop(SqliteStore::open(&path).unwrap());
        drop(SqliteStore::open(&path).unwrap());
        {
            let conn = Connection::open(&path).unwrap();
            conn.pragma_update(None, "user_version", 999).unwrap();
        }
        match SqliteStore::open(&path) {
            Err(StoreError::Backend(msg)) => assert!(msg.contains("999"), "{msg}"),
            other => panic!("expected a backend error, got {other:?}"),
        }
    }

    #[test]
    fn poisoned_writer_is_a_backend_error_not_a_panic() {
        let (_dir, store) = temp_store();
        let store = std::sync::Arc::new(store);
        let clone = store.clone();
        let _ = std::thread::spawn(move || {
            let _guard = clone.writer.lock().unwrap();
            panic!("poison the writer");
        })
        .join();
        assert!(matches!(
            store.set("ns", "k", b"v"),
            Err(StoreError::Backend(_))
        ));
        // Reads do not need the writer.
        assert_eq!(store.get("ns", "k").unwrap(), None);
    }

    #[test]
    fn conflict_names_are_friendly() {
        assert_eq!(
            conflict_name("UNIQUE constraint failed: users.username"),
            "username"
        );
        assert_eq!(
            conflict_name("UNIQUE constraint failed: channels.team_id, channels.name"),
            "channel name"
        );
        assert_eq!(conflict_name("UNIQUE constraint failed: x.y"), "x.y");
    }

    const CRASH_CHILD_DB: &str = "CHAT_STORE_CRASH_CHILD_DB";

    /// Child half of [`acknowledged_writes_survive_kill_9`]: writes, reports,
    /// then waits to be killed. Does nothing when run on its own.
    #[test]
    #[ignore = "run by acknowledged_writes_survive_kill_9 in a child process"]
    fn crash_child() {
        let Some(path) = std::env::var_os(CRASH_CHILD_DB) else {
            return;
        };
        let store = SqliteStore::open(Path::new(&path)).unwrap();
        for i in 0..100 {
            store
                .set("crash", &format!("k{i:03}"), i.to_string().as_bytes())
                .unwrap();
        }
        store
            .schedule(&crate::ports::jobs::Job {
                plugin_id: "p".into(),
                key: "job".into(),
                at_ms: 7,
                payload: "x".into(),
            })
            .unwrap();
        println!("CRASH-CHILD-WROTE");
        std::thread::sleep(Duration::from_secs(120));
    }

    #[test]
    #[cfg(unix)]
    fn acknowledged_writes_survive_kill_9() {
        use std::io::BufRead;
        use std::process::{Command, Stdio};

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("crash.db");
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "sqlite::tests::crash_child",
                "--ignored",
                "--nocapture",
            ])
            .env(CRASH_CHILD_DB, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let wrote = std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .any(|line| line.contains("CRASH-CHILD-WROTE"));
        child.kill().unwrap(); // SIGKILL: no destructors, no checkpoint
        child.wait().unwrap();
        assert!(wrote, "the child did not finish writing");

        let store = SqliteStore::open(&path).unwrap();
        let page = store.list_keys("crash", "k", None, 1000).unwrap();
        assert_eq!(page.keys.len(), 100);
        assert_eq!(store.get("crash", "k099").unwrap().unwrap(), b"99");
        assert_eq!(store.next_due_at().unwrap(), Some(7));
    }
}
