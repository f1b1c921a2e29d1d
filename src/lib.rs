//! auth-widget: a login and sign-up widget that tells people truthfully what went wrong
//! and what to do next.
//!
//! Data flows one way: input → [`client`] → response → [`taxonomy`] → [`guidance`] →
//! [`copy`] → banner. `taxonomy`, `guidance`, `copy` and `fixtures` are pure Rust with no
//! web types; only `client` and `components` touch the browser.
//!
//! Ids such as `errors-15` or `sessions-20` in comments and test messages name requirements
//! in `docs/standards.md`, each with its public source (OWASP ASVS, NIST SP 800-63B, WCAG 2.2).

pub mod copy;
pub mod fixtures;
pub mod form;
pub mod guidance;
mod json;
pub mod package;
mod problem;
pub mod profile;
pub mod shell;
pub mod taxonomy;
pub mod validate;

pub mod client;
pub mod components;
#[cfg(feature = "demo")]
pub mod demo;
pub mod embed;
pub use components::AuthWidget;

// The WebAssembly's allocator: talc instead of the default dlmalloc, for a smaller embed
// (docs/performance.md). The widget's WebAssembly is single-threaded (no atomics).
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// The widget's version, reported in telemetry.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
