//! [`PluginDatabases`] on SQLite: one database file per plugin,
//! `<dir>/<plugin id>.sqlite`, confined as described in
//! [`plugin_sql_conn`](super::plugin_sql_conn).
//!
//! # Concurrency
//!
//! A plugin runs several instances at once, so each database keeps a small
//! pool of connections (opened lazily, at most [`IDLE_PER_PLUGIN`] idle ones
//! kept). In WAL mode reads run beside each other and beside the writer.
//! Writes of one plugin are serialised in-process by a gate that waits at
//! most until the deadline, rather than by SQLite's busy handler, which
//! polls with sleeps; SQLite's busy timeout (also bounded by the deadline)
//! then only matters for other processes.
//!
//! A write runs in `BEGIN IMMEDIATE` .. `COMMIT`, also when it is a single
//! statement, so a write that fails halfway (deadline, result budget of a
//! `RETURNING`, `expect_changes`) applies nothing.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Instant;

use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use rusqlite::{CachedStatement, Statement, ToSql};

use super::plugin_sql_conn::PluginConn;
use crate::ports::plugin_sql::{
    INTERRUPTED, PluginDatabases, SqlBudget, SqlRows, SqlStatement, SqlValue, VALUE_OVERHEAD,
    check_statements, placeholder_number,
};
use crate::ports::{StoreError, StoreResult};

/// Default cap on one plugin's database file.
pub const DEFAULT_MAX_DB_BYTES: u64 = 4 << 30;
/// Idle connections kept per plugin database.
pub const IDLE_PER_PLUGIN: usize = 4;
/// Longest plugin id (as for manifests).
const MAX_ID_LEN: usize = 190;

/// The plugins' SQLite databases. `Send + Sync`; share it behind an `Arc`.
pub struct SqlitePluginDatabases {
    dir: PathBuf,
    max_db_bytes: u64,
    dbs: Mutex<HashMap<String, Arc<PluginDb>>>,
}

impl std::fmt::Debug for SqlitePluginDatabases {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlitePluginDatabases")
            .field("dir", &self.dir)
            .field("max_db_bytes", &self.max_db_bytes)
            .finish_non_exhaustive()
    }
}

/// One plugin's database: where it is, its idle connections, its writer gate.
struct PluginDb {
    path: PathBuf,
    idle: Mutex<Vec<PluginConn>>,
    gate: WriteGate,
}

impl SqlitePluginDatabases {
    /// Databases live in `dir` (created if missing), each at most
    /// `max_db_bytes` (rounded down to whole pages) large. Nothing is opened
    /// until a plugin first uses its database.
    pub fn open(dir: &Path, max_db_bytes: u64) -> StoreResult<SqlitePluginDatabases> {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Backend(format!("creating {}: {e}", dir.display())))?;
        Ok(SqlitePluginDatabases {
            dir: dir.to_path_buf(),
            max_db_bytes,
            dbs: Mutex::new(HashMap::new()),
        })
    }

    /// The file holding `plugin_id`'s database (it may not exist yet).
    pub fn path_of(&self, plugin_id: &str) -> StoreResult<PathBuf> {
        Ok(self.dir.join(file_name(plugin_id)?))
    }

    fn db(&self, plugin_id: &str) -> StoreResult<Arc<PluginDb>> {
        let path = self.path_of(plugin_id)?;
        let mut dbs = self.dbs.lock().map_err(|_| poisoned())?;
        let db = dbs.entry(plugin_id.to_string()).or_insert_with(|| {
            Arc::new(PluginDb {
                path,
                idle: Mutex::new(Vec::new()),
                gate: WriteGate::default(),
            })
        });
        Ok(db.clone())
    }

    /// Runs `f` on a pooled connection of `plugin_id`'s database, armed with
    /// the budget's deadline.
    fn with_conn<T>(
        &self,
        plugin_id: &str,
        budget: &SqlBudget,
        f: impl FnOnce(&PluginConn, &PluginDb) -> StoreResult<T>,
    ) -> StoreResult<T> {
        if Instant::now() >= budget.deadline {
            return Err(StoreError::Backend(INTERRUPTED.into()));
        }
        let db = self.db(plugin_id)?;
        let pooled = db.idle.lock().map_err(|_| poisoned())?.pop();
        let conn = match pooled {
            Some(conn) => conn,
            None => PluginConn::open(&db.path, self.max_db_bytes)?,
        };
        let result = conn
            .start_call(budget.deadline)
            .and_then(|()| f(&conn, &db));
        // A connection still inside a transaction (a failed ROLLBACK) is
        // closed, which rolls it back, rather than handed to the next call.
        if conn.conn.is_autocommit()
            && let Ok(mut idle) = db.idle.lock()
            && idle.len() < IDLE_PER_PLUGIN
        {
            idle.push(conn);
        }
        result
    }
}

impl PluginDatabases for SqlitePluginDatabases {
    fn query(
        &self,
        plugin_id: &str,
        statement: &SqlStatement,
        budget: &SqlBudget,
    ) -> StoreResult<SqlRows> {
        check_statements(std::slice::from_ref(statement), true)?;
        self.with_conn(plugin_id, budget, |conn, db| {
            let mut stmt = prepare(conn, statement)?;
            if stmt.readonly() {
                let (rows, changed) = collect(conn, &mut stmt, Some(budget.max_result_bytes))?;
                check_expected(statement, None, changed)?;
                return Ok(rows);
            }
            write(conn, db, budget.deadline, || {
                let (rows, changed) = collect(conn, &mut stmt, Some(budget.max_result_bytes))?;
                check_expected(statement, None, changed)?;
                Ok(rows)
            })
        })
    }

    fn execute(
        &self,
        plugin_id: &str,
        statement: &SqlStatement,
        budget: &SqlBudget,
    ) -> StoreResult<u64> {
        check_statements(std::slice::from_ref(statement), true)?;
        self.with_conn(plugin_id, budget, |conn, db| {
            let mut stmt = prepare(conn, statement)?;
            if stmt.readonly() {
                let (_, changed) = collect(conn, &mut stmt, None)?;
                check_expected(statement, None, changed)?;
                return Ok(changed);
            }
            write(conn, db, budget.deadline, || {
                let (_, changed) = collect(conn, &mut stmt, None)?;
                check_expected(statement, None, changed)?;
                Ok(changed)
            })
        })
    }

    fn transaction(
        &self,
        plugin_id: &str,
        statements: &[SqlStatement],
        budget: &SqlBudget,
    ) -> StoreResult<Vec<u64>> {
        check_statements(statements, false)?;
        if statements.is_empty() {
            return Ok(Vec::new());
        }
        self.with_conn(plugin_id, budget, |conn, db| {
            write(conn, db, budget.deadline, || {
                let mut changes = Vec::with_capacity(statements.len());
                for (i, statement) in statements.iter().enumerate() {
                    // Prepared inside the transaction: an earlier statement
                    // may create the table a later one uses.
                    let changed = prepare(conn, statement)
                        .and_then(|mut stmt| collect(conn, &mut stmt, None))
                        .map_err(|e| at_statement(e, i))?
                        .1;
                    check_expected(statement, Some(i), changed)?;
                    changes.push(changed);
                }
                Ok(changes)
            })
        })
    }

    /// Calls still running finish on the unlinked file.
    fn delete_database(&self, plugin_id: &str) -> StoreResult<bool> {
        let path = self.path_of(plugin_id)?;
        self.dbs.lock().map_err(|_| poisoned())?.remove(plugin_id);
        let mut existed = false;
        for suffix in ["", "-wal", "-shm"] {
            let mut file = path.clone().into_os_string();
            file.push(suffix);
            match std::fs::remove_file(&file) {
                Ok(()) => existed |= suffix.is_empty(),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(StoreError::Backend(format!(
                        "removing {}: {e}",
                        Path::new(&file).display()
                    )));
                }
            }
        }
        Ok(existed)
    }
}

/// Prepares (through the connection's cache) and binds one statement.
fn prepare<'c>(conn: &'c PluginConn, statement: &SqlStatement) -> StoreResult<CachedStatement<'c>> {
    let mut stmt = conn
        .conn
        .prepare_cached(&statement.sql)
        .map_err(|e| conn.error(e))?;
    bind(conn, &mut stmt, &statement.params)?;
    Ok(stmt)
}

/// Binds `$N` placeholders by name, so they may come in any order and
/// repeat (SQLite numbers distinct names by first appearance). Every
/// placeholder needs a value and every value a placeholder.
fn bind(conn: &PluginConn, stmt: &mut Statement<'_>, params: &[SqlValue]) -> StoreResult<()> {
    let mut used = vec![false; params.len()];
    for index in 1..=stmt.parameter_count() {
        let Some(name) = stmt.parameter_name(index) else {
            return Err(StoreError::Invalid(
                "sql: `?` placeholders are not supported; use $1, $2, ...".into(),
            ));
        };
        let Some(n) = placeholder_number(name) else {
            return Err(StoreError::Invalid(format!(
                "sql: placeholder {name} is not supported; use $1, $2, ..."
            )));
        };
        let Some(value) = params.get(n - 1) else {
            return Err(StoreError::Invalid(format!(
                "params: {name} has no value ({} given)",
                params.len()
            )));
        };
        used[n - 1] = true;
        stmt.raw_bind_parameter(index, value)
            .map_err(|e| conn.error(e))?;
    }
    if let Some(unused) = used.iter().position(|u| !u) {
        return Err(StoreError::Invalid(format!(
            "params: ${} is not used by the statement ({} given)",
            unused + 1,
            params.len()
        )));
    }
    Ok(())
}

/// Steps `stmt` to the end. With a byte budget the rows are kept (failing as
/// soon as they exceed it, before copying the value that would); without,
/// they are dropped. Returns the rows and the number of rows changed.
fn collect(
    conn: &PluginConn,
    stmt: &mut Statement<'_>,
    max_bytes: Option<usize>,
) -> StoreResult<(SqlRows, u64)> {
    let readonly = stmt.readonly();
    let before = conn.conn.total_changes();
    let mut result = SqlRows::default();
    let mut used = 0usize;
    let over = |max: usize| {
        StoreError::Invalid(format!("result: larger than {max} bytes; page the query"))
    };
    if let Some(max) = max_bytes {
        for name in stmt.column_names() {
            used = used.saturating_add(VALUE_OVERHEAD + name.len());
            if used > max {
                return Err(over(max));
            }
            result.columns.push(name.to_string());
        }
    }
    let width = stmt.column_count();
    let mut rows = stmt.raw_query();
    while let Some(row) = rows.next().map_err(|e| conn.error(e))? {
        let Some(max) = max_bytes else { continue };
        let mut values = Vec::with_capacity(width);
        for i in 0..width {
            let value = row.get_ref(i).map_err(|e| conn.error(e))?;
            let payload = match value {
                ValueRef::Text(b) | ValueRef::Blob(b) => b.len(),
                _ => 0,
            };
            used = used.saturating_add(VALUE_OVERHEAD + payload);
            if used > max {
                return Err(over(max));
            }
            values.push(to_value(value));
        }
        result.rows.push(values);
    }
    drop(rows);
    // `changes()` keeps the count of the last INSERT/UPDATE/DELETE, so a
    // statement that is none of them (DDL, SELECT) must not report it; the
    // running total only moves when rows changed.
    let changed = if readonly || conn.conn.total_changes() == before {
        0
    } else {
        conn.conn.changes()
    };
    Ok((result, changed))
}

fn to_value(value: ValueRef<'_>) -> SqlValue {
    match value {
        ValueRef::Null => SqlValue::Null,
        ValueRef::Integer(i) => SqlValue::Integer(i),
        ValueRef::Real(r) => SqlValue::Real(r),
        // SQLite does not enforce UTF-8 (`CAST(x'ff' AS TEXT)`).
        ValueRef::Text(t) => SqlValue::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => SqlValue::Blob(b.to_vec()),
    }
}

impl ToSql for SqlValue {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            SqlValue::Null => ToSqlOutput::Owned(Value::Null),
            SqlValue::Integer(i) => ToSqlOutput::Owned(Value::Integer(*i)),
            SqlValue::Real(r) => ToSqlOutput::Owned(Value::Real(*r)),
            SqlValue::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            SqlValue::Blob(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
        })
    }
}

fn check_expected(statement: &SqlStatement, index: Option<usize>, changed: u64) -> StoreResult<()> {
    match statement.expect_changes {
        Some(expected) if expected != changed => {
            let field = match index {
                Some(i) => format!("statements[{i}].expect_changes"),
                None => "expect_changes".into(),
            };
            Err(StoreError::Conflict(format!(
                "{field}: {changed} rows changed, expected {expected}"
            )))
        }
        _ => Ok(()),
    }
}

/// Names the failing statement of a transaction in its error. The deadline
/// error keeps its fixed text.
fn at_statement(err: StoreError, i: usize) -> StoreError {
    match err {
        StoreError::Invalid(msg) => StoreError::Invalid(format!("statements[{i}]: {msg}")),
        StoreError::Conflict(msg) => StoreError::Conflict(format!("statements[{i}]: {msg}")),
        other => other,
    }
}

/// Runs `f` in one `BEGIN IMMEDIATE` transaction holding the plugin's
/// writer gate; commits if it returns `Ok`, rolls back otherwise.
fn write<T>(
    conn: &PluginConn,
    db: &PluginDb,
    deadline: Instant,
    f: impl FnOnce() -> StoreResult<T>,
) -> StoreResult<T> {
    let _gate = db.gate.enter(deadline)?;
    conn.guards
        .host(&conn.conn, "BEGIN IMMEDIATE")
        .map_err(|e| conn.error(e))?;
    let result = f().and_then(|value| {
        conn.guards
            .host(&conn.conn, "COMMIT")
            .map_err(|e| conn.error(e))?;
        Ok(value)
    });
    // SQLite may already have rolled back (an interrupted write does).
    if result.is_err() && !conn.conn.is_autocommit() {
        let _ = conn.guards.host(&conn.conn, "ROLLBACK");
    }
    result
}

/// One writer per plugin database at a time, waiting at most until the
/// deadline.
#[derive(Default)]
struct WriteGate {
    held: Mutex<bool>,
    freed: Condvar,
}

struct GateGuard<'g>(&'g WriteGate);

impl WriteGate {
    fn enter(&self, deadline: Instant) -> StoreResult<GateGuard<'_>> {
        let mut held: MutexGuard<'_, bool> = self.held.lock().map_err(|_| poisoned())?;
        while *held {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(StoreError::Backend(INTERRUPTED.into()));
            }
            held = self
                .freed
                .wait_timeout(held, left)
                .map_err(|_| poisoned())?
                .0;
        }
        *held = true;
        Ok(GateGuard(self))
    }
}

impl Drop for GateGuard<'_> {
    fn drop(&mut self) {
        // A poisoned flag is still reset: the guard owner is done either way.
        let mut held = match self.0.held.lock() {
            Ok(held) => held,
            Err(poisoned) => poisoned.into_inner(),
        };
        *held = false;
        self.0.freed.notify_one();
    }
}

/// `plugin_id`'s database file name. Ids are what manifests allow (letters,
/// digits, `-`, `_`, `.`; at most 190) minus `..`, and with no path
/// separator they can only name a file directly in the directory. Upper-case
/// letters are written `^` + lower case, so two ids differing only in case
/// get different files on case-insensitive file systems too.
fn file_name(plugin_id: &str) -> StoreResult<String> {
    let valid = (1..=MAX_ID_LEN).contains(&plugin_id.len())
        && !plugin_id.contains("..")
        && plugin_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if !valid {
        return Err(StoreError::Invalid(format!(
            "plugin_id: {MAX_ID_LEN} characters at most of a-z, A-Z, 0-9, '-', '_', '.', without '..'"
        )));
    }
    let mut name = String::with_capacity(plugin_id.len() + 8);
    for c in plugin_id.chars() {
        if c.is_ascii_uppercase() {
            name.push('^');
            name.push(c.to_ascii_lowercase());
        } else {
            name.push(c);
        }
    }
    name.push_str(".sqlite");
    Ok(name)
}

fn poisoned() -> StoreError {
    StoreError::Backend("plugin database lock poisoned by a panic".into())
}

#[cfg(test)]
#[path = "plugin_sql_tests.rs"]
mod tests;
