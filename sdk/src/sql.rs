//! A plugin's side of the host's `sql` capability (contract
//! `chatops:plugin@0.2.0`): values, statements, result rows, typed helpers,
//! and the migration runner.
//!
//! The SQL the plugin writes stays within the portable subset the host
//! accepts on SQLite and PostgreSQL alike: `$N` placeholders, BIGINT /
//! DOUBLE PRECISION / TEXT / BYTEA columns, `ON CONFLICT`, `RETURNING`,
//! `LIMIT`/`OFFSET`, no SQLite-only functions. Transaction control is the
//! host's: several statements that must apply together go through
//! [`Host::sql_transaction`].

use std::collections::HashMap;

use crate::host::{Host, HostError, HostResult};

/// A parameter or column value (the WIT `value` variant). Booleans travel
/// as integers 0/1.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl SqlValue {
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            SqlValue::Integer(i) => Some(*i),
            // PostgreSQL may answer aggregates as reals; integral ones are
            // taken as integers.
            SqlValue::Real(f) if f.fract() == 0.0 => Some(*f as i64),
            SqlValue::Text(t) => t.parse().ok(),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            SqlValue::Text(t) => Some(t),
            _ => None,
        }
    }
}

impl From<i64> for SqlValue {
    fn from(v: i64) -> Self {
        SqlValue::Integer(v)
    }
}
impl From<i32> for SqlValue {
    fn from(v: i32) -> Self {
        SqlValue::Integer(i64::from(v))
    }
}
impl From<u64> for SqlValue {
    fn from(v: u64) -> Self {
        SqlValue::Integer(i64::try_from(v).unwrap_or(i64::MAX))
    }
}
impl From<usize> for SqlValue {
    fn from(v: usize) -> Self {
        SqlValue::Integer(i64::try_from(v).unwrap_or(i64::MAX))
    }
}
impl From<bool> for SqlValue {
    fn from(v: bool) -> Self {
        SqlValue::Integer(i64::from(v))
    }
}
impl From<f64> for SqlValue {
    fn from(v: f64) -> Self {
        SqlValue::Real(v)
    }
}
impl From<&str> for SqlValue {
    fn from(v: &str) -> Self {
        SqlValue::Text(v.to_owned())
    }
}
impl From<String> for SqlValue {
    fn from(v: String) -> Self {
        SqlValue::Text(v)
    }
}
impl From<&String> for SqlValue {
    fn from(v: &String) -> Self {
        SqlValue::Text(v.clone())
    }
}
impl From<Vec<u8>> for SqlValue {
    fn from(v: Vec<u8>) -> Self {
        SqlValue::Blob(v)
    }
}
impl<T: Into<SqlValue>> From<Option<T>> for SqlValue {
    fn from(v: Option<T>) -> Self {
        v.map_or(SqlValue::Null, Into::into)
    }
}

/// Most statements one `transaction` call takes (the host refuses more).
pub const MAX_STATEMENTS: usize = 1000;
/// Most parameters one statement takes.
pub const MAX_PARAMS_PER_STATEMENT: usize = 1000;

/// One statement of a transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub sql: String,
    pub params: Vec<SqlValue>,
    /// When set, the statement must change exactly this many rows or the
    /// whole transaction rolls back with [`HostError::Conflict`].
    pub expect_changes: Option<u64>,
}

impl Statement {
    pub fn new(sql: impl Into<String>, params: Vec<SqlValue>) -> Self {
        Statement {
            sql: sql.into(),
            params,
            expect_changes: None,
        }
    }

    /// The statement, required to change exactly `n` rows.
    pub fn expect(mut self, n: u64) -> Self {
        self.expect_changes = Some(n);
        self
    }
}

/// A row's values taken in column order and moved out, not copied: for
/// decoding many rows (a long log) without a copy of every string. A
/// missing or NULL value reads as empty / 0, as [`Row`] reads them.
pub struct Taken(std::vec::IntoIter<SqlValue>);

impl Taken {
    pub fn new(values: Vec<SqlValue>) -> Self {
        Taken(values.into_iter())
    }

    /// The next value as text (an integer as its digits).
    pub fn text(&mut self) -> String {
        match self.0.next() {
            Some(SqlValue::Text(t)) => t,
            Some(SqlValue::Integer(i)) => i.to_string(),
            _ => String::new(),
        }
    }

    /// The next value as an integer.
    pub fn i64(&mut self) -> i64 {
        self.0.next().and_then(|v| v.as_i64()).unwrap_or(0)
    }

    /// Skips the next value.
    pub fn skip(&mut self) {
        self.0.next();
    }
}

/// `vec![a.into(), b.into(), …]` for statement parameters.
#[macro_export]
macro_rules! params {
    ($($v:expr),* $(,)?) => {{
        // Owned (statements keep their parameters); also passed as slices.
        #[allow(clippy::useless_vec)]
        let params: Vec<$crate::sql::SqlValue> = vec![$($crate::sql::SqlValue::from($v)),*];
        params
    }};
}

/// A query's result.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Rows {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<SqlValue>>,
}

impl Rows {
    /// The rows with their values reachable by column name.
    pub fn iter(&self) -> impl Iterator<Item = Row<'_>> {
        let index: HashMap<&str, usize> = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| (c.as_str(), i))
            .collect();
        let index = std::rc::Rc::new(index);
        self.rows.iter().map(move |values| Row {
            index: index.clone(),
            values,
        })
    }

    pub fn first(&self) -> Option<Row<'_>> {
        self.iter().next()
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// One result row.
pub struct Row<'a> {
    index: std::rc::Rc<HashMap<&'a str, usize>>,
    values: &'a [SqlValue],
}

impl Row<'_> {
    pub fn get(&self, column: &str) -> HostResult<&SqlValue> {
        self.index
            .get(column)
            .and_then(|i| self.values.get(*i))
            .ok_or_else(|| HostError::Other(format!("sql: no column {column}")))
    }

    /// An integer column; NULL reads as 0.
    pub fn i64(&self, column: &str) -> HostResult<i64> {
        match self.get(column)? {
            SqlValue::Null => Ok(0),
            v => v
                .as_i64()
                .ok_or_else(|| HostError::Other(format!("sql: {column} is not an integer"))),
        }
    }

    /// A text column; NULL reads as "".
    pub fn text(&self, column: &str) -> HostResult<String> {
        match self.get(column)? {
            SqlValue::Null => Ok(String::new()),
            SqlValue::Text(t) => Ok(t.clone()),
            SqlValue::Integer(i) => Ok(i.to_string()),
            _ => Err(HostError::Other(format!("sql: {column} is not text"))),
        }
    }

    /// A text column borrowed (no copy); NULL and non-text read as "".
    pub fn str(&self, column: &str) -> HostResult<&str> {
        Ok(self.get(column)?.as_str().unwrap_or(""))
    }

    /// A text column; NULL reads as `None`.
    pub fn opt_text(&self, column: &str) -> HostResult<Option<String>> {
        match self.get(column)? {
            SqlValue::Null => Ok(None),
            _ => self.text(column).map(Some),
        }
    }

    pub fn opt_i64(&self, column: &str) -> HostResult<Option<i64>> {
        match self.get(column)? {
            SqlValue::Null => Ok(None),
            v => Ok(v.as_i64()),
        }
    }
}

/// `$first, $first+1, …` for `n` values: the placeholders of an `IN` list.
pub fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `INSERT INTO table (columns) VALUES (…), (…) <tail>` for `rows`, as few
/// statements as [`MAX_PARAMS`] allows: a thousand members or participants
/// stay a handful of statements, well within [`MAX_STATEMENTS`] per
/// transaction. `tail` is e.g. `ON CONFLICT (a, b) DO NOTHING`.
pub fn insert_rows(
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<SqlValue>>,
    tail: &str,
) -> Vec<Statement> {
    let width = columns.len().max(1);
    let per_statement = (MAX_PARAMS / width).max(1);
    let mut out = Vec::new();
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let mut params = Vec::new();
        let mut tuples = Vec::new();
        for row in rows.by_ref().take(per_statement) {
            tuples.push(format!("({})", placeholders(params.len() + 1, width)));
            params.extend(row);
        }
        out.push(Statement::new(
            format!(
                "INSERT INTO {table} ({}) VALUES {} {tail}",
                columns.join(", "),
                tuples.join(", ")
            ),
            params,
        ));
    }
    out
}

/// The most parameters one statement gets (the host's databases allow more;
/// staying far below keeps statements small).
pub const MAX_PARAMS: usize = 900;

/// A `LIKE` pattern matching `term` anywhere, with `%`, `_` and the escape
/// character itself escaped (use with `ESCAPE '\'`).
pub fn contains_pattern(term: &str) -> String {
    let mut out = String::with_capacity(term.len() + 2);
    out.push('%');
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// One schema version: the statements that take the database to it.
pub type Migration<'a> = (i64, &'a [&'a str]);

/// Applies the `migrations` not applied yet, in order of version, each in
/// one transaction that also records it in `schema_migrations`, so a
/// version is applied whole or not at all, and exactly once (a second
/// instance racing the same version fails on the primary key and its
/// transaction rolls back). Returns the versions applied now.
pub fn migrate<H: Host + ?Sized>(host: &H, migrations: &[Migration<'_>]) -> HostResult<Vec<i64>> {
    host.sql_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations \
         (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
        &[],
    )?;
    let applied: Vec<i64> = host
        .sql_query("SELECT version FROM schema_migrations", &[])?
        .iter()
        .map(|r| r.i64("version"))
        .collect::<HostResult<_>>()?;
    let mut todo: Vec<&Migration<'_>> = migrations
        .iter()
        .filter(|(v, _)| !applied.contains(v))
        .collect();
    todo.sort_by_key(|(v, _)| *v);
    let mut done = Vec::new();
    for (version, statements) in todo {
        let mut batch: Vec<Statement> = statements
            .iter()
            .map(|s| Statement::new(*s, Vec::new()))
            .collect();
        batch.push(Statement::new(
            "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
            params![*version, host.now_ms()],
        ));
        match host.sql_transaction(&batch) {
            Ok(_) => done.push(*version),
            // Another instance applied it meanwhile.
            Err(HostError::Conflict) => {}
            Err(e) => {
                return Err(match e {
                    HostError::InvalidInput(m) => {
                        HostError::InvalidInput(format!("migration {version}: {m}"))
                    }
                    e => e,
                });
            }
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::prelude::*;
    use crate::testing::{FakeHost, NoSchema};

    #[test]
    fn the_runner_applies_each_version_once_in_order() {
        let host = FakeHost::<NoSchema>::bare();
        let v1: &[&str] = &["CREATE TABLE a (x BIGINT)"];
        let v2: &[&str] = &["CREATE TABLE b (y TEXT)", "INSERT INTO b (y) VALUES ('hi')"];
        assert_eq!(migrate(&host, &[(2, v2), (1, v1)]).unwrap(), [1, 2]);
        assert_eq!(
            migrate(&host, &[(1, v1), (2, v2)]).unwrap(),
            Vec::<i64>::new()
        );
        let rows = host.sql_query("SELECT y FROM b", &[]).unwrap();
        assert_eq!(rows.len(), 1, "version 2 ran once");
        let versions = host
            .sql_query(
                "SELECT version FROM schema_migrations ORDER BY version",
                &[],
            )
            .unwrap();
        assert_eq!(
            versions.rows,
            [[SqlValue::Integer(1)], [SqlValue::Integer(2)]]
        );
    }

    #[test]
    fn a_failing_version_leaves_nothing_behind() {
        let host = FakeHost::<NoSchema>::bare();
        let bad: &[&str] = &["CREATE TABLE c (x BIGINT)", "CREATE TABLE oops ("];
        let err = migrate(&host, &[(1, bad)]).unwrap_err();
        assert!(matches!(&err, HostError::InvalidInput(m) if m.starts_with("migration 1")));
        assert!(
            host.sql_query("SELECT x FROM c", &[]).is_err(),
            "rolled back"
        );
        let good: &[&str] = &["CREATE TABLE c (x BIGINT)"];
        assert_eq!(migrate(&host, &[(1, good)]).unwrap(), [1]);
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(contains_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
        assert_eq!(placeholders(3, 3), "$3, $4, $5");
    }
}
