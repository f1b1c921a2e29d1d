//! Harness for the end-to-end journeys.

pub mod browser;
pub mod checks;
pub mod copy;
pub mod page;
pub mod procs;
pub mod runner;
pub mod server;
#[path = "../../../server/tests/support/smtp_sink.rs"]
pub mod smtp_sink;
