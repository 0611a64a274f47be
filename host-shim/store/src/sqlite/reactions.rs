//! [`ReactionStore`] on SQLite: the `reactions` table and the
//! `posts.has_reactions` flag it keeps in step.

use rusqlite::{OptionalExtension, Row, Transaction, params};

use super::SqliteStore;
use crate::ports::StoreResult;
use crate::ports::reactions::{Added, Reaction, ReactionStore, Refused};

/// Reactions with their post's channel (`channel_id` is never stored twice).
macro_rules! reaction_select {
    () => {
        "SELECT r.user_id, r.post_id, r.emoji_name, r.create_at, p.channel_id
         FROM reactions AS r JOIN posts AS p ON p.id = r.post_id"
    };
}

fn reaction_from_row(row: &Row<'_>) -> rusqlite::Result<Reaction> {
    let create_at: i64 = row.get(3)?;
    Ok(Reaction {
        user_id: row.get(0)?,
        post_id: row.get(1)?,
        emoji_name: row.get(2)?,
        create_at,
        update_at: create_at,
        delete_at: 0,
        remote_id: String::new(),
        channel_id: row.get(4)?,
    })
}

fn query_reaction(
    tx: &Transaction<'_>,
    post_id: &str,
    user_id: &str,
    emoji_name: &str,
) -> rusqlite::Result<Option<Reaction>> {
    tx.prepare_cached(concat!(
        reaction_select!(),
        " WHERE r.post_id = ?1 AND r.user_id = ?2 AND r.emoji_name = ?3"
    ))?
    .query_row(params![post_id, user_id, emoji_name], reaction_from_row)
    .optional()
}

/// Sets `has_reactions` from the table and moves `update_at` forward.
fn touch_post(tx: &Transaction<'_>, post_id: &str, at_ms: i64) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "UPDATE posts SET
            has_reactions = EXISTS (SELECT 1 FROM reactions WHERE post_id = ?1),
            update_at = MAX(update_at, ?2)
         WHERE id = ?1",
    )?
    .execute(params![post_id, at_ms])?;
    Ok(())
}

impl ReactionStore for SqliteStore {
    fn add_reaction(
        &self,
        post_id: &str,
        user_id: &str,
        emoji_name: &str,
        at_ms: i64,
        max_unique: usize,
    ) -> StoreResult<Result<Added, Refused>> {
        self.write(|tx| {
            let state: Option<(i64, i64)> = tx
                .prepare_cached(
                    "SELECT p.delete_at, c.delete_at
                     FROM posts AS p JOIN channels AS c ON c.id = p.channel_id
                     WHERE p.id = ?1",
                )?
                .query_row([post_id], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()?;
            match state {
                None => return Ok(Err(Refused::PostGone)),
                Some((post_deleted, _)) if post_deleted != 0 => return Ok(Err(Refused::PostGone)),
                Some((_, channel_deleted)) if channel_deleted != 0 => {
                    return Ok(Err(Refused::ChannelArchived));
                }
                Some(_) => {}
            }
            if let Some(existing) = query_reaction(tx, post_id, user_id, emoji_name)? {
                return Ok(Ok(Added::Existing(existing)));
            }
            let (distinct, has_this): (i64, bool) = tx
                .prepare_cached(
                    "SELECT COUNT(DISTINCT emoji_name),
                            COALESCE(MAX(emoji_name = ?2), 0)
                     FROM reactions WHERE post_id = ?1",
                )?
                .query_row(params![post_id, emoji_name], |row| {
                    Ok((row.get(0)?, row.get(1)?))
                })?;
            if !has_this && usize::try_from(distinct).unwrap_or(usize::MAX) >= max_unique {
                return Ok(Err(Refused::TooManyEmoji));
            }
            tx.prepare_cached(
                "INSERT INTO reactions (post_id, user_id, emoji_name, create_at)
                 VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![post_id, user_id, emoji_name, at_ms])?;
            touch_post(tx, post_id, at_ms)?;
            let stored = query_reaction(tx, post_id, user_id, emoji_name)?
                .ok_or(crate::ports::StoreError::NotFound)?;
            Ok(Ok(Added::New(stored)))
        })
    }

    fn remove_reaction(
        &self,
        post_id: &str,
        user_id: &str,
        emoji_name: &str,
        at_ms: i64,
    ) -> StoreResult<Option<Reaction>> {
        self.write(|tx| {
            let Some(existing) = query_reaction(tx, post_id, user_id, emoji_name)? else {
                return Ok(None);
            };
            tx.prepare_cached(
                "DELETE FROM reactions WHERE post_id = ?1 AND user_id = ?2 AND emoji_name = ?3",
            )?
            .execute(params![post_id, user_id, emoji_name])?;
            touch_post(tx, post_id, at_ms)?;
            Ok(Some(existing))
        })
    }

    fn reactions_for_post(&self, post_id: &str) -> StoreResult<Vec<Reaction>> {
        self.read(|tx| {
            let mut stmt = tx.prepare_cached(concat!(
                reaction_select!(),
                " WHERE r.post_id = ?1 ORDER BY r.create_at, r.user_id, r.emoji_name"
            ))?;
            let rows = stmt
                .query_map([post_id], reaction_from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }

    /// One statement whatever the number of posts: the ids go in as one JSON
    /// array parameter (no SQL built from input, no per-post round trip).
    fn reactions_for_posts(&self, post_ids: &[String]) -> StoreResult<Vec<Reaction>> {
        if post_ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids = serde_json::to_string(post_ids)
            .map_err(|e| crate::ports::StoreError::Invalid(format!("post ids: {e}")))?;
        self.read(|tx| {
            let mut stmt = tx.prepare_cached(concat!(
                reaction_select!(),
                " WHERE r.post_id IN (SELECT value FROM json_each(?1))
                  ORDER BY r.post_id, r.create_at, r.user_id, r.emoji_name"
            ))?;
            let rows = stmt
                .query_map([ids], reaction_from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }
}

#[cfg(test)]
#[path = "reactions_tests.rs"]
mod tests;
