//! Run list benchmark: `GET /runs` of the playbooks plugin with 100,000
//! runs in one team (plain `harness = false` timing; run with `cargo bench
//! -p host-shim --bench runs` after `cargo xtask build-plugins`).
//!
//! Runs are written straight into the plugin's KV namespace with the
//! plugin's own layout (`run/<id>`, `rt/<team>/<create_at>/<id>` holding
//! the run's summary, `rc/<channel>/<id>`, see decision 007), 1,000 per
//! transaction, then the
//! list route is called through the real `serve-http` hook as a system
//! admin: the first page of the team, a filtered list (owner + in
//! progress), a search, and a channel's runs (narrow index).

use std::time::{Duration, Instant};

use chat_store::ports::kv::KvOp;
use host_shim::model::{User, new_id, now_ms};
use host_shim::runtime::hooks;
use host_shim::startup::{ServerConfig, build};
use serde_json::json;

const RUNS: usize = 100_000;
const BATCH: usize = 1000;

fn report(name: &str, iterations: usize, total: Duration) {
    let per = total / iterations as u32;
    println!("{name:<60} {iterations:>5} iterations  {per:>12.2?} each");
}

fn main() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let dir = tempfile::tempdir()?;
        let config = ServerConfig::new("127.0.0.1:0".parse()?, dir.path().join("data"));
        let state = build(&config).await?;
        let plugin = state
            .plugins
            .running("playbooks")
            .ok_or_else(|| anyhow::anyhow!("playbooks not running"))?;
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

        let team = "t".repeat(26);
        let owners: Vec<String> = (0..50).map(|i| format!("{:0>26}", format!("owner{i}"))).collect();
        let started = Instant::now();
        for batch in 0..RUNS / BATCH {
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
                    "participant_ids": [owners[i % owners.len()], owners[0]],
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
        report("write 100,000 runs + indexes (per 1,000-run transaction)", RUNS / BATCH, started.elapsed());

        let list = |query: String| {
            let req = hooks::HttpRequest {
                method: "GET".into(),
                path: "/api/v0/runs".into(),
                query,
                headers: Vec::new(),
                body: Vec::new(),
                user_id: Some(admin.id.clone()),
            };
            let resp = plugin
                .call("serve-http", move |b, s| b.serve_http(s, &req))
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            anyhow::ensure!(resp.status == 200, "status {}: {}", resp.status, String::from_utf8_lossy(&resp.body));
            Ok(resp.body.len())
        };
        for (name, query, n) in [
            ("GET /runs team, first page of 20 (100,000 candidates)", format!("team_id={team}&per_page=20"), 5),
            ("GET /runs team, owner + InProgress", format!("team_id={team}&owner_user_id={}&statuses=InProgress", owners[3]), 5),
            ("GET /runs team, search_term", format!("team_id={team}&search_term=Incident%2099999"), 5),
            ("GET /runs channel (20 runs, channel index)", format!("channel_id={:0>26}&per_page=20", "ch42"), 200),
        ] {
            list(query.clone())?;
            let started = Instant::now();
            for _ in 0..n {
                list(query.clone())?;
            }
            report(name, n, started.elapsed());
        }
        Ok(())
    })
}
