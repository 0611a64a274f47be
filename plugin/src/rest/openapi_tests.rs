//! The OpenAPI document (`plugin/api/openapi.yaml`) must describe exactly the
//! routes the router serves: a route added without documentation, or a
//! documented route that does not exist, fails here.

use crate::fake::FakeHost;

const DOCUMENT: &str = include_str!("../../api/openapi.yaml");
/// Served by `http.rs` before the REST router.
const OUTSIDE_ROUTER: &[&str] = &["/version", "/selfcheck/{channel_id}"];

/// Documented paths (two-space-indented keys under `paths:`) with their
/// methods.
fn documented() -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    let mut in_paths = false;
    for line in DOCUMENT.lines() {
        if line == "paths:" {
            in_paths = true;
            continue;
        }
        if in_paths && !line.starts_with(' ') && !line.is_empty() {
            break;
        }
        if let Some(path) = line.strip_prefix("  /").and_then(|l| l.strip_suffix(':')) {
            out.push((format!("/{path}"), Vec::new()));
        } else if let Some(key) = line.strip_prefix("    ").and_then(|l| l.strip_suffix(':'))
            && ["get", "put", "post", "patch", "delete"].contains(&key)
            && let Some((_, methods)) = out.last_mut()
        {
            methods.push(key.to_uppercase());
        }
    }
    out
}

#[test]
fn every_route_is_documented() {
    let documented = documented();
    for (method, path) in super::routes::<FakeHost>().patterns() {
        let found = documented
            .iter()
            .any(|(p, methods)| *p == path && methods.contains(&method));
        assert!(
            found,
            "{method} {path} is served but missing from plugin/api/openapi.yaml"
        );
    }
}

#[test]
fn every_documented_route_is_served() {
    let served = super::routes::<FakeHost>().patterns();
    for (path, methods) in documented() {
        if OUTSIDE_ROUTER.contains(&path.as_str()) {
            continue;
        }
        assert!(!methods.is_empty(), "{path} documents no method");
        for method in methods {
            assert!(
                served.iter().any(|(m, p)| *m == method && *p == path),
                "{method} {path} is documented but not served"
            );
        }
    }
}
