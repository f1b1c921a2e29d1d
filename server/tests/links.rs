//! Email verification and password reset through the links the server emails (recovery-28 to
//! recovery-31), read from the dev mailbox; the SMTP path has its own tests in `smtp.rs`.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::Row;

const NEW_PASSWORD: &str = "a brand new passphrase 42";

fn hex_sha256(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn complete(s: &Server, token: &str, password: &str) -> Answer {
    s.post_json(
        "/auth/password-reset/complete",
        &json!({"token": token, "password": password}),
    )
    .await
}

async fn request_reset(s: &Server, email: &str) -> Answer {
    let a = s
        .post_json("/auth/password-reset", &json!({"email": email}))
        .await;
    assert_eq!(a.status, 202, "{}", a.text);
    a
}

async fn verify(s: &Server, token: &str) -> Answer {
    s.post_json("/auth/verify-email", &json!({"token": token}))
        .await
}

#[tokio::test]
async fn a_verification_link_confirms_the_address_once() {
    let s = server(&["--require-verification", "--rate-limit-per-minute", "0"]).await;
    let email = "new@example.com";
    let a = s.signup(email, "a fine long passphrase").await;
    assert_eq!(a.status, 202, "{}", a.text);
    s.login(email, "a fine long passphrase")
        .await
        .problem(403, "email_unverified");
    let mail = &s.wait_for_mail("verify", email, 1).await[0];
    let link = mail["link"].as_str().unwrap();
    assert!(
        link.starts_with(&format!("{}/#auth-verify=", s.base)),
        "the link opens this server's page by default: {link}"
    );
    assert!(mail["text"].as_str().unwrap().contains(link));
    assert!(mail["html"].as_str().unwrap().contains(link));
    let token = s.link_token("verify", email, 1).await;
    assert_eq!(token.len(), 64, "256 bits as hex: {token}");
    let ok = verify(&s, &token).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.json(), json!({"next": "sign_in", "email": email}));
    assert_eq!(s.login(email, "a fine long passphrase").await.status, 200);
    verify(&s, &token).await.problem(410, "link_used");
}

#[tokio::test]
async fn tokens_are_stored_only_as_their_sha256_hash() {
    let s = server(&["--rate-limit-per-minute", "0"]).await;
    request_reset(&s, DEMO_EMAIL).await;
    let token = s.link_token("reset", DEMO_EMAIL, 1).await;
    let rows = sqlx::query(
        "SELECT token_hash, user_id, purpose, CAST(created_at AS TEXT) AS c, \
         CAST(expires_at AS TEXT) AS e FROM account_links",
    )
    .fetch_all(&s.running.state.db)
    .await
    .unwrap();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    let stored: String = row.try_get("token_hash").unwrap();
    assert_eq!(stored, hex_sha256(&token));
    for col in ["token_hash", "user_id", "purpose", "c", "e"] {
        let v: String = row.try_get(col).unwrap();
        assert!(!v.contains(&token), "{col} holds the raw token");
    }
    let purpose: String = row.try_get("purpose").unwrap();
    assert_eq!(purpose, "reset");
}

#[tokio::test]
async fn a_completed_reset_changes_the_password_and_ends_every_session() {
    let s = server(&["--rate-limit-per-minute", "0"]).await;
    let first = s.demo_token().await;
    let second = s.demo_token().await;
    assert_eq!(s.session_with_cookie(&first).await.status, 200);
    request_reset(&s, DEMO_EMAIL).await;
    let token = s.link_token("reset", DEMO_EMAIL, 1).await;
    let done = complete(&s, &token, NEW_PASSWORD).await;
    assert_eq!(done.status, 200, "{}", done.text);
    assert_eq!(done.json(), json!({"next": "sign_in", "email": DEMO_EMAIL}));
    assert!(done.cookie_token().is_none(), "a reset does not sign in");
    for t in [&first, &second] {
        s.session_with_cookie(t)
            .await
            .problem(401, "session_invalid");
    }
    s.login(DEMO_EMAIL, DEMO_PASSWORD)
        .await
        .problem(401, "invalid_credentials");
    assert_eq!(s.login(DEMO_EMAIL, NEW_PASSWORD).await.status, 200);
    let changed = &s.wait_for_mail("password_changed", DEMO_EMAIL, 1).await[0];
    assert_eq!(changed["subject"], "Your password was changed");
    complete(&s, &token, "yet another passphrase 7")
        .await
        .problem(410, "link_used");
    assert_eq!(s.login(DEMO_EMAIL, NEW_PASSWORD).await.status, 200);
}

#[tokio::test]
async fn a_reset_link_expires() {
    let s = server(&["--reset-link-ttl-secs", "1", "--rate-limit-per-minute", "0"]).await;
    request_reset(&s, DEMO_EMAIL).await;
    let token = s.link_token("reset", DEMO_EMAIL, 1).await;
    let mail = &s.wait_for_mail("reset", DEMO_EMAIL, 1).await[0];
    assert!(
        mail["text"].as_str().unwrap().contains("for 1 minute"),
        "the lifetime is stated: {}",
        mail["text"]
    );
    tokio::time::sleep(Duration::from_millis(2100)).await;
    complete(&s, &token, NEW_PASSWORD)
        .await
        .problem(410, "link_expired");
    assert_eq!(s.login(DEMO_EMAIL, DEMO_PASSWORD).await.status, 200);
}

#[tokio::test]
async fn a_newer_link_supersedes_the_older_one() {
    let s = server(&[
        "--link-mail-interval-secs",
        "0",
        "--rate-limit-per-minute",
        "0",
    ])
    .await;
    request_reset(&s, DEMO_EMAIL).await;
    let old = s.link_token("reset", DEMO_EMAIL, 1).await;
    request_reset(&s, DEMO_EMAIL).await;
    let new = s.link_token("reset", DEMO_EMAIL, 2).await;
    assert_ne!(old, new);
    complete(&s, &old, NEW_PASSWORD)
        .await
        .problem(410, "link_expired");
    assert_eq!(complete(&s, &new, NEW_PASSWORD).await.status, 200);
}

#[tokio::test]
async fn a_reset_request_within_the_interval_sends_no_second_link() {
    let s = server(&["--rate-limit-per-minute", "0"]).await;
    request_reset(&s, DEMO_EMAIL).await;
    let token = s.link_token("reset", DEMO_EMAIL, 1).await;
    request_reset(&s, DEMO_EMAIL).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(s.wait_for_mail("reset", DEMO_EMAIL, 1).await.len(), 1);
    assert_eq!(complete(&s, &token, NEW_PASSWORD).await.status, 200);
}

/// Requests are handled in the background, so two of them may reach the pacing table in the
/// other order than they read the clock (across a second's boundary). Without an interval
/// nothing is paced, whatever the order; with one, the later clock reading is the one kept.
#[tokio::test]
async fn pacing_copes_with_requests_that_reach_it_out_of_order() {
    use auth_server::db::{Purpose, pace_link_mail};
    let s = server(&[]).await;
    let db = &s.running.state.db;
    // Times near now, so that housekeeping does not forget the rows as stale.
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let pace =
        |now, interval| pace_link_mail(db, "x@example.com", Purpose::PasswordReset, now, interval);
    assert_eq!(pace(t, 0).await.unwrap(), None);
    assert_eq!(
        pace(t - 1, 0).await.unwrap(),
        None,
        "no interval: never paced"
    );
    assert_eq!(pace(t + 100, 60).await.unwrap(), None);
    assert_eq!(
        pace(t + 99, 60).await.unwrap(),
        Some(61),
        "within the interval: paced"
    );
    assert_eq!(
        pace(t + 130, 60).await.unwrap(),
        Some(30),
        "counted from the latest send"
    );
    assert_eq!(pace(t + 160, 60).await.unwrap(), None);
}

#[tokio::test]
async fn unknown_and_malformed_tokens_are_link_invalid() {
    let s = server(&["--rate-limit-per-minute", "0"]).await;
    let never_issued = "ab".repeat(32);
    complete(&s, &never_issued, NEW_PASSWORD)
        .await
        .problem(400, "link_invalid");
    complete(&s, "not-a-token", NEW_PASSWORD)
        .await
        .problem(400, "link_invalid");
    verify(&s, &never_issued).await.problem(400, "link_invalid");
    // A reset token is no verification token, and the other way round.
    request_reset(&s, DEMO_EMAIL).await;
    let token = s.link_token("reset", DEMO_EMAIL, 1).await;
    verify(&s, &token).await.problem(400, "link_invalid");
    let missing = s
        .post_json("/auth/password-reset/complete", &json!({"token": token}))
        .await
        .problem(422, "validation_failed");
    assert_eq!(missing["errors"][0]["field"], "password");
}

#[tokio::test]
async fn the_new_password_follows_the_sign_up_rules_and_a_refusal_keeps_the_link() {
    let s = server(&["--rate-limit-per-minute", "0"]).await;
    request_reset(&s, DEMO_EMAIL).await;
    let token = s.link_token("reset", DEMO_EMAIL, 1).await;
    let short = complete(&s, &token, "short")
        .await
        .problem(422, "validation_failed");
    assert_eq!(short["errors"][0]["field"], "password");
    assert_eq!(short["errors"][0]["code"], "too_short");
    complete(&s, &token, "password")
        .await
        .problem(422, "validation_failed");
    assert_eq!(complete(&s, &token, NEW_PASSWORD).await.status, 200);
}

#[tokio::test]
async fn a_reset_unlocks_a_locked_account() {
    let s = server(&["--rate-limit-per-minute", "0"]).await;
    for i in 0..10 {
        s.login(DEMO_EMAIL, &format!("wrong {i}")).await;
    }
    s.login(DEMO_EMAIL, DEMO_PASSWORD)
        .await
        .problem(403, "account_locked");
    request_reset(&s, DEMO_EMAIL).await;
    let token = s.link_token("reset", DEMO_EMAIL, 1).await;
    assert_eq!(complete(&s, &token, NEW_PASSWORD).await.status, 200);
    assert_eq!(s.login(DEMO_EMAIL, NEW_PASSWORD).await.status, 200);
}

#[tokio::test]
async fn resending_a_verification_link_is_paced_alike_for_every_address() {
    let s = server(&["--require-verification", "--rate-limit-per-minute", "0"]).await;
    let email = "pending@example.com";
    assert_eq!(s.signup(email, "a fine long passphrase").await.status, 202);
    s.wait_for_mail("verify", email, 1).await;
    // The sign-up's own link counts: a resend straight after it waits.
    let resend = |e: &'static str| {
        let s = &s;
        async move {
            s.post_json("/auth/verify-email/resend", &json!({"email": e}))
                .await
        }
    };
    let early = resend(email).await;
    let body = early.problem(429, "rate_limited");
    let wait: u64 = early.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "Retry-After {wait}");
    assert_eq!(body["retry_after"], wait);
    // An unknown address answers exactly alike: 202, then 429.
    let unknown = resend("nobody@example.com").await;
    assert_eq!(unknown.status, 202, "{}", unknown.text);
    assert_eq!(unknown.json(), json!({"next": "check_email"}));
    resend("nobody@example.com")
        .await
        .problem(429, "rate_limited");
    // After the interval a new link goes out and supersedes the first.
    sqlx::query("UPDATE link_mail_pace SET last_sent_at = last_sent_at - 60")
        .execute(&s.running.state.db)
        .await
        .unwrap();
    let first = s.link_token("verify", email, 1).await;
    assert_eq!(resend(email).await.status, 202);
    let second = s.link_token("verify", email, 2).await;
    assert_ne!(first, second);
    verify(&s, &first).await.problem(410, "link_expired");
    assert_eq!(verify(&s, &second).await.status, 200);
    // A verified account gets no more links.
    sqlx::query("UPDATE link_mail_pace SET last_sent_at = last_sent_at - 60")
        .execute(&s.running.state.db)
        .await
        .unwrap();
    assert_eq!(resend(email).await.status, 202);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(s.wait_for_mail("verify", email, 2).await.len(), 2);
    assert!(
        s.mailbox()
            .await
            .iter()
            .all(|m| m["to"] != "nobody@example.com"),
        "no mail to an address without an account"
    );
}

#[tokio::test]
async fn mail_speaks_the_language_the_browser_asks_for() {
    let s = server(&["--rate-limit-per-minute", "0"]).await;
    let a = s
        .send(
            s.http
                .post(s.url("/auth/password-reset"))
                .header("accept-language", "de-DE,de;q=0.9,en;q=0.5")
                .json(&json!({"email": DEMO_EMAIL})),
        )
        .await;
    assert_eq!(a.status, 202);
    let mail = &s.wait_for_mail("reset", DEMO_EMAIL, 1).await[0];
    assert_eq!(mail["locale"], "de");
    assert_eq!(mail["subject"], "Setzen Sie Ihr Passwort zurück");
    assert!(mail["html"].as_str().unwrap().contains("lang=\"de\""));
}

#[tokio::test]
async fn the_dev_mailbox_is_an_operator_page_only() {
    let s = server(&["--rate-limit-per-minute", "0"]).await;
    request_reset(&s, DEMO_EMAIL).await;
    let token = s.link_token("reset", DEMO_EMAIL, 1).await;
    let page = s.admin_get("/dev/mailbox").await;
    assert_eq!(page.status, 200);
    assert!(page.content_type().starts_with("text/html"));
    assert_eq!(
        page.header("referrer-policy").as_deref(),
        Some("no-referrer")
    );
    assert!(page.text.contains(&format!("#auth-reset={token}")));
    // The public pages (where links land) never send a Referer either.
    assert_eq!(
        s.get("/auth/status")
            .await
            .header("referrer-policy")
            .as_deref(),
        Some("no-referrer")
    );
    // Never on the public listener (unless the demo asks for the operator routes there).
    assert_eq!(s.get("/dev/mailbox").await.status, 404);
    assert_eq!(s.get("/dev/mailbox.json").await.status, 404);
}

#[tokio::test]
async fn the_app_url_flag_sets_the_page_links_open() {
    let s = server(&[
        "--app-url",
        "https://app.example.com/account?tab=1",
        "--rate-limit-per-minute",
        "0",
    ])
    .await;
    request_reset(&s, DEMO_EMAIL).await;
    let mail = &s.wait_for_mail("reset", DEMO_EMAIL, 1).await[0];
    let link = mail["link"].as_str().unwrap();
    assert!(
        link.starts_with("https://app.example.com/account?tab=1#auth-reset="),
        "{link}"
    );
}

#[tokio::test]
async fn purge_keeps_used_links_for_a_week_then_forgets_them() {
    let s = server(&["--rate-limit-per-minute", "0", "--purge-interval-secs", "1"]).await;
    request_reset(&s, DEMO_EMAIL).await;
    let token = s.link_token("reset", DEMO_EMAIL, 1).await;
    assert_eq!(complete(&s, &token, NEW_PASSWORD).await.status, 200);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    complete(&s, &token, NEW_PASSWORD)
        .await
        .problem(410, "link_used");
    sqlx::query("UPDATE account_links SET expires_at = expires_at - 8 * 86400")
        .execute(&s.running.state.db)
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while s.count_sql("SELECT COUNT(*) FROM account_links").await > 0 {
        assert!(std::time::Instant::now() < deadline, "not purged");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    complete(&s, &token, NEW_PASSWORD)
        .await
        .problem(400, "link_invalid");
}
