//! Checklist operations on small hand-built runs: two checklists `A`
//! (items a0, a1, a2) and `B` (items b0, b1), ids equal to their names.

use serde_json::json;

use super::*;

const NOW: i64 = 1_700_000_000_000;
const BY: Actor<'static> = Actor {
    user_id: "alice",
    now_ms: NOW,
};

fn item(id: &str) -> ChecklistItem {
    ChecklistItem {
        id: id.to_owned(),
        title: format!("Task {id}"),
        ..ChecklistItem::default()
    }
}

fn lists() -> Vec<Checklist> {
    vec![
        Checklist {
            id: "A".into(),
            title: "Alpha".into(),
            items: vec![item("a0"), item("a1"), item("a2")],
        },
        Checklist {
            id: "B".into(),
            title: "Beta".into(),
            items: vec![item("b0"), item("b1")],
        },
    ]
}

/// Item ids per checklist, to check orders at a glance.
fn layout(lists: &[Checklist]) -> Vec<Vec<String>> {
    lists
        .iter()
        .map(|c| c.items.iter().map(|i| i.id.clone()).collect())
        .collect()
}

fn counter() -> impl FnMut() -> String {
    let mut n = 0;
    move || {
        n += 1;
        format!("new{n}")
    }
}

fn idx(checklist: usize, item: usize) -> ItemRef {
    ItemRef::Index { checklist, item }
}

fn id(s: &str) -> ItemRef {
    ItemRef::Id(s.into())
}

fn cid(s: &str) -> ChecklistRef {
    ChecklistRef::Id(s.into())
}

fn names(id: &str) -> Option<String> {
    match id {
        "u1" => Some("bob".into()),
        "u2" => Some("carol".into()),
        _ => None,
    }
}

fn err_text(r: Result<Change, OpError>) -> String {
    match r {
        Ok(c) => panic!("expected an error, got {c:?}"),
        Err(e) => e.to_string(),
    }
}

// --- addressing ---------------------------------------------------------

#[test]
fn find_by_index_and_id() {
    let l = lists();
    assert_eq!(find_checklist(&l, &ChecklistRef::Index(1)), Ok(1));
    assert_eq!(find_checklist(&l, &cid("B")), Ok(1));
    assert_eq!(find_item(&l, &idx(1, 1)), Ok((1, 1)));
    assert_eq!(find_item(&l, &id("b1")), Ok((1, 1)));
    assert_eq!(find_item(&l, &id("a2")), Ok((0, 2)));
}

#[test]
fn find_errors_name_the_argument() {
    let l = lists();
    let e = find_checklist(&l, &ChecklistRef::Index(3)).unwrap_err();
    assert_eq!(e.to_string(), "checklist: no checklist 3");
    assert!(e.is_not_found());
    assert_eq!(
        find_checklist(&l, &cid("Z")).unwrap_err().to_string(),
        "checklist: no checklist with id \"Z\""
    );
    assert_eq!(
        find_item(&l, &idx(1, 7)).unwrap_err().to_string(),
        "item: no item 7 in checklist 1"
    );
    assert_eq!(
        find_item(&l, &idx(5, 0)).unwrap_err().to_string(),
        "checklist: no checklist 5"
    );
    assert_eq!(
        find_item(&l, &id("zz")).unwrap_err().to_string(),
        "item: no item with id \"zz\""
    );
}

#[test]
fn empty_ids_never_match_items_without_ids() {
    let mut l = lists();
    l[0].items[0].id.clear();
    l[1].id.clear();
    let e = find_item(&l, &id("")).unwrap_err();
    assert_eq!(e.kind, OpErrorKind::Invalid);
    assert!(find_checklist(&l, &cid("")).is_err());
}

#[test]
fn op_error_converts_to_field_error() {
    let e = find_checklist(&[], &ChecklistRef::Index(0)).unwrap_err();
    let f: FieldError = e.into();
    assert_eq!(f.to_string(), "checklist: no checklist 0");
}

// --- checklists ---------------------------------------------------------

#[test]
fn add_checklist_assigns_fresh_ids_and_open_state() {
    let mut l = lists();
    let mut ids = counter();
    let mut done = item("client-id");
    done.state = state::CLOSED.into();
    done.assignee_ids = vec!["u1".into()];
    let c = add_checklist(&mut l, "  Gamma ", vec![done], &mut ids, &BY).unwrap();
    assert!(c.changed);
    assert_eq!(c.event_type, "");
    assert_eq!(c.summary, "added checklist \"Gamma\"");
    assert_eq!(c.checklist, Some(2));
    let g = &l[2];
    assert_eq!((g.id.as_str(), g.title.as_str()), ("new1", "Gamma"));
    assert_eq!(g.items[0].id, "new2");
    assert_eq!(g.items[0].state, state::OPEN);
    assert_eq!(g.items[0].assignee_id, "u1", "assignees normalized");
    assert_eq!(g.items[0].update_at, NOW);
}

#[test]
fn add_checklist_errors() {
    let mut l = lists();
    let mut ids = counter();
    assert_eq!(
        err_text(add_checklist(&mut l, " ", vec![], &mut ids, &BY)),
        "title: must not be empty"
    );
    let bad = ChecklistItem::default();
    assert_eq!(
        err_text(add_checklist(
            &mut l,
            "G",
            vec![item("x"), bad],
            &mut ids,
            &BY
        )),
        "items[1].title: must not be empty"
    );
    let mut cmd = item("x");
    cmd.command = "echo".into();
    assert_eq!(
        err_text(add_checklist(&mut l, "G", vec![cmd], &mut ids, &BY)),
        "items[0].command: must be empty or a slash command starting with /"
    );
    let long = "x".repeat(MAX_TITLE_CHARS + 1);
    assert!(add_checklist(&mut l, &long, vec![], &mut ids, &BY).is_err());
    assert_eq!(l, lists(), "nothing changed on error");
}

#[test]
fn rename_checklist_by_index_and_id() {
    let mut l = lists();
    let c = rename_checklist(&mut l, &ChecklistRef::Index(0), "First").unwrap();
    assert_eq!(c.summary, "renamed checklist \"Alpha\" to \"First\"");
    assert_eq!(l[0].title, "First");
    let c = rename_checklist(&mut l, &cid("A"), "First").unwrap();
    assert!(!c.changed);
    assert_eq!(
        err_text(rename_checklist(&mut l, &cid("B"), "")),
        "title: must not be empty"
    );
    assert_eq!(
        err_text(rename_checklist(&mut l, &ChecklistRef::Index(2), "x")),
        "checklist: no checklist 2"
    );
}

#[test]
fn delete_checklist_shifts_later_ones() {
    let mut l = lists();
    let c = delete_checklist(&mut l, &ChecklistRef::Index(0)).unwrap();
    assert_eq!(c.summary, "deleted checklist \"Alpha\"");
    assert_eq!(l.len(), 1);
    assert_eq!(find_checklist(&l, &cid("B")), Ok(0));
    assert_eq!(
        err_text(delete_checklist(&mut l, &cid("A"))),
        "checklist: no checklist with id \"A\""
    );
    delete_checklist(&mut l, &cid("B")).unwrap();
    assert!(l.is_empty());
}

#[test]
fn move_checklist_semantics() {
    let mut l = lists();
    l.push(Checklist {
        id: "C".into(),
        title: "Gamma".into(),
        items: vec![],
    });
    let order = |l: &[Checklist]| l.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
    // Forward: `to` counts in the resulting list.
    let c = move_checklist(&mut l, &ChecklistRef::Index(0), 2).unwrap();
    assert_eq!(order(&l), ["B", "C", "A"]);
    assert_eq!(c.checklist, Some(2));
    // Backward, by id.
    move_checklist(&mut l, &cid("A"), 0).unwrap();
    assert_eq!(order(&l), ["A", "B", "C"]);
    // Same place: no-op.
    let c = move_checklist(&mut l, &cid("B"), 1).unwrap();
    assert!(!c.changed);
    assert_eq!(
        err_text(move_checklist(&mut l, &cid("B"), 3)),
        "to: must be below 3 (the number of checklists)"
    );
    assert!(move_checklist(&mut l, &ChecklistRef::Index(3), 0).is_err());
    assert_eq!(order(&l), ["A", "B", "C"]);
}

#[test]
fn duplicate_checklist_inserts_fresh_copy_after_original() {
    let mut l = lists();
    l[0].items[1].state = state::CLOSED.into();
    l[0].items[1].state_modified = 5;
    l[0].items[1].assignee_id = "u1".into();
    l[0].items[1].assignee_ids = vec!["u1".into()];
    let mut ids = counter();
    let c = duplicate_checklist(&mut l, &cid("A"), &mut ids, &BY).unwrap();
    assert_eq!(c.checklist, Some(1));
    assert_eq!(
        layout(&l),
        [
            vec!["a0", "a1", "a2"],
            vec!["new2", "new3", "new4"],
            vec!["b0", "b1"]
        ]
    );
    assert_eq!(l[1].id, "new1");
    assert_eq!(l[1].title, "Alpha");
    assert_eq!(l[1].items[1].state, state::OPEN);
    assert_eq!(l[1].items[1].state_modified, 0);
    assert_eq!(l[1].items[1].assignee_id, "u1", "assignees kept");
    assert_eq!(l[0].items[1].state, state::CLOSED, "original untouched");
    assert!(duplicate_checklist(&mut l, &ChecklistRef::Index(9), &mut ids, &BY).is_err());
}

#[test]
fn skip_and_restore_checklist() {
    let mut l = lists();
    l[0].items[0].state = state::CLOSED.into();
    l[0].items[1].state = state::IN_PROGRESS.into();
    let c = skip_checklist(&mut l, &cid("A"), &BY).unwrap();
    assert!(c.changed);
    assert_eq!(c.summary, "skipped checklist \"Alpha\"");
    let states: Vec<_> = l[0].items.iter().map(|i| i.state.as_str()).collect();
    assert_eq!(states, [state::CLOSED, state::SKIPPED, state::SKIPPED]);
    assert_eq!(l[0].items[2].state_modified, NOW);
    assert_eq!(
        l[1].items[0].state,
        state::OPEN,
        "other checklist untouched"
    );
    assert!(!skip_checklist(&mut l, &cid("A"), &BY).unwrap().changed);

    let c = restore_checklist(&mut l, &ChecklistRef::Index(0), &BY).unwrap();
    assert!(c.changed);
    let states: Vec<_> = l[0].items.iter().map(|i| i.state.as_str()).collect();
    assert_eq!(states, [state::CLOSED, state::OPEN, state::OPEN]);
    assert!(!restore_checklist(&mut l, &cid("A"), &BY).unwrap().changed);
    assert!(skip_checklist(&mut l, &cid("Q"), &BY).is_err());
    assert!(restore_checklist(&mut l, &ChecklistRef::Index(2), &BY).is_err());
}

// --- items --------------------------------------------------------------

#[test]
fn add_item_appends_with_new_id() {
    let mut l = lists();
    let mut ids = counter();
    let mut new = item("client");
    new.state = state::CLOSED.into();
    new.assignee_ids = vec!["u2".into(), "u1".into()];
    new.command = " /echo hi ".into();
    let c = add_item(&mut l, &cid("B"), new, &mut ids, &BY).unwrap();
    assert_eq!((c.checklist, c.item), (Some(1), Some(2)));
    assert_eq!(c.summary, "added checklist item \"Task client\"");
    let added = &l[1].items[2];
    assert_eq!(added.id, "new1");
    assert_eq!(added.state, state::OPEN);
    assert_eq!(added.assignee_id, "u2");
    assert_eq!(added.command, "/echo hi");
    assert_eq!(added.update_at, NOW);
}

#[test]
fn add_item_errors() {
    let mut l = lists();
    let mut ids = counter();
    assert_eq!(
        err_text(add_item(
            &mut l,
            &ChecklistRef::Index(2),
            item("x"),
            &mut ids,
            &BY
        )),
        "checklist: no checklist 2"
    );
    assert_eq!(
        err_text(add_item(
            &mut l,
            &cid("A"),
            ChecklistItem::default(),
            &mut ids,
            &BY
        )),
        "title: must not be empty"
    );
    let mut bad = item("x");
    bad.command = "/".into();
    assert!(add_item(&mut l, &cid("A"), bad, &mut ids, &BY).is_err());
    let mut bad = item("x");
    bad.due_date = -1;
    assert_eq!(
        err_text(add_item(&mut l, &cid("A"), bad, &mut ids, &BY)),
        "due_date: must not be negative"
    );
    assert_eq!(l, lists());
}

#[test]
fn edit_item_replaces_text_and_resets_command_run() {
    let mut l = lists();
    l[0].items[1].command = "/old".into();
    l[0].items[1].command_last_run = 42;
    let edit = ItemEdit {
        title: "Renamed".into(),
        description: "*md*".into(),
        command: "/new".into(),
    };
    let c = edit_item(&mut l, &id("a1"), edit.clone(), &BY).unwrap();
    assert!(c.changed);
    let it = &l[0].items[1];
    assert_eq!(
        (
            it.title.as_str(),
            it.description.as_str(),
            it.command.as_str()
        ),
        ("Renamed", "*md*", "/new")
    );
    assert_eq!(it.command_last_run, 0);
    assert_eq!(it.update_at, NOW);
    assert!(!edit_item(&mut l, &idx(0, 1), edit, &BY).unwrap().changed);

    // Same command: last run kept.
    l[0].items[2].command = "/keep".into();
    l[0].items[2].command_last_run = 7;
    let keep = ItemEdit {
        title: "T".into(),
        description: String::new(),
        command: "/keep".into(),
    };
    edit_item(&mut l, &id("a2"), keep, &BY).unwrap();
    assert_eq!(l[0].items[2].command_last_run, 7);
}

#[test]
fn edit_item_errors() {
    let mut l = lists();
    let ok = ItemEdit {
        title: "T".into(),
        ..ItemEdit::default()
    };
    assert_eq!(
        err_text(edit_item(&mut l, &idx(0, 3), ok.clone(), &BY)),
        "item: no item 3 in checklist 0"
    );
    assert!(edit_item(&mut l, &id("nope"), ok, &BY).is_err());
    let no_title = ItemEdit::default();
    assert_eq!(
        err_text(edit_item(&mut l, &idx(0, 0), no_title, &BY)),
        "title: must not be empty"
    );
    let bad_cmd = ItemEdit {
        title: "T".into(),
        command: "rm -rf".into(),
        ..ItemEdit::default()
    };
    assert_eq!(
        err_text(edit_item(&mut l, &idx(0, 0), bad_cmd, &BY)),
        "command: must be empty or a slash command starting with /"
    );
    assert_eq!(l, lists());
}

#[test]
fn delete_item_shifts_indexes() {
    let mut l = lists();
    let c = delete_item(&mut l, &idx(0, 0)).unwrap();
    assert_eq!(c.summary, "deleted checklist item \"Task a0\"");
    assert_eq!(layout(&l)[0], ["a1", "a2"]);
    // Index 0 is now a1; index 2 no longer exists.
    assert_eq!(find_item(&l, &idx(0, 0)), Ok((0, 0)));
    assert_eq!(l[0].items[0].id, "a1");
    assert_eq!(
        err_text(delete_item(&mut l, &idx(0, 2))),
        "item: no item 2 in checklist 0"
    );
    delete_item(&mut l, &id("b1")).unwrap();
    assert_eq!(layout(&l), [vec!["a1", "a2"], vec!["b0"]]);
    assert!(delete_item(&mut l, &id("b1")).is_err());
}

#[test]
fn move_item_within_a_checklist() {
    let mut l = lists();
    // Down: index counted after removal, so 2 = last.
    let c = move_item(&mut l, &idx(0, 0), &ChecklistRef::Index(0), 2).unwrap();
    assert_eq!(layout(&l)[0], ["a1", "a2", "a0"]);
    assert_eq!((c.checklist, c.item), (Some(0), Some(2)));
    // Up, by id.
    move_item(&mut l, &id("a0"), &cid("A"), 0).unwrap();
    assert_eq!(layout(&l)[0], ["a0", "a1", "a2"]);
    // Middle.
    move_item(&mut l, &id("a2"), &cid("A"), 1).unwrap();
    assert_eq!(layout(&l)[0], ["a0", "a2", "a1"]);
    // Same place: no-op.
    assert!(!move_item(&mut l, &id("a2"), &cid("A"), 1).unwrap().changed);
    // Past the end (len would append elsewhere, but not within).
    assert_eq!(
        err_text(move_item(&mut l, &id("a0"), &cid("A"), 3)),
        "to_item: must be at most 2 in checklist 0"
    );
    assert_eq!(layout(&l)[0], ["a0", "a2", "a1"]);
}

#[test]
fn move_item_across_checklists() {
    let mut l = lists();
    // Into the middle of another checklist.
    let c = move_item(&mut l, &id("a1"), &cid("B"), 1).unwrap();
    assert_eq!(layout(&l), [vec!["a0", "a2"], vec!["b0", "a1", "b1"]]);
    assert_eq!((c.checklist, c.item), (Some(1), Some(1)));
    assert_eq!(find_item(&l, &id("a1")), Ok((1, 1)));
    // Appending: to_item == len is allowed across checklists.
    move_item(&mut l, &idx(0, 0), &ChecklistRef::Index(1), 3).unwrap();
    assert_eq!(layout(&l), [vec!["a2"], vec!["b0", "a1", "b1", "a0"]]);
    // To the front, and leaving a checklist empty.
    move_item(&mut l, &id("a2"), &cid("B"), 0).unwrap();
    assert_eq!(layout(&l), [vec![], vec!["a2", "b0", "a1", "b1", "a0"]]);
    // Into an empty checklist.
    move_item(&mut l, &id("b1"), &cid("A"), 0).unwrap();
    assert_eq!(layout(&l), [vec!["b1"], vec!["a2", "b0", "a1", "a0"]]);
}

#[test]
fn move_item_errors_change_nothing() {
    let mut l = lists();
    assert_eq!(
        err_text(move_item(&mut l, &id("a0"), &cid("B"), 3)),
        "to_item: must be at most 2 in checklist 1"
    );
    assert_eq!(
        err_text(move_item(&mut l, &id("a0"), &ChecklistRef::Index(2), 0)),
        "checklist: no checklist 2"
    );
    assert_eq!(
        err_text(move_item(&mut l, &idx(1, 2), &cid("A"), 0)),
        "item: no item 2 in checklist 1"
    );
    assert!(move_item(&mut l, &id("zz"), &cid("A"), 0).is_err());
    assert_eq!(l, lists());
}

#[test]
fn duplicate_item_inserts_after_original() {
    let mut l = lists();
    l[1].items[0].state = state::SKIPPED.into();
    l[1].items[0].due_date = 99;
    l[1].items[0].command_last_run = 3;
    let mut ids = counter();
    let c = duplicate_item(&mut l, &id("b0"), &mut ids, &BY).unwrap();
    assert_eq!((c.checklist, c.item), (Some(1), Some(1)));
    assert_eq!(layout(&l)[1], ["b0", "new1", "b1"]);
    let copy = &l[1].items[1];
    assert_eq!(copy.title, "Task b0");
    assert_eq!(copy.state, state::OPEN);
    assert_eq!(copy.command_last_run, 0);
    assert_eq!(copy.due_date, 99, "due date kept");
    assert_eq!(l[1].items[0].state, state::SKIPPED);
    assert!(duplicate_item(&mut l, &idx(1, 3), &mut ids, &BY).is_err());
}

#[test]
fn set_state_actions_and_summaries() {
    let mut l = lists();
    let r = idx(0, 1);

    let c = set_state(&mut l, &r, state::CLOSED, &BY).unwrap();
    assert_eq!(c.event_type, event_type::TASK_STATE_MODIFIED);
    assert_eq!(c.summary, "checked off checklist item \"Task a1\"");
    assert_eq!(c.details, json!({"action": "check", "task": "Task a1"}));
    assert_eq!(c.subject_user_id, "alice");
    assert_eq!(l[0].items[1].state, state::CLOSED);
    assert_eq!(l[0].items[1].state_modified, NOW);

    let later = Actor {
        user_id: "bob",
        now_ms: NOW + 1,
    };
    let c = set_state(&mut l, &r, state::OPEN, &later).unwrap();
    assert_eq!(c.summary, "unchecked checklist item \"Task a1\"");
    assert_eq!(c.details["action"], "uncheck");
    assert_eq!(c.subject_user_id, "bob");
    assert_eq!(l[0].items[1].state_modified, NOW + 1);

    let c = set_state(&mut l, &id("a1"), state::SKIPPED, &BY).unwrap();
    assert_eq!(c.summary, "skipped checklist item \"Task a1\"");
    assert_eq!(c.details["action"], "skip");

    let c = set_state(&mut l, &id("a1"), state::OPEN, &BY).unwrap();
    assert_eq!(c.summary, "restored checklist item \"Task a1\"");
    assert_eq!(c.details["action"], "restore");

    let c = set_state(&mut l, &id("a1"), state::IN_PROGRESS, &BY).unwrap();
    assert_eq!(c.details["action"], "start");
    let c = set_state(&mut l, &id("a1"), state::OPEN, &BY).unwrap();
    assert_eq!(c.details["action"], "uncheck");
}

#[test]
fn set_state_same_state_is_a_noop() {
    let mut l = lists();
    let c = set_state(&mut l, &idx(0, 0), state::OPEN, &BY).unwrap();
    assert!(!c.changed);
    assert_eq!(c.event_type, "");
    assert!(c.timeline_event("run", NOW).is_none());
    assert_eq!(l[0].items[0].state_modified, 0);
}

#[test]
fn set_state_errors() {
    let mut l = lists();
    assert_eq!(
        err_text(set_state(&mut l, &idx(0, 0), "done", &BY)),
        "new_state: must be one of \"\", in_progress, closed, skipped"
    );
    assert_eq!(
        err_text(set_state(&mut l, &idx(0, 9), state::CLOSED, &BY)),
        "item: no item 9 in checklist 0"
    );
    assert_eq!(
        err_text(set_state(&mut l, &id("x"), state::CLOSED, &BY)),
        "item: no item with id \"x\""
    );
    assert_eq!(l, lists());
}

#[test]
fn toggle_checked_flips_open_and_closed() {
    let mut l = lists();
    toggle_checked(&mut l, &idx(1, 0), &BY).unwrap();
    assert_eq!(l[1].items[0].state, state::CLOSED);
    let c = toggle_checked(&mut l, &idx(1, 0), &BY).unwrap();
    assert_eq!(c.details["action"], "uncheck");
    assert_eq!(l[1].items[0].state, state::OPEN);
    l[1].items[1].state = state::SKIPPED.into();
    toggle_checked(&mut l, &id("b1"), &BY).unwrap();
    assert_eq!(l[1].items[1].state, state::CLOSED);
    assert!(toggle_checked(&mut l, &idx(2, 0), &BY).is_err());
}

#[test]
fn skip_and_restore_item() {
    let mut l = lists();
    let c = skip_item(&mut l, &id("b1"), &BY).unwrap();
    assert_eq!(c.details["action"], "skip");
    assert_eq!(l[1].items[1].state, state::SKIPPED);
    let c = restore_item(&mut l, &id("b1"), &BY).unwrap();
    assert_eq!(c.details["action"], "restore");
    assert_eq!(l[1].items[1].state, state::OPEN);

    // Restoring a task that is not skipped does not uncheck it.
    l[1].items[0].state = state::CLOSED.into();
    let c = restore_item(&mut l, &idx(1, 0), &BY).unwrap();
    assert!(!c.changed);
    assert_eq!(l[1].items[0].state, state::CLOSED);
    assert!(skip_item(&mut l, &idx(1, 5), &BY).is_err());
    assert!(restore_item(&mut l, &id("zz"), &BY).is_err());
}

#[test]
fn set_assignees_multiple() {
    let mut l = lists();
    let c = set_assignees(
        &mut l,
        &id("a0"),
        vec!["u1".into(), "".into(), "u2".into(), "u1".into()],
        &BY,
        &names,
    )
    .unwrap();
    let it = &l[0].items[0];
    assert_eq!(it.assignee_ids, ["u1", "u2"]);
    assert_eq!(it.assignee_id, "u1");
    assert_eq!(it.assignee_modified, NOW);
    assert_eq!(c.event_type, event_type::ASSIGNEE_CHANGED);
    assert_eq!(
        c.summary,
        "changed the assignees of \"Task a0\" to @bob, @carol"
    );
    assert_eq!(
        c.details,
        json!({"task": "Task a0", "old_assignee_ids": [], "assignee_ids": ["u1", "u2"]})
    );
    assert_eq!(c.subject_user_id, "alice");

    // Same list again: no-op.
    let again = set_assignees(
        &mut l,
        &id("a0"),
        vec!["u1".into(), "u2".into()],
        &BY,
        &names,
    );
    assert!(!again.unwrap().changed);

    // Reordering changes who is first.
    set_assignees(
        &mut l,
        &id("a0"),
        vec!["u2".into(), "u1".into()],
        &BY,
        &names,
    )
    .unwrap();
    assert_eq!(l[0].items[0].assignee_id, "u2");

    // Unknown user names fall back to the id.
    let c = set_assignees(&mut l, &idx(0, 0), vec!["u9".into()], &BY, &names).unwrap();
    assert_eq!(c.summary, "changed the assignee of \"Task a0\" to @u9");
    assert_eq!(c.details["old_assignee_ids"], json!(["u2", "u1"]));

    // Empty unassigns.
    let c = set_assignees(&mut l, &idx(0, 0), vec![], &BY, &names).unwrap();
    assert_eq!(c.summary, "removed the assignee of \"Task a0\"");
    assert!(l[0].items[0].assignee_ids.is_empty());
    assert_eq!(l[0].items[0].assignee_id, "");

    assert_eq!(
        err_text(set_assignees(&mut l, &idx(3, 0), vec![], &BY, &names)),
        "checklist: no checklist 3"
    );
}

#[test]
fn set_assignee_single_compatibility() {
    let mut l = lists();
    set_assignees(
        &mut l,
        &id("b0"),
        vec!["u1".into(), "u2".into()],
        &BY,
        &names,
    )
    .unwrap();
    let c = set_assignee(&mut l, &id("b0"), "u2", &BY, &names).unwrap();
    assert_eq!(c.summary, "changed the assignee of \"Task b0\" to @carol");
    assert_eq!(l[1].items[0].assignee_ids, ["u2"]);
    assert_eq!(l[1].items[0].assignee_id, "u2");
    set_assignee(&mut l, &id("b0"), "", &BY, &names).unwrap();
    assert!(l[1].items[0].assignee_ids.is_empty());
    assert_eq!(l[1].items[0].assignee_id, "");
    assert!(set_assignee(&mut l, &id("none"), "u1", &BY, &names).is_err());
}

#[test]
fn set_due_date_absolute_or_none() {
    let mut l = lists();
    let c = set_due_date(&mut l, &idx(0, 2), NOW + 3_600_000, &BY).unwrap();
    assert!(c.changed);
    assert_eq!(c.event_type, "");
    assert_eq!(l[0].items[2].due_date, NOW + 3_600_000);
    assert!(
        !set_due_date(&mut l, &idx(0, 2), NOW + 3_600_000, &BY)
            .unwrap()
            .changed
    );
    set_due_date(&mut l, &id("a2"), 0, &BY).unwrap();
    assert_eq!(l[0].items[2].due_date, 0);
    assert_eq!(
        err_text(set_due_date(&mut l, &id("a2"), -5, &BY)),
        "due_date: must be 0 (none) or a time in ms"
    );
    assert!(set_due_date(&mut l, &idx(0, 3), 1, &BY).is_err());
}

#[test]
fn set_command_and_run_it() {
    let mut l = lists();
    assert_eq!(
        err_text(run_command(&mut l, &id("a0"), &BY)),
        "command: the item has no command"
    );
    set_command(&mut l, &id("a0"), " /poll \"ok?\" ", &BY).unwrap();
    assert_eq!(l[0].items[0].command, "/poll \"ok?\"");

    let c = run_command(&mut l, &id("a0"), &BY).unwrap();
    assert_eq!(c.event_type, event_type::RAN_SLASH_COMMAND);
    assert_eq!(c.summary, "ran the slash command: \"/poll \\\"ok?\\\"\"");
    assert_eq!(c.details["command"], "/poll \"ok?\"");
    assert_eq!(c.details["task"], "Task a0");
    assert_eq!(l[0].items[0].command_last_run, NOW);

    // Same command: no change, last run kept; a new one resets it.
    assert!(
        !set_command(&mut l, &idx(0, 0), "/poll \"ok?\"", &BY)
            .unwrap()
            .changed
    );
    assert_eq!(l[0].items[0].command_last_run, NOW);
    set_command(&mut l, &idx(0, 0), "/other", &BY).unwrap();
    assert_eq!(l[0].items[0].command_last_run, 0);
    set_command(&mut l, &idx(0, 0), "", &BY).unwrap();
    assert_eq!(l[0].items[0].command, "");

    assert_eq!(
        err_text(set_command(&mut l, &idx(0, 0), "poll", &BY)),
        "command: must be empty or a slash command starting with /"
    );
    assert!(set_command(&mut l, &idx(9, 0), "/x", &BY).is_err());
    assert!(run_command(&mut l, &id("zz"), &BY).is_err());
}

#[test]
fn change_becomes_a_timeline_event() {
    let mut l = lists();
    let c = set_state(&mut l, &id("a0"), state::CLOSED, &BY).unwrap();
    let ev = c.timeline_event("run1", NOW).unwrap();
    assert_eq!(ev.playbook_run_id, "run1");
    assert_eq!(ev.event_type, "task_state_modified");
    assert_eq!(ev.event_at, NOW);
    assert_eq!(ev.subject_user_id, "alice");
    assert_eq!(ev.creator_user_id, "alice");
    let details: serde_json::Value = serde_json::from_str(&ev.details).unwrap();
    assert_eq!(details, json!({"action": "check", "task": "Task a0"}));
    assert!(ev.id.is_empty(), "the store assigns ids");

    // Changes without an upstream event type give none.
    let c = rename_checklist(&mut l, &cid("A"), "New").unwrap();
    assert!(c.changed);
    assert!(c.timeline_event("run1", NOW).is_none());
    assert_eq!(c.details_text(), "");
}

// --- queries ------------------------------------------------------------

#[test]
fn task_counts_treat_skipped_as_completed() {
    let mut l = lists();
    assert_eq!(task_counts(&l), (5, 0));
    set_state(&mut l, &id("a0"), state::CLOSED, &BY).unwrap();
    set_state(&mut l, &id("b1"), state::SKIPPED, &BY).unwrap();
    set_state(&mut l, &id("a2"), state::IN_PROGRESS, &BY).unwrap();
    assert_eq!(task_counts(&l), (5, 2));
    assert_eq!(task_counts(&[]), (0, 0));
}

#[test]
fn items_matching_filters() {
    let mut l = lists();
    set_state(&mut l, &id("a0"), state::CLOSED, &BY).unwrap();
    set_state(&mut l, &id("b1"), state::SKIPPED, &BY).unwrap();
    set_assignees(
        &mut l,
        &id("a1"),
        vec!["u2".into(), "u1".into()],
        &BY,
        &names,
    )
    .unwrap();
    set_assignee(&mut l, &id("b0"), "u1", &BY, &names).unwrap();
    set_due_date(&mut l, &id("a1"), NOW - 1, &BY).unwrap();
    set_due_date(&mut l, &id("a2"), NOW + 1, &BY).unwrap();
    // Completed tasks are never overdue.
    set_due_date(&mut l, &id("a0"), NOW - 1, &BY).unwrap();

    assert_eq!(items_matching(&l, &ItemFilter::All).len(), 5);
    assert_eq!(
        items_matching(&l, &ItemFilter::Mine("u1")),
        [(0, 1), (1, 0)],
        "second assignees count"
    );
    assert_eq!(items_matching(&l, &ItemFilter::Mine("u2")), [(0, 1)]);
    assert!(items_matching(&l, &ItemFilter::Mine("")).is_empty());
    assert_eq!(
        items_matching(&l, &ItemFilter::Unassigned),
        [(0, 0), (0, 2), (1, 1)]
    );
    assert_eq!(items_matching(&l, &ItemFilter::Checked), [(0, 0)]);
    assert_eq!(items_matching(&l, &ItemFilter::Skipped), [(1, 1)]);
    assert_eq!(items_matching(&l, &ItemFilter::Overdue(NOW)), [(0, 1)]);
    assert_eq!(
        items_matching(&l, &ItemFilter::Overdue(NOW + 2)),
        [(0, 1), (0, 2)]
    );
}

#[test]
fn item_filter_parse() {
    assert_eq!(ItemFilter::parse("", "u", 1), Ok(ItemFilter::All));
    assert_eq!(ItemFilter::parse("all", "u", 1), Ok(ItemFilter::All));
    assert_eq!(ItemFilter::parse("mine", "u", 1), Ok(ItemFilter::Mine("u")));
    assert_eq!(
        ItemFilter::parse("unassigned", "u", 1),
        Ok(ItemFilter::Unassigned)
    );
    assert_eq!(
        ItemFilter::parse("checked", "u", 1),
        Ok(ItemFilter::Checked)
    );
    assert_eq!(
        ItemFilter::parse("skipped", "u", 1),
        Ok(ItemFilter::Skipped)
    );
    assert_eq!(
        ItemFilter::parse("overdue", "u", 7),
        Ok(ItemFilter::Overdue(7))
    );
    let e = ItemFilter::parse("late", "u", 1).unwrap_err();
    assert_eq!(e.field, "filter");
    assert_eq!(e.kind, OpErrorKind::Invalid);
}
