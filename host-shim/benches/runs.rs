//! Run list benchmark: `GET /runs` of the playbooks plugin with 100,000
//! runs in one team (`BENCH_RUNS` to change it; plain `harness = false`
//! timing; run with `cargo bench -p host-shim --bench runs` after `cargo
//! xtask build-plugins`).
//!
//! Runs are written into the plugin's KV namespace as the previous
//! release kept them (`run/<id>`, `rt/<team>/<create_at>/<id>` holding the
//! run's summary, `rc/<channel>/<id>`: decision 007), 1,000 per
//! transaction. Restarting the plugin then imports them into its tables
//! (decision 022): that time is the upgrade's. Then the list route is
//! called through the real `serve-http` hook, as a system admin and as a
//! plain team member (whose visibility is checked in SQL): the first page
//! of the team, a filtered list (owner + in progress), a search, and a
//! channel's runs. Each figure is the median of its iterations.

use std::time::{Duration, Instant};

use chat_store::ports::kv::KvOp;
use host_shim::model::{User, new_id, now_ms};
use host_shim::runtime::hooks;
use host_shim::startup::{ServerConfig, build};
use serde_json::json;

const BATCH: usize = 1000;

fn report(name: &str, iterations: usize, total: Duration) {
    let per = total / iterations as u32;
    println!("{name:<60} {iterations:>5} iterations  {per:>12.2?} each");
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let dir = tempfile::tempdir()?;
        let config = ServerConfig::new("127.0.0.1:0".parse()?, dir.path().join("data"));
        let state = build(&config).await?;
        anyhow::ensure!(
            state.plugins.running("playbooks").is_some(),
            "playbooks not running"
        );
        let admin = User {
            id: new_id(),
            create_at: now_ms(),
            update_at: now_ms(),
            username: "benchadmin".into(),
            email: "benchadmin@example.com".into(),
            roles: "system_admin system_user".into(),
            ..Default::default()
        };
        state.services.chat.create_user(&admin, None)?;
        let member = User {
            id: new_id(),
            create_at: now_ms(),
            update_at: now_ms(),
            username: "benchmember".into(),
            email: "benchmember@example.com".into(),
            roles: "system_user".into(),
            ..Default::default()
        };
        state.services.chat.create_user(&member, None)?;
        let runs: usize = std::env::var("BENCH_RUNS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(100_000);

        let team = "t".repeat(26);
        state.services.chat.create_team(&host_shim::model::Team {
            id: team.clone(),
            create_at: now_ms(),
            update_at: now_ms(),
            name: "bench".into(),
            display_name: "Bench".into(),
            team_type: "O".into(),
            ..Default::default()
        })?;
        state
            .services
            .chat
            .add_team_member(&team, &member.id, "team_user")?;
        let owners: Vec<String> = (0..50).map(|i| format!("{:0>26}", format!("owner{i}"))).collect();
        let started = Instant::now();
        for batch in 0..runs / BATCH {
            let mut ops = Vec::with_capacity(BATCH * 3);
            for i in batch * BATCH..(batch + 1) * BATCH {
                let id = format!("{:0>26}", format!("run{i}"));
                let channel = format!("{:0>26}", format!("ch{}", i % 5000));
                let create_at = 1_700_000_000_000_i64 + i as i64 * 60_000;
                let run = json!({
                    "id": id, "name": format!("Incident {i}: database latency"),
                    "owner_user_id": owners[i % owners.len()], "reporter_user_id": owners[0],
                    "team_id": team, "channel_id": channel, "create_at": create_at,
                    "update_at": create_at, "end_at": if i % 10 == 0 { 0 } else { create_at + 3_600_000 },
                    "current_status": if i % 10 == 0 { "InProgress" } else { "Finished" },
                    // The member takes part in one run in a hundred.
                    "participant_ids": if i % 100 == 10 {
                        json!([owners[i % owners.len()], owners[0], member.id])
                    } else {
                        json!([owners[i % owners.len()], owners[0]])
                    },
                    "checklists": [{"id": "c", "title": "Triage", "items": [
                        {"id": "i1", "title": "Assess impact", "state": "closed"},
                        {"id": "i2", "title": "Page the database team", "state": ""},
                        {"id": "i3", "title": "Post a status update", "state": ""}]}],
                    "type": "channelChecklist",
                });
                // The team index entry carries the run's summary, as the
                // plugin writes it (`RunSummary`).
                let summary = json!({
                    "id": id, "name": run["name"], "team_id": team, "channel_id": channel,
                    "playbook_id": "", "owner_user_id": run["owner_user_id"],
                    "current_status": run["current_status"], "create_at": create_at,
                    "end_at": run["end_at"], "update_at": create_at, "last_status_update_at": 0,
                    "participant_ids": run["participant_ids"], "followers": [],
                });
                ops.push(KvOp::Set(format!("run/{id}"), run.to_string().into_bytes()));
                ops.push(KvOp::Set(
                    format!("rt/{team}/{create_at:013}/{id}"),
                    summary.to_string().into_bytes(),
                ));
                ops.push(KvOp::Set(format!("rc/{channel}/{id}"), Vec::new()));
            }
            state.services.kv.atomic_write("playbooks", &[], &ops)?;
        }
        report(
            &format!("write {runs} runs as KV (per 1,000-run transaction)"),
            runs / BATCH,
            started.elapsed(),
        );

        // The upgrade: the plugin starts on a server whose data is only in
        // KV (its database is removed while it is stopped, as if the
        // previous release had run) and imports the runs.
        let plugins = state.plugins.clone();
        let databases = state.services.plugin_sql.clone();
        let started = Instant::now();
        tokio::task::spawn_blocking(move || {
            plugins.disable("playbooks")?;
            databases.delete_database("playbooks")?;
            plugins.enable("playbooks")
        })
        .await??;
        report(&format!("import {runs} KV runs into tables (activate)"), 1, started.elapsed());
        // The name index is built after `activate`, by a scheduled job;
        // the lists below are measured once it is complete.
        let started = Instant::now();
        loop {
            let done = state.services.plugin_sql.query(
                "playbooks",
                &chat_store::ports::plugin_sql::SqlStatement {
                    sql: "SELECT done FROM kv_import WHERE name = 'run_name_grams'".into(),
                    params: Vec::new(),
                    expect_changes: None,
                },
                &chat_store::ports::plugin_sql::SqlBudget {
                    deadline: Instant::now() + Duration::from_secs(10),
                    max_result_bytes: 1 << 20,
                },
            )?;
            if matches!(done.rows.first().and_then(|r| r.first()), Some(chat_store::ports::plugin_sql::SqlValue::Integer(1))) {
                break;
            }
            anyhow::ensure!(started.elapsed() < Duration::from_secs(600), "the name index was not built");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        report(&format!("name index of {runs} runs (in the background, after activate)"), 1, started.elapsed());
        let plugin = state
            .plugins
            .running("playbooks")
            .ok_or_else(|| anyhow::anyhow!("playbooks not running after the import"))?;

        let list = |user_id: &str, query: String| {
            let req = hooks::HttpRequest {
                method: "GET".into(),
                path: "/api/v0/runs".into(),
                query,
                headers: Vec::new(),
                body: Vec::new(),
                user_id: Some(user_id.to_owned()),
            };
            let resp = plugin
                .call("serve-http", move |b, s| b.serve_http(s, &req))
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            anyhow::ensure!(resp.status == 200, "status {}: {}", resp.status, String::from_utf8_lossy(&resp.body));
            let page: serde_json::Value = serde_json::from_slice(&resp.body)?;
            Ok(page["total_count"].as_u64().unwrap_or(0))
        };
        for (who, user_id) in [("admin", &admin.id), ("member", &member.id)] {
            for (name, query, n) in [
                ("team, first page of 20", format!("team_id={team}&per_page=20"), 21),
                (
                    "team, owner + InProgress",
                    format!("team_id={team}&owner_user_id={}&statuses=InProgress&per_page=20", owners[10]),
                    21,
                ),
                ("team, search_term", format!("team_id={team}&search_term=Incident%2099910&per_page=20"), 21),
                ("channel (20 runs)", format!("channel_id={:0>26}&per_page=20", "ch10"), 101),
            ] {
                let total = list(user_id, query.clone())?;
                anyhow::ensure!(total > 0, "{name} as {who}: no runs listed; the import did not run");
                let mut samples = Vec::with_capacity(n);
                for _ in 0..n {
                    let started = Instant::now();
                    list(user_id, query.clone())?;
                    samples.push(started.elapsed());
                }
                println!(
                    "GET /runs {name:<28} as {who:<6} ({runs} runs) p50 {:>10.2?}",
                    median(samples)
                );
            }
        }
        long_timeline(&state, &plugin, &admin.id, &team)?;
        let memory = plugin.idle_instance_memory();
        println!(
            "plugin instance memory after the lists ({runs} runs): {} MiB (largest of {} instances)",
            memory.iter().max().copied().unwrap_or(0) / (1024 * 1024),
            memory.len()
        );
        Ok(())
    })
}

/// A run whose timeline holds 10,000 events (written straight into the
/// plugin's tables, as a long incident leaves them): `GET /runs/{id}` (the
/// whole run, every event) and a task checked through the REST route (an
/// update, then the whole run as the answer) and follow / unfollow (an
/// update whose answer is small: what a change costs by itself).
fn long_timeline(
    state: &host_shim::server::AppState,
    plugin: &std::sync::Arc<host_shim::runtime::plugin::LoadedPlugin>,
    admin: &str,
    team: &str,
) -> anyhow::Result<()> {
    use chat_store::ports::plugin_sql::{SqlBudget, SqlStatement, SqlValue};
    let call = |method: &str, path: String, body: &str| -> anyhow::Result<Duration> {
        let req = hooks::HttpRequest {
            method: method.into(),
            path,
            query: String::new(),
            headers: Vec::new(),
            body: body.as_bytes().to_vec(),
            user_id: Some(admin.to_owned()),
        };
        let started = Instant::now();
        let resp = plugin
            .call("serve-http", move |b, s| b.serve_http(s, &req))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let took = started.elapsed();
        anyhow::ensure!(
            resp.status == 200,
            "status {}: {}",
            resp.status,
            String::from_utf8_lossy(&resp.body)
        );
        Ok(took)
    };
    let id = format!("{:0>26}", "run10");
    let budget = || SqlBudget {
        deadline: Instant::now() + Duration::from_secs(60),
        max_result_bytes: 64 << 20,
    };
    let text = |s: String| SqlValue::Text(s);
    for chunk in 0..100 {
        let statements: Vec<SqlStatement> = (chunk * 100..(chunk + 1) * 100)
            .map(|i| SqlStatement {
                sql: "INSERT INTO run_timeline (run_id, seq, id, playbook_run_id, create_at, delete_at, \
                      event_at, event_type, summary, details, post_id, subject_user_id, creator_user_id) \
                      VALUES ($1, $2, $3, $1, $4, 0, $4, 'event_from_post', $5, '', '', '', '')"
                    .into(),
                params: vec![
                    text(id.clone()),
                    SqlValue::Integer(1_000 + i),
                    text(format!("{:0>26}", format!("ev{i}"))),
                    SqlValue::Integer(1_700_000_000_000 + i),
                    text(format!("Event {i}: the replica caught up, latency is back to normal")),
                ],
                expect_changes: Some(1),
            })
            .collect();
        state
            .services
            .plugin_sql
            .transaction("playbooks", &statements, &budget())?;
    }
    let _ = team;
    let mut read = Vec::new();
    let mut check = Vec::new();
    let mut follow = Vec::new();
    let mut follow_short = Vec::new();
    let short = format!("{:0>26}", "run20");
    for k in 0..21 {
        let method = if k % 2 == 0 { "PUT" } else { "DELETE" };
        follow_short.push(call(method, format!("/api/v0/runs/{short}/followers"), "")?);
        // An update whose answer is small: follow / unfollow.
        let method = if k % 2 == 0 { "PUT" } else { "DELETE" };
        follow.push(call(method, format!("/api/v0/runs/{id}/followers"), "")?);
        read.push(call("GET", format!("/api/v0/runs/{id}"), "")?);
        let state = if k % 2 == 0 { "closed" } else { "" };
        check.push(call(
            "PUT",
            format!("/api/v0/runs/{id}/checklists/0/item/1/state"),
            &json!({"new_state": state}).to_string(),
        )?);
    }
    println!(
        "run with 10,000 timeline events: GET /runs/{{id}} p50 {:>10.2?}",
        median(read)
    );
    println!(
        "run with 10,000 timeline events: check a task (update + whole run answered) p50 {:>10.2?}",
        median(check)
    );
    println!(
        "run with 10,000 timeline events: follow / unfollow (update, small answer) p50 {:>10.2?}",
        median(follow)
    );
    println!(
        "run without timeline events:     follow / unfollow (update, small answer) p50 {:>10.2?}",
        median(follow_short)
    );
    Ok(())
}
