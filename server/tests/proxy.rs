//! Client addresses behind a reverse proxy: `X-Forwarded-For` is read only when the peer is a
//! `--trusted-proxy`, and then its right-most untrusted address is the client (OWASP ASVS 5.0
//! V13). The per-client burst is small enough that a few clients cannot fill the hashing queue.

mod common;

use common::*;
use serde_json::json;

/// A login from `forwarded_for` (the header as a proxy appends it): its status.
async fn login_via(s: &Server, forwarded_for: &str) -> u16 {
    s.send(
        s.http
            .post(s.url("/auth/login"))
            .header("x-forwarded-for", forwarded_for)
            .json(&json!({"email": "a@b.example", "password": "whatever"})),
    )
    .await
    .status
}

#[tokio::test]
async fn forwarded_for_is_ignored_when_the_peer_is_not_a_trusted_proxy() {
    let s = server(&["--rate-limit-per-minute", "2"]).await;
    assert_eq!(login_via(&s, "203.0.113.1").await, 401);
    assert_eq!(login_via(&s, "203.0.113.2").await, 401);
    // A client cannot buy a fresh budget by inventing addresses.
    assert_eq!(login_via(&s, "203.0.113.3").await, 429);
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_budget() {
    let s = server(&[
        "--rate-limit-per-minute",
        "2",
        "--trusted-proxy",
        "127.0.0.1/32",
    ])
    .await;
    assert_eq!(login_via(&s, "203.0.113.1").await, 401);
    assert_eq!(login_via(&s, "203.0.113.1").await, 401);
    assert_eq!(login_via(&s, "203.0.113.1").await, 429);
    assert_eq!(login_via(&s, "203.0.113.2").await, 401, "another client");
}

#[tokio::test]
async fn the_right_most_untrusted_forwarded_address_is_the_client() {
    let s = server(&[
        "--rate-limit-per-minute",
        "2",
        "--trusted-proxy",
        "127.0.0.1/32",
        "--trusted-proxy",
        "10.0.0.0/8",
    ])
    .await;
    // The left part is whatever the client sent; only the proxies' own entries count.
    assert_eq!(login_via(&s, "198.51.100.1, 203.0.113.5").await, 401);
    assert_eq!(
        login_via(&s, "198.51.100.2, 203.0.113.5, 10.1.2.3").await,
        401
    );
    assert_eq!(login_via(&s, "198.51.100.3, 203.0.113.5").await, 429);
    assert_eq!(login_via(&s, "203.0.113.6, 10.9.9.9").await, 401);
}

#[tokio::test]
async fn a_bad_trusted_proxy_value_is_refused_at_start() {
    for bad in ["10.0.0.0/33", "not-a-network", "10.0.0.0/8/1"] {
        let parsed = auth_server::Cli::try_parse_args(&["--trusted-proxy", bad]);
        assert!(parsed.is_err(), "{bad} accepted");
    }
    assert!(auth_server::Cli::try_parse_args(&["--trusted-proxy", "::1/128"]).is_ok());
    assert!(
        auth_server::Cli::try_parse_args(&["--trusted-proxy", "192.0.2.10"]).is_ok(),
        "a single address"
    );
}

#[tokio::test]
async fn the_default_burst_lets_one_client_start_only_twenty_sign_ins_at_once() {
    let s = server(&[]).await;
    let mut admitted = 0;
    for _ in 0..60 {
        // 401, then 403 once the email locks: either way the password was checked.
        if login_via(&s, "203.0.113.9").await != 429 {
            admitted += 1;
        }
    }
    // 20 at once, then one every 100 ms (600 a minute) while the loop runs.
    assert!(
        (20..=45).contains(&admitted),
        "{admitted} of 60 quick sign-ins reached the password check"
    );
}
