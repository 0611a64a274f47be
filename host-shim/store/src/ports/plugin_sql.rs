//! Per-plugin SQL databases (the `sql` capability of contract 0.2).
//!
//! Each plugin gets a database of its own that nothing else can see. The SQL
//! is untrusted: a backend must confine a statement to the plugin's database,
//! stop it at the hook deadline and never hold much more result data than
//! the caller's budget. The limits on the request itself (statement count,
//! SQL length, parameters) are the same for every backend, so they are
//! checked here by [`check_statements`].
//!
//! Placeholders are PostgreSQL style (`$1`, `$2`, ..., 1-based, any order,
//! repeats allowed) so a plugin's SQL runs unchanged on SQLite and PostgreSQL.

use std::time::Instant;

use super::{StoreError, StoreResult};

/// Statements in one [`PluginDatabases::transaction`].
pub const MAX_STATEMENTS: usize = 1000;
/// Bytes of SQL text in one statement.
pub const MAX_SQL_BYTES: usize = 64 * 1024;
/// Parameters of one statement (`$1` .. `$1000`).
pub const MAX_PARAMS: usize = 1000;
/// Parameter bytes of one call, all statements together (see [`SqlValue::size`]).
pub const MAX_PARAM_BYTES: usize = 8 * 1024 * 1024;

/// The message of the error every backend returns when the deadline passes.
/// Mapped to `other("interrupted: hook deadline")` at the WIT boundary
/// ([`StoreError::Backend`] becomes `other`).
pub const INTERRUPTED: &str = "interrupted: hook deadline";

/// A parameter or column value. Booleans travel as `Integer` 0/1.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl SqlValue {
    /// Bytes charged for this value against a budget: a fixed 16 (about what
    /// the value costs the guest once lowered: tag plus payload slot) plus
    /// the text or blob length.
    pub fn size(&self) -> usize {
        VALUE_OVERHEAD
            + match self {
                SqlValue::Text(s) => s.len(),
                SqlValue::Blob(b) => b.len(),
                SqlValue::Null | SqlValue::Integer(_) | SqlValue::Real(_) => 0,
            }
    }
}

/// Fixed per-value charge of [`SqlValue::size`].
pub const VALUE_OVERHEAD: usize = 16;

/// One statement with its parameters.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SqlStatement {
    pub sql: String,
    pub params: Vec<SqlValue>,
    /// When set, the statement must change exactly this many rows or the
    /// call fails with [`StoreError::Conflict`] and nothing is applied
    /// (optimistic concurrency).
    pub expect_changes: Option<u64>,
}

impl SqlStatement {
    /// A statement without `expect_changes`.
    pub fn new(sql: impl Into<String>, params: Vec<SqlValue>) -> SqlStatement {
        SqlStatement {
            sql: sql.into(),
            params,
            expect_changes: None,
        }
    }
}

/// The result of a query: column names and the rows, in order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SqlRows {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<SqlValue>>,
}

/// What one call may spend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SqlBudget {
    /// The hook's deadline: a statement still running then is interrupted
    /// and the call fails with [`StoreError::Backend`]`(`[`INTERRUPTED`]`)`.
    pub deadline: Instant,
    /// Result size (column names and values, charged as in
    /// [`SqlValue::size`]) above which a query fails with
    /// [`StoreError::Invalid`] instead of returning.
    pub max_result_bytes: usize,
}

/// The plugins' SQL databases. `plugin_id` selects the database; backends
/// keep databases fully separate.
///
/// Errors: bad SQL, a refused statement (transaction control, PRAGMA,
/// ATTACH, ...), wrong parameters or a result over the budget are
/// [`StoreError::Invalid`]; a constraint violation or an `expect_changes`
/// mismatch is [`StoreError::Conflict`]; the deadline is
/// [`StoreError::Backend`]`(`[`INTERRUPTED`]`)`; anything else
/// [`StoreError::Backend`].
pub trait PluginDatabases: Send + Sync {
    /// One statement and its rows (a write with `RETURNING` returns rows too;
    /// a failing write applies nothing).
    fn query(
        &self,
        plugin_id: &str,
        statement: &SqlStatement,
        budget: &SqlBudget,
    ) -> StoreResult<SqlRows>;
    /// One statement; the number of rows it changed (rows it returns are
    /// dropped).
    fn execute(
        &self,
        plugin_id: &str,
        statement: &SqlStatement,
        budget: &SqlBudget,
    ) -> StoreResult<u64>;
    /// Several statements in one transaction: all apply or none. Rows
    /// changed per statement.
    fn transaction(
        &self,
        plugin_id: &str,
        statements: &[SqlStatement],
        budget: &SqlBudget,
    ) -> StoreResult<Vec<u64>>;
    /// Deletes a plugin's database for good (it is uninstalled with its
    /// data). Returns whether there was one; the next call starts empty.
    fn delete_database(&self, plugin_id: &str) -> StoreResult<bool>;
}

/// Checks the request limits every backend shares: statement count, SQL
/// length, parameter count and total parameter bytes. `single` names the
/// fields as for `query`/`execute` (`sql`, `params`); otherwise they are
/// named `statements[i].sql` and so on.
pub fn check_statements(statements: &[SqlStatement], single: bool) -> StoreResult<()> {
    if statements.len() > MAX_STATEMENTS {
        return Err(StoreError::Invalid(format!(
            "statements: at most {MAX_STATEMENTS}"
        )));
    }
    let mut param_bytes = 0usize;
    for (i, statement) in statements.iter().enumerate() {
        let field = |name: &str| {
            if single {
                name.to_string()
            } else {
                format!("statements[{i}].{name}")
            }
        };
        if statement.sql.len() > MAX_SQL_BYTES {
            return Err(StoreError::Invalid(format!(
                "{}: longer than {MAX_SQL_BYTES} bytes",
                field("sql")
            )));
        }
        if statement.sql.trim().is_empty() {
            return Err(StoreError::Invalid(format!("{}: empty", field("sql"))));
        }
        if statement.params.len() > MAX_PARAMS {
            return Err(StoreError::Invalid(format!(
                "{}: at most {MAX_PARAMS}",
                field("params")
            )));
        }
        param_bytes = statement
            .params
            .iter()
            .fold(param_bytes, |sum, v| sum.saturating_add(v.size()));
        if param_bytes > MAX_PARAM_BYTES {
            return Err(StoreError::Invalid(format!(
                "{}: more than {MAX_PARAM_BYTES} bytes of parameters in total",
                field("params")
            )));
        }
    }
    Ok(())
}

/// Parses a placeholder name: `$1` .. `$N`, no sign, no leading zero.
/// Anything else (`?`, `?3`, `:name`, `@name`, `$x`, `$01`) is `None`.
pub fn placeholder_number(name: &str) -> Option<usize> {
    let digits = name.strip_prefix('$')?;
    if digits.is_empty() || digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stmt(sql: &str, params: Vec<SqlValue>) -> SqlStatement {
        SqlStatement::new(sql, params)
    }

    fn invalid(result: StoreResult<()>) -> String {
        match result {
            Err(StoreError::Invalid(msg)) => msg,
            other => panic!("expected invalid input, got {other:?}"),
        }
    }

    #[test]
    fn limits_name_the_field() {
        let too_many = vec![stmt("SELECT 1", vec![]); MAX_STATEMENTS + 1];
        assert_eq!(
            invalid(check_statements(&too_many, false)),
            "statements: at most 1000"
        );
        assert!(check_statements(&too_many[..MAX_STATEMENTS], false).is_ok());

        let long = stmt(&"x".repeat(MAX_SQL_BYTES + 1), vec![]);
        assert_eq!(
            invalid(check_statements(std::slice::from_ref(&long), true)),
            "sql: longer than 65536 bytes"
        );
        let two = [stmt("SELECT 1", vec![]), long];
        assert_eq!(
            invalid(check_statements(&two, false)),
            "statements[1].sql: longer than 65536 bytes"
        );

        let params = stmt("SELECT 1", vec![SqlValue::Null; MAX_PARAMS + 1]);
        assert_eq!(
            invalid(check_statements(&[params], true)),
            "params: at most 1000"
        );

        assert_eq!(
            invalid(check_statements(&[stmt("  \n", vec![])], true)),
            "sql: empty"
        );
    }

    #[test]
    fn parameter_bytes_are_counted_across_statements() {
        let half = SqlValue::Blob(vec![0; MAX_PARAM_BYTES / 2]);
        let one = stmt("SELECT $1", vec![half.clone()]);
        assert!(check_statements(std::slice::from_ref(&one), true).is_ok());
        let msg = invalid(check_statements(&[one.clone(), one], false));
        assert!(
            msg.starts_with("statements[1].params: more than 8388608"),
            "{msg}"
        );
    }

    #[test]
    fn placeholder_numbers() {
        assert_eq!(placeholder_number("$1"), Some(1));
        assert_eq!(placeholder_number("$1000"), Some(1000));
        for bad in [
            "?", "?1", ":a", "@a", "$", "$0", "$01", "$a", "$1a", "$-1", "$+1",
        ] {
            assert_eq!(placeholder_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn value_sizes() {
        assert_eq!(SqlValue::Null.size(), 16);
        assert_eq!(SqlValue::Integer(7).size(), 16);
        assert_eq!(SqlValue::Text("héllo".into()).size(), 16 + 6);
        assert_eq!(SqlValue::Blob(vec![1, 2, 3]).size(), 19);
    }
}
