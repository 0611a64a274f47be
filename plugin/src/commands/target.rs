//! Which run a command is about: the in-progress run of the channel, or —
//! with several — the one whose number (0 = newest) leads the arguments.

use super::Invocation;
use crate::host::Host;
use crate::runs::PlaybookRun;
use crate::runs::store::RunStore;

pub const NOT_A_RUN_CHANNEL: &str = "This command only works when run from a playbook run channel.";

/// The in-progress runs of `channel_id`, newest first.
pub fn runs_in_channel<H: Host>(host: &H, channel_id: &str) -> Result<Vec<PlaybookRun>, String> {
    let mut runs: Vec<PlaybookRun> = RunStore::new(host)
        .in_channel(channel_id)
        .map_err(|e| format!("Could not load the runs of this channel: {e}"))?
        .into_iter()
        .filter(|r| !r.is_finished())
        .collect();
    runs.sort_by(|a, b| b.create_at.cmp(&a.create_at).then(b.id.cmp(&a.id)));
    Ok(runs)
}

/// The run this invocation is about and the remaining arguments.
pub fn select_run<'w, H: Host>(
    inv: &'w Invocation<'_, H>,
) -> Result<(PlaybookRun, &'w [String]), String> {
    let mut runs = runs_in_channel(inv.host, &inv.args.channel_id)?;
    match runs.len() {
        0 => Err(NOT_A_RUN_CHANNEL.to_owned()),
        1 => Ok((runs.remove(0), &inv.words)),
        n => {
            let listing = || {
                runs.iter()
                    .enumerate()
                    .map(|(i, r)| format!("- `{i}`: {}", r.name))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            let Some(first) = inv.words.first() else {
                return Err(format!(
                    "There are {n} runs in progress in this channel. Put the run number first:\n{}",
                    listing()
                ));
            };
            match first.parse::<usize>() {
                Ok(i) if i < n => Ok((runs.remove(i), &inv.words[1..])),
                _ => Err(format!(
                    "There are {n} runs in progress in this channel. Put the run number (0 to {}) first:\n{}",
                    n - 1,
                    listing()
                )),
            }
        }
    }
}
