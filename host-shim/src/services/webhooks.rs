//! Outgoing webhooks: plugins queue a POST and return at once; a background
//! worker delivers it with retries, so a slow receiver never blocks a hook.
//!
//! Destinations are checked twice, like Mattermost's
//! `AllowedUntrustedInternalConnections`: public addresses are allowed, while
//! loopback, private and link-local ones only when their host is listed in
//! the allow-list. The URL is checked when queued (clear error to the plugin)
//! and the resolved addresses again before sending (DNS can point anywhere).

use std::net::IpAddr;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::error::{AppError, AppResult};

/// Largest body a plugin may queue.
pub const MAX_WEBHOOK_BODY: usize = 1024 * 1024;

#[derive(Debug, Clone)]
pub struct WebhookPolicy {
    /// Hosts (names or IP literals) allowed even if internal.
    pub allowed_internal_hosts: Vec<String>,
    pub attempts: u32,
    /// Delay before the first retry; doubles after each failure.
    pub first_retry_delay: Duration,
    pub timeout: Duration,
}

impl Default for WebhookPolicy {
    fn default() -> Self {
        Self {
            allowed_internal_hosts: Vec::new(),
            attempts: 4,
            first_retry_delay: Duration::from_secs(2),
            timeout: Duration::from_secs(10),
        }
    }
}

impl WebhookPolicy {
    fn host_is_listed(&self, host: &str) -> bool {
        self.allowed_internal_hosts
            .iter()
            .any(|h| h.eq_ignore_ascii_case(host))
    }

    /// Checks a URL when it is queued. Returns the parsed URL.
    pub fn check_url(&self, raw: &str) -> AppResult<url::Url> {
        let url = url::Url::parse(raw).map_err(|e| AppError::Invalid(format!("url: {e}")))?;
        if url.scheme() != "http" && url.scheme() != "https" {
            return Err(AppError::Invalid(
                "url: only http and https are allowed".into(),
            ));
        }
        let host = url
            .host_str()
            .ok_or_else(|| AppError::Invalid("url: no host".into()))?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let internal = match host.parse::<IpAddr>() {
            Ok(ip) => is_internal(ip),
            Err(_) => host.eq_ignore_ascii_case("localhost") || host.ends_with(".localhost"),
        };
        if internal && !self.host_is_listed(host) {
            return Err(AppError::Forbidden(format!(
                "webhook destination {host} is internal and not in the allowed hosts"
            )));
        }
        Ok(url)
    }
}

/// Loopback, private, link-local, unspecified and similar non-public ranges.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.octets()[0] == 100 && (v4.octets()[1] & 0xc0) == 64 // CGNAT
        }
        IpAddr::V6(v6) => {
            v6.is_loopback()
                || v6.is_unspecified()
                || (v6.segments()[0] & 0xfe00) == 0xfc00 // unique local
                || (v6.segments()[0] & 0xffc0) == 0xfe80 // link local
                || v6.to_ipv4_mapped().is_some_and(|v4| is_internal(IpAddr::V4(v4)))
        }
    }
}

#[derive(Debug, Clone)]
struct Delivery {
    plugin_id: String,
    url: url::Url,
    body: String,
}

/// Handle used to queue deliveries.
#[derive(Clone)]
pub struct WebhookQueue {
    policy: std::sync::Arc<WebhookPolicy>,
    sender: mpsc::UnboundedSender<Delivery>,
}

impl WebhookQueue {
    /// Starts the delivery worker on the current tokio runtime.
    pub fn start(policy: WebhookPolicy) -> Self {
        let (sender, receiver) = mpsc::unbounded_channel();
        let policy = std::sync::Arc::new(policy);
        tokio::spawn(deliver_forever(policy.clone(), receiver));
        Self { policy, sender }
    }

    /// Validates and queues a JSON POST.
    pub fn post_json(&self, plugin_id: &str, url: &str, body: String) -> AppResult<()> {
        if body.len() > MAX_WEBHOOK_BODY {
            return Err(AppError::TooLarge(format!(
                "body: webhook bodies are limited to {MAX_WEBHOOK_BODY} bytes"
            )));
        }
        let url = self.policy.check_url(url)?;
        self.sender
            .send(Delivery {
                plugin_id: plugin_id.to_string(),
                url,
                body,
            })
            .map_err(|_| AppError::Internal("webhook worker stopped".into()))
    }
}

async fn deliver_forever(
    policy: std::sync::Arc<WebhookPolicy>,
    mut receiver: mpsc::UnboundedReceiver<Delivery>,
) {
    let client = match reqwest::Client::builder()
        .timeout(policy.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(client) => client,
        Err(err) => {
            tracing::error!(%err, "cannot build the webhook HTTP client; webhooks are off");
            return;
        }
    };
    while let Some(delivery) = receiver.recv().await {
        tokio::spawn(deliver_one(policy.clone(), client.clone(), delivery));
    }
}

async fn deliver_one(policy: std::sync::Arc<WebhookPolicy>, client: reqwest::Client, d: Delivery) {
    if let Err(reason) = check_resolved(&policy, &d.url).await {
        tracing::warn!(plugin = %d.plugin_id, url = %d.url, %reason, "webhook not sent");
        return;
    }
    let mut delay = policy.first_retry_delay;
    for attempt in 1..=policy.attempts.max(1) {
        let result = client
            .post(d.url.clone())
            .header("Content-Type", "application/json")
            .body(d.body.clone())
            .send()
            .await;
        match result {
            Ok(resp) if resp.status().is_success() => {
                tracing::debug!(plugin = %d.plugin_id, url = %d.url, attempt, "webhook delivered");
                return;
            }
            Ok(resp) => {
                tracing::warn!(plugin = %d.plugin_id, url = %d.url, status = %resp.status(), attempt, "webhook rejected")
            }
            Err(err) => {
                tracing::warn!(plugin = %d.plugin_id, url = %d.url, %err, attempt, "webhook failed")
            }
        }
        if attempt < policy.attempts {
            tokio::time::sleep(delay).await;
            delay *= 2;
        }
    }
    tracing::error!(plugin = %d.plugin_id, url = %d.url, "webhook given up after retries");
}

/// Resolves the host and refuses internal addresses that are not allowed.
async fn check_resolved(policy: &WebhookPolicy, url: &url::Url) -> Result<(), String> {
    let host = url
        .host_str()
        .unwrap_or_default()
        .trim_start_matches('[')
        .trim_end_matches(']');
    if policy.host_is_listed(host) {
        return Ok(());
    }
    let port = url.port_or_known_default().unwrap_or(80);
    let addrs = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| e.to_string())?;
    for addr in addrs {
        if is_internal(addr.ip()) {
            return Err(format!("{host} resolves to internal address {}", addr.ip()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_destinations_need_listing() {
        let policy = WebhookPolicy::default();
        assert!(policy.check_url("http://127.0.0.1:9/x").is_err());
        assert!(policy.check_url("http://localhost/x").is_err());
        assert!(policy.check_url("http://10.1.2.3/x").is_err());
        assert!(policy.check_url("http://[::1]/x").is_err());
        assert!(policy.check_url("https://hooks.example.com/x").is_ok());
        assert!(matches!(
            policy.check_url("ftp://example.com"),
            Err(AppError::Invalid(_))
        ));
        let listed = WebhookPolicy {
            allowed_internal_hosts: vec!["127.0.0.1".into()],
            ..Default::default()
        };
        assert!(listed.check_url("http://127.0.0.1:9/x").is_ok());
    }
}
