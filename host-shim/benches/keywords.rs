//! Keyword-trigger benchmark: what `message-has-been-posted` costs the
//! playbooks plugin with 1,000 channels × 10 keywords configured (plain
//! `harness = false` timing; run with `cargo bench -p host-shim --bench
//! keywords` after `cargo xtask build-plugins`).
//!
//! The channel actions are written straight into the plugin's SQL database
//! (rows of `channel_actions` and `channel_action_versions`, decision 022),
//! exactly as the plugin stores them, then posts are delivered through the
//! real hook on the real component:
//!
//! - a post in a channel without actions (one primary-key query);
//! - a post that matches nothing in a channel with 10 keywords (the cached
//!   automaton; first use per channel compiles it);
//! - the first post in each of the 1,000 channels (matcher compiled);
//! - a matching post (the prompt is rate-limited per thread, so after the
//!   first one this measures match + rate-limit check).

use std::time::{Duration, Instant};

use chat_store::ports::plugin_sql::{MAX_STATEMENTS, SqlBudget, SqlStatement, SqlValue};
use host_shim::model::Post;
use host_shim::startup::{ServerConfig, build};
use serde_json::json;

const CHANNELS: usize = 1000;
const KEYWORDS: usize = 10;

fn report(name: &str, iterations: usize, total: Duration) {
    let per = total / iterations as u32;
    println!("{name:<60} {iterations:>6} iterations  {per:>12.2?} each");
}

fn channel_id(i: usize) -> String {
    format!("{:0>26}", format!("ch{i}"))
}

fn post(channel: &str, id: usize, message: &str) -> Post {
    Post {
        id: format!("{:0>26}", format!("p{id}")),
        user_id: "u".repeat(26),
        channel_id: channel.to_owned(),
        message: message.to_owned(),
        ..Default::default()
    }
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
        let mut statements = Vec::new();
        for c in 0..CHANNELS {
            let channel = channel_id(c);
            let keywords: Vec<String> = (0..KEYWORDS).map(|k| format!("kw{c}x{k}")).collect();
            let action = json!({
                "id": format!("{:0>26}", format!("a{c}")), "channel_id": channel, "enabled": true,
                "delete_at": 0, "action_type": "prompt_run_playbook", "trigger_type": "keywords",
                "payload": {"keywords": keywords, "playbook_id": "p".repeat(26), "match_mode": "word"},
            });
            let text = |s: &str| SqlValue::Text(s.to_owned());
            statements.push(SqlStatement::new(
                "INSERT INTO channel_actions (channel_id, id, data) VALUES ($1, $2, $3)",
                vec![
                    text(&channel),
                    text(&format!("{:0>26}", format!("a{c}"))),
                    text(&action.to_string()),
                ],
            ));
            statements.push(SqlStatement::new(
                "INSERT INTO channel_action_versions (channel_id, version) VALUES ($1, 1)",
                vec![text(&channel)],
            ));
        }
        let budget = SqlBudget {
            deadline: Instant::now() + Duration::from_secs(60),
            max_result_bytes: 1 << 20,
        };
        for chunk in statements.chunks(MAX_STATEMENTS) {
            state
                .services
                .plugin_sql
                .transaction("playbooks", chunk, &budget)
                .map_err(|e| anyhow::anyhow!("seeding channel actions: {e}"))?;
        }
        let text = "The database is slow again and the on-call engineer is looking at the dashboards now";
        let deliver = |p: Post| {
            plugin
                .call("message-has-been-posted", move |b, s| {
                    b.message_posted(s, &p)
                })
                .map_err(|e| anyhow::anyhow!("{e}"))
        };

        let n = 2000;
        let started = Instant::now();
        for i in 0..n {
            deliver(post(&"n".repeat(26), i, text))?;
        }
        report("post in a channel without actions", n, started.elapsed());

        let started = Instant::now();
        for c in 0..CHANNELS {
            deliver(post(&channel_id(c), c, text))?;
        }
        report("first post per channel (matcher compiled), no match", CHANNELS, started.elapsed());

        let started = Instant::now();
        for i in 0..n {
            deliver(post(&channel_id(i % CHANNELS), i, text))?;
        }
        report("post, 10 keywords cached, no match", n, started.elapsed());

        let started = Instant::now();
        for i in 0..n {
            let channel = channel_id(i % CHANNELS);
            let message = format!("{text} kw{}x3", i % CHANNELS);
            let mut p = post(&channel, 7, &message);
            p.root_id = format!("{:0>26}", "thread");
            deliver(p)?;
        }
        report("post with a keyword hit (thread already prompted)", n, started.elapsed());
        Ok(())
    })
}
