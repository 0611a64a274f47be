//! `/playbook check | checkadd | checkremove`: tasks by 0-based checklist
//! and item numbers.

use super::run_cmds::describe;
use super::target::select_run;
use super::{Invocation, Reply, dialogs, number, say, silent};
use crate::host::Host;
use crate::playbooks::model::ChecklistItem;
use crate::runs::checklist_ops::{self as ops, ChecklistRef, ItemRef};
use crate::runs::lifecycle::apply_checklist_op;

const TWO_NUMBERS: &str =
    "Command expects two arguments: the checklist number and the item number.";

/// `check <checklist> <item>`: toggles the task between open and done.
pub fn check<H: Host>(inv: &Invocation<'_, H>) -> Reply {
    let (run, rest) = select_run(inv)?;
    let item = item_ref(rest)?;
    let (_, change) = apply_checklist_op(inv.host, &inv.viewer, &run.id, |lists, by, _| {
        ops::toggle_checked(lists, &item, by)
    })
    .map_err(describe)?;
    say(capitalise(&change.summary))
}

/// `checkadd <checklist> [title…]`: adds a task; without a title, opens a
/// dialog for the title and description.
pub fn check_add<H: Host>(inv: &Invocation<'_, H>) -> Reply {
    let (run, rest) = select_run(inv)?;
    let Some(first) = rest.first() else {
        return Err(
            "Command expects at least one argument: the checklist number (and the task's text)."
                .into(),
        );
    };
    let checklist = number(first)?;
    if checklist >= run.checklists.len() {
        return Err(format!(
            "There is no checklist {checklist}: this run has {} (numbered from 0).",
            run.checklists.len()
        ));
    }
    let title = rest[1..].join(" ");
    if title.trim().is_empty() {
        dialogs::open_add_item_dialog(inv.host, &inv.args.trigger_id, &run, checklist)?;
        return silent();
    }
    let (_, change) = apply_checklist_op(inv.host, &inv.viewer, &run.id, |lists, by, ids| {
        let item = ChecklistItem {
            title: title.clone(),
            ..ChecklistItem::default()
        };
        ops::add_item(lists, &ChecklistRef::Index(checklist), item, ids, by)
    })
    .map_err(describe)?;
    say(capitalise(&change.summary))
}

/// `checkremove <checklist> <item>`.
pub fn check_remove<H: Host>(inv: &Invocation<'_, H>) -> Reply {
    let (run, rest) = select_run(inv)?;
    let item = item_ref(rest)?;
    let (_, change) = apply_checklist_op(inv.host, &inv.viewer, &run.id, |lists, _, _| {
        ops::delete_item(lists, &item)
    })
    .map_err(describe)?;
    say(capitalise(&change.summary))
}

fn item_ref(rest: &[String]) -> Result<ItemRef, String> {
    let [c, i] = rest else {
        return Err(TWO_NUMBERS.into());
    };
    Ok(ItemRef::Index {
        checklist: number(c)?,
        item: number(i)?,
    })
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
