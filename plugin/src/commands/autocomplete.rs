//! Mattermost `AutocompleteData` for `/playbook`: every subcommand with its
//! arguments, so the message box suggests them as you type.

use serde_json::{Value, json};

fn sub(trigger: &str, hint: &str, help: &str, arguments: Value) -> Value {
    json!({"Trigger": trigger, "Hint": hint, "HelpText": help, "RoleID": "",
           "Arguments": arguments, "SubCommands": []})
}

fn text_arg(hint: &str, help: &str) -> Value {
    json!({"Name": "", "HelpText": help, "Type": "TextInput", "Required": false,
           "Data": {"Hint": hint, "Pattern": ""}})
}

/// A `DynamicList` served by `rest::autocomplete` (`run`, `checklist` or
/// `item`); it also covers the positions after it.
fn dynamic_arg(shape: &str, help: &str) -> Value {
    json!({"Name": "", "HelpText": help, "Type": "DynamicList", "Required": false,
           "Data": {"FetchURL": format!("/plugins/playbooks/api/v0/autocomplete/{shape}")}})
}

fn list_arg(help: &str, items: &[(&str, &str)]) -> Value {
    let items: Vec<Value> = items
        .iter()
        .map(|(item, text)| json!({"Item": item, "Hint": "", "HelpText": text}))
        .collect();
    json!({"Name": "", "HelpText": help, "Type": "StaticList", "Required": true,
           "Data": {"PossibleArguments": items}})
}

pub fn autocomplete_data(trigger: &str) -> Value {
    let numbers = || {
        json!([dynamic_arg(
            "item",
            "[run #] <checklist #> <item #>, numbers start at 0"
        )])
    };
    let run_number = || {
        json!([dynamic_arg(
            "run",
            "[run #] with several runs in the channel"
        )])
    };
    json!({
        "Trigger": trigger,
        "HelpText": "Playbooks: run and manage checklists for incidents and processes",
        "RoleID": "",
        "Arguments": [],
        "SubCommands": [
            sub("run", "[playbook] [run name]", "Start a run (no arguments: pick in a dialog)",
                json!([text_arg("[playbook name or id] [run name]", "Quote names with spaces")])),
            sub("finish", "[run #]", "Finish the run in this channel", run_number()),
            sub("update", "[run #]", "Post a status update", run_number()),
            sub("check", "[run #] <checklist #> <item #>", "Check or uncheck a task", numbers()),
            sub("checkadd", "[run #] <checklist #> [text]", "Add a task", json!([dynamic_arg("checklist", "[run #] <checklist #> [text]; no text opens a dialog")])),
            sub("checkremove", "[run #] <checklist #> <item #>", "Remove a task", numbers()),
            sub("owner", "[run #] [@username]", "Show or change the owner", json!([text_arg("[@username]", "The new owner")])),
            sub("info", "[run #]", "Show a summary of the run", run_number()),
            sub("timeline", "[run #]", "Show the run's timeline", run_number()),
            sub("add", "[run #] <post id>", "Add a post to the run's timeline", json!([text_arg("<post id>", "")])),
            sub("todo", "", "Your overdue updates, tasks and runs in progress", json!([])),
            sub("settings", "[digest|weekly-digest] [on|off]", "Your digest settings",
                json!([list_arg("Which digest", &[("digest", "Daily digest"), ("weekly-digest", "Weekly digest")]),
                       list_arg("On or off", &[("on", "Send it"), ("off", "Do not send it")])])),
            sub("help", "", "Show the available commands", json!([])),
            json!({"Trigger": "selfcheck", "Hint": "", "HelpText": "Check every server capability the plugin uses (system admins)",
                   "RoleID": "system_admin", "Arguments": [], "SubCommands": []}),
        ]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_dispatched_subcommand_is_suggested() {
        let data = autocomplete_data("playbook");
        let triggers: Vec<&str> = data["SubCommands"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["Trigger"].as_str().unwrap())
            .collect();
        for sub in [
            "run",
            "finish",
            "update",
            "check",
            "checkadd",
            "checkremove",
            "owner",
            "info",
            "timeline",
            "add",
            "todo",
            "settings",
            "help",
            "selfcheck",
        ] {
            assert!(triggers.contains(&sub), "{sub}");
            assert!(
                super::super::HELP_TEXT.contains(&format!("/playbook {sub}")),
                "{sub} in help"
            );
        }
    }
}
