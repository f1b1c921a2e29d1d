//! Login, session and logout over real HTTP (docs/contract.md; errors-14, sessions-22).

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn login_success_sets_session_cookie_and_session_answers_the_user() {
    let s = server(&[]).await;
    let a = s.login(DEMO_EMAIL, DEMO_PASSWORD).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let body = a.json();
    assert_eq!(body["user"]["email"], DEMO_EMAIL);
    assert!(body["user"]["id"].as_str().is_some_and(|id| !id.is_empty()));
    assert!(
        body.get("access_token").is_none(),
        "no token in the body without --bearer"
    );
    let token = a.cookie_token().expect("cookie");
    let session = s.session_with_cookie(&token).await;
    assert_eq!(session.status, 200, "{}", session.text);
    assert_eq!(session.json()["user"], body["user"]);
}

#[tokio::test]
async fn sessions_22_cookie_is_httponly_samesite_lax_path_root() {
    let s = server(&[]).await;
    let cookie = s.login(DEMO_EMAIL, DEMO_PASSWORD).await.set_cookie();
    assert!(cookie.starts_with("session="), "{cookie}");
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attr), "{attr} missing: {cookie}");
    }
    assert!(
        !cookie.contains("Secure"),
        "plain HTTP cookie is not Secure: {cookie}"
    );
}

#[tokio::test]
async fn sessions_22_https_cookies_are_secure_with_host_prefix() {
    let s = server(&["--https-cookies"]).await;
    let a = s.login(DEMO_EMAIL, DEMO_PASSWORD).await;
    let cookie = a.set_cookie();
    assert!(cookie.starts_with("__Host-session="), "{cookie}");
    assert!(
        cookie.contains("; Secure") && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Domain="),
        "__Host- cookies have no Domain: {cookie}"
    );
    let token = a.cookie_token().expect("token");
    let ok = s
        .send(
            s.http
                .get(s.url("/auth/session"))
                .header("cookie", format!("__Host-session={token}")),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
}

#[tokio::test]
async fn sessions_22_new_session_id_at_every_login() {
    let s = server(&[]).await;
    let t1 = s.demo_token().await;
    let t2 = s.demo_token().await;
    assert_ne!(t1, t2);
    let sid = |t: &str| {
        jsonwebtoken::dangerous::insecure_decode::<serde_json::Value>(t)
            .unwrap()
            .claims["sid"]
            .clone()
    };
    assert_ne!(sid(&t1), sid(&t2), "each login gets its own session id");
}

#[tokio::test]
async fn wrong_password_is_401_invalid_credentials() {
    let s = server(&[]).await;
    let a = s.login(DEMO_EMAIL, "not the password").await;
    let body = a.problem(401, "invalid_credentials");
    assert!(a.cookie_token().is_none(), "no session for a failed login");
    assert!(body["instance"].as_str().unwrap().starts_with("ref-"));
}

#[tokio::test]
async fn errors_14_unknown_email_and_wrong_password_look_identical() {
    let s = server(&[]).await;
    let wrong = s.login(DEMO_EMAIL, "not the password").await;
    let unknown = s.login("nobody@example.com", "not the password").await;
    assert_eq!(wrong.status, unknown.status);
    let strip = |a: &Answer| {
        let mut v = a.json();
        v.as_object_mut().unwrap().remove("instance");
        v
    };
    assert_eq!(
        strip(&wrong),
        strip(&unknown),
        "bodies differ only in the reference id"
    );
    assert_eq!(wrong.content_type(), unknown.content_type());
}

#[tokio::test]
async fn email_is_case_insensitive_at_login() {
    let s = server(&[]).await;
    let a = s.login("Demo@Example.COM", DEMO_PASSWORD).await;
    assert_eq!(a.status, 200, "{}", a.text);
}

#[tokio::test]
async fn bearer_mode_returns_access_token_that_session_accepts() {
    let s = server(&["--bearer"]).await;
    let a = s.login(DEMO_EMAIL, DEMO_PASSWORD).await;
    assert_eq!(a.status, 200);
    let token = a.json()["access_token"]
        .as_str()
        .expect("access_token")
        .to_string();
    let session = s.session_with_bearer(&token).await;
    assert_eq!(session.status, 200, "{}", session.text);
    assert_eq!(session.json()["user"]["email"], DEMO_EMAIL);
}

#[tokio::test]
async fn session_without_token_is_401_session_invalid() {
    let s = server(&[]).await;
    s.get("/auth/session").await.problem(401, "session_invalid");
}

#[tokio::test]
async fn logout_is_204_clears_cookie_and_revokes_the_session() {
    let s = server(&[]).await;
    let token = s.demo_token().await;
    let out = s
        .send(
            s.http
                .post(s.url("/auth/logout"))
                .header("cookie", format!("session={token}"))
                .header("origin", s.base.clone()),
        )
        .await;
    assert_eq!(out.status, 204, "{}", out.text);
    assert!(
        out.set_cookie().contains("Max-Age=0"),
        "{}",
        out.set_cookie()
    );
    // The old token is refused now, even though it is still within its lifetime.
    s.session_with_cookie(&token)
        .await
        .problem(401, "session_invalid");
}

#[tokio::test]
async fn logout_without_a_session_is_still_204() {
    let s = server(&[]).await;
    let out = s
        .send(
            s.http
                .post(s.url("/auth/logout"))
                .header("origin", s.base.clone()),
        )
        .await;
    assert_eq!(out.status, 204);
}

#[tokio::test]
async fn missing_fields_are_422_validation_failed_per_field() {
    let s = server(&[]).await;
    let a = s.post_json("/auth/login", &json!({})).await;
    let body = a.problem(422, "validation_failed");
    let errors = body["errors"].as_array().expect("errors[]");
    assert!(
        errors.contains(&json!({"field": "email", "code": "missing"})),
        "{body}"
    );
    assert!(
        errors.contains(&json!({"field": "password", "code": "missing"})),
        "{body}"
    );
}
