//! A test plugin on contract 0.2, written with the SDK the way a third
//! party would: it implements only the hooks it needs ([`Plugin`] defaults
//! the rest) and exports itself with `export_plugin!`.
//!
//! It runs the SQL a request sends, so the integration tests can probe the
//! host's `sql` capability (isolation, deadlines, result caps, errors)
//! through the real sandbox:
//! - `POST /query` `{"sql", "params"}` → `{"columns", "rows"}`
//! - `POST /execute` `{"sql", "params"}` → `{"changed"}`
//! - `POST /transaction` `{"statements": [{"sql", "params", "expect_changes"}]}`
//!   → `{"changed": [..]}`
//! - `POST /repeat` `{"sql", "params", "times"}` → `{"rows"}`: the query
//!   `times` times in one hook (at most 100,000), so a benchmark can tell
//!   the cost of one host call from the cost of the hook around it.
//!
//! Parameters and values are JSON: `null`, integers, floats, strings, and
//! `{"blob": [bytes]}`. A host error answers 400 (`invalid-input`), 409
//! (`conflict`) or 500 with `{"error": "<kind>: <text>"}`.

use chatops_plugin_sdk::Plugin;
use chatops_plugin_sdk::api::{HttpRequest, HttpResponse};
use chatops_plugin_sdk::host::{Host, HostError, HostResult, Level};
use chatops_plugin_sdk::sql::{Rows, SqlValue, Statement};
use serde_json::{Value, json};

pub struct SqlGuest;

impl Plugin for SqlGuest {
    fn activate<H: Host>(host: &H) -> HostResult<()> {
        host.sql_execute(
            "CREATE TABLE IF NOT EXISTS notes (id BIGINT PRIMARY KEY, body TEXT NOT NULL)",
            &[],
        )?;
        host.log(Level::Info, "sql-guest ready");
        Ok(())
    }

    fn serve_http<H: Host>(host: &H, request: &HttpRequest) -> HttpResponse {
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let result = match (request.method.as_str(), request.path.as_str()) {
            ("POST", "/query") => {
                let params = params(&body["params"]);
                host.sql_query(text(&body["sql"]), &params).map(rows_json)
            }
            ("POST", "/execute") => {
                let params = params(&body["params"]);
                host.sql_execute(text(&body["sql"]), &params)
                    .map(|n| json!({"changed": n}))
            }
            ("POST", "/repeat") => {
                let params = params(&body["params"]);
                let times = body["times"].as_u64().unwrap_or(0).min(100_000);
                let mut rows = 0;
                let mut outcome = Ok(());
                for _ in 0..times {
                    match host.sql_query(text(&body["sql"]), &params) {
                        Ok(r) => rows += r.rows.len(),
                        Err(e) => {
                            outcome = Err(e);
                            break;
                        }
                    }
                }
                outcome.map(|()| json!({"rows": rows}))
            }
            ("POST", "/transaction") => {
                let statements: Vec<Statement> = body["statements"]
                    .as_array()
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                    .iter()
                    .map(|s| Statement {
                        sql: text(&s["sql"]).to_owned(),
                        params: params(&s["params"]),
                        expect_changes: s["expect_changes"].as_u64(),
                    })
                    .collect();
                host.sql_transaction(&statements)
                    .map(|n| json!({"changed": n}))
            }
            _ => return HttpResponse::mattermost_error(404, "sql_guest.not_found", "Not found."),
        };
        match result {
            Ok(value) => HttpResponse::json(200, &value),
            Err(err) => {
                let status = match err {
                    HostError::InvalidInput(_) => 400,
                    HostError::Conflict => 409,
                    HostError::NotFound => 404,
                    HostError::PermissionDenied => 403,
                    HostError::Other(_) => 500,
                };
                HttpResponse::json(status, &json!({"error": kind(&err)}))
            }
        }
    }
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

fn kind(err: &HostError) -> String {
    match err {
        HostError::InvalidInput(m) => format!("invalid-input: {m}"),
        HostError::Conflict => "conflict".into(),
        HostError::NotFound => "not-found".into(),
        HostError::PermissionDenied => "permission-denied".into(),
        HostError::Other(m) => format!("other: {m}"),
    }
}

fn params(v: &Value) -> Vec<SqlValue> {
    v.as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|p| match p {
            Value::Null => SqlValue::Null,
            Value::Bool(b) => SqlValue::from(*b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => SqlValue::Integer(i),
                None => SqlValue::Real(n.as_f64().unwrap_or_default()),
            },
            Value::String(s) => SqlValue::Text(s.clone()),
            other => SqlValue::Blob(
                other["blob"]
                    .as_array()
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                    .iter()
                    .map(|b| b.as_u64().unwrap_or_default() as u8)
                    .collect(),
            ),
        })
        .collect()
}

fn value_json(v: SqlValue) -> Value {
    match v {
        SqlValue::Null => Value::Null,
        SqlValue::Integer(i) => json!(i),
        SqlValue::Real(f) => json!(f),
        SqlValue::Text(t) => json!(t),
        SqlValue::Blob(b) => json!({"blob": b}),
    }
}

fn rows_json(rows: Rows) -> Value {
    json!({
        "columns": rows.columns,
        "rows": rows.rows.into_iter().map(|r| r.into_iter().map(value_json).collect::<Vec<_>>()).collect::<Vec<_>>(),
    })
}

#[cfg(target_arch = "wasm32")]
chatops_plugin_sdk::export_plugin!(SqlGuest);
