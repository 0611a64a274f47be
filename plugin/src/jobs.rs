//! Scheduled jobs are delivered at least once: the host deletes a job only
//! after its hook returned, so a trap, a crash or a restart in between
//! delivers the same job again. Handlers that post make each occurrence
//! happen once with a done-marker per job (issue 11, finding 9).
//!
//! An occurrence is named by what the job is *for* — the run's due time of
//! a status reminder, the scheduled time carried in a retrospective
//! reminder's payload, a digest's day or week — so a redelivery names the
//! same occurrence and a rescheduled job a new one. The marker
//! `jobdone/<job key>` holds the last occurrence claimed; claiming is a
//! compare-and-set, so two deliveries racing on two instances post once.
//! One key per job (overwritten), so markers do not pile up.
//!
//! A claim has two phases: taken before the work (the marker reads
//! `~<occurrence>`) and completed after it (`<occurrence>`). A delivery that
//! finds a completed occurrence does nothing; one that finds it only taken
//! knows the earlier delivery died in the middle (the host never runs one
//! job twice at once: it holds a lease while the hook runs) and does the
//! work again. So a trap or crash loses nothing, and a repeat posts twice
//! only if the earlier delivery died between its post and the completion.
//! A post the host refuses (an error, not a trap) releases the claim.

use crate::host::{Host, HostResult, Level};

/// KV prefix of the markers.
pub const MARKER_PREFIX: &str = "jobdone/";

/// A claimed occurrence: [`Claim::complete`] it once the work is done, or
/// [`Claim::release`] it when the work failed and may be tried again.
#[derive(Debug)]
#[must_use = "complete the claim after the work, or release it"]
pub struct Claim {
    key: String,
    previous: Option<Vec<u8>>,
    value: Vec<u8>,
}

impl Claim {
    /// Marks the occurrence done: later deliveries of it do nothing.
    pub fn complete<H: Host + ?Sized>(self, host: &H) {
        let done = &self.value[1..];
        if let Err(e) = host.kv_compare_and_set(&self.key, Some(&self.value), Some(done)) {
            host.log(Level::Warn, &format!("completing {}: {e}", self.key));
        }
    }

    /// Undoes the claim (only if nobody claimed something else since).
    pub fn release<H: Host + ?Sized>(self, host: &H) {
        if let Err(e) =
            host.kv_compare_and_set(&self.key, Some(&self.value), self.previous.as_deref())
        {
            host.log(Level::Warn, &format!("releasing {}: {e}", self.key));
        }
    }
}

/// Claims occurrence `occurrence` of job `job_key`: `Some` the first time,
/// `None` when it was claimed already (a redelivery: do nothing).
pub fn claim<H: Host + ?Sized>(
    host: &H,
    job_key: &str,
    occurrence: &str,
) -> HostResult<Option<Claim>> {
    let key = format!("{MARKER_PREFIX}{job_key}");
    let done = occurrence.as_bytes();
    let value = [b"~".as_slice(), done].concat();
    for _ in 0..8 {
        let previous = host.kv_get(&key)?;
        if previous.as_deref() == Some(done) {
            host.log(
                Level::Info,
                &format!("job {job_key} ({occurrence}) already done: not repeated"),
            );
            return Ok(None);
        }
        if previous.as_deref() == Some(value.as_slice()) {
            host.log(
                Level::Info,
                &format!(
                    "job {job_key} ({occurrence}): the earlier delivery did not finish; repeating"
                ),
            );
        }
        if host.kv_compare_and_set(&key, previous.as_deref(), Some(&value))? {
            return Ok(Some(Claim {
                key,
                previous,
                value,
            }));
        }
    }
    // Someone else keeps claiming this job right now: let them.
    Ok(None)
}

/// Forgets a job's marker (its subject is gone).
pub fn forget<H: Host + ?Sized>(host: &H, job_key: &str) {
    if let Err(e) = host.kv_delete(&format!("{MARKER_PREFIX}{job_key}")) {
        host.log(Level::Warn, &format!("forgetting job {job_key}: {e}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::FakeHost;
    use crate::host::prelude::*;

    #[test]
    fn a_completed_occurrence_is_done_once() {
        let host = FakeHost::with_basics();
        claim(&host, "reminder/r1", "100")
            .unwrap()
            .unwrap()
            .complete(&host);
        assert!(claim(&host, "reminder/r1", "100").unwrap().is_none());
        claim(&host, "reminder/r2", "100")
            .unwrap()
            .unwrap()
            .complete(&host);
        claim(&host, "reminder/r1", "200")
            .unwrap()
            .unwrap()
            .complete(&host);
        assert!(claim(&host, "reminder/r1", "200").unwrap().is_none());
        assert_eq!(
            host.kv_get("jobdone/reminder/r1").unwrap(),
            Some(b"200".to_vec())
        );
    }

    #[test]
    fn an_occurrence_whose_delivery_died_is_done_again() {
        let host = FakeHost::with_basics();
        // Claimed, then the hook trapped before completing.
        drop(claim(&host, "j", "1").unwrap().unwrap());
        let again = claim(&host, "j", "1").unwrap().expect("repeated");
        again.complete(&host);
        assert!(claim(&host, "j", "1").unwrap().is_none());
    }

    #[test]
    fn a_released_claim_may_be_taken_again() {
        let host = FakeHost::with_basics();
        claim(&host, "j", "1").unwrap().unwrap().complete(&host);
        let second = claim(&host, "j", "2").unwrap().unwrap();
        second.release(&host);
        assert_eq!(host.kv_get("jobdone/j").unwrap(), Some(b"1".to_vec()));
        assert!(claim(&host, "j", "2").unwrap().is_some());
        forget(&host, "j");
        assert_eq!(host.kv_get("jobdone/j").unwrap(), None);
    }
}
