//! The user directory query behind `GET /users`, autocomplete and search:
//! one SQL statement assembled from the filters a [`UserQuery`] sets.
//!
//! Built per call rather than cached: the filter combinations would crowd
//! the prepared-statement cache for little gain at this scale.

use rusqlite::types::Value;

use crate::model::UserQuery;

/// Escapes `LIKE` wildcards (`%`, `_`; `_` is common in usernames).
fn like_prefix(word: &str) -> String {
    let mut pattern = String::with_capacity(word.len() + 1);
    for c in word.chars() {
        if matches!(c, '\\' | '%' | '_') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// The `WHERE`/`ORDER`/`LIMIT` tail (after `FROM users AS u`) and its
/// parameters, numbered `?1…` in push order.
pub(super) fn user_query_sql(query: &UserQuery) -> (String, Vec<Value>) {
    let mut sql = String::from(" WHERE 1");
    let mut args: Vec<Value> = Vec::new();
    fn arg(value: Value, args: &mut Vec<Value>) -> usize {
        args.push(value);
        args.len()
    }
    if let Some(team_id) = &query.in_team {
        let n = arg(Value::Text(team_id.clone()), &mut args);
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM team_members AS tm WHERE tm.team_id = ?{n} AND tm.user_id = u.id)"
        ));
    }
    if let Some(channel_id) = &query.in_channel {
        let n = arg(Value::Text(channel_id.clone()), &mut args);
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM channel_members AS cm WHERE cm.channel_id = ?{n} AND cm.user_id = u.id)"
        ));
    }
    if let Some(channel_id) = &query.not_in_channel {
        let n = arg(Value::Text(channel_id.clone()), &mut args);
        sql.push_str(&format!(
            " AND NOT EXISTS (SELECT 1 FROM channel_members AS cm WHERE cm.channel_id = ?{n} AND cm.user_id = u.id)"
        ));
    }
    if let Some(viewer) = &query.visible_to {
        let n = arg(Value::Text(viewer.clone()), &mut args);
        sql.push_str(&format!(
            " AND (u.id = ?{n}
                   OR EXISTS (SELECT 1 FROM team_members AS a
                              JOIN team_members AS b ON b.team_id = a.team_id
                              WHERE a.user_id = ?{n} AND b.user_id = u.id)
                   OR EXISTS (SELECT 1 FROM channel_members AS a
                              JOIN channel_members AS b ON b.channel_id = a.channel_id
                              WHERE a.user_id = ?{n} AND b.user_id = u.id))"
        ));
    }
    match query.active {
        Some(true) => sql.push_str(" AND u.delete_at = 0"),
        Some(false) => sql.push_str(" AND u.delete_at != 0"),
        None => {}
    }
    for word in query.term.split_whitespace() {
        let n = arg(Value::Text(like_prefix(word)), &mut args);
        sql.push_str(&format!(
            " AND (u.username LIKE ?{n} ESCAPE '\\' OR u.first_name LIKE ?{n} ESCAPE '\\'
                   OR u.last_name LIKE ?{n} ESCAPE '\\' OR u.nickname LIKE ?{n} ESCAPE '\\')"
        ));
    }
    let limit = arg(Value::Integer(i64::from(query.limit)), &mut args);
    let offset = arg(Value::Integer(i64::from(query.offset)), &mut args);
    sql.push_str(&format!(
        " ORDER BY u.username LIMIT ?{limit} OFFSET ?{offset}"
    ));
    (sql, args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_prefix_escapes_wildcards() {
        assert_eq!(like_prefix("a_b%c\\"), "a\\_b\\%c\\\\%");
        assert_eq!(like_prefix(""), "%");
    }
}
