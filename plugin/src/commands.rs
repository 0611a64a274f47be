//! The `/playbook` slash command: parsing and dispatch.

use crate::api::{CommandArgs, CommandResponse};
use crate::host::Host;
use crate::selfcheck;

pub const HELP_TEXT: &str = "###### Playbooks slash command help\n\
- `/playbook help` - Show this help text.\n\
- `/playbook selfcheck` - (system admins) Check every server capability the plugin relies on, and the hooks that follow.\n\n\
Running playbooks from chat (`run`, `finish`, `update`, `check`, ...) arrives with the playbooks engine.";

/// Splits `/playbook sub rest…` into the subcommand and its arguments.
pub fn parse(command: &str) -> (String, Vec<String>) {
    let mut words = command.split_whitespace();
    let _trigger = words.next();
    let sub = words.next().unwrap_or("").to_lowercase();
    (sub, words.map(str::to_string).collect())
}

pub fn execute<H: Host>(host: &H, args: &CommandArgs) -> CommandResponse {
    let (sub, _rest) = parse(&args.command);
    match sub.as_str() {
        "" | "help" => CommandResponse::ephemeral(HELP_TEXT),
        "selfcheck" => selfcheck::start(host, args),
        other => CommandResponse::ephemeral(format!(
            "Unknown command `/playbook {other}`. Type `/playbook help` for the available commands."
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::FakeHost;

    #[test]
    fn parses_subcommand_case_insensitively() {
        assert_eq!(
            parse("/playbook  SelfCheck now"),
            ("selfcheck".into(), vec!["now".into()])
        );
        assert_eq!(parse("/playbook"), (String::new(), vec![]));
    }

    #[test]
    fn help_and_unknown_commands_reply_ephemerally() {
        let host = FakeHost::with_basics();
        let help = execute(
            &host,
            &CommandArgs {
                command: "/playbook".into(),
                ..Default::default()
            },
        );
        assert_eq!(help.response_type, "ephemeral");
        assert!(help.text.contains("/playbook selfcheck"));
        let unknown = execute(
            &host,
            &CommandArgs {
                command: "/playbook frobnicate".into(),
                ..Default::default()
            },
        );
        assert!(
            unknown
                .text
                .starts_with("Unknown command `/playbook frobnicate`")
        );
    }
}
