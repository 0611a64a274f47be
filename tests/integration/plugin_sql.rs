//! The `sql` capability of contract 0.2, through the real sandbox: the
//! `sql-guest` test plugin (built with the SDK) runs the SQL each request
//! sends, and these tests check what the host lets through.

use std::time::{Duration, Instant};

use host_shim::runtime::HookError;
use host_shim::runtime::hooks::HttpRequest;
use serde_json::{Value, json};

use crate::helpers::{TestApp, install, spawn_app_with};

const GUEST: &str = "sql-guest";

async fn sql_app(deadline: Duration) -> TestApp {
    let app = spawn_app_with(|c| c.sandbox.hook_deadline = deadline).await;
    install(&app, GUEST).await;
    app
}

/// Calls the guest; `Ok((status, body))`, or the host's hook error.
async fn call(app: &TestApp, path: &str, body: Value) -> Result<(u16, Value), HookError> {
    let request = HttpRequest {
        method: "POST".into(),
        path: path.into(),
        body: body.to_string().into_bytes(),
        user_id: Some("u".repeat(26)),
        ..Default::default()
    };
    let response = app
        .state
        .plugins
        .serve_http(GUEST, request)
        .await
        .expect("sql-guest running")?;
    let body = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
    Ok((response.status, body))
}

async fn ok(app: &TestApp, path: &str, body: Value) -> Value {
    let (status, body) = call(app, path, body).await.expect("no trap");
    assert_eq!(status, 200, "{path}: {body}");
    body
}

async fn refused(app: &TestApp, path: &str, body: Value) -> (u16, String) {
    let (status, answer) = call(app, path, body.clone()).await.expect("no trap");
    assert_ne!(status, 200, "{body} was accepted: {answer}");
    (
        status,
        answer["error"].as_str().unwrap_or_default().to_string(),
    )
}

#[tokio::test]
async fn a_plugin_reads_and_writes_its_own_tables_and_sees_no_one_elses() {
    let app = sql_app(Duration::from_secs(2)).await;
    let changed = ok(
        &app,
        "/execute",
        json!({"sql": "INSERT INTO notes (id, body) VALUES ($1, $2), ($3, $4)",
               "params": [1, "first", 2, "second"]}),
    )
    .await;
    assert_eq!(changed["changed"], 2);
    let rows = ok(
        &app,
        "/query",
        json!({"sql": "SELECT id, body FROM notes WHERE id >= $1 ORDER BY id", "params": [1]}),
    )
    .await;
    assert_eq!(rows["columns"], json!(["id", "body"]));
    assert_eq!(rows["rows"], json!([[1, "first"], [2, "second"]]));

    // Every value type round-trips; placeholders bind by number.
    let rows = ok(
        &app,
        "/query",
        json!({"sql": "SELECT $2, $1, $3, $4, $2", "params": [1.5, "two", null, {"blob": [0, 255]}]}),
    )
    .await;
    assert_eq!(
        rows["rows"],
        json!([["two", 1.5, null, {"blob": [0, 255]}, "two"]])
    );

    // The playbooks plugin's tables live in its own database.
    let (status, error) =
        refused(&app, "/query", json!({"sql": "SELECT count(*) FROM runs"})).await;
    assert_eq!(status, 400);
    assert!(error.contains("no such table"), "{error}");
    let tables = ok(
        &app,
        "/query",
        json!({"sql": "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"}),
    )
    .await;
    assert_eq!(tables["rows"], json!([["notes"]]));
}

#[tokio::test]
async fn statements_that_would_reach_outside_the_database_are_refused() {
    let app = sql_app(Duration::from_secs(2)).await;
    let outside = app.dir.path().join("stolen.db");
    let outside = outside.display().to_string();
    for sql in [
        format!("ATTACH DATABASE '{outside}' AS x"),
        format!("VACUUM INTO '{outside}'"),
        "PRAGMA writable_schema = 1".to_string(),
        "PRAGMA journal_mode = DELETE".to_string(),
        "SELECT load_extension('/tmp/evil')".to_string(),
        "BEGIN".to_string(),
        "COMMIT".to_string(),
        "SELECT ?".to_string(),
    ] {
        let (status, error) = refused(&app, "/execute", json!({"sql": sql})).await;
        assert_eq!(status, 400, "{sql}: {error}");
        assert!(error.starts_with("invalid-input"), "{sql}: {error}");
    }
    assert!(
        !app.dir.path().join("stolen.db").exists(),
        "nothing was written outside the plugin's database"
    );
}

#[tokio::test]
async fn a_transaction_applies_all_or_nothing_and_constraints_are_conflicts() {
    let app = sql_app(Duration::from_secs(2)).await;
    let insert =
        |id: i64| json!({"sql": "INSERT INTO notes (id, body) VALUES ($1, 'x')", "params": [id]});
    let done = ok(
        &app,
        "/transaction",
        json!({"statements": [insert(1), insert(2)]}),
    )
    .await;
    assert_eq!(done["changed"], json!([1, 1]));

    // The second statement breaks the primary key: the first is not kept.
    let (status, error) = refused(
        &app,
        "/transaction",
        json!({"statements": [insert(3), insert(1)]}),
    )
    .await;
    assert_eq!((status, error.as_str()), (409, "conflict"));
    // An expectation on the rows changed fails the whole transaction.
    let mut stale = json!({"sql": "UPDATE notes SET body = 'y' WHERE id = $1", "params": [99]});
    stale["expect_changes"] = json!(1);
    let (status, _) = refused(
        &app,
        "/transaction",
        json!({"statements": [insert(4), stale]}),
    )
    .await;
    assert_eq!(status, 409);

    let rows = ok(
        &app,
        "/query",
        json!({"sql": "SELECT id FROM notes ORDER BY id"}),
    )
    .await;
    assert_eq!(
        rows["rows"],
        json!([[1], [2]]),
        "nothing of the failed transactions stayed"
    );
}

#[tokio::test]
async fn a_result_larger_than_the_budget_is_refused_not_copied() {
    let app = sql_app(Duration::from_secs(2)).await;
    // 20,000 rows of 1 KB: beyond the 8 MiB a call may return.
    let (status, error) = refused(
        &app,
        "/query",
        json!({"sql": "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) SELECT i, zeroblob(1000) FROM n"}),
    )
    .await;
    assert_eq!(status, 400);
    assert!(error.contains("result: larger than"), "{error}");
    // The plugin goes on working.
    ok(&app, "/query", json!({"sql": "SELECT 1"})).await;
}

#[tokio::test]
async fn a_runaway_query_stops_at_the_hook_deadline_and_the_plugin_recovers() {
    let deadline = Duration::from_millis(300);
    let app = sql_app(deadline).await;
    let started = Instant::now();
    let outcome = call(
        &app,
        "/query",
        json!({"sql": "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"}),
    )
    .await;
    let elapsed = started.elapsed();
    // Either the statement is interrupted and the guest answers, or the
    // guest itself runs out of time on the way back: never a hang.
    match outcome {
        Ok((status, body)) => {
            assert_eq!(status, 500, "{body}");
            assert!(
                body["error"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("interrupted"),
                "{body}"
            );
        }
        Err(HookError::Trapped { kind, .. }) => {
            assert_eq!(kind, host_shim::runtime::TrapKind::Deadline)
        }
        Err(other) => panic!("unexpected {other:?}"),
    }
    assert!(
        elapsed < deadline + Duration::from_secs(2),
        "took {elapsed:?}"
    );
    ok(&app, "/query", json!({"sql": "SELECT 1"})).await;
}

#[tokio::test]
async fn contract_0_1_and_0_2_plugins_run_side_by_side() {
    let app = sql_app(Duration::from_secs(2)).await;
    install(&app, "sandbox-guest").await;
    for id in ["playbooks", "sandbox-guest", GUEST] {
        assert!(app.state.plugins.running(id).is_some(), "{id} running");
    }
    let versions: Vec<_> = ["playbooks", "sandbox-guest", GUEST]
        .iter()
        .map(|id| app.state.plugins.running(id).map(|p| p.contract_version()))
        .collect();
    assert_eq!(versions, [Some("0.2.0"), Some("0.1.0"), Some("0.2.0")]);
}
