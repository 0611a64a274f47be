//! [`PresenceStore`] on the `user_status` table. Every change is a single
//! conditional statement in the writer's transaction that returns the rows
//! it changed, so two nodes (or two sockets) racing to make the same change
//! see it happen once.

use rusqlite::{OptionalExtension, Row, Transaction, params, params_from_iter};

use super::SqliteStore;
use crate::ports::StoreResult;
use crate::ports::presence::{AWAY, Automatic, DND, OFFLINE, ONLINE, PresenceStore, UserStatus};

macro_rules! status_select {
    () => {
        "SELECT user_id, status, manual, last_activity_at, dnd_end_time, prev_status
         FROM user_status"
    };
}

fn status_from_row(row: &Row<'_>) -> rusqlite::Result<UserStatus> {
    Ok(UserStatus {
        user_id: row.get(0)?,
        status: row.get(1)?,
        manual: row.get(2)?,
        last_activity_at: row.get(3)?,
        dnd_end_time: row.get(4)?,
        prev_status: row.get(5)?,
    })
}

fn read_status(tx: &Transaction<'_>, user_id: &str) -> StoreResult<Option<UserStatus>> {
    Ok(tx
        .prepare_cached(concat!(status_select!(), " WHERE user_id = ?1"))?
        .query_row([user_id], status_from_row)
        .optional()?)
}

/// SQLite's default limit on parameters is 32,766; ids are looked up in
/// chunks well below it.
const CHUNK: usize = 500;

impl PresenceStore for SqliteStore {
    fn status(&self, user_id: &str) -> StoreResult<Option<UserStatus>> {
        self.read(|tx| read_status(tx, user_id))
    }

    fn statuses(&self, ids: &[String]) -> StoreResult<Vec<UserStatus>> {
        self.read(|tx| {
            let mut out = Vec::with_capacity(ids.len());
            for chunk in ids.chunks(CHUNK) {
                let sql = format!(
                    concat!(status_select!(), " WHERE user_id IN ({})"),
                    super::placeholders(chunk.len())
                );
                let mut stmt = tx.prepare(&sql)?;
                let rows = stmt.query_map(params_from_iter(chunk), status_from_row)?;
                for row in rows {
                    out.push(row?);
                }
            }
            Ok(out)
        })
    }

    fn save_status(&self, status: &UserStatus) -> StoreResult<()> {
        self.write(|tx| {
            tx.prepare_cached(
                "INSERT INTO user_status
                     (user_id, status, manual, last_activity_at, dnd_end_time, prev_status)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (user_id) DO UPDATE SET
                     status = excluded.status, manual = excluded.manual,
                     last_activity_at = excluded.last_activity_at,
                     dnd_end_time = excluded.dnd_end_time, prev_status = excluded.prev_status",
            )?
            .execute(params![
                status.user_id,
                status.status,
                status.manual,
                status.last_activity_at,
                status.dnd_end_time,
                status.prev_status,
            ])?;
            Ok(())
        })
    }

    fn set_automatic(
        &self,
        user_id: &str,
        change: Automatic,
        at_ms: i64,
    ) -> StoreResult<Option<UserStatus>> {
        self.write(|tx| {
            let before = read_status(tx, user_id)?;
            let (status, activity) = match change {
                Automatic::Online => (ONLINE, at_ms),
                Automatic::Offline => (
                    OFFLINE,
                    before.as_ref().map_or(0, |s| s.last_activity_at),
                ),
            };
            match &before {
                Some(before) if before.manual => {
                    if change == Automatic::Online && before.last_activity_at < at_ms {
                        tx.prepare_cached(
                            "UPDATE user_status SET last_activity_at = ?2 WHERE user_id = ?1",
                        )?
                        .execute(params![user_id, at_ms])?;
                    }
                    Ok(None)
                }
                Some(before) => {
                    tx.prepare_cached(
                        "UPDATE user_status SET status = ?2, last_activity_at = MAX(last_activity_at, ?3)
                         WHERE user_id = ?1",
                    )?
                    .execute(params![user_id, status, activity])?;
                    if before.status == status {
                        return Ok(None);
                    }
                    read_status(tx, user_id)
                }
                None => {
                    tx.prepare_cached(
                        "INSERT INTO user_status (user_id, status, manual, last_activity_at)
                         VALUES (?1, ?2, 0, ?3)",
                    )?
                    .execute(params![user_id, status, activity])?;
                    // No row reads as offline already.
                    if status == OFFLINE {
                        return Ok(None);
                    }
                    read_status(tx, user_id)
                }
            }
        })
    }

    fn expire_statuses(&self, idle_before_ms: i64, now_secs: i64) -> StoreResult<Vec<UserStatus>> {
        self.write(|tx| {
            let mut changed = Vec::new();
            {
                let mut stmt = tx.prepare_cached(
                    "UPDATE user_status SET status = ?1
                     WHERE status = ?2 AND manual = 0 AND last_activity_at < ?3
                     RETURNING user_id, status, manual, last_activity_at, dnd_end_time, prev_status"
                )?;
                let rows = stmt.query_map(params![AWAY, ONLINE, idle_before_ms], status_from_row)?;
                for row in rows {
                    changed.push(row?);
                }
            }
            {
                // A timed "do not disturb" returns to what it replaced: a
                // status the user chose stays chosen, `online` becomes
                // automatic again.
                let mut stmt = tx.prepare_cached(
                    "UPDATE user_status SET
                         status = CASE WHEN prev_status IN ('online', 'away', 'offline')
                                       THEN prev_status ELSE 'online' END,
                         manual = CASE WHEN prev_status IN ('away', 'offline') THEN 1 ELSE 0 END,
                         dnd_end_time = 0, prev_status = ''
                     WHERE status = ?1 AND dnd_end_time > 0 AND dnd_end_time <= ?2
                     RETURNING user_id, status, manual, last_activity_at, dnd_end_time, prev_status",
                )?;
                let rows = stmt.query_map(params![DND, now_secs], status_from_row)?;
                for row in rows {
                    changed.push(row?);
                }
            }
            Ok(changed)
        })
    }

    fn reset_automatic_statuses(&self) -> StoreResult<u64> {
        self.write(|tx| {
            let n = tx
                .prepare_cached(
                    "UPDATE user_status SET status = ?1
                     WHERE manual = 0 AND status IN (?2, ?3)",
                )?
                .execute(params![OFFLINE, ONLINE, AWAY])?;
            Ok(n as u64)
        })
    }

    fn visible_users(&self, viewer: &str, ids: &[String]) -> StoreResult<Vec<String>> {
        self.read(|tx| {
            let mut out = Vec::new();
            for chunk in ids.chunks(CHUNK) {
                let sql = format!(
                    "SELECT u.id FROM users AS u
                     WHERE u.id IN ({})
                       AND (u.id = ?1
                            OR EXISTS (SELECT 1 FROM team_members AS a
                                       JOIN team_members AS b ON b.team_id = a.team_id
                                       WHERE a.user_id = ?1 AND b.user_id = u.id)
                            OR EXISTS (SELECT 1 FROM channel_members AS a
                                       JOIN channel_members AS b ON b.channel_id = a.channel_id
                                       WHERE a.user_id = ?1 AND b.user_id = u.id))",
                    (0..chunk.len())
                        .map(|i| format!("?{}", i + 2))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                let mut stmt = tx.prepare(&sql)?;
                let args = std::iter::once(viewer).chain(chunk.iter().map(String::as_str));
                let rows = stmt.query_map(params_from_iter(args), |row| row.get::<_, String>(0))?;
                for row in rows {
                    out.push(row?);
                }
            }
            Ok(out)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Team;
    use crate::ports::ChatStore;
    use crate::sqlite::tests::temp_store;

    fn user(store: &SqliteStore, name: &str) -> String {
        crate::sqlite::tests::stored_user(store, name).id
    }

    #[test]
    fn connections_drive_automatic_statuses_and_report_changes_once() {
        let (_dir, store) = temp_store();
        let a = user(&store, "a");
        assert_eq!(store.status(&a).unwrap(), None);
        // Offline without a row is no change.
        assert_eq!(
            store.set_automatic(&a, Automatic::Offline, 5).unwrap(),
            None
        );
        let online = store
            .set_automatic(&a, Automatic::Online, 10)
            .unwrap()
            .unwrap();
        assert_eq!(
            (online.status.as_str(), online.last_activity_at),
            (ONLINE, 10)
        );
        // Again: only the activity time moves.
        assert_eq!(
            store.set_automatic(&a, Automatic::Online, 20).unwrap(),
            None
        );
        assert_eq!(store.status(&a).unwrap().unwrap().last_activity_at, 20);
        let offline = store
            .set_automatic(&a, Automatic::Offline, 30)
            .unwrap()
            .unwrap();
        assert_eq!(
            (offline.status.as_str(), offline.last_activity_at),
            (OFFLINE, 20)
        );
        assert_eq!(
            store.set_automatic(&a, Automatic::Offline, 40).unwrap(),
            None
        );
    }

    #[test]
    fn a_chosen_status_stands_against_automatic_changes() {
        let (_dir, store) = temp_store();
        let a = user(&store, "a");
        store
            .save_status(&UserStatus {
                status: DND.into(),
                manual: true,
                ..UserStatus::offline(&a)
            })
            .unwrap();
        assert_eq!(
            store.set_automatic(&a, Automatic::Online, 10).unwrap(),
            None
        );
        assert_eq!(
            store.set_automatic(&a, Automatic::Offline, 20).unwrap(),
            None
        );
        let stored = store.status(&a).unwrap().unwrap();
        assert_eq!((stored.status.as_str(), stored.last_activity_at), (DND, 10));
        assert_eq!(store.reset_automatic_statuses().unwrap(), 0);
        assert_eq!(store.expire_statuses(1_000, 0).unwrap(), vec![]);
    }

    #[test]
    fn idle_users_go_away_and_timed_dnd_ends() {
        let (_dir, store) = temp_store();
        let idle = user(&store, "idle");
        let busy = user(&store, "busy");
        let dnd = user(&store, "dnd");
        store.set_automatic(&idle, Automatic::Online, 100).unwrap();
        store.set_automatic(&busy, Automatic::Online, 900).unwrap();
        store
            .save_status(&UserStatus {
                status: DND.into(),
                manual: true,
                dnd_end_time: 50,
                prev_status: ONLINE.into(),
                ..UserStatus::offline(&dnd)
            })
            .unwrap();
        let changed = store.expire_statuses(500, 49).unwrap();
        assert_eq!(changed.len(), 1);
        assert_eq!(
            (changed[0].user_id.as_str(), changed[0].status.as_str()),
            (idle.as_str(), AWAY)
        );
        // Once only.
        assert_eq!(store.expire_statuses(500, 49).unwrap(), vec![]);
        let changed = store.expire_statuses(500, 50).unwrap();
        assert_eq!(changed.len(), 1);
        assert_eq!(changed[0].user_id, dnd);
        assert_eq!(
            (changed[0].status.as_str(), changed[0].manual),
            (ONLINE, false)
        );
        assert_eq!(changed[0].dnd_end_time, 0);
        // Activity brings the idle user back.
        let back = store
            .set_automatic(&idle, Automatic::Online, 1000)
            .unwrap()
            .unwrap();
        assert_eq!(back.status, ONLINE);
        // A restart: automatic statuses go offline.
        assert_eq!(store.reset_automatic_statuses().unwrap(), 3);
        let all = store
            .statuses(&[idle.clone(), busy.clone(), dnd.clone(), "nobody".into()])
            .unwrap();
        assert_eq!(all.len(), 3);
        assert!(all.iter().all(|s| s.status == OFFLINE), "{all:?}");
    }

    #[test]
    fn visibility_is_sharing_a_team_or_a_channel() {
        let (_dir, store) = temp_store();
        let a = user(&store, "a");
        let b = user(&store, "b");
        let c = user(&store, "c");
        let team = Team {
            id: crate::model::new_id(),
            name: "t".into(),
            ..Default::default()
        };
        store.create_team(&team).unwrap();
        store.add_team_member(&team.id, &a, "").unwrap();
        store.add_team_member(&team.id, &b, "").unwrap();
        let ids = vec![a.clone(), b.clone(), c.clone(), "unknown".into()];
        let mut seen = store.visible_users(&a, &ids).unwrap();
        seen.sort();
        let mut expected = vec![a.clone(), b.clone()];
        expected.sort();
        assert_eq!(seen, expected);
        assert_eq!(store.visible_users(&c, &ids).unwrap(), vec![c.clone()]);
        // A channel shared outside any team (a direct channel).
        let channel = crate::model::Channel {
            id: crate::model::new_id(),
            channel_type: "D".into(),
            name: format!("{a}__{c}"),
            ..Default::default()
        };
        store.create_channel(&channel).unwrap();
        store.add_channel_member(&channel.id, &a, 1).unwrap();
        store.add_channel_member(&channel.id, &c, 1).unwrap();
        let mut seen = store.visible_users(&c, &ids).unwrap();
        seen.sort();
        let mut expected = vec![a, c];
        expected.sort();
        assert_eq!(seen, expected);
    }
}
