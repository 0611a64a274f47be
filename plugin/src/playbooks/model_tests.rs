use super::*;
use serde_json::json;

#[test]
fn partial_json_takes_reference_defaults() {
    let pb: Playbook = serde_json::from_value(json!({"title": "T", "team_id": "x"})).unwrap();
    assert_eq!(pb.title, "T");
    assert!(pb.public);
    assert!(pb.status_update_enabled);
    assert!(pb.retrospective_enabled);
    assert!(pb.create_channel_member_on_new_participant);
    assert!(pb.remove_channel_member_on_removed_participant);
    assert_eq!(pb.channel_mode, "create_new_channel");
    assert_eq!(pb.reminder_timer_default_seconds, 604_800);
    assert_eq!(pb.retrospective_reminder_interval_seconds, 0);
    assert!(!pb.run_summary_template_enabled);
}

#[test]
fn go_client_nulls_are_empty_lists() {
    let pb: Playbook = serde_json::from_value(json!({
        "checklists": [{"title": "A", "items": null}],
        "members": null, "invited_user_ids": null, "metrics": null,
        "signal_any_keywords": null, "webhook_on_creation_urls": null,
    }))
    .unwrap();
    assert!(pb.checklists[0].items.is_empty());
    assert!(pb.members.is_empty() && pb.metrics.is_empty());
}

#[test]
fn serialises_reference_names() {
    let mut pb = Playbook::default();
    pb.metrics.push(MetricConfig {
        kind: metric_type::DURATION.into(),
        ..Default::default()
    });
    pb.checklists.push(Checklist {
        items: vec![ChecklistItem {
            task_actions: vec![TaskAction {
                trigger: Trigger {
                    kind: task_action::KEYWORDS_BY_USERS.into(),
                    payload: r#"{"keywords":["done"]}"#.into(),
                },
                actions: vec![Action {
                    kind: task_action::MARK_ITEM_AS_DONE.into(),
                    payload: r#"{"enabled":true}"#.into(),
                }],
            }],
            ..Default::default()
        }],
        ..Default::default()
    });
    let v = serde_json::to_value(&pb).unwrap();
    assert_eq!(v["metrics"][0]["type"], "metric_duration");
    assert_eq!(v["metrics"][0]["target"], serde_json::Value::Null);
    let item = &v["checklists"][0]["items"][0];
    assert_eq!(
        item["task_actions"][0]["trigger"]["type"],
        "keywords_by_users"
    );
    assert_eq!(item["assignee_ids"], json!([]));
    assert_eq!(v["active_runs"], 0);
    let back: Playbook = serde_json::from_value(v).unwrap();
    assert_eq!(back, pb);
}

#[test]
fn task_action_payloads_parse() {
    let t = KeywordsByUsers::parse(r#"{"keywords":["fixed"],"user_ids":null}"#).unwrap();
    assert_eq!(t.keywords, ["fixed"]);
    assert!(
        MarkItemAsDone::parse(r#"{"enabled":true}"#)
            .unwrap()
            .enabled
    );
    assert!(MarkItemAsDone::parse("").is_err());
}

fn item(id: &str, ids: &[&str]) -> ChecklistItem {
    ChecklistItem {
        assignee_id: id.into(),
        assignee_ids: ids.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }
}

#[test]
fn assignees_reconcile() {
    // Legacy client set a single assignee.
    let mut i = item("a", &[]);
    i.normalize_assignees();
    assert_eq!(
        (i.assignee_id.as_str(), i.assignee_ids.clone()),
        ("a", vec!["a".into()])
    );
    // Multi-assignee client sent the list only.
    let mut i = item("", &["b", "c", "b", ""]);
    i.normalize_assignees();
    assert_eq!(i.assignee_id, "b");
    assert_eq!(i.assignee_ids, ["b", "c"]);
    // Legacy client replaced the first assignee.
    let mut i = item("d", &["b", "c"]);
    i.normalize_assignees();
    assert_eq!(i.assignee_ids, ["d"]);
    // First assignee moved to the front.
    let mut i = item("c", &["b", "c"]);
    i.normalize_assignees();
    assert_eq!(i.assignee_ids, ["c", "b"]);
    // Nobody.
    let mut i = item("", &[]);
    i.normalize_assignees();
    assert!(i.assignee_id.is_empty() && i.assignee_ids.is_empty());
}

#[test]
fn normalize_and_counts() {
    let mut pb = Playbook {
        signal_any_keywords: vec!["sev1".into(), "".into(), "sev2".into(), "sev1".into()],
        checklists: vec![
            Checklist {
                items: vec![item("a", &[]), item("", &[])],
                ..Default::default()
            },
            Checklist::default(),
        ],
        ..Default::default()
    };
    pb.normalize();
    pb.update_counts();
    assert_eq!(pb.signal_any_keywords, ["sev1", "sev2"]);
    assert_eq!(pb.checklists[0].items[0].assignee_ids, ["a"]);
    assert_eq!((pb.num_stages, pb.num_steps), (2, 2));
}

#[test]
fn helpers() {
    let pb = Playbook {
        members: vec![PlaybookMember {
            user_id: "u".into(),
            roles: vec![role::MEMBER.into(), role::ADMIN.into()],
        }],
        delete_at: 5,
        ..Default::default()
    };
    assert!(pb.member("u").is_some_and(PlaybookMember::is_admin));
    assert!(pb.member("v").is_none());
    assert!(pb.is_archived());
    let mut i = ChecklistItem::default();
    assert!(!i.is_completed());
    i.state = state::SKIPPED.into();
    assert!(i.is_completed());
}
