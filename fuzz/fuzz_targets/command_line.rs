//! The `/playbook` command line: parsing (shell-style quoting), run
//! selection by leading number, and every subcommand, through the same
//! `execute-command` hook the server calls, on the test host with a run.
//!
//! Input: the command line (`/playbook check 0 1`); a line without a
//! leading `/` gets `/playbook ` put in front. It runs as bob (the run's
//! owner) in the run's channel, then as carol (in the team, not in the run)
//! in `c1`. A panic (a trap in the sandbox) or a call over the memory
//! budget is a crash.

#![no_main]

use chat_fuzz::{World, within_budget};
use libfuzzer_sys::fuzz_target;
use playbooks_plugin::api::CommandArgs;
use playbooks_plugin::hooks;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let world = World::new();
    let line = world.expand(text);
    let command = if line.starts_with('/') {
        line
    } else {
        format!("/playbook {line}")
    };
    for (user, channel) in [("bob", world.run_channel_id.as_str()), ("carol", "c1")] {
        let args = CommandArgs {
            user_id: user.into(),
            channel_id: channel.into(),
            team_id: "t1".into(),
            root_id: String::new(),
            command: command.clone(),
            trigger_id: "trigger".into(),
        };
        let what = format!("{user}: {command:?}");
        let _ = within_budget(&what, || hooks::execute_command(&world.host, &args));
    }
});
