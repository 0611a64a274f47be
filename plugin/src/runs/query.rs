//! `GET /runs` as SQL: the filters, the viewer's visibility, the sort and
//! the page, all computed by the database, so a list costs a `COUNT` and a
//! page of ids however many runs a team has.
//!
//! Visibility (system admin, participant, or can view the source
//! playbook) is **two disjoint branches**, never an `OR` evaluated run by
//! run (issue 13: that made a member's first page 20 times slower than an
//! admin's):
//!
//! - **A**, runs of a viewable playbook: `playbook_id IN (V)` with
//!   `V = SELECT id FROM playbooks WHERE team_id IN (<the viewer's teams>)
//!   AND (public = 1 OR id IN (<the viewer's playbook memberships>))` — a
//!   handful of index ranges (`runs_team_playbook`, or the ordered team
//!   indexes, which carry `playbook_id`, for a page);
//! - **B**, runs taken part in outside those: `playbook_id NOT IN (V)`,
//!   answered from `run_participants` alone (it carries the run's
//!   `team_id`, `playbook_id` and `create_at`, which never change).
//!
//! `total_count` is the sum of the two counts; the page is the two
//! branches merged (`UNION ALL … ORDER BY … LIMIT … OFFSET`), ids only —
//! the store then reads those runs.
//!
//! With any filter besides the team (or a sort other than by start), the
//! filter's index already narrows the runs: one pass checks
//! `playbook_id IN (V) OR <participant row exists>` on those, from the
//! index (the team indexes carry `playbook_id`), looking up the participant
//! row only for runs outside the viewable playbooks.
//!
//! Team membership is the server's knowledge, not the database's: the
//! plugin asks it for each team that has playbooks (teams with playbooks
//! are few) and passes the viewer's as parameters. Being a member of the
//! playbook's team is part of "can view the playbook", so the rule
//! "without a team filter, non-admins see their teams' runs (and those
//! they take part in)" needs no separate condition.

use super::name_index;
use super::store::{RunFilter, RunResult, Viewer};
use crate::host::{Host, HostError};
use crate::playbooks::store::PlaybookStore;
use crate::runs::model::status;
use crate::sql::{MAX_PARAMS, SqlValue, contains_pattern};

/// A filter as SQL: the conditions on `runs` with their parameters, the
/// viewer's visibility and the order.
pub struct Query {
    /// `team_id = $n`, kept apart: the participant branch can apply it to
    /// `run_participants` too.
    team: Option<String>,
    /// Every other condition on `runs` columns.
    conditions: Vec<String>,
    params: Vec<SqlValue>,
    /// The columns the order is on (the sort column, then ties).
    order_columns: Vec<&'static str>,
    dir: &'static str,
    /// `None` for system admins.
    visibility: Option<Visibility>,
    /// What the runs are read from: `runs`, or for a name search the
    /// postings of one gram joined to `runs` ([`super::name_index`]).
    from: String,
    /// Whether every condition is on the columns runs are counted by
    /// ([`super::counts`]): then the count sums counters.
    counted: bool,
}

/// The non-admin viewer: their placeholder and the viewable-playbook
/// subquery `V` (`None` when they are in no team with playbooks).
struct Visibility {
    user: String,
    viewable: Option<String>,
}

/// One branch of a list: a `FROM … WHERE …` and whether it reads
/// `run_participants` only (then only `id` and `create_at` are there).
struct Branch {
    from_where: String,
    participants_only: bool,
}

impl Branch {
    /// The select list for `columns` (`run_participants` names mapped).
    fn select(&self, columns: &[&str]) -> String {
        let list: Vec<String> = columns
            .iter()
            .map(|c| match (*c, self.participants_only) {
                ("id", true) => "p.run_id AS id".to_owned(),
                (c, true) => format!("p.{c} AS {c}"),
                (c, false) => c.to_owned(),
            })
            .collect();
        format!("SELECT {} {}", list.join(", "), self.from_where)
    }
}

/// Columns the participant-only branch can give.
const PARTICIPANT_COLUMNS: [&str; 2] = ["id", "create_at"];

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
        let column = filter.sort.column();
        let order_columns = match column {
            "create_at" => vec!["create_at", "id"],
            "id" => vec!["id"],
            c => vec![c, "create_at", "id"],
        };
        let mut q = Query {
            team: None,
            conditions: Vec::new(),
            params: Vec::new(),
            order_columns,
            dir: if filter.descending { "DESC" } else { "ASC" },
            visibility: None,
            from: "runs".to_owned(),
            counted: filter.channel_id.is_empty()
                && filter.participant_id.is_empty()
                && filter.participant_or_follower_id.is_empty()
                && filter.search_term.is_empty()
                && filter.started_gte == 0
                && filter.started_lt == 0
                && filter.active_lt == 0
                && filter.since == 0
                && filter.active_gte == 0
                && !filter.omit_ended,
        };
        if !filter.team_id.is_empty() {
            q.team = Some(q.p(&filter.team_id));
        }
        for (column, value) in [
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
            let term = filter.search_term.to_lowercase();
            let p = q.p(contains_pattern(&term));
            q.and(format!("name_lower LIKE {p} ESCAPE '\\'"));
            // Only runs whose name has the term's rarest gram can match:
            // read those (`CROSS JOIN` keeps the postings the outer loop).
            if name_index::complete(host)?
                && let Some(plan) = name_index::plan(host, &term, &filter.team_id)?
            {
                let g = q.p(plan.driver);
                q.and(format!("gram = {g}"));
                if let Some(team) = q.team.clone() {
                    q.and(format!("g_team = {team}"));
                }
                // On the posting itself, so it is checked before the run
                // is read.
                for gram in plan.filters {
                    let f = q.p(gram);
                    q.and(format!(
                        "EXISTS (SELECT 1 FROM run_name_grams f WHERE f.gram = {f} \
                         AND f.g_team = run_name_grams.g_team AND f.g_run = run_name_grams.g_run)"
                    ));
                }
                q.and("id = g_run".to_owned());
                q.from = "run_name_grams CROSS JOIN runs".to_owned();
            }
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
            let viewable = if teams.is_empty() {
                None
            } else {
                let list: Vec<String> = teams.iter().map(|t| q.p(t)).collect();
                Some(format!(
                    "SELECT pb.id FROM playbooks pb WHERE pb.team_id IN ({}) AND (pb.public = 1 \
                     OR pb.id IN (SELECT m.playbook_id FROM playbook_members m \
                     WHERE m.user_id = {user}))",
                    list.join(", ")
                ))
            };
            q.visibility = Some(Visibility { user, viewable });
        }
        Ok(Some(q))
    }

    /// `conditions` (with the team's) and `extra`, joined by `AND`.
    fn runs_where(&self, extra: &[String]) -> Vec<String> {
        let mut all: Vec<String> = self.team.iter().map(|t| format!("team_id = {t}")).collect();
        all.extend(self.conditions.iter().cloned());
        all.extend(extra.iter().cloned());
        all
    }

    /// The branches whose union is what the viewer may see of the filter,
    /// with `extra` conditions on `runs`; `columns` are what the caller
    /// selects (`None`: a count).
    fn branches(&self, extra: &[String], columns: Option<&[&str]>) -> Vec<Branch> {
        let runs = |mut conditions: Vec<String>| {
            if conditions.is_empty() {
                conditions.push("1 = 1".to_owned());
            }
            Branch {
                from_where: format!("FROM {} WHERE {}", self.from, conditions.join(" AND ")),
                participants_only: false,
            }
        };
        let Some(vis) = &self.visibility else {
            return vec![runs(self.runs_where(extra))];
        };
        let participant = format!(
            "EXISTS (SELECT 1 FROM run_participants p WHERE p.run_id = runs.id \
             AND p.user_id = {})",
            vis.user
        );
        let participants_only = self.conditions.is_empty()
            && extra.is_empty()
            && columns.is_none_or(|c| c.iter().all(|c| PARTICIPANT_COLUMNS.contains(c)));
        if !participants_only {
            // Filtered (or reading more than ids): one pass over the runs
            // that pass the filter; the participant row is looked up only
            // for those outside the viewable playbooks.
            let mut conditions = self.runs_where(extra);
            conditions.push(match &vis.viewable {
                Some(v) => format!("(playbook_id IN ({v}) OR {participant})"),
                None => participant,
            });
            return vec![runs(conditions)];
        }
        let mut out = Vec::new();
        let mut b = vec![format!("p.user_id = {}", vis.user)];
        b.extend(self.team.iter().map(|t| format!("p.team_id = {t}")));
        if let Some(v) = &vis.viewable {
            let mut a = self.runs_where(extra);
            a.push(format!("playbook_id IN ({v})"));
            out.push(runs(a));
            b.push(format!("p.playbook_id NOT IN ({v})"));
        }
        out.push(Branch {
            from_where: format!("FROM run_participants p WHERE {}", b.join(" AND ")),
            participants_only: true,
        });
        out
    }

    /// `SELECT … AS n`: how many runs the viewer may see pass the filter;
    /// from the counters when the filter is on counted columns only (team,
    /// playbook, owner, status), else by counting the runs.
    pub fn count(&self) -> (String, Vec<SqlValue>) {
        if self.counted {
            return self.count_from_counters();
        }
        self.count_runs()
    }

    /// The sum of the counters the filter selects: branch A (or every run,
    /// for admins) from `run_counts`, branch B from the viewer's
    /// `run_participant_counts`, outside the viewable playbooks.
    fn count_from_counters(&self) -> (String, Vec<SqlValue>) {
        let sum = |table: &str, mut conditions: Vec<String>| {
            if conditions.is_empty() {
                conditions.push("1 = 1".to_owned());
            }
            format!(
                "(SELECT COALESCE(SUM(n), 0) FROM {table} WHERE {})",
                conditions.join(" AND ")
            )
        };
        let parts = match &self.visibility {
            None => vec![sum("run_counts", self.runs_where(&[]))],
            Some(vis) => {
                let mut parts = Vec::new();
                let mut b = self.runs_where(&[]);
                b.push(format!("user_id = {}", vis.user));
                if let Some(v) = &vis.viewable {
                    let mut a = self.runs_where(&[]);
                    a.push(format!("playbook_id IN ({v})"));
                    parts.push(sum("run_counts", a));
                    b.push(format!("playbook_id NOT IN ({v})"));
                }
                parts.push(sum("run_participant_counts", b));
                parts
            }
        };
        (
            format!("SELECT {} AS n", parts.join(" + ")),
            self.params.clone(),
        )
    }

    /// [`count`](Self::count) by counting the matching runs.
    pub fn count_runs(&self) -> (String, Vec<SqlValue>) {
        let parts: Vec<String> = self
            .branches(&[], None)
            .iter()
            .map(|b| format!("(SELECT COUNT(*) {})", b.from_where))
            .collect();
        (
            format!("SELECT {} AS n", parts.join(" + ")),
            self.params.clone(),
        )
    }

    /// `columns` of the matching runs (plus the order's columns) in the
    /// filter's order, optionally one page (`limit`, `offset`).
    pub fn ordered(
        &self,
        columns: &[&str],
        page: Option<(usize, usize)>,
    ) -> (String, Vec<SqlValue>) {
        let order: Vec<String> = self
            .order_columns
            .iter()
            .map(|c| format!("{c} {}", self.dir))
            .collect();
        self.select(columns, &[], &order.join(", "), page)
    }

    /// Up to `limit` matching runs with ids after `after`, by id (a scan
    /// that never rereads or skips, whatever changes meanwhile).
    pub fn keyset_page(
        &self,
        columns: &[&str],
        after: &str,
        limit: usize,
    ) -> (String, Vec<SqlValue>) {
        let mut q = Query {
            team: self.team.clone(),
            conditions: self.conditions.clone(),
            params: self.params.clone(),
            order_columns: vec!["id"],
            dir: "ASC",
            visibility: None,
            from: self.from.clone(),
            counted: false,
        };
        let after = q.p(after);
        q.visibility = self.visibility.as_ref().map(|v| Visibility {
            user: v.user.clone(),
            viewable: v.viewable.clone(),
        });
        q.select(columns, &[format!("id > {after}")], "id", Some((limit, 0)))
    }

    fn select(
        &self,
        columns: &[&str],
        extra: &[String],
        order: &str,
        page: Option<(usize, usize)>,
    ) -> (String, Vec<SqlValue>) {
        let mut all: Vec<&str> = columns.to_vec();
        for c in &self.order_columns {
            if !all.contains(c) {
                all.push(c);
            }
        }
        let selects: Vec<String> = self
            .branches(extra, Some(&all))
            .iter()
            .map(|b| b.select(&all))
            .collect();
        let mut params = self.params.clone();
        let mut sql = format!("{} ORDER BY {order}", selects.join(" UNION ALL "));
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
