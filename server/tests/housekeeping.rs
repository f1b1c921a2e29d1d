//! Smaller hardening: sign-up in one transaction, expired rows purged, refusals logged as a
//! summary instead of one line each, early and spread-out refusals when the hashing queue is
//! full, and a sign-out that a foreign page cannot trigger.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::json;

#[tokio::test]
async fn a_sign_up_that_fails_half_way_leaves_no_account_behind() {
    let s = server(&[]).await;
    let db = &s.running.state.db;
    // The session row cannot be written: the sign-up fails after the account row.
    let (create, drop) = if postgres().is_some() {
        sqlx::query(
            "CREATE FUNCTION disk_full() RETURNS trigger LANGUAGE plpgsql \
             AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$",
        )
        .execute(db)
        .await
        .unwrap();
        (
            "CREATE TRIGGER no_sessions BEFORE INSERT ON sessions \
             FOR EACH ROW EXECUTE FUNCTION disk_full()",
            "DROP TRIGGER no_sessions ON sessions",
        )
    } else {
        (
            "CREATE TRIGGER no_sessions BEFORE INSERT ON sessions \
             BEGIN SELECT RAISE(ABORT, 'disk full'); END",
            "DROP TRIGGER no_sessions",
        )
    };
    sqlx::query(create).execute(db).await.unwrap();
    let email = "half-way@example.com";
    let password = "a perfectly fine passphrase";
    s.signup(email, password)
        .await
        .problem(500, "internal_error");
    sqlx::query(drop).execute(db).await.unwrap();
    let retry = s.signup(email, password).await;
    assert_eq!(
        retry.status, 201,
        "the retry creates the account: {}",
        retry.text
    );
}

async fn count(s: &Server, table: &str) -> i64 {
    auth_server::db::count_rows(&s.running.state.db, table)
        .await
        .unwrap()
}

#[tokio::test]
async fn expired_sessions_revocations_old_links_and_finished_sign_in_steps_are_purged() {
    let s = server(&[
        "--session-ttl-secs",
        "1",
        "--jwt-leeway-secs",
        "0",
        "--purge-interval-secs",
        "1",
    ])
    .await;
    let token = s.demo_token().await;
    s.send(
        s.http
            .post(s.url("/auth/logout"))
            .header("cookie", format!("session={token}"))
            .header("origin", s.base.clone()),
    )
    .await;
    s.demo_token().await;
    let now = auth_server::tokens::now() as i64;
    // Links: one a week and a day past its expiry (forgotten), one expired an hour ago (kept,
    // so it still reads as expired rather than never issued).
    let demo = auth_server::db::user_by_email(&s.running.state.db, DEMO_EMAIL)
        .await
        .unwrap()
        .unwrap();
    sqlx::query(
        "INSERT INTO account_links (token_hash, user_id, purpose, created_at, expires_at) \
         VALUES ('old', $1, 'reset', $2, $3), ('recent', $1, 'reset', $4, $5)",
    )
    .bind(&demo.id)
    .bind(now - 8 * 86400 - 1800)
    .bind(now - 8 * 86400)
    .bind(now - 5400)
    .bind(now - 3600)
    .execute(&s.running.state.db)
    .await
    .unwrap();
    // Second steps of a sign-in: one expired, one used, one still open.
    sqlx::query(
        "INSERT INTO login_steps (token_hash, user_id, expires_at, used_at) \
         VALUES ('gone', $1, $2, NULL), ('done', $1, $3, $4), ('open', $1, $3, NULL)",
    )
    .bind(&demo.id)
    .bind(now - 1)
    .bind(now + 300)
    .bind(now)
    .execute(&s.running.state.db)
    .await
    .unwrap();
    assert_eq!(count(&s, "sessions").await, 2, "one revoked, one live");
    let deadline = Instant::now() + Duration::from_secs(10);
    while count(&s, "sessions").await > 0
        || count(&s, "account_links").await > 1
        || count(&s, "login_steps").await > 1
    {
        assert!(
            Instant::now() < deadline,
            "still {} sessions, {} links and {} sign-in steps after 10 s",
            count(&s, "sessions").await,
            count(&s, "account_links").await,
            count(&s, "login_steps").await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(count(&s, "account_links").await, 1, "the recent one stays");
    assert_eq!(count(&s, "login_steps").await, 1, "the open step stays");
}

#[tokio::test]
async fn sign_out_from_a_foreign_page_or_without_json_is_refused() {
    let s = server(&[]).await;
    let token = s.demo_token().await;
    let logout = |origin: Option<&str>, ctype: Option<&str>| {
        let mut req = s
            .http
            .post(s.url("/auth/logout"))
            .header("cookie", format!("session={token}"));
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        if let Some(c) = ctype {
            req = req.header("content-type", c).body("{}");
        }
        req
    };
    // A cross-site form post: foreign Origin, a form content type.
    s.send(logout(
        Some("https://evil.example"),
        Some("application/x-www-form-urlencoded"),
    ))
    .await
    .problem(403, "forbidden");
    s.send(logout(None, Some("text/plain")))
        .await
        .problem(415, "unsupported_media_type");
    s.send(logout(None, None))
        .await
        .problem(415, "unsupported_media_type");
    assert_eq!(
        s.session_with_cookie(&token).await.status,
        200,
        "still signed in"
    );
    assert_eq!(s.send(logout(Some(&s.base), None)).await.status, 204);
    assert_eq!(s.session_with_cookie(&token).await.status, 401);
    let other = s.demo_token().await;
    let json_logout = s
        .send(
            s.http
                .post(s.url("/auth/logout"))
                .header("cookie", format!("session={other}"))
                .json(&json!({})),
        )
        .await;
    assert_eq!(
        json_logout.status, 204,
        "JSON without an Origin (non-browser clients)"
    );
}

/// Logins from `n` concurrent clients against a server with one slow hashing slot: each
/// answer's status, Retry-After and time to answer.
async fn flood(s: &Server, n: usize) -> Vec<(u16, Option<u64>, Duration)> {
    let mut tasks = Vec::new();
    for _ in 0..n {
        let http = s.http.clone();
        let url = s.url("/auth/login");
        tasks.push(tokio::spawn(async move {
            let started = Instant::now();
            let r = http
                .post(url)
                .json(&json!({"email": DEMO_EMAIL, "password": DEMO_PASSWORD}))
                .send()
                .await
                .unwrap();
            let retry = r
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok()?.parse().ok());
            (r.status().as_u16(), retry, started.elapsed())
        }));
    }
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_hashing_queue_refuses_at_once_with_spread_out_retry_hints() {
    let s = server(&[
        "--argon2-m-cost",
        "32768",
        "--argon2-t-cost",
        "6",
        "--max-concurrent-hashes",
        "1",
        "--hash-queue-timeout-ms",
        "3000",
        "--rate-limit-per-minute",
        "0",
    ])
    .await;
    let answers = flood(&s, 40).await;
    let refused: Vec<_> = answers.iter().filter(|a| a.0 == 503).collect();
    assert!(refused.len() >= 10, "{answers:?}");
    assert!(answers.iter().any(|a| a.0 == 200), "some are served");
    let first_refusal = refused.iter().map(|a| a.2).min().unwrap();
    assert!(
        first_refusal < Duration::from_millis(1000),
        "refused without waiting out the 3 s queue timeout: {first_refusal:?}"
    );
    let mut hints: Vec<u64> = refused.iter().map(|a| a.1.expect("Retry-After")).collect();
    hints.sort_unstable();
    hints.dedup();
    assert!(hints.len() >= 2, "retry hints spread out: {hints:?}");
}

#[test]
fn refusals_are_logged_as_a_summary_not_one_line_each() {
    let bin = env!("CARGO_BIN_EXE_auth-server");
    let mut child = Command::new(bin)
        .args(["--addr", "127.0.0.1:0", "--db", "sqlite::memory:"])
        .args(["--argon2-m-cost", "1024", "--argon2-t-cost", "1"])
        .args([
            "--rate-limit-per-minute",
            "1",
            "--refusal-log-interval-secs",
            "1",
        ])
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim_end()
        .strip_prefix("auth-server listening on ")
        .unwrap()
        .to_string();
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let http = reqwest::Client::new();
        let mut limited = 0;
        for _ in 0..200 {
            let r = http
                .post(format!("{base}/auth/login"))
                .json(&json!({"email": "a@b.example", "password": "whatever"}))
                .send()
                .await
                .unwrap();
            limited += u32::from(r.status() == 429);
        }
        assert_eq!(limited, 199);
        // The summary of the interval comes once it is over.
        tokio::time::sleep(Duration::from_millis(2500)).await;
    });
    let _ = child.kill();
    let _ = child.wait();
    let logs = reader.join().unwrap();
    let about_refusals: Vec<&str> = logs
        .lines()
        .filter(|l| {
            l.contains("rate limited") || l.contains("rate_limited") || l.contains("refused")
        })
        .collect();
    assert!(
        about_refusals.len() <= 4,
        "{} lines about refusals:\n{}",
        about_refusals.len(),
        about_refusals.join("\n")
    );
    // The requests may straddle two intervals: the summaries add up to every refusal.
    let counted: u64 = about_refusals
        .iter()
        .filter_map(|l| l.split("rate_limited=").nth(1)?.split_whitespace().next())
        .filter_map(|n| n.parse::<u64>().ok())
        .sum();
    assert_eq!(counted, 199, "the summaries count them: {about_refusals:?}");
}

#[tokio::test]
async fn test_servers_run_on_the_database_the_test_command_names() {
    let s = server(&[]).await;
    let db = &s.running.state.cfg.db;
    assert_eq!(
        auth_server::db::is_postgres(db),
        postgres().is_some(),
        "AUTH_TEST_DB={:?}, server on {db}",
        postgres()
    );
    // And the data really goes there: the two seeded accounts are rows of that database.
    assert_eq!(
        auth_server::db::count_rows(&s.running.state.db, "users")
            .await
            .unwrap(),
        2
    );
}
