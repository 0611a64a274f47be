//! Where an outgoing webhook may connect: the SSRF rules (issue 11,
//! finding 9a).
//!
//! Public addresses are allowed; loopback, private, link-local and other
//! non-public ranges only when their host is in the allow-list (like
//! Mattermost's `AllowedUntrustedInternalConnections`). IPv6 forms that
//! reach IPv4 through translation (IPv4-compatible/-mapped, SIIT, NAT64)
//! are judged by the IPv4 address they embed; 6to4, Teredo and local-use
//! NAT64, whose reach cannot be judged from the address, are refused.
//!
//! The check happens where the address is chosen: [`CheckedResolver`] is the
//! HTTP client's only DNS resolver and hands it only addresses that passed,
//! so the client connects to exactly what was checked (no second lookup a
//! rebinding DNS server could answer differently). IP literals never reach a
//! resolver; [`WebhookPolicy::check_url`] judges them, at queue time and
//! again before each send.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use super::WebhookPolicy;
use crate::error::{AppError, AppResult};

impl WebhookPolicy {
    fn host_is_listed(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.');
        self.allowed_internal_hosts
            .iter()
            .any(|h| h.trim_end_matches('.').eq_ignore_ascii_case(host))
    }

    /// Checks a URL (scheme, and the host when it is an IP literal or a
    /// `localhost` name). Returns the parsed URL.
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
        let name = host.trim_end_matches('.').to_ascii_lowercase();
        let internal = match host.parse::<IpAddr>() {
            Ok(ip) => is_internal(ip),
            Err(_) => name == "localhost" || name.ends_with(".localhost"),
        };
        if internal && !self.host_is_listed(host) {
            return Err(AppError::Forbidden(format!(
                "webhook destination {host} is internal and not in the allowed hosts"
            )));
        }
        Ok(url)
    }

    /// The addresses of `host` a delivery may connect to: all of them for an
    /// allow-listed host; otherwise all of them only if none is internal (a
    /// name that mixes public and internal addresses is refused whole).
    pub fn filter_resolved(
        &self,
        host: &str,
        addrs: Vec<SocketAddr>,
    ) -> Result<Vec<SocketAddr>, String> {
        if addrs.is_empty() {
            return Err(format!("{host} has no addresses"));
        }
        if self.host_is_listed(host) {
            return Ok(addrs);
        }
        if let Some(bad) = addrs.iter().find(|a| is_internal(a.ip())) {
            return Err(format!(
                "{host} resolves to internal address {}, which is not allowed",
                bad.ip()
            ));
        }
        Ok(addrs)
    }
}

/// The webhook client's DNS resolver: resolves once and returns only
/// addresses the policy allows, so the connection goes to a checked address.
pub struct CheckedResolver {
    pub policy: Arc<WebhookPolicy>,
}

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        Box::pin(async move {
            let host = name.as_str().to_string();
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed = policy.filter_resolved(&host, addrs).map_err(Refused)?;
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// The resolver's refusal, recognisable in a send error's source chain.
#[derive(Debug)]
struct Refused(String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

/// Whether a send failed because the resolver refused the destination.
pub(super) fn is_refusal(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(err);
    while let Some(e) = current {
        if e.is::<Refused>() {
            return true;
        }
        current = e.source();
    }
    false
}

fn is_internal_v4(v4: Ipv4Addr) -> bool {
    let [a, b, c, _] = v4.octets();
    v4.is_loopback()
        || v4.is_private()
        || v4.is_link_local()
        || v4.is_unspecified()
        || v4.is_broadcast()
        || v4.is_multicast()
        || v4.is_documentation()
        || a == 0 // "this network"
        || a >= 240 // reserved
        || (a == 100 && (b & 0xc0) == 64) // CGNAT 100.64.0.0/10
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b & 0xfe) == 18) // benchmarking 198.18.0.0/15
}

/// The IPv4 address an IPv6 address stands for through a translation
/// mechanism the network may apply: IPv4-compatible `::a.b.c.d`,
/// IPv4-mapped `::ffff:a.b.c.d`, SIIT `::ffff:0:a.b.c.d` and the NAT64
/// well-known prefix `64:ff9b::/96`.
fn embedded_ipv4(v6: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = v6.segments();
    let low = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    match s[..6] {
        [0, 0, 0, 0, 0, 0] | [0, 0, 0, 0, 0, 0xffff] | [0, 0, 0, 0, 0xffff, 0] => Some(low),
        [0x64, 0xff9b, 0, 0, 0, 0] => Some(low),
        _ => None,
    }
}

/// Loopback, private, link-local, unspecified, multicast and similar
/// non-public ranges, including IPv6 forms that embed or tunnel to them.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_internal_v4(v4),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (s[0] & 0xffc0) == 0xfe80 // link local fe80::/10
                || (s[0] & 0xffc0) == 0xfec0 // site local fec0::/10 (deprecated)
                || (s[0] == 0x64 && s[1] == 0xff9b && s[2] == 1) // local-use NAT64 64:ff9b:1::/48
                || s[0] == 0x2002 // 6to4 2002::/16
                || (s[0] == 0x2001 && s[1] == 0) // Teredo 2001::/32
                || (s[0] == 0x2001 && s[1] == 0xdb8) // documentation
                || (s[0] == 0x100 && s[1..4] == [0, 0, 0]) // discard 100::/64
                || embedded_ipv4(v6).is_some_and(is_internal_v4)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn internal(text: &str) -> bool {
        is_internal(text.parse().unwrap())
    }

    #[test]
    fn internal_ranges() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "0.1.2.3",
            "255.255.255.255",
            "224.0.0.1",
            "240.0.0.1",
            "198.18.0.1",
            "192.0.0.8",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "::127.0.0.1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:0:10.0.0.1",
            "64:ff9b::127.0.0.1",
            "64:ff9b::169.254.169.254",
            "64:ff9b:1::8.8.8.8",
            "2002:7f00:1::1",
            "2002:808:808::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "2001:db8::1",
            "100::1",
        ] {
            assert!(internal(ip), "{ip} is internal");
        }
        for ip in [
            "8.8.8.8",
            "1.1.1.1",
            "100.128.0.1",
            "172.32.0.1",
            "2606:4700:4700::1111",
            "2001:4860:4860::8888",
            "64:ff9b::8.8.8.8",
            "::ffff:8.8.8.8",
        ] {
            assert!(!internal(ip), "{ip} is public");
        }
    }

    #[test]
    fn internal_destinations_need_listing() {
        let policy = WebhookPolicy::default();
        assert!(policy.check_url("http://127.0.0.1:9/x").is_err());
        assert!(policy.check_url("http://localhost/x").is_err());
        assert!(policy.check_url("http://LOCALHOST./x").is_err());
        assert!(policy.check_url("http://a.localhost/x").is_err());
        assert!(policy.check_url("http://10.1.2.3/x").is_err());
        assert!(
            policy.check_url("http://0x7f.1/x").is_err(),
            "normalised IPv4"
        );
        assert!(policy.check_url("http://[::1]/x").is_err());
        assert!(policy.check_url("http://[::ffff:7f00:1]/x").is_err());
        assert!(policy.check_url("http://[64:ff9b::a00:1]/x").is_err());
        assert!(policy.check_url("https://hooks.example.com/x").is_ok());
        assert!(matches!(
            policy.check_url("ftp://example.com"),
            Err(AppError::Invalid(_))
        ));
        let listed = WebhookPolicy {
            allowed_internal_hosts: vec!["127.0.0.1".into(), "hooks.internal".into()],
            ..Default::default()
        };
        assert!(listed.check_url("http://127.0.0.1:9/x").is_ok());
        assert!(listed.check_url("http://10.0.0.1:9/x").is_err());
        let loopback: SocketAddr = "127.0.0.1:0".parse().unwrap();
        assert!(
            listed
                .filter_resolved("hooks.internal.", vec![loopback])
                .is_ok()
        );
    }

    #[test]
    fn resolved_addresses_are_filtered_as_a_whole() {
        let policy = WebhookPolicy::default();
        let public: SocketAddr = "93.184.216.34:0".parse().unwrap();
        let private: SocketAddr = "10.0.0.7:0".parse().unwrap();
        let mapped: SocketAddr = "[::ffff:10.0.0.7]:0".parse().unwrap();
        assert_eq!(
            policy.filter_resolved("example.com", vec![public]),
            Ok(vec![public])
        );
        assert!(
            policy
                .filter_resolved("rebind.example", vec![private])
                .is_err()
        );
        assert!(
            policy
                .filter_resolved("rebind.example", vec![public, mapped])
                .is_err(),
            "one internal address refuses the name"
        );
        assert!(policy.filter_resolved("empty.example", vec![]).is_err());
    }

    #[tokio::test]
    async fn the_resolver_refuses_a_name_that_resolves_internally() {
        let resolver = CheckedResolver {
            policy: Arc::new(WebhookPolicy::default()),
        };
        let name: Name = "localhost".parse().unwrap();
        assert!(resolver.resolve(name).await.is_err());
        let listed = CheckedResolver {
            policy: Arc::new(WebhookPolicy {
                allowed_internal_hosts: vec!["localhost".into()],
                ..Default::default()
            }),
        };
        let addrs: Vec<_> = listed
            .resolve("localhost".parse().unwrap())
            .await
            .map_err(|e| e.to_string())
            .unwrap()
            .collect();
        assert!(addrs.iter().all(|a| a.ip().is_loopback()), "{addrs:?}");
    }
}
