//! Abuse limits: per-client rate limit, per-account lockout, load shedding, and timing that does
//! not reveal whether an account exists (errors-14, errors-16, sessions-24).

mod common;

use common::*;
use serde_json::json;

/// Ten wrong passwords, then the right one is refused as `account_locked`.
async fn lock_demo_account(s: &Server) {
    for i in 1..=10 {
        s.login(DEMO_EMAIL, &format!("wrong password {i}")).await;
    }
    s.login(DEMO_EMAIL, DEMO_PASSWORD)
        .await
        .problem(403, "account_locked");
}

#[tokio::test]
async fn errors_16_rate_limited_is_429_with_retry_after() {
    let s = server(&["--rate-limit-per-minute", "5"]).await;
    for _ in 0..5 {
        let a = s.login("nobody@example.com", "whatever pass").await;
        assert_eq!(a.status, 401, "{}", a.text);
    }
    let a = s.login(DEMO_EMAIL, DEMO_PASSWORD).await;
    let body = a.problem(429, "rate_limited");
    let retry: u64 = a
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .expect("seconds");
    assert!((1..=60).contains(&retry), "retry-after {retry}");
    assert_eq!(body["retry_after"], retry);
    // The status endpoint stays reachable so the widget can still show incidents.
    assert_eq!(s.get("/auth/status").await.status, 200);
}

/// The browser and end-to-end suites start their server with a burst the size of the limit:
/// their one client (127.0.0.1) makes many calls in a short time.
#[tokio::test]
async fn a_burst_the_size_of_the_limit_lets_a_browser_test_suite_through() {
    let s = server(&["--rate-limit-burst", "600"]).await;
    for i in 0..120 {
        let a = s
            .login(&format!("nobody-{i}@example.com"), "whatever pass")
            .await;
        assert_eq!(a.status, 401, "{}", a.text);
    }
}

#[tokio::test]
async fn sessions_24_no_lockout_before_the_tenth_failure() {
    let s = server(&[]).await;
    for i in 1..=9 {
        s.login(DEMO_EMAIL, &format!("wrong password {i}"))
            .await
            .problem(401, "invalid_credentials");
    }
    // Nine failures: the right password still works, and resets the count.
    assert_eq!(s.login(DEMO_EMAIL, DEMO_PASSWORD).await.status, 200);
    for i in 1..=9 {
        s.login(DEMO_EMAIL, &format!("wrong password {i}"))
            .await
            .problem(401, "invalid_credentials");
    }
    assert_eq!(
        s.login(DEMO_EMAIL, DEMO_PASSWORD).await.status,
        200,
        "count was reset"
    );
}

#[tokio::test]
async fn sessions_24_locked_after_ten_consecutive_failures_with_retry_after() {
    let s = server(&["--lockout-secs", "120"]).await;
    for i in 1..=10 {
        let a = s.login(DEMO_EMAIL, &format!("wrong password {i}")).await;
        a.problem(401, "invalid_credentials");
    }
    let a = s.login(DEMO_EMAIL, DEMO_PASSWORD).await;
    let body = a.problem(403, "account_locked");
    let retry: u64 = a
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!((100..=120).contains(&retry), "{retry}");
    assert_eq!(body["retry_after"], retry);
    assert!(a.cookie_token().is_none());
}

#[tokio::test]
async fn sessions_24_password_reset_is_accepted_while_locked() {
    let s = server(&[]).await;
    lock_demo_account(&s).await;
    let r = s
        .post_json("/auth/password-reset", &json!({"email": DEMO_EMAIL}))
        .await;
    assert_eq!(r.status, 202, "{}", r.text);
}

#[tokio::test]
async fn password_reset_is_202_for_known_and_unknown_alike() {
    let s = server(&[]).await;
    let known = s
        .post_json("/auth/password-reset", &json!({"email": DEMO_EMAIL}))
        .await;
    let unknown = s
        .post_json(
            "/auth/password-reset",
            &json!({"email": "nobody@example.com"}),
        )
        .await;
    assert_eq!((known.status, unknown.status), (202, 202));
    assert_eq!(known.text, unknown.text);
    // Only the registered address gets a link (the work happens after the answer).
    s.wait_for_mail("reset", DEMO_EMAIL, 1).await;
    let links =
        auth_server::db::count_links(&s.running.state.db, auth_server::db::Purpose::PasswordReset)
            .await
            .unwrap();
    assert_eq!(links, 1, "one link, for the registered address");
    assert!(s.mailbox().await.iter().all(|m| m["to"] == DEMO_EMAIL));
    let bad = s
        .post_json("/auth/password-reset", &json!({"email": "nope"}))
        .await;
    bad.problem(422, "validation_failed");
}

#[tokio::test]
async fn unlock_by_operator_clears_the_lock() {
    let s = server(&[]).await;
    lock_demo_account(&s).await;
    let u = s
        .admin_put(
            "/_admin/users",
            &json!({"email": DEMO_EMAIL, "unlock": true}),
        )
        .await;
    assert_eq!(u.status, 200, "{}", u.text);
    assert_eq!(s.login(DEMO_EMAIL, DEMO_PASSWORD).await.status, 200);
}

/// More logins than hashing slots, with a short queue: the excess is shed with 503 +
/// Retry-After instead of piling up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overload_is_shed_with_503_service_unavailable() {
    let s = server(&[
        "--argon2-m-cost",
        "32768",
        "--argon2-t-cost",
        "6",
        "--max-concurrent-hashes",
        "1",
        "--hash-queue-timeout-ms",
        "5",
        "--rate-limit-per-minute",
        "0",
    ])
    .await;
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let http = s.http.clone();
        let url = s.url("/auth/login");
        tasks.push(tokio::spawn(async move {
            let r = http
                .post(url)
                .json(&json!({"email": DEMO_EMAIL, "password": DEMO_PASSWORD}))
                .send()
                .await
                .unwrap();
            let retry = r
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_string());
            let status = r.status().as_u16();
            let body: serde_json::Value = r.json().await.unwrap();
            (status, retry, body)
        }));
    }
    let mut ok = 0;
    let mut shed = 0;
    for t in tasks {
        let (status, retry, body) = t.await.unwrap();
        match status {
            200 => ok += 1,
            503 => {
                shed += 1;
                assert_eq!(body["code"], "service_unavailable");
                assert!(retry.is_some(), "503 carries Retry-After");
                assert!(body["instance"].as_str().unwrap().starts_with("ref-"));
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert!(ok >= 1, "some requests are served");
    assert!(shed >= 1, "the excess is shed");
}
