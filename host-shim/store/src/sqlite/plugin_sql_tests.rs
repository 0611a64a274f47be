use std::sync::Arc;
use std::time::{Duration, Instant};

use super::*;
use crate::ports::plugin_sql::{MAX_STATEMENTS, SqlValue::*};

fn temp_dbs() -> (tempfile::TempDir, SqlitePluginDatabases) {
    temp_dbs_capped(DEFAULT_MAX_DB_BYTES)
}

fn temp_dbs_capped(max_db_bytes: u64) -> (tempfile::TempDir, SqlitePluginDatabases) {
    let dir = tempfile::tempdir().unwrap();
    let dbs = SqlitePluginDatabases::open(&dir.path().join("plugin-data"), max_db_bytes).unwrap();
    (dir, dbs)
}

fn budget() -> SqlBudget {
    SqlBudget {
        deadline: Instant::now() + Duration::from_secs(30),
        max_result_bytes: 1 << 20,
    }
}

fn st(sql: &str, params: Vec<SqlValue>) -> SqlStatement {
    SqlStatement::new(sql, params)
}

fn exec(dbs: &SqlitePluginDatabases, plugin: &str, sql: &str, params: Vec<SqlValue>) -> u64 {
    dbs.execute(plugin, &st(sql, params), &budget())
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn query(dbs: &SqlitePluginDatabases, plugin: &str, sql: &str, params: Vec<SqlValue>) -> SqlRows {
    dbs.query(plugin, &st(sql, params), &budget())
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn invalid<T: std::fmt::Debug>(result: StoreResult<T>) -> String {
    match result {
        Err(StoreError::Invalid(msg)) => msg,
        other => panic!("expected invalid input, got {other:?}"),
    }
}

fn conflict<T: std::fmt::Debug>(result: StoreResult<T>) -> String {
    match result {
        Err(StoreError::Conflict(msg)) => msg,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

fn count(dbs: &SqlitePluginDatabases, plugin: &str, table: &str) -> i64 {
    match query(
        dbs,
        plugin,
        &format!("SELECT count(*) FROM {table}"),
        vec![],
    )
    .rows[0][0]
    {
        Integer(n) => n,
        ref other => panic!("count: {other:?}"),
    }
}

const ITEMS: &str = "CREATE TABLE IF NOT EXISTS items (
    id TEXT PRIMARY KEY, n BIGINT NOT NULL, r DOUBLE PRECISION, t TEXT, b BYTEA,
    version BIGINT NOT NULL DEFAULT 1, CHECK (n >= 0))";

#[test]
fn values_roundtrip_and_change_counts() {
    let (_dir, dbs) = temp_dbs();
    assert_eq!(exec(&dbs, "p", ITEMS, vec![]), 0);
    let insert = "INSERT INTO items (id, n, r, t, b) VALUES ($1, $2, $3, $4, $5)";
    let one = vec![
        Text("a".into()),
        Integer(i64::MAX),
        Real(1.5),
        Text("héllo".into()),
        Blob(vec![0, 255]),
    ];
    assert_eq!(exec(&dbs, "p", insert, one), 1);
    let nulls = vec![Text("b".into()), Integer(2), Null, Null, Null];
    assert_eq!(exec(&dbs, "p", insert, nulls), 1);
    // DDL after a write reports 0, not the previous statement's count.
    assert_eq!(
        exec(
            &dbs,
            "p",
            "CREATE INDEX IF NOT EXISTS i_n ON items (n)",
            vec![]
        ),
        0
    );
    assert_eq!(exec(&dbs, "p", "SELECT * FROM items", vec![]), 0);

    let rows = query(
        &dbs,
        "p",
        "SELECT id, n, r, t, b FROM items ORDER BY id",
        vec![],
    );
    assert_eq!(rows.columns, ["id", "n", "r", "t", "b"]);
    assert_eq!(
        rows.rows,
        vec![
            vec![
                Text("a".into()),
                Integer(i64::MAX),
                Real(1.5),
                Text("héllo".into()),
                Blob(vec![0, 255])
            ],
            vec![Text("b".into()), Integer(2), Null, Null, Null],
        ]
    );
    assert_eq!(
        exec(&dbs, "p", "UPDATE items SET n = n + 1 WHERE n < 10", vec![]),
        1
    );
    assert_eq!(exec(&dbs, "p", "DELETE FROM items", vec![]), 2);
    assert_eq!(exec(&dbs, "p", "DELETE FROM items", vec![]), 0);
}

#[test]
fn portable_subset_works() {
    let (_dir, dbs) = temp_dbs();
    exec(&dbs, "p", ITEMS, vec![]);
    let upsert = "INSERT INTO items (id, n, t) VALUES ($1, $2, $3)
        ON CONFLICT (id) DO UPDATE SET n = items.n + excluded.n, version = items.version + 1
        RETURNING id, n, version";
    let first = query(
        &dbs,
        "p",
        upsert,
        vec![Text("x".into()), Integer(5), Text("Hello World".into())],
    );
    assert_eq!(
        first.rows,
        vec![vec![Text("x".into()), Integer(5), Integer(1)]]
    );
    let second = query(&dbs, "p", upsert, vec![Text("x".into()), Integer(2), Null]);
    assert_eq!(
        second.rows,
        vec![vec![Text("x".into()), Integer(7), Integer(2)]]
    );
    let ignore = "INSERT INTO items (id, n) VALUES ($1, 0) ON CONFLICT (id) DO NOTHING";
    assert_eq!(exec(&dbs, "p", ignore, vec![Text("x".into())]), 0);

    let found = query(
        &dbs,
        "p",
        "SELECT id || '!' AS tag FROM items WHERE lower(t) LIKE lower($1) LIMIT 10 OFFSET 0",
        vec![Text("%WORLD%".into())],
    );
    assert_eq!(found.columns, ["tag"]);
    assert_eq!(found.rows, vec![vec![Text("x!".into())]]);

    // Schema changes the plugin manages itself.
    exec(&dbs, "p", "ALTER TABLE items ADD COLUMN note TEXT", vec![]);
    exec(
        &dbs,
        "p",
        "CREATE VIEW IF NOT EXISTS big AS SELECT id FROM items WHERE n > 1",
        vec![],
    );
    exec(&dbs, "p", "CREATE TABLE log (what TEXT)", vec![]);
    exec(
        &dbs,
        "p",
        "CREATE TRIGGER IF NOT EXISTS t_log AFTER UPDATE ON items BEGIN INSERT INTO log VALUES (new.id); END",
        vec![],
    );
    // A trigger's own writes do not count as the statement's changes.
    assert_eq!(exec(&dbs, "p", "UPDATE items SET note = 'n'", vec![]), 1);
    assert_eq!(count(&dbs, "p", "log"), 1);
    assert_eq!(query(&dbs, "p", "SELECT id FROM big", vec![]).rows.len(), 1);
    exec(&dbs, "p", "ALTER TABLE log RENAME TO history", vec![]);
    exec(&dbs, "p", "DROP VIEW big", vec![]);
    exec(&dbs, "p", "ANALYZE", vec![]);
    // Reading its own schema is fine.
    let tables = query(
        &dbs,
        "p",
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = $1",
        vec![Text("history".into())],
    );
    assert_eq!(tables.rows.len(), 1);
}

#[test]
fn placeholders_bind_by_number_in_any_order() {
    let (_dir, dbs) = temp_dbs();
    let rows = query(
        &dbs,
        "p",
        "SELECT $2 AS b, $1 AS a, $2 + $1 AS sum",
        vec![Integer(1), Integer(10)],
    );
    assert_eq!(rows.rows, vec![vec![Integer(10), Integer(1), Integer(11)]]);

    for (sql, needle) in [
        ("SELECT ?", "`?` placeholders"),
        ("SELECT ?1", "?1"),
        ("SELECT :a", ":a"),
        ("SELECT @a", "@a"),
        ("SELECT $a", "$a"),
        ("SELECT $01", "$01"),
    ] {
        let msg = invalid(dbs.query("p", &st(sql, vec![Integer(1)]), &budget()));
        assert!(msg.contains(needle), "{sql}: {msg}");
    }
    let msg = invalid(dbs.query("p", &st("SELECT $1, $2", vec![Integer(1)]), &budget()));
    assert!(msg.starts_with("params: $2 has no value"), "{msg}");
    let msg = invalid(dbs.query(
        "p",
        &st("SELECT $1", vec![Integer(1), Integer(2)]),
        &budget(),
    ));
    assert!(msg.starts_with("params: $2 is not used"), "{msg}");
    let msg = invalid(dbs.query("p", &st("SELECT $1, $3", vec![Null, Null, Null]), &budget()));
    assert!(msg.starts_with("params: $2 is not used"), "{msg}");
    // The cached statement keeps no stale binding.
    let rows = query(&dbs, "p", "SELECT $1", vec![Text("again".into())]);
    assert_eq!(rows.rows, vec![vec![Text("again".into())]]);
}

#[test]
fn refused_statements_are_invalid_and_touch_nothing_outside() {
    let (dir, dbs) = temp_dbs();
    exec(&dbs, "p", ITEMS, vec![]);
    let outside = dir.path().join("outside.db");
    let outside_sql = outside.display().to_string().replace('\'', "''");
    let cases = [
        format!("VACUUM INTO '{outside_sql}'"),
        "VACUUM".to_string(),
        format!("ATTACH DATABASE '{outside_sql}' AS other"),
        format!("ATTACH DATABASE 'file:{outside_sql}?mode=rwc' AS other"),
        "ATTACH DATABASE ':memory:' AS other".into(),
        "DETACH DATABASE main".into(),
        "PRAGMA writable_schema = 1".into(),
        "PRAGMA journal_mode = DELETE".into(),
        "PRAGMA max_page_count = 1000000000".into(),
        "PRAGMA table_info(items)".into(),
        "SELECT load_extension('x')".into(),
        "SELECT fts3_tokenizer('simple')".into(),
        "BEGIN".into(),
        "BEGIN IMMEDIATE".into(),
        "COMMIT".into(),
        "END".into(),
        "ROLLBACK".into(),
        "SAVEPOINT s".into(),
        "RELEASE s".into(),
        "CREATE TEMP TABLE t (x BIGINT)".into(),
        "CREATE TEMP VIEW v AS SELECT 1".into(),
        "CREATE TEMP TRIGGER tt AFTER INSERT ON items BEGIN SELECT 1; END".into(),
        "CREATE TABLE temp.t (x BIGINT)".into(),
        "CREATE VIRTUAL TABLE f USING fts5(body)".into(),
        "SELECT 1; SELECT 2".into(),
        "SELECT 1; PRAGMA writable_schema = 1".into(),
        "UPDATE sqlite_master SET sql = 'x'".into(),
        "UPDATE temp.sqlite_master SET sql = 'x'".into(),
        "INSERT INTO temp.sqlite_master VALUES ('table', 'x', 'x', 0, 'CREATE TABLE x (y)')".into(),
        "SELEC 1".into(),
        "SELECT * FROM no_such_table".into(),
    ];
    for sql in &cases {
        let executed = dbs.execute("p", &st(sql, vec![]), &budget());
        assert!(
            matches!(executed, Err(StoreError::Invalid(_))),
            "{sql}: {executed:?}"
        );
        let queried = dbs.query("p", &st(sql, vec![]), &budget());
        assert!(
            matches!(queried, Err(StoreError::Invalid(_))),
            "{sql}: {queried:?}"
        );
        let tx = [
            st("INSERT INTO items (id, n) VALUES ('t', 1)", vec![]),
            st(sql, vec![]),
        ];
        let msg = invalid(dbs.transaction("p", &tx, &budget()));
        assert!(msg.starts_with("statements[1]: "), "{sql}: {msg}");
    }
    assert_eq!(count(&dbs, "p", "items"), 0, "no transaction applied");
    assert!(!outside.exists(), "a statement created a file outside");
    let mut names: Vec<String> = std::fs::read_dir(dir.path().join("plugin-data"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["p.sqlite", "p.sqlite-shm", "p.sqlite-wal"]);

    // The refusal says why.
    let msg = invalid(dbs.execute("p", &st("PRAGMA writable_schema = 1", vec![]), &budget()));
    assert!(
        msg.contains("PRAGMA writable_schema is not allowed"),
        "{msg}"
    );
    let msg = invalid(dbs.execute("p", &st("BEGIN", vec![]), &budget()));
    assert!(msg.contains("transaction control"), "{msg}");
    let msg = invalid(dbs.execute("p", &st("SELECT 1; SELECT 2", vec![]), &budget()));
    assert!(msg.contains("one statement per call"), "{msg}");
    let msg = invalid(dbs.query("p", &st("SELECT load_extension('x')", vec![]), &budget()));
    assert_eq!(msg, "sql: function load_extension() is not allowed");
    let msg = invalid(dbs.execute("p", &st("VACUUM", vec![]), &budget()));
    assert_eq!(msg, "sql: VACUUM is not allowed");
}

#[test]
fn host_transaction_statements_are_not_reachable_through_the_cache() {
    let (_dir, dbs) = temp_dbs();
    exec(&dbs, "p", ITEMS, vec![]);
    // Warm the connection with host BEGIN/COMMIT/ROLLBACK.
    exec(
        &dbs,
        "p",
        "INSERT INTO items (id, n) VALUES ('a', 1)",
        vec![],
    );
    let failing = [
        st("INSERT INTO items (id, n) VALUES ('b', 1)", vec![]),
        st("INSERT INTO items (id, n) VALUES ('a', 1)", vec![]),
    ];
    conflict(dbs.transaction("p", &failing, &budget()));
    for sql in ["BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"] {
        invalid(dbs.execute("p", &st(sql, vec![]), &budget()));
    }
    // A ROLLBACK smuggled into a transaction cannot split it.
    let split = [
        st("INSERT INTO items (id, n) VALUES ('c', 1)", vec![]),
        st("ROLLBACK", vec![]),
    ];
    invalid(dbs.transaction("p", &split, &budget()));
    assert_eq!(count(&dbs, "p", "items"), 1);
}

#[test]
fn deadline_interrupts_a_runaway_query_and_the_connection_recovers() {
    let (_dir, dbs) = temp_dbs();
    let forever =
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c";
    let started = Instant::now();
    let short = SqlBudget {
        deadline: started + Duration::from_millis(200),
        max_result_bytes: 1 << 20,
    };
    match dbs.query("p", &st(forever, vec![]), &short) {
        Err(StoreError::Backend(msg)) => assert_eq!(msg, INTERRUPTED),
        other => panic!("expected the deadline, got {other:?}"),
    }
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(200) && took < Duration::from_secs(2),
        "{took:?}"
    );
    // The same (pooled) connection serves the next call.
    assert_eq!(
        query(&dbs, "p", "SELECT 1", vec![]).rows,
        vec![vec![Integer(1)]]
    );

    // An interrupted write applies nothing.
    exec(&dbs, "p", "CREATE TABLE n (x BIGINT)", vec![]);
    let runaway_write = "INSERT INTO n WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c";
    let short = SqlBudget {
        deadline: Instant::now() + Duration::from_millis(100),
        max_result_bytes: 1 << 20,
    };
    let tx = [
        st("INSERT INTO n VALUES (0)", vec![]),
        st(runaway_write, vec![]),
    ];
    assert_eq!(
        dbs.transaction("p", &tx, &short),
        Err(StoreError::Backend(INTERRUPTED.into()))
    );
    assert_eq!(count(&dbs, "p", "n"), 0);

    // A deadline already past fails at once.
    let past = SqlBudget {
        deadline: Instant::now(),
        max_result_bytes: 1 << 20,
    };
    assert_eq!(
        dbs.execute("p", &st("SELECT 1", vec![]), &past),
        Err(StoreError::Backend(INTERRUPTED.into()))
    );
}

#[test]
fn results_stop_at_the_byte_budget() {
    let (_dir, dbs) = temp_dbs();
    let ten = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10) SELECT x FROM c";
    // Column "x": 16 + 1; ten integers: 10 * 16.
    let exact = 17 + 160;
    let fits = SqlBudget {
        max_result_bytes: exact,
        ..budget()
    };
    assert_eq!(
        dbs.query("p", &st(ten, vec![]), &fits).unwrap().rows.len(),
        10
    );
    let tight = SqlBudget {
        max_result_bytes: exact - 1,
        ..budget()
    };
    assert_eq!(
        invalid(dbs.query("p", &st(ten, vec![]), &tight)),
        format!("result: larger than {} bytes; page the query", exact - 1)
    );
    // A runaway result fails early instead of growing without bound.
    let endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT randomblob(1000) FROM c";
    invalid(dbs.query("p", &st(endless, vec![]), &budget()));

    // A write whose RETURNING rows exceed the budget applies nothing.
    exec(&dbs, "p", ITEMS, vec![]);
    let returning = "INSERT INTO items (id, n, t) VALUES ($1, 1, $2) RETURNING t";
    let small = SqlBudget {
        max_result_bytes: 100,
        ..budget()
    };
    invalid(dbs.query(
        "p",
        &st(returning, vec![Text("a".into()), Text("x".repeat(200))]),
        &small,
    ));
    assert_eq!(count(&dbs, "p", "items"), 0);
    // execute drops rows, so no budget applies.
    assert_eq!(
        dbs.execute(
            "p",
            &st(returning, vec![Text("a".into()), Text("x".repeat(200))]),
            &small
        ),
        Ok(1)
    );
}

#[test]
fn transactions_are_atomic() {
    let (_dir, dbs) = temp_dbs();
    // DDL and its first use in one transaction.
    let setup = [
        st(ITEMS, vec![]),
        st(
            "INSERT INTO items (id, n) VALUES ($1, $2)",
            vec![Text("a".into()), Integer(1)],
        ),
        st(
            "INSERT INTO items (id, n) VALUES ($1, $2)",
            vec![Text("b".into()), Integer(2)],
        ),
        st("UPDATE items SET n = n + 1", vec![]),
    ];
    assert_eq!(
        dbs.transaction("p", &setup, &budget()).unwrap(),
        [0, 1, 1, 2]
    );

    // Second statement violates the primary key: the first is not applied.
    let dup = [
        st("INSERT INTO items (id, n) VALUES ('c', 1)", vec![]),
        st("INSERT INTO items (id, n) VALUES ('a', 1)", vec![]),
    ];
    let msg = conflict(dbs.transaction("p", &dup, &budget()));
    assert!(
        msg.starts_with("statements[1]: UNIQUE constraint failed"),
        "{msg}"
    );
    assert_eq!(count(&dbs, "p", "items"), 2);

    // Optimistic concurrency: a stale version changes 0 rows -> conflict.
    let bump = |version: i64| SqlStatement {
        sql: "UPDATE items SET n = n + 10, version = version + 1 WHERE id = $1 AND version = $2"
            .into(),
        params: vec![Text("a".into()), Integer(version)],
        expect_changes: Some(1),
    };
    let log = st("INSERT INTO items (id, n) VALUES ('log', 0)", vec![]);
    assert_eq!(
        dbs.transaction("p", &[log.clone(), bump(1)], &budget())
            .unwrap(),
        [1, 1]
    );
    let msg = conflict(dbs.transaction(
        "p",
        &[st("DELETE FROM items WHERE id = 'log'", vec![]), bump(1)],
        &budget(),
    ));
    assert_eq!(
        msg,
        "statements[1].expect_changes: 0 rows changed, expected 1"
    );
    assert_eq!(count(&dbs, "p", "items"), 3, "the delete was rolled back");
    // The same for a single execute.
    assert_eq!(
        conflict(dbs.execute("p", &bump(1), &budget())),
        "expect_changes: 0 rows changed, expected 1"
    );
    assert_eq!(dbs.execute("p", &bump(2), &budget()), Ok(1));

    assert_eq!(dbs.transaction("p", &[], &budget()), Ok(vec![]));
    let too_many = vec![st("SELECT 1", vec![]); MAX_STATEMENTS + 1];
    assert_eq!(
        invalid(dbs.transaction("p", &too_many, &budget())),
        "statements: at most 1000"
    );
}

#[test]
fn constraint_violations_are_conflicts() {
    let (_dir, dbs) = temp_dbs();
    exec(&dbs, "p", ITEMS, vec![]);
    exec(
        &dbs,
        "p",
        "CREATE TABLE child (item TEXT NOT NULL REFERENCES items (id))",
        vec![],
    );
    exec(
        &dbs,
        "p",
        "INSERT INTO items (id, n) VALUES ('a', 1)",
        vec![],
    );
    for sql in [
        "INSERT INTO items (id, n) VALUES ('a', 2)", // primary key
        "INSERT INTO items (id, n) VALUES ('b', NULL)", // NOT NULL
        "INSERT INTO items (id, n) VALUES ('c', -1)", // CHECK
        "INSERT INTO child (item) VALUES ('nope')",  // foreign key
    ] {
        conflict(dbs.execute("p", &st(sql, vec![]), &budget()));
        conflict(dbs.query("p", &st(&format!("{sql} RETURNING 1"), vec![]), &budget()));
    }
    exec(&dbs, "p", "CREATE UNIQUE INDEX u_t ON items (t)", vec![]);
    exec(&dbs, "p", "UPDATE items SET t = 'same'", vec![]);
    conflict(dbs.execute(
        "p",
        &st(
            "INSERT INTO items (id, n, t) VALUES ('d', 1, 'same')",
            vec![],
        ),
        &budget(),
    ));
    assert_eq!(count(&dbs, "p", "items"), 1);
}

#[test]
fn plugins_never_see_each_other() {
    let (dir, dbs) = temp_dbs();
    exec(
        &dbs,
        "com.example.one",
        "CREATE TABLE secrets (v TEXT)",
        vec![],
    );
    exec(
        &dbs,
        "com.example.one",
        "INSERT INTO secrets VALUES ('one')",
        vec![],
    );
    let msg = invalid(dbs.query(
        "com.example.two",
        &st("SELECT * FROM secrets", vec![]),
        &budget(),
    ));
    assert!(msg.contains("no such table"), "{msg}");
    let two_tables = query(
        &dbs,
        "com.example.two",
        "SELECT name FROM sqlite_master",
        vec![],
    );
    assert!(two_tables.rows.is_empty());
    // Same table name, separate data.
    exec(
        &dbs,
        "com.example.two",
        "CREATE TABLE secrets (v TEXT)",
        vec![],
    );
    assert_eq!(count(&dbs, "com.example.two", "secrets"), 0);
    assert_eq!(count(&dbs, "com.example.one", "secrets"), 1);
    // Ids differing in case are different databases, also on case-folding
    // file systems.
    exec(
        &dbs,
        "Com.Example.One",
        "CREATE TABLE upper (v TEXT)",
        vec![],
    );
    invalid(dbs.query(
        "com.example.one",
        &st("SELECT * FROM upper", vec![]),
        &budget(),
    ));
    assert!(
        dir.path()
            .join("plugin-data/^com.^example.^one.sqlite")
            .exists()
    );

    assert!(dbs.delete_database("com.example.one").unwrap());
    assert!(!dbs.delete_database("com.example.one").unwrap());
    assert!(!dbs.path_of("com.example.one").unwrap().exists());
    assert_eq!(
        query(
            &dbs,
            "com.example.one",
            "SELECT count(*) FROM sqlite_master",
            vec![]
        )
        .rows,
        vec![vec![Integer(0)]]
    );
}

#[test]
fn plugin_ids_cannot_name_another_path() {
    let (_dir, dbs) = temp_dbs();
    let long = "a".repeat(191);
    for id in [
        "",
        "..",
        "a..b",
        "../x",
        "a/b",
        "a\\b",
        "/abs",
        "a b",
        "é",
        "a\0b",
        long.as_str(),
    ] {
        let msg = invalid(dbs.execute(id, &st("SELECT 1", vec![]), &budget()));
        assert!(msg.starts_with("plugin_id: "), "{id:?}: {msg}");
    }
    assert_eq!(exec(&dbs, &"a".repeat(190), "SELECT 1", vec![]), 0);
    assert_eq!(exec(&dbs, "a", "SELECT 1", vec![]), 0);
}

#[test]
fn the_file_size_is_capped() {
    let (_dir, dbs) = temp_dbs_capped(256 * 1024);
    exec(&dbs, "p", "CREATE TABLE big (b BYTEA)", vec![]);
    let blob = Blob(vec![7; 64 * 1024]);
    let mut full = None;
    for _ in 0..10 {
        match dbs.execute(
            "p",
            &st("INSERT INTO big VALUES ($1)", vec![blob.clone()]),
            &budget(),
        ) {
            Ok(1) => {}
            other => {
                full = Some(other);
                break;
            }
        }
    }
    let msg = invalid(full.expect("the cap was never reached"));
    assert!(msg.starts_with("database: full"), "{msg}");
    assert!(msg.contains("262144"), "{msg}");
    // Deleting makes room again.
    exec(&dbs, "p", "DELETE FROM big", vec![]);
    assert_eq!(
        exec(&dbs, "p", "INSERT INTO big VALUES ($1)", vec![blob]),
        1
    );
}

#[test]
fn long_sql_and_values_are_refused() {
    let (_dir, dbs) = temp_dbs();
    let long = format!("SELECT 1 -- {}", "x".repeat(70_000));
    assert_eq!(
        invalid(dbs.query("p", &st(&long, vec![]), &budget())),
        "sql: longer than 65536 bytes"
    );
    let huge = "SELECT length(zeroblob(100000000))";
    let msg = invalid(dbs.query("p", &st(huge, vec![]), &budget()));
    assert!(msg.contains("too big"), "{msg}");
}

#[test]
fn concurrent_writers_of_one_plugin_all_apply() {
    let (_dir, dbs) = temp_dbs();
    let dbs = Arc::new(dbs);
    exec(
        &dbs,
        "p",
        "CREATE TABLE counter (id BIGINT PRIMARY KEY, n BIGINT)",
        vec![],
    );
    exec(&dbs, "p", "INSERT INTO counter VALUES (1, 0)", vec![]);
    let threads: Vec<_> = (0..6)
        .map(|t| {
            let dbs = dbs.clone();
            std::thread::spawn(move || {
                for i in 0..40 {
                    if (t + i) % 2 == 0 {
                        let tx = [
                            st("UPDATE counter SET n = n + 1 WHERE id = 1", vec![]),
                            st("SELECT n FROM counter", vec![]),
                        ];
                        dbs.transaction("p", &tx, &budget()).unwrap();
                    } else {
                        dbs.execute("p", &st("UPDATE counter SET n = n + 1", vec![]), &budget())
                            .unwrap();
                    }
                    dbs.query("p", &st("SELECT n FROM counter", vec![]), &budget())
                        .unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(
        query(&dbs, "p", "SELECT n FROM counter", vec![]).rows,
        vec![vec![Integer(240)]]
    );
    let idle = dbs.db("p").unwrap().idle.lock().unwrap().len();
    assert!((1..=IDLE_PER_PLUGIN).contains(&idle), "{idle}");
}

#[test]
fn a_waiting_writer_gives_up_at_its_deadline() {
    let (_dir, dbs) = temp_dbs();
    let db = dbs.db("p").unwrap();
    let _held = db
        .gate
        .enter(Instant::now() + Duration::from_secs(5))
        .unwrap();
    let started = Instant::now();
    let short = SqlBudget {
        deadline: started + Duration::from_millis(100),
        max_result_bytes: 1024,
    };
    assert_eq!(
        dbs.execute("p", &st("CREATE TABLE t (x BIGINT)", vec![]), &short),
        Err(StoreError::Backend(INTERRUPTED.into()))
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    // Reads do not wait for the writer.
    assert_eq!(
        query(&dbs, "p", "SELECT 2", vec![]).rows,
        vec![vec![Integer(2)]]
    );
}

#[test]
fn text_that_is_not_utf8_is_returned_lossily() {
    let (_dir, dbs) = temp_dbs();
    let rows = query(&dbs, "p", "SELECT CAST(x'61ff' AS TEXT)", vec![]);
    assert_eq!(rows.rows, vec![vec![Text("a\u{fffd}".into())]]);
}

/// `execute` runs a write inside the host's transaction, where SQLite itself
/// refuses VACUUM; outside one, its internal ATTACH meets the authorizer.
#[test]
fn vacuum_is_refused_even_outside_a_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.sqlite");
    let conn = super::super::plugin_sql_conn::PluginConn::open(&path, 1 << 30).unwrap();
    conn.conn
        .execute_batch("CREATE TABLE t (x BIGINT)")
        .unwrap();
    let outside = dir.path().join("outside.db");
    for sql in [
        format!("VACUUM INTO '{}'", outside.display()),
        "VACUUM".into(),
    ] {
        let err = conn.conn.execute_batch(&sql).unwrap_err();
        assert_eq!(
            err.sqlite_error_code(),
            Some(rusqlite::ErrorCode::AuthorizationForStatementDenied),
            "{sql}"
        );
        let msg = invalid::<()>(Err(conn.error(err)));
        assert!(msg.contains("ATTACH"), "{msg}");
    }
    assert!(!outside.exists());
}

#[test]
fn first_use_from_many_threads_at_once() {
    let (_dir, dbs) = temp_dbs();
    let dbs = Arc::new(dbs);
    let start = Arc::new(std::sync::Barrier::new(6));
    let threads: Vec<_> = (0..6)
        .map(|t| {
            let (dbs, start) = (dbs.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                let tx = [
                    st("CREATE TABLE IF NOT EXISTS seen (t BIGINT)", vec![]),
                    st("INSERT INTO seen VALUES ($1)", vec![Integer(t)]),
                ];
                dbs.transaction("fresh", &tx, &budget()).unwrap();
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(count(&dbs, "fresh", "seen"), 6);
}
