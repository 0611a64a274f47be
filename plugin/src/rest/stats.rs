//! `GET /stats/playbook?playbook_id=` — a playbook's numbers for its
//! dashboard, from its runs (the `rp/<playbook>/` index, streamed):
//!
//! `{runs_in_progress, participants_active, runs_finished_prev_30_days,
//! runs_finished_per_week: [12 counts, oldest first],
//! runs_finished_per_week_times: [[start_ms, end_ms], …], average_duration_ms,
//! metric_overall_average: [per metric, null when no values],
//! metric_value_range: [[min, max] or null], metric_rolling_values: [[the last
//! 10 values, oldest first]]}` — metrics in the playbook's order.
//! The caller must be able to view the playbook.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::router::Router;
use super::runs::viewer;
use super::{ApiError, ApiResult, Ctx, Handler};
use crate::api::HttpResponse;
use crate::host::Host;
use crate::playbooks::FieldError;
use crate::playbooks::store::PlaybookStore;
use crate::runs::model::status;
use crate::runs::store::{RunFilter, RunStore, Viewer, can_view_playbook};

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
    let caller = viewer(ctx);
    if !can_view_playbook(ctx.host, &caller, &pb)? {
        return Err(ApiError::forbidden(
            "You do not have permission to view this playbook.",
        ));
    }
    let now = ctx.host.now_ms();
    let mut in_progress = 0usize;
    let mut participants: BTreeSet<String> = BTreeSet::new();
    let mut finished_30 = 0usize;
    let mut per_week = [0usize; WEEKS];
    let mut durations: Vec<i64> = Vec::new();
    // Per metric: (create_at, value) of every run that has a value.
    let mut values: Vec<Vec<(i64, i64)>> = vec![Vec::new(); pb.metrics.len()];
    let everyone = Viewer {
        user_id: caller.user_id.clone(),
        is_system_admin: true,
    };
    let filter = RunFilter {
        playbook_id: pb.id.clone(),
        ..RunFilter::default()
    };
    RunStore::new(ctx.host).scan(&everyone, &filter, |run| {
        if run.current_status == status::IN_PROGRESS {
            in_progress += 1;
            participants.extend(run.participant_ids.iter().cloned());
        } else if run.end_at > 0 {
            durations.push(run.end_at - run.create_at);
            if now - run.end_at <= 30 * 86_400_000 {
                finished_30 += 1;
            }
            let ago = (now - run.end_at).div_euclid(WEEK_MS);
            if (0..WEEKS as i64).contains(&ago) {
                per_week[WEEKS - 1 - ago as usize] += 1;
            }
        }
        for (i, m) in pb.metrics.iter().enumerate() {
            if let Some(v) = run
                .metrics_data
                .iter()
                .find(|d| d.metric_config_id == m.id)
                .and_then(|d| d.value)
            {
                values[i].push((run.create_at, v));
            }
        }
    })?;
    let week_times: Vec<Value> = (0..WEEKS)
        .map(|i| {
            let end = now - (WEEKS - 1 - i) as i64 * WEEK_MS;
            json!([end - WEEK_MS, end])
        })
        .collect();
    // Summed in i128: each value may be up to i64::MAX; the mean fits in i64.
    let average = |v: &[i64]| {
        (!v.is_empty()).then(|| {
            let sum: i128 = v.iter().map(|&x| i128::from(x)).sum();
            (sum / v.len() as i128) as i64
        })
    };
    let mut overall = Vec::new();
    let mut range = Vec::new();
    let mut rolling = Vec::new();
    for series in &mut values {
        series.sort();
        let nums: Vec<i64> = series.iter().map(|(_, v)| *v).collect();
        overall.push(json!(average(&nums)));
        range.push(match (nums.iter().min(), nums.iter().max()) {
            (Some(lo), Some(hi)) => json!([lo, hi]),
            _ => Value::Null,
        });
        rolling.push(json!(nums[nums.len().saturating_sub(ROLLING)..]));
    }
    Ok(HttpResponse::json(
        200,
        &json!({
            "runs_in_progress": in_progress,
            "participants_active": participants.len(),
            "runs_finished_prev_30_days": finished_30,
            "runs_finished_per_week": per_week,
            "runs_finished_per_week_times": week_times,
            "average_duration_ms": average(&durations),
            "metric_overall_average": overall,
            "metric_value_range": range,
            "metric_rolling_values": rolling,
        }),
    ))
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
