//! Every limit on what users may type or list, in one table, and the
//! checks that apply it.
//!
//! Why: the host stores each KV value up to 1 MiB and gives the plugin
//! 64 MiB of memory. Without limits one 1 MB task description filled a run
//! to the storage cap, after which nothing could be written to it again
//! (issue 11, finding 7), and one body with a million tiny items decoded
//! into hundreds of MB (finding 2). The limits here are chosen so that a
//! run record has a fixed maximum size well below the host's cap (the unit
//! test `a_maximal_run_fits_the_kv_cap` builds the largest legal run and
//! measures it), while the ever-growing parts of a run (its timeline and
//! status posts) live under keys of their own ([`crate::runs::logs`]).
//!
//! Lengths count characters (as upstream and the web client do). Where
//! Mattermost Playbooks has a limit it is used: titles 1024, run names 64
//! (the channel display name), 4 metrics, 64 webhook URLs, 10 task actions
//! per task; the others are generous for real use.
//!
//! Checks report a [`FieldError`] naming the field (a JSON path such as
//! `checklists[1].items[0].description`), which the REST layer answers
//! with 400.

use crate::playbooks::FieldError;
use crate::playbooks::model::Checklist;
use crate::runs::model::PlaybookRun;

// ---- texts (characters) ----

/// Playbook, checklist, task and metric titles (upstream's limit).
pub const TITLE_CHARS: usize = 1024;
/// A run's name becomes its channel's display name (Mattermost: 64).
pub const RUN_NAME_CHARS: usize = 64;
/// Task, playbook and metric descriptions.
pub const DESCRIPTION_CHARS: usize = 4096;
/// Texts that become posts or documents: run summaries, status updates,
/// retrospectives, templates, welcome messages (a Mattermost post holds
/// 16383 characters).
pub const LONG_TEXT_CHARS: usize = 16_000;
/// A task's slash command.
pub const COMMAND_CHARS: usize = 1024;
/// A task action's payload (JSON text: keywords and user ids).
pub const PAYLOAD_CHARS: usize = 4096;
/// One keyword of a keyword trigger or channel action.
pub const KEYWORD_CHARS: usize = 64;
/// One webhook URL.
pub const URL_CHARS: usize = 1024;

// ---- counts ----

pub const CHECKLISTS: usize = 50;
pub const ITEMS_PER_CHECKLIST: usize = 200;
/// Tasks of one playbook or run in all its checklists.
pub const ITEMS_TOTAL: usize = 400;
/// Assignees of one task.
pub const ASSIGNEES: usize = 16;
/// Upstream's limit per task.
pub const TASK_ACTIONS: usize = 10;
/// Actions of one task action.
pub const ACTIONS: usize = 10;
/// Keywords of one trigger, of a playbook's `signal_any_keywords`, of a
/// channel action.
pub const KEYWORDS: usize = 50;
/// Upstream's limit.
pub const METRICS: usize = 4;
/// Members of a playbook; invited users; participants and followers of a
/// run.
pub const MEMBERS: usize = 1000;
pub const INVITED_GROUPS: usize = 64;
pub const BROADCAST_CHANNELS: usize = 64;
/// Channel actions (keyword prompts, welcome messages) per channel.
pub const CHANNEL_ACTIONS: usize = 64;
/// A channel action's welcome message.
pub const CHANNEL_MESSAGE_CHARS: usize = 4000;
/// A playbook's sidebar category name (upstream: longer is cut off).
pub const CATEGORY_NAME_CHARS: usize = 22;
pub const RUN_NUMBER_PREFIX_CHARS: usize = 32;
pub const CHANNEL_NAME_TEMPLATE_CHARS: usize = 1024;
/// Upstream's limit per list, bounding the fan-out of one event.
pub const WEBHOOK_URLS: usize = 64;

// ---- numbers ----

/// Durations in seconds (reminder intervals, snoozes): at most one year,
/// so `seconds * 1000` (ms) and `* 1e9` (ns) never overflow.
pub const DURATION_SECONDS: i64 = 365 * 24 * 3600;
/// Times and offsets in ms (due dates): up to the year 9999, so adding
/// one to another never overflows an `i64`.
pub const TIME_MS: i64 = 253_402_300_799_999;

// ---- storage ----

/// The host's cap on one KV value (`MAX_KV_VALUE_BYTES` in
/// host-shim/src/runtime/state.rs).
pub const KV_VALUE_BYTES: usize = 1024 * 1024;
/// The JSON-escaped size of the texts of one run or playbook together
/// (see [`text_bytes`]): the per-field limits times the counts would
/// allow far more than fits in one record.
pub const TEXT_BUDGET_BYTES: usize = 512 * 1024;
/// A request body, well below the plugin's 64 MiB memory.
pub const BODY_BYTES: usize = 1024 * 1024;
/// Array elements and object members of a request body, all together
/// (checked before the body is decoded into a document): far above the
/// largest legal playbook, far below what would exhaust the memory.
pub const BODY_ELEMENTS: usize = 50_000;
/// Timeline events kept per run; beyond, the oldest are dropped. They are
/// rows (no size cap); this bounds what one read of a run costs the
/// plugin's memory (a few MB), far above what incidents produce.
pub const TIMELINE_EVENTS: usize = 20_000;
/// Status posts kept per run; beyond, the oldest are dropped.
pub const STATUS_POSTS: usize = 20_000;

// ---- checks ----

pub type Check = Result<(), FieldError>;

/// `value` has at most `max` characters.
pub fn text(field: &str, value: &str, max: usize) -> Check {
    // Byte length first: no need to count characters of short texts.
    if value.len() > max && value.chars().count() > max {
        return Err(FieldError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(())
}

/// A list has at most `max` elements.
pub fn count(field: &str, len: usize, max: usize) -> Check {
    if len > max {
        return Err(FieldError::new(field, format!("at most {max} allowed")));
    }
    Ok(())
}

/// A duration in seconds within `0..=DURATION_SECONDS`.
pub fn duration_seconds(field: &str, seconds: i64) -> Check {
    if !(0..=DURATION_SECONDS).contains(&seconds) {
        return Err(FieldError::new(
            field,
            format!("must be between 0 and {DURATION_SECONDS} seconds (one year)"),
        ));
    }
    Ok(())
}

/// A time or offset in ms within `0..=TIME_MS`.
pub fn time_ms(field: &str, ms: i64) -> Check {
    if !(0..=TIME_MS).contains(&ms) {
        return Err(FieldError::new(
            field,
            format!("must be between 0 and {TIME_MS} (ms)"),
        ));
    }
    Ok(())
}

/// `now_ms` plus `seconds`, saturating (never wrapping into the past).
pub fn after_seconds(now_ms: i64, seconds: i64) -> i64 {
    now_ms.saturating_add(seconds.saturating_mul(1000))
}

/// An index from a request body: a non-negative integer that fits the
/// collections it addresses (never truncated: 4294967297 is not 1).
pub fn index(field: &str, value: Option<&serde_json::Value>) -> Result<usize, FieldError> {
    let n = value
        .and_then(serde_json::Value::as_u64)
        .ok_or_else(|| FieldError::new(field, "must be a non-negative integer"))?;
    let max = (ITEMS_TOTAL.max(CHECKLISTS)) as u64;
    if n > max {
        return Err(FieldError::new(field, format!("must be at most {max}")));
    }
    usize::try_from(n).map_err(|_| FieldError::new(field, "out of range"))
}

/// Titles, descriptions, commands, payloads and counts of checklists
/// (of a playbook or a run); `path` prefixes the field names.
pub fn checklists(path: &str, lists: &[Checklist]) -> Check {
    count(&format!("{path}checklists"), lists.len(), CHECKLISTS)?;
    let mut total = 0usize;
    for (c, list) in lists.iter().enumerate() {
        let at = format!("{path}checklists[{c}]");
        text(&format!("{at}.title"), &list.title, TITLE_CHARS)?;
        count(
            &format!("{at}.items"),
            list.items.len(),
            ITEMS_PER_CHECKLIST,
        )?;
        total += list.items.len();
        count(&format!("{path}checklists"), total, ITEMS_TOTAL).map_err(|_| {
            FieldError::new(
                format!("{at}.items"),
                format!("at most {ITEMS_TOTAL} tasks in all checklists"),
            )
        })?;
        for (i, item) in list.items.iter().enumerate() {
            let at = format!("{at}.items[{i}]");
            text(&format!("{at}.title"), &item.title, TITLE_CHARS)?;
            text(
                &format!("{at}.description"),
                &item.description,
                DESCRIPTION_CHARS,
            )?;
            text(&format!("{at}.command"), &item.command, COMMAND_CHARS)?;
            time_ms(&format!("{at}.due_date"), item.due_date)?;
            count(
                &format!("{at}.assignee_ids"),
                item.assignee_ids.len(),
                ASSIGNEES,
            )?;
            count(
                &format!("{at}.task_actions"),
                item.task_actions.len(),
                TASK_ACTIONS,
            )?;
            for (t, ta) in item.task_actions.iter().enumerate() {
                let at = format!("{at}.task_actions[{t}]");
                text(
                    &format!("{at}.trigger.payload"),
                    &ta.trigger.payload,
                    PAYLOAD_CHARS,
                )?;
                text(
                    &format!("{at}.trigger.type"),
                    &ta.trigger.kind,
                    KEYWORD_CHARS,
                )?;
                count(&format!("{at}.actions"), ta.actions.len(), ACTIONS)?;
                for (a, action) in ta.actions.iter().enumerate() {
                    let at = format!("{at}.actions[{a}]");
                    text(&format!("{at}.payload"), &action.payload, PAYLOAD_CHARS)?;
                    text(&format!("{at}.type"), &action.kind, KEYWORD_CHARS)?;
                }
            }
        }
    }
    Ok(())
}

/// Every text and list of a run, and the run's [`TEXT_BUDGET_BYTES`].
pub fn run(run: &PlaybookRun) -> Check {
    text("name", &run.name, RUN_NAME_CHARS.max(TITLE_CHARS))?;
    text("summary", &run.summary, LONG_TEXT_CHARS)?;
    text("retrospective", &run.retrospective, LONG_TEXT_CHARS)?;
    text(
        "reminder_message_template",
        &run.reminder_message_template,
        LONG_TEXT_CHARS,
    )?;
    checklists("", &run.checklists)?;
    count(
        "broadcast_channel_ids",
        run.broadcast_channel_ids.len(),
        BROADCAST_CHANNELS,
    )?;
    urls("webhook_on_creation_urls", &run.webhook_on_creation_urls)?;
    urls(
        "webhook_on_status_update_urls",
        &run.webhook_on_status_update_urls,
    )?;
    count("invited_user_ids", run.invited_user_ids.len(), MEMBERS)?;
    count("participant_ids", run.participant_ids.len(), MEMBERS)?;
    count("followers", run.followers.len(), MEMBERS)?;
    count("metrics_data", run.metrics_data.len(), METRICS)?;
    count(
        "broadcast_thread_ids",
        run.broadcast_thread_ids.len(),
        BROADCAST_CHANNELS,
    )?;
    duration_seconds(
        "reminder_timer_default_seconds",
        run.reminder_timer_default_seconds,
    )?;
    duration_seconds(
        "retrospective_reminder_interval_seconds",
        run.retrospective_reminder_interval_seconds,
    )?;
    budget(run_text_bytes(run))
}

/// The URLs of a webhook list: count and length.
pub fn urls(field: &str, urls: &[String]) -> Check {
    count(field, urls.len(), WEBHOOK_URLS)?;
    for (i, url) in urls.iter().enumerate() {
        text(&format!("{field}[{i}]"), url, URL_CHARS)?;
    }
    Ok(())
}

/// Keywords: count and length of each.
pub fn keywords(field: &str, keywords: &[String]) -> Check {
    count(field, keywords.len(), KEYWORDS)?;
    for (i, k) in keywords.iter().enumerate() {
        text(&format!("{field}[{i}]"), k, KEYWORD_CHARS)?;
    }
    Ok(())
}

/// The texts together within [`TEXT_BUDGET_BYTES`].
pub fn budget(bytes: usize) -> Check {
    if bytes > TEXT_BUDGET_BYTES {
        return Err(FieldError::new(
            "checklists",
            format!(
                "the texts of this run or playbook take {bytes} bytes, more than \
                 {TEXT_BUDGET_BYTES}: shorten descriptions or remove tasks"
            ),
        ));
    }
    Ok(())
}

/// How many bytes `s` takes as a JSON string (quotes and escapes
/// included): what it adds to a stored record.
pub fn escaped_len(s: &str) -> usize {
    2 + s
        .bytes()
        .map(|b| match b {
            b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 2,
            0..=0x1f => 6,
            _ => 1,
        })
        .sum::<usize>()
}

/// The JSON size of the user-written parts of checklists: titles,
/// descriptions, commands, assignees and task actions.
pub fn checklists_text_bytes(lists: &[Checklist]) -> usize {
    let mut n = 0;
    for list in lists {
        n += escaped_len(&list.title);
        for item in &list.items {
            n += escaped_len(&item.title)
                + escaped_len(&item.description)
                + escaped_len(&item.command)
                + item
                    .assignee_ids
                    .iter()
                    .map(|a| escaped_len(a))
                    .sum::<usize>();
            if !item.task_actions.is_empty() {
                // All of it: the structure of task actions is user-made too.
                n += serde_json::to_vec(&item.task_actions).map_or(0, |v| v.len());
            }
        }
    }
    n
}

/// The JSON size of a run's user-written texts (see [`TEXT_BUDGET_BYTES`]).
pub fn run_text_bytes(run: &PlaybookRun) -> usize {
    let list = |l: &[String]| l.iter().map(|s| escaped_len(s)).sum::<usize>();
    escaped_len(&run.name)
        + escaped_len(&run.summary)
        + escaped_len(&run.retrospective)
        + escaped_len(&run.reminder_message_template)
        + list(&run.webhook_on_creation_urls)
        + list(&run.webhook_on_status_update_urls)
        + checklists_text_bytes(&run.checklists)
}

/// Checks `next` (a run about to be written) against every limit, except
/// that a field already over a limit in `current` (written before the
/// limits existed) may stay as it is as long as it does not grow: old
/// runs stay writable, new excess is refused.
pub fn run_change(current: Option<&PlaybookRun>, next: &PlaybookRun) -> Check {
    let Err(e) = run(next) else {
        return Ok(());
    };
    if let Some(current) = current
        && run(current).is_err_and(|old| old.field == e.field)
        && run_text_bytes(next) <= run_text_bytes(current)
    {
        return Ok(());
    }
    Err(e)
}

#[cfg(test)]
#[path = "limits_tests.rs"]
mod tests;
