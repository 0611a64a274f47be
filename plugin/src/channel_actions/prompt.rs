//! Channel actions at work: the keyword prompt on new posts, its buttons,
//! and the welcome message for new members.
//!
//! Keyword prompt: a post in a channel with `prompt_run_playbook` actions
//! is matched (message and attachment texts; not system posts, not posts
//! made through a plugin — the bot's own included). On a hit the bot
//! replies in the post's thread with the matched keywords and
//! "Yes, run playbook" (a select when several playbooks match) and
//! "No, ignore thread".
//!
//! - Once per thread per hour ([`PROMPT_INTERVAL_MS`], key
//!   `kwprompt/<thread_id>`): a flood of matching messages gets one prompt.
//! - "Ignore" is remembered per thread and user in the `keyword_ignores`
//!   table ([`store::ignore`]), so it survives restarts (upstream forgets
//!   it), and removes the prompt post. The hourly timestamps stay in KV:
//!   small, short-lived state.
//! - Buttons check that the post is the bot's own prompt and that the
//!   clicker can read the channel.

use serde_json::{Value, json};

use super::model::{ChannelAction, action_type, trigger_type};
use super::store::{self, compiled};
use crate::api::{ActionRequest, ActionResponse};
use crate::authz;
use crate::commands::dialogs::{RunDialogState, open_run_dialog};
use crate::host::{Host, HostError, HostResult, Level, Post};
use crate::playbooks::store::PlaybookStore;
use crate::runs::notify::log_err;
use crate::runs::store::Viewer;

pub const ACTION_RUN: &str = "playbooks_keyword_run";
pub const ACTION_IGNORE: &str = "playbooks_keyword_ignore";
/// Marks the bot's prompt posts (`props.playbooks_prompt`).
pub const PROMPT_PROP: &str = "playbooks_prompt";
pub const PROMPT_INTERVAL_MS: i64 = 3_600_000;
const ACTION_URL: &str = "/plugins/playbooks/action";

fn prompt_key(thread_id: &str) -> String {
    format!("kwprompt/{thread_id}")
}

/// The text a post is matched on: its message and attachment texts.
fn searchable_text(post: &Post) -> String {
    let mut text = post.message.clone();
    if let Some(Value::Array(attachments)) = post.props.get("attachments") {
        for a in attachments {
            for key in ["pretext", "title", "text", "fallback"] {
                if let Some(s) = a.get(key).and_then(Value::as_str) {
                    text.push('\n');
                    text.push_str(s);
                }
            }
        }
    }
    text
}

fn is_automated(post: &Post) -> bool {
    let flag = |k: &str| post.props.get(k).and_then(Value::as_str) == Some("true");
    post.post_type.starts_with("system_") || flag("from_plugin") || flag("from_bot")
}

/// `message-has-been-posted`: prompt to run a playbook on a keyword hit.
/// Returns whether a prompt was posted.
pub fn on_post<H: Host + ?Sized>(host: &H, post: &Post) -> HostResult<bool> {
    if is_automated(post) {
        return Ok(false);
    }
    let Some(channel) = compiled(host, &post.channel_id)? else {
        return Ok(false);
    };
    if channel.matcher.is_empty() {
        return Ok(false);
    }
    let hits = channel.matcher.find(&searchable_text(post));
    if hits.is_empty() {
        return Ok(false);
    }
    let thread_id = if post.root_id.is_empty() {
        post.id.clone()
    } else {
        post.root_id.clone()
    };
    if store::is_ignored(host, &thread_id, &post.user_id)? {
        return Ok(false);
    }
    if !claim_prompt(host, &thread_id)? {
        return Ok(false);
    }
    let mut keywords: Vec<String> = Vec::new();
    let mut playbook_ids: Vec<String> = Vec::new();
    for hit in &hits {
        if !keywords.contains(&hit.keyword) {
            keywords.push(hit.keyword.clone());
        }
        if let Some(p) = channel.actions[hit.owner].prompt()
            && !playbook_ids.contains(&p.playbook_id)
        {
            playbook_ids.push(p.playbook_id);
        }
    }
    let playbooks: Vec<(String, String)> = PlaybookStore::new(host)
        .get_many(&playbook_ids)
        .map_err(|e| HostError::Other(e.to_string()))?
        .into_iter()
        .filter(|pb| !pb.is_archived())
        .map(|pb| (pb.id, pb.title))
        .collect();
    if playbooks.is_empty() {
        return Ok(false);
    }
    let username = host.user(&post.user_id)?.unwrap_or_default().username;
    host.create_post(prompt_post(
        post, &thread_id, &username, &keywords, &playbooks,
    ))?;
    Ok(true)
}

/// At most one prompt per thread per [`PROMPT_INTERVAL_MS`].
fn claim_prompt<H: Host + ?Sized>(host: &H, thread_id: &str) -> HostResult<bool> {
    let key = prompt_key(thread_id);
    let now = host.now_ms();
    let stamp = now.to_string().into_bytes();
    if host.kv_set_if_absent(&key, &stamp)? {
        return Ok(true);
    }
    let old = host.kv_get(&key)?;
    let last = old
        .as_deref()
        .and_then(|b| std::str::from_utf8(b).ok())
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap_or(0);
    if now - last < PROMPT_INTERVAL_MS {
        return Ok(false);
    }
    host.kv_compare_and_set(&key, old.as_deref(), Some(&stamp))
}

fn prompt_post(
    post: &Post,
    thread_id: &str,
    username: &str,
    keywords: &[String],
    playbooks: &[(String, String)],
) -> Post {
    let listed: Vec<String> = keywords.iter().map(|k| format!("**{k}**")).collect();
    let context = |action: &str| {
        json!({"action": action, "post_id": post.id, "thread_id": thread_id,
               "playbook_ids": playbooks.iter().map(|(id, _)| id).collect::<Vec<_>>()})
    };
    let run_action = if let [(_, title)] = playbooks {
        json!({"id": "runplaybook", "name": format!("Yes, run {title}"), "type": "button", "style": "primary",
               "integration": {"url": ACTION_URL, "context": context(ACTION_RUN)}})
    } else {
        let options: Vec<Value> = playbooks
            .iter()
            .map(|(id, title)| json!({"text": title, "value": id}))
            .collect();
        json!({"id": "runplaybook", "name": "Yes, run playbook…", "type": "select", "options": options,
               "integration": {"url": ACTION_URL, "context": context(ACTION_RUN)}})
    };
    let mut prompt = Post {
        channel_id: post.channel_id.clone(),
        root_id: thread_id.to_owned(),
        message: format!(
            "@{username}, it looks like you mentioned {}. Do you want to run a playbook?",
            listed.join(", ")
        ),
        post_type: "custom_keyword_prompt".into(),
        ..Post::default()
    };
    prompt.props.insert(PROMPT_PROP.into(), json!(true));
    prompt.props.insert("keywords".into(), json!(keywords));
    prompt.props.insert(
        "attachments".into(),
        json!([{"actions": [run_action,
            {"id": "ignorethread", "name": "No, ignore thread", "type": "button",
             "integration": {"url": ACTION_URL, "context": context(ACTION_IGNORE)}}]}]),
    );
    prompt
}

/// The prompt's buttons; `None` for other actions.
pub fn on_action<H: Host>(host: &H, request: &ActionRequest) -> HostResult<Option<ActionResponse>> {
    let action = request.context.get("action").and_then(Value::as_str);
    if action != Some(ACTION_RUN) && action != Some(ACTION_IGNORE) {
        return Ok(None);
    }
    let refuse = |text: &str| {
        Ok(Some(ActionResponse {
            update: None,
            ephemeral_text: text.to_owned(),
        }))
    };
    let Some(prompt) = host.post(&request.post_id)? else {
        return refuse("This prompt is gone.");
    };
    let bot = crate::runs::create::bot_id(host).map_err(|e| HostError::Other(e.to_string()))?;
    if prompt.user_id != bot || prompt.props.get(PROMPT_PROP) != Some(&json!(true)) {
        return refuse("This is not a playbooks prompt.");
    }
    let viewer =
        Viewer::load(host, &request.user_id).map_err(|e| HostError::Other(e.to_string()))?;
    if !viewer.is_system_admin && !host.is_channel_member(&prompt.channel_id, &request.user_id)? {
        return refuse("You cannot read this channel.");
    }
    let text = |key: &str| {
        request
            .context
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let thread_id = prompt.root_id.clone();
    if action == Some(ACTION_IGNORE) {
        store::ignore(host, &thread_id, &request.user_id)?;
        log_err(host, "removing the prompt", host.delete_post(&prompt.id));
        return refuse("Got it: no more playbook prompts for you in this thread.");
    }
    let offered: Vec<String> = request
        .context
        .get("playbook_ids")
        .and_then(Value::as_array)
        .map(|ids| {
            ids.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let chosen = if request.selected_option.is_empty() {
        text("selected_option")
    } else {
        request.selected_option.clone()
    };
    let playbook_ids = if !chosen.is_empty() && offered.contains(&chosen) {
        vec![chosen]
    } else {
        offered
    };
    let team_id = match host.channel(&prompt.channel_id)? {
        Some(c) if !c.team_id.is_empty() => c.team_id,
        _ => request.team_id.clone(),
    };
    // The post to quote: only one of the prompt's own channel that the
    // clicker can read (the run dialog's submission checks it again).
    let source = text("post_id");
    let post_id = match authz::read_post(host, &viewer, &source, "post_id") {
        Ok(p) if p.channel_id == prompt.channel_id => source,
        _ => String::new(),
    };
    let state = RunDialogState {
        channel_id: prompt.channel_id.clone(),
        post_id,
        playbook_ids,
    };
    match open_run_dialog(host, &request.trigger_id, &viewer, &team_id, &state) {
        Ok(()) => Ok(Some(ActionResponse::default())),
        Err(message) => refuse(&message),
    }
}

/// `user-has-joined-channel`: the welcome message (ephemeral, to the new
/// member) and filing the channel under the member's sidebar category.
pub fn on_join<H: Host + ?Sized>(host: &H, channel_id: &str, user_id: &str) -> HostResult<()> {
    let Some(channel) = compiled(host, channel_id)? else {
        return Ok(());
    };
    let welcomes = channel.actions.iter().filter(|a: &&ChannelAction| {
        a.trigger_type == trigger_type::NEW_MEMBER_JOINS
            && a.action_type == action_type::SEND_WELCOME_MESSAGE
    });
    let categories = channel.actions.iter().filter(|a: &&ChannelAction| {
        a.trigger_type == trigger_type::NEW_MEMBER_JOINS
            && a.action_type == action_type::CATEGORIZE_CHANNEL
    });
    for action in categories {
        let name = action.payload_text("category_name");
        let team_id = host
            .channel(channel_id)?
            .map(|c| c.team_id)
            .unwrap_or_default();
        if name.trim().is_empty() || team_id.is_empty() {
            continue;
        }
        if let Err(e) = host.add_channel_to_category(user_id, &team_id, &name, channel_id) {
            host.log(Level::Warn, &format!("categorizing {channel_id}: {e}"));
        }
    }
    for action in welcomes {
        let message = action.payload_text("message");
        if message.trim().is_empty() {
            continue;
        }
        let sent = host.send_ephemeral(
            user_id,
            Post {
                channel_id: channel_id.to_owned(),
                message,
                ..Post::default()
            },
        );
        if let Err(e) = sent {
            host.log(
                Level::Warn,
                &format!("welcome message in {channel_id}: {e}"),
            );
        }
    }
    Ok(())
}
