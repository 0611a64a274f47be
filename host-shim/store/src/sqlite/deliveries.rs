//! [`DeliveryStore`] on the `webhook_deliveries` table (indexed on
//! `next_at_ms` and on `plugin_id` for the per-plugin bound).

use rusqlite::{OptionalExtension, Row, params};

use super::{SqliteStore, sql_int};
use crate::ports::StoreResult;
use crate::ports::deliveries::{Delivery, DeliveryStore, QueueLimits};

fn delivery_from_row(row: &Row<'_>) -> rusqlite::Result<Delivery> {
    let attempts: i64 = row.get(4)?;
    Ok(Delivery {
        id: row.get(0)?,
        plugin_id: row.get(1)?,
        url: row.get(2)?,
        body: row.get(3)?,
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        next_at_ms: row.get(5)?,
    })
}

impl DeliveryStore for SqliteStore {
    fn enqueue_delivery(
        &self,
        plugin_id: &str,
        url: &str,
        body: &str,
        at_ms: i64,
        limits: QueueLimits,
    ) -> StoreResult<Option<i64>> {
        self.write(|tx| {
            let (count, bytes): (i64, i64) = tx
                .prepare_cached(
                    "SELECT COUNT(*), COALESCE(SUM(LENGTH(CAST(body AS BLOB))), 0)
                     FROM webhook_deliveries WHERE plugin_id = ?1",
                )?
                .query_row([plugin_id], |row| Ok((row.get(0)?, row.get(1)?)))?;
            let bytes = u64::try_from(bytes)
                .unwrap_or(0)
                .saturating_add(body.len() as u64);
            if count >= sql_int(limits.count) || bytes > limits.bytes {
                return Ok(None);
            }
            tx.prepare_cached(
                "INSERT INTO webhook_deliveries (plugin_id, url, body, next_at_ms, created_at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?4)",
            )?
            .execute(params![plugin_id, url, body, at_ms])?;
            Ok(Some(tx.last_insert_rowid()))
        })
    }

    fn due_deliveries(&self, now_ms: i64, limit: u32) -> StoreResult<Vec<Delivery>> {
        self.read(|tx| {
            let mut stmt = tx.prepare_cached(
                "SELECT id, plugin_id, url, body, attempts, next_at_ms FROM webhook_deliveries
                 WHERE next_at_ms <= ?1 ORDER BY next_at_ms, id LIMIT ?2",
            )?;
            let due = stmt
                .query_map(params![now_ms, sql_int(limit)], delivery_from_row)?
                .collect::<rusqlite::Result<_>>()?;
            Ok(due)
        })
    }

    fn next_delivery_at(&self) -> StoreResult<Option<i64>> {
        self.read(|tx| {
            Ok(tx
                .prepare_cached("SELECT MIN(next_at_ms) FROM webhook_deliveries")?
                .query_row([], |row| row.get(0))?)
        })
    }

    fn lease_delivery(&self, delivery: &Delivery, until_ms: i64) -> StoreResult<Option<u32>> {
        self.write(|tx| {
            let attempts: Option<i64> = tx
                .prepare_cached(
                    "UPDATE webhook_deliveries SET next_at_ms = ?3, attempts = attempts + 1
                     WHERE id = ?1 AND next_at_ms = ?2 RETURNING attempts",
                )?
                .query_row(params![delivery.id, delivery.next_at_ms, until_ms], |row| {
                    row.get(0)
                })
                .optional()?;
            Ok(attempts.map(|n| u32::try_from(n).unwrap_or(u32::MAX)))
        })
    }

    fn retry_delivery(&self, id: i64, at_ms: i64) -> StoreResult<()> {
        self.write(|tx| {
            tx.prepare_cached("UPDATE webhook_deliveries SET next_at_ms = ?2 WHERE id = ?1")?
                .execute(params![id, at_ms])?;
            Ok(())
        })
    }

    fn remove_delivery(&self, id: i64) -> StoreResult<bool> {
        self.write(|tx| {
            let removed = tx
                .prepare_cached("DELETE FROM webhook_deliveries WHERE id = ?1")?
                .execute([id])?;
            Ok(removed > 0)
        })
    }

    fn pending_deliveries(&self, plugin_id: &str) -> StoreResult<u64> {
        self.read(|tx| {
            let n: i64 = tx
                .prepare_cached("SELECT COUNT(*) FROM webhook_deliveries WHERE plugin_id = ?1")?
                .query_row([plugin_id], |row| row.get(0))?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sqlite::tests::temp_store;

    const ROOMY: QueueLimits = QueueLimits {
        count: 10,
        bytes: 1 << 20,
    };

    #[test]
    fn the_queue_is_bounded_per_plugin() {
        let (_dir, store) = temp_store();
        let three = QueueLimits {
            count: 3,
            bytes: 1 << 20,
        };
        for _ in 0..3 {
            assert!(
                store
                    .enqueue_delivery("p", "http://x/", "{}", 1, three)
                    .unwrap()
                    .is_some()
            );
        }
        assert_eq!(
            store
                .enqueue_delivery("p", "http://x/", "{}", 1, three)
                .unwrap(),
            None
        );
        assert!(
            store
                .enqueue_delivery("q", "http://x/", "{}", 1, three)
                .unwrap()
                .is_some()
        );
        assert_eq!(store.pending_deliveries("p").unwrap(), 3);
        let first = store.due_deliveries(1, 1).unwrap().remove(0);
        assert!(store.remove_delivery(first.id).unwrap());
        assert!(
            store
                .enqueue_delivery("p", "http://x/", "{}", 1, three)
                .unwrap()
                .is_some()
        );
    }

    #[test]
    fn the_queue_is_bounded_in_bytes() {
        let (_dir, store) = temp_store();
        let small = QueueLimits {
            count: 100,
            bytes: 10,
        };
        assert!(
            store
                .enqueue_delivery("p", "u", "123456", 1, small)
                .unwrap()
                .is_some()
        );
        assert_eq!(
            store.enqueue_delivery("p", "u", "12345", 1, small).unwrap(),
            None
        );
        assert!(
            store
                .enqueue_delivery("p", "u", "1234", 1, small)
                .unwrap()
                .is_some()
        );
    }

    #[test]
    fn a_lease_has_one_winner_and_hides_the_delivery_until_it_expires() {
        let (_dir, store) = temp_store();
        let id = store
            .enqueue_delivery("p", "http://x/", "{\"a\":1}", 10, ROOMY)
            .unwrap()
            .unwrap();
        let due = store.due_deliveries(10, 10).unwrap();
        assert_eq!(
            due,
            vec![Delivery {
                id,
                plugin_id: "p".into(),
                url: "http://x/".into(),
                body: "{\"a\":1}".into(),
                attempts: 0,
                next_at_ms: 10,
            }]
        );
        assert_eq!(store.lease_delivery(&due[0], 100).unwrap(), Some(1));
        assert_eq!(store.lease_delivery(&due[0], 100).unwrap(), None);
        assert!(store.due_deliveries(99, 10).unwrap().is_empty());
        assert_eq!(store.next_delivery_at().unwrap(), Some(100));
        store.retry_delivery(id, 50).unwrap();
        let again = store.due_deliveries(50, 10).unwrap().remove(0);
        assert_eq!(store.lease_delivery(&again, 200).unwrap(), Some(2));
        assert!(store.remove_delivery(id).unwrap());
        assert_eq!(store.next_delivery_at().unwrap(), None);
    }

    #[test]
    fn deliveries_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.db");
        SqliteStore::open(&path)
            .unwrap()
            .enqueue_delivery("p", "http://x/", "{}", 5, ROOMY)
            .unwrap();
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.due_deliveries(5, 10).unwrap().len(), 1);
    }
}
