//! Lockout that cannot be turned into a weapon or an oracle (NIST SP 800-63B §3.2.2; OWASP
//! Authentication Cheat Sheet, "Account lockout"): the count starts over when a lock expires,
//! an unregistered email answers exactly like a registered one, locks included, and a password
//! reset is always accepted.

mod common;

use common::*;
use serde_json::{Value, json};

const UNKNOWN: &str = "nobody-here@example.com";

/// Ten wrong passwords for `email`; returns the eleventh answer (the right password for the
/// demo account, any password for an unknown email).
async fn ten_failures_then(s: &Server, email: &str, then: &str) -> Answer {
    for i in 1..=10 {
        s.login(email, &format!("wrong password {i}"))
            .await
            .problem(401, "invalid_credentials");
    }
    s.login(email, then).await
}

/// The answer without what differs between any two answers (the reference id).
fn comparable(a: &Answer) -> (u16, Option<String>, Value) {
    let mut body = a.json();
    body["instance"] = Value::Null;
    (a.status, a.header("retry-after"), body)
}

#[tokio::test]
async fn an_unregistered_email_locks_after_ten_failures_exactly_like_a_registered_one() {
    let s = server(&["--lockout-secs", "600", "--rate-limit-per-minute", "0"]).await;
    let known = ten_failures_then(&s, DEMO_EMAIL, DEMO_PASSWORD).await;
    let unknown = ten_failures_then(&s, UNKNOWN, DEMO_PASSWORD).await;
    unknown.problem(403, "account_locked");
    assert_eq!(comparable(&known), comparable(&unknown));
    assert_eq!(known.content_type(), unknown.content_type());
}

#[tokio::test]
async fn after_a_lock_expires_one_wrong_password_does_not_lock_the_account_again() {
    // Three seconds, not one: locks are kept in whole seconds, so a one-second lock that starts
    // late in a second is over at the next one, and the eleventh request (a password check
    // later) found it gone in a CI run. A three-second lock lasts at least two.
    let s = server(&["--lockout-secs", "3", "--rate-limit-per-minute", "0"]).await;
    let locked = ten_failures_then(&s, DEMO_EMAIL, DEMO_PASSWORD).await;
    locked.problem(403, "account_locked");
    let wait: u64 = locked.header("retry-after").unwrap().parse().unwrap();
    // The lock is a span of wall-clock time: wait it out (whole seconds, plus the second the
    // lock started in).
    tokio::time::sleep(std::time::Duration::from_secs(wait + 1)).await;
    s.login(DEMO_EMAIL, "one more wrong password")
        .await
        .problem(401, "invalid_credentials");
    let a = s.login(DEMO_EMAIL, DEMO_PASSWORD).await;
    assert_eq!(a.status, 200, "the count started over: {}", a.text);
}

#[tokio::test]
async fn a_password_reset_is_accepted_alike_for_locked_known_and_unknown_emails() {
    let s = server(&["--rate-limit-per-minute", "0"]).await;
    ten_failures_then(&s, DEMO_EMAIL, DEMO_PASSWORD)
        .await
        .problem(403, "account_locked");
    ten_failures_then(&s, UNKNOWN, DEMO_PASSWORD)
        .await
        .problem(403, "account_locked");
    let known = s
        .post_json("/auth/password-reset", &json!({"email": DEMO_EMAIL}))
        .await;
    let unknown = s
        .post_json("/auth/password-reset", &json!({"email": UNKNOWN}))
        .await;
    assert_eq!((known.status, unknown.status), (202, 202));
    assert_eq!(known.text, unknown.text);
}

#[tokio::test]
async fn failure_counters_for_unknown_emails_are_bounded() {
    let s = server(&[
        "--lockout-max-tracked",
        "50",
        "--rate-limit-per-minute",
        "0",
    ])
    .await;
    for i in 0..120 {
        s.login(&format!("spray-{i}@example.com"), "guess")
            .await
            .problem(401, "invalid_credentials");
    }
    let tracked = auth_server::db::count_rows(&s.running.state.db, "login_failures")
        .await
        .unwrap();
    assert!(tracked <= 50, "{tracked} counters kept");
    assert!(tracked > 0, "the counters exist");
}
