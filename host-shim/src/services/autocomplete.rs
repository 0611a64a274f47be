//! Slash-command autocomplete (Mattermost `GetSuggestions`): the typed input
//! is walked through the commands' `AutocompleteData` trees word by word and
//! the candidates for the word being typed are returned.
//!
//! Supported: triggers, nested sub-commands, positional `TextInput` and
//! `StaticList` arguments. `DynamicList` arguments (which would need an HTTP
//! call to the plugin) and named (`--flag`) arguments produce no suggestions.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::commands::BUILTINS;
use crate::model::{CommandRegistration, User};

/// Mattermost `AutocompleteData`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct AutocompleteData {
    #[serde(rename = "Trigger")]
    pub trigger: String,
    #[serde(rename = "Hint")]
    pub hint: String,
    #[serde(rename = "HelpText")]
    pub help_text: String,
    #[serde(rename = "RoleID")]
    pub role_id: String,
    #[serde(rename = "Arguments", deserialize_with = "null_as_empty")]
    pub arguments: Vec<Argument>,
    #[serde(rename = "SubCommands", deserialize_with = "null_as_empty")]
    pub sub_commands: Vec<AutocompleteData>,
}

/// Mattermost `AutocompleteArg`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Argument {
    /// Empty for positional arguments.
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "HelpText")]
    pub help_text: String,
    /// "TextInput", "StaticList" or "DynamicList".
    #[serde(rename = "Type")]
    pub kind: String,
    #[serde(rename = "Data")]
    pub data: Value,
}

/// Go encodes empty slices as `null`.
fn null_as_empty<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// Mattermost `AutocompleteSuggestion`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    #[serde(rename = "Complete")]
    pub complete: String,
    #[serde(rename = "Suggestion")]
    pub suggestion: String,
    #[serde(rename = "Hint")]
    pub hint: String,
    #[serde(rename = "Description")]
    pub description: String,
    #[serde(rename = "IconData")]
    pub icon_data: String,
}

/// The top-level autocomplete entries: the built-ins, then the given plugin
/// commands that ask for autocomplete (built-in triggers win), by trigger.
pub fn command_tree(plugin_commands: &[CommandRegistration]) -> Vec<AutocompleteData> {
    let mut tree: Vec<AutocompleteData> = BUILTINS
        .iter()
        .map(|b| AutocompleteData {
            trigger: b.trigger.into(),
            hint: b.hint.into(),
            help_text: b.description.into(),
            ..Default::default()
        })
        .collect();
    for reg in plugin_commands {
        if !reg.auto_complete || tree.iter().any(|d| d.trigger == reg.trigger) {
            continue;
        }
        let mut data = if reg.autocomplete_data.trim().is_empty() {
            AutocompleteData::default()
        } else {
            match serde_json::from_str::<AutocompleteData>(&reg.autocomplete_data) {
                Ok(data) => data,
                Err(err) => {
                    tracing::warn!(plugin = %reg.plugin_id, trigger = %reg.trigger, %err, "invalid autocomplete data");
                    AutocompleteData::default()
                }
            }
        };
        data.trigger.clone_from(&reg.trigger);
        if data.hint.is_empty() {
            data.hint.clone_from(&reg.auto_complete_hint);
        }
        if data.help_text.is_empty() {
            data.help_text = if reg.auto_complete_desc.is_empty() {
                reg.description.clone()
            } else {
                reg.auto_complete_desc.clone()
            };
        }
        tree.push(data);
    }
    tree.sort_by(|a, b| a.trigger.cmp(&b.trigger));
    tree
}

/// Whether `user` may see a command restricted to `role_id`.
fn visible(role_id: &str, user: &User) -> bool {
    match role_id {
        "" | "system_user" => true,
        role => user.is_system_admin() || user.roles.split_whitespace().any(|r| r == role),
    }
}

/// A `DynamicList` argument to fetch from its plugin: the server calls
/// `fetch_url` and turns the items into suggestions ([`from_list_items`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DynamicFetch {
    pub fetch_url: String,
    /// The command line up to the argument being typed (with trailing space).
    pub parsed: String,
    /// What has been typed of the argument so far.
    pub typed: String,
}

/// What the walk finds: ready suggestions, or lists to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Candidate {
    Ready(Suggestion),
    Fetch(DynamicFetch),
}

/// Suggestions for `input` (what the user typed, with or without the
/// leading `/`), without dynamic lists.
pub fn suggestions(tree: &[AutocompleteData], input: &str, user: &User) -> Vec<Suggestion> {
    candidates(tree, input, user)
        .into_iter()
        .filter_map(|c| match c {
            Candidate::Ready(s) => Some(s),
            Candidate::Fetch(_) => None,
        })
        .collect()
}

/// Everything `input` leads to, dynamic lists included.
pub fn candidates(tree: &[AutocompleteData], input: &str, user: &User) -> Vec<Candidate> {
    walk(tree, "", input.strip_prefix('/').unwrap_or(input), user)
}

/// Mattermost `AutocompleteListItem`s from a plugin's fetch URL, filtered
/// by what was typed, as suggestions.
pub fn from_list_items(fetch: &DynamicFetch, items: &Value) -> Vec<Suggestion> {
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).unwrap_or("").to_string();
    let typed = fetch.typed.to_lowercase();
    items
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|item| {
            let value = text(item, "Item");
            value
                .to_lowercase()
                .starts_with(&typed)
                .then(|| Suggestion {
                    complete: format!("{}{value}", fetch.parsed),
                    hint: text(item, "Hint"),
                    description: text(item, "HelpText"),
                    suggestion: value,
                    icon_data: String::new(),
                })
        })
        .collect()
}

fn walk(
    commands: &[AutocompleteData],
    parsed: &str,
    to_parse: &str,
    user: &User,
) -> Vec<Candidate> {
    let Some(space) = to_parse.find(' ') else {
        let typed = to_parse.to_lowercase();
        return commands
            .iter()
            .filter(|c| visible(&c.role_id, user) && c.trigger.starts_with(&typed))
            .map(|c| {
                Candidate::Ready(Suggestion {
                    complete: format!("{parsed}{}", c.trigger),
                    suggestion: c.trigger.clone(),
                    hint: c.hint.clone(),
                    description: c.help_text.clone(),
                    icon_data: String::new(),
                })
            })
            .collect();
    };
    let word = to_parse[..space].to_lowercase();
    let rest = &to_parse[space + 1..];
    let parsed = format!("{parsed}{}", &to_parse[..=space]);
    let mut out = Vec::new();
    for command in commands
        .iter()
        .filter(|c| c.trigger == word && visible(&c.role_id, user))
    {
        if command.arguments.is_empty() {
            out.extend(walk(&command.sub_commands, &parsed, rest, user));
        } else {
            out.extend(argument_suggestions(command, &parsed, rest));
        }
    }
    out
}

/// Candidates for the positional argument being typed. A `DynamicList`
/// last argument also covers the positions after it (this server's
/// extension: the plugin sees `parsed` and decides what comes next, e.g.
/// a run number, then a checklist, then an item).
fn argument_suggestions(command: &AutocompleteData, parsed: &str, rest: &str) -> Vec<Candidate> {
    let positional: Vec<&Argument> = command
        .arguments
        .iter()
        .filter(|a| a.name.is_empty())
        .collect();
    let (done, current) = match rest.rfind(' ') {
        Some(i) => (&rest[..=i], &rest[i + 1..]),
        None => ("", rest),
    };
    let index = done.split_whitespace().count();
    let arg = match positional.get(index) {
        Some(arg) => *arg,
        None => match positional.last() {
            Some(last) if last.kind == "DynamicList" => *last,
            _ => return Vec::new(),
        },
    };
    let parsed = format!("{parsed}{done}");
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).unwrap_or("").to_string();
    let here = DynamicFetch {
        fetch_url: text(&arg.data, "FetchURL"),
        parsed,
        typed: current.to_owned(),
    };
    let ready = match arg.kind.as_str() {
        "StaticList" => from_list_items(
            &here,
            arg.data.get("PossibleArguments").unwrap_or(&Value::Null),
        ),
        "TextInput" => vec![Suggestion {
            complete: format!("{}{current}", here.parsed),
            suggestion: String::new(),
            hint: text(&arg.data, "Hint"),
            description: arg.help_text.clone(),
            icon_data: String::new(),
        }],
        "DynamicList" if !here.fetch_url.is_empty() => return vec![Candidate::Fetch(here)],
        _ => Vec::new(),
    };
    ready.into_iter().map(Candidate::Ready).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn user(roles: &str) -> User {
        User {
            roles: roles.into(),
            ..Default::default()
        }
    }

    fn tree() -> Vec<AutocompleteData> {
        let data = json!({
            "Trigger": "playbook", "HelpText": "Playbooks", "RoleID": "", "Arguments": null,
            "SubCommands": [
                {"Trigger": "help", "HelpText": "Show help", "RoleID": "", "Arguments": [], "SubCommands": []},
                {"Trigger": "selfcheck", "HelpText": "Check", "RoleID": "system_admin", "Arguments": [], "SubCommands": null},
                {"Trigger": "run", "HelpText": "Run one", "Arguments": [
                    {"Name": "", "HelpText": "Which playbook", "Type": "StaticList", "Data": {"PossibleArguments": [
                        {"Item": "incident", "Hint": "", "HelpText": "Incident response"},
                        {"Item": "release", "Hint": "", "HelpText": "Release checklist"}]}},
                    {"Name": "", "HelpText": "Run name", "Type": "TextInput", "Data": {"Hint": "[name]"}}
                ]}
            ]
        });
        command_tree(&[CommandRegistration {
            plugin_id: "playbooks".into(),
            trigger: "playbook".into(),
            auto_complete: true,
            auto_complete_hint: "[command]".into(),
            autocomplete_data: data.to_string(),
            ..Default::default()
        }])
    }

    fn completes(s: &[Suggestion]) -> Vec<&str> {
        s.iter().map(|s| s.complete.as_str()).collect()
    }

    #[test]
    fn top_level_lists_builtins_and_plugin_commands_by_prefix() {
        let all = suggestions(&tree(), "/", &user("system_user"));
        assert_eq!(
            completes(&all),
            vec!["echo", "header", "join", "leave", "me", "playbook"]
        );
        let play = suggestions(&tree(), "/PLAY", &user("system_user"));
        assert_eq!(play.len(), 1);
        assert_eq!(play[0].hint, "[command]");
        assert_eq!(play[0].description, "Playbooks");
    }

    #[test]
    fn sub_commands_respect_roles() {
        let user_view = suggestions(&tree(), "/playbook ", &user("system_user"));
        assert_eq!(completes(&user_view), vec!["playbook help", "playbook run"]);
        let admin_view = suggestions(&tree(), "/playbook s", &user("system_admin system_user"));
        assert_eq!(
            admin_view,
            vec![Suggestion {
                complete: "playbook selfcheck".into(),
                suggestion: "selfcheck".into(),
                hint: String::new(),
                description: "Check".into(),
                icon_data: String::new(),
            }]
        );
    }

    #[test]
    fn positional_arguments_are_suggested_in_order() {
        let u = user("system_user");
        assert_eq!(
            completes(&suggestions(&tree(), "/playbook run ", &u)),
            vec!["playbook run incident", "playbook run release"]
        );
        assert_eq!(
            completes(&suggestions(&tree(), "/playbook run rel", &u)),
            vec!["playbook run release"]
        );
        let text = suggestions(&tree(), "/playbook run incident db", &u);
        assert_eq!(text.len(), 1);
        assert_eq!(text[0].complete, "playbook run incident db");
        assert_eq!(text[0].hint, "[name]");
        assert!(suggestions(&tree(), "/playbook run incident db extra ", &u).is_empty());
    }

    #[test]
    fn builtin_triggers_cannot_be_shadowed() {
        let tree = command_tree(&[CommandRegistration {
            trigger: "echo".into(),
            auto_complete: true,
            auto_complete_desc: "plugin echo".into(),
            ..Default::default()
        }]);
        let echo: Vec<_> = tree.iter().filter(|d| d.trigger == "echo").collect();
        assert_eq!(echo.len(), 1);
        assert_eq!(echo[0].help_text, "Echo back text from your account");
    }

    #[test]
    fn dynamic_lists_are_fetched_and_cover_later_positions() {
        let data = json!({
            "Trigger": "playbook", "SubCommands": [
                {"Trigger": "check", "Arguments": [
                    {"Name": "", "Type": "DynamicList", "Data": {"FetchURL": "/plugins/playbooks/autocomplete/check"}}
                ]}
            ]
        });
        let tree = command_tree(&[CommandRegistration {
            plugin_id: "playbooks".into(),
            trigger: "playbook".into(),
            auto_complete: true,
            autocomplete_data: data.to_string(),
            ..Default::default()
        }]);
        let u = user("system_user");
        for (input, parsed, typed) in [
            ("/playbook check ", "playbook check ", ""),
            ("/playbook check 0 1", "playbook check 0 ", "1"),
            ("/playbook check 1 0 ", "playbook check 1 0 ", ""),
        ] {
            assert_eq!(
                candidates(&tree, input, &u),
                vec![Candidate::Fetch(DynamicFetch {
                    fetch_url: "/plugins/playbooks/autocomplete/check".into(),
                    parsed: parsed.into(),
                    typed: typed.into(),
                })],
                "{input}"
            );
        }
        assert!(suggestions(&tree, "/playbook check ", &u).is_empty());
        let fetch = DynamicFetch {
            fetch_url: String::new(),
            parsed: "playbook check ".into(),
            typed: "1".into(),
        };
        let items = json!([{"Item": "0", "HelpText": "Triage"}, {"Item": "1", "Hint": "h", "HelpText": "Comms"}]);
        let got = from_list_items(&fetch, &items);
        assert_eq!(completes(&got), vec!["playbook check 1"]);
        assert_eq!(
            (got[0].hint.as_str(), got[0].description.as_str()),
            ("h", "Comms")
        );
        assert!(from_list_items(&fetch, &json!({"not": "a list"})).is_empty());
    }
}
