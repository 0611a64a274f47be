//! Rate limits on password attempts: logins per client address and per
//! account, sign-ups per client address (GCRA, `governor`); and on
//! searches per user, the one read a single user can make expensive (deep
//! pages, prefix terms over a million posts).
//!
//! The password pool ([`super::passwords`]) bounds what a flood costs the
//! server; these limits bound what one client gets out of it: password
//! guessing against one account slows to a trickle, and one address can't
//! keep the hashing queue full for everybody else. A refused attempt costs no
//! hash and answers `429` with `Retry-After` at once.
//!
//! The client address is the TCP peer (proxies' `X-Forwarded-For` is not
//! trusted). IPv6 clients are limited per /64, the block one subscriber
//! usually gets, so an attacker can't rotate through addresses for free.

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::{AppError, AppResult};

/// A burst, then `per_minute` more each minute. `burst == 0` or
/// `per_minute == 0` turns the limit off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub burst: u32,
    pub per_minute: u32,
}

impl Limit {
    pub const OFF: Limit = Limit {
        burst: 0,
        per_minute: 0,
    };

    fn quota(self) -> Option<Quota> {
        let burst = NonZeroU32::new(self.burst)?;
        let per_minute = NonZeroU32::new(self.per_minute)?;
        Some(Quota::per_minute(per_minute).allow_burst(burst))
    }
}

/// `BURST/PER_MINUTE` (e.g. `10/6`), or `off`.
impl std::str::FromStr for Limit {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("off") || text == "0" {
            return Ok(Limit::OFF);
        }
        let parse = |n: &str| {
            n.trim()
                .parse::<u32>()
                .map_err(|_| format!("{text:?}: expected BURST/PER_MINUTE (e.g. 10/6) or off"))
        };
        let (burst, per_minute) = text
            .split_once('/')
            .ok_or_else(|| format!("{text:?}: expected BURST/PER_MINUTE (e.g. 10/6) or off"))?;
        Ok(Limit {
            burst: parse(burst)?,
            per_minute: parse(per_minute)?,
        })
    }
}

impl std::fmt::Display for Limit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.quota().is_none() {
            f.write_str("off")
        } else {
            write!(f, "{}/{}", self.burst, self.per_minute)
        }
    }
}

/// The limits; [`Default`] is what a server runs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleConfig {
    /// Login attempts from one client address (any account). Generous: an
    /// office behind one NAT logs in at nine o'clock.
    pub login_per_address: Limit,
    /// Login attempts naming one account (username or email), from
    /// anywhere: password guessing.
    pub login_per_account: Limit,
    /// Sign-ups from one client address (admins creating accounts are not
    /// limited).
    pub signup_per_address: Limit,
    /// Post and file searches by one user.
    pub search_per_user: Limit,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        Self {
            login_per_address: Limit {
                burst: 60,
                per_minute: 60,
            },
            login_per_account: Limit {
                burst: 10,
                per_minute: 6,
            },
            signup_per_address: Limit {
                burst: 20,
                per_minute: 6,
            },
            // A person searching types a query every few seconds at most;
            // a script hammering deep pages is held to one a second.
            search_per_user: Limit {
                burst: 60,
                per_minute: 60,
            },
        }
    }
}

/// Longest account key kept: longer login ids can't name an account anyway.
const MAX_ACCOUNT_KEY_BYTES: usize = 128;
/// Every this many checks, keys back at a full bucket are forgotten, so the
/// maps hold only clients seen recently.
const SWEEP_EVERY: u64 = 1024;

struct Keyed<K: Hash + Eq + Clone> {
    limiter: Option<DefaultKeyedRateLimiter<K>>,
}

impl<K: Hash + Eq + Clone> Keyed<K> {
    fn new(limit: Limit) -> Self {
        Self {
            limiter: limit.quota().map(RateLimiter::keyed),
        }
    }

    fn check(&self, key: &K, sweep: bool) -> AppResult<()> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        if sweep {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        limiter.check_key(key).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            AppError::RateLimited {
                retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
            }
        })
    }
}

/// The limiters of one server.
pub struct Throttle {
    login_per_address: Keyed<IpAddr>,
    login_per_account: Keyed<String>,
    signup_per_address: Keyed<IpAddr>,
    search_per_user: Keyed<String>,
    checks: AtomicU64,
}

impl Throttle {
    pub fn new(config: ThrottleConfig) -> Self {
        Self {
            login_per_address: Keyed::new(config.login_per_address),
            login_per_account: Keyed::new(config.login_per_account),
            signup_per_address: Keyed::new(config.signup_per_address),
            search_per_user: Keyed::new(config.search_per_user),
            checks: AtomicU64::new(0),
        }
    }

    fn sweep_now(&self) -> bool {
        self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1
    }

    /// Counts a login attempt from `client` for `login_id` (already trimmed
    /// and lowercased); `RateLimited` when either limit is used up.
    pub fn login(&self, client: IpAddr, login_id: &str) -> AppResult<()> {
        let sweep = self.sweep_now();
        self.login_per_address.check(&address_key(client), sweep)?;
        let account = truncate(login_id, MAX_ACCOUNT_KEY_BYTES).to_string();
        self.login_per_account.check(&account, sweep)
    }

    /// Counts a sign-up from `client`.
    pub fn sign_up(&self, client: IpAddr) -> AppResult<()> {
        let sweep = self.sweep_now();
        self.signup_per_address.check(&address_key(client), sweep)
    }

    /// Counts a post or file search by `user_id`.
    pub fn search(&self, user_id: &str) -> AppResult<()> {
        let sweep = self.sweep_now();
        self.search_per_user.check(&user_id.to_string(), sweep)
    }
}

/// IPv4 addresses as they are (IPv4-mapped IPv6 too), IPv6 by /64.
fn address_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(prefix.into())
            }
        },
    }
}

fn truncate(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strict() -> Throttle {
        Throttle::new(ThrottleConfig {
            login_per_address: Limit {
                burst: 5,
                per_minute: 1,
            },
            login_per_account: Limit {
                burst: 2,
                per_minute: 1,
            },
            signup_per_address: Limit::OFF,
            search_per_user: Limit {
                burst: 3,
                per_minute: 1,
            },
        })
    }

    #[test]
    fn searches_are_limited_per_user() {
        let throttle = strict();
        for _ in 0..3 {
            throttle.search("ann").unwrap();
        }
        assert!(matches!(
            throttle.search("ann"),
            Err(AppError::RateLimited { retry_after_secs }) if retry_after_secs > 0
        ));
        throttle.search("bob").unwrap();
    }

    #[test]
    fn an_account_is_limited_from_any_address() {
        let throttle = strict();
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        throttle.login(a, "bob").unwrap();
        throttle.login(b, "bob").unwrap();
        let Err(AppError::RateLimited { retry_after_secs }) = throttle.login(a, "bob") else {
            panic!("third attempt for bob allowed");
        };
        assert!((1..=60).contains(&retry_after_secs), "{retry_after_secs}");
        // Other accounts are not affected.
        throttle.login(b, "alice").unwrap();
    }

    #[test]
    fn an_address_is_limited_across_accounts_and_ipv6_by_prefix() {
        let throttle = strict();
        for i in 0..5 {
            let ip: IpAddr = format!("2001:db8::{i}").parse().unwrap();
            throttle.login(ip, &format!("user{i}")).unwrap();
        }
        let same_64: IpAddr = "2001:db8::ffff:1".parse().unwrap();
        assert!(throttle.login(same_64, "user9").is_err());
        let other_64: IpAddr = "2001:db8:0:1::1".parse().unwrap();
        throttle.login(other_64, "user9").unwrap();
    }

    #[test]
    fn off_means_unlimited() {
        let throttle = Throttle::new(ThrottleConfig {
            login_per_address: Limit::OFF,
            login_per_account: Limit::OFF,
            signup_per_address: Limit::OFF,
            search_per_user: Limit::OFF,
        });
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        for _ in 0..1000 {
            throttle.login(ip, "bob").unwrap();
            throttle.sign_up(ip).unwrap();
            throttle.search("bob").unwrap();
        }
    }

    #[test]
    fn limits_parse_from_the_command_line() {
        assert_eq!(
            "10/6".parse::<Limit>(),
            Ok(Limit {
                burst: 10,
                per_minute: 6
            })
        );
        assert_eq!("off".parse::<Limit>(), Ok(Limit::OFF));
        assert!("10".parse::<Limit>().is_err());
        assert_eq!(
            ThrottleConfig::default().login_per_account.to_string(),
            "10/6"
        );
    }

    #[test]
    fn long_login_ids_share_one_key() {
        assert_eq!(truncate(&"é".repeat(100), 5), "éé");
    }
}
