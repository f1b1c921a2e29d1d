//! Real SMTP: the server sends through a real SMTP server on loopback (`support/smtp_sink.rs`),
//! and the test reads the link out of the message that arrived.

mod common;
#[path = "support/smtp_sink.rs"]
mod smtp_sink;

use std::time::Duration;

use common::*;
use serde_json::json;

fn sink(delay: Duration) -> smtp_sink::Sink {
    let dir = std::env::temp_dir().join(format!("smtp-sink-{}", uuid::Uuid::new_v4().simple()));
    smtp_sink::start(&dir, 0, delay).expect("SMTP sink starts")
}

async fn wait(sink: &smtp_sink::Sink, n: usize) -> Vec<String> {
    let dir = sink.dir.clone();
    let addr = sink.addr;
    tokio::task::spawn_blocking(move || {
        smtp_sink::Sink { addr, dir }.wait_for(n, Duration::from_secs(15))
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn a_reset_arrives_by_smtp_and_its_link_sets_a_new_password() {
    let sink = sink(Duration::ZERO);
    let url = format!("smtp://{}", sink.addr);
    let s = server(&[
        "--smtp-url",
        &url,
        "--mail-from",
        "Example Accounts <no-reply@example.com>",
        "--app-url",
        "https://app.example.com/",
        "--rate-limit-per-minute",
        "0",
    ])
    .await;
    let a = s
        .post_json("/auth/password-reset", &json!({"email": DEMO_EMAIL}))
        .await;
    assert_eq!(a.status, 202);
    let raw = wait(&sink, 1).await.remove(0);
    assert!(raw.contains("To: demo@example.com"), "{raw}");
    assert!(
        raw.contains("From: \"Example Accounts\" <no-reply@example.com>")
            || raw.contains("From: Example Accounts <no-reply@example.com>"),
        "{raw}"
    );
    assert!(raw.contains("Subject: Reset your password"), "{raw}");
    assert!(
        raw.contains("multipart/alternative"),
        "plain text and HTML: {raw}"
    );
    assert!(
        raw.contains("text/plain") && raw.contains("text/html"),
        "{raw}"
    );
    let decoded = smtp_sink::decode_quoted_printable(&raw);
    assert!(
        decoded.contains("https://app.example.com/#auth-reset="),
        "{decoded}"
    );
    let token = smtp_sink::link_token(&raw, "auth-reset").expect("a reset link");
    assert_eq!(token.len(), 64);
    assert!(
        s.mailbox_is_off().await,
        "with --smtp-url the dev mailbox is off"
    );
    let done = s
        .post_json(
            "/auth/password-reset/complete",
            &json!({"token": token, "password": "a brand new passphrase 42"}),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
    let both = wait(&sink, 2).await;
    assert!(
        both[1].contains("Subject: Your password was changed"),
        "{}",
        both[1]
    );
    assert_eq!(
        s.login(DEMO_EMAIL, "a brand new passphrase 42")
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn a_mail_server_that_is_down_never_changes_the_answer() {
    // A port nothing listens on: bind one, note it, close it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("smtp://127.0.0.1:{port}");
    let s = server(&[
        "--smtp-url",
        &url,
        "--mail-from",
        "no-reply@example.com",
        "--dev-mailbox",
        "--rate-limit-per-minute",
        "0",
    ])
    .await;
    let a = s
        .post_json("/auth/password-reset", &json!({"email": DEMO_EMAIL}))
        .await;
    assert_eq!(a.status, 202);
    // --dev-mailbox keeps a copy, so the link can still be followed.
    let token = s.link_token("reset", DEMO_EMAIL, 1).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        let metrics = s.admin_get("/metrics").await.text;
        if metrics.contains("auth_mails_total{kind=\"reset\",outcome=\"failed\"} 1") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no failure counted:\n{metrics}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let done = s
        .post_json(
            "/auth/password-reset/complete",
            &json!({"token": token, "password": "a brand new passphrase 42"}),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
}

#[tokio::test]
async fn smtp_urls_with_a_password_are_refused_on_the_command_line() {
    let err = auth_server::Cli::try_parse_args(&["--smtp-url", "smtp://u:secret@mail.example.com"])
        .unwrap_err()
        .to_string();
    assert!(err.contains("AUTH_SMTP_PASSWORD"), "{err}");
    let err = auth_server::Cli::try_parse_args(&["--app-url", "https://x.example/#frag"])
        .unwrap_err()
        .to_string();
    assert!(err.contains("fragment"), "{err}");
}
