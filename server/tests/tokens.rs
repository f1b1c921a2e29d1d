//! Token validation, the tests the incident lacked (sessions-23; ASVS 9.1, 9.2; RFC 7519).
//! Each test forges a token from a real session and asserts the exact outcome.

mod common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::*;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Claims of a real token (so `sid` names a live session).
fn claims_of(token: &str) -> Value {
    jsonwebtoken::dangerous::insecure_decode::<Value>(token)
        .expect("decodes")
        .claims
}

fn sign(alg: Algorithm, kid: Option<&str>, claims: &Value, secret: &str) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_string);
    jsonwebtoken::encode(
        &header,
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("encode")
}

fn sign_test(claims: &Value) -> String {
    sign(Algorithm::HS256, Some(TEST_KID), claims, TEST_SECRET)
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

async fn setup() -> (Server, Value) {
    let s = server(&["--jwt-leeway-secs", "30"]).await;
    let token = s.demo_token().await;
    let claims = claims_of(&token);
    (s, claims)
}

#[tokio::test]
async fn sessions_23_control_a_resigned_unchanged_token_is_accepted() {
    // Proves the forging helpers produce tokens the server accepts, so the refusals below are
    // caused by the one thing each test changes.
    let (s, claims) = setup().await;
    let a = s.session_with_cookie(&sign_test(&claims)).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let b = s.session_with_bearer(&sign_test(&claims)).await;
    assert_eq!(b.status, 200, "{}", b.text);
}

#[tokio::test]
async fn sessions_23_wrong_algorithm_is_refused() {
    let (s, claims) = setup().await;
    for alg in [Algorithm::HS384, Algorithm::HS512] {
        let token = sign(alg, Some(TEST_KID), &claims, TEST_SECRET);
        s.session_with_cookie(&token)
            .await
            .problem(401, "session_invalid");
    }
}

#[tokio::test]
async fn sessions_23_alg_none_is_refused() {
    let (s, claims) = setup().await;
    let header = b64(json!({"alg": "none", "typ": "JWT", "kid": TEST_KID})
        .to_string()
        .as_bytes());
    let payload = b64(claims.to_string().as_bytes());
    for token in [
        format!("{header}.{payload}."),
        format!("{header}.{payload}"),
    ] {
        s.session_with_cookie(&token)
            .await
            .problem(401, "session_invalid");
    }
}

#[tokio::test]
async fn sessions_23_wrong_audience_is_refused() {
    let (s, mut claims) = setup().await;
    claims["aud"] = json!("some-other-app");
    s.session_with_cookie(&sign_test(&claims))
        .await
        .problem(401, "session_invalid");
    claims.as_object_mut().unwrap().remove("aud");
    s.session_with_cookie(&sign_test(&claims))
        .await
        .problem(401, "session_invalid");
}

#[tokio::test]
async fn sessions_23_wrong_issuer_is_refused() {
    let (s, mut claims) = setup().await;
    claims["iss"] = json!("https://evil.example");
    s.session_with_cookie(&sign_test(&claims))
        .await
        .problem(401, "session_invalid");
    claims.as_object_mut().unwrap().remove("iss");
    s.session_with_cookie(&sign_test(&claims))
        .await
        .problem(401, "session_invalid");
}

#[tokio::test]
async fn sessions_23_expired_beyond_leeway_is_session_expired() {
    let (s, mut claims) = setup().await;
    claims["iat"] = json!(now() - 7200);
    claims["nbf"] = json!(now() - 7200);
    claims["exp"] = json!(now() - 60); // 60 s ago, leeway 30 s
    s.session_with_cookie(&sign_test(&claims))
        .await
        .problem(401, "session_expired");
}

#[tokio::test]
async fn sessions_23_expired_within_leeway_is_accepted() {
    let (s, mut claims) = setup().await;
    claims["exp"] = json!(now() - 10); // 10 s ago, leeway 30 s
    let a = s.session_with_cookie(&sign_test(&claims)).await;
    assert_eq!(a.status, 200, "{}", a.text);
}

#[tokio::test]
async fn sessions_23_missing_exp_is_refused() {
    let (s, mut claims) = setup().await;
    claims.as_object_mut().unwrap().remove("exp");
    s.session_with_cookie(&sign_test(&claims))
        .await
        .problem(401, "session_invalid");
}

#[tokio::test]
async fn sessions_23_nbf_in_future_within_leeway_is_accepted() {
    let (s, mut claims) = setup().await;
    claims["nbf"] = json!(now() + 10);
    let a = s.session_with_cookie(&sign_test(&claims)).await;
    assert_eq!(a.status, 200, "{}", a.text);
}

#[tokio::test]
async fn sessions_23_nbf_in_future_beyond_leeway_is_refused() {
    let (s, mut claims) = setup().await;
    claims["nbf"] = json!(now() + 120);
    s.session_with_cookie(&sign_test(&claims))
        .await
        .problem(401, "session_invalid");
}

#[tokio::test]
async fn sessions_23_iat_in_future_beyond_leeway_is_refused() {
    let (s, mut claims) = setup().await;
    claims["iat"] = json!(now() + 120);
    s.session_with_cookie(&sign_test(&claims))
        .await
        .problem(401, "session_invalid");
}

#[tokio::test]
async fn sessions_23_unknown_kid_is_refused() {
    let (s, claims) = setup().await;
    let token = sign(Algorithm::HS256, Some("no-such-key"), &claims, TEST_SECRET);
    s.session_with_cookie(&token)
        .await
        .problem(401, "session_invalid");
    let token = sign(Algorithm::HS256, None, &claims, TEST_SECRET);
    s.session_with_cookie(&token)
        .await
        .problem(401, "session_invalid");
}

#[tokio::test]
async fn sessions_23_tampered_signature_and_payload_are_refused() {
    let (s, claims) = setup().await;
    let token = sign_test(&claims);
    let (rest, sig) = token.rsplit_once('.').unwrap();
    let mut sig: Vec<char> = sig.chars().collect();
    sig[3] = if sig[3] == 'A' { 'B' } else { 'A' };
    let tampered_sig = format!("{rest}.{}", sig.into_iter().collect::<String>());
    s.session_with_cookie(&tampered_sig)
        .await
        .problem(401, "session_invalid");
    // Same signature, different payload (another user id).
    let mut other = claims.clone();
    other["sub"] = json!("someone-else");
    let forged = sign_test(&other);
    let (h, p_and_sig) = forged.split_once('.').unwrap();
    let (p, _) = p_and_sig.split_once('.').unwrap();
    let (_, real_sig) = token.rsplit_once('.').unwrap();
    s.session_with_cookie(&format!("{h}.{p}.{real_sig}"))
        .await
        .problem(401, "session_invalid");
    // Signed with a different secret under the right kid.
    let wrong_key = sign(
        Algorithm::HS256,
        Some(TEST_KID),
        &claims,
        "another-secret-of-at-least-32-bytes!!",
    );
    s.session_with_cookie(&wrong_key)
        .await
        .problem(401, "session_invalid");
    // Garbage.
    s.session_with_cookie("not.a.jwt")
        .await
        .problem(401, "session_invalid");
}

#[tokio::test]
async fn sessions_23_subject_not_matching_the_session_is_refused() {
    let (s, mut claims) = setup().await;
    claims["sub"] = json!("another-user-id");
    s.session_with_cookie(&sign_test(&claims))
        .await
        .problem(401, "session_invalid");
}

#[tokio::test]
async fn sessions_23_revoked_session_is_refused() {
    let (s, _) = setup().await;
    let token = s.demo_token().await;
    assert_eq!(s.session_with_cookie(&token).await.status, 200);
    let out = s
        .send(
            s.http
                .post(s.url("/auth/logout"))
                .header("cookie", format!("session={token}"))
                .header("origin", s.base.clone()),
        )
        .await;
    assert_eq!(out.status, 204);
    s.session_with_cookie(&token)
        .await
        .problem(401, "session_invalid");
    // A re-signed copy of the revoked session's claims is refused too: revocation is server-side.
    s.session_with_cookie(&sign_test(&claims_of(&token)))
        .await
        .problem(401, "session_invalid");
}

#[tokio::test]
async fn sessions_23_rotated_key_still_verifies_its_tokens() {
    let (s, _) = setup().await;
    let old = s.demo_token().await;
    let rotated = s
        .send(s.http.post(s.admin_url("/_admin/keys/rotate")))
        .await;
    if postgres().is_some() {
        // Instances sharing a database rotate through the key file: a key made in one of
        // them would sign sessions every other instance refuses.
        let body = rotated.problem(403, "forbidden");
        assert!(
            body["detail"].as_str().unwrap().contains("key file"),
            "{body}"
        );
        let fresh = s.demo_token().await;
        let kid = jsonwebtoken::decode_header(&fresh).unwrap().kid.unwrap();
        assert_eq!(kid, TEST_KID, "still signing with the key file's first key");
        assert_eq!(s.session_with_cookie(&old).await.status, 200);
        return;
    }
    assert_eq!(rotated.status, 200, "{}", rotated.text);
    let new_kid = rotated.json()["kid"].as_str().unwrap().to_string();
    assert_ne!(new_kid, TEST_KID);
    // The token signed with the previous key still verifies until it expires.
    let a = s.session_with_cookie(&old).await;
    assert_eq!(a.status, 200, "{}", a.text);
    // New logins are signed with the new key.
    let fresh = s.demo_token().await;
    let kid = jsonwebtoken::decode_header(&fresh).unwrap().kid.unwrap();
    assert_eq!(kid, new_kid);
    assert_eq!(s.session_with_cookie(&fresh).await.status, 200);
}

#[tokio::test]
async fn a_verify_only_key_verifies_but_does_not_sign() {
    let old_key = "old-key=an-old-secret-that-is-also-32-bytes-long";
    let s = server_with_keys(&[], &[old_key]).await;
    // Only the first key signs.
    let token = s.demo_token().await;
    assert_eq!(
        jsonwebtoken::decode_header(&token).unwrap().kid.as_deref(),
        Some(TEST_KID)
    );
    // A token under the second key (e.g. issued before a redeploy) still verifies.
    let claims = claims_of(&token);
    let under_old = sign(
        Algorithm::HS256,
        Some("old-key"),
        &claims,
        "an-old-secret-that-is-also-32-bytes-long",
    );
    let a = s.session_with_cookie(&under_old).await;
    assert_eq!(a.status, 200, "{}", a.text);
}

#[tokio::test]
async fn sessions_23_server_side_session_expiry_is_session_expired() {
    // Session lifetime 1 s, leeway 0: the token and the session row both expire.
    let s = server(&["--session-ttl-secs", "1", "--jwt-leeway-secs", "0"]).await;
    let token = s.demo_token().await;
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    s.session_with_cookie(&token)
        .await
        .problem(401, "session_expired");
}
