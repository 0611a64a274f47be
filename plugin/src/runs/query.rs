//! `GET /runs` as SQL: the filters, the viewer's visibility, the sort and
//! the page, all computed by the database, so a list costs two queries
//! (a `COUNT` and a page) however many runs a team has.
//!
//! Visibility (system admin, participant, or can view the source
//! playbook) becomes
//!
//! ```sql
//! (runs.id IN (SELECT run_id FROM run_participants WHERE user_id = ...)
//!  OR runs.playbook_id IN (SELECT id FROM playbooks
//!      WHERE team_id IN (<the viewer's teams>)
//!      AND (public = 1 OR EXISTS (SELECT 1 FROM playbook_members ...))))
//! ```
//!
//! Team membership is the server's knowledge, not the database's: the
//! plugin asks it for each team that has playbooks (teams with playbooks
//! are few) and passes the viewer's as parameters. Being a member of the
//! playbook's team is part of "can view the playbook", so the rule
//! "without a team filter, non-admins see their teams' runs (and those
//! they take part in)" needs no separate condition.

use super::store::{RunFilter, RunResult, Viewer};
use crate::host::{Host, HostError};
use crate::playbooks::store::PlaybookStore;
use crate::runs::model::status;
use crate::sql::{MAX_PARAMS, SqlValue, contains_pattern};

/// A `WHERE` clause with its parameters, and the `ORDER BY` of a filter.
pub struct Query {
    conditions: Vec<String>,
    params: Vec<SqlValue>,
    order: String,
}

impl Query {
    /// Adds a parameter; its placeholder.
    fn p(&mut self, value: impl Into<SqlValue>) -> String {
        self.params.push(value.into());
        format!("${}", self.params.len())
    }

    fn and(&mut self, condition: String) {
        self.conditions.push(condition);
    }

    /// The query of `filter` as `viewer` sees it.
    pub fn build<H: Host + ?Sized>(
        host: &H,
        viewer: &Viewer,
        filter: &RunFilter,
    ) -> RunResult<Option<Query>> {
        let dir = if filter.descending { "DESC" } else { "ASC" };
        let column = filter.sort.column();
        let order = if column == "create_at" {
            format!("create_at {dir}, id {dir}")
        } else if column == "id" {
            format!("id {dir}")
        } else {
            format!("{column} {dir}, create_at {dir}, id {dir}")
        };
        let mut q = Query {
            conditions: Vec::new(),
            params: Vec::new(),
            order,
        };
        for (column, value) in [
            ("team_id", &filter.team_id),
            ("owner_user_id", &filter.owner_user_id),
            ("playbook_id", &filter.playbook_id),
            ("channel_id", &filter.channel_id),
        ] {
            if !value.is_empty() {
                let p = q.p(value);
                q.and(format!("{column} = {p}"));
            }
        }
        if !filter.statuses.is_empty() {
            let list: Vec<String> = filter.statuses.iter().map(|s| q.p(s)).collect();
            q.and(format!("current_status IN ({})", list.join(", ")));
        }
        if !filter.participant_id.is_empty() {
            let p = q.p(&filter.participant_id);
            q.and(member_of("run_participants", &p));
        }
        if !filter.participant_or_follower_id.is_empty() {
            let p = q.p(&filter.participant_or_follower_id);
            q.and(format!(
                "({} OR {})",
                member_of("run_participants", &p),
                member_of("run_followers", &p)
            ));
        }
        if !filter.search_term.is_empty() {
            let p = q.p(contains_pattern(&filter.search_term.to_lowercase()));
            q.and(format!("name_lower LIKE {p} ESCAPE '\\'"));
        }
        for (value, condition) in [
            (filter.started_gte, "create_at >= "),
            (filter.started_lt, "create_at < "),
            (filter.active_lt, "create_at < "),
            (filter.since, "update_at >= "),
        ] {
            if value != 0 {
                let p = q.p(value);
                q.and(format!("{condition}{p}"));
            }
        }
        if filter.active_gte != 0 {
            let p = q.p(filter.active_gte);
            q.and(format!("(end_at = 0 OR end_at >= {p})"));
        }
        if filter.omit_ended {
            let p = q.p(status::FINISHED);
            q.and(format!("end_at = 0 AND current_status <> {p}"));
        }
        if !viewer.is_system_admin {
            let teams = viewer_teams(host, viewer, &filter.team_id)?;
            if teams.len() + q.params.len() + 2 > MAX_PARAMS {
                return Err(HostError::Other(format!(
                    "run lists: member of {} teams with playbooks; at most {} are supported",
                    teams.len(),
                    MAX_PARAMS - 40
                ))
                .into());
            }
            let user = q.p(&viewer.user_id);
            let participant = member_of("run_participants", &user);
            if teams.is_empty() {
                q.and(participant);
            } else {
                let list: Vec<String> = teams.iter().map(|t| q.p(t)).collect();
                q.and(format!(
                    "({participant} OR runs.playbook_id IN (SELECT pb.id FROM playbooks pb \
                     WHERE pb.team_id IN ({}) AND (pb.public = 1 OR EXISTS (SELECT 1 FROM \
                     playbook_members m WHERE m.playbook_id = pb.id AND m.user_id = {user}))))",
                    list.join(", ")
                ));
            }
        }
        Ok(Some(q))
    }

    fn where_clause(&self) -> String {
        if self.conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.conditions.join(" AND "))
        }
    }

    /// `SELECT COUNT(*) AS n`.
    pub fn count(&self) -> (String, Vec<SqlValue>) {
        (
            format!("SELECT COUNT(*) AS n FROM runs{}", self.where_clause()),
            self.params.clone(),
        )
    }

    /// `columns` of the matching runs in the filter's order, optionally
    /// one page (`limit`, `offset`).
    pub fn ordered(&self, columns: &str, page: Option<(usize, usize)>) -> (String, Vec<SqlValue>) {
        let mut params = self.params.clone();
        let mut sql = format!(
            "SELECT {columns} FROM runs{} ORDER BY {}",
            self.where_clause(),
            self.order
        );
        if let Some((limit, offset)) = page {
            params.push(limit.into());
            params.push(offset.into());
            sql.push_str(&format!(
                " LIMIT ${} OFFSET ${}",
                params.len() - 1,
                params.len()
            ));
        }
        (sql, params)
    }

    /// Up to `limit` matching runs with ids after `after`, by id (a scan
    /// that never rereads or skips, whatever changes meanwhile).
    pub fn keyset_page(&self, columns: &str, after: &str, limit: usize) -> (String, Vec<SqlValue>) {
        let mut params = self.params.clone();
        params.push(after.into());
        let mut conditions = self.conditions.clone();
        conditions.push(format!("id > ${}", params.len()));
        params.push(limit.into());
        (
            format!(
                "SELECT {columns} FROM runs WHERE {} ORDER BY id LIMIT ${}",
                conditions.join(" AND "),
                params.len()
            ),
            params,
        )
    }
}

/// `runs.id IN (SELECT run_id FROM <table> WHERE user_id = <p>)`: not
/// correlated, so the database reads the user's few rows once (index
/// `(user_id, run_id)`) instead of probing per run.
fn member_of(table: &str, p: &str) -> String {
    format!("runs.id IN (SELECT run_id FROM {table} WHERE user_id = {p})")
}

/// The teams (among those with playbooks; only `team_id` if given) the
/// viewer is a member of.
fn viewer_teams<H: Host + ?Sized>(
    host: &H,
    viewer: &Viewer,
    team_id: &str,
) -> RunResult<Vec<String>> {
    let candidates = if team_id.is_empty() {
        PlaybookStore::new(host).team_ids()?
    } else {
        vec![team_id.to_owned()]
    };
    let mut teams = Vec::new();
    for team in candidates {
        if host.is_team_member(&team, &viewer.user_id)? {
            teams.push(team);
        }
    }
    Ok(teams)
}
