//! Outgoing webhooks: a plugin queues a POST (`http-out.post-json`) and
//! returns at once; a background worker delivers it, so a slow receiver
//! never blocks a hook.
//!
//! The queue lives in the store ([`DeliveryStore`], decision 016): a queued
//! POST survives a restart and is resumed by the next process. It is bounded
//! per plugin ([`WebhookPolicy::max_pending_per_plugin`], and bytes), so a
//! plugin looping over `post-json` gets an error instead of filling the
//! disk. A send is leased (the row's `next_at_ms` moves past the send's
//! timeout) and the row is removed only once the receiver answered 2xx or
//! the delivery was given up: a crash mid-send means one more send, never a
//! lost one. Receivers may therefore see a delivery more than once.
//!
//! Failures (network errors, timeouts, 5xx, 408, 429) are retried with
//! exponential back-off up to [`WebhookPolicy::attempts`] sends; other
//! answers (redirects, which are never followed, and 4xx) and refused
//! destinations are final. Where a delivery may connect is decided in
//! [`destination`].

mod destination;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chat_store::DeliveryStore;
use chat_store::ports::deliveries::{Delivery, QueueLimits};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

pub use destination::{CheckedResolver, is_internal};

use crate::error::{AppError, AppResult};
use crate::model::now_ms;

/// Largest body a plugin may queue.
pub const MAX_WEBHOOK_BODY: usize = 1024 * 1024;
/// Deliveries read from the store per look.
const BATCH: u32 = 64;
/// Longest sleep between looks at the queue.
const MAX_IDLE: Duration = Duration::from_secs(30);
/// How long past its timeout a send stays leased: covers the time between
/// the lease and the request starting.
const LEASE_MARGIN: Duration = Duration::from_secs(30);

#[derive(Debug, Clone)]
pub struct WebhookPolicy {
    /// Hosts (names or IP literals) allowed even if internal.
    pub allowed_internal_hosts: Vec<String>,
    /// Sends per delivery before it is given up.
    pub attempts: u32,
    /// Delay before the first retry; doubles after each failure.
    pub first_retry_delay: Duration,
    /// Timeout of one send (connect to last byte).
    pub timeout: Duration,
    /// Deliveries one plugin may have queued; beyond, `post-json` fails.
    pub max_pending_per_plugin: u32,
    /// Bytes of bodies one plugin may have queued.
    pub max_pending_bytes_per_plugin: u64,
    /// Sends in flight at once (all plugins).
    pub concurrency: usize,
}

impl Default for WebhookPolicy {
    fn default() -> Self {
        Self {
            allowed_internal_hosts: Vec::new(),
            // 10 s, 20 s, 40 s, 80 s: five sends over two and a half minutes.
            attempts: 5,
            first_retry_delay: Duration::from_secs(10),
            timeout: Duration::from_secs(10),
            max_pending_per_plugin: 1000,
            max_pending_bytes_per_plugin: 64 * 1024 * 1024,
            concurrency: 16,
        }
    }
}

impl WebhookPolicy {
    /// Delay before the send after attempt `attempt` (1-based) failed:
    /// doubling, at most a day.
    fn retry_delay(&self, attempt: u32) -> Duration {
        const MAX_DELAY: Duration = Duration::from_secs(24 * 60 * 60);
        let factor = 1u32
            .checked_shl(attempt.saturating_sub(1))
            .unwrap_or(u32::MAX);
        self.first_retry_delay
            .checked_mul(factor)
            .map_or(MAX_DELAY, |d| d.min(MAX_DELAY))
    }
}

struct Inner {
    policy: Arc<WebhookPolicy>,
    store: Arc<dyn DeliveryStore>,
    /// Woken when a delivery is queued or a send finishes.
    wake: Notify,
    stopped: AtomicBool,
}

/// Handle used to queue deliveries.
#[derive(Clone)]
pub struct WebhookQueue {
    inner: Arc<Inner>,
}

impl WebhookQueue {
    /// Starts the delivery worker on the current tokio runtime. Deliveries
    /// left queued by an earlier process are resumed.
    pub fn start(policy: WebhookPolicy, store: Arc<dyn DeliveryStore>) -> Self {
        let inner = Arc::new(Inner {
            policy: Arc::new(policy),
            store,
            wake: Notify::new(),
            stopped: AtomicBool::new(false),
        });
        tokio::spawn(deliver_forever(inner.clone()));
        Self { inner }
    }

    /// Validates and queues a JSON POST. Blocking (one store write).
    pub fn post_json(&self, plugin_id: &str, url: &str, body: String) -> AppResult<()> {
        if body.len() > MAX_WEBHOOK_BODY {
            return Err(AppError::TooLarge(format!(
                "body: webhook bodies are limited to {MAX_WEBHOOK_BODY} bytes"
            )));
        }
        let policy = &self.inner.policy;
        let url = policy.check_url(url)?;
        let limits = QueueLimits {
            count: policy.max_pending_per_plugin,
            bytes: policy.max_pending_bytes_per_plugin,
        };
        let queued =
            self.inner
                .store
                .enqueue_delivery(plugin_id, url.as_str(), &body, now_ms(), limits)?;
        if queued.is_none() {
            return Err(AppError::TooLarge(format!(
                "webhook queue full: at most {} deliveries ({} bytes) may wait per plugin",
                limits.count, limits.bytes
            )));
        }
        self.inner.wake.notify_one();
        Ok(())
    }

    /// Deliveries `plugin_id` has waiting (including ones being sent).
    pub fn pending(&self, plugin_id: &str) -> AppResult<u64> {
        Ok(self.inner.store.pending_deliveries(plugin_id)?)
    }

    /// Stops starting sends (at shutdown). Sends in flight finish; what is
    /// queued stays for the next process.
    pub fn stop(&self) {
        self.inner.stopped.store(true, Ordering::SeqCst);
        self.inner.wake.notify_one();
    }
}

fn build_client(policy: &Arc<WebhookPolicy>) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(policy.timeout)
        // A redirect would lead to a destination nobody checked.
        .redirect(reqwest::redirect::Policy::none())
        // A proxy from the environment would resolve the name itself.
        .no_proxy()
        .dns_resolver(Arc::new(CheckedResolver {
            policy: policy.clone(),
        }))
        .build()
}

async fn deliver_forever(inner: Arc<Inner>) {
    let client = match build_client(&inner.policy) {
        Ok(client) => client,
        Err(err) => {
            tracing::error!(%err, "cannot build the webhook HTTP client; webhooks are off");
            return;
        }
    };
    let permits = Arc::new(Semaphore::new(inner.policy.concurrency.max(1)));
    while !inner.stopped.load(Ordering::SeqCst) {
        let started = start_due(&inner, &client, &permits).await;
        let store = inner.store.clone();
        let next = tokio::task::spawn_blocking(move || store.next_delivery_at()).await;
        let now = now_ms();
        let sleep = match next {
            Ok(Ok(Some(at))) if at > now => {
                Duration::from_millis(u64::try_from(at - now).unwrap_or(0)).min(MAX_IDLE)
            }
            // Due ones remain: every permit is taken (a finishing send wakes
            // us), or the store refused a lease; look again shortly.
            Ok(Ok(Some(_))) if started == 0 => Duration::from_millis(500),
            Ok(Ok(Some(_))) => Duration::ZERO,
            Ok(Ok(None)) => MAX_IDLE,
            Ok(Err(err)) => {
                tracing::error!(%err, "cannot read the webhook queue");
                Duration::from_secs(1)
            }
            Err(_) => Duration::from_secs(1),
        };
        if !sleep.is_zero() {
            tokio::select! {
                _ = tokio::time::sleep(sleep) => {}
                _ = inner.wake.notified() => {}
            }
        }
    }
    tracing::info!("webhook worker stopped");
}

/// Leases and starts sending due deliveries while permits last. Returns how
/// many were started.
async fn start_due(
    inner: &Arc<Inner>,
    client: &reqwest::Client,
    permits: &Arc<Semaphore>,
) -> usize {
    let store = inner.store.clone();
    let due = match tokio::task::spawn_blocking(move || store.due_deliveries(now_ms(), BATCH)).await
    {
        Ok(Ok(due)) => due,
        Ok(Err(err)) => {
            tracing::error!(%err, "cannot read due webhooks");
            return 0;
        }
        Err(_) => return 0,
    };
    let lease = inner.policy.timeout + LEASE_MARGIN;
    let mut started = 0;
    for delivery in due {
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            break;
        };
        let store = inner.store.clone();
        let leased = delivery.clone();
        let until = now_ms().saturating_add(i64::try_from(lease.as_millis()).unwrap_or(i64::MAX));
        let attempt =
            match tokio::task::spawn_blocking(move || store.lease_delivery(&leased, until)).await {
                Ok(Ok(Some(attempt))) => attempt,
                Ok(Ok(None)) => continue,
                Ok(Err(err)) => {
                    tracing::error!(%err, "cannot lease a webhook delivery");
                    continue;
                }
                Err(_) => continue,
            };
        started += 1;
        tokio::spawn(send(
            inner.clone(),
            client.clone(),
            delivery,
            attempt,
            permit,
        ));
    }
    started
}

/// Why a send did not succeed.
enum Failure {
    /// Worth another try later.
    Transient(String),
    /// Another try would fail the same way.
    Final(String),
}

async fn send(
    inner: Arc<Inner>,
    client: reqwest::Client,
    d: Delivery,
    attempt: u32,
    _permit: OwnedSemaphorePermit,
) {
    let policy = &inner.policy;
    let outcome = send_once(policy, &client, &d).await;
    let store = inner.store.clone();
    let id = d.id;
    let retry_at = match outcome {
        Ok(()) => {
            tracing::debug!(plugin = %d.plugin_id, url = %d.url, attempt, "webhook delivered");
            None
        }
        Err(Failure::Final(reason)) => {
            tracing::warn!(plugin = %d.plugin_id, url = %d.url, attempt, %reason, "webhook dropped");
            None
        }
        Err(Failure::Transient(reason)) if attempt >= policy.attempts => {
            tracing::error!(plugin = %d.plugin_id, url = %d.url, attempt, %reason, "webhook given up after retries");
            None
        }
        Err(Failure::Transient(reason)) => {
            let delay = policy.retry_delay(attempt);
            tracing::warn!(plugin = %d.plugin_id, url = %d.url, attempt, %reason, retry_in = ?delay, "webhook failed; will retry");
            Some(now_ms().saturating_add(i64::try_from(delay.as_millis()).unwrap_or(i64::MAX)))
        }
    };
    let saved = tokio::task::spawn_blocking(move || match retry_at {
        Some(at) => store.retry_delivery(id, at),
        None => store.remove_delivery(id).map(|_| ()),
    })
    .await;
    if !matches!(saved, Ok(Ok(()))) {
        // The lease expires and the delivery is tried again.
        tracing::error!(plugin = %d.plugin_id, url = %d.url, "cannot update the webhook queue");
    }
    inner.wake.notify_one();
}

async fn send_once(
    policy: &WebhookPolicy,
    client: &reqwest::Client,
    d: &Delivery,
) -> Result<(), Failure> {
    // Again at send time: the allow-list may have changed since queueing
    // (a restart with other settings), and IP literals never reach the
    // resolver.
    let url = policy
        .check_url(&d.url)
        .map_err(|e| Failure::Final(e.to_string()))?;
    let result = client
        .post(url)
        .header("Content-Type", "application/json")
        .body(d.body.clone())
        .send()
        .await;
    match result {
        Ok(resp) if resp.status().is_success() => Ok(()),
        Ok(resp) => {
            let status = resp.status();
            let reason = format!("answered {status}");
            if status.is_server_error()
                || status == reqwest::StatusCode::REQUEST_TIMEOUT
                || status == reqwest::StatusCode::TOO_MANY_REQUESTS
            {
                Err(Failure::Transient(reason))
            } else if status.is_redirection() {
                Err(Failure::Final(format!(
                    "{reason}; redirects are not followed"
                )))
            } else {
                Err(Failure::Final(reason))
            }
        }
        Err(err) => {
            let text = error_chain(&err);
            if destination::is_refusal(&err) {
                Err(Failure::Final(text))
            } else {
                Err(Failure::Transient(text))
            }
        }
    }
}

fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_without_overflow() {
        let policy = WebhookPolicy::default();
        let delays: Vec<u64> = (1..=4).map(|a| policy.retry_delay(a).as_secs()).collect();
        assert_eq!(delays, vec![10, 20, 40, 80]);
        assert_eq!(policy.retry_delay(200).as_secs(), 24 * 60 * 60);
    }

    /// A destination the resolver refuses is a final failure (no retries),
    /// recognised through the client's error chain.
    #[tokio::test]
    async fn a_refused_name_is_a_final_failure() {
        // The resolver's policy refuses localhost; the URL check's lists it,
        // so the refusal comes from the resolver, inside the client.
        let client = build_client(&Arc::new(WebhookPolicy::default())).unwrap();
        let policy = WebhookPolicy {
            allowed_internal_hosts: vec!["localhost".into()],
            ..Default::default()
        };
        let delivery = Delivery {
            id: 1,
            plugin_id: "p".into(),
            url: "http://localhost:9/x".into(),
            body: "{}".into(),
            attempts: 0,
            next_at_ms: 0,
        };
        match send_once(&policy, &client, &delivery).await {
            Err(Failure::Final(reason)) => assert!(reason.contains("internal"), "{reason}"),
            Err(Failure::Transient(reason)) => panic!("transient: {reason}"),
            Ok(()) => panic!("sent"),
        }
    }
}
