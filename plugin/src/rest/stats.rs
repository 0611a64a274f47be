//! `GET /stats/playbook?playbook_id=` — a playbook's numbers for its
//! dashboard, computed by the database from the `runs`, `run_participants`
//! and `run_metrics` rows (indexes `runs_playbook_stats`,
//! `run_participants_playbook`, `run_metrics_playbook_value`; all covering):
//! a handful of aggregate queries, whatever the number of runs:
//!
//! `{runs_in_progress, participants_active, runs_finished_prev_30_days,
//! runs_finished_per_week: [12 counts, oldest first],
//! runs_finished_per_week_times: [[start_ms, end_ms], …], average_duration_ms,
//! metric_overall_average: [per metric, null when no values],
//! metric_value_range: [[min, max] or null], metric_rolling_values: [[the last
//! 10 values, oldest first]]}` — metrics in the playbook's order.
//! The caller must be able to view the playbook.

use serde_json::{Value, json};

use super::router::Router;
use super::runs::viewer;
use super::{ApiError, ApiResult, Ctx, Handler};
use crate::api::HttpResponse;
use crate::host::Host;
use crate::params;
use crate::playbooks::FieldError;
use crate::playbooks::store::PlaybookStore;
use crate::runs::model::status;
use crate::runs::store::can_view_playbook;
use crate::sql::SqlValue;

const WEEKS: usize = 12;
const WEEK_MS: i64 = 7 * 86_400_000;
const ROLLING: usize = 10;

pub fn routes<H: Host>(router: Router<Handler<H>>) -> Router<Handler<H>> {
    router.route("GET", "/stats/playbook", playbook_stats)
}

fn playbook_stats<H: Host>(ctx: &Ctx<'_, H>) -> ApiResult {
    let id = ctx
        .query
        .non_empty("playbook_id")
        .ok_or_else(|| FieldError::new("playbook_id", "is required"))?;
    let pb = PlaybookStore::new(ctx.host)
        .get(id)?
        .ok_or_else(|| ApiError::not_found("Playbook not found."))?;
    if !can_view_playbook(ctx.host, &viewer(ctx), &pb)? {
        return Err(ApiError::forbidden(
            "You do not have permission to view this playbook.",
        ));
    }
    let now = ctx.host.now_ms();
    let host = ctx.host;
    let one = |sql: &str, params: &[SqlValue]| -> Result<i64, ApiError> {
        Ok(host
            .sql_query(sql, params)?
            .first()
            .map(|r| r.i64("n"))
            .transpose()?
            .unwrap_or(0))
    };
    let in_progress = one(
        "SELECT COUNT(*) AS n FROM runs WHERE playbook_id = $1 AND current_status = $2",
        &params![&pb.id, status::IN_PROGRESS],
    )?;
    let participants = one(
        "SELECT COUNT(*) AS n FROM (SELECT DISTINCT user_id FROM run_participants \
         WHERE playbook_id = $1) u WHERE EXISTS (SELECT 1 FROM run_participants p \
         JOIN runs r ON r.id = p.run_id WHERE p.playbook_id = $1 AND p.user_id = u.user_id \
         AND r.current_status = $2)",
        &params![&pb.id, status::IN_PROGRESS],
    )?;
    // Finished: not in progress, with an end time.
    const FINISHED: &str = "playbook_id = $1 AND current_status <> $2 AND end_at > 0";
    let finished_30 = one(
        &format!("SELECT COUNT(*) AS n FROM runs WHERE {FINISHED} AND end_at >= $3"),
        &params![&pb.id, status::IN_PROGRESS, now - 30 * 86_400_000],
    )?;
    let mut per_week = [0i64; WEEKS];
    let weeks = host.sql_query(
        &format!(
            "SELECT ($3 - end_at) / $4 AS ago, COUNT(*) AS n FROM runs WHERE {FINISHED} \
             AND end_at <= $3 AND end_at > $5 GROUP BY ago"
        ),
        &params![
            &pb.id,
            status::IN_PROGRESS,
            now,
            WEEK_MS,
            now - WEEKS as i64 * WEEK_MS
        ],
    )?;
    for row in weeks.iter() {
        let ago = row.i64("ago")?;
        if (0..WEEKS as i64).contains(&ago) {
            per_week[WEEKS - 1 - ago as usize] += row.i64("n")?;
        }
    }
    let durations = host.sql_query(
        &format!(
            "SELECT COUNT(*) AS n, CAST(SUM(end_at - create_at) AS BIGINT) AS total \
             FROM runs WHERE {FINISHED}"
        ),
        &params![&pb.id, status::IN_PROGRESS],
    )?;
    let average_duration = match durations.first() {
        Some(r) if r.i64("n")? > 0 => Some(r.i64("total")? / r.i64("n")?),
        _ => None,
    };
    let week_times: Vec<Value> = (0..WEEKS)
        .map(|i| {
            let end = now - (WEEKS - 1 - i) as i64 * WEEK_MS;
            json!([end - WEEK_MS, end])
        })
        .collect();
    let mut overall = Vec::new();
    let mut range = Vec::new();
    let mut rolling = Vec::new();
    for metric in &pb.metrics {
        let (avg, min_max, last) = metric_stats(host, &pb.id, &metric.id)?;
        overall.push(json!(avg));
        range.push(min_max.map_or(Value::Null, |(lo, hi)| json!([lo, hi])));
        rolling.push(json!(last));
    }
    Ok(HttpResponse::json(
        200,
        &json!({
            "runs_in_progress": in_progress,
            "participants_active": participants,
            "runs_finished_prev_30_days": finished_30,
            "runs_finished_per_week": per_week,
            "runs_finished_per_week_times": week_times,
            "average_duration_ms": average_duration,
            "metric_overall_average": overall,
            "metric_value_range": range,
            "metric_rolling_values": rolling,
        }),
    ))
}

/// A metric's mean (exact: summed in two parts so that values up to
/// `i64::MAX` never overflow the database's 64-bit sum), min and max, and
/// its last [`ROLLING`] values by run start, oldest first.
#[allow(clippy::type_complexity)]
fn metric_stats<H: Host>(
    host: &H,
    playbook_id: &str,
    metric_id: &str,
) -> Result<(Option<i64>, Option<(i64, i64)>, Vec<i64>), ApiError> {
    const SPLIT: i64 = 1 << 20;
    let rows = host.sql_query(
        "SELECT COUNT(*) AS n, CAST(SUM(value / $3) AS BIGINT) AS high, \
         CAST(SUM(value % $3) AS BIGINT) AS low, MIN(value) AS lo, MAX(value) AS hi \
         FROM run_metrics WHERE playbook_id = $1 AND metric_id = $2",
        &params![playbook_id, metric_id, SPLIT],
    )?;
    let Some(row) = rows.first() else {
        return Ok((None, None, Vec::new()));
    };
    let n = row.i64("n")?;
    if n == 0 {
        return Ok((None, None, Vec::new()));
    }
    let sum = i128::from(row.i64("high")?) * i128::from(SPLIT) + i128::from(row.i64("low")?);
    let mean = (sum / i128::from(n)) as i64;
    let min_max = (row.i64("lo")?, row.i64("hi")?);
    let last = host.sql_query(
        "SELECT value FROM run_metrics WHERE playbook_id = $1 AND metric_id = $2 \
         ORDER BY create_at DESC, value DESC LIMIT $3",
        &params![playbook_id, metric_id, ROLLING],
    )?;
    let mut values: Vec<i64> = last
        .iter()
        .map(|r| r.i64("value"))
        .collect::<Result<_, _>>()?;
    values.reverse();
    Ok((Some(mean), Some(min_max), values))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::playbooks::model::MetricConfig;
    use crate::rest::test_client::{call, ok, start};
    use crate::runs::create::tests::{PB, playbook, put_playbook};

    #[test]
    fn counts_runs_weeks_and_metrics() {
        let mut host = crate::playbooks::store::test_host::TestHost::new();
        let mut pb = playbook();
        pb.invite_users_enabled = false;
        pb.retrospective_enabled = true;
        pb.metrics = vec![MetricConfig {
            id: "m1".into(),
            title: "Cost".into(),
            kind: "metric_integer".into(),
            ..Default::default()
        }];
        put_playbook(&host, &pb);
        let mut ids = Vec::new();
        for name in ["A", "B", "C"] {
            let run = start(
                &host,
                "bob",
                json!({"playbook_id": PB, "team_id": "t1", "name": name}),
            );
            ids.push(run["id"].as_str().unwrap().to_owned());
            host.inner.now += 3_600_000;
        }
        for (id, cost) in ids.iter().zip([10, 30]) {
            ok(
                &host,
                "bob",
                "POST",
                &format!("/runs/{id}/retrospective"),
                Some(json!({"metrics": [{"metric_config_id": "m1", "value": cost}]})),
            );
            ok(&host, "bob", "PUT", &format!("/runs/{id}/finish"), None);
        }
        host.inner.now += 8 * 86_400_000;
        let stats = ok(
            &host,
            "bob",
            "GET",
            &format!("/stats/playbook?playbook_id={PB}"),
            None,
        );
        assert_eq!(stats["runs_in_progress"], 1);
        assert_eq!(stats["participants_active"], 1);
        assert_eq!(stats["runs_finished_prev_30_days"], 2);
        let weeks = stats["runs_finished_per_week"].as_array().unwrap();
        assert_eq!(weeks.len(), 12);
        assert_eq!(
            weeks[10], 2,
            "finished 8 days ago: the week before this one"
        );
        assert_eq!(stats["metric_overall_average"], json!([20]));
        assert_eq!(stats["metric_value_range"], json!([[10, 30]]));
        assert_eq!(stats["metric_rolling_values"], json!([[10, 30]]));
        assert!(stats["average_duration_ms"].as_i64().unwrap() > 0);

        assert_eq!(
            call(
                &host,
                Some("carol"),
                "GET",
                &format!("/stats/playbook?playbook_id={PB}"),
                None
            )
            .status,
            403
        );
        let r = call(&host, Some("bob"), "GET", "/stats/playbook", None);
        assert!(r.status == 400 && r.message().starts_with("playbook_id"));
        assert_eq!(
            call(
                &host,
                Some("bob"),
                "GET",
                "/stats/playbook?playbook_id=nope",
                None
            )
            .status,
            404
        );
    }

    /// Metric values may each be up to `i64::MAX`: their sum overflowed
    /// (a panic, so a trap in the sandbox, with overflow checks; a wrong
    /// average without them).
    #[test]
    fn the_average_of_huge_metric_values_does_not_overflow() {
        let host = crate::playbooks::store::test_host::TestHost::new();
        let mut pb = playbook();
        pb.invite_users_enabled = false;
        pb.metrics = vec![MetricConfig {
            id: "m1".into(),
            title: "Cost".into(),
            kind: "metric_integer".into(),
            ..Default::default()
        }];
        put_playbook(&host, &pb);
        for name in ["A", "B"] {
            let run = start(
                &host,
                "bob",
                json!({"playbook_id": PB, "team_id": "t1", "name": name}),
            );
            let id = run["id"].as_str().unwrap();
            ok(
                &host,
                "bob",
                "POST",
                &format!("/runs/{id}/retrospective"),
                Some(json!({"metrics": [{"metric_config_id": "m1", "value": i64::MAX}]})),
            );
        }
        let stats = ok(
            &host,
            "bob",
            "GET",
            &format!("/stats/playbook?playbook_id={PB}"),
            None,
        );
        assert_eq!(stats["metric_overall_average"], json!([i64::MAX]));
    }
}
