//! recovery-29: a reset request answers registered and unregistered emails in the same time.
//! Its own test binary, so no other test competes for the CPU while it measures.

mod common;
#[path = "support/smtp_sink.rs"]
mod smtp_sink;

use std::time::{Duration, Instant};

use common::*;
use serde_json::json;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// The median of 30 requests each, within 50 ms. The mail server here takes 150 ms to accept
/// each message, so an implementation that sent the email (or did the account's work) before
/// answering would answer registered emails at least that much later and fail.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recovery_29_unknown_email_reset_timing_matches_a_registered_one() {
    let dir = std::env::temp_dir().join(format!("smtp-sink-{}", uuid::Uuid::new_v4().simple()));
    let sink = smtp_sink::start(&dir, 0, Duration::from_millis(150)).expect("sink");
    let url = format!("smtp://{}", sink.addr);
    let s = server(&[
        "--smtp-url",
        &url,
        "--mail-from",
        "no-reply@example.com",
        "--link-mail-interval-secs",
        "0",
        "--rate-limit-per-minute",
        "0",
    ])
    .await;
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    for i in 0..30 {
        let t = Instant::now();
        let a = s
            .post_json("/auth/password-reset", &json!({"email": DEMO_EMAIL}))
            .await;
        known.push(t.elapsed());
        let t = Instant::now();
        let b = s
            .post_json(
                "/auth/password-reset",
                &json!({"email": format!("nobody{i}@example.com")}),
            )
            .await;
        unknown.push(t.elapsed());
        assert_eq!((a.status, b.status), (202, 202));
        assert_eq!(a.text, b.text, "the same body");
    }
    let (k, u) = (median(known), median(unknown));
    eprintln!("reset request median: registered {k:?}, unregistered {u:?}");
    assert!(
        k.abs_diff(u) < Duration::from_millis(50),
        "median known {k:?} vs unknown {u:?}"
    );
    // The registered address really got its links (the work was done, after the answers).
    let got = tokio::task::spawn_blocking(move || sink.wait_for(30, Duration::from_secs(30)))
        .await
        .unwrap();
    assert_eq!(
        got.len(),
        30,
        "one reset email per request to the registered address"
    );
    assert!(got.iter().all(|m| m.contains("To: demo@example.com")));
}
