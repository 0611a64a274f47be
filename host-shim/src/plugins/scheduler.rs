//! Fires due scheduled jobs into plugins' `scheduled-job` hook.
//!
//! Jobs are rows in the job store, so they survive restarts. Delivery is at
//! least once (decision 016): a due job is leased (it stays stored, hidden
//! for [`LEASE`]), the hook runs, and the job is removed only after the hook
//! returned. If the hook traps, the job fires again after [`TRAP_RETRY`]; if
//! the server dies mid-hook, the job fires again when the lease expires.
//! Within one server a job never runs twice at once.
//!
//! The contract for plugins: a job may be delivered more than once (after a
//! trap, or after a crash or restart during its hook), at most once per
//! lease; handlers must be idempotent.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::PluginManager;
use crate::model::{new_id, now_ms};
use chat_store::ports::jobs::Job;

/// Longest sleep between looks at the job table.
const MAX_IDLE: Duration = Duration::from_secs(30);
/// Jobs fetched per look.
const BATCH: u32 = 100;
/// How long a firing owns its job. Far above any hook deadline (seconds)
/// plus the wait for a free instance; also how late a job fires again
/// after a crash.
pub const LEASE: Duration = Duration::from_secs(60);
/// Delay before a job whose hook trapped fires again.
pub const TRAP_RETRY: Duration = Duration::from_secs(5);
/// Firings of a job whose hook traps. Two, so that a job that always traps
/// cannot by itself reach the three failures that disable a plugin.
pub const MAX_TRAPPED_ATTEMPTS: u32 = 2;
/// Leases after which a job that never completes (it crashes the server,
/// or its plugin never answers) is dropped.
pub const MAX_LEASES: u32 = 5;

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// Jobs whose hook is running in this process: `(plugin_id, key)`.
type InFlight = Arc<Mutex<HashSet<(String, String)>>>;

pub fn spawn_job_dispatcher(manager: Arc<PluginManager>) {
    tokio::spawn(async move {
        let wake = manager.services().scheduler_wake.clone();
        let in_flight: InFlight = Arc::default();
        loop {
            let fired = fire_due(&manager, &in_flight).await;
            let jobs = manager.services().jobs.clone();
            let next = tokio::task::spawn_blocking(move || jobs.next_due_at()).await;
            let now = now_ms();
            let sleep = match next {
                Ok(Ok(Some(at))) if at > now => {
                    Duration::from_millis(u64::try_from(at - now).unwrap_or(0)).min(MAX_IDLE)
                }
                // Due jobs remain (their plugin is not running, or they are
                // still running here): look again later.
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

/// Leases and delivers every due job of a running plugin. Returns how many fired.
async fn fire_due(manager: &Arc<PluginManager>, in_flight: &InFlight) -> usize {
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
        let slot = (job.plugin_id.clone(), job.key.clone());
        if !in_flight
            .lock()
            .is_ok_and(|mut set| set.insert(slot.clone()))
        {
            continue;
        }
        let lease_id = new_id();
        let jobs = manager.services().jobs.clone();
        let (leased, id) = (job.clone(), lease_id.clone());
        let now = now_ms();
        let attempt = tokio::task::spawn_blocking(move || {
            jobs.lease(&leased, &id, now, now.saturating_add(ms(LEASE)))
        })
        .await;
        let attempt = match attempt {
            Ok(Ok(Some(attempt))) => attempt,
            other => {
                if let Ok(Err(err)) = other {
                    tracing::error!(%err, "cannot lease a scheduled job");
                }
                release(in_flight, &slot);
                continue;
            }
        };
        fired += 1;
        let manager = manager.clone();
        let in_flight = in_flight.clone();
        tokio::spawn(async move {
            run_leased(&manager, job, lease_id, attempt).await;
            release(&in_flight, &slot);
            manager.services().scheduler_wake.notify_one();
        });
    }
    fired
}

fn release(in_flight: &InFlight, slot: &(String, String)) {
    if let Ok(mut set) = in_flight.lock() {
        set.remove(slot);
    }
}

/// What to do with a leased job after its firing.
#[derive(Debug, PartialEq, Eq)]
enum After {
    /// Remove it (done, or given up).
    Complete,
    /// Fire again this much later.
    RetryIn(Duration),
}

/// The rule, apart from the I/O: `ran` is `Some(true)` when the hook
/// returned, `Some(false)` when it trapped, `None` when the plugin was not
/// running.
fn after_firing(ran: Option<bool>, attempt: u32) -> After {
    match ran {
        Some(true) => After::Complete,
        Some(false) if attempt >= MAX_TRAPPED_ATTEMPTS => After::Complete,
        Some(false) => After::RetryIn(TRAP_RETRY.saturating_mul(attempt)),
        None => After::RetryIn(Duration::from_secs(1)),
    }
}

async fn run_leased(manager: &Arc<PluginManager>, job: Job, lease_id: String, attempt: u32) {
    let after = if attempt > MAX_LEASES {
        tracing::error!(plugin = %job.plugin_id, key = %job.key, attempt, "job never completed; dropped");
        After::Complete
    } else {
        let (key, payload) = (job.key.clone(), job.payload.clone());
        let result = manager
            .call(&job.plugin_id, "scheduled-job", move |g, s| {
                g.scheduled_job(s, &key, &payload)
            })
            .await;
        let ran = result.as_ref().map(Result::is_ok);
        let after = after_firing(ran, attempt);
        match (&result, &after) {
            (Some(Err(err)), After::Complete) => {
                tracing::error!(plugin = %job.plugin_id, key = %job.key, attempt, %err, "job hook failed; dropped after retries")
            }
            (Some(Err(err)), After::RetryIn(delay)) => {
                tracing::warn!(plugin = %job.plugin_id, key = %job.key, attempt, %err, retry_in = ?delay, "job hook failed; will retry")
            }
            (None, _) => {
                tracing::warn!(plugin = %job.plugin_id, key = %job.key, "job leased but plugin stopped; kept")
            }
            _ => {}
        }
        after
    };
    let jobs = manager.services().jobs.clone();
    let (plugin_id, key) = (job.plugin_id.clone(), job.key.clone());
    let saved = tokio::task::spawn_blocking(move || match after {
        After::Complete => jobs.complete(&plugin_id, &key, &lease_id),
        After::RetryIn(delay) => jobs.retry_at(
            &plugin_id,
            &key,
            &lease_id,
            now_ms().saturating_add(ms(delay)),
        ),
    })
    .await;
    if let Ok(Err(err)) = saved {
        // The lease expires and the job fires again.
        tracing::error!(plugin = %job.plugin_id, key = %job.key, %err, "cannot update a scheduled job");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trapped_job_is_retried_once_then_dropped() {
        assert_eq!(after_firing(Some(true), 1), After::Complete);
        assert_eq!(after_firing(Some(false), 1), After::RetryIn(TRAP_RETRY));
        assert_eq!(after_firing(Some(false), 2), After::Complete);
        assert_eq!(
            after_firing(None, 3),
            After::RetryIn(Duration::from_secs(1)),
            "a stopped plugin keeps its job"
        );
    }
}
