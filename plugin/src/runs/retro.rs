//! Retrospectives: draft and metric values, publish (bot post with the
//! report), cancel ("No retrospective"), and the retrospective reminders
//! that repeat until one of those happens.
//!
//! STUB: filled in by the retrospective work.

use crate::api::{ActionRequest, ActionResponse};
use crate::host::{Host, HostResult};
use crate::runs::model::PlaybookRun;
use crate::runs::store::RunResult;

/// Scheduler key prefix of retrospective reminders: `retro/<run_id>`.
pub const JOB_PREFIX: &str = "retro/";

/// Called after a run is finished: starts the retrospective reminders when
/// the retrospective is enabled and not yet published or canceled.
pub fn on_finished<H: Host + ?Sized>(_host: &H, _run: &PlaybookRun) {}

/// Called after a run is restored: stops the retrospective reminders.
pub fn on_restored<H: Host + ?Sized>(_host: &H, _run: &PlaybookRun) {}

/// The `retro/<run_id>` job fired.
pub fn fire_reminder<H: Host + ?Sized>(_host: &H, _run_id: &str) -> RunResult<()> {
    Ok(())
}

/// Buttons of the retrospective reminder post; `None` when the action is
/// not one of ours.
pub fn on_action<H: Host + ?Sized>(
    _host: &H,
    _request: &ActionRequest,
) -> HostResult<Option<ActionResponse>> {
    Ok(None)
}
