//! One test per rule: the rule fails on the right field, and passes again
//! once the value is fixed.

use super::*;
use crate::playbooks::model::{ChecklistItem, MetricConfig, PlaybookMember, TaskAction};
use crate::playbooks::testdata::{CHANNEL, valid_playbook};

/// Applies `bad` to a valid playbook and expects `field` to fail; then
/// applies `fix` and expects success.
fn rule(bad: impl FnOnce(&mut Playbook), field: &str, fix: impl FnOnce(&mut Playbook)) {
    let mut pb = valid_playbook();
    bad(&mut pb);
    match validate_playbook(&pb) {
        Err(e) => assert_eq!(e.field, field, "wrong field, error: {e}"),
        Ok(()) => panic!("expected {field} to fail"),
    }
    fix(&mut pb);
    assert_eq!(validate_playbook(&pb), Ok(()));
}

#[test]
fn fixture_is_valid() {
    assert_eq!(validate_playbook(&valid_playbook()), Ok(()));
}

#[test]
fn display() {
    let e = FieldError::new("metrics[2].title", "must not be empty");
    assert_eq!(e.to_string(), "metrics[2].title: must not be empty");
}

#[test]
fn title() {
    rule(|p| p.title = "  ".into(), "title", |p| p.title = "T".into());
    rule(
        |p| p.title = "é".repeat(1025),
        "title",
        |p| p.title = "é".repeat(1024),
    );
}

#[test]
fn team_id() {
    rule(
        |p| p.team_id.clear(),
        "team_id",
        |p| p.team_id = "team".into(),
    );
}

#[test]
fn members() {
    rule(
        |p| p.members[0].user_id.clear(),
        "members[0].user_id",
        |p| p.members[0].user_id = "u".into(),
    );
    rule(
        |p| p.members[0].roles.push("system_admin".into()),
        "members[0].roles[2]",
        |p| {
            p.members[0].roles.pop();
        },
    );
}

fn metric(title: &str, kind: &str) -> MetricConfig {
    MetricConfig {
        title: title.into(),
        kind: kind.into(),
        ..Default::default()
    }
}

#[test]
fn metrics_count() {
    rule(
        |p| {
            p.metrics.push(metric("a", metric_type::INTEGER));
            p.metrics.push(metric("b", metric_type::INTEGER));
            p.metrics.push(metric("c", metric_type::INTEGER));
        },
        "metrics",
        |p| {
            p.metrics.pop();
        },
    );
}

#[test]
fn metric_titles() {
    rule(
        |p| p.metrics[1].title = " ".into(),
        "metrics[1].title",
        |p| p.metrics[1].title = "Cost".into(),
    );
    rule(
        |p| p.metrics[1].title = " time TO resolve".into(),
        "metrics[1].title",
        |p| p.metrics[1].title = "Time to detect".into(),
    );
}

#[test]
fn metric_type() {
    rule(
        |p| p.metrics[0].kind = "metric_money".into(),
        "metrics[0].type",
        |p| p.metrics[0].kind = metric_type::INTEGER.into(),
    );
}

#[test]
fn metric_target() {
    rule(
        |p| p.metrics[1].target = Some(-1),
        "metrics[1].target",
        |p| p.metrics[1].target = Some(0),
    );
}

#[test]
fn category_name() {
    rule(
        |p| p.category_name = "x".repeat(23),
        "category_name",
        |p| p.category_name = "ü".repeat(22),
    );
}

#[test]
fn run_number_prefix() {
    for bad in ["-INC", "INC-", "IN C", "INC_1", "ÄBC", &"A".repeat(33)] {
        rule(
            |p| p.run_number_prefix = bad.into(),
            "run_number_prefix",
            |p| p.run_number_prefix = "OPS-1-A".into(),
        );
    }
    rule(
        |p| p.run_number_prefix = "-".into(),
        "run_number_prefix",
        |p| p.run_number_prefix.clear(),
    );
}

#[test]
fn channel_mode() {
    rule(
        |p| p.channel_mode = "new_channel".into(),
        "channel_mode",
        |p| p.channel_mode = channel_mode::LINK_EXISTING_CHANNEL.into(),
    );
    rule(
        |p| {
            p.channel_mode = channel_mode::LINK_EXISTING_CHANNEL.into();
            p.new_channel_only = true;
        },
        "new_channel_only",
        |p| p.channel_mode = channel_mode::CREATE_NEW_CHANNEL.into(),
    );
}

#[test]
fn channel_name_template_tokens() {
    let mut pb = valid_playbook();
    pb.channel_name_template = "{SEQ} {SEVERITY} {OWNER}".into();
    let err = validate_playbook(&pb).unwrap_err();
    assert_eq!(err.field, "channel_name_template");
    assert!(err.message.contains("{SEVERITY}"), "{err}");
    pb.channel_name_template = "{SEQ} {} severity {OWNER} }{".into();
    assert_eq!(validate_playbook(&pb), Ok(()));

    rule(
        |p| p.channel_name_template = "{{SEQ}}".into(),
        "channel_name_template",
        |p| p.channel_name_template = "{SEQ}}".into(),
    );
    rule(
        |p| p.channel_name_template = "{ }".into(),
        "channel_name_template",
        |p| p.channel_name_template = "{creator}".into(),
    );
}

#[test]
fn channel_name_template_shape() {
    rule(
        |p| p.channel_name_template = "   ".into(),
        "channel_name_template",
        |p| p.channel_name_template.clear(),
    );
    rule(
        |p| p.channel_name_template = "x".repeat(1025),
        "channel_name_template",
        |p| p.channel_name_template = "x".repeat(1024),
    );
}

#[test]
fn tokens_are_located() {
    let t = "a {SEQ} {} { Owner }{x";
    let found: Vec<_> = template_tokens(t)
        .into_iter()
        .map(|(r, name)| (&t[r], name))
        .collect();
    assert_eq!(found, [("{SEQ}", "SEQ"), ("{ Owner }", "Owner")]);
}

#[test]
fn reminder_intervals() {
    rule(
        |p| p.reminder_timer_default_seconds = -1,
        "reminder_timer_default_seconds",
        // 0 is this project's "never remind".
        |p| p.reminder_timer_default_seconds = 0,
    );
    rule(
        |p| p.retrospective_reminder_interval_seconds = -60,
        "retrospective_reminder_interval_seconds",
        |p| p.retrospective_reminder_interval_seconds = 0,
    );
}

#[test]
fn webhook_url_count() {
    let many = vec!["https://example.com/h".to_string(); 65];
    rule(
        |p| p.webhook_on_creation_urls = many.clone(),
        "webhook_on_creation_urls",
        |p| p.webhook_on_creation_urls.truncate(64),
    );
    rule(
        |p| p.webhook_on_status_update_urls = many.clone(),
        "webhook_on_status_update_urls",
        |p| p.webhook_on_status_update_urls.truncate(64),
    );
}

#[test]
fn webhook_urls() {
    for bad in [
        "ftp://example.com/x",
        "example.com/hook",
        "https://",
        "https:///path",
        "https://exa mple.com",
        "https://example.com:0/",
        "https://example.com:99999/",
        "https://example.com:/x",
        "https://[::1/x",
        "https://[zz]/x",
        "https://a:b:80/",
        "javascript://%0aalert(1)",
    ] {
        rule(
            |p| p.webhook_on_creation_urls.push(bad.into()),
            "webhook_on_creation_urls[1]",
            |p| {
                p.webhook_on_creation_urls.pop();
            },
        );
    }
    for good in [
        "HTTPS://Example.COM",
        "http://localhost:8065/plugins/x?y=1#z",
        "https://[::1]:8443/hook",
        "https://bücher.example/hook",
        "http://u:p@host_name/x",
    ] {
        assert_eq!(check_http_url(good), Ok(()), "{good}");
    }
    rule(
        |p| p.webhook_on_status_update_urls[0] = "mailto:ops@example.com".into(),
        "webhook_on_status_update_urls[0]",
        |p| p.webhook_on_status_update_urls[0] = "https://example.com".into(),
    );
}

#[test]
fn id_lists() {
    rule(
        |p| p.broadcast_channel_ids.push("town-square".into()),
        "broadcast_channel_ids[1]",
        |p| *p.broadcast_channel_ids.last_mut().unwrap() = CHANNEL.into(),
    );
    rule(
        |p| p.invited_user_ids[0] = "W3ZK9TCA7BD5MXRJOPQ1YEU8NH".into(),
        "invited_user_ids[0]",
        |p| p.invited_user_ids[0].make_ascii_lowercase(),
    );
    rule(
        |p| p.invited_group_ids.push("g".into()),
        "invited_group_ids[0]",
        |p| p.invited_group_ids.clear(),
    );
}

#[test]
fn checklist_titles() {
    rule(
        |p| p.checklists[1].title = "".into(),
        "checklists[1].title",
        |p| p.checklists[1].title = "Resolve".into(),
    );
}

#[test]
fn item_titles() {
    rule(
        |p| p.checklists[1].items[0].title = "\t".into(),
        "checklists[1].items[0].title",
        |p| p.checklists[1].items[0].title = "Done".into(),
    );
}

#[test]
fn item_state() {
    rule(
        |p| p.checklists[0].items[1].state = "done".into(),
        "checklists[0].items[1].state",
        |p| p.checklists[0].items[1].state = state::SKIPPED.into(),
    );
}

#[test]
fn item_assignee_type() {
    rule(
        |p| p.checklists[0].items[0].assignee_type = "manager".into(),
        "checklists[0].items[0].assignee_type",
        |p| p.checklists[0].items[0].assignee_type = assignee_type::CREATOR.into(),
    );
}

#[test]
fn item_due_date() {
    rule(
        |p| p.checklists[0].items[1].due_date = -1,
        "checklists[0].items[1].due_date",
        |p| p.checklists[0].items[1].due_date = 0,
    );
}

fn first(p: &mut Playbook) -> &mut TaskAction {
    &mut p.checklists[0].items[0].task_actions[0]
}

#[test]
fn task_actions() {
    let path = "checklists[0].items[0].task_actions";
    rule(
        |p| {
            let ta = first(p).clone();
            p.checklists[0].items[0].task_actions = vec![ta; 11];
        },
        path,
        |p| p.checklists[0].items[0].task_actions.truncate(10),
    );
    rule(
        |p| first(p).trigger.kind = "on_time".into(),
        &format!("{path}[0].trigger.type"),
        |p| first(p).trigger.kind = "keywords_by_users".into(),
    );
    rule(
        |p| first(p).trigger.payload = "{keywords".into(),
        &format!("{path}[0].trigger.payload"),
        |p| first(p).trigger.payload = "{}".into(),
    );
    rule(
        |p| first(p).actions[0].kind = "delete_run".into(),
        &format!("{path}[0].actions[0].type"),
        |p| first(p).actions[0].kind = "mark_item_as_done".into(),
    );
    rule(
        |p| first(p).actions[0].payload = "".into(),
        &format!("{path}[0].actions[0].payload"),
        |p| first(p).actions[0].payload = r#"{"enabled":false}"#.into(),
    );
}

#[test]
fn first_error_wins() {
    let mut pb = valid_playbook();
    pb.checklists[1].items.push(ChecklistItem::default());
    pb.members.push(PlaybookMember::default());
    assert_eq!(
        validate_playbook(&pb).unwrap_err().field,
        "members[1].user_id"
    );
}
