//! Bad input never causes a 5xx or a panic: each case is a problem+json 4xx.

mod common;

use common::*;
use serde_json::json;

const ENDPOINTS: [&str; 3] = ["/auth/login", "/auth/signup", "/auth/password-reset"];

#[tokio::test]
async fn invalid_json_is_400_malformed_request() {
    // Many requests from one client: the per-client limit would answer first.
    let s = server(&["--rate-limit-per-minute", "0"]).await;
    for path in ENDPOINTS {
        for body in [
            &b"{"[..],
            b"{\"email\": }",
            b"",
            b"nul\0l",
            b"[1,2]",
            b"\"just a string\"",
            b"null",
        ] {
            let a = s.post_raw(path, "application/json", body.to_vec()).await;
            a.problem(400, "malformed_request");
        }
    }
}

#[tokio::test]
async fn wrong_content_type_is_415() {
    let s = server(&[]).await;
    let body = json!({"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
        .to_string()
        .into_bytes();
    for ct in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "",
    ] {
        let a = s.post_raw("/auth/login", ct, body.clone()).await;
        a.problem(415, "unsupported_media_type");
    }
    // A charset parameter on JSON is fine.
    let ok = s
        .post_raw("/auth/login", "application/json; charset=utf-8", body)
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
}

#[tokio::test]
async fn one_mebibyte_body_is_413() {
    let s = server(&[]).await;
    let padding = "a".repeat(1024 * 1024);
    let body = json!({"email": DEMO_EMAIL, "password": padding})
        .to_string()
        .into_bytes();
    for path in ENDPOINTS {
        s.post_raw(path, "application/json", body.clone())
            .await
            .problem(413, "payload_too_large");
    }
    // The connection pool and server are fine afterwards.
    assert_eq!(s.login(DEMO_EMAIL, DEMO_PASSWORD).await.status, 200);
}

#[tokio::test]
async fn missing_fields_are_422_and_extra_fields_400() {
    let s = server(&[]).await;
    let a = s
        .post_json("/auth/signup", &json!({"email": "x@example.com"}))
        .await;
    let body = a.problem(422, "validation_failed");
    assert_eq!(
        body["errors"],
        json!([{"field": "password", "code": "missing"}])
    );
    let extra = json!({"email": DEMO_EMAIL, "password": DEMO_PASSWORD, "admin": true});
    let b = s.post_json("/auth/login", &extra).await;
    assert!(
        b.problem(400, "malformed_request")["detail"]
            .as_str()
            .unwrap()
            .contains("admin")
    );
    let empty = s
        .post_json("/auth/login", &json!({"email": "", "password": ""}))
        .await;
    assert_eq!(
        empty.problem(422, "validation_failed")["errors"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn wrong_types_are_422_malformed() {
    let s = server(&[]).await;
    let a = s
        .post_json(
            "/auth/login",
            &json!({"email": ["a"], "password": {"x": 1}}),
        )
        .await;
    let body = a.problem(422, "validation_failed");
    assert_eq!(
        body["errors"],
        json!([{"field": "email", "code": "malformed"}, {"field": "password", "code": "malformed"}])
    );
}

#[tokio::test]
async fn nul_bytes_are_refused_or_harmless() {
    let s = server(&[]).await;
    let a = s
        .post_json(
            "/auth/login",
            &json!({"email": "demo\u{0}@example.com", "password": "x"}),
        )
        .await;
    a.problem(422, "validation_failed");
    let b = s
        .login(DEMO_EMAIL, "correct horse\u{0}battery staple")
        .await;
    b.problem(401, "invalid_credentials");
    let c = s
        .signup("nul@example.com", "long enough\u{0}password")
        .await;
    assert_eq!(
        c.problem(422, "validation_failed")["errors"][0]["code"],
        "malformed"
    );
}

#[tokio::test]
async fn overlong_utf8_and_lone_surrogates_are_400() {
    let s = server(&[]).await;
    // 0xC0 0xAF is an overlong encoding of '/', never valid UTF-8.
    let mut overlong = br#"{"email":"demo@example.com","password":""#.to_vec();
    overlong.extend_from_slice(&[0xC0, 0xAF]);
    overlong.extend_from_slice(br#""}"#);
    s.post_raw("/auth/login", "application/json", overlong)
        .await
        .problem(400, "malformed_request");
    let surrogate = br#"{"email":"demo@example.com","password":"\ud800"}"#.to_vec();
    s.post_raw("/auth/login", "application/json", surrogate)
        .await
        .problem(400, "malformed_request");
}

#[tokio::test]
async fn ten_thousand_character_email_is_422_too_long() {
    let s = server(&[]).await;
    let email = format!("{}@example.com", "a".repeat(10_000));
    for path in ENDPOINTS {
        let body = if path.ends_with("reset") {
            json!({"email": email})
        } else {
            json!({"email": email, "password": "long enough password"})
        };
        let a = s.post_json(path, &body).await;
        let body = a.problem(422, "validation_failed");
        assert_eq!(
            body["errors"][0],
            json!({"field": "email", "code": "too_long", "max": 254})
        );
    }
}

#[tokio::test]
async fn malformed_emails_are_422_malformed() {
    let s = server(&[]).await;
    for email in [
        "plain",
        "@example.com",
        "a@",
        "a@@b.c",
        "a b@c.d",
        "a@b.c.",
        "a@.b",
    ] {
        let a = s
            .post_json(
                "/auth/signup",
                &json!({"email": email, "password": "long enough pass"}),
            )
            .await;
        let body = a.problem(422, "validation_failed");
        assert_eq!(
            body["errors"][0],
            json!({"field": "email", "code": "malformed"}),
            "{email}"
        );
    }
}

#[tokio::test]
async fn huge_and_odd_tokens_are_401_not_5xx() {
    let s = server(&[]).await;
    for token in [
        "x".repeat(10_000),
        "a.b.c".into(),
        "....".into(),
        "é".into(),
    ] {
        let a = s
            .send(s.http.get(s.url("/auth/session")).bearer_auth(&token))
            .await;
        a.problem(401, "session_invalid");
    }
    let odd_header = s
        .send(
            s.http
                .get(s.url("/auth/session"))
                .header("authorization", "Basic Zm9v"),
        )
        .await;
    odd_header.problem(401, "session_invalid");
}

#[tokio::test]
async fn admin_bodies_are_checked_too() {
    let s = server(&["--faults"]).await;
    s.send(
        s.http
            .post(s.admin_url("/_admin/faults"))
            .header("content-type", "application/json")
            .body("{}"),
    )
    .await
    .problem(405, "method_not_allowed");
    let a = s
        .send(
            s.http
                .put(s.admin_url("/_admin/faults"))
                .header("content-type", "application/json")
                .body("{"),
        )
        .await;
    a.problem(400, "malformed_request");
    let b = s
        .admin_put(
            "/_admin/faults",
            &json!({"fault": "unavailable", "extra": 1}),
        )
        .await;
    b.problem(400, "malformed_request");
    let c = s
        .admin_put(
            "/_admin/users",
            &json!({"email": "nobody@example.com", "disabled": true}),
        )
        .await;
    c.problem(404, "not_found");
}
