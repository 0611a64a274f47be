//! `sql`: the plugin's own database. The storage port does the isolation
//! (one database per plugin, an authorizer, `$N` binding); this file
//! converts values and gives every call the hook's deadline and a result
//! budget sized to the instance's memory cap.

use super::R;
use crate::runtime::bindings::v0_2::chatops::plugin::sql;
use crate::runtime::state::{HostState, limits};
use chat_store::ports::plugin_sql::{SqlBudget, SqlStatement, SqlValue};

fn value_in(v: sql::Value) -> SqlValue {
    match v {
        sql::Value::Null => SqlValue::Null,
        sql::Value::Integer(i) => SqlValue::Integer(i),
        sql::Value::Real(f) => SqlValue::Real(f),
        sql::Value::Text(t) => SqlValue::Text(t),
        sql::Value::Blob(b) => SqlValue::Blob(b),
    }
}

fn value_out(v: SqlValue) -> sql::Value {
    match v {
        SqlValue::Null => sql::Value::Null,
        SqlValue::Integer(i) => sql::Value::Integer(i),
        SqlValue::Real(f) => sql::Value::Real(f),
        SqlValue::Text(t) => sql::Value::Text(t),
        SqlValue::Blob(b) => sql::Value::Blob(b),
    }
}

fn statement(sql: String, params: Vec<sql::Value>, expect_changes: Option<u64>) -> SqlStatement {
    SqlStatement {
        sql,
        params: params.into_iter().map(value_in).collect(),
        expect_changes,
    }
}

impl HostState {
    fn sql_budget(&self) -> SqlBudget {
        SqlBudget {
            deadline: self.deadline,
            max_result_bytes: limits::result_budget(self.memory.limit_bytes),
        }
    }
}

impl sql::Host for HostState {
    fn query(&mut self, sql: String, params: Vec<sql::Value>) -> R<sql::Rows> {
        let rows = self.services.plugin_sql.query(
            &self.plugin_id,
            &statement(sql, params, None),
            &self.sql_budget(),
        )?;
        Ok(sql::Rows {
            columns: rows.columns,
            rows: rows
                .rows
                .into_iter()
                .map(|row| row.into_iter().map(value_out).collect())
                .collect(),
        })
    }

    fn execute(&mut self, sql: String, params: Vec<sql::Value>) -> R<u64> {
        Ok(self.services.plugin_sql.execute(
            &self.plugin_id,
            &statement(sql, params, None),
            &self.sql_budget(),
        )?)
    }

    fn transaction(&mut self, statements: Vec<sql::Statement>) -> R<Vec<u64>> {
        let statements: Vec<SqlStatement> = statements
            .into_iter()
            .map(|s| statement(s.sql, s.params, s.expect_changes))
            .collect();
        Ok(self.services.plugin_sql.transaction(
            &self.plugin_id,
            &statements,
            &self.sql_budget(),
        )?)
    }
}
