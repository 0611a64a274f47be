//! Fires due scheduled jobs into plugins' `scheduled-job` hook.
//!
//! Jobs are rows in the job store, so they survive restarts. Each firing is
//! first claimed (removed) in a transaction, then delivered: a job fires at
//! most once, including one that fell due while the server was down.

use std::sync::Arc;
use std::time::Duration;

use super::PluginManager;
use crate::model::now_ms;

/// Longest sleep between looks at the job table.
const MAX_IDLE: Duration = Duration::from_secs(30);
/// Jobs fetched per look.
const BATCH: u32 = 100;

pub fn spawn_job_dispatcher(manager: Arc<PluginManager>) {
    tokio::spawn(async move {
        let wake = manager.services().scheduler_wake.clone();
        loop {
            let fired = fire_due(&manager).await;
            let jobs = manager.services().jobs.clone();
            let next = tokio::task::spawn_blocking(move || jobs.next_due_at()).await;
            let now = now_ms();
            let sleep = match next {
                Ok(Ok(Some(at))) if at > now => {
                    Duration::from_millis((at - now) as u64).min(MAX_IDLE)
                }
                // Due jobs remain (their plugin is not running): look again later.
                Ok(Ok(Some(_))) if fired == 0 => Duration::from_secs(1),
                Ok(Ok(Some(_))) => Duration::ZERO,
                Ok(Ok(None)) => MAX_IDLE,
                Ok(Err(err)) => {
                    tracing::error!(%err, "cannot read scheduled jobs");
                    Duration::from_secs(1)
                }
                Err(_) => Duration::from_secs(1),
            };
            if !sleep.is_zero() {
                tokio::select! {
                    _ = tokio::time::sleep(sleep) => {}
                    _ = wake.notified() => {}
                }
            }
        }
    });
}

/// Claims and delivers every due job of a running plugin. Returns how many fired.
async fn fire_due(manager: &Arc<PluginManager>) -> usize {
    let jobs = manager.services().jobs.clone();
    let due = match tokio::task::spawn_blocking(move || jobs.due(now_ms(), BATCH)).await {
        Ok(Ok(due)) => due,
        Ok(Err(err)) => {
            tracing::error!(%err, "cannot read due jobs");
            return 0;
        }
        Err(_) => return 0,
    };
    let running = manager.running_ids();
    let mut fired = 0;
    for job in due {
        if !running.contains(&job.plugin_id) {
            continue;
        }
        let jobs = manager.services().jobs.clone();
        let claim = job.clone();
        let claimed = tokio::task::spawn_blocking(move || jobs.claim(&claim)).await;
        if !matches!(claimed, Ok(Ok(true))) {
            continue;
        }
        fired += 1;
        let manager = manager.clone();
        tokio::spawn(async move {
            let (key, payload) = (job.key.clone(), job.payload.clone());
            let result = manager
                .call(&job.plugin_id, "scheduled-job", move |b, s| {
                    b.chatops_plugin_hooks()
                        .call_scheduled_job(s, &key, &payload)
                })
                .await;
            if result.is_none() {
                tracing::warn!(plugin = %job.plugin_id, key = %job.key, "job claimed but plugin stopped; dropped");
            }
        });
    }
    fired
}
