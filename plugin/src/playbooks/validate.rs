//! Validation of a playbook before it is stored.
//!
//! [`validate_playbook`] checks what a playbook can check about itself: no
//! host access, so "does this channel exist" and "is this prefix unique in
//! the team" belong to the caller. It reports the first problem as a
//! [`FieldError`] whose `field` is the JSON path of the culprit
//! (`checklists[1].items[0].title`), so an API can return it as-is and a UI
//! can point at the input.
//!
//! Callers should [`Playbook::normalize`] client input first; validation
//! does not change anything.
//!
//! Where upstream is lax this module is stricter, on purpose: settings are
//! checked whether or not their feature is enabled (a stored URL or channel
//! id must be sane before someone flips the switch), metric titles are
//! unique case-insensitively, lengths count characters, not bytes.

use std::collections::HashSet;
use std::fmt;
use std::ops::Range;

use super::ids::is_valid_id;
use super::model::{
    KeywordsByUsers, MarkItemAsDone, Playbook, TaskAction, assignee_type, channel_mode,
    metric_type, role, state, task_action,
};
use crate::limits;

/// A validation failure: which field (a JSON path, empty for the whole
/// document) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            // About the document as a whole.
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.field, self.message)
        }
    }
}

impl std::error::Error for FieldError {}

type Check = Result<(), FieldError>;

fn fail(field: impl Into<String>, message: impl Into<String>) -> Check {
    Err(FieldError::new(field, message))
}

// The limits themselves are in [`crate::limits`], one table for all.
pub use crate::limits::{
    CATEGORY_NAME_CHARS as MAX_CATEGORY_NAME_CHARS,
    CHANNEL_NAME_TEMPLATE_CHARS as MAX_CHANNEL_NAME_TEMPLATE_CHARS, METRICS as MAX_METRICS,
    RUN_NUMBER_PREFIX_CHARS as MAX_RUN_NUMBER_PREFIX_CHARS, TASK_ACTIONS as MAX_TASK_ACTIONS,
    TITLE_CHARS as MAX_TITLE_CHARS, WEBHOOK_URLS as MAX_WEBHOOK_URLS,
};
/// The tokens a channel name template may use (matched case-insensitively,
/// blanks inside the braces ignored, as upstream).
pub const TEMPLATE_TOKENS: [&str; 3] = ["SEQ", "OWNER", "CREATOR"];

/// Checks every rule; the first failure wins.
pub fn validate_playbook(pb: &Playbook) -> Result<(), FieldError> {
    check_title("title", &pb.title, MAX_TITLE_CHARS)?;
    if pb.team_id.trim().is_empty() {
        return fail("team_id", "is required");
    }
    check_members(pb)?;
    check_metrics(pb)?;
    check_max_chars("category_name", &pb.category_name, MAX_CATEGORY_NAME_CHARS)?;
    check_run_number_prefix(&pb.run_number_prefix)?;
    check_channel_mode(pb)?;
    check_channel_name_template(&pb.channel_name_template)?;
    check_non_negative(
        "reminder_timer_default_seconds",
        pb.reminder_timer_default_seconds,
        "must be >= 0 (0 = never remind)",
    )?;
    limits::duration_seconds(
        "reminder_timer_default_seconds",
        pb.reminder_timer_default_seconds,
    )?;
    check_non_negative(
        "retrospective_reminder_interval_seconds",
        pb.retrospective_reminder_interval_seconds,
        "must be >= 0 (0 = remind once)",
    )?;
    limits::duration_seconds(
        "retrospective_reminder_interval_seconds",
        pb.retrospective_reminder_interval_seconds,
    )?;
    check_texts(pb)?;
    check_webhook_urls("webhook_on_creation_urls", &pb.webhook_on_creation_urls)?;
    check_webhook_urls(
        "webhook_on_status_update_urls",
        &pb.webhook_on_status_update_urls,
    )?;
    check_ids("broadcast_channel_ids", &pb.broadcast_channel_ids)?;
    check_ids("invited_user_ids", &pb.invited_user_ids)?;
    check_ids("invited_group_ids", &pb.invited_group_ids)?;
    check_checklists(pb)?;
    limits::checklists("", &pb.checklists)?;
    limits::budget(playbook_text_bytes(pb))
}

/// The playbook's free texts and lists against [`crate::limits`].
fn check_texts(pb: &Playbook) -> Check {
    limits::text("description", &pb.description, limits::LONG_TEXT_CHARS)?;
    for (field, value) in [
        ("reminder_message_template", &pb.reminder_message_template),
        ("message_on_join", &pb.message_on_join),
        ("retrospective_template", &pb.retrospective_template),
        ("run_summary_template", &pb.run_summary_template),
    ] {
        limits::text(field, value, limits::LONG_TEXT_CHARS)?;
    }
    limits::keywords("signal_any_keywords", &pb.signal_any_keywords)?;
    limits::count("members", pb.members.len(), limits::MEMBERS)?;
    limits::count(
        "invited_user_ids",
        pb.invited_user_ids.len(),
        limits::MEMBERS,
    )?;
    limits::count(
        "invited_group_ids",
        pb.invited_group_ids.len(),
        limits::INVITED_GROUPS,
    )?;
    limits::count(
        "broadcast_channel_ids",
        pb.broadcast_channel_ids.len(),
        limits::BROADCAST_CHANNELS,
    )?;
    limits::urls("webhook_on_creation_urls", &pb.webhook_on_creation_urls)?;
    limits::urls(
        "webhook_on_status_update_urls",
        &pb.webhook_on_status_update_urls,
    )?;
    for (i, metric) in pb.metrics.iter().enumerate() {
        limits::text(
            &format!("metrics[{i}].description"),
            &metric.description,
            limits::DESCRIPTION_CHARS,
        )?;
    }
    Ok(())
}

/// What a run started from `pb` inherits of its texts (see
/// [`limits::TEXT_BUDGET_BYTES`]).
fn playbook_text_bytes(pb: &Playbook) -> usize {
    let e = limits::escaped_len;
    e(&pb.title)
        + e(&pb.description)
        + e(&pb.reminder_message_template)
        + e(&pb.message_on_join)
        + e(&pb.retrospective_template)
        + e(&pb.run_summary_template)
        + limits::checklists_text_bytes(&pb.checklists)
}

fn check_title(field: &str, title: &str, max: usize) -> Check {
    if title.trim().is_empty() {
        return fail(field, "must not be empty");
    }
    check_max_chars(field, title, max)
}

fn check_max_chars(field: &str, value: &str, max: usize) -> Check {
    if value.chars().count() > max {
        return fail(field, format!("must be at most {max} characters"));
    }
    Ok(())
}

fn check_non_negative(field: &str, value: i64, message: &str) -> Check {
    if value < 0 {
        return fail(field, message);
    }
    Ok(())
}

fn check_one_of(field: &str, value: &str, allowed: &[&str]) -> Check {
    if allowed.contains(&value) {
        return Ok(());
    }
    let allowed: Vec<String> = allowed.iter().map(|a| format!("{a:?}")).collect();
    fail(
        field,
        format!("{value:?} is not one of {}", allowed.join(", ")),
    )
}

fn check_ids(field: &str, ids: &[String]) -> Check {
    for (i, id) in ids.iter().enumerate() {
        if !is_valid_id(id) {
            return fail(format!("{field}[{i}]"), format!("{id:?} is not an id"));
        }
    }
    Ok(())
}

fn check_members(pb: &Playbook) -> Check {
    for (i, member) in pb.members.iter().enumerate() {
        if member.user_id.trim().is_empty() {
            return fail(format!("members[{i}].user_id"), "is required");
        }
        for (j, r) in member.roles.iter().enumerate() {
            check_one_of(&format!("members[{i}].roles[{j}]"), r, &role::ALL)?;
        }
    }
    Ok(())
}

fn check_metrics(pb: &Playbook) -> Check {
    if pb.metrics.len() > MAX_METRICS {
        return fail("metrics", format!("at most {MAX_METRICS} metrics"));
    }
    let mut titles = HashSet::new();
    for (i, metric) in pb.metrics.iter().enumerate() {
        let field = |name: &str| format!("metrics[{i}].{name}");
        check_title(&field("title"), &metric.title, MAX_TITLE_CHARS)?;
        if !titles.insert(metric.title.trim().to_lowercase()) {
            return fail(field("title"), "another metric has this title");
        }
        check_one_of(&field("type"), &metric.kind, &metric_type::ALL)?;
        if metric.target.is_some_and(|t| t < 0) {
            return fail(field("target"), "must be >= 0");
        }
    }
    Ok(())
}

fn check_run_number_prefix(prefix: &str) -> Check {
    const FIELD: &str = "run_number_prefix";
    if prefix.is_empty() {
        return Ok(());
    }
    check_max_chars(FIELD, prefix, MAX_RUN_NUMBER_PREFIX_CHARS)?;
    if !prefix
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return fail(FIELD, "only letters, digits and hyphens");
    }
    if prefix.starts_with('-') || prefix.ends_with('-') {
        return fail(FIELD, "must not start or end with a hyphen");
    }
    Ok(())
}

fn check_channel_mode(pb: &Playbook) -> Check {
    check_one_of("channel_mode", &pb.channel_mode, &channel_mode::ALL)?;
    if pb.new_channel_only && pb.channel_mode == channel_mode::LINK_EXISTING_CHANNEL {
        return fail(
            "new_channel_only",
            "runs must create a new channel, but channel_mode links an existing one",
        );
    }
    Ok(())
}

/// The `{…}` placeholders of a template: the byte range of each, braces
/// included, and its name with surrounding blanks trimmed.
///
/// Same syntax as upstream (`\{([^}]+)\}`): a placeholder runs from a `{`
/// to the next `}` and holds at least one character; `{}` is literal text.
pub fn template_tokens(template: &str) -> Vec<(Range<usize>, &str)> {
    let mut tokens = Vec::new();
    let mut from = 0;
    while let Some(open) = template[from..].find('{').map(|i| from + i) {
        let Some(close) = template[open + 1..].find('}').map(|i| open + 1 + i) else {
            break;
        };
        if close == open + 1 {
            from = open + 1;
            continue;
        }
        tokens.push((open..close + 1, template[open + 1..close].trim()));
        from = close + 1;
    }
    tokens
}

fn check_channel_name_template(template: &str) -> Check {
    const FIELD: &str = "channel_name_template";
    if !template.is_empty() && template.trim().is_empty() {
        return fail(FIELD, "must not be only blanks");
    }
    check_max_chars(FIELD, template, MAX_CHANNEL_NAME_TEMPLATE_CHARS)?;
    for (range, name) in template_tokens(template) {
        if !TEMPLATE_TOKENS.iter().any(|t| t.eq_ignore_ascii_case(name)) {
            return fail(
                FIELD,
                format!(
                    "unknown token {}; allowed: {{SEQ}}, {{OWNER}}, {{CREATOR}}",
                    &template[range]
                ),
            );
        }
    }
    Ok(())
}

fn check_webhook_urls(field: &str, urls: &[String]) -> Check {
    if urls.len() > MAX_WEBHOOK_URLS {
        return fail(field, format!("at most {MAX_WEBHOOK_URLS} URLs"));
    }
    for (i, url) in urls.iter().enumerate() {
        if let Err(why) = check_http_url(url) {
            return fail(format!("{field}[{i}]"), format!("{url:?}: {why}"));
        }
    }
    Ok(())
}

/// A small absolute-URL check, enough to refuse what could never be
/// delivered: `http(s)://host[:port][/path][?query][#fragment]`, optional
/// `user@`, IPv6 hosts in brackets. The host is only checked for
/// characters; reachability and allow-lists are the host's business.
pub fn check_http_url(url: &str) -> Result<(), &'static str> {
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must not contain blanks or control characters");
    }
    let (scheme, rest) = url.split_once("://").ok_or("must be an absolute URL")?;
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return Err("only http and https are accepted");
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
    let port = if let Some(v6) = host_port.strip_prefix('[') {
        let (host, after) = v6.split_once(']').ok_or("unclosed [ in host")?;
        if host.is_empty()
            || !host
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        {
            return Err("invalid IPv6 host");
        }
        match after {
            "" => None,
            _ => Some(after.strip_prefix(':').ok_or("invalid host")?),
        }
    } else {
        let (host, port) = match host_port.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        };
        if host.is_empty() {
            return Err("missing host");
        }
        // Letters include non-ASCII ones: internationalised host names.
        if !host
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '.' | '_'))
        {
            return Err("invalid character in host");
        }
        port
    };
    if let Some(port) = port {
        let valid = !port.is_empty()
            && port.len() <= 5
            && port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u32>().is_ok_and(|p| (1..=65535).contains(&p));
        if !valid {
            return Err("invalid port");
        }
    }
    Ok(())
}

fn check_checklists(pb: &Playbook) -> Check {
    for (c, checklist) in pb.checklists.iter().enumerate() {
        let path = format!("checklists[{c}]");
        check_title(&format!("{path}.title"), &checklist.title, MAX_TITLE_CHARS)?;
        for (i, item) in checklist.items.iter().enumerate() {
            let path = format!("{path}.items[{i}]");
            check_title(&format!("{path}.title"), &item.title, MAX_TITLE_CHARS)?;
            check_one_of(&format!("{path}.state"), &item.state, &state::ALL)?;
            check_one_of(
                &format!("{path}.assignee_type"),
                &item.assignee_type,
                &assignee_type::ALL,
            )?;
            check_non_negative(
                &format!("{path}.due_date"),
                item.due_date,
                "in a playbook, an offset from the run start: must be >= 0",
            )?;
            check_task_actions(&format!("{path}.task_actions"), &item.task_actions)?;
        }
    }
    Ok(())
}

/// Known trigger and action types with payloads that parse, as upstream
/// requires; an unparseable payload would only fail later, at run time.
fn check_task_actions(path: &str, task_actions: &[TaskAction]) -> Check {
    if task_actions.len() > MAX_TASK_ACTIONS {
        return fail(path, format!("at most {MAX_TASK_ACTIONS} task actions"));
    }
    for (t, ta) in task_actions.iter().enumerate() {
        let path = format!("{path}[{t}]");
        let trigger = &ta.trigger;
        check_one_of(
            &format!("{path}.trigger.type"),
            &trigger.kind,
            &[task_action::KEYWORDS_BY_USERS],
        )?;
        if let Err(e) = KeywordsByUsers::parse(&trigger.payload) {
            return fail(format!("{path}.trigger.payload"), e.to_string());
        }
        for (a, action) in ta.actions.iter().enumerate() {
            let path = format!("{path}.actions[{a}]");
            check_one_of(
                &format!("{path}.type"),
                &action.kind,
                &[task_action::MARK_ITEM_AS_DONE],
            )?;
            if let Err(e) = MarkItemAsDone::parse(&action.payload) {
                return fail(format!("{path}.payload"), e.to_string());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
