use serde_json::json;

use super::*;
use crate::playbooks::model::ChecklistItem;
use crate::runs::model::RunMetricData;

fn id(n: usize) -> String {
    format!("{n:026}")
}

/// The largest run the limits allow, texts aside: every list at its
/// count limit, every id and number at its longest.
fn maximal_structure() -> PlaybookRun {
    let ids = |n: usize| (0..n).map(id).collect::<Vec<_>>();
    let item = ChecklistItem {
        id: id(1),
        state: "skipped".into(),
        state_modified: i64::MIN,
        assignee_id: id(2),
        assignee_ids: ids(ASSIGNEES),
        assignee_modified: i64::MIN,
        assignee_type: "specific_user".into(),
        command_last_run: i64::MIN,
        due_date: TIME_MS,
        update_at: i64::MIN,
        ..Default::default()
    };
    let per_list = ITEMS_TOTAL / CHECKLISTS;
    let checklists = (0..CHECKLISTS)
        .map(|c| Checklist {
            id: id(c),
            title: String::new(),
            items: vec![item.clone(); per_list],
        })
        .collect();
    PlaybookRun {
        id: id(3),
        owner_user_id: id(4),
        reporter_user_id: id(5),
        team_id: id(6),
        channel_id: id(7),
        post_id: id(8),
        playbook_id: id(9),
        default_owner_id: id(10),
        reminder_post_id: id(11),
        create_at: i64::MIN,
        update_at: i64::MIN,
        end_at: i64::MIN,
        summary_modified_at: i64::MIN,
        last_status_update_at: i64::MIN,
        previous_reminder: i64::MIN,
        retrospective_published_at: i64::MIN,
        status_update_due_at: i64::MIN,
        run_number: i64::MIN,
        task_total: i64::MIN,
        task_completed: i64::MIN,
        reminder_timer_default_seconds: DURATION_SECONDS,
        retrospective_reminder_interval_seconds: DURATION_SECONDS,
        current_status: "InProgress".into(),
        kind: "channelChecklist".into(),
        sequential_id: format!("{}-{}", "P".repeat(32), i64::MIN),
        checklists,
        broadcast_channel_ids: ids(BROADCAST_CHANNELS),
        invited_user_ids: ids(MEMBERS),
        participant_ids: ids(MEMBERS),
        followers: ids(MEMBERS),
        metrics_data: vec![
            RunMetricData {
                metric_config_id: id(12),
                value: Some(i64::MIN),
            };
            METRICS
        ],
        broadcast_thread_ids: (0..BROADCAST_CHANNELS).map(|n| (id(n), id(n))).collect(),
        ..Default::default()
    }
}

#[test]
fn a_maximal_run_fits_the_kv_cap() {
    let mut run = maximal_structure();
    run.update_counts();
    assert!(super::run(&run).is_ok(), "{:?}", super::run(&run));
    let structure = crate::runs::store::encode(&mut run).unwrap().len();
    // Texts add at most what the budget has left: each text's share of
    // the record is its escaped length, which the budget counts.
    let bound = structure + TEXT_BUDGET_BYTES - run_text_bytes(&run);
    assert!(
        bound <= KV_VALUE_BYTES * 15 / 16,
        "a maximal run takes {bound} bytes; the host's cap is {KV_VALUE_BYTES}"
    );
    eprintln!("maximal run record: {bound} of {KV_VALUE_BYTES} bytes");

    // And filled up with texts for real.
    let filler = "\"".repeat(LONG_TEXT_CHARS);
    let mut texts = 0;
    while run_text_bytes(&run) + escaped_len(&filler) <= TEXT_BUDGET_BYTES
        && texts < run.checklists.len()
    {
        run.checklists[texts].title = "é".repeat(TITLE_CHARS);
        texts += 1;
    }
    run.summary = "\\".repeat(LONG_TEXT_CHARS);
    run.retrospective = "\n".repeat(LONG_TEXT_CHARS);
    let mut n = 0;
    while run_text_bytes(&run) < TEXT_BUDGET_BYTES - 2 * DESCRIPTION_CHARS - 2 {
        let c = n % CHECKLISTS;
        let i = (n / CHECKLISTS) % run.checklists[c].items.len();
        run.checklists[c].items[i].description = "\u{1}".repeat(DESCRIPTION_CHARS / 6);
        n += 1;
        if n > ITEMS_TOTAL {
            break;
        }
    }
    assert!(super::run(&run).is_ok(), "{:?}", super::run(&run));
    let size = crate::runs::store::encode(&mut run).unwrap().len();
    assert!(size <= bound, "{size} > {bound}");
}

#[test]
fn texts_and_counts_name_the_field() {
    let mut run = PlaybookRun {
        checklists: vec![Checklist {
            items: vec![ChecklistItem {
                description: "x".repeat(1_000_000),
                ..Default::default()
            }],
            ..Default::default()
        }],
        ..Default::default()
    };
    let e = super::run(&run).unwrap_err();
    assert_eq!(e.field, "checklists[0].items[0].description");
    run.checklists[0].items[0].description.clear();
    run.followers = vec![String::new(); MEMBERS + 1];
    assert_eq!(super::run(&run).unwrap_err().field, "followers");
    run.followers.clear();
    run.reminder_timer_default_seconds = i64::MAX;
    assert_eq!(
        super::run(&run).unwrap_err().field,
        "reminder_timer_default_seconds"
    );
    run.reminder_timer_default_seconds = 60;
    // Many legal texts together: the budget.
    run.checklists = vec![
        Checklist {
            items: vec![
                ChecklistItem {
                    description: "x".repeat(DESCRIPTION_CHARS),
                    ..Default::default()
                };
                ITEMS_PER_CHECKLIST
            ],
            ..Default::default()
        };
        2
    ];
    let e = super::run(&run).unwrap_err();
    assert_eq!(e.field, "checklists");
    assert!(e.message.contains("bytes"), "{e}");
}

#[test]
fn old_excess_stays_writable_but_cannot_grow() {
    let old = PlaybookRun {
        summary: "x".repeat(LONG_TEXT_CHARS + 10),
        ..Default::default()
    };
    let mut next = old.clone();
    next.current_status = "Finished".into();
    assert!(
        run_change(Some(&old), &next).is_ok(),
        "finishing an old run"
    );
    next.summary.push('y');
    assert_eq!(run_change(Some(&old), &next).unwrap_err().field, "summary");
    assert_eq!(run_change(None, &old).unwrap_err().field, "summary");
}

#[test]
fn indexes_are_never_truncated() {
    assert_eq!(index("i", Some(&json!(1))).unwrap(), 1);
    for bad in [json!(4_294_967_297u64), json!(-1), json!("1"), json!(1.5)] {
        assert_eq!(index("src", Some(&bad)).unwrap_err().field, "src", "{bad}");
    }
    assert_eq!(index("src", None).unwrap_err().field, "src");
}

#[test]
fn durations_and_times() {
    assert!(duration_seconds("d", DURATION_SECONDS).is_ok());
    assert!(duration_seconds("d", DURATION_SECONDS + 1).is_err());
    assert!(duration_seconds("d", -1).is_err());
    assert!(time_ms("t", TIME_MS).is_ok());
    assert!(time_ms("t", i64::MAX).is_err());
    // The bounds leave room for the arithmetic done on them.
    assert!(DURATION_SECONDS.checked_mul(1_000_000_000).is_some());
    assert!(TIME_MS.checked_add(TIME_MS).is_some());
}

#[test]
fn escaped_lengths() {
    assert_eq!(escaped_len(""), 2);
    assert_eq!(escaped_len("a\"\n\u{1}é"), 2 + 1 + 2 + 2 + 6 + 2);
    for s in ["a\"\n\u{1}é", "plain", "\\\t"] {
        assert_eq!(escaped_len(s), serde_json::to_string(s).unwrap().len());
    }
}
