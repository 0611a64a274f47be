//! `kv`: the plugin's key-value store, namespaced by plugin id.

use super::{R, invalid};
use crate::runtime::bindings::v0_2::chatops::plugin::kv;
use crate::runtime::state::{HostState, limits};
use chat_store::ports::kv::{KvExpect, KvOp};

fn check_key(key: &str) -> R<()> {
    if key.is_empty() || key.len() > limits::MAX_KV_KEY_BYTES {
        return Err(invalid(format!(
            "key: 1-{} bytes",
            limits::MAX_KV_KEY_BYTES
        )));
    }
    Ok(())
}

fn check_value(value: &[u8]) -> R<()> {
    if value.len() > limits::MAX_KV_VALUE_BYTES {
        return Err(invalid(format!(
            "value: larger than {} bytes",
            limits::MAX_KV_VALUE_BYTES
        )));
    }
    Ok(())
}

impl kv::Host for HostState {
    fn get(&mut self, key: String) -> R<Option<Vec<u8>>> {
        check_key(&key)?;
        Ok(self.services.kv.get(&self.plugin_id, &key)?)
    }

    fn get_many(&mut self, keys: Vec<String>) -> R<Vec<Option<Vec<u8>>>> {
        if keys.len() > limits::MAX_KV_BATCH_ITEMS {
            return Err(invalid(format!(
                "keys: at most {} per call",
                limits::MAX_KV_BATCH_ITEMS
            )));
        }
        keys.iter().try_for_each(|k| check_key(k))?;
        let budget = limits::result_budget(self.memory.limit_bytes);
        Ok(self.services.kv.get_many(&self.plugin_id, &keys, budget)?)
    }

    fn set(&mut self, key: String, value: Vec<u8>) -> R<()> {
        check_key(&key)?;
        check_value(&value)?;
        Ok(self.services.kv.set(&self.plugin_id, &key, &value)?)
    }

    fn delete(&mut self, key: String) -> R<()> {
        check_key(&key)?;
        Ok(self.services.kv.delete(&self.plugin_id, &key)?)
    }

    fn compare_and_set(
        &mut self,
        key: String,
        old: Option<Vec<u8>>,
        new: Option<Vec<u8>>,
    ) -> R<bool> {
        check_key(&key)?;
        if let Some(value) = &new {
            check_value(value)?;
        }
        Ok(self.services.kv.compare_and_set(
            &self.plugin_id,
            &key,
            old.as_deref(),
            new.as_deref(),
        )?)
    }

    fn set_if_absent(&mut self, key: String, value: Vec<u8>) -> R<bool> {
        check_key(&key)?;
        check_value(&value)?;
        Ok(self
            .services
            .kv
            .set_if_absent(&self.plugin_id, &key, &value)?)
    }

    fn list_keys(&mut self, prefix: String, cursor: Option<String>, limit: u32) -> R<kv::KeyPage> {
        if prefix.len() > limits::MAX_KV_KEY_BYTES {
            return Err(invalid("prefix: longer than a key may be"));
        }
        let limit = limit.clamp(1, limits::MAX_KV_LIST_LIMIT);
        let page =
            self.services
                .kv
                .list_keys(&self.plugin_id, &prefix, cursor.as_deref(), limit)?;
        Ok(kv::KeyPage {
            keys: page.keys,
            next_cursor: page.next_cursor,
        })
    }

    fn atomic_write(
        &mut self,
        expectations: Vec<kv::Expectation>,
        operations: Vec<kv::Operation>,
    ) -> R<bool> {
        if expectations.len() + operations.len() > limits::MAX_KV_BATCH_ITEMS {
            return Err(invalid(format!(
                "batch: at most {} items",
                limits::MAX_KV_BATCH_ITEMS
            )));
        }
        let mut total = 0usize;
        let mut expect = Vec::with_capacity(expectations.len());
        for e in expectations {
            check_key(&e.key)?;
            total += e.value.as_ref().map_or(0, Vec::len);
            expect.push(KvExpect {
                key: e.key,
                value: e.value,
            });
        }
        let mut ops = Vec::with_capacity(operations.len());
        for op in operations {
            ops.push(match op {
                kv::Operation::Set((key, value)) => {
                    check_key(&key)?;
                    check_value(&value)?;
                    total += value.len();
                    KvOp::Set(key, value)
                }
                kv::Operation::Delete(key) => {
                    check_key(&key)?;
                    KvOp::Delete(key)
                }
            });
        }
        if total > limits::MAX_KV_BATCH_BYTES {
            return Err(invalid(format!(
                "batch: larger than {} bytes",
                limits::MAX_KV_BATCH_BYTES
            )));
        }
        Ok(self
            .services
            .kv
            .atomic_write(&self.plugin_id, &expect, &ops)?)
    }
}
