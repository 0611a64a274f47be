//! The health check: when a trapping plugin is switched off, and when one
//! user's requests are refused instead.
//!
//! Mattermost disables a plugin after 3 failures in an hour. Counted naively,
//! that lets any one user switch a plugin off for everyone by making it trap
//! three times (an oversized body, a pathological input). So a trap is
//! attributed to whoever caused the hook call:
//!
//! - **System** calls (activate, settings changes, jobs, instantiation
//!   failures) are not chosen by one user's request: each trap is one
//!   *strike*.
//! - **User** calls (`serve-http`, `post-action`, `dialog-submit`,
//!   `execute-command`, attributed to the user they run as;
//!   `message-has-been-posted` to the post's author and
//!   `user-has-joined-channel` to whoever made the join happen; anonymous
//!   requests all count as one principal) give at most **one strike per
//!   principal per window**. From the principal's 2nd trap in the window on,
//!   that principal is *throttled* for this plugin: their calls are refused
//!   (429 with `Retry-After`) for [`THROTTLE_BASE`], doubling with every
//!   further trap up to [`THROTTLE_MAX`]. Nobody else is affected.
//! - [`MAX_STRIKES`] strikes within [`FAILURE_WINDOW`] disable the plugin
//!   until an admin enables it again.
//!
//! So a real bug still gets the plugin disabled (it traps on system events,
//! or for several distinct users), while one user alone can only get
//! themselves throttled.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// This many strikes...
pub const MAX_STRIKES: usize = 3;
/// ...within this window disable the plugin (Mattermost's policy).
pub const FAILURE_WINDOW: Duration = Duration::from_secs(60 * 60);
/// How long a principal is refused after their 2nd trap in the window.
pub const THROTTLE_BASE: Duration = Duration::from_secs(30);
/// The longest throttle.
pub const THROTTLE_MAX: Duration = Duration::from_secs(15 * 60);
/// Principal records kept before stale ones are swept.
const MAX_TRACKED_PRINCIPALS: usize = 4096;

/// Who caused a hook call.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Initiator {
    /// The server itself: lifecycle hooks, chat events, jobs.
    System,
    /// A request made as this user id.
    User(String),
    /// A request without a session.
    Anonymous,
}

impl Initiator {
    /// The user a request runs as; `None` or empty means anonymous.
    pub fn from_user(user_id: Option<&str>) -> Self {
        match user_id {
            Some(id) if !id.is_empty() => Initiator::User(id.to_string()),
            _ => Initiator::Anonymous,
        }
    }

    fn principal(&self) -> Option<&str> {
        match self {
            Initiator::System => None,
            Initiator::User(id) => Some(id),
            Initiator::Anonymous => Some(""),
        }
    }
}

/// Why a call is refused before it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Disabled,
    Throttled(Duration),
}

#[derive(Default)]
struct Principal {
    traps: VecDeque<Instant>,
    throttled_until: Option<Instant>,
}

/// One plugin's health record.
#[derive(Default)]
pub struct Health {
    strikes: VecDeque<Instant>,
    principals: HashMap<String, Principal>,
    disabled_reason: Option<String>,
}

fn prune(times: &mut VecDeque<Instant>, now: Instant) {
    while times
        .front()
        .is_some_and(|t| now.duration_since(*t) > FAILURE_WINDOW)
    {
        times.pop_front();
    }
}

impl Health {
    pub fn disabled_reason(&self) -> Option<&str> {
        self.disabled_reason.as_deref()
    }

    /// Strikes in the current window.
    pub fn strikes(&self) -> usize {
        self.strikes.len()
    }

    /// Whether a call by `initiator` may run now.
    pub fn admit(&self, initiator: &Initiator, now: Instant) -> Result<(), Refusal> {
        if self.disabled_reason.is_some() {
            return Err(Refusal::Disabled);
        }
        let until = initiator
            .principal()
            .and_then(|p| self.principals.get(p))
            .and_then(|p| p.throttled_until);
        match until {
            Some(until) if until > now => Err(Refusal::Throttled(until - now)),
            _ => Ok(()),
        }
    }

    /// Records a trap caused by `initiator`. Returns true if it disabled the
    /// plugin; `reason` describes the trap for the status API.
    pub fn record_trap(
        &mut self,
        initiator: &Initiator,
        now: Instant,
        reason: impl FnOnce() -> String,
    ) -> bool {
        prune(&mut self.strikes, now);
        let strike = match initiator.principal() {
            None => true,
            Some(key) => {
                self.sweep(now);
                let principal = self.principals.entry(key.to_string()).or_default();
                prune(&mut principal.traps, now);
                let first = principal.traps.is_empty();
                principal.traps.push_back(now);
                if principal.traps.len() >= 2 {
                    let doublings = (principal.traps.len() - 2).min(16) as u32;
                    let throttle = THROTTLE_BASE.saturating_mul(1 << doublings);
                    principal.throttled_until = Some(now + throttle.min(THROTTLE_MAX));
                }
                first
            }
        };
        if strike {
            self.strikes.push_back(now);
        }
        if self.strikes.len() >= MAX_STRIKES && self.disabled_reason.is_none() {
            self.disabled_reason = Some(format!(
                "{MAX_STRIKES} failures within {} minutes; last: {}",
                FAILURE_WINDOW.as_secs() / 60,
                reason()
            ));
            return true;
        }
        false
    }

    /// Forgets principals with no trap in the window and no throttle left,
    /// once there are many (each record is a few dozen bytes; principals are
    /// accounts plus one anonymous entry).
    fn sweep(&mut self, now: Instant) {
        if self.principals.len() < MAX_TRACKED_PRINCIPALS {
            return;
        }
        self.principals.retain(|_, p| {
            prune(&mut p.traps, now);
            !p.traps.is_empty() || p.throttled_until.is_some_and(|t| t > now)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: &str) -> Initiator {
        Initiator::User(id.into())
    }

    fn trap(h: &mut Health, who: &Initiator, at: Instant) -> bool {
        h.record_trap(who, at, || "panic in serve-http".into())
    }

    #[test]
    fn one_user_only_throttles_themselves() {
        let mut h = Health::default();
        let t0 = Instant::now();
        let mallory = user("mallory");
        assert!(!trap(&mut h, &mallory, t0));
        assert_eq!(h.admit(&mallory, t0), Ok(()), "one trap is not throttled");
        for i in 1..10 {
            assert!(!trap(&mut h, &mallory, t0 + Duration::from_secs(i)));
        }
        assert_eq!(h.strikes(), 1, "one strike per principal per window");
        assert!(h.disabled_reason().is_none());
        assert!(matches!(
            h.admit(&mallory, t0 + Duration::from_secs(10)),
            Err(Refusal::Throttled(_))
        ));
        assert_eq!(h.admit(&user("bob"), t0), Ok(()));
        assert_eq!(h.admit(&Initiator::System, t0), Ok(()));
    }

    #[test]
    fn the_throttle_doubles_and_is_capped() {
        let mut h = Health::default();
        let t0 = Instant::now();
        let who = user("u");
        trap(&mut h, &who, t0);
        trap(&mut h, &who, t0);
        assert_eq!(h.admit(&who, t0), Err(Refusal::Throttled(THROTTLE_BASE)));
        trap(&mut h, &who, t0);
        assert_eq!(
            h.admit(&who, t0),
            Err(Refusal::Throttled(THROTTLE_BASE * 2))
        );
        for _ in 0..40 {
            trap(&mut h, &who, t0);
        }
        assert_eq!(h.admit(&who, t0), Err(Refusal::Throttled(THROTTLE_MAX)));
        assert_eq!(h.admit(&who, t0 + THROTTLE_MAX), Ok(()), "it ends");
    }

    #[test]
    fn several_users_or_system_events_disable_the_plugin() {
        let t0 = Instant::now();
        let mut h = Health::default();
        assert!(!trap(&mut h, &user("a"), t0));
        assert!(!trap(&mut h, &user("b"), t0));
        assert!(trap(&mut h, &user("c"), t0));
        assert!(h.disabled_reason().unwrap().contains("panic in serve-http"));
        assert_eq!(h.admit(&user("d"), t0), Err(Refusal::Disabled));

        let mut h = Health::default();
        assert!(!trap(&mut h, &Initiator::System, t0));
        assert!(!trap(&mut h, &Initiator::System, t0));
        assert!(trap(&mut h, &Initiator::System, t0));

        let mut h = Health::default();
        trap(&mut h, &user("a"), t0);
        trap(&mut h, &user("a"), t0);
        trap(&mut h, &Initiator::System, t0);
        assert!(trap(&mut h, &Initiator::Anonymous, t0));
    }

    #[test]
    fn strikes_expire_with_the_window() {
        let t0 = Instant::now();
        let mut h = Health::default();
        trap(&mut h, &Initiator::System, t0);
        trap(&mut h, &Initiator::System, t0);
        let later = t0 + FAILURE_WINDOW + Duration::from_secs(1);
        assert!(!trap(&mut h, &Initiator::System, later));
        assert_eq!(h.strikes(), 1);
        // A user's old trap no longer counts: their next one is a strike
        // again, and not throttled.
        let mut h = Health::default();
        let who = user("u");
        trap(&mut h, &who, t0);
        assert!(!trap(&mut h, &who, later));
        assert_eq!(h.strikes(), 1);
        assert_eq!(h.admit(&who, later), Ok(()));
    }

    #[test]
    fn anonymous_requests_are_one_principal() {
        let t0 = Instant::now();
        let mut h = Health::default();
        for _ in 0..5 {
            assert!(!trap(&mut h, &Initiator::Anonymous, t0));
        }
        assert_eq!(h.strikes(), 1);
        assert!(h.admit(&Initiator::from_user(None), t0).is_err());
        assert_eq!(Initiator::from_user(Some("")), Initiator::Anonymous);
    }
}
