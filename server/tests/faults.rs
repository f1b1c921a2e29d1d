//! Fault injection (`--faults`, `PUT /_admin/faults`): each fault's exact effect, and one test
//! per contract code through `code:<code>` (errors-16, errors-17).

mod common;

use std::time::{Duration, Instant};

use common::*;
use serde_json::json;

#[tokio::test]
async fn faults_are_refused_without_the_flag() {
    let s = server(&[]).await;
    let a = s
        .admin_put("/_admin/faults", &json!({"fault": "unavailable"}))
        .await;
    a.problem(403, "faults_disabled");
    assert_eq!(
        s.login(DEMO_EMAIL, DEMO_PASSWORD).await.status,
        200,
        "nothing was injected"
    );
}

#[tokio::test]
async fn get_returns_the_current_fault_and_null_clears_it() {
    let s = server(&["--faults"]).await;
    assert_eq!(
        s.admin_get("/_admin/faults").await.json(),
        json!({"fault": null, "endpoint": null})
    );
    s.fault(Some("unavailable"), Some("login")).await;
    assert_eq!(
        s.admin_get("/_admin/faults").await.json(),
        json!({"fault": "unavailable", "endpoint": "login"})
    );
    s.fault(None, None).await;
    assert_eq!(
        s.admin_get("/_admin/faults").await.json(),
        json!({"fault": null, "endpoint": null})
    );
    assert_eq!(s.login(DEMO_EMAIL, DEMO_PASSWORD).await.status, 200);
}

#[tokio::test]
async fn unknown_fault_or_endpoint_is_422() {
    let s = server(&["--faults"]).await;
    let a = s
        .admin_put("/_admin/faults", &json!({"fault": "meteor"}))
        .await;
    let body = a.problem(422, "validation_failed");
    assert_eq!(body["errors"][0]["field"], "fault");
    let b = s
        .admin_put(
            "/_admin/faults",
            &json!({"fault": "unavailable", "endpoint": "x"}),
        )
        .await;
    assert_eq!(
        b.problem(422, "validation_failed")["errors"][0]["field"],
        "endpoint"
    );
    s.admin_put("/_admin/faults", &json!({"fault": "code:nope"}))
        .await
        .problem(422, "validation_failed");
    s.admin_put("/_admin/faults", &json!({"fault": "slow:abc"}))
        .await
        .problem(422, "validation_failed");
}

#[tokio::test]
async fn session_invalid_fault_login_succeeds_then_session_check_fails() {
    // The incident: correct password, server-side token validation broken.
    let s = server(&["--faults"]).await;
    s.fault(Some("session_invalid"), None).await;
    let a = s.login(DEMO_EMAIL, DEMO_PASSWORD).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let token = a.cookie_token().unwrap();
    s.session_with_cookie(&token)
        .await
        .problem(401, "session_invalid");
    // Scoped to login, it still breaks the session check that follows the login.
    s.fault(Some("session_invalid"), Some("login")).await;
    s.session_with_cookie(&token)
        .await
        .problem(401, "session_invalid");
    s.fault(None, None).await;
    assert_eq!(s.session_with_cookie(&token).await.status, 200);
}

#[tokio::test]
async fn slow_fault_delays_then_answers_normally() {
    let s = server(&["--faults"]).await;
    s.fault(Some("slow:400"), Some("login")).await;
    let t = Instant::now();
    let a = s.login(DEMO_EMAIL, DEMO_PASSWORD).await;
    assert!(
        t.elapsed() >= Duration::from_millis(400),
        "{:?}",
        t.elapsed()
    );
    assert_eq!(a.status, 200);
    // Other endpoints are not delayed.
    let t = Instant::now();
    assert_eq!(s.get("/auth/status").await.status, 200);
    assert!(t.elapsed() < Duration::from_millis(400));
}

#[tokio::test]
async fn unavailable_fault_is_503_with_retry_after() {
    let s = server(&["--faults"]).await;
    s.fault(Some("unavailable"), None).await;
    let a = s.login(DEMO_EMAIL, DEMO_PASSWORD).await;
    let body = a.problem(503, "service_unavailable");
    assert_eq!(a.header("retry-after").as_deref(), Some("3"));
    assert_eq!(body["retry_after"], 3);
    assert!(body["instance"].as_str().unwrap().starts_with("ref-"));
}

#[tokio::test]
async fn internal_error_fault_is_500_with_reference_id() {
    let s = server(&["--faults"]).await;
    s.fault(Some("internal_error"), Some("signup")).await;
    let a = s.signup("new@example.com", "long enough password").await;
    let body = a.problem(500, "internal_error");
    let instance = body["instance"].as_str().unwrap();
    assert!(
        instance.starts_with("ref-") && instance.len() > 8,
        "{instance}"
    );
    // Scoped: login is unaffected.
    assert_eq!(s.login(DEMO_EMAIL, DEMO_PASSWORD).await.status, 200);
}

#[tokio::test]
async fn html_502_fault_is_a_proxy_html_page() {
    let s = server(&["--faults"]).await;
    s.fault(Some("html_502"), Some("login")).await;
    let a = s.login(DEMO_EMAIL, DEMO_PASSWORD).await;
    assert_eq!(a.status, 502);
    assert!(
        a.content_type().starts_with("text/html"),
        "{}",
        a.content_type()
    );
    assert!(a.text.contains("502 Bad Gateway"));
}

#[tokio::test]
async fn malformed_json_fault_is_200_with_broken_json() {
    let s = server(&["--faults"]).await;
    s.fault(Some("malformed_json"), Some("login")).await;
    let a = s.login(DEMO_EMAIL, DEMO_PASSWORD).await;
    assert_eq!(a.status, 200);
    assert!(a.content_type().starts_with("application/json"));
    assert!(
        serde_json::from_str::<serde_json::Value>(&a.text).is_err(),
        "{}",
        a.text
    );
}

#[tokio::test]
async fn drop_connection_fault_gives_no_answer() {
    let s = server(&["--faults"]).await;
    s.fault(Some("drop_connection"), Some("login")).await;
    let res = async {
        let r = s
            .http
            .post(s.url("/auth/login"))
            .json(&json!({"email": DEMO_EMAIL, "password": DEMO_PASSWORD}))
            .send()
            .await?;
        r.text().await
    }
    .await;
    assert!(res.is_err(), "expected a transport error, got {res:?}");
    // The server itself is fine.
    assert_eq!(s.get("/auth/status").await.status, 200);
}

#[tokio::test]
async fn every_contract_code_can_be_injected_with_its_status() {
    let s = server(&["--faults"]).await;
    let codes = [
        ("invalid_credentials", 401, false),
        ("account_locked", 403, true),
        ("account_disabled", 403, false),
        ("email_unverified", 403, false),
        ("validation_failed", 422, false),
        ("email_taken", 409, false),
        ("signup_closed", 403, false),
        ("rate_limited", 429, true),
        ("session_invalid", 401, false),
        ("session_expired", 401, false),
        ("service_unavailable", 503, true),
        ("internal_error", 500, false),
        ("link_expired", 410, false),
        ("link_used", 410, false),
        ("link_invalid", 400, false),
        ("code_invalid", 401, false),
        ("code_used", 401, false),
        ("codes_paused", 429, true),
        ("step_expired", 410, false),
        ("passkey_unknown", 401, false),
        ("passkey_invalid", 401, false),
        ("passkey_registered", 409, false),
        ("challenge_expired", 410, false),
    ];
    assert_eq!(codes.len(), auth_server::problem::CONTRACT_CODES.len());
    for (code, status, retry) in codes {
        s.fault(Some(&format!("code:{code}")), Some("login")).await;
        let a = s.login(DEMO_EMAIL, DEMO_PASSWORD).await;
        let body = a.problem(status, code);
        assert_eq!(
            a.header("retry-after").is_some(),
            retry,
            "{code}: Retry-After"
        );
        if retry {
            assert_eq!(a.header("retry-after").as_deref(), Some("3"));
        }
        if code == "validation_failed" {
            assert_eq!(body["errors"][0]["field"], "password");
        }
    }
}

#[tokio::test]
async fn faults_are_counted_in_metrics_as_their_outcome() {
    let s = server(&["--faults"]).await;
    s.fault(Some("code:rate_limited"), Some("login")).await;
    s.login(DEMO_EMAIL, DEMO_PASSWORD).await;
    let m = s.admin_get("/metrics").await.text;
    assert!(
        m.lines().any(|l| l.starts_with("auth_attempts_total")
            && l.contains("flow=\"login\"")
            && l.contains("outcome=\"rate_limited\"")),
        "{m}"
    );
}

/// Clients must fall back by status class for codes outside the contract; this fault lets
/// their tests produce one.
#[tokio::test]
async fn problem_fault_answers_a_foreign_code_with_its_status() {
    let s = server(&["--faults"]).await;
    s.fault(Some("problem:507:disk_full"), Some("login")).await;
    let a = s.login(DEMO_EMAIL, DEMO_PASSWORD).await;
    let body = a.problem(507, "disk_full");
    assert!(body["instance"].as_str().is_some_and(|i| !i.is_empty()));
    for bad in [
        "problem:200:x",
        "problem:abc:x",
        "problem:401:Bad-Code",
        "problem:401:",
    ] {
        let refused = s.admin_put("/_admin/faults", &json!({"fault": bad})).await;
        refused.problem(422, "validation_failed");
    }
}
