//! Sign-up and the password rules (docs/contract.md; fields-4, fields-9).

mod common;

use common::*;
use serde_json::json;

const GOOD: &str = "plain words are fine here";

#[tokio::test]
async fn signup_201_signs_in_and_session_works() {
    let s = server(&[]).await;
    let a = s.signup("new@example.com", GOOD).await;
    assert_eq!(a.status, 201, "{}", a.text);
    assert_eq!(a.json()["user"]["email"], "new@example.com");
    let token = a.cookie_token().expect("signed in");
    assert_eq!(
        s.session_with_cookie(&token).await.json()["user"]["email"],
        "new@example.com"
    );
    // And the account signs in later with the same password.
    assert_eq!(s.login("new@example.com", GOOD).await.status, 200);
}

#[tokio::test]
async fn signup_with_bearer_returns_access_token() {
    let s = server(&["--bearer"]).await;
    let a = s.signup("new@example.com", GOOD).await;
    assert_eq!(a.status, 201);
    assert!(
        a.json()["access_token"]
            .as_str()
            .is_some_and(|t| t.split('.').count() == 3)
    );
}

#[tokio::test]
async fn require_verification_answers_202_and_login_is_email_unverified() {
    let s = server(&["--require-verification"]).await;
    let a = s.signup("new@example.com", GOOD).await;
    assert_eq!(a.status, 202, "{}", a.text);
    assert_eq!(a.json(), json!({"next": "verify_email"}));
    assert!(a.cookie_token().is_none(), "no session before verification");
    s.login("new@example.com", GOOD)
        .await
        .problem(403, "email_unverified");
    // Unverified status is only revealed with the right password.
    s.login("new@example.com", "wrong password!")
        .await
        .problem(401, "invalid_credentials");
    // The operator (or the verification link) marks it verified: login works.
    let v = s
        .admin_put(
            "/_admin/users",
            &json!({"email": "new@example.com", "verified": true}),
        )
        .await;
    assert_eq!(v.status, 200, "{}", v.text);
    assert_eq!(s.login("new@example.com", GOOD).await.status, 200);
}

#[tokio::test]
async fn taken_email_is_409_email_taken() {
    let s = server(&[]).await;
    let a = s.signup(DEMO_EMAIL, GOOD).await;
    a.problem(409, "email_taken");
    // Case does not make it a different account.
    s.signup("DEMO@example.com", GOOD)
        .await
        .problem(409, "email_taken");
    // The existing password is unchanged.
    assert_eq!(s.login(DEMO_EMAIL, DEMO_PASSWORD).await.status, 200);
}

#[tokio::test]
async fn enumeration_safe_signup_answers_taken_and_new_alike() {
    let s = server(&["--enumeration-safe-signup", "--require-verification"]).await;
    let taken = s.signup(DEMO_EMAIL, GOOD).await;
    let fresh = s.signup("fresh@example.com", GOOD).await;
    assert_eq!((taken.status, fresh.status), (202, 202));
    assert_eq!(taken.text, fresh.text);
    assert_eq!(taken.json(), json!({"next": "verify_email"}));
    assert_eq!(
        s.login(DEMO_EMAIL, DEMO_PASSWORD).await.status,
        200,
        "demo password unchanged"
    );
}

#[tokio::test]
async fn signup_closed_is_403() {
    let s = server(&["--signup-closed"]).await;
    s.signup("new@example.com", GOOD)
        .await
        .problem(403, "signup_closed");
    // Login still works.
    assert_eq!(s.login(DEMO_EMAIL, DEMO_PASSWORD).await.status, 200);
}

fn only_error(a: &Answer) -> serde_json::Value {
    let body = a.problem(422, "validation_failed");
    let errors = body["errors"].as_array().expect("errors[]").clone();
    assert_eq!(errors.len(), 1, "{body}");
    errors[0].clone()
}

#[tokio::test]
async fn fields_9_too_short_states_the_minimum() {
    let s = server(&[]).await;
    let e = only_error(&s.signup("new@example.com", "short").await);
    assert_eq!(
        e,
        json!({"field": "password", "code": "too_short", "min": 8})
    );
}

#[tokio::test]
async fn fields_9_minimum_is_configurable() {
    let s = server(&["--password-min-length", "12"]).await;
    let e = only_error(&s.signup("new@example.com", "elevenchars").await);
    assert_eq!(
        e,
        json!({"field": "password", "code": "too_short", "min": 12})
    );
    assert_eq!(
        s.signup("new@example.com", "twelve chars").await.status,
        201
    );
}

#[tokio::test]
async fn fields_9_length_is_counted_in_code_points() {
    let s = server(&[]).await;
    // Seven emoji: 28 bytes in UTF-8 but 7 code points, so too short.
    let e = only_error(&s.signup("a@example.com", "🔑🔑🔑🔑🔑🔑🔑").await);
    assert_eq!(e["code"], "too_short");
    // Eight are enough.
    assert_eq!(
        s.signup("b@example.com", "🔑🔑🔑🔑🔑🔑🔑🔑").await.status,
        201
    );
}

#[tokio::test]
async fn fields_9_long_passwords_allowed_and_maximum_reported() {
    let s = server(&[]).await;
    let long: String = "correct horse ".repeat(10).chars().take(128).collect();
    assert_eq!(s.signup("long@example.com", &long).await.status, 201);
    let e = only_error(&s.signup("huge@example.com", &"x".repeat(1025)).await);
    assert_eq!(
        e,
        json!({"field": "password", "code": "too_long", "max": 1024})
    );
}

#[tokio::test]
async fn fields_9_common_password_refused_with_reason() {
    let s = server(&[]).await;
    for pw in ["password", "12345678", "iloveyou", "Sunshine1"] {
        let a = s.signup("new@example.com", pw).await;
        assert_eq!(
            only_error(&a),
            json!({"field": "password", "code": "common"}),
            "{pw}"
        );
    }
}

#[tokio::test]
async fn fields_9_password_containing_email_local_part_refused() {
    let s = server(&[]).await;
    let e = only_error(&s.signup("rosalind@example.com", "my-ROSALIND-secret").await);
    assert_eq!(e, json!({"field": "password", "code": "contains_email"}));
}

#[tokio::test]
async fn fields_4_password_bytes_are_kept_exactly() {
    let s = server(&[]).await;
    // Leading/trailing spaces, emoji and non-ASCII text are part of the password.
    let pw = "  ünïcødé 🐢 pass  ";
    assert_eq!(s.signup("exact@example.com", pw).await.status, 201);
    assert_eq!(s.login("exact@example.com", pw).await.status, 200);
    s.login("exact@example.com", pw.trim())
        .await
        .problem(401, "invalid_credentials");
}

#[tokio::test]
async fn signup_field_errors_are_reported_together() {
    let s = server(&[]).await;
    let a = s
        .post_json(
            "/auth/signup",
            &json!({"email": "not-an-email", "password": 5}),
        )
        .await;
    let body = a.problem(422, "validation_failed");
    let errors = body["errors"].as_array().unwrap();
    assert!(
        errors.contains(&json!({"field": "email", "code": "malformed"})),
        "{body}"
    );
    assert!(
        errors.contains(&json!({"field": "password", "code": "malformed"})),
        "{body}"
    );
}

#[tokio::test]
async fn disabled_account_is_403_account_disabled_only_with_right_password() {
    let s = server(&[]).await;
    let token = s.demo_token().await;
    let d = s
        .admin_put(
            "/_admin/users",
            &json!({"email": DEMO_EMAIL, "disabled": true}),
        )
        .await;
    assert_eq!(d.status, 200, "{}", d.text);
    s.login(DEMO_EMAIL, DEMO_PASSWORD)
        .await
        .problem(403, "account_disabled");
    s.login(DEMO_EMAIL, "wrong password")
        .await
        .problem(401, "invalid_credentials");
    // A session from before the account was disabled no longer works either.
    s.session_with_cookie(&token)
        .await
        .problem(403, "account_disabled");
}
