//! `scheduler`: durable one-shot jobs, delivered to `scheduled-job`.

use super::{R, invalid};
use crate::runtime::bindings::v0_2::chatops::plugin::scheduler;
use crate::runtime::state::{HostState, limits};
use chat_store::ports::jobs::Job;

impl scheduler::Host for HostState {
    fn schedule_once(&mut self, key: String, at_ms: i64, payload: String) -> R<()> {
        if key.is_empty() || key.len() > limits::MAX_JOB_KEY_BYTES {
            return Err(invalid(format!(
                "key: 1-{} bytes",
                limits::MAX_JOB_KEY_BYTES
            )));
        }
        if payload.len() > limits::MAX_JOB_PAYLOAD_BYTES {
            return Err(invalid(format!(
                "payload: larger than {} bytes",
                limits::MAX_JOB_PAYLOAD_BYTES
            )));
        }
        let job = Job {
            plugin_id: self.plugin_id.clone(),
            key,
            at_ms,
            payload,
        };
        self.services.jobs.schedule(&job)?;
        self.services.scheduler_wake.notify_one();
        Ok(())
    }

    fn cancel(&mut self, key: String) -> R<bool> {
        Ok(self.services.jobs.cancel(&self.plugin_id, &key)?)
    }
}
