//! Group message channels (type `G`): created with their members in one
//! transaction, so a group channel never exists with part of its members.

use super::StoreResult;
use crate::model::Channel;

pub trait GroupChannelStore: Send + Sync {
    /// Creates `channel` (its `name` identifies the member set) with
    /// `member_ids` as members at `at_ms`, or returns the existing channel
    /// of that name. The flag is true when it was created now.
    fn create_group_channel(
        &self,
        channel: &Channel,
        member_ids: &[String],
        at_ms: i64,
    ) -> StoreResult<(Channel, bool)>;
}
