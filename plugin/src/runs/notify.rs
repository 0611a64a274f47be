//! Side effects shared by the run life cycle: bot posts, bot DMs, links,
//! outgoing webhook payloads and live-update events. All best effort: a
//! failure is logged and never undoes the change that caused it.

use serde_json::{Value, json};

use super::create::bot_id;
use super::model::PlaybookRun;
use super::store::{RunStore, Updated};
use crate::host::{Broadcast, Host, HostError, Level, Post};

/// A post by the plugin's bot (empty `user_id`).
pub fn bot_post(channel_id: &str, message: &str) -> Post {
    Post {
        channel_id: channel_id.to_owned(),
        message: message.to_owned(),
        ..Post::default()
    }
}

/// Logs `result`'s error as a warning about `what`.
pub fn log_err<H: Host + ?Sized, T>(host: &H, what: &str, result: Result<T, HostError>) {
    if let Err(e) = result {
        host.log(Level::Warn, &format!("{what}: {e}"));
    }
}

/// Broadcast channels skipped because `user_id` may not post in them
/// ([`crate::authz::split_postable`]): logged, and `user_id` is told with
/// an ephemeral note in `channel_id` (the run channel), so an announcement
/// or update that went to fewer channels than configured does not do so
/// silently. `what` completes "Not … in".
pub fn skipped_broadcasts<H: Host + ?Sized>(
    host: &H,
    user_id: &str,
    channel_id: &str,
    skipped: &[String],
    what: &str,
) {
    if skipped.is_empty() {
        return;
    }
    let list = skipped.join(", ");
    host.log(
        Level::Warn,
        &format!("not {what} in broadcast channels {list}: {user_id} cannot post there"),
    );
    let note = Post {
        channel_id: channel_id.to_owned(),
        message: format!(
            "Not {what} in {} broadcast channel(s) you cannot post in ({list}).",
            skipped.len()
        ),
        ..Post::default()
    };
    log_err(
        host,
        "telling about skipped broadcasts",
        host.send_ephemeral(user_id, note),
    );
}

/// `[name](/playbooks/runs/<id>)`.
pub fn run_link(run: &PlaybookRun) -> String {
    format!("[{}](/playbooks/runs/{})", run.name, run.id)
}

/// The bot's direct channel with `user_id`.
pub fn dm_channel<H: Host + ?Sized>(host: &H, user_id: &str) -> Result<String, HostError> {
    let bot = bot_id(host).map_err(|e| HostError::Other(e.to_string()))?;
    Ok(host.direct_channel(&bot, user_id)?.id)
}

/// DMs `post` (its channel is replaced) to `user_id` from the bot.
pub fn dm<H: Host + ?Sized>(host: &H, user_id: &str, mut post: Post) {
    let sent = dm_channel(host, user_id).and_then(|channel_id| {
        post.channel_id = channel_id;
        host.create_post(post)
    });
    log_err(host, &format!("DMing {user_id}"), sent);
}

/// Upstream's webhook body: the whole run plus `channel_url`,
/// `details_url` and `event {type, at, user_id, payload}`.
pub fn webhook_payload<H: Host + ?Sized>(
    host: &H,
    run: &PlaybookRun,
    event_type: &str,
    at: i64,
    user_id: &str,
    payload: Value,
) -> Value {
    let team = host.team(&run.team_id).ok().flatten().unwrap_or_default();
    let channel = host
        .channel(&run.channel_id)
        .ok()
        .flatten()
        .unwrap_or_default();
    // Webhooks get the whole run, as upstream sends it: read it whole (the
    // run a change works on has no logs; decision 024).
    let whole = RunStore::new(host).get(&run.id).ok().flatten();
    let mut body = whole.as_ref().unwrap_or(run).to_json();
    if let Value::Object(fields) = &mut body {
        fields.insert(
            "channel_url".into(),
            json!(format!("/{}/channels/{}", team.name, channel.name)),
        );
        fields.insert(
            "details_url".into(),
            json!(format!("/playbooks/runs/{}", run.id)),
        );
        fields.insert(
            "event".into(),
            json!({"type": event_type, "at": at, "user_id": user_id, "payload": payload}),
        );
    }
    body
}

/// Queues `body` to every URL (the host delivers asynchronously with
/// retries, so this never blocks the run).
pub fn fire_webhooks<H: Host + ?Sized>(host: &H, urls: &[String], body: &Value) {
    if urls.is_empty() {
        return;
    }
    let body = body.to_string();
    for url in urls {
        log_err(
            host,
            &format!("webhook {url}"),
            host.post_webhook(url, &body),
        );
    }
}

/// The incremental run update's event (upstream's name).
pub const RUN_UPDATED_INCREMENTAL: &str = "playbook_run_updated_incremental";

/// The plugin setting that chooses incremental run updates (upstream's
/// name); on unless set to `false`.
pub const INCREMENTAL_SETTING: &str = "EnableIncrementalUpdates";

/// Tells the run's channel what a change did (nothing if it changed
/// nothing): upstream's `playbook_run_updated_incremental`, the changed
/// fields only ([`super::incremental`], decision 024), or the whole run as
/// `playbook_run_updated` when [`INCREMENTAL_SETTING`] is off or the change
/// is one the incremental format cannot say (then the run is read whole).
pub fn publish_update<H: Host + ?Sized>(host: &H, updated: &Updated) {
    if !updated.changed {
        return;
    }
    let incremental = incremental_enabled(host)
        .then(|| super::incremental::run_update(&updated.before, &updated.after))
        .flatten();
    let run = &updated.after;
    if let Some(update) = incremental {
        to_channel(
            host,
            RUN_UPDATED_INCREMENTAL,
            run,
            &json!({"payload": update.to_string()}),
        );
        return;
    }
    match RunStore::new(host).get(&run.id) {
        Ok(Some(whole)) => publish(host, "playbook_run_updated", &whole),
        Ok(None) => {}
        Err(e) => host.log(
            Level::Warn,
            &format!("reading run {} to publish it: {e}", run.id),
        ),
    }
}

fn incremental_enabled<H: Host + ?Sized>(host: &H) -> bool {
    let config: Value = serde_json::from_str(&host.config()).unwrap_or(Value::Null);
    match config.get(INCREMENTAL_SETTING) {
        Some(Value::Bool(false)) => false,
        Some(Value::String(s)) => s != "false",
        _ => true,
    }
}

/// Publishes `event` with `{"playbook_run": run}` to the run's channel.
pub fn publish<H: Host + ?Sized>(host: &H, event: &str, run: &PlaybookRun) {
    to_channel(host, event, run, &json!({"playbook_run": run.to_json()}));
}

/// Publishes `event` with `data` to `run`'s channel (best effort: logged).
fn to_channel<H: Host + ?Sized>(host: &H, event: &str, run: &PlaybookRun, data: &Value) {
    let broadcast = Broadcast {
        channel_id: Some(run.channel_id.clone()),
        ..Broadcast::default()
    };
    log_err(
        host,
        &format!("publishing {event} for {}", run.id),
        host.publish_event(event, data, &broadcast),
    );
}
