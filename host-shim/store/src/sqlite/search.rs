//! [`SearchStore`] on SQLite FTS5 (schema: `MIGRATION_SEARCH`).
//!
//! Every term becomes an FTS5 string (`"…"` with `"` doubled), so nothing a
//! user types is FTS5 syntax: no column filters, operators, `NEAR` or
//! syntax errors. The caller's scope (channel memberships) is a subquery of
//! the same statement, and matches come back in `doc_id` order (which is
//! `create_at` order), newest first, so a page costs about as many index
//! reads as it has posts, not as many as the term has matches.

use rusqlite::types::Value;

use super::SqliteStore;
use super::chat::query_post;
use crate::model::Post;
use crate::ports::StoreResult;
use crate::ports::search::{PostSearchQuery, SearchStore, SearchTerm};

/// `"text"` (quotes doubled), with ` *` for a prefix term.
fn fts_string(term: &SearchTerm) -> String {
    let mut out = String::with_capacity(term.text.len() + 4);
    out.push('"');
    for c in term.text.chars() {
        match c {
            '"' => out.push_str("\"\""),
            // FTS5 strings are NUL-terminated inside SQLite's tokenizer
            // calls: never pass one through.
            '\0' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    if term.prefix {
        out.push_str(" *");
    }
    out
}

/// `(t1 AND t2 …)`, or with `OR`; `None` for no terms.
fn fts_group(terms: &[SearchTerm], operator: &str) -> Option<String> {
    if terms.is_empty() {
        return None;
    }
    let parts: Vec<String> = terms.iter().map(fts_string).collect();
    Some(format!("({})", parts.join(operator)))
}

/// The FTS5 query for `terms` (and the exclusions when there are terms).
pub(crate) fn match_expression(query: &PostSearchQuery) -> Option<String> {
    let operator = if query.or_terms { " OR " } else { " AND " };
    let positive = fts_group(&query.terms, operator)?;
    Some(match fts_group(&query.excluded_terms, " OR ") {
        Some(excluded) => format!("{positive} NOT {excluded}"),
        None => positive,
    })
}

/// Builds `?N` placeholders and their values.
#[derive(Default)]
struct Args(Vec<Value>);

impl Args {
    fn push(&mut self, value: impl Into<Value>) -> String {
        self.0.push(value.into());
        format!("?{}", self.0.len())
    }

    fn list(&mut self, values: &[String]) -> String {
        let marks: Vec<String> = values.iter().map(|v| self.push(v.clone())).collect();
        marks.join(", ")
    }
}

/// The SQL returning matching post ids in order, and its arguments.
fn search_sql(query: &PostSearchQuery) -> (String, Vec<Value>) {
    let mut args = Args::default();
    let mut filters = Vec::new();

    let user = args.push(query.user_id.clone());
    let mut scope = format!(
        "d.channel_id IN (SELECT m.channel_id FROM channel_members AS m
                          JOIN channels AS c ON c.id = m.channel_id
                          WHERE m.user_id = {user}"
    );
    match &query.team_id {
        Some(team) => {
            let team = args.push(team.clone());
            scope.push_str(&format!(" AND (c.team_id = {team} OR c.team_id = '')"));
        }
        None => scope.push_str(&format!(
            " AND (c.team_id = '' OR c.team_id IN
                   (SELECT team_id FROM team_members WHERE user_id = {user}))"
        )),
    }
    if !query.include_deleted_channels {
        scope.push_str(" AND c.delete_at = 0");
    }
    scope.push(')');
    filters.push(scope);

    if !query.from_user_ids.is_empty() {
        filters.push(format!(
            "d.user_id IN ({})",
            args.list(&query.from_user_ids)
        ));
    }
    if !query.excluded_user_ids.is_empty() {
        filters.push(format!(
            "d.user_id NOT IN ({})",
            args.list(&query.excluded_user_ids)
        ));
    }
    if !query.in_channel_ids.is_empty() {
        filters.push(format!(
            "d.channel_id IN ({})",
            args.list(&query.in_channel_ids)
        ));
    }
    if !query.excluded_channel_ids.is_empty() {
        filters.push(format!(
            "d.channel_id NOT IN ({})",
            args.list(&query.excluded_channel_ids)
        ));
    }
    if let Some(after) = query.after_ms {
        filters.push(format!("d.create_at >= {}", args.push(after)));
    }
    if let Some(before) = query.before_ms {
        filters.push(format!("d.create_at < {}", args.push(before)));
    }

    let sql = match match_expression(query) {
        Some(expression) => {
            let expression = args.push(expression);
            format!(
                "SELECT d.post_id FROM post_search AS f
                 JOIN post_search_docs AS d ON d.doc_id = f.rowid
                 WHERE post_search MATCH {expression} AND {}
                 ORDER BY f.rowid DESC",
                filters.join(" AND ")
            )
        }
        None => {
            if let Some(excluded) = fts_group(&query.excluded_terms, " OR ") {
                let excluded = args.push(excluded);
                filters.push(format!(
                    "d.doc_id NOT IN (SELECT rowid FROM post_search
                                      WHERE post_search MATCH {excluded})"
                ));
            }
            format!(
                "SELECT d.post_id FROM post_search_docs AS d WHERE {}
                 ORDER BY d.doc_id DESC",
                filters.join(" AND ")
            )
        }
    };
    let limit = args.push(i64::from(query.limit));
    let offset = args.push(i64::from(query.offset));
    (format!("{sql} LIMIT {limit} OFFSET {offset}"), args.0)
}

impl SearchStore for SqliteStore {
    fn search_posts(&self, query: &PostSearchQuery) -> StoreResult<Vec<Post>> {
        if query.limit == 0 {
            return Ok(Vec::new());
        }
        let (sql, args) = search_sql(query);
        self.read(|tx| {
            let ids = {
                let mut stmt = tx.prepare(&sql)?;
                stmt.query_map(rusqlite::params_from_iter(args), |row| {
                    row.get::<_, String>(0)
                })?
                .collect::<rusqlite::Result<Vec<String>>>()?
            };
            let mut posts = Vec::with_capacity(ids.len());
            for id in ids {
                // The index holds only live posts; the check is belt and braces.
                if let Some(post) = query_post(tx, &id)?.filter(|p| p.delete_at == 0) {
                    posts.push(post);
                }
            }
            Ok(posts)
        })
    }
}

#[cfg(test)]
#[path = "search_tests.rs"]
mod tests;
