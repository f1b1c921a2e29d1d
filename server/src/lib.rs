//! auth-server: the reference implementation of auth-widget's auth API contract
//! (`docs/contract.md`). `app::start` runs it; the binary adds the CLI and logging.
//! Ids such as `sessions-22` in comments name requirements in `docs/standards.md`.

pub mod admin;
pub mod app;
pub mod auth;
pub mod cli;
pub mod copy;
pub mod db;
pub mod factors;
pub mod faults;
pub mod input;
pub mod keyfile;
pub mod links;
pub mod mail;
pub mod obs;
pub mod ops;
pub mod passkeys;
pub mod passwords;
pub mod problem;
pub mod serve;
pub mod state;
pub mod status;
pub mod tokens;

pub use app::{DEMO_CODES_EMAIL, DEMO_CODES_SECRET, DEMO_EMAIL, DEMO_PASSWORD, Running, start};
pub use cli::Cli;
