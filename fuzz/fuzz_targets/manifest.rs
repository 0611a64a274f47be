//! Plugin manifests (`manifest.json` of an uploaded bundle): parsing and
//! validation. A manifest that validates must survive a round trip through
//! its own serialisation (the server writes it back, e.g. in
//! `GET /api/v4/plugins`), and its helpers must not panic.

#![no_main]

use host_shim::MATTERMOST_COMPAT_VERSION;
use host_shim::plugins::Manifest;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(manifest) = Manifest::parse(text, MATTERMOST_COMPAT_VERSION) else {
        return;
    };
    let _ = manifest.semver();
    let _ = manifest.default_settings();
    let json = serde_json::to_string(&manifest).expect("a manifest serialises");
    let again = Manifest::parse(&json, MATTERMOST_COMPAT_VERSION)
        .unwrap_or_else(|e| panic!("a valid manifest, written back, is refused: {e:?}\n{json}"));
    assert_eq!(manifest, again);
});
