//! Backend profiles: how to speak to an auth API the app already has (better-auth,
//! django-allauth, Firebase Auth, or any JSON API), written as data in one versioned format
//! (`profiles/schema.json`, described in `docs/backends.md`).
//!
//! Pure Rust with no web types. A profile only translates: [`Profile::request`] builds the
//! request a flow needs, and [`Profile::read`] turns the answer into a
//! [`Translated`](crate::taxonomy::Translated), which the taxonomy alone classifies
//! ([`Profile::outcome`]). JSON is read through [`json`](crate::json): the browser's own parser in
//! the WebAssembly, miniserde natively.

mod answer;
mod format;
mod request;

pub use answer::Answer;
pub use format::{Credentials, Encoding, Profile, ProfileError, Step};
pub use request::{Inputs, Request, RequestError};

/// The built-in profiles, as the JSON files in `profiles/` (the same format a team writes).
pub const BUILT_IN: [(&str, &str); 4] = [
    ("contract", include_str!("../../profiles/contract.json")),
    (
        "better-auth",
        include_str!("../../profiles/better-auth.json"),
    ),
    ("allauth", include_str!("../../profiles/allauth.json")),
    ("firebase", include_str!("../../profiles/firebase.json")),
];

/// The text of a built-in profile by name.
pub fn built_in(name: &str) -> Option<&'static str> {
    BUILT_IN
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
}
