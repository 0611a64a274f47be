//! [`KvStore`] on the `kv` table (`PRIMARY KEY (ns, key)`, `WITHOUT ROWID`).

use rusqlite::{OptionalExtension, Transaction, params};

use super::{SqliteStore, sql_int};
use crate::ports::kv::{KeyPage, KvExpect, KvOp, KvStore};
use crate::ports::{StoreError, StoreResult};

const GET: &str = "SELECT value FROM kv WHERE ns = ?1 AND key = ?2";
const UPSERT: &str = "INSERT INTO kv (ns, key, value) VALUES (?1, ?2, ?3)
     ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value";
const DELETE: &str = "DELETE FROM kv WHERE ns = ?1 AND key = ?2";

fn get(tx: &Transaction<'_>, ns: &str, key: &str) -> rusqlite::Result<Option<Vec<u8>>> {
    tx.prepare_cached(GET)?
        .query_row(params![ns, key], |row| row.get(0))
        .optional()
}

fn put(tx: &Transaction<'_>, ns: &str, key: &str, value: Option<&[u8]>) -> rusqlite::Result<()> {
    match value {
        Some(value) => tx
            .prepare_cached(UPSERT)?
            .execute(params![ns, key, value])?,
        None => tx.prepare_cached(DELETE)?.execute(params![ns, key])?,
    };
    Ok(())
}

impl KvStore for SqliteStore {
    fn get(&self, ns: &str, key: &str) -> StoreResult<Option<Vec<u8>>> {
        self.read(|tx| Ok(get(tx, ns, key)?))
    }

    fn get_many(
        &self,
        ns: &str,
        keys: &[String],
        max_total_bytes: usize,
    ) -> StoreResult<Vec<Option<Vec<u8>>>> {
        self.read(|tx| {
            let mut stmt = tx.prepare_cached(GET)?;
            let mut values = Vec::with_capacity(keys.len());
            let mut total = 0usize;
            for key in keys {
                let value: Option<Vec<u8>> = stmt
                    .query_row(params![ns, key], |row| row.get(0))
                    .optional()?;
                total = total.saturating_add(value.as_ref().map_or(0, Vec::len));
                if total > max_total_bytes {
                    return Err(StoreError::Invalid(format!(
                        "keys: the values together are larger than {max_total_bytes} bytes; read fewer keys per call"
                    )));
                }
                values.push(value);
            }
            Ok(values)
        })
    }

    fn set(&self, ns: &str, key: &str, value: &[u8]) -> StoreResult<()> {
        self.write(|tx| Ok(put(tx, ns, key, Some(value))?))
    }

    fn delete(&self, ns: &str, key: &str) -> StoreResult<()> {
        self.write(|tx| Ok(put(tx, ns, key, None)?))
    }

    fn compare_and_set(
        &self,
        ns: &str,
        key: &str,
        old: Option<&[u8]>,
        new: Option<&[u8]>,
    ) -> StoreResult<bool> {
        self.write(|tx| {
            if get(tx, ns, key)?.as_deref() != old {
                return Ok(false);
            }
            put(tx, ns, key, new)?;
            Ok(true)
        })
    }

    fn set_if_absent(&self, ns: &str, key: &str, value: &[u8]) -> StoreResult<bool> {
        self.write(|tx| {
            let inserted = tx
                .prepare_cached(
                    "INSERT INTO kv (ns, key, value) VALUES (?1, ?2, ?3)
                     ON CONFLICT (ns, key) DO NOTHING",
                )?
                .execute(params![ns, key, value])?;
            Ok(inserted == 1)
        })
    }

    /// Walks the primary key from `max(prefix, cursor)` upwards and stops at
    /// the first key without the prefix (keys sharing a prefix are contiguous
    /// in byte order, which is SQLite's `BINARY` order for UTF-8 text). At most
    /// `limit + 1` index entries are read.
    fn list_keys(
        &self,
        ns: &str,
        prefix: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> StoreResult<KeyPage> {
        if limit == 0 {
            return Ok(KeyPage::default());
        }
        self.read(|tx| {
            let fetch = sql_int(limit) + 1;
            let mut stmt;
            let mut rows = match cursor.filter(|c| *c >= prefix) {
                Some(cursor) => {
                    stmt = tx.prepare_cached(
                        "SELECT key FROM kv WHERE ns = ?1 AND key > ?2 ORDER BY key LIMIT ?3",
                    )?;
                    stmt.query(params![ns, cursor, fetch])?
                }
                None => {
                    stmt = tx.prepare_cached(
                        "SELECT key FROM kv WHERE ns = ?1 AND key >= ?2 ORDER BY key LIMIT ?3",
                    )?;
                    stmt.query(params![ns, prefix, fetch])?
                }
            };
            let mut keys = Vec::new();
            let mut more = false;
            while let Some(row) = rows.next()? {
                let key: String = row.get(0)?;
                if !key.starts_with(prefix) {
                    break;
                }
                if keys.len() == limit as usize {
                    more = true;
                    break;
                }
                keys.push(key);
            }
            let next_cursor = if more { keys.last().cloned() } else { None };
            Ok(KeyPage { keys, next_cursor })
        })
    }

    fn atomic_write(&self, ns: &str, expect: &[KvExpect], ops: &[KvOp]) -> StoreResult<bool> {
        self.write(|tx| {
            for expectation in expect {
                if get(tx, ns, &expectation.key)? != expectation.value {
                    return Ok(false);
                }
            }
            for op in ops {
                match op {
                    KvOp::Set(key, value) => put(tx, ns, key, Some(value))?,
                    KvOp::Delete(key) => put(tx, ns, key, None)?,
                }
            }
            Ok(true)
        })
    }

    fn clear_namespace(&self, ns: &str) -> StoreResult<u64> {
        self.write(|tx| {
            let removed = tx
                .prepare_cached("DELETE FROM kv WHERE ns = ?1")?
                .execute([ns])?;
            Ok(removed as u64)
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::sqlite::tests::temp_store;

    #[test]
    fn get_set_delete_roundtrip_including_empty_values() {
        let (_dir, store) = temp_store();
        assert_eq!(store.get("p", "k").unwrap(), None);
        store.set("p", "k", b"one").unwrap();
        assert_eq!(store.get("p", "k").unwrap().as_deref(), Some(&b"one"[..]));
        store.set("p", "k", b"two").unwrap();
        assert_eq!(store.get("p", "k").unwrap().as_deref(), Some(&b"two"[..]));
        store.set("p", "empty", b"").unwrap();
        assert_eq!(store.get("p", "empty").unwrap(), Some(Vec::new()));
        store.delete("p", "k").unwrap();
        assert_eq!(store.get("p", "k").unwrap(), None);
        store.delete("p", "never-there").unwrap();
    }

    #[test]
    fn namespaces_are_separate() {
        let (_dir, store) = temp_store();
        store.set("a", "k", b"from a").unwrap();
        store.set("b", "k", b"from b").unwrap();
        store.set("b", "only-b", b"x").unwrap();
        assert_eq!(store.get("a", "k").unwrap().unwrap(), b"from a");
        assert_eq!(store.get("b", "k").unwrap().unwrap(), b"from b");
        assert_eq!(store.get("a", "only-b").unwrap(), None);
        assert_eq!(store.list_keys("a", "", None, 10).unwrap().keys, vec!["k"]);
        assert!(
            !store
                .compare_and_set("a", "only-b", Some(b"x"), None)
                .unwrap()
        );
        assert!(store.set_if_absent("a", "only-b", b"a's").unwrap());
        assert_eq!(store.clear_namespace("b").unwrap(), 2);
        assert_eq!(store.get("b", "k").unwrap(), None);
        assert_eq!(store.get("a", "k").unwrap().unwrap(), b"from a");
        assert_eq!(store.get("a", "only-b").unwrap().unwrap(), b"a's");
        assert_eq!(store.clear_namespace("b").unwrap(), 0);
    }

    #[test]
    fn get_many_keeps_request_order() {
        let (_dir, store) = temp_store();
        store.set("p", "x", b"1").unwrap();
        store.set("p", "z", b"3").unwrap();
        store.set("q", "y", b"other ns").unwrap();
        let keys: Vec<String> = ["z", "y", "x", "z"].iter().map(|s| s.to_string()).collect();
        assert_eq!(
            store.get_many("p", &keys, usize::MAX).unwrap(),
            vec![
                Some(b"3".to_vec()),
                None,
                Some(b"1".to_vec()),
                Some(b"3".to_vec())
            ]
        );
        assert!(store.get_many("p", &[], 0).unwrap().is_empty());
    }

    #[test]
    fn get_many_stops_at_its_byte_budget() {
        let (_dir, store) = temp_store();
        for key in ["a", "b", "c"] {
            store.set("p", key, &[7u8; 100]).unwrap();
        }
        let keys: Vec<String> = ["a", "b", "c", "missing"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(store.get_many("p", &keys, 300).unwrap().len(), 4);
        match store.get_many("p", &keys, 299) {
            Err(StoreError::Invalid(msg)) => assert!(msg.contains("299"), "{msg}"),
            other => panic!("expected the budget error, got {other:?}"),
        }
    }

    #[test]
    fn compare_and_set_semantics() {
        let (_dir, store) = temp_store();
        // old = None: must be absent.
        assert!(store.compare_and_set("p", "k", None, Some(b"1")).unwrap());
        assert!(!store.compare_and_set("p", "k", None, Some(b"2")).unwrap());
        assert_eq!(store.get("p", "k").unwrap().unwrap(), b"1");
        // Wrong old value.
        assert!(
            !store
                .compare_and_set("p", "k", Some(b"0"), Some(b"2"))
                .unwrap()
        );
        assert_eq!(store.get("p", "k").unwrap().unwrap(), b"1");
        // Right old value.
        assert!(
            store
                .compare_and_set("p", "k", Some(b"1"), Some(b"2"))
                .unwrap()
        );
        assert_eq!(store.get("p", "k").unwrap().unwrap(), b"2");
        // new = None deletes.
        assert!(store.compare_and_set("p", "k", Some(b"2"), None).unwrap());
        assert_eq!(store.get("p", "k").unwrap(), None);
        // Expecting a value on an absent key fails.
        assert!(
            !store
                .compare_and_set("p", "k", Some(b"2"), Some(b"3"))
                .unwrap()
        );
        assert_eq!(store.get("p", "k").unwrap(), None);
        // Absent -> absent is a successful no-op.
        assert!(store.compare_and_set("p", "k", None, None).unwrap());
        // An empty value is not the same as absent.
        store.set("p", "e", b"").unwrap();
        assert!(!store.compare_and_set("p", "e", None, Some(b"x")).unwrap());
        assert!(
            store
                .compare_and_set("p", "e", Some(b""), Some(b"x"))
                .unwrap()
        );
    }

    #[test]
    fn set_if_absent_only_writes_once() {
        let (_dir, store) = temp_store();
        assert!(store.set_if_absent("p", "k", b"first").unwrap());
        assert!(!store.set_if_absent("p", "k", b"second").unwrap());
        assert_eq!(store.get("p", "k").unwrap().unwrap(), b"first");
        store.delete("p", "k").unwrap();
        assert!(store.set_if_absent("p", "k", b"third").unwrap());
        assert_eq!(store.get("p", "k").unwrap().unwrap(), b"third");
    }

    #[test]
    fn list_keys_pages_through_a_prefix_with_neighbours() {
        let (_dir, store) = temp_store();
        for key in [
            "a", "ab/1", "ab/2", "ab/3", "ab/4", "ab/5", "ab0", "ac", "b",
        ] {
            store.set("p", key, b"v").unwrap();
        }
        store.set("other", "ab/9", b"v").unwrap();

        let page1 = store.list_keys("p", "ab/", None, 2).unwrap();
        assert_eq!(page1.keys, vec!["ab/1", "ab/2"]);
        assert_eq!(page1.next_cursor.as_deref(), Some("ab/2"));
        let page2 = store
            .list_keys("p", "ab/", page1.next_cursor.as_deref(), 2)
            .unwrap();
        assert_eq!(page2.keys, vec!["ab/3", "ab/4"]);
        assert_eq!(page2.next_cursor.as_deref(), Some("ab/4"));
        let page3 = store
            .list_keys("p", "ab/", page2.next_cursor.as_deref(), 2)
            .unwrap();
        assert_eq!(page3.keys, vec!["ab/5"]);
        assert_eq!(page3.next_cursor, None);

        // A page that ends exactly at the end of the prefix has no cursor.
        let exact = store.list_keys("p", "ab/", Some("ab/3"), 2).unwrap();
        assert_eq!(exact.keys, vec!["ab/4", "ab/5"]);
        assert_eq!(exact.next_cursor, None);

        // Prefix without the slash includes "ab0" but not "ac".
        let all_ab = store.list_keys("p", "ab", None, 100).unwrap();
        assert_eq!(
            all_ab.keys,
            vec!["ab/1", "ab/2", "ab/3", "ab/4", "ab/5", "ab0"]
        );
        // Empty prefix lists everything in byte order.
        let all = store.list_keys("p", "", None, 100).unwrap();
        assert_eq!(all.keys.len(), 9);
        assert_eq!(all.keys.first().map(String::as_str), Some("a"));
        // A cursor before the prefix starts at the prefix; after it, nothing.
        assert_eq!(
            store.list_keys("p", "ab/", Some("a"), 1).unwrap().keys,
            vec!["ab/1"]
        );
        assert!(
            store
                .list_keys("p", "ab/", Some("zzz"), 5)
                .unwrap()
                .keys
                .is_empty()
        );
        // No match at all.
        assert_eq!(
            store.list_keys("p", "nothing", None, 5).unwrap(),
            KeyPage::default()
        );
        // Limit 0 returns an empty page.
        assert_eq!(
            store.list_keys("p", "", None, 0).unwrap(),
            KeyPage::default()
        );
    }

    #[test]
    fn list_keys_uses_byte_order_for_non_ascii() {
        let (_dir, store) = temp_store();
        for key in ["é/1", "é/2", "ê", "z", "\u{10000}"] {
            store.set("p", key, b"v").unwrap();
        }
        assert_eq!(
            store.list_keys("p", "é", None, 10).unwrap().keys,
            vec!["é/1", "é/2"]
        );
        let all = store.list_keys("p", "", None, 10).unwrap().keys;
        let mut sorted = all.clone();
        sorted.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
        assert_eq!(all, sorted);
    }

    #[test]
    fn atomic_write_is_all_or_nothing() {
        let (_dir, store) = temp_store();
        store.set("p", "a", b"1").unwrap();
        store.set("p", "gone", b"x").unwrap();
        let ops = vec![
            KvOp::Set("a".into(), b"2".to_vec()),
            KvOp::Set("b".into(), b"new".to_vec()),
            KvOp::Delete("gone".into()),
        ];
        // One failing expectation: nothing is written.
        let failing = vec![
            KvExpect {
                key: "a".into(),
                value: Some(b"1".to_vec()),
            },
            KvExpect {
                key: "b".into(),
                value: Some(b"exists?".to_vec()),
            },
        ];
        assert!(!store.atomic_write("p", &failing, &ops).unwrap());
        assert_eq!(store.get("p", "a").unwrap().unwrap(), b"1");
        assert_eq!(store.get("p", "b").unwrap(), None);
        assert_eq!(store.get("p", "gone").unwrap().unwrap(), b"x");
        // All expectations hold: every op is applied, in order.
        let holding = vec![
            KvExpect {
                key: "a".into(),
                value: Some(b"1".to_vec()),
            },
            KvExpect {
                key: "b".into(),
                value: None,
            },
        ];
        let mut ops_in_order = ops.clone();
        ops_in_order.push(KvOp::Set("a".into(), b"3".to_vec()));
        assert!(store.atomic_write("p", &holding, &ops_in_order).unwrap());
        assert_eq!(store.get("p", "a").unwrap().unwrap(), b"3");
        assert_eq!(store.get("p", "b").unwrap().unwrap(), b"new");
        assert_eq!(store.get("p", "gone").unwrap(), None);
        // No expectations: unconditional batch.
        assert!(
            store
                .atomic_write("p", &[], &[KvOp::Delete("a".into())])
                .unwrap()
        );
        assert_eq!(store.get("p", "a").unwrap(), None);
        // Expectations are per namespace.
        let other = vec![KvExpect {
            key: "b".into(),
            value: Some(b"new".to_vec()),
        }];
        assert!(
            !store
                .atomic_write("q", &other, &[KvOp::Set("z".into(), vec![])])
                .unwrap()
        );
        assert_eq!(store.get("q", "z").unwrap(), None);
    }

    #[test]
    fn concurrent_cas_increments_lose_nothing() {
        let (_dir, store) = temp_store();
        let store = Arc::new(store);
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let store = store.clone();
                std::thread::spawn(move || {
                    for _ in 0..100 {
                        loop {
                            let old = store.get("p", "counter").unwrap();
                            let n: u64 = old
                                .as_deref()
                                .map(|b| std::str::from_utf8(b).unwrap().parse().unwrap())
                                .unwrap_or(0);
                            let new = (n + 1).to_string();
                            if store
                                .compare_and_set(
                                    "p",
                                    "counter",
                                    old.as_deref(),
                                    Some(new.as_bytes()),
                                )
                                .unwrap()
                            {
                                break;
                            }
                        }
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        assert_eq!(store.get("p", "counter").unwrap().unwrap(), b"800");
    }

    #[test]
    fn data_survives_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("chat.db");
        {
            let store = SqliteStore::open(&path).unwrap();
            store.set("p", "k", b"durable").unwrap();
            assert!(store.set_if_absent("p", "k2", b"also").unwrap());
            // Warm up a reader so the pool holds an open connection at drop.
            assert!(store.get("p", "k").unwrap().is_some());
        }
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.get("p", "k").unwrap().unwrap(), b"durable");
        assert_eq!(store.get("p", "k2").unwrap().unwrap(), b"also");
    }
}
