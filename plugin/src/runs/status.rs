//! Status updates and their reminders. STUB.

use crate::api::{ActionRequest, ActionResponse, DialogResponse, DialogSubmission};
use crate::host::{Host, HostResult};
use crate::runs::store::RunResult;

/// Scheduler key prefix of status-update reminders: `reminder/<run_id>`.
pub const JOB_PREFIX: &str = "reminder/";

pub fn fire_reminder<H: Host + ?Sized>(_host: &H, _run_id: &str) -> RunResult<()> {
    Ok(())
}

pub fn on_action<H: Host + ?Sized>(
    _host: &H,
    _request: &ActionRequest,
) -> HostResult<Option<ActionResponse>> {
    Ok(None)
}

pub fn on_dialog<H: Host + ?Sized>(
    _host: &H,
    _submission: &DialogSubmission,
) -> HostResult<Option<DialogResponse>> {
    Ok(None)
}

/// Cancels the run's status reminder (best effort).
pub fn cancel_reminder<H: Host + ?Sized>(host: &H, run_id: &str) {
    crate::runs::notify::log_err(
        host,
        "cancelling the status reminder",
        host.cancel_job(&format!("{JOB_PREFIX}{run_id}")),
    );
}
