//! Channel memberships with their unread counters (decision 012): the SQL
//! shared by the membership reads, "mark viewed", mentions and post
//! creation, so a post's side effects run inside the post's transaction.

use rusqlite::{OptionalExtension, Row, Transaction, params};

use crate::model::ChannelMembership;
use crate::ports::StoreResult;

macro_rules! membership_select {
    () => {
        "SELECT m.channel_id, m.user_id, m.joined_at, m.last_viewed_at, m.msg_count,
                m.mention_count, m.last_update_at
         FROM channel_members AS m"
    };
}
pub(super) use membership_select;

pub(super) fn membership_from_row(row: &Row<'_>) -> rusqlite::Result<ChannelMembership> {
    Ok(ChannelMembership {
        channel_id: row.get(0)?,
        user_id: row.get(1)?,
        joined_at: row.get(2)?,
        last_viewed_at: row.get(3)?,
        msg_count: row.get(4)?,
        mention_count: row.get(5)?,
        last_update_at: row.get(6)?,
    })
}

pub(super) fn membership(
    tx: &Transaction<'_>,
    channel_id: &str,
    user_id: &str,
) -> StoreResult<Option<ChannelMembership>> {
    Ok(tx
        .prepare_cached(concat!(
            membership_select!(),
            " WHERE m.channel_id = ?1 AND m.user_id = ?2"
        ))?
        .query_row(params![channel_id, user_id], membership_from_row)
        .optional()?)
}

/// Catches the member up with the channel. Returns whether they are a member.
pub(super) fn mark_viewed(
    tx: &Transaction<'_>,
    channel_id: &str,
    user_id: &str,
    at_ms: i64,
) -> StoreResult<bool> {
    let changed = tx
        .prepare_cached(
            "UPDATE channel_members SET
                 msg_count = (SELECT total_msg_count FROM channels WHERE id = ?1),
                 mention_count = 0,
                 last_viewed_at = MAX(last_viewed_at, ?3),
                 last_update_at = MAX(last_update_at, ?3)
             WHERE channel_id = ?1 AND user_id = ?2",
        )?
        .execute(params![channel_id, user_id, at_ms])?;
    Ok(changed > 0)
}

/// One more mention for each member among `user_ids` (never `except`);
/// returns those who are members, sorted, without duplicates.
pub(super) fn bump_mentions(
    tx: &Transaction<'_>,
    channel_id: &str,
    user_ids: &[String],
    except: &str,
    at_ms: i64,
) -> StoreResult<Vec<String>> {
    let mut ids: Vec<&str> = user_ids
        .iter()
        .map(String::as_str)
        .filter(|id| *id != except)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let mut stmt = tx.prepare_cached(
        "UPDATE channel_members SET mention_count = mention_count + 1,
                last_update_at = MAX(last_update_at, ?3)
         WHERE channel_id = ?1 AND user_id = ?2",
    )?;
    let mut mentioned = Vec::with_capacity(ids.len());
    for id in ids {
        if stmt.execute(params![channel_id, id, at_ms])? > 0 {
            mentioned.push(id.to_string());
        }
    }
    Ok(mentioned)
}

/// Every member of the channel but `except`.
pub(super) fn other_members(
    tx: &Transaction<'_>,
    channel_id: &str,
    except: &str,
) -> StoreResult<Vec<String>> {
    let mut stmt = tx.prepare_cached(
        "SELECT user_id FROM channel_members WHERE channel_id = ?1 AND user_id != ?2",
    )?;
    let ids = stmt
        .query_map(params![channel_id, except], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}
