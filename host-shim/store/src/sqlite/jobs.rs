//! [`JobStore`] on the `jobs` table (`PRIMARY KEY (plugin_id, key)`, indexed
//! on `at_ms`). A lease is `lease_id` + `lease_until`; `attempts` counts
//! leases since the job was (re)scheduled.

use rusqlite::{OptionalExtension, Row, params};

use super::{SqliteStore, sql_int};
use crate::ports::StoreResult;
use crate::ports::jobs::{Job, JobStore};

fn job_from_row(row: &Row<'_>) -> rusqlite::Result<Job> {
    Ok(Job {
        plugin_id: row.get(0)?,
        key: row.get(1)?,
        at_ms: row.get(2)?,
        payload: row.get(3)?,
    })
}

impl JobStore for SqliteStore {
    fn schedule(&self, job: &Job) -> StoreResult<()> {
        self.write(|tx| {
            tx.prepare_cached(
                "INSERT INTO jobs (plugin_id, key, at_ms, payload) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (plugin_id, key)
                 DO UPDATE SET at_ms = excluded.at_ms, payload = excluded.payload,
                               lease_id = '', lease_until = 0, attempts = 0",
            )?
            .execute(params![job.plugin_id, job.key, job.at_ms, job.payload])?;
            Ok(())
        })
    }

    fn cancel(&self, plugin_id: &str, key: &str) -> StoreResult<bool> {
        self.write(|tx| {
            let removed = tx
                .prepare_cached("DELETE FROM jobs WHERE plugin_id = ?1 AND key = ?2")?
                .execute(params![plugin_id, key])?;
            Ok(removed > 0)
        })
    }

    fn due(&self, now_ms: i64, limit: u32) -> StoreResult<Vec<Job>> {
        self.read(|tx| {
            let mut stmt = tx.prepare_cached(
                "SELECT plugin_id, key, at_ms, payload FROM jobs
                 WHERE at_ms <= ?1 AND lease_until <= ?1
                 ORDER BY at_ms, plugin_id, key LIMIT ?2",
            )?;
            let jobs = stmt
                .query_map(params![now_ms, sql_int(limit)], job_from_row)?
                .collect::<rusqlite::Result<_>>()?;
            Ok(jobs)
        })
    }

    fn next_due_at(&self) -> StoreResult<Option<i64>> {
        self.read(|tx| {
            Ok(tx
                .prepare_cached("SELECT MIN(MAX(at_ms, lease_until)) FROM jobs")?
                .query_row([], |row| row.get(0))?)
        })
    }

    fn lease(
        &self,
        job: &Job,
        lease_id: &str,
        now_ms: i64,
        until_ms: i64,
    ) -> StoreResult<Option<u32>> {
        self.write(|tx| {
            let attempts: Option<i64> = tx
                .prepare_cached(
                    "UPDATE jobs SET lease_id = ?5, lease_until = ?7, attempts = attempts + 1
                     WHERE plugin_id = ?1 AND key = ?2 AND at_ms = ?3 AND payload = ?4
                       AND at_ms <= ?6 AND lease_until <= ?6
                     RETURNING attempts",
                )?
                .query_row(
                    params![
                        job.plugin_id,
                        job.key,
                        job.at_ms,
                        job.payload,
                        lease_id,
                        now_ms,
                        until_ms
                    ],
                    |row| row.get(0),
                )
                .optional()?;
            Ok(attempts.map(|n| u32::try_from(n).unwrap_or(u32::MAX)))
        })
    }

    fn complete(&self, plugin_id: &str, key: &str, lease_id: &str) -> StoreResult<bool> {
        self.write(|tx| {
            let removed = tx
                .prepare_cached(
                    "DELETE FROM jobs WHERE plugin_id = ?1 AND key = ?2 AND lease_id = ?3",
                )?
                .execute(params![plugin_id, key, lease_id])?;
            Ok(removed > 0)
        })
    }

    fn retry_at(
        &self,
        plugin_id: &str,
        key: &str,
        lease_id: &str,
        at_ms: i64,
    ) -> StoreResult<bool> {
        self.write(|tx| {
            let changed = tx
                .prepare_cached(
                    "UPDATE jobs SET lease_until = ?4
                     WHERE plugin_id = ?1 AND key = ?2 AND lease_id = ?3",
                )?
                .execute(params![plugin_id, key, lease_id, at_ms])?;
            Ok(changed > 0)
        })
    }

    fn jobs_for_plugin(&self, plugin_id: &str) -> StoreResult<Vec<Job>> {
        self.read(|tx| {
            let mut stmt = tx.prepare_cached(
                "SELECT plugin_id, key, at_ms, payload FROM jobs WHERE plugin_id = ?1
                 ORDER BY at_ms, key",
            )?;
            let jobs = stmt
                .query_map([plugin_id], job_from_row)?
                .collect::<rusqlite::Result<_>>()?;
            Ok(jobs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sqlite::tests::temp_store;

    fn job(plugin_id: &str, key: &str, at_ms: i64, payload: &str) -> Job {
        Job {
            plugin_id: plugin_id.into(),
            key: key.into(),
            at_ms,
            payload: payload.into(),
        }
    }

    /// Jobs pending in a database of the release before leases (schema 3)
    /// survive the upgrade and fire once.
    #[test]
    fn jobs_from_a_version_3_database_survive_the_upgrade_and_lease() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v3.db");
        {
            let conn = rusqlite::Connection::open(&path).unwrap();
            for sql in &crate::sqlite::schema::MIGRATIONS[..3] {
                conn.execute_batch(sql).unwrap();
            }
            conn.pragma_update(None, "user_version", 3).unwrap();
            conn.execute(
                "INSERT INTO jobs (plugin_id, key, at_ms, payload)
                 VALUES ('playbooks', 'reminder/r1', 100, 'p')",
                [],
            )
            .unwrap();
        }
        let store = SqliteStore::open(&path).unwrap();
        let pending = job("playbooks", "reminder/r1", 100, "p");
        assert_eq!(store.due(1_000, 10).unwrap(), vec![pending.clone()]);
        assert_eq!(store.lease(&pending, "l1", 1_000, 61_000).unwrap(), Some(1));
        assert_eq!(store.lease(&pending, "l2", 1_000, 61_000).unwrap(), None);
        assert!(store.complete("playbooks", "reminder/r1", "l1").unwrap());
        assert!(store.jobs_for_plugin("playbooks").unwrap().is_empty());
    }

    #[test]
    fn schedule_replaces_and_lists_in_time_order() {
        let (_dir, store) = temp_store();
        assert_eq!(store.next_due_at().unwrap(), None);
        store.schedule(&job("p", "late", 300, "x")).unwrap();
        store.schedule(&job("p", "early", 100, "y")).unwrap();
        store.schedule(&job("q", "other", 200, "z")).unwrap();
        assert_eq!(store.next_due_at().unwrap(), Some(100));
        // Same (plugin, key) again replaces.
        store.schedule(&job("p", "early", 50, "y2")).unwrap();
        assert_eq!(store.next_due_at().unwrap(), Some(50));
        assert_eq!(
            store.jobs_for_plugin("p").unwrap(),
            vec![job("p", "early", 50, "y2"), job("p", "late", 300, "x")]
        );
        assert_eq!(
            store.jobs_for_plugin("q").unwrap(),
            vec![job("q", "other", 200, "z")]
        );
        assert!(store.jobs_for_plugin("none").unwrap().is_empty());
    }

    #[test]
    fn due_returns_earliest_first_up_to_limit() {
        let (_dir, store) = temp_store();
        store.schedule(&job("p", "a", 30, "")).unwrap();
        store.schedule(&job("p", "b", 10, "")).unwrap();
        store.schedule(&job("q", "c", 20, "")).unwrap();
        store.schedule(&job("q", "future", 1_000, "")).unwrap();
        let due: Vec<_> = store
            .due(100, 10)
            .unwrap()
            .into_iter()
            .map(|j| j.key)
            .collect();
        assert_eq!(due, vec!["b", "c", "a"]);
        let due: Vec<_> = store
            .due(100, 2)
            .unwrap()
            .into_iter()
            .map(|j| j.key)
            .collect();
        assert_eq!(due, vec!["b", "c"]);
        assert_eq!(store.due(20, 10).unwrap().len(), 2, "at_ms <= now is due");
        assert!(store.due(5, 10).unwrap().is_empty());
    }

    #[test]
    fn cancel_reports_whether_pending() {
        let (_dir, store) = temp_store();
        store.schedule(&job("p", "k", 1, "")).unwrap();
        assert!(!store.cancel("q", "k").unwrap());
        assert!(store.cancel("p", "k").unwrap());
        assert!(!store.cancel("p", "k").unwrap());
        assert_eq!(store.next_due_at().unwrap(), None);
    }

    #[test]
    fn a_leased_job_is_hidden_until_the_lease_expires() {
        let (_dir, store) = temp_store();
        store.schedule(&job("p", "k", 10, "payload")).unwrap();
        let due = store.due(10, 10).unwrap();
        assert_eq!(store.lease(&due[0], "l1", 10, 100).unwrap(), Some(1));
        assert_eq!(store.lease(&due[0], "l2", 10, 100).unwrap(), None);
        assert!(store.due(99, 10).unwrap().is_empty(), "leased");
        assert_eq!(store.next_due_at().unwrap(), Some(100));
        // Still stored: a crash now loses nothing. At expiry it is due again.
        assert_eq!(
            store.due(100, 10).unwrap(),
            vec![job("p", "k", 10, "payload")]
        );
        assert_eq!(store.lease(&due[0], "l2", 100, 200).unwrap(), Some(2));
        // The old lease can neither finish nor reschedule it any more.
        assert!(!store.complete("p", "k", "l1").unwrap());
        assert!(!store.retry_at("p", "k", "l1", 0).unwrap());
        assert!(store.complete("p", "k", "l2").unwrap());
        assert!(store.jobs_for_plugin("p").unwrap().is_empty());
    }

    #[test]
    fn retry_at_makes_the_job_due_again_later() {
        let (_dir, store) = temp_store();
        store.schedule(&job("p", "k", 10, "")).unwrap();
        assert_eq!(
            store.lease(&job("p", "k", 10, ""), "l", 10, 1_000).unwrap(),
            Some(1)
        );
        assert!(store.retry_at("p", "k", "l", 50).unwrap());
        assert!(store.due(49, 10).unwrap().is_empty());
        assert_eq!(store.due(50, 10).unwrap().len(), 1);
        assert_eq!(
            store.lease(&job("p", "k", 10, ""), "m", 50, 1_000).unwrap(),
            Some(2)
        );
    }

    #[test]
    fn a_lease_fails_after_reschedule_and_rescheduling_ends_a_lease() {
        let (_dir, store) = temp_store();
        store.schedule(&job("p", "k", 10, "v1")).unwrap();
        let due = store.due(10, 10).unwrap().remove(0);
        // Rescheduled (new time) between due() and lease().
        store.schedule(&job("p", "k", 500, "v1")).unwrap();
        assert_eq!(store.lease(&due, "l", 10, 100).unwrap(), None);
        // Re-scheduled with a new payload only.
        store.schedule(&job("p", "k", 10, "v2")).unwrap();
        assert_eq!(store.lease(&due, "l", 10, 100).unwrap(), None);
        let current = job("p", "k", 10, "v2");
        assert_eq!(store.lease(&current, "l", 10, 100).unwrap(), Some(1));
        // The hook reschedules its own key: completing keeps the new job.
        store.schedule(&job("p", "k", 900, "next")).unwrap();
        assert!(!store.complete("p", "k", "l").unwrap());
        assert_eq!(
            store.jobs_for_plugin("p").unwrap(),
            vec![job("p", "k", 900, "next")]
        );
    }

    #[test]
    fn concurrent_leases_have_one_winner() {
        let (_dir, store) = temp_store();
        let store = std::sync::Arc::new(store);
        store.schedule(&job("p", "k", 1, "x")).unwrap();
        let winners: usize = (0..8)
            .map(|i| {
                let store = store.clone();
                std::thread::spawn(move || {
                    store
                        .lease(&job("p", "k", 1, "x"), &format!("l{i}"), 1, 1_000)
                        .unwrap()
                        .is_some()
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|t| usize::from(t.join().unwrap()))
            .sum();
        assert_eq!(winners, 1);
    }

    #[test]
    fn jobs_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jobs.db");
        SqliteStore::open(&path)
            .unwrap()
            .schedule(&job("p", "k", 42, "later"))
            .unwrap();
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(
            store.due(100, 10).unwrap(),
            vec![job("p", "k", 42, "later")]
        );
    }
}
