//! The `/playbook` slash command: parsing, run selection and dispatch.
//!
//! Arguments are split like a shell (`shell-words`), so
//! `/playbook run "Major incident" "DB is down"` has two arguments.
//! In a channel with several runs in progress a leading run number picks
//! the run (0 = newest), as upstream; checklist and item numbers are
//! 0-based. Every problem is an ephemeral reply that says what to type;
//! nothing here panics on user input.
//!
//! Subcommands live by theme: [`run_cmds`] (run, finish, update, owner,
//! add), [`checklist_cmds`] (check, checkadd, checkremove), [`info_cmds`]
//! (info, timeline, todo), [`settings`]; dialogs in [`dialogs`].

pub mod autocomplete;
pub mod checklist_cmds;
pub mod dialogs;
pub mod info_cmds;
pub mod run_cmds;
pub mod settings;
pub mod target;

use crate::api::{CommandArgs, CommandResponse};
use crate::host::Host;
use crate::runs::store::Viewer;
use crate::selfcheck;

pub const HELP_TEXT: &str = "###### Playbooks slash command help\n\
- `/playbook run` - Start a run (opens a dialog).\n\
- `/playbook run <playbook name or id> [run name]` - Start a run directly.\n\
- `/playbook finish` - Finish the run in this channel.\n\
- `/playbook update` - Post a status update.\n\
- `/playbook check <checklist #> <item #>` - Check or uncheck a task.\n\
- `/playbook checkadd <checklist #> [text]` - Add a task (no text opens a dialog).\n\
- `/playbook checkremove <checklist #> <item #>` - Remove a task.\n\
- `/playbook owner [@username]` - Show or change the owner.\n\
- `/playbook info` - Show a summary of the run.\n\
- `/playbook timeline` - Show the run's timeline.\n\
- `/playbook add <post id>` - Add a post to the run's timeline.\n\
- `/playbook todo` - Your overdue updates, tasks and runs in progress.\n\
- `/playbook settings [digest|weekly-digest] [on|off]` - Your digest settings.\n\
- `/playbook selfcheck` - (system admins) Check the server capabilities the plugin relies on.\n\
- `/playbook help` - Show this help text.\n\n\
With several runs in a channel, put the run number first (0 = newest): `/playbook check 1 0 2`. \
Checklist and item numbers start at 0. Quote arguments with spaces: `/playbook run Incident \"DB down\"`.";

/// One invocation: who, where, and the words after the subcommand.
pub struct Invocation<'a, H: Host> {
    pub host: &'a H,
    pub args: &'a CommandArgs,
    pub viewer: Viewer,
    pub words: Vec<String>,
}

/// What a subcommand answers: a reply, or a problem for the user (both
/// ephemeral unless the reply says otherwise).
pub type Reply = Result<CommandResponse, String>;

/// Splits the command line into the subcommand (lower case) and its
/// arguments; `Err` for unbalanced quotes.
pub fn parse(command: &str) -> Result<(String, Vec<String>), String> {
    let mut words = shell_words::split(command)
        .map_err(|_| {
            "The command has an unmatched quote: close it, or put a backslash before a literal quote (`\\\"`).".to_string()
        })?
        .into_iter();
    let _trigger = words.next();
    let sub = words.next().unwrap_or_default().to_lowercase();
    Ok((sub, words.collect()))
}

pub fn execute<H: Host>(host: &H, args: &CommandArgs) -> CommandResponse {
    let (sub, words) = match parse(&args.command) {
        Ok(parsed) => parsed,
        Err(message) => return CommandResponse::ephemeral(message),
    };
    let viewer = match Viewer::load(host, &args.user_id) {
        Ok(v) => v,
        Err(e) => return CommandResponse::ephemeral(format!("Could not look you up: {e}")),
    };
    let inv = Invocation {
        host,
        args,
        viewer,
        words,
    };
    let reply = match sub.as_str() {
        "" | "help" => Ok(CommandResponse::ephemeral(HELP_TEXT)),
        "selfcheck" => Ok(selfcheck::start(host, args)),
        "run" | "start" => run_cmds::run(&inv),
        "finish" | "end" => run_cmds::finish(&inv),
        "update" => run_cmds::update(&inv),
        "owner" => run_cmds::owner(&inv),
        "add" => run_cmds::add_to_timeline(&inv),
        "check" => checklist_cmds::check(&inv),
        "checkadd" => checklist_cmds::check_add(&inv),
        "checkremove" => checklist_cmds::check_remove(&inv),
        "info" => info_cmds::info(&inv),
        "timeline" => info_cmds::timeline(&inv),
        "todo" => info_cmds::todo(&inv),
        "settings" => settings::command(&inv),
        other => Err(format!(
            "Unknown command `/playbook {other}`.\n\n{HELP_TEXT}"
        )),
    };
    reply.unwrap_or_else(CommandResponse::ephemeral)
}

/// An ephemeral reply.
pub fn say(text: impl Into<String>) -> Reply {
    Ok(CommandResponse::ephemeral(text))
}

/// A reply with nothing to show (a dialog opened instead).
pub fn silent() -> Reply {
    Ok(CommandResponse::ephemeral(""))
}

/// Parses a 0-based number argument, upstream's message otherwise.
pub fn number(word: &str) -> Result<usize, String> {
    word.trim()
        .parse::<usize>()
        .map_err(|_| format!("Error parsing the argument {word:?}. Must be a number."))
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
