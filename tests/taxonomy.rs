//! Property and edge tests for the classifier, copy filling and client-side validation.
#![cfg(not(target_arch = "wasm32"))]

use auth_widget::copy::{self, Key, Locale, english_plural};
use auth_widget::form::Mode;
use auth_widget::guidance::{GuideOptions, Words, guide};
use auth_widget::taxonomy::{
    FailureKind, Field, FieldErrorCode, Flow, Response, Success, Transport, classify,
    parse_retry_after,
};
use auth_widget::validate::validate;
use proptest::prelude::*;

const FLOWS: [Flow; 9] = Flow::ALL;

fn respond(
    flow: Flow,
    status: u16,
    headers: &[(&str, &str)],
    body: &str,
) -> auth_widget::taxonomy::Outcome {
    let headers: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    classify(
        flow,
        Transport::Response(Response {
            status,
            headers: &headers,
            body: body.as_bytes(),
            now_unix: 1_000,
        }),
    )
}

fn header_strategy() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec(
        (
            prop_oneof![
                Just("Content-Type".to_string()),
                Just("Retry-After".to_string()),
                ".{0,12}"
            ],
            prop_oneof![
                Just("application/problem+json".to_string()),
                Just("application/json".to_string()),
                Just("text/html".to_string()),
                "[0-9]{1,12}",
                ".{0,40}"
            ],
        ),
        0..4,
    )
}

fn body_strategy() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..200),
        (
            prop_oneof![Just("invalid_credentials"), Just("internal_error"), Just("rate_limited"), Just("x"), Just("")],
            any::<u16>(),
            ".{0,20}"
        )
            .prop_map(|(code, status, instance)| format!(
                r#"{{"code":"{code}","status":{status},"instance":{instance:?},"errors":[{{"field":"password","code":"too_short","min":8}}]}}"#
            )
            .into_bytes()),
        Just(b"[".repeat(100_000)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    /// Total and panic-free: any status, headers and body give exactly one outcome, and a
    /// server-side status never becomes a credentials message.
    #[test]
    fn classify_is_total_and_never_blames_the_person_for_a_5xx(
        flow_index in 0usize..5,
        status in any::<u16>(),
        headers in header_strategy(),
        body in body_strategy(),
    ) {
        let flow = FLOWS[flow_index];
        let outcome = classify(flow, Transport::Response(Response { status, headers: &headers, body: &body, now_unix: 0 }));
        if let Err(failure) = outcome {
            let g = guide(flow, &failure, GuideOptions::default());
            if status >= 500 {
                prop_assert_ne!(failure.kind, FailureKind::InvalidCredentials);
                prop_assert!(!g.words.blame_details());
            }
            if !(400..500).contains(&status) {
                prop_assert!(!g.words.blame_details());
            }
            prop_assert!(g.countdown.is_none_or(|s| s <= 86_400));
        } else {
            prop_assert!((200..300).contains(&status));
        }
    }

    #[test]
    fn retry_after_parsing_never_panics(value in ".{0,40}", now in any::<u64>()) {
        let _ = parse_retry_after(&value, now);
    }

    /// fields-4 and fields-9: length is counted in code points, whatever the characters.
    #[test]
    fn signup_minimum_counts_code_points(password in "\\PC{1,20}") {
        let errors = validate(Mode::Signup, "a@b.co", &password, 8);
        let short = password.chars().count() < 8;
        prop_assert_eq!(errors.iter().any(|e| e.code == FieldErrorCode::TooShort), short);
    }
}

#[test]
fn login_success_needs_the_promised_user_shape() {
    let ok = respond(
        Flow::Login,
        200,
        &[("content-type", "application/json")],
        r#"{"user":{"id":"u1","email":"a@b.co"},"access_token":"t"}"#,
    );
    match ok {
        Ok(Success::SignedIn { user, access_token }) => {
            assert_eq!(user.email, "a@b.co");
            assert_eq!(access_token.as_deref(), Some("t"));
        }
        other => panic!("expected signed in, got {other:?}"),
    }
    let bad = respond(Flow::Login, 200, &[], "<html>ok</html>").unwrap_err();
    assert_eq!(bad.kind, FailureKind::UnexpectedResponse);
}

#[test]
fn signup_202_means_verify_email_and_reset_202_means_done() {
    assert_eq!(
        respond(Flow::Signup, 202, &[], r#"{"next":"verify_email"}"#),
        Ok(Success::VerifyEmail)
    );
    assert_eq!(
        respond(Flow::PasswordReset, 202, &[], ""),
        Ok(Success::Done)
    );
}

#[test]
fn detail_text_never_chooses_the_message() {
    // errors-18: a detail that says "wrong password" on a 500 stays a service-side fault.
    let f = respond(
        Flow::Login,
        500,
        &[("content-type", "application/problem+json")],
        r#"{"status":500,"detail":"invalid credentials: wrong password","code":"internal_error"}"#,
    )
    .unwrap_err();
    assert_eq!(f.kind, FailureKind::InternalError);
}

#[test]
fn a_credentials_code_on_a_5xx_is_not_believed() {
    let f = respond(
        Flow::Login,
        502,
        &[("content-type", "application/problem+json")],
        r#"{"status":502,"code":"invalid_credentials"}"#,
    )
    .unwrap_err();
    assert_eq!(f.kind, FailureKind::Unknown);
    assert_eq!(
        guide(Flow::Login, &f, GuideOptions::default()).words,
        Words::Of(FailureKind::InternalError)
    );
}

#[test]
fn a_status_field_that_disagrees_with_http_is_unexpected() {
    let f = respond(
        Flow::Login,
        401,
        &[("content-type", "application/problem+json")],
        r#"{"status":200,"code":"invalid_credentials"}"#,
    )
    .unwrap_err();
    assert_eq!(f.kind, FailureKind::UnexpectedResponse);
}

#[test]
fn a_bare_login_401_from_a_non_conforming_api_means_wrong_details() {
    assert_eq!(
        respond(Flow::Login, 401, &[], "").unwrap_err().kind,
        FailureKind::InvalidCredentials
    );
    // ...but not on sign-up, and not when the body is an HTML page.
    assert_eq!(
        respond(Flow::Signup, 401, &[], "").unwrap_err().kind,
        FailureKind::UnexpectedResponse
    );
    assert_eq!(
        respond(
            Flow::Login,
            401,
            &[("content-type", "text/html")],
            "<h1>no</h1>"
        )
        .unwrap_err()
        .kind,
        FailureKind::UnexpectedResponse
    );
}

#[test]
fn retry_after_accepts_seconds_and_http_dates_and_falls_back_to_the_body() {
    assert_eq!(parse_retry_after("120", 0), Some(120));
    // 1994-11-06T08:49:37Z is 784111777.
    assert_eq!(
        parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784_111_770),
        Some(7)
    );
    assert_eq!(
        parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784_111_800),
        Some(0)
    );
    assert_eq!(parse_retry_after("soon", 0), None);
    let f = respond(
        Flow::Login,
        429,
        &[("content-type", "application/problem+json")],
        r#"{"status":429,"code":"rate_limited","retry_after":9}"#,
    )
    .unwrap_err();
    assert_eq!(f.retry_after, Some(9));
}

#[test]
fn validation_errors_are_read_per_field() {
    let f = respond(Flow::Signup, 422, &[("content-type", "application/problem+json")],
        r#"{"status":422,"code":"validation_failed","errors":[{"field":"password","code":"too_short","min":12},{"field":"nickname","code":"missing"}]}"#).unwrap_err();
    assert_eq!(f.field_errors.len(), 1, "unknown fields are ignored");
    assert_eq!(f.field_errors[0].field, Field::Password);
    assert_eq!(f.field_errors[0].min, Some(12));
}

#[test]
fn session_check_refusals_become_session_rejected_with_the_reference() {
    let f = respond(
        Flow::Session,
        500,
        &[("content-type", "application/problem+json")],
        r#"{"status":500,"code":"internal_error","instance":"abc-123"}"#,
    )
    .unwrap_err();
    assert_eq!(f.kind, FailureKind::SessionRejected);
    assert_eq!(f.reference.as_deref(), Some("abc-123"));
}

#[test]
fn client_checks_run_in_the_order_of_the_form() {
    let errors = validate(Mode::Login, "", "", 8);
    assert_eq!(
        errors.iter().map(|e| (e.field, e.code)).collect::<Vec<_>>(),
        vec![
            (Field::Email, FieldErrorCode::Missing),
            (Field::Password, FieldErrorCode::Missing)
        ]
    );
    assert_eq!(
        validate(Mode::Login, "name.example.com", "x", 8)[0].code,
        FieldErrorCode::Malformed
    );
    assert!(
        validate(Mode::Login, "name@example.com", "x", 8).is_empty(),
        "no length rule on login"
    );
    assert!(
        validate(Mode::Reset, "name@example.com", "", 8).is_empty(),
        "reset needs only the email"
    );
    assert_eq!(
        validate(Mode::Signup, "a@b.co", "😀😀😀😀😀😀😀", 8)[0].min,
        Some(8)
    );
    assert!(validate(Mode::Signup, "a@b.co", "😀😀😀😀😀😀😀😀", 8).is_empty());
}

#[test]
fn copy_fills_variables_and_plurals() {
    let en = Locale::FALLBACK;
    assert_eq!(
        copy::text(en, Key::FailureCountdown, Some(1), &[], &english_plural),
        "You can try again in 1 second."
    );
    assert_eq!(
        copy::text(en, Key::FailureCountdown, Some(5), &[], &english_plural),
        "You can try again in 5 seconds."
    );
    assert_eq!(
        copy::text(
            en,
            Key::FailureReference,
            None,
            &[("reference", "R-1")],
            &english_plural
        ),
        "If you contact support, quote this reference: R-1"
    );
    assert_eq!(Key::parse("no.such.key"), None);
    assert_eq!(Key::parse("failure.countdown"), Some(Key::FailureCountdown));
    assert_eq!(Locale::negotiate(["xx-YY", "en-GB"]), en);
}

#[test]
fn reference_ids_are_shown_for_service_faults_only() {
    let wrong = respond(
        Flow::Login,
        401,
        &[("content-type", "application/problem+json")],
        r#"{"status":401,"code":"invalid_credentials","instance":"ref-1"}"#,
    )
    .unwrap_err();
    assert_eq!(
        wrong.reference.as_deref(),
        Some("ref-1"),
        "the classifier keeps it"
    );
    assert_eq!(
        guide(Flow::Login, &wrong, GuideOptions::default()).reference,
        None,
        "not shown for wrong details"
    );
    let fault = respond(
        Flow::Login,
        500,
        &[("content-type", "application/problem+json")],
        r#"{"status":500,"code":"internal_error","instance":"ref-2"}"#,
    )
    .unwrap_err();
    assert_eq!(
        guide(Flow::Login, &fault, GuideOptions::default())
            .reference
            .as_deref(),
        Some("ref-2")
    );
}
