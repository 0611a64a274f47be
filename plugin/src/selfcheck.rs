//! `/playbook selfcheck`: an admin's end-to-end check of a deployment.
//!
//! The command exercises every host capability the plugin relies on (storage,
//! posts, channels, users, teams, dialogs, scheduler, events, webhooks, clock,
//! randomness, settings) and reports each result. It then leaves a session in
//! KV so the hooks that can only fire later (a message in the channel, a join,
//! the scheduled job, the button, the dialog) record themselves as they
//! arrive; `GET /api/v0/selfcheck/{channel_id}` shows the whole report.

use serde_json::{Value, json};

use crate::api::{
    ActionRequest, ActionResponse, CommandArgs, CommandResponse, DialogResponse, DialogSubmission,
};
use crate::host::{Broadcast, Host, HostError, HostResult, KvOp, Post, update_json};

/// Message that, posted in a channel under self-check, fires the
/// message-has-been-posted check.
pub const PING: &str = "selfcheck ping";
pub const ACTION_CONFIRM: &str = "selfcheck-confirm";
pub const DIALOG_CALLBACK: &str = "selfcheck";
const JOB_PREFIX: &str = "selfcheck/";
/// Delay before the scheduler check fires.
pub const JOB_DELAY_MS: i64 = 1000;

fn session_key(channel_id: &str) -> String {
    format!("selfcheck/session/{channel_id}")
}

/// One capability's result.
struct Step {
    name: &'static str,
    result: Result<String, String>,
}

fn step(name: &'static str, result: HostResult<String>) -> Step {
    Step {
        name,
        result: result.map_err(|e| e.to_string()),
    }
}

fn ensure(cond: bool, what: &str) -> HostResult<()> {
    if cond {
        Ok(())
    } else {
        Err(HostError::Other(format!("unexpected: {what}")))
    }
}

fn check_kv<H: Host>(host: &H, nonce: &str) -> HostResult<String> {
    let base = format!("selfcheck/tmp/{nonce}/");
    let (a, b, c) = (format!("{base}a"), format!("{base}b"), format!("{base}c"));
    host.kv_set(&a, b"1")?;
    ensure(host.kv_get(&a)?.as_deref() == Some(b"1"), "get after set")?;
    ensure(
        !host.kv_compare_and_set(&a, Some(b"0"), Some(b"2"))?,
        "CAS with a stale value wrote",
    )?;
    ensure(
        host.kv_compare_and_set(&a, Some(b"1"), Some(b"2"))?,
        "CAS with the current value failed",
    )?;
    ensure(
        host.kv_set_if_absent(&b, b"x")?,
        "set-if-absent on a new key failed",
    )?;
    ensure(!host.kv_set_if_absent(&b, b"y")?, "set-if-absent overwrote")?;
    let expect = vec![(a.clone(), Some(b"2".to_vec())), (c.clone(), None)];
    ensure(
        host.kv_atomic_write(&expect, &[KvOp::Set(c.clone(), b"3".to_vec())])?,
        "atomic write failed",
    )?;
    ensure(
        !host.kv_atomic_write(&[(c.clone(), None)], &[KvOp::Delete(a.clone())])?,
        "atomic write ignored its expectation",
    )?;
    let many = host.kv_get_many(&[a.clone(), b.clone(), c.clone()])?;
    ensure(
        many == vec![
            Some(b"2".to_vec()),
            Some(b"x".to_vec()),
            Some(b"3".to_vec()),
        ],
        "get-many values",
    )?;
    let (first, cursor) = host.kv_list(&base, None, 2)?;
    let (rest, end) = host.kv_list(&base, cursor.as_deref(), 2)?;
    ensure(
        first.len() == 2 && rest.len() == 1 && end.is_none(),
        "paged listing",
    )?;
    for key in [&a, &b, &c] {
        host.kv_delete(key)?;
    }
    ensure(host.kv_get(&a)?.is_none(), "get after delete")?;
    Ok(
        "get, get-many, set, delete, compare-and-set, set-if-absent, list-keys, atomic-write"
            .into(),
    )
}

fn check_chat<H: Host>(host: &H, args: &CommandArgs, bot_id: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    steps.push(step(
        "teams",
        (|| {
            let team = host.team(&args.team_id)?.ok_or(HostError::NotFound)?;
            ensure(
                host.is_team_member(&args.team_id, &args.user_id)?,
                "caller not in team",
            )?;
            Ok(format!("team {}", team.name))
        })(),
    ));
    steps.push(step(
        "channels",
        (|| {
            let channel = host.channel(&args.channel_id)?.ok_or(HostError::NotFound)?;
            ensure(
                host.channel_by_name(&channel.team_id, &channel.name)?
                    .is_some(),
                "get-by-name",
            )?;
            if channel.channel_type == "O" || channel.channel_type == "P" {
                host.add_team_member(&channel.team_id, bot_id)?;
                host.add_channel_member(&channel.id, bot_id)?;
            }
            ensure(
                host.is_channel_member(&channel.id, &args.user_id)?,
                "caller not a member",
            )?;
            let members = host.channel_members(&channel.id, 0, 200)?;
            let dm = host.direct_channel(bot_id, &args.user_id)?;
            Ok(format!(
                "channel ~{} with {} members; direct channel {}",
                channel.name,
                members.len(),
                dm.id
            ))
        })(),
    ));
    steps.push(step("posts", (|| {
        let post = host.create_post(Post {
            channel_id: args.channel_id.clone(),
            message: format!("Self-check started. Post a message containing `{PING}` here to check message hooks."),
            props: json!({"attachments": [{
                "text": "Click to check interactive buttons.",
                "actions": [{"id": "confirm", "name": "Confirm", "type": "button",
                    "integration": {"url": "/plugins/playbooks/action", "context": {"action": ACTION_CONFIRM, "channel_id": args.channel_id}}}]
            }]}).as_object().cloned().unwrap_or_default(),
            ..Default::default()
        })?;
        let fetched = host.post(&post.id)?.ok_or(HostError::NotFound)?;
        let mut edited = fetched.clone();
        edited.message.push_str(" (checked: edit)");
        host.update_post(edited)?;
        let scratch = host.create_post(Post { channel_id: args.channel_id.clone(), root_id: post.id.clone(), message: "self-check scratch reply".into(), ..Default::default() })?;
        host.delete_post(&scratch.id)?;
        host.send_ephemeral(&args.user_id, Post { channel_id: args.channel_id.clone(), message: "Self-check: ephemeral posts work.".into(), ..Default::default() })?;
        Ok(format!("created, read, edited, replied, deleted, ephemeral (post {})", post.id))
    })()));
    steps
}

/// Runs the synchronous checks and opens the session.
pub fn start<H: Host>(host: &H, args: &CommandArgs) -> CommandResponse {
    match host.user(&args.user_id) {
        Ok(Some(user)) if user.is_system_admin() => {}
        Ok(_) => return CommandResponse::ephemeral("Only system admins can run the self-check."),
        Err(err) => {
            return CommandResponse::ephemeral(format!(
                "Self-check could not read your account: {err}"
            ));
        }
    }
    let now = host.now_ms();
    let random = host.random_bytes(16);
    let nonce: String = random.iter().map(|b| format!("{b:02x}")).collect();
    let mut steps = vec![
        step(
            "clock",
            if now > 0 {
                Ok(format!("now = {now}"))
            } else {
                Err(HostError::Other("clock returned 0".into()))
            },
        ),
        step(
            "random",
            if random.len() == 16 && random.iter().any(|b| *b != 0) {
                Ok("16 bytes".into())
            } else {
                Err(HostError::Other("no randomness".into()))
            },
        ),
    ];
    let config: Value = serde_json::from_str(&host.config()).unwrap_or(Value::Null);
    steps.push(step(
        "config",
        if config.is_object() {
            Ok("settings readable".into())
        } else {
            Err(HostError::Other("settings are not a JSON object".into()))
        },
    ));
    steps.push(step("kv", check_kv(host, &nonce)));
    let bot = host.ensure_bot(
        crate::lifecycle::BOT_USERNAME,
        crate::lifecycle::BOT_DISPLAY_NAME,
        "",
    );
    steps.push(step(
        "users",
        (|| {
            let bot_id = bot.clone()?;
            let me = host.user(&args.user_id)?.ok_or(HostError::NotFound)?;
            ensure(
                host.user_by_username(&me.username)?
                    .is_some_and(|u| u.id == me.id),
                "get-by-username",
            )?;
            Ok(format!("@{} and bot {bot_id}", me.username))
        })(),
    ));
    if let Ok(bot_id) = &bot {
        steps.extend(check_chat(host, args, bot_id));
    }
    steps.push(step(
        "commands",
        host.execute_command(
            &args.user_id,
            &args.channel_id,
            "",
            "/echo Self-check: commands run on behalf of users.",
        )
        .map(|_| "ran /echo as the caller".to_owned()),
    ));
    steps.push(step("dialogs", (|| {
        let dialog = json!({"callback_id": DIALOG_CALLBACK, "title": "Self-check", "submit_label": "Submit",
            "elements": [{"display_name": "Note", "name": "note", "type": "text", "optional": true}],
            "state": args.channel_id});
        host.open_dialog(&args.trigger_id, &dialog)?;
        Ok("dialog opened".into())
    })()));
    steps.push(step(
        "scheduler",
        (|| {
            let key = format!("{JOB_PREFIX}{}", args.channel_id);
            host.schedule_once(&format!("{key}/cancelled"), now + 60_000, "")?;
            ensure(host.cancel_job(&format!("{key}/cancelled"))?, "cancel")?;
            host.schedule_once(&key, now + JOB_DELAY_MS, &args.channel_id)?;
            Ok(format!("job due in {JOB_DELAY_MS} ms"))
        })(),
    ));
    steps.push(step(
        "events",
        (|| {
            let to_user = Broadcast {
                user_id: Some(args.user_id.clone()),
                ..Default::default()
            };
            host.publish_event(
                "selfcheck",
                &json!({"channel_id": args.channel_id}),
                &to_user,
            )?;
            Ok("custom_playbooks_selfcheck published".into())
        })(),
    ));
    let webhook_url = config
        .get("SelfCheckWebhookURL")
        .and_then(Value::as_str)
        .unwrap_or("");
    steps.push(step(
        "webhooks",
        if webhook_url.is_empty() {
            Ok("skipped: no SelfCheckWebhookURL setting".into())
        } else {
            host.post_webhook(
                webhook_url,
                &json!({"event": "selfcheck", "channel_id": args.channel_id}).to_string(),
            )
            .map(|()| format!("queued POST to {webhook_url}"))
        },
    ));

    let results: Vec<Value> = steps
        .iter()
        .map(|s| match &s.result {
            Ok(detail) => json!({"check": s.name, "ok": true, "detail": detail}),
            Err(err) => json!({"check": s.name, "ok": false, "detail": err}),
        })
        .collect();
    let session =
        json!({"started_at": now, "user_id": args.user_id, "checks": results, "hooks": {}});
    let stored = host
        .kv_set(
            &session_key(&args.channel_id),
            session.to_string().as_bytes(),
        )
        .map_err(|e| e.to_string());

    let failed = steps.iter().filter(|s| s.result.is_err()).count();
    let mut text = format!(
        "#### Self-check: {} of {} checks passed\n| Check | Result |\n|:--|:--|\n",
        steps.len() - failed,
        steps.len()
    );
    for s in &steps {
        let cell = match &s.result {
            Ok(d) => format!("✅ {d}"),
            Err(e) => format!("❌ {e}"),
        };
        text.push_str(&format!("| {} | {} |\n", s.name, cell.replace('|', "\\|")));
    }
    if let Err(err) = stored {
        text.push_str(&format!("\nThe report could not be saved: {err}"));
    }
    text.push_str(&format!("\nNext: post `{PING}` in this channel, click **Confirm**, submit the dialog. The report at `/plugins/playbooks/api/v0/selfcheck/{}` shows each hook as it fires.", args.channel_id));
    CommandResponse::ephemeral(text)
}

/// The stored report for a channel.
pub fn report<H: Host>(host: &H, channel_id: &str) -> HostResult<Option<Value>> {
    Ok(host
        .kv_get(&session_key(channel_id))?
        .and_then(|b| serde_json::from_slice(&b).ok()))
}

/// Records that `hook` fired, if a self-check is open in the channel.
/// Returns whether one was.
fn record<H: Host>(host: &H, channel_id: &str, hook: &str, detail: Value) -> HostResult<bool> {
    let key = session_key(channel_id);
    if host.kv_get(&key)?.is_none() {
        return Ok(false);
    }
    let at = host.now_ms();
    update_json(host, &key, |current| {
        let mut session = current.unwrap_or_else(|| json!({"hooks": {}}));
        if !session["hooks"].is_object() {
            session["hooks"] = json!({});
        }
        session["hooks"][hook] = json!({"at": at, "detail": detail});
        session
    })?;
    Ok(true)
}

pub fn on_post<H: Host>(host: &H, post: &Post) -> HostResult<()> {
    if !post.message.to_lowercase().contains(PING) || post.post_type.starts_with("system_") {
        return Ok(());
    }
    if record(
        host,
        &post.channel_id,
        "message-has-been-posted",
        json!({"post_id": post.id}),
    )? {
        let root = if post.root_id.is_empty() {
            post.id.clone()
        } else {
            post.root_id.clone()
        };
        host.create_post(Post {
            channel_id: post.channel_id.clone(),
            root_id: root,
            message: "Self-check: message hooks work.".into(),
            ..Default::default()
        })?;
    }
    Ok(())
}

pub fn on_join<H: Host>(host: &H, channel_id: &str, user_id: &str) -> HostResult<()> {
    record(
        host,
        channel_id,
        "user-has-joined-channel",
        json!({"user_id": user_id}),
    )
    .map(|_| ())
}

pub fn on_job<H: Host>(host: &H, key: &str, payload: &str) -> HostResult<bool> {
    let Some(channel_id) = key.strip_prefix(JOB_PREFIX) else {
        return Ok(false);
    };
    if record(
        host,
        channel_id,
        "scheduled-job",
        json!({"payload": payload}),
    )? {
        host.create_post(Post {
            channel_id: channel_id.to_string(),
            message: "Self-check: the scheduler fired.".into(),
            ..Default::default()
        })?;
    }
    Ok(true)
}

pub fn on_action<H: Host>(host: &H, request: &ActionRequest) -> HostResult<Option<ActionResponse>> {
    if request.context.get("action").and_then(Value::as_str) != Some(ACTION_CONFIRM) {
        return Ok(None);
    }
    let channel_id = request
        .context
        .get("channel_id")
        .and_then(Value::as_str)
        .unwrap_or(&request.channel_id)
        .to_string();
    record(
        host,
        &channel_id,
        "post-action",
        json!({"user_id": request.user_id}),
    )?;
    let username = host
        .user(&request.user_id)?
        .map(|u| u.username)
        .unwrap_or_default();
    let mut post = host.post(&request.post_id)?.ok_or(HostError::NotFound)?;
    post.message = format!("Self-check: interactive buttons work (confirmed by @{username}).");
    post.props.remove("attachments");
    Ok(Some(ActionResponse {
        update: Some(post),
        ephemeral_text: String::new(),
    }))
}

pub fn on_dialog<H: Host>(
    host: &H,
    submission: &DialogSubmission,
) -> HostResult<Option<DialogResponse>> {
    if submission.callback_id != DIALOG_CALLBACK {
        return Ok(None);
    }
    let note = submission
        .submission
        .get("note")
        .and_then(Value::as_str)
        .unwrap_or("");
    if note.len() > 200 {
        return Ok(Some(DialogResponse {
            errors: vec![("note".into(), "At most 200 characters.".into())],
            error: String::new(),
        }));
    }
    record(
        host,
        &submission.state,
        "dialog-submit",
        json!({"note": note, "cancelled": submission.cancelled}),
    )?;
    Ok(Some(DialogResponse::default()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::FakeHost;

    fn args(user: &str) -> CommandArgs {
        CommandArgs {
            user_id: user.into(),
            channel_id: "c1".into(),
            team_id: "t1".into(),
            command: "/playbook selfcheck".into(),
            trigger_id: "trig".into(),
            ..Default::default()
        }
    }

    #[test]
    fn non_admins_are_refused_and_nothing_is_written() {
        let host = FakeHost::with_basics();
        let reply = start(&host, &args("bob"));
        assert_eq!(reply.text, "Only system admins can run the self-check.");
        assert!(host.kv.borrow().is_empty());
        assert!(host.posts.borrow().is_empty());
    }

    #[test]
    fn every_check_passes_on_a_working_host_and_cleans_up() {
        let host = FakeHost::with_basics();
        let reply = start(&host, &args("admin"));
        assert!(
            reply.text.contains("13 of 13 checks passed"),
            "{}",
            reply.text
        );
        assert_eq!(
            host.jobs.borrow().get("selfcheck/c1"),
            Some(&(host.now + JOB_DELAY_MS, "c1".to_string()))
        );
        assert_eq!(host.dialogs.borrow().len(), 1);
        assert_eq!(host.executed.borrow().len(), 1, "ran /echo");
        assert_eq!(host.events.borrow()[0].0, "selfcheck");
        // Only the session remains in KV: scratch keys were removed.
        let keys: Vec<String> = host.kv.borrow().keys().cloned().collect();
        assert_eq!(keys, vec!["selfcheck/session/c1".to_string()]);
    }

    #[test]
    fn a_failing_capability_is_reported_not_hidden() {
        let host = FakeHost::with_basics();
        let mut a = args("admin");
        a.trigger_id.clear();
        let reply = start(&host, &a);
        assert!(
            reply.text.contains("12 of 13 checks passed"),
            "{}",
            reply.text
        );
        assert!(
            reply
                .text
                .contains("| dialogs | ❌ invalid input: trigger-id |"),
            "{}",
            reply.text
        );
    }

    #[test]
    fn later_hooks_record_themselves_in_the_report() {
        let host = FakeHost::with_basics();
        start(&host, &args("admin"));
        on_post(
            &host,
            &Post {
                id: "p9".into(),
                channel_id: "c1".into(),
                message: "Selfcheck PING please".into(),
                ..Default::default()
            },
        )
        .unwrap();
        on_join(&host, "c1", "bob").unwrap();
        assert!(on_job(&host, "selfcheck/c1", "c1").unwrap());
        let report = report(&host, "c1").unwrap().unwrap();
        for hook in [
            "message-has-been-posted",
            "user-has-joined-channel",
            "scheduled-job",
        ] {
            assert!(
                report["hooks"][hook].is_object(),
                "{hook} missing from {report}"
            );
        }
        let replies: Vec<String> = host
            .posts
            .borrow()
            .iter()
            .map(|p| p.message.clone())
            .collect();
        assert!(replies.contains(&"Self-check: message hooks work.".to_string()));
        assert!(replies.contains(&"Self-check: the scheduler fired.".to_string()));
    }

    #[test]
    fn hooks_without_a_session_do_nothing() {
        let host = FakeHost::with_basics();
        on_post(
            &host,
            &Post {
                channel_id: "c1".into(),
                message: PING.into(),
                ..Default::default()
            },
        )
        .unwrap();
        assert!(host.posts.borrow().is_empty());
        assert!(host.kv.borrow().is_empty());
    }

    #[test]
    fn dialog_validates_its_field() {
        let host = FakeHost::with_basics();
        start(&host, &args("admin"));
        let long = DialogSubmission {
            callback_id: DIALOG_CALLBACK.into(),
            state: "c1".into(),
            submission: json!({"note": "x".repeat(201)}),
            ..Default::default()
        };
        let reply = on_dialog(&host, &long).unwrap().unwrap();
        assert_eq!(
            reply.errors,
            vec![("note".to_string(), "At most 200 characters.".to_string())]
        );
        let ok = DialogSubmission {
            submission: json!({"note": "fine"}),
            ..long
        };
        assert_eq!(
            on_dialog(&host, &ok).unwrap().unwrap(),
            DialogResponse::default()
        );
        assert!(report(&host, "c1").unwrap().unwrap()["hooks"]["dialog-submit"].is_object());
    }
}
