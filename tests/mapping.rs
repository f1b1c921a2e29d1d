//! Native mapping tests driven by the fixture table: every fixture's answer classifies to
//! the expected kind and the guidance matches, copy keys exist in every locale.
#![cfg(not(target_arch = "wasm32"))]

#[path = "cases/bodies.rs"]
mod bodies;

use auth_widget::copy::{self, Locale};
use auth_widget::fixtures::FIXTURES;
use auth_widget::taxonomy::FailureKind;

#[test]
fn every_fixture_maps_to_its_expected_guidance() {
    for f in FIXTURES {
        let (g, _) = f.guidance().expect(f.name);
        let e = &f.expect;
        assert_eq!(g.kind, e.kind, "{}: kind", f.name);
        assert_eq!(g.tone, e.tone, "{}: tone", f.name);
        assert_eq!(g.role, e.role, "{}: role", f.name);
        assert_eq!(g.words, e.words, "{}: copy", f.name);
        assert_eq!(g.focus, e.focus, "{}: focus", f.name);
        assert_eq!(g.actions, e.actions, "{}: actions", f.name);
        assert_eq!(g.countdown, e.countdown, "{}: countdown", f.name);
        assert_eq!(g.reference.as_deref(), e.reference, "{}: reference", f.name);
    }
}

#[test]
fn every_failure_kind_has_a_fixture() {
    for kind in FailureKind::ALL {
        assert!(
            FIXTURES.iter().any(|f| f.expect.kind == kind),
            "no fixture for {}",
            kind.as_str()
        );
    }
}

#[test]
fn every_fixture_copy_key_exists_in_every_locale() {
    for f in FIXTURES {
        let (title, body) = f.expect.words.keys();
        for key in [title, body] {
            for locale in Locale::all() {
                assert!(
                    copy::entry(locale, key).is_some(),
                    "{}: {} missing in {}",
                    f.name,
                    key.as_str(),
                    locale.tag()
                );
            }
        }
        for action in f.expect.actions {
            assert!(
                copy::entry(Locale::FALLBACK, action.copy_key()).is_some(),
                "{}",
                action.as_str()
            );
        }
    }
}

/// Regression for the incident: a service-side fault must never pick the words that blame
/// the person's details.
#[test]
fn only_credential_failures_use_credential_words() {
    for f in FIXTURES {
        if f.expect.words.blame_details() {
            assert!(
                matches!(
                    f.expect.kind,
                    FailureKind::InvalidCredentials
                        | FailureKind::AccountLocked
                        | FailureKind::AccountDisabled
                ),
                "{}",
                f.name
            );
        }
        if f.expect.kind.is_service_side() {
            assert!(!f.expect.words.blame_details(), "{}", f.name);
        }
    }
}

#[test]
fn edge_bodies_classify_as_the_table_says_with_the_native_parser() {
    for (what, flow, status, body, expected) in bodies::BODIES {
        let got = bodies::summary(&bodies::classify_body(*flow, *status, body));
        assert_eq!(&got, expected, "{what}");
    }
}

/// The reference server counts telemetry only for outcomes the contract crate lists; a
/// failure kind outside that list would be counted as `other`.
#[test]
fn every_failure_kind_is_an_outcome_the_contract_knows() {
    for kind in FailureKind::ALL {
        assert!(
            auth_contract::Code::parse(kind.as_str()).is_some()
                || auth_contract::CLIENT_OUTCOMES.contains(&kind.as_str()),
            "{} is neither a contract code nor a client outcome",
            kind.as_str()
        );
    }
}
