//! One confined connection to a plugin's database: how it is opened and the
//! guards that keep untrusted SQL inside the file and inside the deadline.
//!
//! Layers, outermost first:
//! * the file is named by the host from a validated plugin id and opened
//!   with `SQLITE_OPEN_NOFOLLOW` (no symlink can redirect it);
//! * `SQLITE_LIMIT_ATTACHED = 0` and `SQLITE_DBCONFIG_ENABLE_ATTACH_*` off:
//!   no second database can be opened, which also refuses `VACUUM` (it works
//!   by attaching one); `DEFENSIVE` on: no writable schema, no raw page
//!   writes; `TRUSTED_SCHEMA` off;
//! * the authorizer ([`authorize`]) allow-lists what a statement may do. The
//!   host's own pragmas run before it is installed, and the host's
//!   `BEGIN`/`COMMIT`/`ROLLBACK` run under [`Guards::host`];
//! * the progress handler interrupts a statement once the deadline passed;
//! * `max_page_count` caps the file size, and limits cap SQL length, value
//!   length and parameter count.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rusqlite::config::DbConfig;
use rusqlite::hooks::{AuthAction, AuthContext, Authorization};
use rusqlite::limits::Limit;
use rusqlite::{Connection, ErrorCode, OpenFlags};

use crate::ports::plugin_sql::{INTERRUPTED, MAX_PARAM_BYTES, MAX_PARAMS, MAX_SQL_BYTES};
use crate::ports::{StoreError, StoreResult};

/// VM instructions between two deadline checks (a check is one clock read).
const PROGRESS_STEPS: i32 = 1000;
/// Longest string or blob a statement may build or store. Above the largest
/// parameter a call can carry, so any value a plugin sends can be stored.
const MAX_VALUE_BYTES: i32 = 2 * MAX_PARAM_BYTES as i32;
/// Prepared statements cached per connection.
const STATEMENT_CACHE: usize = 64;
/// Upper bound on waiting for another process's lock, deadline permitting.
const MAX_BUSY_WAIT: Duration = Duration::from_secs(5);
/// SQL functions a plugin may not call even though SQLite has them.
/// (The `rtree*` ones are debugging aids that parse raw node blobs.)
const REFUSED_FUNCTIONS: &[&str] = &[
    "load_extension",
    "fts3_tokenizer",
    "rtreecheck",
    "rtreenode",
    "rtreedepth",
];

/// State shared between a connection and its hooks (which must be
/// `'static`, so they cannot borrow the call's budget).
pub(super) struct Guards {
    /// Reference point of `deadline_ns` (an `Instant` is not atomic).
    base: Instant,
    deadline_ns: AtomicU64,
    /// Set while the host runs its own statements (transaction control).
    host: AtomicBool,
    /// Why the authorizer last refused, for the error message.
    denied: Mutex<Option<String>>,
}

impl Guards {
    fn new() -> Guards {
        Guards {
            base: Instant::now(),
            deadline_ns: AtomicU64::new(u64::MAX),
            host: AtomicBool::new(false),
            denied: Mutex::new(None),
        }
    }

    /// Arms the guards for one call.
    pub(super) fn start_call(&self, deadline: Instant) {
        let ns = deadline.saturating_duration_since(self.base).as_nanos();
        self.deadline_ns
            .store(u64::try_from(ns).unwrap_or(u64::MAX), Ordering::Relaxed);
        if let Ok(mut denied) = self.denied.lock() {
            *denied = None;
        }
    }

    pub(super) fn expired(&self) -> bool {
        let now = u64::try_from(self.base.elapsed().as_nanos()).unwrap_or(u64::MAX);
        now >= self.deadline_ns.load(Ordering::Relaxed)
    }

    /// Runs host SQL (transaction control) past the authorizer and the
    /// deadline: a `ROLLBACK` must work even after the deadline passed.
    ///
    /// Never through the statement cache: the cache is keyed by SQL text, so
    /// a plugin sending the same text would get the host's authorized
    /// statement without passing the authorizer.
    pub(super) fn host(&self, conn: &Connection, sql: &str) -> rusqlite::Result<()> {
        self.host.store(true, Ordering::Relaxed);
        let result = conn.execute_batch(sql);
        self.host.store(false, Ordering::Relaxed);
        result
    }

    fn take_denied(&self) -> Option<String> {
        self.denied.lock().ok().and_then(|mut d| d.take())
    }
}

/// An open, confined connection.
pub(super) struct PluginConn {
    pub(super) conn: Connection,
    pub(super) guards: Arc<Guards>,
    /// The size cap, for the "database full" message.
    max_db_bytes: u64,
}

impl PluginConn {
    /// Opens (creating if missing) the database at `path`, sets the host's
    /// pragmas, then installs the limits and hooks.
    pub(super) fn open(path: &Path, max_db_bytes: u64) -> StoreResult<PluginConn> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_NOFOLLOW,
        )
        .map_err(opening)?;
        configure(&conn, max_db_bytes).map_err(opening)?;
        let guards = Arc::new(Guards::new());
        let progress = guards.clone();
        conn.progress_handler(
            PROGRESS_STEPS,
            Some(move || !progress.host.load(Ordering::Relaxed) && progress.expired()),
        );
        let auth = guards.clone();
        conn.authorizer(Some(move |ctx: AuthContext<'_>| {
            if auth.host.load(Ordering::Relaxed) {
                return Authorization::Allow;
            }
            match authorize(&ctx) {
                Ok(()) => Authorization::Allow,
                Err(reason) => {
                    if let Ok(mut denied) = auth.denied.lock() {
                        *denied = Some(reason);
                    }
                    Authorization::Deny
                }
            }
        }));
        Ok(PluginConn {
            conn,
            guards,
            max_db_bytes,
        })
    }

    /// Bounds waiting for another process's lock by the deadline.
    pub(super) fn start_call(&self, deadline: Instant) -> StoreResult<()> {
        self.guards.start_call(deadline);
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(StoreError::Backend(INTERRUPTED.into()));
        }
        self.conn
            .busy_timeout(left.min(MAX_BUSY_WAIT))
            .map_err(|e| StoreError::Backend(e.to_string()))
    }

    /// Maps a failure of plugin SQL to the port's errors.
    pub(super) fn error(&self, err: rusqlite::Error) -> StoreError {
        let max_db_bytes = self.max_db_bytes;
        let (code, message) = match &err {
            rusqlite::Error::SqliteFailure(code, message) => {
                (*code, message.clone().unwrap_or_else(|| code.to_string()))
            }
            rusqlite::Error::SqlInputError {
                error, msg, offset, ..
            } => (*error, format!("{msg} (at byte {offset})")),
            rusqlite::Error::MultipleStatement => {
                return StoreError::Invalid(
                    "sql: one statement per call; use transaction for several".into(),
                );
            }
            rusqlite::Error::NulError(_) => {
                return StoreError::Invalid("sql: contains a NUL character".into());
            }
            rusqlite::Error::InvalidParameterName(_)
            | rusqlite::Error::InvalidParameterCount(..) => {
                return StoreError::Invalid(format!("params: {err}"));
            }
            _ => return StoreError::Backend(err.to_string()),
        };
        // A refusal of the authorizer surfaces under several codes
        // ("not authorized to use function" is a plain SQLITE_ERROR).
        if let Some(reason) = self.guards.take_denied() {
            return StoreError::Invalid(format!("sql: {reason}"));
        }
        // Writes run in the host's transaction, where SQLite refuses VACUUM
        // before the authorizer sees its ATTACH.
        if message.starts_with("cannot VACUUM") {
            return StoreError::Invalid("sql: VACUUM is not allowed".into());
        }
        match code.code {
            ErrorCode::ConstraintViolation => StoreError::Conflict(message),
            ErrorCode::OperationInterrupted => StoreError::Backend(INTERRUPTED.into()),
            ErrorCode::AuthorizationForStatementDenied => {
                StoreError::Invalid(format!("sql: {message}"))
            }
            ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked if self.guards.expired() => {
                StoreError::Backend(INTERRUPTED.into())
            }
            ErrorCode::DiskFull => StoreError::Invalid(format!(
                "database: full (a plugin database may hold at most {max_db_bytes} bytes)"
            )),
            ErrorCode::Unknown
            | ErrorCode::TooBig
            | ErrorCode::TypeMismatch
            | ErrorCode::ParameterOutOfRange
            | ErrorCode::ApiMisuse => StoreError::Invalid(message),
            _ => StoreError::Backend(message),
        }
    }
}

/// The plugin sees this message, so it names no host path.
fn opening(err: rusqlite::Error) -> StoreError {
    StoreError::Backend(format!("opening the plugin database: {err}"))
}

/// The host's settings; runs before the authorizer exists.
fn configure(conn: &Connection, max_db_bytes: u64) -> rusqlite::Result<()> {
    conn.busy_timeout(MAX_BUSY_WAIT)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    // WAL: readers (other instances of the plugin) never block the writer.
    let mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
            Some(format!("cannot use WAL journal mode (got {mode})")),
        ));
    }
    // Same durability as the host's own store (see `sqlite` module docs).
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    let page_size: i64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
    let pages = max_db_bytes / u64::try_from(page_size.max(512)).unwrap_or(4096);
    conn.pragma_update(
        None,
        "max_page_count",
        i64::try_from(pages.max(1)).unwrap_or(i64::MAX),
    )?;

    for (option, on) in [
        (DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true),
        (DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false),
        (DbConfig::SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER, false),
        (DbConfig::SQLITE_DBCONFIG_ENABLE_ATTACH_CREATE, false),
        (DbConfig::SQLITE_DBCONFIG_ENABLE_ATTACH_WRITE, false),
    ] {
        conn.set_db_config(option, on)?;
    }
    conn.set_limit(Limit::SQLITE_LIMIT_ATTACHED, 0)?;
    conn.set_limit(
        Limit::SQLITE_LIMIT_SQL_LENGTH,
        i32::try_from(MAX_SQL_BYTES).unwrap_or(i32::MAX),
    )?;
    conn.set_limit(Limit::SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)?;
    conn.set_limit(
        Limit::SQLITE_LIMIT_VARIABLE_NUMBER,
        i32::try_from(MAX_PARAMS).unwrap_or(i32::MAX),
    )?;
    Ok(())
}

/// The allow-list. Called while a statement is prepared (and re-prepared
/// after a schema change), for every action it would take.
fn authorize(ctx: &AuthContext<'_>) -> Result<(), String> {
    // Only `main` and `temp` exist (nothing can be attached). `temp` must
    // stay empty: temporary objects would outlive the call on a pooled
    // connection and be seen by whichever call gets it next. SQLite itself
    // reads and rewrites `temp`'s (empty) schema, e.g. on ALTER TABLE, so
    // reads and schema-table writes pass (a plugin writing a schema table
    // directly is refused by SQLite and by `DEFENSIVE`).
    match ctx.database_name {
        None | Some("main") => {}
        Some("temp")
            if matches!(
                ctx.action,
                AuthAction::Read { .. }
                    | AuthAction::Insert {
                        table_name: "sqlite_temp_master"
                    }
                    | AuthAction::Update {
                        table_name: "sqlite_temp_master",
                        ..
                    }
                    | AuthAction::Delete {
                        table_name: "sqlite_temp_master"
                    }
            ) => {}
        Some("temp") => return Err("temporary objects are not allowed".into()),
        Some(db) => {
            return Err(format!(
                "only the plugin's own database is available (not {db})"
            ));
        }
    }
    match ctx.action {
        AuthAction::Select
        | AuthAction::Recursive
        | AuthAction::Read { .. }
        | AuthAction::Insert { .. }
        | AuthAction::Update { .. }
        | AuthAction::Delete { .. }
        | AuthAction::CreateTable { .. }
        | AuthAction::CreateIndex { .. }
        | AuthAction::CreateView { .. }
        | AuthAction::CreateTrigger { .. }
        | AuthAction::DropTable { .. }
        | AuthAction::DropIndex { .. }
        | AuthAction::DropView { .. }
        | AuthAction::DropTrigger { .. }
        | AuthAction::Reindex { .. }
        | AuthAction::Analyze { .. } => Ok(()),
        AuthAction::AlterTable {
            database_name: "main",
            ..
        } => Ok(()),
        AuthAction::Function { function_name } => {
            if REFUSED_FUNCTIONS
                .iter()
                .any(|f| f.eq_ignore_ascii_case(function_name))
            {
                Err(format!("function {function_name}() is not allowed"))
            } else {
                Ok(())
            }
        }
        AuthAction::Transaction { .. } | AuthAction::Savepoint { .. } => Err(
            "transaction control is the host's: use the transaction call for several statements"
                .into(),
        ),
        AuthAction::Pragma { pragma_name, .. } => {
            Err(format!("PRAGMA {pragma_name} is not allowed"))
        }
        AuthAction::Attach { .. } | AuthAction::Detach { .. } => {
            Err("ATTACH and DETACH are not allowed".into())
        }
        AuthAction::CreateTempTable { .. }
        | AuthAction::CreateTempIndex { .. }
        | AuthAction::CreateTempView { .. }
        | AuthAction::CreateTempTrigger { .. }
        | AuthAction::DropTempTable { .. }
        | AuthAction::DropTempIndex { .. }
        | AuthAction::DropTempView { .. }
        | AuthAction::DropTempTrigger { .. } => Err("temporary objects are not allowed".into()),
        AuthAction::CreateVtable { .. } | AuthAction::DropVtable { .. } => {
            Err("virtual tables are not allowed".into())
        }
        _ => Err("this statement is not allowed".into()),
    }
}
