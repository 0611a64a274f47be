//! The daily and weekly digest DMs: for each participant of a run in
//! progress who has not turned it off (`/playbook settings`), the
//! `/playbook todo` list (overdue status updates, their open tasks with due
//! dates, runs in progress), sent by the bot.
//!
//! Two host scheduler jobs, `digest/daily` (every day at
//! [`DIGEST_HOUR_UTC`]) and `digest/weekly` (Mondays at that hour), each
//! re-scheduling the next one when it fires; activation schedules both, so
//! a restart never loses them; a redelivered job (delivery is at least
//! once) sends each recipient one digest per period ([`crate::jobs`]).

use std::collections::BTreeSet;

use crate::commands::info_cmds::todo_text;
use crate::commands::settings;
use crate::host::{Host, HostResult, Level};
use crate::jobs;
use crate::runs::model::status;
use crate::runs::notify::{bot_post, dm};
use crate::runs::store::{RunFilter, RunStore, Viewer};

pub const DAILY_JOB: &str = "digest/daily";
pub const WEEKLY_JOB: &str = "digest/weekly";
/// When digests go out (UTC; the server has no per-user time zones).
pub const DIGEST_HOUR_UTC: i64 = 9;
const DAY_MS: i64 = 86_400_000;

/// The next daily digest time strictly after `now`.
pub fn next_daily(now: i64) -> i64 {
    let today = now.div_euclid(DAY_MS) * DAY_MS + DIGEST_HOUR_UTC * 3_600_000;
    if today > now { today } else { today + DAY_MS }
}

/// The next Monday digest time strictly after `now` (1970-01-01 was a
/// Thursday, so day `d` is a Monday when `(d + 3) % 7 == 0`).
pub fn next_weekly(now: i64) -> i64 {
    let mut at = next_daily(now);
    while (at.div_euclid(DAY_MS) + 3).rem_euclid(7) != 0 {
        at += DAY_MS;
    }
    at
}

/// Schedules both digests (on activation; scheduling replaces a pending job).
pub fn schedule<H: Host + ?Sized>(host: &H) -> HostResult<()> {
    let now = host.now_ms();
    host.schedule_once(DAILY_JOB, next_daily(now), "")?;
    host.schedule_once(WEEKLY_JOB, next_weekly(now), "")
}

/// A digest job fired: send, then schedule the next one. Returns how many
/// DMs went out.
pub fn fire<H: Host + ?Sized>(host: &H, key: &str) -> HostResult<usize> {
    let weekly = key == WEEKLY_JOB;
    let now = host.now_ms();
    let next = if weekly {
        next_weekly(now)
    } else {
        next_daily(now)
    };
    host.schedule_once(key, next, "")?;
    send(host, weekly)
}

/// The digest period `now` falls in, named by its start: a redelivered
/// job (at-least-once, [`crate::jobs`]) names the same one.
fn period(now: i64, weekly: bool) -> i64 {
    if weekly {
        next_weekly(now) - 7 * DAY_MS
    } else {
        next_daily(now) - DAY_MS
    }
}

/// Sends the digest to every participant of a run in progress who wants it,
/// once per period: each recipient's DM is claimed first, so a redelivered
/// job sends only what a broken delivery left unsent.
pub fn send<H: Host + ?Sized>(host: &H, weekly: bool) -> HostResult<usize> {
    let job = if weekly { WEEKLY_JOB } else { DAILY_JOB };
    let occurrence = period(host.now_ms(), weekly).to_string();
    let everyone = Viewer {
        user_id: String::new(),
        is_system_admin: true,
    };
    let filter = RunFilter {
        statuses: vec![status::IN_PROGRESS.to_owned()],
        ..RunFilter::default()
    };
    let mut users: BTreeSet<String> = BTreeSet::new();
    RunStore::new(host)
        .scan(&everyone, &filter, |r| {
            users.extend(r.participant_ids.iter().cloned())
        })
        .map_err(|e| crate::host::HostError::Other(e.to_string()))?;
    let title = if weekly {
        "Weekly digest"
    } else {
        "Daily digest"
    };
    let mut sent = 0;
    for user_id in users {
        let prefs = settings::load(host, &user_id)?;
        let wanted = if weekly {
            prefs.weekly_digest_enabled
        } else {
            prefs.digest_enabled
        };
        if !wanted || host.user(&user_id)?.is_none_or(|u| u.is_bot) {
            continue;
        }
        let viewer = Viewer::load(host, &user_id)
            .map_err(|e| crate::host::HostError::Other(e.to_string()))?;
        match todo_text(host, &viewer) {
            Ok(text) => {
                let Some(claimed) = jobs::claim(host, &format!("{job}/{user_id}"), &occurrence)?
                else {
                    continue;
                };
                let message = format!(
                    "#### {title}\n{text}\n_Turn this off with `/playbook settings {} off`._",
                    if weekly { "weekly-digest" } else { "digest" }
                );
                dm(host, &user_id, bot_post("", &message));
                claimed.complete(host);
                sent += 1;
            }
            Err(e) => host.log(Level::Warn, &format!("digest for {user_id}: {e}")),
        }
    }
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hooks;
    use crate::host::prelude::*;
    use crate::rest::test_client::setup_run;

    #[test]
    fn times() {
        // 2023-11-14 22:13 UTC (a Tuesday) → 15th 09:00, Monday 20th 09:00.
        let now = 1_700_000_000_000;
        assert_eq!(crate::timefmt::utc(next_daily(now)), "2023-11-15 09:00 UTC");
        assert_eq!(
            crate::timefmt::utc(next_weekly(now)),
            "2023-11-20 09:00 UTC"
        );
        let nine = next_daily(now);
        assert_eq!(next_daily(nine), nine + DAY_MS, "strictly after");
    }

    #[test]
    fn sends_to_participants_who_want_it_and_reschedules() {
        let (host, _) = setup_run();
        host.kv_set(
            &settings::settings_key("carol"),
            br#"{"digest_enabled": false, "weekly_digest_enabled": true}"#,
        )
        .unwrap();
        hooks::scheduled_job(&host, DAILY_JOB, "");
        let dms: Vec<_> = host
            .inner
            .posts
            .borrow()
            .iter()
            .filter(|p| p.message.starts_with("#### Daily digest"))
            .map(|p| p.channel_id.clone())
            .collect();
        // bob is the only participant (the test playbook's invitees are off).
        assert_eq!(
            dms,
            vec![format!("{}__bob", host.inner.bot.borrow().clone().unwrap())]
        );
        assert_eq!(
            host.inner.jobs.borrow().get(DAILY_JOB).map(|j| j.0),
            Some(next_daily(host.now_ms()))
        );
        settings_off(&host, "bob");
        assert_eq!(send(&host, false).unwrap(), 0);
        assert_eq!(send(&host, true).unwrap(), 1, "weekly still on");
    }

    #[test]
    fn a_redelivered_digest_sends_once_per_period() {
        let (mut host, _) = setup_run();
        let daily = |host: &crate::playbooks::store::test_host::TestHost| {
            host.inner
                .posts
                .borrow()
                .iter()
                .filter(|p| p.message.starts_with("#### Daily digest"))
                .count()
        };
        hooks::scheduled_job(&host, DAILY_JOB, "");
        hooks::scheduled_job(&host, DAILY_JOB, "");
        assert_eq!(daily(&host), 1, "the same job twice: one DM");
        host.inner.now += DAY_MS;
        hooks::scheduled_job(&host, DAILY_JOB, "");
        assert_eq!(daily(&host), 2, "the next day's digest");
    }

    fn settings_off(host: &crate::playbooks::store::test_host::TestHost, user: &str) {
        host.kv_set(
            &settings::settings_key(user),
            br#"{"digest_enabled": false, "weekly_digest_enabled": true}"#,
        )
        .unwrap();
    }
}
