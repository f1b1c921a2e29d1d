//! The colour theme: follow the system, or force light or dark (defined in [`crate::form`]).

pub use crate::form::Theme;
