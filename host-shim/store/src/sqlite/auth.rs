//! [`AuthStore`] on the `sessions`, `access_tokens` and `incoming_webhooks`
//! tables (schema version 2).
//!
//! Sessions and access tokens reference their user, webhooks their channel:
//! an unknown one is [`StoreError::NotFound`](crate::StoreError::NotFound).
//! A duplicate id or token hash is a `Conflict`.

use rusqlite::{OptionalExtension, Row, Transaction, params};

use super::{SqliteStore, sql_int};
use crate::ports::StoreResult;
use crate::ports::auth::{AccessToken, AuthStore, IncomingWebhook, Session};

macro_rules! session_select {
    () => {
        "SELECT id, token_hash, user_id, create_at, expires_at, last_activity_at, access_token_id
         FROM sessions"
    };
}

macro_rules! token_select {
    () => {
        "SELECT id, token_hash, user_id, description, is_active, create_at
         FROM access_tokens"
    };
}

macro_rules! webhook_select {
    () => {
        "SELECT id, create_at, update_at, delete_at, user_id, channel_id, team_id, display_name,
                description, username, icon_url, channel_locked
         FROM incoming_webhooks"
    };
}

fn session_from_row(row: &Row<'_>) -> rusqlite::Result<Session> {
    Ok(Session {
        id: row.get(0)?,
        token_hash: row.get(1)?,
        user_id: row.get(2)?,
        create_at: row.get(3)?,
        expires_at: row.get(4)?,
        last_activity_at: row.get(5)?,
        access_token_id: row.get(6)?,
    })
}

fn token_from_row(row: &Row<'_>) -> rusqlite::Result<AccessToken> {
    Ok(AccessToken {
        id: row.get(0)?,
        token_hash: row.get(1)?,
        user_id: row.get(2)?,
        description: row.get(3)?,
        is_active: row.get(4)?,
        create_at: row.get(5)?,
    })
}

fn webhook_from_row(row: &Row<'_>) -> rusqlite::Result<IncomingWebhook> {
    Ok(IncomingWebhook {
        id: row.get(0)?,
        create_at: row.get(1)?,
        update_at: row.get(2)?,
        delete_at: row.get(3)?,
        user_id: row.get(4)?,
        channel_id: row.get(5)?,
        team_id: row.get(6)?,
        display_name: row.get(7)?,
        description: row.get(8)?,
        username: row.get(9)?,
        icon_url: row.get(10)?,
        channel_locked: row.get(11)?,
    })
}

fn optional<T>(
    tx: &Transaction<'_>,
    sql: &str,
    key: &str,
    map: fn(&Row<'_>) -> rusqlite::Result<T>,
) -> StoreResult<Option<T>> {
    Ok(tx.prepare_cached(sql)?.query_row([key], map).optional()?)
}

fn collect<T>(
    tx: &Transaction<'_>,
    sql: &str,
    params: impl rusqlite::Params,
    map: fn(&Row<'_>) -> rusqlite::Result<T>,
) -> StoreResult<Vec<T>> {
    let mut stmt = tx.prepare_cached(sql)?;
    let rows = stmt
        .query_map(params, map)?
        .collect::<rusqlite::Result<Vec<T>>>()?;
    Ok(rows)
}

/// Converts a row count to the `u64` the ports use.
fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

impl AuthStore for SqliteStore {
    // --- sessions ------------------------------------------------------------

    /// An unknown user is `NotFound`; a duplicate id `Conflict("session id")`,
    /// a duplicate token hash `Conflict("session token")`.
    fn create_session(&self, session: &Session) -> StoreResult<()> {
        self.write(|tx| {
            tx.prepare_cached(
                "INSERT INTO sessions (id, token_hash, user_id, create_at, expires_at,
                                       last_activity_at, access_token_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                session.id,
                session.token_hash,
                session.user_id,
                session.create_at,
                session.expires_at,
                session.last_activity_at,
                session.access_token_id,
            ])?;
            Ok(())
        })
    }

    /// Returns the session as stored, expired or not (callers check
    /// `expires_at`).
    fn session_by_token_hash(&self, token_hash: &str) -> StoreResult<Option<Session>> {
        self.read(|tx| {
            optional(
                tx,
                concat!(session_select!(), " WHERE token_hash = ?1"),
                token_hash,
                session_from_row,
            )
        })
    }

    /// Never moves `last_activity_at` backwards (racing requests may touch out
    /// of order). An unknown session is not an error: it may have been logged
    /// out meanwhile, and personal-access-token callers use synthetic ids.
    fn touch_session(&self, session_id: &str, at_ms: i64) -> StoreResult<()> {
        self.write(|tx| {
            tx.prepare_cached(
                "UPDATE sessions SET last_activity_at = ?2
                 WHERE id = ?1 AND last_activity_at < ?2",
            )?
            .execute(params![session_id, at_ms])?;
            Ok(())
        })
    }

    fn delete_session(&self, session_id: &str) -> StoreResult<bool> {
        self.write(|tx| {
            let removed = tx
                .prepare_cached("DELETE FROM sessions WHERE id = ?1")?
                .execute([session_id])?;
            Ok(removed > 0)
        })
    }

    fn delete_user_sessions(&self, user_id: &str) -> StoreResult<u64> {
        self.write(|tx| {
            let removed = tx
                .prepare_cached("DELETE FROM sessions WHERE user_id = ?1")?
                .execute([user_id])?;
            Ok(count(removed))
        })
    }

    // --- personal access tokens ----------------------------------------------

    /// An unknown user is `NotFound`; a duplicate id
    /// `Conflict("access token id")`, a duplicate hash `Conflict("access token")`.
    fn create_access_token(&self, token: &AccessToken) -> StoreResult<()> {
        self.write(|tx| {
            tx.prepare_cached(
                "INSERT INTO access_tokens (id, token_hash, user_id, description, is_active,
                                            create_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                token.id,
                token.token_hash,
                token.user_id,
                token.description,
                token.is_active,
                token.create_at,
            ])?;
            Ok(())
        })
    }

    /// Returns the token whether active or not (callers check `is_active`).
    fn access_token_by_hash(&self, token_hash: &str) -> StoreResult<Option<AccessToken>> {
        self.read(|tx| {
            optional(
                tx,
                concat!(token_select!(), " WHERE token_hash = ?1"),
                token_hash,
                token_from_row,
            )
        })
    }

    /// Oldest first.
    fn access_tokens_for_user(&self, user_id: &str) -> StoreResult<Vec<AccessToken>> {
        self.read(|tx| {
            collect(
                tx,
                concat!(
                    token_select!(),
                    " WHERE user_id = ?1 ORDER BY create_at, id"
                ),
                [user_id],
                token_from_row,
            )
        })
    }

    /// One transaction: the sessions created from the token, then the token.
    /// Returns whether the token existed. An empty id matches nothing (it
    /// must not take the password sessions, whose `access_token_id` is `''`).
    fn revoke_access_token(&self, token_id: &str) -> StoreResult<bool> {
        if token_id.is_empty() {
            return Ok(false);
        }
        self.write(|tx| {
            tx.prepare_cached("DELETE FROM sessions WHERE access_token_id = ?1")?
                .execute([token_id])?;
            let removed = tx
                .prepare_cached("DELETE FROM access_tokens WHERE id = ?1")?
                .execute([token_id])?;
            Ok(removed > 0)
        })
    }

    // --- incoming webhooks ---------------------------------------------------

    /// An unknown channel is `NotFound`; a duplicate id
    /// `Conflict("incoming webhook id")`.
    fn create_incoming_webhook(&self, hook: &IncomingWebhook) -> StoreResult<()> {
        self.write(|tx| {
            tx.prepare_cached(
                "INSERT INTO incoming_webhooks (id, create_at, update_at, delete_at, user_id,
                                                channel_id, team_id, display_name, description,
                                                username, icon_url, channel_locked)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?
            .execute(params![
                hook.id,
                hook.create_at,
                hook.update_at,
                hook.delete_at,
                hook.user_id,
                hook.channel_id,
                hook.team_id,
                hook.display_name,
                hook.description,
                hook.username,
                hook.icon_url,
                hook.channel_locked,
            ])?;
            Ok(())
        })
    }

    fn incoming_webhook(&self, id: &str) -> StoreResult<Option<IncomingWebhook>> {
        self.read(|tx| {
            optional(
                tx,
                concat!(webhook_select!(), " WHERE id = ?1"),
                id,
                webhook_from_row,
            )
        })
    }

    /// Ties on `create_at` are broken by id (descending) so pages are stable.
    fn incoming_webhooks(
        &self,
        team_id: &str,
        offset: u32,
        limit: u32,
    ) -> StoreResult<Vec<IncomingWebhook>> {
        self.read(|tx| {
            // Two statements rather than `(?1 = '' OR team_id = ?1)`, so the
            // filtered one can use the (team_id, create_at) index.
            if team_id.is_empty() {
                collect(
                    tx,
                    concat!(
                        webhook_select!(),
                        " WHERE delete_at = 0
                          ORDER BY create_at DESC, id DESC LIMIT ?1 OFFSET ?2"
                    ),
                    params![sql_int(limit), sql_int(offset)],
                    webhook_from_row,
                )
            } else {
                collect(
                    tx,
                    concat!(
                        webhook_select!(),
                        " WHERE team_id = ?1 AND delete_at = 0
                          ORDER BY create_at DESC, id DESC LIMIT ?2 OFFSET ?3"
                    ),
                    params![team_id, sql_int(limit), sql_int(offset)],
                    webhook_from_row,
                )
            }
        })
    }

    /// Sets `delete_at` and `update_at` to `at_ms`. A missing or already
    /// deleted hook is left alone and reported as `false`.
    fn delete_incoming_webhook(&self, id: &str, at_ms: i64) -> StoreResult<bool> {
        self.write(|tx| {
            let changed = tx
                .prepare_cached(
                    "UPDATE incoming_webhooks SET delete_at = ?2, update_at = ?2
                     WHERE id = ?1 AND delete_at = 0",
                )?
                .execute(params![id, at_ms])?;
            Ok(changed > 0)
        })
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::*;
    use crate::model::{Channel, Team, User, new_id};
    use crate::ports::{ChatStore, KvStore, StoreError};
    use crate::sqlite::schema::MIGRATIONS;
    use crate::sqlite::tests::temp_store;

    fn user(name: &str) -> User {
        User {
            id: new_id(),
            create_at: 1,
            update_at: 1,
            username: name.into(),
            email: format!("{name}@example.com"),
            roles: "system_user".into(),
            locale: "en".into(),
            ..Default::default()
        }
    }

    fn team(name: &str) -> Team {
        Team {
            id: new_id(),
            create_at: 1,
            update_at: 1,
            display_name: name.to_uppercase(),
            name: name.into(),
            team_type: "O".into(),
            ..Default::default()
        }
    }

    fn channel(team_id: &str, name: &str) -> Channel {
        Channel {
            id: new_id(),
            create_at: 1,
            update_at: 1,
            team_id: team_id.into(),
            channel_type: "O".into(),
            display_name: name.into(),
            name: name.into(),
            ..Default::default()
        }
    }

    fn session(user_id: &str, token_hash: &str, access_token_id: &str) -> Session {
        Session {
            id: new_id(),
            token_hash: token_hash.into(),
            user_id: user_id.into(),
            create_at: 10,
            expires_at: 1_000,
            last_activity_at: 10,
            access_token_id: access_token_id.into(),
        }
    }

    fn token(user_id: &str, token_hash: &str, at: i64) -> AccessToken {
        AccessToken {
            id: new_id(),
            token_hash: token_hash.into(),
            user_id: user_id.into(),
            description: format!("token {token_hash}"),
            is_active: true,
            create_at: at,
        }
    }

    fn hook(channel: &Channel, user_id: &str, at: i64, name: &str) -> IncomingWebhook {
        IncomingWebhook {
            id: new_id(),
            create_at: at,
            update_at: at,
            delete_at: 0,
            user_id: user_id.into(),
            channel_id: channel.id.clone(),
            team_id: channel.team_id.clone(),
            display_name: name.into(),
            description: format!("{name} hook"),
            username: "bot-name".into(),
            icon_url: "https://example.com/icon.png".into(),
            channel_locked: true,
        }
    }

    /// A store with one user in one team with one channel.
    fn fixture() -> (tempfile::TempDir, SqliteStore, User, Channel) {
        let (dir, store) = temp_store();
        let alice = user("alice");
        store.create_user(&alice, Some("hash")).unwrap();
        let core = team("core");
        store.create_team(&core).unwrap();
        let town = channel(&core.id, "town-square");
        store.create_channel(&town).unwrap();
        (dir, store, alice, town)
    }

    fn names(hooks: &[IncomingWebhook]) -> Vec<&str> {
        hooks.iter().map(|h| h.display_name.as_str()).collect()
    }

    #[test]
    fn store_implements_auth_store() {
        fn port<T: AuthStore + Send + Sync + 'static>() {}
        port::<SqliteStore>();
    }

    // --- sessions ------------------------------------------------------------

    #[test]
    fn session_roundtrip_and_lookup_by_hash() {
        let (_dir, store, alice, _) = fixture();
        let s = session(&alice.id, "hash-1", "");
        store.create_session(&s).unwrap();
        assert_eq!(store.session_by_token_hash("hash-1").unwrap(), Some(s));
        assert_eq!(store.session_by_token_hash("nope").unwrap(), None);
        // The id is not a token hash.
        assert_eq!(store.session_by_token_hash(&alice.id).unwrap(), None);
    }

    #[test]
    fn session_duplicates_are_conflicts() {
        let (_dir, store, alice, _) = fixture();
        let s = session(&alice.id, "hash-1", "");
        store.create_session(&s).unwrap();
        let same_hash = session(&alice.id, "hash-1", "");
        assert_eq!(
            store.create_session(&same_hash),
            Err(StoreError::Conflict("session token".into()))
        );
        let same_id = Session {
            token_hash: "hash-2".into(),
            ..s.clone()
        };
        assert_eq!(
            store.create_session(&same_id),
            Err(StoreError::Conflict("session id".into()))
        );
    }

    #[test]
    fn session_for_unknown_user_is_not_found() {
        let (_dir, store, _, _) = fixture();
        assert_eq!(
            store.create_session(&session(&new_id(), "hash-1", "")),
            Err(StoreError::NotFound)
        );
        assert_eq!(store.session_by_token_hash("hash-1").unwrap(), None);
    }

    #[test]
    fn touch_session_records_activity_monotonically() {
        let (_dir, store, alice, _) = fixture();
        let s = session(&alice.id, "hash-1", "");
        store.create_session(&s).unwrap();
        store.touch_session(&s.id, 500).unwrap();
        let touched = store.session_by_token_hash("hash-1").unwrap().unwrap();
        assert_eq!(touched.last_activity_at, 500);
        assert_eq!(
            Session {
                last_activity_at: s.last_activity_at,
                ..touched
            },
            s,
            "only last_activity_at changes"
        );
        // An older touch arriving late does not move it backwards.
        store.touch_session(&s.id, 200).unwrap();
        let after = store.session_by_token_hash("hash-1").unwrap().unwrap();
        assert_eq!(after.last_activity_at, 500);
        // Unknown sessions are a no-op.
        store.touch_session("pat:whatever", 900).unwrap();
    }

    #[test]
    fn delete_session_reports_whether_removed() {
        let (_dir, store, alice, _) = fixture();
        let s1 = session(&alice.id, "hash-1", "");
        let s2 = session(&alice.id, "hash-2", "");
        store.create_session(&s1).unwrap();
        store.create_session(&s2).unwrap();
        assert!(store.delete_session(&s1.id).unwrap());
        assert!(!store.delete_session(&s1.id).unwrap());
        assert!(!store.delete_session("unknown").unwrap());
        assert_eq!(store.session_by_token_hash("hash-1").unwrap(), None);
        assert_eq!(store.session_by_token_hash("hash-2").unwrap(), Some(s2));
    }

    #[test]
    fn delete_user_sessions_counts_and_spares_other_users() {
        let (_dir, store, alice, _) = fixture();
        let bob = user("bob");
        store.create_user(&bob, None).unwrap();
        for i in 0..3 {
            store
                .create_session(&session(&alice.id, &format!("a{i}"), ""))
                .unwrap();
        }
        let bobs = session(&bob.id, "b0", "");
        store.create_session(&bobs).unwrap();
        assert_eq!(store.delete_user_sessions(&alice.id).unwrap(), 3);
        assert_eq!(store.delete_user_sessions(&alice.id).unwrap(), 0);
        assert_eq!(store.delete_user_sessions("unknown").unwrap(), 0);
        for i in 0..3 {
            assert_eq!(store.session_by_token_hash(&format!("a{i}")).unwrap(), None);
        }
        assert_eq!(store.session_by_token_hash("b0").unwrap(), Some(bobs));
    }

    // --- personal access tokens ----------------------------------------------

    #[test]
    fn access_token_create_lookup_and_list() {
        let (_dir, store, alice, _) = fixture();
        let bob = user("bob");
        store.create_user(&bob, None).unwrap();
        let later = token(&alice.id, "t-later", 20);
        let earlier = AccessToken {
            is_active: false,
            ..token(&alice.id, "t-earlier", 10)
        };
        let bobs = token(&bob.id, "t-bob", 5);
        store.create_access_token(&later).unwrap();
        store.create_access_token(&earlier).unwrap();
        store.create_access_token(&bobs).unwrap();

        assert_eq!(
            store.access_token_by_hash("t-later").unwrap(),
            Some(later.clone())
        );
        // Inactive tokens are returned as stored.
        assert_eq!(
            store.access_token_by_hash("t-earlier").unwrap(),
            Some(earlier.clone())
        );
        assert_eq!(store.access_token_by_hash("nope").unwrap(), None);
        assert_eq!(
            store.access_tokens_for_user(&alice.id).unwrap(),
            vec![earlier, later]
        );
        assert_eq!(store.access_tokens_for_user(&bob.id).unwrap(), vec![bobs]);
        assert!(store.access_tokens_for_user("unknown").unwrap().is_empty());
    }

    #[test]
    fn access_token_duplicates_are_conflicts() {
        let (_dir, store, alice, _) = fixture();
        let t = token(&alice.id, "t1", 1);
        store.create_access_token(&t).unwrap();
        assert_eq!(
            store.create_access_token(&token(&alice.id, "t1", 2)),
            Err(StoreError::Conflict("access token".into()))
        );
        let same_id = AccessToken {
            token_hash: "t2".into(),
            ..t
        };
        assert_eq!(
            store.create_access_token(&same_id),
            Err(StoreError::Conflict("access token id".into()))
        );
    }

    #[test]
    fn access_token_for_unknown_user_is_not_found() {
        let (_dir, store, _, _) = fixture();
        assert_eq!(
            store.create_access_token(&token(&new_id(), "t1", 1)),
            Err(StoreError::NotFound)
        );
        assert_eq!(store.access_token_by_hash("t1").unwrap(), None);
    }

    #[test]
    fn revoke_access_token_cascades_to_its_sessions_only() {
        let (_dir, store, alice, _) = fixture();
        let t1 = token(&alice.id, "t1", 1);
        let t2 = token(&alice.id, "t2", 2);
        store.create_access_token(&t1).unwrap();
        store.create_access_token(&t2).unwrap();
        store
            .create_session(&session(&alice.id, "s1a", &t1.id))
            .unwrap();
        store
            .create_session(&session(&alice.id, "s1b", &t1.id))
            .unwrap();
        let from_t2 = session(&alice.id, "s2", &t2.id);
        let password = session(&alice.id, "sp", "");
        store.create_session(&from_t2).unwrap();
        store.create_session(&password).unwrap();

        assert!(store.revoke_access_token(&t1.id).unwrap());
        assert_eq!(store.access_token_by_hash("t1").unwrap(), None);
        assert_eq!(store.session_by_token_hash("s1a").unwrap(), None);
        assert_eq!(store.session_by_token_hash("s1b").unwrap(), None);
        assert_eq!(store.session_by_token_hash("s2").unwrap(), Some(from_t2));
        assert_eq!(store.session_by_token_hash("sp").unwrap(), Some(password));
        assert_eq!(
            store.access_tokens_for_user(&alice.id).unwrap(),
            vec![t2.clone()]
        );

        assert!(!store.revoke_access_token(&t1.id).unwrap());
        // An empty id must not wipe the password sessions (access_token_id '').
        assert!(!store.revoke_access_token("").unwrap());
        assert!(store.session_by_token_hash("sp").unwrap().is_some());
        assert!(store.revoke_access_token(&t2.id).unwrap());
        assert_eq!(store.session_by_token_hash("s2").unwrap(), None);
    }

    // --- incoming webhooks ---------------------------------------------------

    #[test]
    fn webhook_create_and_get() {
        let (_dir, store, alice, town) = fixture();
        let h = hook(&town, &alice.id, 100, "ci");
        store.create_incoming_webhook(&h).unwrap();
        assert_eq!(store.incoming_webhook(&h.id).unwrap(), Some(h.clone()));
        assert_eq!(store.incoming_webhook("unknown").unwrap(), None);
        assert_eq!(
            store.create_incoming_webhook(&h),
            Err(StoreError::Conflict("incoming webhook id".into()))
        );
    }

    #[test]
    fn webhook_for_unknown_channel_is_not_found() {
        let (_dir, store, alice, town) = fixture();
        let orphan = IncomingWebhook {
            channel_id: new_id(),
            ..hook(&town, &alice.id, 1, "orphan")
        };
        assert_eq!(
            store.create_incoming_webhook(&orphan),
            Err(StoreError::NotFound)
        );
        assert_eq!(store.incoming_webhook(&orphan.id).unwrap(), None);
    }

    #[test]
    fn webhooks_list_newest_first_with_paging_and_team_filter() {
        let (_dir, store, alice, town) = fixture();
        let other_team = team("other");
        store.create_team(&other_team).unwrap();
        let elsewhere = channel(&other_team.id, "elsewhere");
        store.create_channel(&elsewhere).unwrap();

        for (at, name) in [(10, "h10"), (30, "h30"), (20, "h20"), (40, "h40")] {
            store
                .create_incoming_webhook(&hook(&town, &alice.id, at, name))
                .unwrap();
        }
        store
            .create_incoming_webhook(&hook(&elsewhere, &alice.id, 25, "x25"))
            .unwrap();

        let all = store.incoming_webhooks("", 0, 100).unwrap();
        assert_eq!(names(&all), ["h40", "h30", "x25", "h20", "h10"]);
        let core = store.incoming_webhooks(&town.team_id, 0, 100).unwrap();
        assert_eq!(names(&core), ["h40", "h30", "h20", "h10"]);
        let other = store.incoming_webhooks(&other_team.id, 0, 100).unwrap();
        assert_eq!(names(&other), ["x25"]);
        assert!(
            store
                .incoming_webhooks("no-team", 0, 100)
                .unwrap()
                .is_empty()
        );

        // Paging.
        assert_eq!(
            names(&store.incoming_webhooks(&town.team_id, 0, 2).unwrap()),
            ["h40", "h30"]
        );
        assert_eq!(
            names(&store.incoming_webhooks(&town.team_id, 2, 2).unwrap()),
            ["h20", "h10"]
        );
        assert!(
            store
                .incoming_webhooks(&town.team_id, 4, 2)
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            names(&store.incoming_webhooks("", 1, 3).unwrap()),
            ["h30", "x25", "h20"]
        );
        assert!(store.incoming_webhooks("", 0, 0).unwrap().is_empty());
    }

    #[test]
    fn webhooks_with_equal_create_at_page_stably() {
        let (_dir, store, alice, town) = fixture();
        for i in 0..5 {
            store
                .create_incoming_webhook(&hook(&town, &alice.id, 7, &format!("h{i}")))
                .unwrap();
        }
        let all = store.incoming_webhooks("", 0, 100).unwrap();
        let mut paged = Vec::new();
        for offset in (0..5).step_by(2) {
            paged.extend(store.incoming_webhooks("", offset, 2).unwrap());
        }
        assert_eq!(paged, all);
        let ids: Vec<&str> = all.iter().map(|h| h.id.as_str()).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable_by(|a, b| b.cmp(a));
        assert_eq!(ids, sorted, "ties broken by id descending");
    }

    #[test]
    fn webhook_soft_delete() {
        let (_dir, store, alice, town) = fixture();
        let keep = hook(&town, &alice.id, 10, "keep");
        let gone = hook(&town, &alice.id, 20, "gone");
        store.create_incoming_webhook(&keep).unwrap();
        store.create_incoming_webhook(&gone).unwrap();

        assert!(store.delete_incoming_webhook(&gone.id, 99).unwrap());
        assert!(!store.delete_incoming_webhook(&gone.id, 123).unwrap());
        assert!(!store.delete_incoming_webhook("unknown", 99).unwrap());

        // Still readable by id, with the first deletion time.
        let deleted = store.incoming_webhook(&gone.id).unwrap().unwrap();
        assert_eq!(deleted.delete_at, 99);
        assert_eq!(deleted.update_at, 99);
        assert_eq!(
            IncomingWebhook {
                delete_at: 0,
                update_at: gone.update_at,
                ..deleted
            },
            gone
        );
        // But gone from listings.
        assert_eq!(
            names(&store.incoming_webhooks("", 0, 100).unwrap()),
            ["keep"]
        );
        assert_eq!(
            names(&store.incoming_webhooks(&town.team_id, 0, 100).unwrap()),
            ["keep"]
        );
    }

    // --- persistence and migration -------------------------------------------

    #[test]
    fn auth_data_survives_reopening() {
        let (dir, store, alice, town) = fixture();
        let path = store.path().to_path_buf();
        let t = token(&alice.id, "t1", 5);
        let s = session(&alice.id, "s1", &t.id);
        let h = hook(&town, &alice.id, 7, "ci");
        store.create_access_token(&t).unwrap();
        store.create_session(&s).unwrap();
        store.create_incoming_webhook(&h).unwrap();
        drop(store);

        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.session_by_token_hash("s1").unwrap(), Some(s));
        assert_eq!(store.access_token_by_hash("t1").unwrap(), Some(t.clone()));
        assert_eq!(store.access_tokens_for_user(&alice.id).unwrap(), vec![t]);
        assert_eq!(store.incoming_webhook(&h.id).unwrap(), Some(h.clone()));
        assert_eq!(store.incoming_webhooks("", 0, 10).unwrap(), vec![h]);
        drop(dir);
    }

    #[test]
    fn opening_a_version_1_database_upgrades_it_and_keeps_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v1.db");
        let alice = user("alice");
        let core = team("core");
        let town = channel(&core.id, "town-square");
        {
            // A database as a build with only MIGRATION_1 left it.
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
            conn.execute(
                "INSERT INTO users (id, create_at, update_at, username, email, roles, locale,
                                    password_hash)
                 VALUES (?1, 1, 1, ?2, ?3, ?4, ?5, 'old-hash')",
                params![
                    alice.id,
                    alice.username,
                    alice.email,
                    alice.roles,
                    alice.locale
                ],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO teams (id, create_at, update_at, display_name, name, type)
                 VALUES (?1, 1, 1, ?2, ?3, 'O')",
                params![core.id, core.display_name, core.name],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO channels (id, create_at, update_at, team_id, type, display_name, name)
                 VALUES (?1, 1, 1, ?2, 'O', ?3, ?4)",
                params![town.id, town.team_id, town.display_name, town.name],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO kv (ns, key, value) VALUES ('ns', 'k', x'7631')",
                [],
            )
            .unwrap();
            let tables: i64 = conn
                .query_row(
                    "SELECT COUNT(*) FROM sqlite_master WHERE name = 'sessions'",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(tables, 0, "MIGRATION_1 has no auth tables");
        }

        let store = SqliteStore::open(&path).unwrap();
        {
            let conn = store.writer.lock().unwrap();
            let version: i64 = conn
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .unwrap();
            assert_eq!(version, MIGRATIONS.len() as i64);
            assert!(version >= 2);
            let indexes: Vec<String> = conn
                .prepare(
                    "SELECT name FROM sqlite_master
                     WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%'
                       AND tbl_name IN ('sessions', 'access_tokens', 'incoming_webhooks')
                     ORDER BY name",
                )
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            assert_eq!(
                indexes,
                [
                    "access_tokens_user",
                    "incoming_webhooks_team_create_at",
                    "sessions_access_token",
                    "sessions_user",
                ]
            );
        }
        // The version 1 rows survived.
        assert_eq!(store.user(&alice.id).unwrap(), Some(alice.clone()));
        assert_eq!(
            store.password_hash(&alice.id).unwrap().as_deref(),
            Some("old-hash")
        );
        assert_eq!(store.team(&core.id).unwrap(), Some(core));
        assert_eq!(store.channel(&town.id).unwrap(), Some(town.clone()));
        assert_eq!(store.get("ns", "k").unwrap().as_deref(), Some(&b"v1"[..]));
        // And the new tables work against them.
        let s = session(&alice.id, "s1", "");
        store.create_session(&s).unwrap();
        assert_eq!(store.session_by_token_hash("s1").unwrap(), Some(s));
        let h = hook(&town, &alice.id, 3, "ci");
        store.create_incoming_webhook(&h).unwrap();
        assert_eq!(store.incoming_webhooks("", 0, 10).unwrap(), vec![h]);
        drop(store);

        // Reopening the upgraded file applies nothing twice.
        let store = SqliteStore::open(&path).unwrap();
        assert!(store.session_by_token_hash("s1").unwrap().is_some());
    }
}
