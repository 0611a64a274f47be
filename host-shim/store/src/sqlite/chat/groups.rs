//! [`GroupChannelStore`]: a group channel and its members in one
//! transaction.

use rusqlite::{OptionalExtension, params};

use super::channel_from_row;
use crate::model::Channel;
use crate::ports::StoreResult;
use crate::ports::groups::GroupChannelStore;
use crate::sqlite::SqliteStore;

impl GroupChannelStore for SqliteStore {
    fn create_group_channel(
        &self,
        channel: &Channel,
        member_ids: &[String],
        at_ms: i64,
    ) -> StoreResult<(Channel, bool)> {
        self.write(|tx| {
            let existing = tx
                .prepare_cached(concat!(
                    channel_select!(),
                    " WHERE team_id = '' AND name = ?1"
                ))?
                .query_row([&channel.name], channel_from_row)
                .optional()?;
            if let Some(existing) = existing {
                return Ok((existing, false));
            }
            tx.prepare_cached(
                "INSERT INTO channels (id, create_at, update_at, delete_at, team_id, type,
                                       display_name, name, header, purpose, last_post_at,
                                       total_msg_count, creator_id)
                 VALUES (?1, ?2, ?3, 0, '', 'G', ?4, ?5, '', '', ?6, 0, ?7)",
            )?
            .execute(params![
                channel.id,
                channel.create_at,
                channel.update_at,
                channel.display_name,
                channel.name,
                channel.last_post_at,
                channel.creator_id,
            ])?;
            let mut add = tx.prepare_cached(
                "INSERT INTO channel_members (channel_id, user_id, joined_at, last_update_at)
                 VALUES (?1, ?2, ?3, ?3) ON CONFLICT (channel_id, user_id) DO NOTHING",
            )?;
            for user_id in member_ids {
                add.execute(params![channel.id, user_id, at_ms])?;
            }
            let stored = tx
                .prepare_cached(concat!(channel_select!(), " WHERE id = ?1"))?
                .query_row([&channel.id], channel_from_row)?;
            Ok((stored, true))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::{ChatStore, StoreError};
    use crate::sqlite::tests::temp_store;

    fn user(store: &SqliteStore, name: &str) -> String {
        crate::sqlite::tests::stored_user(store, name).id
    }

    fn group(name: &str) -> Channel {
        Channel {
            id: crate::model::new_id(),
            channel_type: "G".into(),
            name: name.into(),
            display_name: "a, b, c".into(),
            ..Default::default()
        }
    }

    #[test]
    fn creates_once_with_all_members_and_returns_the_existing_one_after() {
        let (_dir, store) = temp_store();
        let ids: Vec<String> = ["a", "b", "c"].iter().map(|n| user(&store, n)).collect();
        let (first, created) = store.create_group_channel(&group("g1"), &ids, 5).unwrap();
        assert!(created);
        assert_eq!(first.channel_type, "G");
        assert_eq!(store.channel_members(&first.id, 0, 10).unwrap().len(), 3);
        let (again, created) = store.create_group_channel(&group("g1"), &ids, 6).unwrap();
        assert!(!created);
        assert_eq!(again.id, first.id);
    }

    #[test]
    fn an_unknown_member_leaves_nothing_behind() {
        let (_dir, store) = temp_store();
        let mut ids: Vec<String> = ["a", "b"].iter().map(|n| user(&store, n)).collect();
        ids.push("nobody".into());
        assert_eq!(
            store.create_group_channel(&group("g2"), &ids, 5),
            Err(StoreError::NotFound)
        );
        assert_eq!(store.channel_by_name("", "g2").unwrap(), None);
    }
}
