use serde_json::json;

use super::*;
use crate::playbooks::ids::is_valid_id;
use crate::playbooks::model::{MetricConfig, state};
use crate::playbooks::testdata::{TEAM, USER, valid_playbook};

/// Ids `id1`, `id2`, … in call order.
fn counter() -> impl FnMut() -> String {
    let mut n = 0;
    move || {
        n += 1;
        format!("id{n}")
    }
}

fn import(json: &Value) -> Result<Playbook, FieldError> {
    import_playbook(json, TEAM, USER, counter())
}

/// An export as the upstream plugin writes it (sorted keys, zero values
/// left out), of a playbook using most settings.
fn mattermost_export() -> Value {
    json!({
        "auto_archive_channel": true,
        "categorize_channel_enabled": true,
        "category_name": "Incidents",
        "channel_name_template": "{SEQ} - Incident",
        "checklists": [
            {
                "items": [
                    {
                        "assignee_type": "owner",
                        "description": "Use the [severity matrix](https://wiki.example.com/sev).",
                        "due_date": 900000,
                        "title": "Assess the severity"
                    },
                    {
                        "command": "/page oncall $SERVICE",
                        "title": "Page the on-call engineer"
                    },
                    {"title": "Open a bridge call"}
                ],
                "title": "Triage"
            },
            {
                "items": [
                    {"description": "Every 30 minutes.", "title": "Post a status update"},
                    {"assignee_type": "creator", "due_date": 86400000, "title": "Confirm the fix"}
                ],
                "title": "Resolution"
            },
            {"items": [], "title": "Follow-up"}
        ],
        "create_channel_member_on_new_participant": true,
        "description": "How we respond to **production** incidents.",
        "message_on_join": "Welcome! Read the run summary first.",
        "message_on_join_enabled": true,
        "metrics": [
            {
                "description": "From the first report to the fix.",
                "target": 3600000,
                "title": "Time to resolve",
                "type": "metric_duration"
            },
            {"title": "Cost", "type": "metric_currency"},
            {"target": 0, "title": "Customers affected", "type": "metric_integer"}
        ],
        "owner_group_only_actions": true,
        "reminder_message_template": "### Impact\n\n### Next steps\n",
        "reminder_timer_default_seconds": 3600,
        "remove_channel_member_on_removed_participant": true,
        "retrospective_enabled": true,
        "retrospective_reminder_interval_seconds": 86400,
        "retrospective_template": "### Summary\n\n### What went well?\n",
        "run_number_prefix": "INC",
        "run_summary_template": "$SERVICE=api\nCustomer impact: unknown",
        "run_summary_template_enabled": true,
        "signal_any_keywords": ["sev1", "outage"],
        "signal_any_keywords_enabled": true,
        "status_update_enabled": true,
        "title": "Incident response",
        "version": 1
    })
}

/// Fields upstream may add that this project does not read: they must be
/// ignored, not refused.
const IGNORED: [&str; 5] = [
    "properties",
    "conditions",
    "export_channel_on_finished_enabled",
    "webhook_on_creation_urls",
    "webhook_on_creation_enabled",
];

fn with_ignored_fields(mut export: Value) -> Value {
    let extra = json!({
        "properties": [{"id": "f1", "name": "Severity", "type": "select", "attrs": {}}],
        "conditions": [],
        "export_channel_on_finished_enabled": true,
        "webhook_on_creation_urls": ["https://hooks.example.com/x"],
        "webhook_on_creation_enabled": true,
    });
    if let (Some(obj), Some(extra)) = (export.as_object_mut(), extra.as_object()) {
        obj.extend(extra.clone());
        obj["checklists"][0]["items"][0]["condition_action"] = json!("hidden");
        obj["checklists"][0]["items"][0]["state"] = json!("closed");
    }
    export
}

#[test]
fn mattermost_export_round_trips() {
    let file = with_ignored_fields(mattermost_export());
    for key in IGNORED {
        assert!(file.get(key).is_some());
    }
    let pb = import(&file).unwrap();
    assert_eq!(export_playbook(&pb), mattermost_export());
}

#[test]
fn import_assigns_ids_team_members_and_public() {
    let pb = import(&mattermost_export()).unwrap();
    assert_eq!(pb.id, "id1");
    let ids: Vec<&str> = pb
        .checklists
        .iter()
        .flat_map(|c| std::iter::once(&c.id).chain(c.items.iter().map(|i| &i.id)))
        .chain(pb.metrics.iter().map(|m| &m.id))
        .map(String::as_str)
        .collect();
    assert_eq!(
        ids,
        [
            "id2", "id3", "id4", "id5", "id6", "id7", "id8", "id9", "id10", "id11", "id12"
        ]
    );
    assert_eq!(pb.team_id, TEAM);
    assert_eq!(pb.members.len(), 1);
    assert_eq!(pb.members[0].user_id, USER);
    assert_eq!(pb.members[0].roles, ["playbook_member", "playbook_admin"]);
    assert!(pb.public);
    assert_eq!((pb.num_stages, pb.num_steps), (3, 5));
    assert_eq!(pb.create_at, 0);
    // Run state in the file is not imported.
    assert_eq!(pb.checklists[0].items[0].state, state::OPEN);
    // Neither are webhooks.
    let pb = import(&with_ignored_fields(mattermost_export())).unwrap();
    assert!(pb.webhook_on_creation_urls.is_empty() && !pb.webhook_on_creation_enabled);
}

#[test]
fn missing_settings_mean_zero_not_default() {
    // Upstream omits false and 0, so these are off in the source playbook.
    let pb = import(&json!({"version": 1, "title": "Minimal"})).unwrap();
    assert!(!pb.status_update_enabled);
    assert!(!pb.retrospective_enabled);
    assert!(!pb.create_channel_member_on_new_participant);
    assert_eq!(pb.reminder_timer_default_seconds, 0);
    assert_eq!(pb.channel_mode, "create_new_channel");
    // Settings that are never exported keep this project's defaults.
    assert!(pb.broadcast_enabled && pb.webhook_on_status_update_enabled);
    assert!(pb.checklists.is_empty() && pb.metrics.is_empty());
}

#[test]
fn legacy_removed_participant_key() {
    // Playbooks 1.3x wrote this setting under a wrong name, and exported
    // channel_id, which is server-specific.
    let mut file = mattermost_export();
    if let Some(obj) = file.as_object_mut() {
        obj.remove("remove_channel_member_on_removed_participant");
        obj.insert(LEGACY_REMOVE_MEMBER.into(), json!(true));
        obj.insert("channel_id".into(), json!("gh4jd1kwzprx3cqaeb6mn8ouyt"));
        obj.insert("channel_mode".into(), json!("link_existing_channel"));
        obj.remove("new_channel_only");
    }
    let pb = import(&file).unwrap();
    assert!(pb.remove_channel_member_on_removed_participant);
    assert_eq!(pb.channel_id, "");
    assert_eq!(pb.channel_mode, "link_existing_channel");
    let out = export_playbook(&pb);
    assert_eq!(out["remove_channel_member_on_removed_participant"], true);
    assert!(out.get(LEGACY_REMOVE_MEMBER).is_none());

    // The right name wins over the legacy one.
    if let Some(obj) = file.as_object_mut() {
        obj.insert(
            "remove_channel_member_on_removed_participant".into(),
            json!(false),
        );
    }
    assert!(
        !import(&file)
            .unwrap()
            .remove_channel_member_on_removed_participant
    );
}

#[test]
fn export_leaves_out_server_data() {
    let mut pb = valid_playbook();
    pb.channel_id = "gh4jd1kwzprx3cqaeb6mn8ouyt".into();
    pb.default_owner_id = USER.into();
    pb.default_owner_enabled = true;
    pb.create_at = 1;
    pb.num_runs = 3;
    pb.checklists[0].items[0].assignee_id = USER.into();
    pb.checklists[0].items[0].assignee_ids = vec![USER.into()];
    pb.checklists[0].items[0].state = state::CLOSED.into();
    let out = export_playbook(&pb);
    for key in [
        "id",
        "team_id",
        "members",
        "public",
        "create_at",
        "num_runs",
        "default_owner_id",
        "default_owner_enabled",
        "broadcast_channel_ids",
        "invited_user_ids",
        "channel_id",
        "webhook_on_creation_urls",
        "webhook_on_status_update_urls",
        "delete_at",
    ] {
        assert!(out.get(key).is_none(), "{key} exported");
    }
    assert_eq!(out["version"], 1);
    assert_eq!(
        out["checklists"][0]["items"][0],
        json!({"title": "Assess severity", "assignee_type": "owner", "due_date": 900000})
    );
    assert_eq!(
        out["metrics"][0],
        json!({"title": "Time to resolve", "type": "metric_duration", "target": 3600000})
    );
    assert_eq!(
        out["metrics"][1],
        json!({"title": "Cost", "type": "metric_currency"})
    );
    // Defaults that are "true" here are still written: only false is zero.
    assert_eq!(out["create_channel_member_on_new_participant"], true);
    assert!(out.get("channel_mode").is_none());
}

#[test]
fn own_export_round_trips() {
    let pb = valid_playbook();
    let first = export_playbook(&pb);
    let again = import_playbook(&first, "team", "importer", counter()).unwrap();
    assert_eq!(export_playbook(&again), first);
    assert_eq!(again.title, pb.title);
    assert_eq!(again.metrics[0].target, Some(3_600_000));
    assert_eq!(again.checklists[0].items[1].command, "/page oncall");
}

#[test]
fn export_of_defaults() {
    let out = export_playbook(&Playbook::default());
    assert_eq!(
        out,
        json!({
            "version": 1,
            "checklists": [],
            "metrics": [],
            "reminder_timer_default_seconds": 604800,
            "status_update_enabled": true,
            "retrospective_enabled": true,
            "create_channel_member_on_new_participant": true,
            "remove_channel_member_on_removed_participant": true,
        })
    );
}

#[test]
fn version_is_required() {
    for bad in [json!({}), json!({"version": 2}), json!({"version": "1"})] {
        let mut file = mattermost_export();
        if let (Some(obj), Some(v)) = (file.as_object_mut(), bad.get("version")) {
            obj.insert("version".into(), v.clone());
        } else if let Some(obj) = file.as_object_mut() {
            obj.remove("version");
        }
        assert_eq!(import(&file).unwrap_err().field, "version", "{bad}");
    }
}

#[test]
fn id_is_refused() {
    let mut file = mattermost_export();
    file["id"] = json!("yye1rc4rkiu8xnr3ik7h3zxq9h");
    assert_eq!(import(&file).unwrap_err().field, "id");
    // Empty like Go's zero value: accepted, as upstream does.
    file["id"] = json!("");
    assert!(import(&file).is_ok());
}

#[test]
fn wrong_types_name_the_field() {
    let cases = [
        ("title", json!(5), "title"),
        (
            "status_update_enabled",
            json!("yes"),
            "status_update_enabled",
        ),
        (
            "reminder_timer_default_seconds",
            json!(1.5),
            "reminder_timer_default_seconds",
        ),
        (
            "signal_any_keywords",
            json!(["a", 1]),
            "signal_any_keywords",
        ),
        ("checklists", json!({}), "checklists"),
        ("checklists", json!(["x"]), "checklists[0]"),
        (
            "checklists",
            json!([{"title": "a", "items": [{"due_date": "soon"}]}]),
            "checklists[0].items[0].due_date",
        ),
        (
            "metrics",
            json!([{"title": "a", "type": "metric_integer", "target": "10"}]),
            "metrics[0].target",
        ),
    ];
    for (key, value, field) in cases {
        let mut file = mattermost_export();
        file[key] = value;
        assert_eq!(import(&file).unwrap_err().field, field, "{key}");
    }
    let err = import(&json!([1])).unwrap_err();
    assert_eq!(err.field, "");
    assert_eq!(err.to_string(), "a playbook export must be a JSON object");
}

#[test]
fn nulls_are_zero() {
    let mut file = mattermost_export();
    file["description"] = Value::Null;
    file["metrics"][0]["target"] = Value::Null;
    file["checklists"][2]["items"] = Value::Null;
    let pb = import(&file).unwrap();
    assert_eq!(pb.description, "");
    assert_eq!(pb.metrics[0].target, None);
}

#[test]
fn import_is_validated() {
    let mut file = mattermost_export();
    file["checklists"][1]["items"][0]["title"] = json!("");
    assert_eq!(
        import(&file).unwrap_err().field,
        "checklists[1].items[0].title"
    );

    let mut file = mattermost_export();
    let metric = json!({"title": "m", "type": "metric_integer"});
    let mut metrics: Vec<Value> = (0..5)
        .map(|i| {
            let mut m = metric.clone();
            m["title"] = json!(format!("m{i}"));
            m
        })
        .collect();
    file["metrics"] = Value::Array(metrics.clone());
    assert_eq!(import(&file).unwrap_err().field, "metrics");
    metrics.truncate(4);
    file["metrics"] = Value::Array(metrics);
    assert!(import(&file).is_ok());

    // No team: refused by validation too.
    let err = import_playbook(&mattermost_export(), "", USER, counter()).unwrap_err();
    assert_eq!(err.field, "team_id");
}

#[test]
fn real_ids_from_generator() {
    let mut seed = 0u8;
    let pb = import_playbook(&mattermost_export(), TEAM, USER, || {
        seed += 1;
        crate::playbooks::ids::new_id(&[seed; 16])
    })
    .unwrap();
    assert!(is_valid_id(&pb.id));
    assert!(pb.checklists.iter().all(|c| is_valid_id(&c.id)));
    let metric_ids: Vec<&MetricConfig> = pb.metrics.iter().collect();
    assert!(metric_ids.iter().all(|m| is_valid_id(&m.id)));
}
