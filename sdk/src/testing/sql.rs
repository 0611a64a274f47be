//! The fake host's `sql` capability: a real in-memory SQLite, binding
//! `$N` parameters by name as the host does, with the host's error mapping,
//! `expect_changes` and all-or-nothing transactions. Unit tests thereby run
//! the plugin's real statements.

use std::cell::{Cell, RefCell};

use rusqlite::{Connection, ErrorCode, types::ValueRef};

use crate::host::{HostError, HostResult};
use crate::sql::{Rows, SqlValue, Statement};

/// Bytes a query result may hold (the host refuses larger results too).
const RESULT_BUDGET: usize = 64 * 1024 * 1024;

/// One plugin database, opened on first use.
pub struct SqlDb {
    conn: RefCell<Option<Connection>>,
    /// Whether the plugin's schema is applied on open (tests of the
    /// migration runner and importer start without it).
    pub bare: bool,
    /// Statements run so far (tests count round trips with it).
    pub calls: Cell<u64>,
}

impl Default for SqlDb {
    fn default() -> Self {
        SqlDb {
            conn: RefCell::new(None),
            bare: false,
            calls: Cell::new(0),
        }
    }
}

impl SqlDb {
    /// Opens the database if needed; `true` when it was opened just now
    /// (the caller then applies the schema).
    pub fn open(&self) -> HostResult<bool> {
        if self.conn.borrow().is_some() {
            return Ok(false);
        }
        let conn = Connection::open_in_memory().map_err(|e| HostError::Other(e.to_string()))?;
        *self.conn.borrow_mut() = Some(conn);
        Ok(true)
    }

    fn with<T>(&self, f: impl FnOnce(&Connection) -> HostResult<T>) -> HostResult<T> {
        self.calls.set(self.calls.get() + 1);
        let guard = self.conn.borrow();
        let conn = guard
            .as_ref()
            .ok_or_else(|| HostError::Other("sql: database not open".into()))?;
        f(conn)
    }

    pub fn query(&self, sql: &str, params: &[SqlValue]) -> HostResult<Rows> {
        self.with(|conn| run(conn, sql, params).map(|(rows, _)| rows))
    }

    pub fn execute(&self, sql: &str, params: &[SqlValue]) -> HostResult<u64> {
        self.with(|conn| run(conn, sql, params).map(|(_, changed)| changed))
    }

    pub fn transaction(&self, statements: &[Statement]) -> HostResult<Vec<u64>> {
        // The host's limits, so a test fails where the server would.
        if statements.len() > crate::sql::MAX_STATEMENTS {
            return Err(HostError::InvalidInput(format!(
                "statements: at most {}",
                crate::sql::MAX_STATEMENTS
            )));
        }
        self.with(|conn| {
            conn.execute_batch("BEGIN").map_err(map_err)?;
            let mut out = Vec::with_capacity(statements.len());
            for s in statements {
                let outcome =
                    run(conn, &s.sql, &s.params).and_then(|(_, changed)| match s.expect_changes {
                        Some(want) if want != changed => Err(HostError::Conflict),
                        _ => Ok(changed),
                    });
                match outcome {
                    Ok(changed) => out.push(changed),
                    Err(e) => {
                        conn.execute_batch("ROLLBACK").map_err(map_err)?;
                        return Err(e);
                    }
                }
            }
            conn.execute_batch("COMMIT").map_err(map_err)?;
            Ok(out)
        })
    }
}

/// Refuses what the host refuses: `?` placeholders and transaction control.
fn check(sql: &str) -> HostResult<()> {
    let mut quote: Option<char> = None;
    for c in sql.chars() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '?') => {
                return Err(HostError::InvalidInput("use $N placeholders, not ?".into()));
            }
            _ => {}
        }
    }
    let first = sql
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_uppercase();
    if matches!(
        first.as_str(),
        "BEGIN"
            | "COMMIT"
            | "END"
            | "ROLLBACK"
            | "SAVEPOINT"
            | "RELEASE"
            | "ATTACH"
            | "DETACH"
            | "PRAGMA"
            | "VACUUM"
    ) {
        return Err(HostError::InvalidInput(format!(
            "{first} is the host's business"
        )));
    }
    Ok(())
}

fn map_err(e: rusqlite::Error) -> HostError {
    match &e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == ErrorCode::ConstraintViolation => {
            HostError::Conflict
        }
        _ => HostError::InvalidInput(e.to_string()),
    }
}

fn bind_value(v: &SqlValue) -> rusqlite::types::Value {
    use rusqlite::types::Value;
    match v {
        SqlValue::Null => Value::Null,
        SqlValue::Integer(i) => Value::Integer(*i),
        SqlValue::Real(f) => Value::Real(*f),
        SqlValue::Text(t) => Value::Text(t.clone()),
        SqlValue::Blob(b) => Value::Blob(b.clone()),
    }
}

/// Runs one statement: its rows, and the rows it changed.
fn run(conn: &Connection, sql: &str, params: &[SqlValue]) -> HostResult<(Rows, u64)> {
    check(sql)?;
    if params.len() > crate::sql::MAX_PARAMS_PER_STATEMENT {
        return Err(HostError::InvalidInput(format!(
            "params: at most {}",
            crate::sql::MAX_PARAMS_PER_STATEMENT
        )));
    }
    // Cached, as the host caches them (a repeated statement is not parsed again).
    let mut stmt = conn.prepare_cached(sql).map_err(map_err)?;
    let mut used = vec![false; params.len()];
    for i in 1..=stmt.parameter_count() {
        let name = stmt.parameter_name(i).unwrap_or("");
        let n: usize = name
            .strip_prefix('$')
            .and_then(|n| n.parse().ok())
            .filter(|n| *n >= 1)
            .ok_or_else(|| HostError::InvalidInput(format!("bad placeholder {name:?}")))?;
        let value = params
            .get(n - 1)
            .ok_or_else(|| HostError::InvalidInput(format!("no parameter for {name}")))?;
        used[n - 1] = true;
        stmt.raw_bind_parameter(i, bind_value(value))
            .map_err(map_err)?;
    }
    if let Some(i) = used.iter().position(|u| !u) {
        return Err(HostError::InvalidInput(format!(
            "parameter ${} is not used",
            i + 1
        )));
    }
    let columns: Vec<String> = stmt.column_names().iter().map(|c| c.to_string()).collect();
    let before = conn.total_changes();
    let mut out = Vec::new();
    let mut size = 0usize;
    {
        let mut rows = stmt.raw_query();
        while let Some(row) = rows.next().map_err(map_err)? {
            let mut values = Vec::with_capacity(columns.len());
            for i in 0..columns.len() {
                let v = match row.get_ref(i).map_err(map_err)? {
                    ValueRef::Null => SqlValue::Null,
                    ValueRef::Integer(i) => SqlValue::Integer(i),
                    ValueRef::Real(f) => SqlValue::Real(f),
                    ValueRef::Text(t) => {
                        size += t.len();
                        SqlValue::Text(String::from_utf8_lossy(t).into_owned())
                    }
                    ValueRef::Blob(b) => {
                        size += b.len();
                        SqlValue::Blob(b.to_vec())
                    }
                };
                size += 8;
                values.push(v);
            }
            if size > RESULT_BUDGET {
                return Err(HostError::InvalidInput(format!(
                    "result: larger than {RESULT_BUDGET} bytes; page the query"
                )));
            }
            out.push(values);
        }
    }
    let changed = conn.total_changes().saturating_sub(before);
    Ok((Rows { columns, rows: out }, changed))
}

#[cfg(test)]
mod tests {
    use crate::host::HostError;
    use crate::host::prelude::*;
    use crate::params;
    use crate::sql::{SqlValue, Statement};
    use crate::testing::{FakeHost, NoSchema};

    fn host() -> FakeHost {
        let host = FakeHost::<NoSchema>::bare();
        host.sql_execute(
            "CREATE TABLE t (k TEXT PRIMARY KEY, v BIGINT NOT NULL)",
            &[],
        )
        .unwrap();
        host
    }

    #[test]
    fn params_bind_by_number_in_any_order_and_repeat() {
        let host = host();
        let n = host
            .sql_execute("INSERT INTO t (v, k) VALUES ($2, $1)", &params!["a", 7])
            .unwrap();
        assert_eq!(n, 1);
        let rows = host
            .sql_query("SELECT k, v FROM t WHERE k = $1 OR k = $1", &params!["a"])
            .unwrap();
        assert_eq!(rows.columns, ["k", "v"]);
        assert_eq!(
            rows.rows,
            [[SqlValue::Text("a".into()), SqlValue::Integer(7)]]
        );
    }

    #[test]
    fn refused_statements_and_params() {
        let host = host();
        for (sql, params) in [
            ("SELECT * FROM t WHERE k = ?", params!["a"]),
            ("SELECT * FROM t WHERE k = $2", params!["a"]),
            ("SELECT * FROM t", params!["extra"]),
            ("BEGIN", params![]),
            ("SELEC nonsense", params![]),
        ] {
            assert!(
                matches!(
                    host.sql_query(sql, &params),
                    Err(HostError::InvalidInput(_))
                ),
                "{sql}"
            );
        }
        // A `?` inside a string literal is text.
        host.sql_query("SELECT '?' AS q", &[]).unwrap();
    }

    #[test]
    fn constraint_and_expectation_failures_roll_back_everything() {
        let host = host();
        host.sql_execute("INSERT INTO t (k, v) VALUES ('a', 1)", &[])
            .unwrap();
        assert_eq!(
            host.sql_execute("INSERT INTO t (k, v) VALUES ('a', 2)", &[]),
            Err(HostError::Conflict)
        );
        let tx = [
            Statement::new("INSERT INTO t (k, v) VALUES ('b', 1)", vec![]),
            Statement::new("UPDATE t SET v = 5 WHERE k = 'a' AND v = 99", vec![]).expect(1),
        ];
        assert_eq!(host.sql_transaction(&tx), Err(HostError::Conflict));
        let count = host.sql_query("SELECT COUNT(*) AS n FROM t", &[]).unwrap();
        assert_eq!(count.first().unwrap().i64("n").unwrap(), 1, "b rolled back");
        let ok = [
            Statement::new("INSERT INTO t (k, v) VALUES ('b', 1)", vec![]),
            Statement::new("UPDATE t SET v = 5 WHERE k = 'a' AND v = 1", vec![]).expect(1),
        ];
        assert_eq!(host.sql_transaction(&ok).unwrap(), [1, 1]);
        let back = host
            .sql_query(
                "INSERT INTO t (k, v) VALUES ('c', 3) ON CONFLICT (k) DO UPDATE SET v = t.v + 1 RETURNING v",
                &[],
            )
            .unwrap();
        assert_eq!(back.first().unwrap().i64("v").unwrap(), 3);
    }
}
