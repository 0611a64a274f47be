//! A user joining a run's channel: the run's timeline records it
//! (`user_joined_left`) unless they are already a participant (the owner,
//! reporter and invitees join as the run starts: no noise), and the
//! playbook's "message on join" greets them (ephemeral), as upstream.

use serde_json::json;

use super::lifecycle::event;
use super::model::PlaybookRun;
use super::store::{RunError, RunStore};
use crate::host::{Host, HostError, HostResult, Level, Post};
use crate::playbooks::new_id_from_host;
use crate::playbooks::store::PlaybookStore;

pub const USER_JOINED_LEFT: &str = "user_joined_left";

/// Returns how many runs recorded the join.
pub fn on_join<H: Host + ?Sized>(host: &H, channel_id: &str, user_id: &str) -> HostResult<usize> {
    let runs = RunStore::new(host)
        .in_channel(channel_id)
        .map_err(|e| HostError::Other(e.to_string()))?;
    let mut recorded = 0;
    for run in runs.iter().filter(|r| !r.is_finished()) {
        let Some(user) = host.user(user_id)? else {
            return Ok(recorded);
        };
        if user.is_bot {
            return Ok(recorded);
        }
        if !run.is_participant(user_id) {
            let now = host.now_ms();
            let id = new_id_from_host(host)?;
            let summary = format!("@{} joined the channel", user.username);
            let stored = RunStore::new(host).update_reporting(&run.id, |r: &mut PlaybookRun| {
                let mut e = event(
                    r,
                    id.clone(),
                    now,
                    USER_JOINED_LEFT,
                    summary.clone(),
                    user_id,
                );
                e.details = json!({"action": "joined", "users": [user_id]}).to_string();
                r.timeline_events.push(e);
                Ok::<(), RunError>(())
            });
            match stored {
                Ok(stored) => {
                    super::notify::publish_update(host, &stored);
                    recorded += 1;
                }
                Err(e) => host.log(Level::Warn, &format!("recording a join in {}: {e}", run.id)),
            }
        }
        if run.playbook_id.is_empty() {
            continue;
        }
        if let Some(pb) = PlaybookStore::new(host)
            .get(&run.playbook_id)
            .map_err(|e| HostError::Other(e.to_string()))?
            && pb.message_on_join_enabled
            && !pb.message_on_join.trim().is_empty()
        {
            host.send_ephemeral(
                user_id,
                Post {
                    channel_id: channel_id.to_owned(),
                    message: pb.message_on_join.clone(),
                    ..Post::default()
                },
            )?;
        }
    }
    Ok(recorded)
}

#[cfg(test)]
mod tests {
    use crate::hooks;
    use crate::playbooks::store::PlaybookStore;
    use crate::rest::test_client::{ok, setup_run};
    use crate::runs::RunStore;
    use crate::runs::create::tests::PB;
    use crate::runs::create::tests::put_playbook;

    #[test]
    fn joining_a_run_channel_is_on_the_timeline_and_greeted() {
        let (host, id) = setup_run();
        let mut pb = PlaybookStore::new(&host).get(PB).unwrap().unwrap();
        pb.message_on_join_enabled = true;
        pb.message_on_join = "Read the runbook first.".into();
        put_playbook(&host, &pb);
        let channel = RunStore::new(&host).get(&id).unwrap().unwrap().channel_id;
        hooks::user_has_joined_channel(&host, &channel, "carol", None);
        let run = ok(&host, "bob", "GET", &format!("/runs/{id}"), None);
        let last = run["timeline_events"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .clone();
        assert_eq!(last["event_type"], "user_joined_left");
        assert_eq!(last["summary"], "@carol joined the channel");
        let (to, post) = host.inner.ephemerals.borrow().last().cloned().unwrap();
        assert_eq!(
            (to.as_str(), post.message.as_str()),
            ("carol", "Read the runbook first.")
        );
        // Another channel: nothing.
        let before = host.inner.ephemerals.borrow().len();
        hooks::user_has_joined_channel(&host, "c1", "carol", None);
        assert_eq!(host.inner.ephemerals.borrow().len(), before);
    }
}
