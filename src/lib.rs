//! auth-widget: a login and sign-up widget that tells people truthfully what went wrong
//! and what to do next.
//!
//! Data flows one way: input → [`client`] → response → [`taxonomy`] → [`guidance`] →
//! [`copy`] → banner. `taxonomy`, `guidance`, `copy` and `fixtures` are pure Rust with no
//! web types; only `client` and `components` touch the browser.

pub mod copy;
pub mod fixtures;
pub mod guidance;
mod problem;
pub mod taxonomy;
pub mod validate;

#[cfg(target_arch = "wasm32")]
pub mod client;
#[cfg(target_arch = "wasm32")]
pub mod components;
#[cfg(all(target_arch = "wasm32", feature = "demo"))]
pub mod demo;
#[cfg(target_arch = "wasm32")]
pub mod embed;
#[cfg(target_arch = "wasm32")]
pub use components::AuthWidget;

/// The widget's version, reported in telemetry.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
