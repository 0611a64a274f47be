//! The Markdown run report (`GET /runs/{id}/export`, this project's
//! addition): summary table, summary, status updates, checklists,
//! retrospective with metrics, and the timeline.
//!
//! [`render`] is pure: the route gathers usernames, names and status
//! update texts into a [`ReportContext`] first. User text is escaped where
//! it could break the document's structure (table cells, headings); longer
//! texts are quoted, so their own Markdown stays inside the quote.

use std::collections::HashMap;

use super::model::PlaybookRun;
use super::retro::{CANCELED_TEXT, format_metric};
use crate::playbooks::model::{MetricConfig, state};
use crate::timefmt::{duration, utc};

/// What the report shows beyond the run itself.
#[derive(Debug, Clone, Default)]
pub struct ReportContext {
    pub usernames: HashMap<String, String>,
    pub team_name: String,
    pub channel_name: String,
    pub playbook_title: String,
    pub metrics: Vec<MetricConfig>,
    /// (time, author username, message), any order.
    pub status_updates: Vec<(i64, String, String)>,
    /// When the report is made (for the duration of a run in progress).
    pub now: i64,
}

impl ReportContext {
    fn user(&self, id: &str) -> String {
        match self.usernames.get(id) {
            Some(name) => format!("@{name}"),
            None if id.is_empty() => "—".to_owned(),
            None => format!("@{id}"),
        }
    }
}

/// Text safe in a table cell or a one-line list item.
pub fn inline(s: &str) -> String {
    let one_line = s.replace(['\r', '\n'], " ");
    let escaped = one_line.replace('|', "\\|");
    match escaped.chars().next() {
        Some('#' | '>' | '-' | '*' | '+' | '=') => format!("\\{escaped}"),
        _ => escaped,
    }
}

/// `text` as a Markdown quote (every line prefixed).
fn quote(text: &str) -> String {
    text.lines().map(|l| format!("> {l}\n")).collect()
}

pub fn render(run: &PlaybookRun, ctx: &ReportContext) -> String {
    let mut out = String::new();
    let title = if run.sequential_id.is_empty() {
        inline(&run.name)
    } else {
        format!("{} · {}", run.sequential_id, inline(&run.name))
    };
    out.push_str(&format!("# {title}\n\n"));
    let ended = if run.end_at > 0 {
        utc(run.end_at)
    } else {
        "—".to_owned()
    };
    let until = if run.end_at > 0 { run.end_at } else { ctx.now };
    let participants: Vec<String> = run.participant_ids.iter().map(|p| ctx.user(p)).collect();
    out.push_str("| | |\n|---|---|\n");
    for (k, v) in [
        (
            "Status",
            if run.is_finished() {
                "Finished".to_owned()
            } else {
                "In progress".to_owned()
            },
        ),
        ("Owner", ctx.user(&run.owner_user_id)),
        ("Reporter", ctx.user(&run.reporter_user_id)),
        ("Participants", participants.join(", ")),
        (
            "Playbook",
            if ctx.playbook_title.is_empty() {
                "—".to_owned()
            } else {
                inline(&ctx.playbook_title)
            },
        ),
        (
            "Channel",
            if ctx.channel_name.is_empty() {
                "—".to_owned()
            } else {
                format!("~{}", inline(&ctx.channel_name))
            },
        ),
        ("Started", utc(run.create_at)),
        ("Ended", ended),
        ("Duration", duration(until - run.create_at)),
        (
            "Tasks",
            format!("{} of {} done", run.task_completed, run.task_total),
        ),
    ] {
        out.push_str(&format!("| {k} | {} |\n", inline(&v)));
    }

    out.push_str("\n## Summary\n\n");
    if run.summary.trim().is_empty() {
        out.push_str("_No summary._\n");
    } else {
        out.push_str(&quote(&run.summary));
    }

    out.push_str("\n## Status updates\n\n");
    let mut updates = ctx.status_updates.clone();
    updates.sort_by_key(|u| std::cmp::Reverse(u.0));
    if updates.is_empty() {
        out.push_str("_No status updates._\n");
    }
    for (at, author, message) in &updates {
        out.push_str(&format!(
            "**{}** — @{}\n\n{}\n",
            utc(*at),
            inline(author),
            quote(message)
        ));
    }

    out.push_str("\n## Checklists\n");
    for list in &run.checklists {
        out.push_str(&format!("\n### {}\n\n", inline(&list.title)));
        if list.items.is_empty() {
            out.push_str("_No tasks._\n");
        }
        for item in &list.items {
            let mark = match item.state.as_str() {
                state::CLOSED => "[x]",
                state::SKIPPED => "[~]",
                _ => "[ ]",
            };
            let mut line = format!("- {mark} {}", inline(&item.title));
            if item.state == state::SKIPPED {
                line.push_str(" (skipped)");
            }
            let mut who: Vec<String> = item.assignee_ids.iter().map(|a| ctx.user(a)).collect();
            if who.is_empty() && !item.assignee_id.is_empty() {
                who.push(ctx.user(&item.assignee_id));
            }
            if !who.is_empty() {
                line.push_str(&format!(" — {}", who.join(", ")));
            }
            if item.due_date > 0 {
                line.push_str(&format!(" — due {}", utc(item.due_date)));
            }
            out.push_str(&line);
            out.push('\n');
        }
    }

    out.push_str("\n## Retrospective\n\n");
    if run.retrospective_was_canceled {
        out.push_str(&format!("{CANCELED_TEXT}\n"));
    } else if run.retrospective_published_at > 0 {
        out.push_str(&format!(
            "_Published {}._\n\n",
            utc(run.retrospective_published_at)
        ));
        out.push_str(&quote(&run.retrospective));
    } else if run.retrospective_enabled {
        out.push_str("_Not published yet._\n");
    } else {
        out.push_str("_No retrospective for this run._\n");
    }
    if !ctx.metrics.is_empty() {
        out.push_str("\n### Metrics\n\n| Metric | Value | Target |\n|---|---|---|\n");
        for m in &ctx.metrics {
            let value = run
                .metrics_data
                .iter()
                .find(|d| d.metric_config_id == m.id)
                .and_then(|d| d.value)
                .map_or("—".to_owned(), |v| format_metric(&m.kind, v));
            let target = m
                .target
                .map_or("—".to_owned(), |t| format_metric(&m.kind, t));
            out.push_str(&format!("| {} | {value} | {target} |\n", inline(&m.title)));
        }
    }

    out.push_str("\n## Timeline\n\n");
    let mut events: Vec<_> = run
        .timeline_events
        .iter()
        .filter(|e| e.delete_at == 0)
        .collect();
    events.sort_by_key(|e| e.event_at);
    if events.is_empty() {
        out.push_str("_No events._\n");
    }
    for e in events {
        out.push_str(&format!("- {} — {}\n", utc(e.event_at), inline(&e.summary)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playbooks::model::{Checklist, ChecklistItem};
    use crate::runs::model::{RunMetricData, TimelineEvent};

    fn run() -> PlaybookRun {
        PlaybookRun {
            id: "r1".into(),
            name: "DB | outage".into(),
            sequential_id: "INC-00007".into(),
            summary: "Primary down.\n# not a heading".into(),
            owner_user_id: "u1".into(),
            reporter_user_id: "u2".into(),
            participant_ids: vec!["u1".into(), "u2".into()],
            create_at: 1_700_000_000_000,
            end_at: 1_700_005_400_000,
            current_status: "Finished".into(),
            checklists: vec![Checklist {
                title: "Triage".into(),
                items: vec![
                    ChecklistItem {
                        title: "Assess".into(),
                        state: "closed".into(),
                        assignee_ids: vec!["u1".into()],
                        ..Default::default()
                    },
                    ChecklistItem {
                        title: "Page".into(),
                        state: "skipped".into(),
                        ..Default::default()
                    },
                    ChecklistItem {
                        title: "# Fix".into(),
                        due_date: 1_700_003_600_000,
                        ..Default::default()
                    },
                ],
                ..Default::default()
            }],
            retrospective: "We learned.".into(),
            retrospective_published_at: 1_700_009_000_000,
            retrospective_enabled: true,
            metrics_data: vec![RunMetricData {
                metric_config_id: "m1".into(),
                value: Some(5_400_000),
            }],
            timeline_events: vec![
                TimelineEvent {
                    summary: "Run started".into(),
                    event_at: 1_700_000_000_000,
                    ..Default::default()
                },
                TimelineEvent {
                    summary: "hidden".into(),
                    event_at: 1_700_000_100_000,
                    delete_at: 1,
                    ..Default::default()
                },
            ],
            task_total: 3,
            task_completed: 2,
            ..Default::default()
        }
    }

    #[test]
    fn renders_every_section() {
        let ctx = ReportContext {
            usernames: [
                ("u1".to_owned(), "alice".to_owned()),
                ("u2".to_owned(), "bob".to_owned()),
            ]
            .into(),
            channel_name: "inc-7".into(),
            playbook_title: "Incident".into(),
            metrics: vec![MetricConfig {
                id: "m1".into(),
                title: "Time to resolve".into(),
                kind: "metric_duration".into(),
                target: Some(3_600_000),
                ..Default::default()
            }],
            status_updates: vec![
                (1_700_001_000_000, "alice".into(), "Mitigating".into()),
                (1_700_002_000_000, "bob".into(), "Resolved".into()),
            ],
            ..Default::default()
        };
        let md = render(&run(), &ctx);
        assert!(md.starts_with("# INC-00007 · DB \\| outage\n"), "{md}");
        assert!(md.contains("| Owner | @alice |"));
        assert!(md.contains("| Participants | @alice, @bob |"));
        assert!(md.contains("| Duration | 1h 30m |"));
        assert!(md.contains("| Tasks | 2 of 3 done |"));
        assert!(
            md.contains("> Primary down.\n> # not a heading\n"),
            "summary quoted"
        );
        let resolved = md.find("Resolved").unwrap();
        assert!(
            resolved < md.find("Mitigating").unwrap(),
            "newest update first"
        );
        assert!(md.contains("- [x] Assess — @alice\n"));
        assert!(md.contains("- [~] Page (skipped)\n"));
        assert!(
            md.contains("- [ ] \\# Fix — due 2023-11-14 23:13 UTC\n"),
            "{md}"
        );
        assert!(md.contains("> We learned."));
        assert!(md.contains("| Time to resolve | 1h 30m | 1h 0m |"));
        assert!(md.contains("- 2023-11-14 22:13 UTC — Run started\n"));
        assert!(!md.contains("hidden"));
    }

    #[test]
    fn unpublished_and_canceled_retrospectives() {
        let mut r = run();
        r.retrospective_published_at = 0;
        assert!(render(&r, &ReportContext::default()).contains("_Not published yet._"));
        r.retrospective_was_canceled = true;
        assert!(render(&r, &ReportContext::default()).contains(CANCELED_TEXT));
        r.retrospective_was_canceled = false;
        r.retrospective_enabled = false;
        assert!(render(&r, &ReportContext::default()).contains("_No retrospective for this run._"));
    }
}
