//! The SDK for chat plugins: write a wasm component plugin in plain Rust.
//!
//! - [`Plugin`]: one method per hook, all optional.
//! - [`export_plugin!`]: makes a `Plugin` the component's exports and
//!   installs the panic hook (so a trap is reported with its message).
//! - [`host`]: the server, as small capability traits (`Kv`, `Sql`,
//!   `Posts`, `Channels`, `Users`, `Teams`, `Commands`, `Jobs`, `Events`,
//!   `Http`, `Runtime`); [`Host`] is all of them.
//! - [`sql`], [`kvjson`]: helpers over the storage capabilities.
//! - `testing` (feature `testing`): an in-memory host with a real SQLite,
//!   so plugin logic unit-tests natively.
//!
//! The WIT bindings are generated once, in `wit` (wasm32 builds only); a
//! plugin crate never names a generated type.
//!
//! ```ignore
//! struct Hello;
//! impl chatops_plugin_sdk::Plugin for Hello {
//!     fn activate<H: chatops_plugin_sdk::Host>(host: &H) -> chatops_plugin_sdk::host::HostResult<()> {
//!         host.log(chatops_plugin_sdk::host::Level::Info, "hello");
//!         Ok(())
//!     }
//! }
//! #[cfg(target_arch = "wasm32")]
//! chatops_plugin_sdk::export_plugin!(Hello);
//! ```

pub mod api;
pub mod host;
pub mod kvjson;
mod plugin;
pub mod sql;

#[cfg(feature = "testing")]
pub mod testing;
#[cfg(target_arch = "wasm32")]
pub mod wit;

pub use host::Host;
pub use plugin::Plugin;
