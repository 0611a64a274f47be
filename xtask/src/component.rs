//! Turning core modules into components, and checking what a component imports.

use anyhow::{Context, Result, bail};
use wasmparser::{Parser, Payload};

/// The only interfaces a plugin may import: the host APIs of the WIT contract.
pub const ALLOWED_IMPORT_PREFIX: &str = "chatops:plugin/";

/// Wraps a core module (with the component-type custom section wit-bindgen
/// embeds) into a validated component.
pub fn encode(module: &[u8]) -> Result<Vec<u8>> {
    wit_component::ComponentEncoder::default()
        .validate(true)
        .module(module)
        .context("the core module has no usable component-type section (is wit-bindgen's metadata missing?)")?
        .encode()
        .context("cannot encode the core module as a component")
}

/// Top-level import and export names of a component.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Interface {
    pub imports: Vec<String>,
    pub exports: Vec<String>,
}

/// Whether `bytes` is a component (as opposed to a core module).
pub fn is_component(bytes: &[u8]) -> bool {
    Parser::is_component(bytes)
}

/// Reads the component's own (top-level) imports and exports; nested
/// components and modules are skipped.
pub fn interface(component: &[u8]) -> Result<Interface> {
    if !is_component(component) {
        if Parser::is_core_wasm(component) {
            bail!("this is a core wasm module, not a component");
        }
        bail!("this is not a wasm component");
    }
    let mut found = Interface::default();
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(component) {
        match payload.context("malformed component")? {
            Payload::Version { .. } => depth += 1,
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::ComponentImportSection(reader) if depth == 1 => {
                for import in reader {
                    let import = import.context("malformed component import")?;
                    found.imports.push(import.name.full_name().into_owned());
                }
            }
            Payload::ComponentExportSection(reader) if depth == 1 => {
                for export in reader {
                    let export = export.context("malformed component export")?;
                    found.exports.push(export.name.full_name().into_owned());
                }
            }
            _ => {}
        }
    }
    Ok(found)
}

/// Imports outside the WIT contract (`wasi:*` or anything else).
pub fn forbidden_imports(interface: &Interface) -> Vec<&str> {
    interface
        .imports
        .iter()
        .map(String::as_str)
        .filter(|name| !name.starts_with(ALLOWED_IMPORT_PREFIX))
        .collect()
}

/// Fails, naming every offender, if the component imports anything but the
/// `chatops:plugin/` host interfaces. Returns the interface on success.
pub fn check_imports(component: &[u8]) -> Result<Interface> {
    let interface = interface(component)?;
    let forbidden = forbidden_imports(&interface);
    if !forbidden.is_empty() {
        bail!(
            "the component imports {} outside `{ALLOWED_IMPORT_PREFIX}`: {} \
             (a plugin may only use the host's chatops:plugin interfaces; \
             build for wasm32-unknown-unknown without WASI)",
            if forbidden.len() == 1 {
                "an interface"
            } else {
                "interfaces"
            },
            forbidden.join(", ")
        );
    }
    Ok(interface)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use wit_parser::{ManglingAndAbi, PackageId, Resolve};

    /// A core module implementing `world` of `resolve` with dummy bodies and
    /// the component-type section embedded, like wit-bindgen's output.
    fn dummy_module(resolve: &Resolve, package: PackageId, world: &str) -> Vec<u8> {
        let world = resolve.select_world(&[package], Some(world)).unwrap();
        let mut module = wit_component::dummy_module(resolve, world, ManglingAndAbi::Standard32);
        wit_component::embed_component_metadata(
            &mut module,
            resolve,
            world,
            wit_component::StringEncoding::UTF8,
            false,
        )
        .unwrap();
        module
    }

    /// A real WIT contract version ("v0.1", "v0.2").
    fn contract_version(version: &str) -> (Resolve, PackageId) {
        let mut resolve = Resolve::default();
        let wit = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../wit")
            .join(version);
        let (package, _) = resolve.push_path(&wit).unwrap();
        (resolve, package)
    }

    /// The contract 0.1 (the sandbox guest's).
    fn contract() -> (Resolve, PackageId) {
        contract_version("v0.1")
    }

    #[test]
    fn current_contract_component_passes_with_the_sql_import() {
        let (resolve, package) = contract_version("v0.2");
        let component = encode(&dummy_module(&resolve, package, "chat-plugin")).unwrap();
        let interface = check_imports(&component).unwrap();
        for name in ["chatops:plugin/sql@0.2.0", "chatops:plugin/kv@0.2.0"] {
            assert!(
                interface.imports.contains(&name.to_string()),
                "{interface:?}"
            );
        }
        assert_eq!(interface.exports, ["chatops:plugin/hooks@0.2.0"]);
    }

    #[test]
    fn plugin_world_component_passes() {
        let (resolve, package) = contract();
        let module = dummy_module(&resolve, package, "chat-plugin");
        let err = interface(&module).unwrap_err().to_string();
        assert!(err.contains("core wasm module"), "{err}");

        let component = encode(&module).unwrap();
        let interface = check_imports(&component).unwrap();
        assert!(
            interface
                .imports
                .contains(&"chatops:plugin/kv@0.1.0".to_string()),
            "{interface:?}"
        );
        assert!(
            interface
                .imports
                .contains(&"chatops:plugin/log@0.1.0".to_string()),
            "{interface:?}"
        );
        assert!(
            interface
                .imports
                .iter()
                .all(|name| name.starts_with(ALLOWED_IMPORT_PREFIX))
        );
        assert_eq!(interface.exports, ["chatops:plugin/hooks@0.1.0"]);
    }

    #[test]
    fn wasi_import_is_named_in_the_error() {
        let (mut resolve, _) = contract();
        resolve
            .push_str(
                "wasi.wit",
                "package wasi:cli@0.2.0;\ninterface environment { get-arguments: func() -> list<string>; }",
            )
            .unwrap();
        let bad = resolve
            .push_str(
                "bad.wit",
                "package test:bad;\n\
                 world bad {\n\
                   import wasi:cli/environment@0.2.0;\n\
                   import chatops:plugin/log@0.1.0;\n\
                   import shout: func(text: string);\n\
                   export chatops:plugin/hooks@0.1.0;\n\
                 }",
            )
            .unwrap();
        let component = encode(&dummy_module(&resolve, bad, "bad")).unwrap();
        let interface = interface(&component).unwrap();
        assert_eq!(
            forbidden_imports(&interface),
            ["wasi:cli/environment@0.2.0", "shout"]
        );
        let err = check_imports(&component).unwrap_err().to_string();
        assert!(err.contains("wasi:cli/environment@0.2.0"), "{err}");
        assert!(err.contains("shout"), "{err}");
        assert!(!err.contains("chatops:plugin/log"), "{err}");
    }

    #[test]
    fn garbage_is_rejected() {
        assert!(interface(b"not wasm").is_err());
        assert!(check_imports(&[]).is_err());
    }
}
