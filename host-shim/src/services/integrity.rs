//! What the host hands to a client on a plugin's behalf and gets back must
//! be the plugin's own words: an interactive dialog's `state` and a post
//! action's `integration` (URL and `context`).
//!
//! Both travel through the browser (the dialog state) or through posts that
//! anyone may write (a user can post an attachment whose button names
//! `/plugins/playbooks/action` with any context). A plugin that trusted them
//! would act with its bot's rights on whatever a user wrote there. So the
//! host signs them with a server secret (HMAC-SHA-256) when the plugin
//! produces them and checks the signature before the plugin sees them again:
//!
//! - a dialog's state is bound to the plugin, the user the dialog was opened
//!   for and the dialog's `callback_id`;
//! - an action is bound to the plugin, the post it belongs to (so it cannot
//!   be copied into another post), the action id, URL and context.
//!
//! The secret lives in the store (KV namespace [`SECRET_NAMESPACE`], which no
//! plugin id can name), created once with set-if-absent, so every server
//! node sharing a store signs and checks with the same key.

use std::sync::{Arc, OnceLock};

use hmac::{Hmac, Mac};
use serde_json::{Map, Value};
use sha2::Sha256;

use crate::error::{AppError, AppResult};
use crate::model::{Post, now_ms};
use chat_store::KvStore;

/// KV namespace of server secrets; `$` is not allowed in plugin ids.
pub const SECRET_NAMESPACE: &str = "$server";
const KEY_NAME: &str = "integrity-key/v1";
/// Prefix of a signed dialog state: `v1.<hex mac>.<state>`.
const STATE_VERSION: &str = "v1";
/// Where an action's signature is kept, inside its `integration` object.
pub const ACTION_SIGNATURE: &str = "signature";

type HmacSha256 = Hmac<Sha256>;

/// Signs and checks what plugins hand to clients.
pub struct Integrity {
    kv: Arc<dyn KvStore>,
    /// The secret and when it was made (see [`Integrity::signed_since_ms`]).
    key: OnceLock<(Vec<u8>, i64)>,
}

impl Integrity {
    pub fn new(kv: Arc<dyn KvStore>) -> Self {
        Self {
            kv,
            key: OnceLock::new(),
        }
    }

    /// The server secret (32 random bytes) and its creation time (8 bytes,
    /// big-endian milliseconds), created on first use.
    fn secret(&self) -> AppResult<&(Vec<u8>, i64)> {
        if let Some(secret) = self.key.get() {
            return Ok(secret);
        }
        let mut fresh = rand::random::<[u8; 32]>().to_vec();
        fresh.extend_from_slice(&now_ms().to_be_bytes());
        self.kv.set_if_absent(SECRET_NAMESPACE, KEY_NAME, &fresh)?;
        let stored = self
            .kv
            .get(SECRET_NAMESPACE, KEY_NAME)?
            .filter(|k| k.len() == 40)
            .ok_or_else(|| AppError::Internal("integrity key missing".into()))?;
        let created = i64::from_be_bytes(stored[32..].try_into().unwrap_or_default());
        Ok(self.key.get_or_init(|| (stored[..32].to_vec(), created)))
    }

    fn key(&self) -> AppResult<&[u8]> {
        Ok(&self.secret()?.0)
    }

    /// Since when plugin actions are signed. Posts a plugin wrote before
    /// (a server upgraded from a release without signing) keep working:
    /// their `from_plugin` mark is one no user or webhook can set.
    pub fn signed_since_ms(&self) -> AppResult<i64> {
        Ok(self.secret()?.1)
    }

    /// HMAC over length-prefixed fields, so no two field lists collide.
    fn hasher(&self, fields: &[&str]) -> AppResult<HmacSha256> {
        let mut mac = HmacSha256::new_from_slice(self.key()?)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        for field in fields {
            mac.update(&(field.len() as u64).to_be_bytes());
            mac.update(field.as_bytes());
        }
        Ok(mac)
    }

    fn mac(&self, fields: &[&str]) -> AppResult<String> {
        Ok(hex::encode(self.hasher(fields)?.finalize().into_bytes()))
    }

    /// Whether `signature_hex` is the MAC of `fields` (compared in constant
    /// time).
    fn check(&self, fields: &[&str], signature_hex: &str) -> bool {
        match (hex::decode(signature_hex), self.hasher(fields)) {
            (Ok(signature), Ok(mac)) => mac.verify_slice(&signature).is_ok(),
            _ => false,
        }
    }

    /// The state a client receives for a dialog that `plugin_id` opens for
    /// `user_id`.
    pub fn sign_dialog_state(
        &self,
        plugin_id: &str,
        user_id: &str,
        callback_id: &str,
        state: &str,
    ) -> AppResult<String> {
        let mac = self.mac(&["dialog", plugin_id, user_id, callback_id, state])?;
        Ok(format!("{STATE_VERSION}.{mac}.{state}"))
    }

    /// Replaces the `state` of a dialog that `plugin_id` opens for `user_id`
    /// with its signed form (bound to the dialog's `callback_id`).
    pub fn seal_dialog(
        &self,
        plugin_id: &str,
        user_id: &str,
        dialog: &mut Map<String, Value>,
    ) -> AppResult<()> {
        let callback_id = str_of(dialog, "callback_id");
        let state = str_of(dialog, "state");
        let sealed = self.sign_dialog_state(plugin_id, user_id, &callback_id, &state)?;
        dialog.insert("state".into(), Value::String(sealed));
        Ok(())
    }

    /// The plugin's original state if `signed` is what the host gave
    /// `user_id` for this plugin and callback; `None` for anything else.
    pub fn open_dialog_state(
        &self,
        plugin_id: &str,
        user_id: &str,
        callback_id: &str,
        signed: &str,
    ) -> Option<String> {
        let rest = signed.strip_prefix(STATE_VERSION)?.strip_prefix('.')?;
        let (mac, state) = rest.split_once('.')?;
        self.check(&["dialog", plugin_id, user_id, callback_id, state], mac)
            .then(|| state.to_string())
    }

    /// Signs every action of `post` whose integration URL points at
    /// `plugin_id` (other actions are left unsigned, so clicking them is
    /// refused). `post.id` must be final.
    pub fn sign_post_actions(&self, plugin_id: &str, post: &mut Post) -> AppResult<()> {
        let post_id = post.id.clone();
        for action in actions_mut(&mut post.props) {
            let Some(Value::Object(integration)) = action.get("integration").cloned() else {
                continue;
            };
            let action_id = str_of(action, "id");
            let mut integration = integration;
            integration.remove(ACTION_SIGNATURE);
            let url = str_of(&integration, "url");
            if plugin_of_url(&url).as_deref() != Some(plugin_id) {
                action.insert("integration".into(), Value::Object(integration));
                continue;
            }
            let context = canonical(integration.get("context").unwrap_or(&Value::Null));
            let mac = self.mac(&["action", plugin_id, &post_id, &action_id, &url, &context])?;
            integration.insert(ACTION_SIGNATURE.into(), Value::String(mac));
            action.insert("integration".into(), Value::Object(integration));
        }
        Ok(())
    }

    /// Whether `action` of post `post_id` was signed by `plugin_id`.
    pub fn action_is_signed(
        &self,
        plugin_id: &str,
        post_id: &str,
        action: &Map<String, Value>,
    ) -> bool {
        let Some(integration) = action.get("integration").and_then(Value::as_object) else {
            return false;
        };
        let Some(signature) = integration.get(ACTION_SIGNATURE).and_then(Value::as_str) else {
            return false;
        };
        let context = canonical(integration.get("context").unwrap_or(&Value::Null));
        self.check(
            &[
                "action",
                plugin_id,
                post_id,
                &str_of(action, "id"),
                &str_of(integration, "url"),
                &context,
            ],
            signature,
        )
    }
}

/// The plugin an integration URL points to: `/plugins/<id>/...`, relative
/// or absolute (any host).
pub fn plugin_of_url(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let path = if raw.starts_with('/') {
        raw.to_string()
    } else {
        let url = url::Url::parse(raw).ok()?;
        if url.scheme() != "http" && url.scheme() != "https" {
            return None;
        }
        url.path().to_string()
    };
    let rest = path.strip_prefix("/plugins/")?;
    let id = rest.split(['/', '?', '#']).next().unwrap_or("");
    (!id.is_empty()).then(|| id.to_string())
}

fn str_of(map: &Map<String, Value>, key: &str) -> String {
    map.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// Every action object in a post's `props.attachments[].actions[]`.
fn actions_mut(props: &mut Map<String, Value>) -> impl Iterator<Item = &mut Map<String, Value>> {
    props
        .get_mut("attachments")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
        .filter_map(|a| a.get_mut("actions").and_then(Value::as_array_mut))
        .flatten()
        .filter_map(Value::as_object_mut)
}

/// JSON with object keys sorted at every level, so a context signs the same
/// whatever order a store or client keeps its keys in.
fn canonical(value: &Value) -> String {
    fn sorted(value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                let mut out = Map::new();
                for key in keys {
                    out.insert(key.clone(), sorted(&map[key]));
                }
                Value::Object(out)
            }
            Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    sorted(value).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn integrity() -> (tempfile::TempDir, Integrity) {
        let dir = tempfile::tempdir().unwrap();
        let store = chat_store::sqlite::SqliteStore::open(&dir.path().join("db.sqlite")).unwrap();
        (dir, Integrity::new(Arc::new(store)))
    }

    #[test]
    fn dialog_state_round_trips_only_for_its_plugin_user_and_callback() {
        let (_dir, i) = integrity();
        let signed = i
            .sign_dialog_state("playbooks", "u1", "run", "{\"post\":\"p\"}")
            .unwrap();
        assert_eq!(
            i.open_dialog_state("playbooks", "u1", "run", &signed)
                .as_deref(),
            Some("{\"post\":\"p\"}")
        );
        assert_eq!(i.open_dialog_state("playbooks", "u2", "run", &signed), None);
        assert_eq!(i.open_dialog_state("other", "u1", "run", &signed), None);
        assert_eq!(
            i.open_dialog_state("playbooks", "u1", "update", &signed),
            None
        );
        let forged = signed.replace("\"p\"", "\"q\"");
        assert_eq!(i.open_dialog_state("playbooks", "u1", "run", &forged), None);
        assert_eq!(
            i.open_dialog_state("playbooks", "u1", "run", "{\"post\":\"p\"}"),
            None
        );
        assert_eq!(i.open_dialog_state("playbooks", "u1", "run", ""), None);
    }

    #[test]
    fn actions_are_bound_to_plugin_post_and_context() {
        let (_dir, i) = integrity();
        let mut post = Post {
            id: "post1".into(),
            ..Default::default()
        };
        post.props = json!({"attachments": [{"actions": [
            {"id": "a", "integration": {"url": "/plugins/playbooks/action", "context": {"b": 1, "a": [1, {"y": 2, "x": 1}]}}},
            {"id": "b", "integration": {"url": "/plugins/other/action", "context": {}}}
        ]}]})
        .as_object()
        .unwrap()
        .clone();
        i.sign_post_actions("playbooks", &mut post).unwrap();
        let actions: Vec<Map<String, Value>> = post.props["attachments"][0]["actions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_object().unwrap().clone())
            .collect();
        assert!(i.action_is_signed("playbooks", "post1", &actions[0]));
        assert!(!i.action_is_signed("playbooks", "post2", &actions[0]));
        assert!(!i.action_is_signed("other", "post1", &actions[0]));
        assert!(
            !i.action_is_signed("other", "post1", &actions[1]),
            "not its plugin's"
        );
        // Key order does not matter; values do.
        let mut reordered = actions[0].clone();
        reordered["integration"]["context"] = json!({"a": [1, {"x": 1, "y": 2}], "b": 1});
        assert!(i.action_is_signed("playbooks", "post1", &reordered));
        let mut changed = actions[0].clone();
        changed["integration"]["context"]["b"] = json!(2);
        assert!(!i.action_is_signed("playbooks", "post1", &changed));
    }

    #[test]
    fn the_key_is_shared_through_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn KvStore> =
            Arc::new(chat_store::sqlite::SqliteStore::open(&dir.path().join("db.sqlite")).unwrap());
        let a = Integrity::new(store.clone());
        let b = Integrity::new(store);
        let signed = a.sign_dialog_state("p", "u", "c", "s").unwrap();
        assert_eq!(
            b.open_dialog_state("p", "u", "c", &signed).as_deref(),
            Some("s")
        );
    }
}
