//! Test fixtures shared by the playbook tests.

use super::model::*;

pub const TEAM: &str = "t8qsd4ubkfyzjmhaab9y6kwk1e";
pub const USER: &str = "w3zk9tca7bd5mxrjopq1yeu8nh";
pub const CHANNEL: &str = "gh4jd1kwzprx3cqaeb6mn8ouyt";

/// A playbook that passes every rule and uses most features.
pub fn valid_playbook() -> Playbook {
    Playbook {
        id: "pb1".into(),
        title: "Incident response".into(),
        team_id: TEAM.into(),
        members: vec![PlaybookMember {
            user_id: USER.into(),
            roles: vec![role::MEMBER.into(), role::ADMIN.into()],
        }],
        metrics: vec![
            MetricConfig {
                id: "m1".into(),
                title: "Time to resolve".into(),
                kind: metric_type::DURATION.into(),
                target: Some(3_600_000),
                ..Default::default()
            },
            MetricConfig {
                id: "m2".into(),
                title: "Cost".into(),
                kind: metric_type::CURRENCY.into(),
                ..Default::default()
            },
        ],
        category_name: "Incidents".into(),
        categorize_channel_enabled: true,
        run_number_prefix: "INC-2".into(),
        channel_name_template: "{SEQ} - { owner } by {Creator}".into(),
        webhook_on_creation_urls: vec!["https://hooks.example.com/a?b=c".into()],
        webhook_on_status_update_urls: vec!["http://user@10.0.0.5:8080/status".into()],
        broadcast_channel_ids: vec![CHANNEL.into()],
        invited_user_ids: vec![USER.into()],
        checklists: vec![
            Checklist {
                id: "c1".into(),
                title: "Triage".into(),
                items: vec![
                    ChecklistItem {
                        id: "i1".into(),
                        title: "Assess severity".into(),
                        assignee_type: assignee_type::OWNER.into(),
                        due_date: 15 * 60 * 1000,
                        task_actions: vec![TaskAction {
                            trigger: Trigger {
                                kind: task_action::KEYWORDS_BY_USERS.into(),
                                payload: r#"{"keywords":["sev"],"user_ids":[]}"#.into(),
                            },
                            actions: vec![Action {
                                kind: task_action::MARK_ITEM_AS_DONE.into(),
                                payload: r#"{"enabled":true}"#.into(),
                            }],
                        }],
                        ..Default::default()
                    },
                    ChecklistItem {
                        id: "i2".into(),
                        title: "Page on-call".into(),
                        command: "/page oncall".into(),
                        ..Default::default()
                    },
                ],
            },
            Checklist {
                id: "c2".into(),
                title: "Resolve".into(),
                items: vec![ChecklistItem {
                    id: "i3".into(),
                    title: "Write the timeline".into(),
                    ..Default::default()
                }],
            },
        ],
        ..Default::default()
    }
}
