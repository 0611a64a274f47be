//! Plugin manifests (`manifest.json`), with Mattermost's `plugin.json` schema
//! and validation rules. Every error names the offending field.

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Manifest {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub homepage_url: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub support_url: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub release_notes_url: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub icon_path: String,
    #[serde(default)]
    pub version: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub min_server_version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<ServerSection>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webapp: Option<WebappSection>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings_schema: Option<SettingsSchema>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub props: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ServerSection {
    /// Per-platform executables (`"linux-amd64": path`); kept for schema
    /// compatibility. A wasm component runs everywhere, so `executable` wins.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub executables: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    pub executable: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct WebappSection {
    pub bundle_path: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SettingsSchema {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub header: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub footer: String,
    #[serde(default)]
    pub settings: Vec<Setting>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Setting {
    pub key: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(rename = "type")]
    pub setting_type: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub help_text: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub regenerate_help_text: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub placeholder: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<SettingOption>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub hosting: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SettingOption {
    pub display_name: String,
    pub value: String,
}

const SETTING_TYPES: &[&str] = &[
    "bool",
    "dropdown",
    "generated",
    "radio",
    "text",
    "longtext",
    "number",
    "username",
    "custom",
];

/// What a plugin route accepts when the manifest says nothing: well below
/// the plugin's memory cap, since the guest holds the body and whatever it
/// decodes from it at once (issue 11: an 8 MiB JSON body blew a 64 MiB cap).
pub const DEFAULT_MAX_REQUEST_BODY_BYTES: usize = 1024 * 1024;
/// The most a manifest may declare: the server's own body limit.
pub const MAX_DECLARED_REQUEST_BODY_BYTES: usize = 8 * 1024 * 1024;
/// The least a manifest may declare.
pub const MIN_DECLARED_REQUEST_BODY_BYTES: usize = 1024;
/// Where a manifest declares its body limit:
/// `"props": {"chatops": {"max_request_body_bytes": 2097152}}`.
///
/// Mattermost's manifest has no such setting; `props` is its free-form map
/// for extra plugin metadata (Mattermost ignores what it does not know), and
/// the `chatops` key keeps the host's settings apart from a plugin's own
/// props. The limit belongs with the bundle: the plugin's author knows its
/// largest legitimate body, and the admin sees it when installing.
pub const BODY_LIMIT_FIELD: &str = "props.chatops.max_request_body_bytes";

/// A manifest problem, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("manifest.json: {field}: {message}")]
pub struct ManifestError {
    pub field: String,
    pub message: String,
}

fn err(field: impl Into<String>, message: impl Into<String>) -> ManifestError {
    ManifestError {
        field: field.into(),
        message: message.into(),
    }
}

/// Mattermost plugin ids: 3-190 characters of letters, digits, `-`, `_`, `.`.
pub fn is_valid_plugin_id(id: &str) -> bool {
    (3..=190).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

/// A relative path inside the bundle: no absolute paths, no `..`.
fn check_bundle_path(field: &str, path: &str) -> Result<(), ManifestError> {
    let p = std::path::Path::new(path);
    if path.is_empty()
        || p.is_absolute()
        || p.components().any(|c| {
            !matches!(
                c,
                std::path::Component::Normal(_) | std::path::Component::CurDir
            )
        })
    {
        return Err(err(field, "must be a relative path inside the bundle"));
    }
    Ok(())
}

impl Manifest {
    /// Parses and validates a manifest against the server's version.
    pub fn parse(json: &str, server_version: &str) -> Result<Self, ManifestError> {
        let manifest: Manifest =
            serde_json::from_str(json).map_err(|e| err("(document)", e.to_string()))?;
        manifest.validate(server_version)?;
        Ok(manifest)
    }

    pub fn validate(&self, server_version: &str) -> Result<(), ManifestError> {
        if !is_valid_plugin_id(&self.id) {
            return Err(err(
                "id",
                "3-190 characters of letters, digits, '-', '_' or '.'",
            ));
        }
        if self.name.trim().is_empty() {
            return Err(err("name", "is required"));
        }
        let version = semver::Version::parse(self.version.trim_start_matches('v'))
            .map_err(|e| err("version", format!("not a semantic version: {e}")))?;
        let _ = version;
        if !self.min_server_version.is_empty() {
            let min = semver::Version::parse(self.min_server_version.trim_start_matches('v'))
                .map_err(|e| err("min_server_version", format!("not a semantic version: {e}")))?;
            let ours = semver::Version::parse(server_version)
                .map_err(|e| err("min_server_version", format!("server version: {e}")))?;
            if ours < min {
                return Err(err(
                    "min_server_version",
                    format!("the plugin needs server {min} or newer; this server is {ours}"),
                ));
            }
        }
        let server = self
            .server
            .as_ref()
            .ok_or_else(|| err("server", "a wasm plugin needs a server section"))?;
        check_bundle_path("server.executable", &server.executable)?;
        if !server.executable.ends_with(".wasm") {
            return Err(err("server.executable", "must be a .wasm component"));
        }
        if let Some(webapp) = &self.webapp {
            check_bundle_path("webapp.bundle_path", &webapp.bundle_path)?;
        }
        if !self.icon_path.is_empty() {
            check_bundle_path("icon_path", &self.icon_path)?;
        }
        self.declared_request_body_limit()?;
        if let Some(schema) = &self.settings_schema {
            let mut keys = std::collections::HashSet::new();
            for (i, setting) in schema.settings.iter().enumerate() {
                let field = format!("settings_schema.settings[{i}]");
                if !SETTING_TYPES.contains(&setting.setting_type.as_str()) {
                    return Err(err(
                        format!("{field}.type"),
                        format!("unknown setting type {:?}", setting.setting_type),
                    ));
                }
                if setting.key.is_empty() && setting.setting_type != "custom" {
                    return Err(err(format!("{field}.key"), "is required"));
                }
                if !setting.key.is_empty() && !keys.insert(setting.key.to_lowercase()) {
                    return Err(err(
                        format!("{field}.key"),
                        format!("duplicate key {:?}", setting.key),
                    ));
                }
                if matches!(setting.setting_type.as_str(), "dropdown" | "radio")
                    && setting.options.is_empty()
                {
                    return Err(err(
                        format!("{field}.options"),
                        "a dropdown or radio setting needs options",
                    ));
                }
            }
        }
        Ok(())
    }

    /// The body limit the manifest declares for its plugin routes, if any
    /// ([`BODY_LIMIT_FIELD`]).
    fn declared_request_body_limit(&self) -> Result<Option<usize>, ManifestError> {
        let declared = self
            .props
            .as_ref()
            .and_then(|p| p.get("chatops"))
            .and_then(|c| c.get("max_request_body_bytes"));
        let Some(declared) = declared else {
            return Ok(None);
        };
        let range = MIN_DECLARED_REQUEST_BODY_BYTES..=MAX_DECLARED_REQUEST_BODY_BYTES;
        match declared.as_u64().and_then(|n| usize::try_from(n).ok()) {
            Some(n) if range.contains(&n) => Ok(Some(n)),
            _ => Err(err(
                BODY_LIMIT_FIELD,
                format!(
                    "a whole number of bytes from {} to {}",
                    range.start(),
                    range.end()
                ),
            )),
        }
    }

    /// The largest request body the plugin's routes accept: what the
    /// manifest declares, else [`DEFAULT_MAX_REQUEST_BODY_BYTES`]. The
    /// server may lower it further for its memory cap.
    pub fn max_request_body_bytes(&self) -> usize {
        self.declared_request_body_limit()
            .ok()
            .flatten()
            .unwrap_or(DEFAULT_MAX_REQUEST_BODY_BYTES)
    }

    pub fn semver(&self) -> Option<semver::Version> {
        semver::Version::parse(self.version.trim_start_matches('v')).ok()
    }

    /// The settings' defaults as a JSON object (the config before the admin
    /// changes anything).
    pub fn default_settings(&self) -> serde_json::Map<String, Value> {
        let mut out = serde_json::Map::new();
        for s in self.settings_schema.iter().flat_map(|s| &s.settings) {
            if let Some(default) = &s.default {
                out.insert(s.key.clone(), default.clone());
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{
        "id": "com.example.demo", "name": "Demo", "version": "1.2.3",
        "min_server_version": "9.0.0",
        "server": {"executable": "server/plugin.wasm"},
        "webapp": {"bundle_path": "webapp/main.js"},
        "settings_schema": {"settings": [
            {"key": "Enabled", "type": "bool", "default": true},
            {"key": "Mode", "type": "dropdown", "options": [{"display_name": "A", "value": "a"}]}
        ]}
    }"#;

    fn field_of(json: &str) -> String {
        Manifest::parse(json, "10.5.0").unwrap_err().field
    }

    #[test]
    fn accepts_a_valid_manifest_and_reads_defaults() {
        let m = Manifest::parse(GOOD, "10.5.0").unwrap();
        assert_eq!(m.id, "com.example.demo");
        assert_eq!(m.default_settings()["Enabled"], Value::Bool(true));
        assert_eq!(m.max_request_body_bytes(), DEFAULT_MAX_REQUEST_BODY_BYTES);
    }

    /// Found by the `manifest` fuzz target: without serde_json's exact float
    /// parsing, a large number read back from its own serialisation was a
    /// different double.
    #[test]
    fn a_manifest_survives_its_own_serialisation() {
        let json = GOOD.replace(
            r#"{"key": "Enabled", "type": "bool", "default": true}"#,
            r#"{"key": "Limit", "type": "number", "default": 111111111100000009966217342048039369}"#,
        );
        let m = Manifest::parse(&json, "10.5.0").unwrap();
        let again = Manifest::parse(&serde_json::to_string(&m).unwrap(), "10.5.0").unwrap();
        assert_eq!(m, again);
    }

    #[test]
    fn a_manifest_declares_its_body_limit_in_props() {
        let json = GOOD.replace(
            "\"version\": \"1.2.3\",",
            "\"version\": \"1.2.3\", \"props\": {\"own\": 1, \"chatops\": {\"max_request_body_bytes\": 2097152}},",
        );
        let m = Manifest::parse(&json, "10.5.0").unwrap();
        assert_eq!(m.max_request_body_bytes(), 2 * 1024 * 1024);
        // Other props are the plugin's own business.
        let json = GOOD.replace(
            "\"version\": \"1.2.3\",",
            "\"version\": \"1.2.3\", \"props\": {\"chatops\": \"x\", \"max_request_body_bytes\": 1},",
        );
        let m = Manifest::parse(&json, "10.5.0").unwrap();
        assert_eq!(m.max_request_body_bytes(), DEFAULT_MAX_REQUEST_BODY_BYTES);
    }

    #[test]
    fn errors_name_the_field() {
        assert_eq!(field_of(&GOOD.replace("com.example.demo", "x")), "id");
        assert_eq!(field_of(&GOOD.replace("\"1.2.3\"", "\"one\"")), "version");
        assert_eq!(
            field_of(&GOOD.replace("9.0.0", "99.0.0")),
            "min_server_version"
        );
        assert_eq!(
            field_of(&GOOD.replace("server/plugin.wasm", "../evil.wasm")),
            "server.executable"
        );
        assert_eq!(
            field_of(&GOOD.replace("server/plugin.wasm", "plugin.exe")),
            "server.executable"
        );
        assert_eq!(
            field_of(&GOOD.replace("\"bool\"", "\"colour\"")),
            "settings_schema.settings[0].type"
        );
        assert_eq!(
            field_of(&GOOD.replace("\"Mode\"", "\"enabled\"")),
            "settings_schema.settings[1].key"
        );
        assert_eq!(field_of("{not json"), "(document)");
        assert_eq!(field_of(&GOOD.replace("\"Demo\"", "\" \"")), "name");
        for bad in ["0", "1023", "8388609", "\"2MB\"", "-1", "1.5"] {
            let json = GOOD.replace(
                "\"version\": \"1.2.3\",",
                &format!(
                    "\"version\": \"1.2.3\", \"props\": {{\"chatops\": {{\"max_request_body_bytes\": {bad}}}}},"
                ),
            );
            assert_eq!(field_of(&json), BODY_LIMIT_FIELD, "{bad}");
        }
    }
}
