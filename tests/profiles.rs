//! Backend profiles read the answers the real servers give (recorded from better-auth 1.7.25,
//! django-allauth 65.22.1 headless and the Firebase Auth emulator of firebase-tools 15.34.2), build
//! the requests those servers expect, and every built-in profile is valid.
#![cfg(not(target_arch = "wasm32"))]

use auth_widget::fixtures::{Answer as FixtureAnswer, FIXTURES};
use auth_widget::profile::{self, Answer, Credentials, Inputs, Profile, RequestError, Step};
use auth_widget::taxonomy::{
    Failure, FailureKind, Field, FieldErrorCode, Flow, Outcome, Refusal, RefusalCode, Success,
    Translated,
};
use miniserde::json::{self, Value};

fn built_in(name: &str) -> Profile {
    Profile::parse(profile::built_in(name).expect("a built-in profile"))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn answer(p: &Profile, flow: Flow, status: u16, headers: &[(&str, &str)], body: &str) -> Outcome {
    let mut h: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    if !h
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
    {
        h.push(("Content-Type".into(), "application/json".into()));
    }
    p.outcome(
        flow,
        &Answer {
            status,
            headers: &h,
            body,
            now_unix: 1_000,
        },
    )
}

fn kind(o: Outcome) -> FailureKind {
    o.expect_err("a failure").kind
}

// ---- better-auth -----------------------------------------------------------------------------

/// The first refused field of a failure: which, why, and the limit it states.
fn first_field_error(f: &Failure) -> (Field, FieldErrorCode, Option<u32>) {
    let e = f.field_errors.first().expect("a refused field");
    (e.field, e.code, e.min)
}

#[test]
fn better_auth_sign_in_answer_gives_the_user() {
    let p = built_in("better-auth");
    let o = answer(
        &p,
        Flow::Login,
        200,
        &[],
        r#"{"redirect":false,"token":"t0k","user":{"id":"u1","email":"a@example.com","emailVerified":true}}"#,
    );
    match o {
        Ok(Success::SignedIn { user, .. }) => assert_eq!(
            (user.id.as_str(), user.email.as_str()),
            ("u1", "a@example.com")
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn better_auth_session_null_means_no_session_and_the_check_fails_on_the_service_side() {
    let p = built_in("better-auth");
    assert_eq!(
        kind(answer(&p, Flow::Session, 200, &[], "null")),
        FailureKind::SessionRejected
    );
    let ok = answer(
        &p,
        Flow::Session,
        200,
        &[],
        r#"{"session":{"id":"s"},"user":{"id":"u1","email":"a@example.com"}}"#,
    );
    assert!(matches!(ok, Ok(Success::SignedIn { .. })), "{ok:?}");
}

#[test]
fn better_auth_wrong_password_and_unknown_email_are_wrong_credentials() {
    let p = built_in("better-auth");
    let body = r#"{"message":"Invalid email or password","code":"INVALID_EMAIL_OR_PASSWORD"}"#;
    assert_eq!(
        kind(answer(&p, Flow::Login, 401, &[], body)),
        FailureKind::InvalidCredentials
    );
}

#[test]
fn better_auth_sign_up_with_a_null_token_means_check_your_inbox() {
    let p = built_in("better-auth");
    let o = answer(
        &p,
        Flow::Signup,
        200,
        &[],
        r#"{"token":null,"user":{"id":"u2","email":"n@example.com"}}"#,
    );
    assert_eq!(o, Ok(Success::VerifyEmail));
    let signed_in = answer(
        &p,
        Flow::Signup,
        200,
        &[],
        r#"{"token":"abc","user":{"id":"u2","email":"n@example.com"}}"#,
    );
    assert!(
        matches!(signed_in, Ok(Success::SignedIn { .. })),
        "{signed_in:?}"
    );
}

#[test]
fn better_auth_taken_email_short_password_and_unverified_map_to_their_kinds() {
    let p = built_in("better-auth");
    let taken = r#"{"message":"User already exists. Use another email.","code":"USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL"}"#;
    assert_eq!(
        kind(answer(&p, Flow::Signup, 422, &[], taken)),
        FailureKind::EmailTaken
    );
    let short = answer(
        &p,
        Flow::Signup,
        400,
        &[],
        r#"{"message":"Password too short","code":"PASSWORD_TOO_SHORT"}"#,
    )
    .unwrap_err();
    assert_eq!(short.kind, FailureKind::ValidationFailed);
    assert_eq!(short.field_errors.len(), 1);
    assert_eq!(
        first_field_error(&short),
        (Field::Password, FieldErrorCode::TooShort, Some(8))
    );
    let unverified = r#"{"message":"Email not verified","code":"EMAIL_NOT_VERIFIED"}"#;
    assert_eq!(
        kind(answer(&p, Flow::Login, 403, &[], unverified)),
        FailureKind::EmailUnverified
    );
    let bad_email = answer(
        &p,
        Flow::Login,
        400,
        &[],
        r#"{"message":"Invalid email","code":"INVALID_EMAIL"}"#,
    )
    .unwrap_err();
    assert_eq!(
        (bad_email.kind, bad_email.field_errors[0].field),
        (FailureKind::ValidationFailed, Field::Email)
    );
}

#[test]
fn better_auth_rate_limit_is_a_wait_with_its_x_retry_after_seconds() {
    let p = built_in("better-auth");
    let f = answer(
        &p,
        Flow::Login,
        429,
        &[("x-retry-after", "10")],
        r#"{"message":"Too many requests. Please try again later."}"#,
    )
    .unwrap_err();
    assert_eq!(
        (f.kind, f.retry_after),
        (FailureKind::RateLimited, Some(10))
    );
}

#[test]
fn better_auth_untrusted_origin_is_not_wrong_credentials() {
    let p = built_in("better-auth");
    let k = kind(answer(
        &p,
        Flow::Login,
        403,
        &[],
        r#"{"message":"Invalid origin","code":"INVALID_ORIGIN"}"#,
    ));
    assert_eq!(k, FailureKind::Unknown);
}

#[test]
fn better_auth_sign_out_and_reset_request_are_done() {
    let p = built_in("better-auth");
    assert_eq!(
        answer(&p, Flow::Logout, 200, &[], r#"{"success":true}"#),
        Ok(Success::Done)
    );
    assert_eq!(
        answer(&p, Flow::PasswordReset, 200, &[], r#"{"status":true}"#),
        Ok(Success::Done)
    );
}

// ---- django-allauth --------------------------------------------------------------------------

const ALLAUTH_PENDING: &str = r#"{"status":401,"data":{"flows":[{"id":"login"},{"id":"signup"},{"id":"verify_email","is_pending":true}]},"meta":{"is_authenticated":false}}"#;

fn allauth_error(code: &str, param: &str) -> String {
    format!(r#"{{"status":400,"errors":[{{"message":"m","code":"{code}","param":"{param}"}}]}}"#)
}

#[test]
fn allauth_sign_in_gives_the_user_with_a_numeric_id() {
    let p = built_in("allauth");
    let o = answer(
        &p,
        Flow::Login,
        200,
        &[],
        r#"{"status":200,"data":{"user":{"id":1,"email":"a@example.com"}},"meta":{"is_authenticated":true}}"#,
    );
    match o {
        Ok(Success::SignedIn { user, access_token }) => {
            assert_eq!((user.id.as_str(), access_token), ("1", None));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn allauth_mismatch_is_wrong_credentials_even_with_a_password_param() {
    let p = built_in("allauth");
    let f = answer(
        &p,
        Flow::Login,
        400,
        &[],
        &allauth_error("email_password_mismatch", "password"),
    )
    .unwrap_err();
    assert_eq!(f.kind, FailureKind::InvalidCredentials);
}

#[test]
fn allauth_pending_verify_email_means_check_your_inbox_on_sign_up_and_unverified_on_sign_in() {
    let p = built_in("allauth");
    assert_eq!(
        answer(&p, Flow::Signup, 401, &[], ALLAUTH_PENDING),
        Ok(Success::VerifyEmail)
    );
    assert_eq!(
        kind(answer(&p, Flow::Login, 401, &[], ALLAUTH_PENDING)),
        FailureKind::EmailUnverified
    );
}

#[test]
fn allauth_login_401_without_a_pending_verification_is_never_wrong_credentials() {
    let p = built_in("allauth");
    let mfa = r#"{"status":401,"data":{"flows":[{"id":"mfa_authenticate","is_pending":true}]},"meta":{"is_authenticated":false}}"#;
    assert_eq!(
        kind(answer(&p, Flow::Login, 401, &[], mfa)),
        FailureKind::Unknown
    );
}

#[test]
fn allauth_too_many_login_attempts_is_a_wait_not_wrong_credentials() {
    let p = built_in("allauth");
    let f = answer(&p, Flow::Login, 400, &[], r#"{"status":400,"errors":[{"message":"Too many failed login attempts.","code":"too_many_login_attempts"}]}"#).unwrap_err();
    assert_eq!((f.kind, f.retry_after), (FailureKind::RateLimited, None));
    let flood = answer(&p, Flow::Login, 429, &[], r#"{"status":429}"#).unwrap_err();
    assert_eq!(flood.kind, FailureKind::RateLimited);
}

#[test]
fn allauth_weak_password_reasons_go_to_the_password_field() {
    let p = built_in("allauth");
    let body = r#"{"status":400,"errors":[{"message":"a","code":"password_too_short","param":"password"},{"message":"b","code":"password_too_common","param":"password"},{"message":"c","code":"password_entirely_numeric","param":"password"}]}"#;
    let f = answer(&p, Flow::Signup, 400, &[], body).unwrap_err();
    assert_eq!(f.kind, FailureKind::ValidationFailed);
    let codes: Vec<_> = f.field_errors.iter().map(|e| (e.field, e.code)).collect();
    assert_eq!(
        codes,
        [
            (Field::Password, FieldErrorCode::TooShort),
            (Field::Password, FieldErrorCode::Common)
        ]
    );
}

#[test]
fn allauth_field_errors_take_the_field_from_param() {
    let p = built_in("allauth");
    let f = answer(
        &p,
        Flow::Login,
        400,
        &[],
        &allauth_error("invalid", "email"),
    )
    .unwrap_err();
    assert_eq!(
        first_field_error(&f),
        (Field::Email, FieldErrorCode::Malformed, None)
    );
    let f = answer(
        &p,
        Flow::Login,
        400,
        &[],
        &allauth_error("required", "password"),
    )
    .unwrap_err();
    assert_eq!(
        first_field_error(&f),
        (Field::Password, FieldErrorCode::Missing, None)
    );
}

#[test]
fn allauth_taken_email_sign_out_401_and_reset_request() {
    let p = built_in("allauth");
    assert_eq!(
        kind(answer(
            &p,
            Flow::Signup,
            400,
            &[],
            &allauth_error("email_taken", "email")
        )),
        FailureKind::EmailTaken
    );
    let out =
        r#"{"status":401,"data":{"flows":[{"id":"login"}]},"meta":{"is_authenticated":false}}"#;
    assert_eq!(answer(&p, Flow::Logout, 401, &[], out), Ok(Success::Done));
    assert_eq!(
        answer(&p, Flow::PasswordReset, 200, &[], r#"{"status":200}"#),
        Ok(Success::Done)
    );
}

#[test]
fn allauth_session_401_after_sign_in_is_a_rejected_session() {
    let p = built_in("allauth");
    let out =
        r#"{"status":401,"data":{"flows":[{"id":"login"}]},"meta":{"is_authenticated":false}}"#;
    assert_eq!(
        kind(answer(&p, Flow::Session, 401, &[], out)),
        FailureKind::SessionRejected
    );
}

#[test]
fn allauth_csrf_refusal_as_html_is_an_unexpected_answer() {
    let p = built_in("allauth");
    let html = answer(
        &p,
        Flow::Login,
        403,
        &[("Content-Type", "text/html; charset=utf-8")],
        "<!DOCTYPE html><title>403 Forbidden</title>",
    );
    assert_eq!(kind(html), FailureKind::UnexpectedResponse);
}

// ---- Firebase Auth ---------------------------------------------------------------------------

fn firebase_error(message: &str) -> String {
    format!(
        r#"{{"error":{{"code":400,"message":"{message}","errors":[{{"message":"{message}","reason":"invalid","domain":"global"}}]}}}}"#
    )
}

#[test]
fn firebase_sign_in_keeps_the_id_token() {
    let p = built_in("firebase");
    let o = answer(
        &p,
        Flow::Login,
        200,
        &[],
        r#"{"kind":"identitytoolkit#VerifyPasswordResponse","localId":"L1","email":"a@example.com","idToken":"eyJ.x.y","refreshToken":"r","expiresIn":"3600","registered":true}"#,
    );
    match o {
        Ok(Success::SignedIn { user, access_token }) => {
            assert_eq!(
                (user.id.as_str(), access_token.as_deref()),
                ("L1", Some("eyJ.x.y"))
            );
        }
        other => panic!("{other:?}"),
    }
    let lookup = answer(
        &p,
        Flow::Session,
        200,
        &[],
        r#"{"kind":"k","users":[{"localId":"L1","email":"a@example.com","emailVerified":true}]}"#,
    );
    assert!(matches!(lookup, Ok(Success::SignedIn { .. })), "{lookup:?}");
}

#[test]
fn firebase_current_and_legacy_credential_codes_are_wrong_credentials() {
    let p = built_in("firebase");
    for code in [
        "INVALID_LOGIN_CREDENTIALS",
        "INVALID_PASSWORD",
        "EMAIL_NOT_FOUND",
    ] {
        assert_eq!(
            kind(answer(&p, Flow::Login, 400, &[], &firebase_error(code))),
            FailureKind::InvalidCredentials,
            "{code}"
        );
    }
}

#[test]
fn firebase_code_is_read_before_the_detail_separator() {
    let p = built_in("firebase");
    let f = answer(
        &p,
        Flow::Signup,
        400,
        &[],
        &firebase_error("WEAK_PASSWORD : Password should be at least 6 characters"),
    )
    .unwrap_err();
    assert_eq!(f.kind, FailureKind::ValidationFailed);
    assert_eq!(
        first_field_error(&f),
        (Field::Password, FieldErrorCode::TooShort, Some(6))
    );
}

#[test]
fn firebase_taken_email_lockout_and_disabled_map_to_their_kinds() {
    let p = built_in("firebase");
    assert_eq!(
        kind(answer(
            &p,
            Flow::Signup,
            400,
            &[],
            &firebase_error("EMAIL_EXISTS")
        )),
        FailureKind::EmailTaken
    );
    assert_eq!(
        kind(answer(
            &p,
            Flow::Login,
            400,
            &[],
            &firebase_error(
                "TOO_MANY_ATTEMPTS_TRY_LATER : Access to this account has been temporarily disabled"
            )
        )),
        FailureKind::RateLimited
    );
    assert_eq!(
        kind(answer(
            &p,
            Flow::Login,
            400,
            &[],
            &firebase_error("USER_DISABLED")
        )),
        FailureKind::AccountDisabled
    );
}

#[test]
fn firebase_invalid_id_token_on_the_session_check_is_a_rejected_session() {
    let p = built_in("firebase");
    assert_eq!(
        kind(answer(
            &p,
            Flow::Session,
            400,
            &[],
            &firebase_error("INVALID_ID_TOKEN")
        )),
        FailureKind::SessionRejected
    );
}

#[test]
fn firebase_has_no_sign_out_call_and_the_reset_request_is_done() {
    let p = built_in("firebase");
    assert!(!p.has(Step::Flow(Flow::Logout)));
    assert_eq!(
        p.request(Step::Flow(Flow::Logout), "http://x", &Inputs::default()),
        Err(RequestError::NoCall)
    );
    assert_eq!(
        answer(
            &p,
            Flow::PasswordReset,
            200,
            &[],
            r#"{"kind":"k","email":"nobody@example.com"}"#
        ),
        Ok(Success::Done)
    );
}

// ---- Unknown codes, every profile ------------------------------------------------------------

#[test]
fn an_unknown_code_is_never_wrong_credentials_in_any_profile() {
    for (name, _) in profile::BUILT_IN {
        let p = built_in(name);
        for status in [400, 401, 403, 409, 422, 500, 503] {
            // An unknown code in the shape this profile reads codes from.
            let body = match name {
                "contract" => format!(r#"{{"code":"something_new","status":{status}}}"#),
                "better-auth" => r#"{"code":"SOMETHING_NEW","message":"m"}"#.to_string(),
                "allauth" => {
                    allauth_error("something_new", "email").replace("400", &status.to_string())
                }
                _ => firebase_error("SOMETHING_NEW : detail"),
            };
            // Unknown, with its status kept so guidance can fall back by status class.
            let f = answer(&p, Flow::Login, status, &[], &body).unwrap_err();
            assert_eq!(
                (f.kind, f.status),
                (FailureKind::Unknown, Some(status)),
                "{name} {status} {body}"
            );
        }
    }
}

// ---- Requests --------------------------------------------------------------------------------

#[test]
fn allauth_requests_carry_the_current_csrf_cookie_and_ask_for_it_when_missing() {
    let p = built_in("allauth");
    let base = "http://127.0.0.1:1/_allauth/browser/v1";
    let login = Step::Flow(Flow::Login);
    let mut inputs = Inputs {
        email: "a@example.com",
        password: Some("pw"),
        ..Inputs::default()
    };
    assert_eq!(
        p.request(login, base, &inputs),
        Err(RequestError::MissingCsrfCookie("csrftoken".into()))
    );
    inputs.cookies = "other=1; csrftoken=abc";
    let r = p.request(login, base, &inputs).unwrap();
    assert_eq!(
        (r.method.as_str(), r.url.as_str()),
        ("POST", "http://127.0.0.1:1/_allauth/browser/v1/auth/login")
    );
    assert!(
        r.headers.contains(&("X-CSRFToken".into(), "abc".into())),
        "{:?}",
        r.headers
    );
    assert_eq!(r.credentials, Credentials::Include);
    inputs.cookies = "csrftoken=rotated";
    let r = p.request(Step::Flow(Flow::Logout), base, &inputs).unwrap();
    assert_eq!(r.method, "DELETE");
    assert!(
        r.headers
            .contains(&("X-CSRFToken".into(), "rotated".into()))
    );
    let session = p
        .request(Step::Flow(Flow::Session), base, &Inputs::default())
        .unwrap();
    assert_eq!((session.method.as_str(), session.body), ("GET", None));
}

#[test]
fn firebase_requests_put_the_api_key_in_the_query_omit_cookies_and_send_the_token_in_the_body() {
    let p = built_in("firebase");
    let base = "http://127.0.0.1:1/identitytoolkit.googleapis.com/v1/";
    let login = Step::Flow(Flow::Login);
    let mut inputs = Inputs {
        email: "a@example.com",
        password: Some("p\"w\\ é"),
        ..Inputs::default()
    };
    assert_eq!(
        p.request(login, base, &inputs),
        Err(RequestError::MissingAttribute("api-key".into()))
    );
    let attributes = [("api-key", "AIza key+/")];
    inputs.attributes = &attributes;
    let r = p.request(login, base, &inputs).unwrap();
    assert_eq!(
        r.url,
        "http://127.0.0.1:1/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=AIza+key%2B%2F"
    );
    assert_eq!(r.credentials, Credentials::Omit);
    let body: Value = json::from_str(r.body.as_deref().unwrap()).unwrap();
    let Value::Object(o) = body else { panic!() };
    assert!(matches!(o.get("password"), Some(Value::String(s)) if s == "p\"w\\ é"));
    assert!(matches!(
        o.get("returnSecureToken"),
        Some(Value::Bool(true))
    ));
    let session = Step::Flow(Flow::Session);
    assert_eq!(
        p.request(session, base, &inputs),
        Err(RequestError::MissingToken)
    );
    inputs.token = Some("eyJ.t");
    let r = p.request(session, base, &inputs).unwrap();
    assert_eq!(r.body.as_deref(), Some(r#"{"idToken":"eyJ.t"}"#));
}

#[test]
fn better_auth_sign_up_derives_a_name_from_the_email_unless_given() {
    let p = built_in("better-auth");
    let signup = Step::Flow(Flow::Signup);
    let inputs = Inputs {
        email: "ada.l@example.com",
        password: Some("pw"),
        ..Inputs::default()
    };
    let r = p.request(signup, "http://h/api/auth", &inputs).unwrap();
    // Members go in name order (the profile's own order is not kept).
    assert_eq!(
        r.body.as_deref(),
        Some(r#"{"email":"ada.l@example.com","name":"ada.l","password":"pw"}"#)
    );
    let named = Inputs {
        name: Some("Ada"),
        ..inputs
    };
    assert!(
        p.request(signup, "http://h/api/auth", &named)
            .unwrap()
            .body
            .unwrap()
            .contains(r#""name":"Ada""#)
    );
}

#[test]
fn contract_session_check_sends_the_bearer_token_when_there_is_one() {
    let p = built_in("contract");
    let inputs = Inputs {
        token: Some("tok"),
        ..Inputs::default()
    };
    let r = p
        .request(Step::Flow(Flow::Session), "/auth", &inputs)
        .unwrap();
    assert_eq!(r.url, "/auth/session");
    assert!(
        r.headers
            .contains(&("Authorization".into(), "Bearer tok".into()))
    );
}

#[test]
fn a_form_encoded_profile_with_other_names_nested_codes_and_a_bearer_session_works() {
    let p = Profile::parse(include_str!("../docs/examples/acme.json"))
        .unwrap_or_else(|e| panic!("{e}"));
    let inputs = Inputs {
        email: "a b@example.com",
        password: Some("p&w=1"),
        ..Inputs::default()
    };
    let r = p
        .request(Step::Flow(Flow::Login), "https://api.acme.test/v2", &inputs)
        .unwrap();
    assert_eq!(r.url, "https://api.acme.test/v2/sessions");
    assert_eq!(
        r.body.as_deref(),
        Some("username=a+b%40example.com&passwd=p%26w%3D1&client=widget")
    );
    assert!(r.headers.contains(&(
        "Content-Type".into(),
        "application/x-www-form-urlencoded".into()
    )));
    let signed_in = answer(
        &p,
        Flow::Login,
        201,
        &[],
        r#"{"data":{"account":{"uid":42,"mail":"a b@example.com"},"auth":{"jwt":"J"}}}"#,
    );
    let Ok(Success::SignedIn { access_token, .. }) = signed_in else {
        panic!("{signed_in:?}")
    };
    assert_eq!(access_token.as_deref(), Some("J"));
    let token_inputs = Inputs {
        token: Some("J"),
        ..Inputs::default()
    };
    let check = p
        .request(
            Step::Flow(Flow::Session),
            "https://api.acme.test/v2",
            &token_inputs,
        )
        .unwrap();
    assert!(
        check
            .headers
            .contains(&("Authorization".into(), "Bearer J".into()))
    );
    assert_eq!(
        kind(answer(
            &p,
            Flow::Login,
            401,
            &[],
            r#"{"error":{"detail":{"code":"AUTH_FAILED"}}}"#
        )),
        FailureKind::InvalidCredentials
    );
    let locked = answer(
        &p,
        Flow::Login,
        423,
        &[],
        r#"{"problems":[{"kind":"LOCKED"}],"wait_seconds":90}"#,
    )
    .unwrap_err();
    assert_eq!(
        (locked.kind, locked.retry_after),
        (FailureKind::RateLimited, Some(90))
    );
}

// ---- The contract profile reads exactly as the contract classifier does ----------------------

#[test]
fn the_contract_profile_classifies_every_fixture_like_the_taxonomy() {
    let p = built_in("contract");
    let mut checked = 0;
    for f in FIXTURES {
        let FixtureAnswer::Http {
            status,
            content_type,
            retry_after,
            body,
        } = f.answer
        else {
            continue;
        };
        // The profile format has no second step yet: a sign-in's code step is the contract's
        // own (docs/backends.md).
        if f.flow == Flow::LoginSecondFactor {
            continue;
        }
        let mut headers = vec![("Content-Type".to_string(), content_type.to_string())];
        if let Some(r) = retry_after {
            headers.push(("Retry-After".to_string(), r.to_string()));
        }
        let via_profile = p.outcome(
            f.flow,
            &Answer {
                status,
                headers: &headers,
                body,
                now_unix: 0,
            },
        );
        assert_eq!(via_profile, f.outcome(), "{}", f.name);
        checked += 1;
    }
    assert!(checked > 10, "only {checked} fixtures had an HTTP answer");
}

#[test]
fn translated_refusals_obey_the_status_class_rule() {
    let refusal = |status, code: &str| {
        Translated::Refused(Refusal {
            status,
            code: RefusalCode::Contract(code.into()),
            retry_after: None,
            reference: None,
            field_errors: Vec::new(),
        })
    };
    let k = |t| {
        auth_widget::taxonomy::classify_translated(Flow::Login, t)
            .unwrap_err()
            .kind
    };
    assert_eq!(k(refusal(500, "invalid_credentials")), FailureKind::Unknown);
    assert_eq!(k(refusal(400, "internal_error")), FailureKind::Unknown);
    assert_eq!(
        k(refusal(400, "invalid_credentials")),
        FailureKind::InvalidCredentials
    );
}

// ---- Every built-in profile is valid ---------------------------------------------------------

#[test]
fn every_built_in_profile_parses_and_has_every_member_the_schema_requires() {
    let schema: Value =
        json::from_str(include_str!("../profiles/schema.json")).expect("schema is JSON");
    for (name, text) in profile::BUILT_IN {
        let p = Profile::parse(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(p.name, name);
        let doc: Value = json::from_str(text).unwrap();
        let mut problems = Vec::new();
        check(&schema, &schema, &doc, name, &mut problems);
        assert!(problems.is_empty(), "{name}: {problems:#?}");
    }
    // The check is real: a profile without its flows fails it.
    let broken: Value =
        json::from_str(r#"{"version":1,"name":"x","errors":{"code":[]},"oops":1}"#).unwrap();
    let mut problems = Vec::new();
    check(&schema, &schema, &broken, "broken", &mut problems);
    assert!(
        problems.iter().any(|p| p.contains("flows")) && problems.iter().any(|p| p.contains("oops")),
        "{problems:?}"
    );
}

#[test]
fn a_broken_profile_is_refused_with_the_member_at_fault() {
    let cases = [
        ("not json", ""),
        (
            r#"{"version":2,"name":"x","flows":{},"errors":{"code":[]}}"#,
            "/version",
        ),
        (
            r#"{"version":1,"name":"x","flows":{"sign_in":{}},"errors":{"code":[]}}"#,
            "/flows/sign_in",
        ),
        (
            r#"{"version":1,"name":"x","flows":{"sign_in":{"method":"FETCH","path":"/a","success":[200]}},"errors":{"code":[]}}"#,
            "/flows/sign_in/method",
        ),
    ];
    for (text, at) in cases {
        let e = Profile::parse(text).expect_err(text);
        assert_eq!(e.at, at, "{text}: {e}");
        assert!(e.to_string().starts_with("backend profile: "), "{e}");
    }
    let mut bad = json::from_str::<Value>(profile::built_in("firebase").unwrap()).unwrap();
    if let Value::Object(o) = &mut bad
        && let Some(Value::Object(errors)) = o.get_mut("errors")
        && let Some(Value::Object(kinds)) = errors.get_mut("kinds")
    {
        kinds.insert("X".into(), Value::String("wrong_password".into()));
    }
    let e = Profile::parse(&json::to_string(&bad)).unwrap_err();
    assert_eq!(e.at, "/errors/kinds/X");
    assert!(e.problem.contains("wrong_password"), "{e}");
}

/// A small JSON Schema check: type, const, enum, required, properties, additionalProperties,
/// items, allOf, anyOf, $ref and pattern "^/"-style prefixes. Enough for the profile schema.
fn check(root: &Value, schema: &Value, v: &Value, at: &str, out: &mut Vec<String>) {
    let Value::Object(s) = schema else { return };
    if let Some(Value::String(r)) = s.get("$ref") {
        let mut target = root;
        for step in r.trim_start_matches("#/").split('/') {
            let Value::Object(o) = target else {
                panic!("bad $ref {r}")
            };
            target = o.get(step).unwrap_or_else(|| panic!("bad $ref {r}"));
        }
        check(root, target, v, at, out);
    }
    if let Some(Value::Array(all)) = s.get("allOf") {
        for sub in all {
            check(root, sub, v, at, out);
        }
    }
    if let Some(Value::Array(any)) = s.get("anyOf") {
        let ok = any.iter().any(|sub| {
            let mut o = Vec::new();
            check(root, sub, v, at, &mut o);
            o.is_empty()
        });
        if !ok {
            out.push(format!("{at}: matches none of anyOf"));
        }
    }
    let type_name = match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(json::Number::F64(_)) => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    match s.get("type") {
        Some(Value::String(t)) if t != type_name => {
            out.push(format!("{at}: expected {t}, found {type_name}"))
        }
        Some(Value::Array(ts))
            if !ts
                .iter()
                .any(|t| matches!(t, Value::String(t) if t == type_name)) =>
        {
            out.push(format!("{at}: {type_name} not allowed"))
        }
        _ => {}
    }
    let same = |a: &Value, b: &Value| json::to_string(a) == json::to_string(b);
    if let Some(c) = s.get("const")
        && !same(c, v)
    {
        out.push(format!("{at}: expected {}", json::to_string(c)));
    }
    if let Some(Value::Array(options)) = s.get("enum")
        && !options.iter().any(|o| same(o, v))
    {
        out.push(format!(
            "{at}: {} is not one of the allowed values",
            json::to_string(v)
        ));
    }
    if let (Some(Value::String(pattern)), Value::String(text)) = (s.get("pattern"), v) {
        let ok = match pattern.as_str() {
            "^/" => text.starts_with('/'),
            "^(/.*)?$" => text.is_empty() || text.starts_with('/'),
            "^[45][0-9][0-9]$" => {
                text.len() == 3 && (text.starts_with('4') || text.starts_with('5'))
            }
            other => panic!("pattern {other} not supported by this check"),
        };
        if !ok {
            out.push(format!("{at}: {text:?} does not match {pattern}"));
        }
    }
    if let Value::Object(o) = v {
        if let Some(Value::Array(req)) = s.get("required") {
            for r in req {
                if let Value::String(r) = r
                    && !o.contains_key(r)
                {
                    out.push(format!("{at}: missing required member {r}"));
                }
            }
        }
        let props = match s.get("properties") {
            Some(Value::Object(p)) => Some(p),
            _ => None,
        };
        for (k, child) in o.iter() {
            let path = format!("{at}/{k}");
            if let Some(Value::Object(names)) = s.get("propertyNames") {
                check(
                    root,
                    &Value::Object(names.clone()),
                    &Value::String(k.clone()),
                    &path,
                    out,
                );
            }
            match (props.and_then(|p| p.get(k)), s.get("additionalProperties")) {
                (Some(sub), _) => check(root, sub, child, &path, out),
                (None, Some(Value::Bool(false))) => out.push(format!("{path}: member not allowed")),
                (None, Some(sub @ Value::Object(_))) => check(root, sub, child, &path, out),
                _ => {}
            }
        }
    }
    if let (Some(items), Value::Array(a)) = (s.get("items"), v) {
        for (i, item) in a.iter().enumerate() {
            check(root, items, item, &format!("{at}/{i}"), out);
        }
    }
}

#[test]
fn the_remaining_recorded_answers_read_as_their_kinds() {
    let ba = built_in("better-auth");
    let validation = r#"{"message":"[body.password] Invalid input: expected string, received undefined","code":"VALIDATION_ERROR"}"#;
    assert_eq!(
        kind(answer(&ba, Flow::Login, 400, &[], validation)),
        FailureKind::Unknown
    );
    let origin = r#"{"message":"Missing or null Origin","code":"MISSING_OR_NULL_ORIGIN"}"#;
    assert_eq!(
        kind(answer(&ba, Flow::Login, 403, &[], origin)),
        FailureKind::Unknown
    );
    let reset_flood = answer(
        &ba,
        Flow::PasswordReset,
        429,
        &[("X-Retry-After", "60")],
        r#"{"message":"Too many requests. Please try again later."}"#,
    )
    .unwrap_err();
    assert_eq!(
        (reset_flood.kind, reset_flood.retry_after),
        (FailureKind::RateLimited, Some(60))
    );
    // With verification required, a taken email gets the same answer as a new one.
    let fake = r#"{"token":null,"user":{"id":"x","email":"seeded@example.com"}}"#;
    assert_eq!(
        answer(&ba, Flow::Signup, 200, &[], fake),
        Ok(Success::VerifyEmail)
    );

    let fb = built_in("firebase");
    let bad_email =
        answer(&fb, Flow::Login, 400, &[], &firebase_error("INVALID_EMAIL")).unwrap_err();
    assert_eq!(
        (
            bad_email.kind,
            bad_email.field_errors[0].field,
            bad_email.field_errors[0].code
        ),
        (
            FailureKind::ValidationFailed,
            Field::Email,
            FieldErrorCode::Malformed
        )
    );
    let no_password = answer(
        &fb,
        Flow::Login,
        400,
        &[],
        &firebase_error("MISSING_PASSWORD"),
    )
    .unwrap_err();
    assert_eq!(
        (
            no_password.field_errors[0].field,
            no_password.field_errors[0].code
        ),
        (Field::Password, FieldErrorCode::Missing)
    );
    // A missing API key answers 403 PERMISSION_DENIED with prose: not the person's fault.
    let key = r#"{"error":{"code":403,"message":"The request is missing a valid API key.","status":"PERMISSION_DENIED"}}"#;
    assert_eq!(
        kind(answer(&fb, Flow::Login, 403, &[], key)),
        FailureKind::Unknown
    );
}

#[test]
fn the_worked_example_profile_follows_the_schema() {
    let schema: Value = json::from_str(include_str!("../profiles/schema.json")).unwrap();
    let doc: Value = json::from_str(include_str!("../docs/examples/acme.json")).unwrap();
    let mut problems = Vec::new();
    check(&schema, &schema, &doc, "acme", &mut problems);
    assert!(problems.is_empty(), "{problems:#?}");
}

// ---- Links sent by email: completing a reset, verifying, a new verification link ------------

fn sign_in_next(o: Outcome) -> String {
    match o {
        Ok(Success::SignInNext { email }) => email,
        other => panic!("expected sign in next, got {other:?}"),
    }
}

fn link_inputs<'a>(token: Option<&'a str>, password: Option<&'a str>) -> Inputs<'a> {
    Inputs {
        email: "a@example.com",
        password,
        link_token: token,
        cookies: "csrftoken=c",
        ..Inputs::default()
    }
}

#[test]
fn contract_link_flows_send_the_token_and_read_sign_in_next_with_the_email() {
    let p = built_in("contract");
    let base = "https://api.example.com/auth";
    let reset = p
        .request(
            Step::Flow(Flow::PasswordResetComplete),
            base,
            &link_inputs(Some("ab12"), Some("new pw")),
        )
        .unwrap();
    assert_eq!(
        (
            reset.method.as_str(),
            reset.url.as_str(),
            reset.body.as_deref()
        ),
        (
            "POST",
            "https://api.example.com/auth/password-reset/complete",
            Some(r#"{"token":"ab12","password":"new pw"}"#)
        )
    );
    let verify = p
        .request(
            Step::Flow(Flow::VerifyEmail),
            base,
            &link_inputs(Some("ab12"), None),
        )
        .unwrap();
    assert_eq!(
        (verify.url.as_str(), verify.body.as_deref()),
        (
            "https://api.example.com/auth/verify-email",
            Some(r#"{"token":"ab12"}"#)
        )
    );
    let resend = p
        .request(
            Step::Flow(Flow::VerifyEmailResend),
            base,
            &link_inputs(None, None),
        )
        .unwrap();
    assert_eq!(
        (resend.url.as_str(), resend.body.as_deref()),
        (
            "https://api.example.com/auth/verify-email/resend",
            Some(r#"{"email":"a@example.com"}"#)
        )
    );
    // No link token: nothing is sent.
    assert_eq!(
        p.request(
            Step::Flow(Flow::VerifyEmail),
            base,
            &link_inputs(None, None)
        ),
        Err(RequestError::MissingLinkToken)
    );
    // The reference server's answers.
    let done = r#"{"next":"sign_in","email":"a@example.com"}"#;
    for flow in [Flow::VerifyEmail, Flow::PasswordResetComplete] {
        assert_eq!(
            sign_in_next(answer(&p, flow, 200, &[], done)),
            "a@example.com"
        );
    }
    assert_eq!(
        answer(
            &p,
            Flow::VerifyEmailResend,
            202,
            &[],
            r#"{"next":"check_email"}"#
        ),
        Ok(Success::Done)
    );
    // A sign-in answer is not a link's answer, nor a link's answer a sign-in.
    assert_eq!(
        kind(answer(&p, Flow::Login, 200, &[], done)),
        FailureKind::UnexpectedResponse
    );
}

#[test]
fn better_auth_reset_complete_sends_token_and_new_password_and_reads_its_answers() {
    let p = built_in("better-auth");
    let r = p
        .request(
            Step::Flow(Flow::PasswordResetComplete),
            "http://h/api/auth",
            &link_inputs(Some("YgKI8RgXPTpkeJeKIQCS3BhP"), Some("a new pw 9")),
        )
        .unwrap();
    assert_eq!(
        (r.method.as_str(), r.url.as_str(), r.body.as_deref()),
        (
            "POST",
            "http://h/api/auth/reset-password",
            Some(r#"{"token":"YgKI8RgXPTpkeJeKIQCS3BhP","newPassword":"a new pw 9"}"#)
        )
    );
    // Its success names no email: the sign-in that follows starts empty.
    assert_eq!(
        sign_in_next(answer(
            &p,
            Flow::PasswordResetComplete,
            200,
            &[],
            r#"{"status":true}"#
        )),
        ""
    );
    // Unknown, used and expired reset tokens all answer this: a link that no longer works.
    let invalid = r#"{"message":"Invalid token","code":"INVALID_TOKEN"}"#;
    assert_eq!(
        kind(answer(&p, Flow::PasswordResetComplete, 400, &[], invalid)),
        FailureKind::LinkInvalid
    );
    let weak = answer(
        &p,
        Flow::PasswordResetComplete,
        400,
        &[],
        r#"{"message":"Password too short","code":"PASSWORD_TOO_SHORT"}"#,
    )
    .unwrap_err();
    assert_eq!(weak.kind, FailureKind::ValidationFailed);
    assert_eq!(
        first_field_error(&weak),
        (Field::Password, FieldErrorCode::TooShort, Some(8))
    );
}

#[test]
fn better_auth_verification_is_a_get_with_the_token_in_the_query() {
    let p = built_in("better-auth");
    let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJlbWFpbCI6InYxQGV4YW1wbGUuY29tIn0.3veQ7x-FR_yH";
    let r = p
        .request(
            Step::Flow(Flow::VerifyEmail),
            "http://h/api/auth/",
            &link_inputs(Some(jwt), None),
        )
        .unwrap();
    assert_eq!(
        (r.method.as_str(), r.url.clone(), r.body),
        (
            "GET",
            format!("http://h/api/auth/verify-email?token={jwt}"),
            None
        )
    );
    assert!(
        !r.headers.iter().any(|(k, _)| k == "Content-Type"),
        "{:?}",
        r.headers
    );
    // Characters outside the form-urlencoded safe set are escaped.
    let odd = p
        .request(
            Step::Flow(Flow::VerifyEmail),
            "http://h/api/auth",
            &link_inputs(Some("a+b/c&d=e"), None),
        )
        .unwrap();
    assert_eq!(
        odd.url,
        "http://h/api/auth/verify-email?token=a%2Bb%2Fc%26d%3De"
    );
    // The first use and every later one answer alike (its tokens are signed, not stored).
    assert_eq!(
        sign_in_next(answer(
            &p,
            Flow::VerifyEmail,
            200,
            &[],
            r#"{"status":true,"user":null}"#
        )),
        ""
    );
    assert_eq!(
        kind(answer(
            &p,
            Flow::VerifyEmail,
            401,
            &[],
            r#"{"message":"Invalid token","code":"INVALID_TOKEN"}"#
        )),
        FailureKind::LinkInvalid
    );
    assert_eq!(
        kind(answer(
            &p,
            Flow::VerifyEmail,
            401,
            &[],
            r#"{"message":"Token expired","code":"TOKEN_EXPIRED"}"#
        )),
        FailureKind::LinkExpired
    );
}

#[test]
fn better_auth_new_verification_link_is_done_and_its_limit_a_countdown() {
    let p = built_in("better-auth");
    let r = p
        .request(
            Step::Flow(Flow::VerifyEmailResend),
            "http://h/api/auth",
            &link_inputs(None, None),
        )
        .unwrap();
    assert_eq!(
        (r.url.as_str(), r.body.as_deref()),
        (
            "http://h/api/auth/send-verification-email",
            Some(r#"{"email":"a@example.com"}"#)
        )
    );
    assert_eq!(
        answer(&p, Flow::VerifyEmailResend, 200, &[], r#"{"status":true}"#),
        Ok(Success::Done)
    );
    let limited = answer(
        &p,
        Flow::VerifyEmailResend,
        429,
        &[("x-retry-after", "60")],
        r#"{"message":"Too many requests. Please try again later."}"#,
    )
    .unwrap_err();
    assert_eq!(
        (limited.kind, limited.retry_after),
        (FailureKind::RateLimited, Some(60))
    );
}

const ALLAUTH_SIGNED_OUT: &str = r#"{"status": 401, "data": {"flows": [{"id": "login"}, {"id": "signup"}]}, "meta": {"is_authenticated": false}}"#;

#[test]
fn allauth_link_flows_send_the_key_with_the_csrf_header() {
    let p = built_in("allauth");
    let base = "http://h/_allauth/browser/v1";
    let key = "Mg:1xXv7l:8_d3prKTSd_j8ArBXEw9wybA2SSiU189puRD-lgNryY";
    let verify = p
        .request(
            Step::Flow(Flow::VerifyEmail),
            base,
            &link_inputs(Some(key), None),
        )
        .unwrap();
    assert_eq!(
        (verify.method.as_str(), verify.url.as_str()),
        ("POST", "http://h/_allauth/browser/v1/auth/email/verify")
    );
    assert_eq!(verify.body, Some(format!(r#"{{"key":"{key}"}}"#)));
    assert!(verify.headers.contains(&("X-CSRFToken".into(), "c".into())));
    let reset = p
        .request(
            Step::Flow(Flow::PasswordResetComplete),
            base,
            &link_inputs(Some("1-ditzdq-64128a8bff2c"), Some("new pw")),
        )
        .unwrap();
    assert_eq!(
        (reset.url.as_str(), reset.body.as_deref()),
        (
            "http://h/_allauth/browser/v1/auth/password/reset",
            Some(r#"{"key":"1-ditzdq-64128a8bff2c","password":"new pw"}"#)
        )
    );
    // allauth offers no new verification link to a signed-out person.
    assert!(!p.has(Step::Flow(Flow::VerifyEmailResend)));
    assert_eq!(
        p.request(
            Step::Flow(Flow::VerifyEmailResend),
            base,
            &link_inputs(None, None)
        ),
        Err(RequestError::NoCall)
    );
}

#[test]
fn allauth_link_answers_read_as_sign_in_next_link_invalid_and_password_errors() {
    let p = built_in("allauth");
    // Done and not signed in: a 401 with no pending flow.
    for flow in [Flow::VerifyEmail, Flow::PasswordResetComplete] {
        assert_eq!(
            sign_in_next(answer(&p, flow, 401, &[], ALLAUTH_SIGNED_OUT)),
            ""
        );
    }
    // With ACCOUNT_LOGIN_ON_PASSWORD_RESET on, it answers as a sign-in does: the email is there.
    let signed_in = r#"{"status": 200, "data": {"user": {"id": 1, "display": "seeded", "email": "seeded@example.com", "has_usable_password": true, "username": "seeded"}, "methods": [{"method": "password", "at": 1796021061.966763, "email": "seeded@example.com"}]}, "meta": {"is_authenticated": true}}"#;
    assert_eq!(
        sign_in_next(answer(&p, Flow::PasswordResetComplete, 200, &[], signed_in)),
        "seeded@example.com"
    );
    // One answer for unknown, expired and used keys: link_invalid.
    let verify_bad = r#"{"status": 400, "errors": [{"message": "Invalid or expired key.", "code": "invalid_or_expired_key", "param": "key"}]}"#;
    assert_eq!(
        kind(answer(&p, Flow::VerifyEmail, 400, &[], verify_bad)),
        FailureKind::LinkInvalid
    );
    let reset_bad = r#"{"status": 400, "errors": [{"message": "The password reset token was invalid.", "code": "invalid_password_reset", "param": "key"}]}"#;
    let f = answer(&p, Flow::PasswordResetComplete, 400, &[], reset_bad).unwrap_err();
    assert_eq!(
        (f.kind, f.field_errors.len()),
        (FailureKind::LinkInvalid, 0)
    );
    // A weak new password: its reasons at the password field.
    let weak = r#"{"status": 400, "errors": [{"message": "This password is too common.", "code": "password_too_common", "param": "password"}, {"message": "This password is entirely numeric.", "code": "password_entirely_numeric", "param": "password"}]}"#;
    let f = answer(&p, Flow::PasswordResetComplete, 400, &[], weak).unwrap_err();
    assert_eq!(f.kind, FailureKind::ValidationFailed);
    assert_eq!(
        f.field_errors
            .iter()
            .map(|e| (e.field, e.code))
            .collect::<Vec<_>>(),
        [(Field::Password, FieldErrorCode::Common)]
    );
    let short = r#"{"status": 400, "errors": [{"message": "This password is too short. It must contain at least 8 characters.", "code": "password_too_short", "param": "password"}]}"#;
    let f = answer(&p, Flow::PasswordResetComplete, 400, &[], short).unwrap_err();
    assert_eq!(
        (f.kind, f.field_errors[0].code, f.field_errors[0].min),
        (
            FailureKind::ValidationFailed,
            FieldErrorCode::TooShort,
            Some(8)
        )
    );
}

#[test]
fn a_link_profile_is_checked_like_the_rest() {
    let base = r#"{"version":1,"name":"x","errors":{"code":["/code"]},"flows":{
        "sign_in":{"method":"POST","path":"/a","success":[200],"user":{"id":"/i","email":"/e"}},
        "sign_up":{"method":"POST","path":"/a","success":[200],"user":{"id":"/i","email":"/e"}},
        "session":{"method":"GET","path":"/a","success":[200],"user":{"id":"/i","email":"/e"}},
        "reset_request":{"method":"POST","path":"/a","success":[200]},"#;
    let cases = [
        // The email of a link's answer is read only where a link's answer is.
        (
            r#""verify_resend":{"method":"POST","path":"/r","success":[200],"email":"/e"}}}"#,
            "/flows/verify_resend",
        ),
        // A GET has no body, but may carry its fields in the query.
        (
            r#""verify_email":{"method":"GET","path":"/v","body":"json","fields":{"link_token":"t"},"success":[200]}}}"#,
            "/flows/verify_email",
        ),
        (
            r#""verify_email":{"method":"GET","path":"/v","body":"query","fields":{"link":"t"},"success":[200]}}}"#,
            "/flows/verify_email/fields/link",
        ),
        (
            r#""reset_complete":{"method":"POST","path":"/c","success":[200],"email":"e"}}}"#,
            "/flows/reset_complete/email",
        ),
    ];
    for (tail, at) in cases {
        let text = format!("{base}{tail}");
        let e = Profile::parse(&text).expect_err(&text);
        assert_eq!(e.at, at, "{e}");
    }
    let ok = format!(
        r#"{base}"verify_email":{{"method":"GET","path":"/v","body":"query","fields":{{"link_token":"t"}},"success":[200],"email":"/user/email"}}}}}}"#
    );
    let p = Profile::parse(&ok).unwrap_or_else(|e| panic!("{e}"));
    assert!(p.has(Step::Flow(Flow::VerifyEmail)));
    assert!(!p.has(Step::Flow(Flow::PasswordResetComplete)));
}

#[test]
fn firebase_link_flows_send_the_oob_code_and_read_the_email_they_name() {
    let p = built_in("firebase");
    let base = "http://127.0.0.1:1/identitytoolkit.googleapis.com/v1";
    let attributes = [("api-key", "k")];
    let inputs = Inputs {
        link_token: Some("9VU3u4gaR5sgYn2X-PHn3"),
        password: Some("a new pw 2"),
        attributes: &attributes,
        ..Inputs::default()
    };
    let reset = p
        .request(Step::Flow(Flow::PasswordResetComplete), base, &inputs)
        .unwrap();
    assert_eq!(
        (reset.url.as_str(), reset.body.as_deref(), reset.credentials),
        (
            "http://127.0.0.1:1/identitytoolkit.googleapis.com/v1/accounts:resetPassword?key=k",
            Some(r#"{"oobCode":"9VU3u4gaR5sgYn2X-PHn3","newPassword":"a new pw 2"}"#),
            Credentials::Omit
        )
    );
    let verify = p
        .request(Step::Flow(Flow::VerifyEmail), base, &inputs)
        .unwrap();
    assert_eq!(
        (verify.url.as_str(), verify.body.as_deref()),
        (
            "http://127.0.0.1:1/identitytoolkit.googleapis.com/v1/accounts:update?key=k",
            Some(r#"{"oobCode":"9VU3u4gaR5sgYn2X-PHn3"}"#)
        )
    );
    assert!(!p.has(Step::Flow(Flow::VerifyEmailResend)));
    // The emulator's answers (firebase-tools 15.34.2).
    let reset_done = r#"{"kind":"identitytoolkit#ResetPasswordResponse","requestType":"PASSWORD_RESET","email":"f1@example.com"}"#;
    assert_eq!(
        sign_in_next(answer(
            &p,
            Flow::PasswordResetComplete,
            200,
            &[],
            reset_done
        )),
        "f1@example.com"
    );
    let verified = r#"{"kind":"identitytoolkit#SetAccountInfoResponse","localId":"JvOuqQbQekE2PUwTYthPIH6rbtW5","emailVerified":true,"providerUserInfo":[{"providerId":"password","email":"f1@example.com","federatedId":"f1@example.com","rawId":"f1@example.com"}],"email":"f1@example.com"}"#;
    assert_eq!(
        sign_in_next(answer(&p, Flow::VerifyEmail, 200, &[], verified)),
        "f1@example.com"
    );
    for flow in [Flow::VerifyEmail, Flow::PasswordResetComplete] {
        assert_eq!(
            kind(answer(
                &p,
                flow,
                400,
                &[],
                &firebase_error("INVALID_OOB_CODE")
            )),
            FailureKind::LinkInvalid
        );
        // The real service's answer for a code past its lifetime (the emulator never expires one).
        assert_eq!(
            kind(answer(
                &p,
                flow,
                400,
                &[],
                &firebase_error("EXPIRED_OOB_CODE")
            )),
            FailureKind::LinkExpired
        );
    }
    let weak = answer(
        &p,
        Flow::PasswordResetComplete,
        400,
        &[],
        &firebase_error("WEAK_PASSWORD : Password should be at least 6 characters"),
    )
    .unwrap_err();
    assert_eq!(
        (
            weak.kind,
            weak.field_errors[0].field,
            weak.field_errors[0].min
        ),
        (FailureKind::ValidationFailed, Field::Password, Some(6))
    );
}
