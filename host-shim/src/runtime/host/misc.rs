//! `clock`, `random` and `config`: the small ambient capabilities a
//! plugin gets only through the host.

use crate::model::now_ms;
use crate::runtime::bindings::v0_2::chatops::plugin::{clock, config, random};
use crate::runtime::state::{HostState, limits};

impl clock::Host for HostState {
    fn now_ms(&mut self) -> i64 {
        now_ms()
    }
}

impl random::Host for HostState {
    fn random_bytes(&mut self, len: u32) -> Vec<u8> {
        let len = len.min(limits::MAX_RANDOM_BYTES) as usize;
        let mut bytes = vec![0u8; len];
        rand::fill(&mut bytes[..]);
        bytes
    }
}

impl config::Host for HostState {
    fn get(&mut self) -> String {
        self.settings
            .read()
            .map(|s| s.clone())
            .unwrap_or_else(|_| "{}".into())
    }
}
