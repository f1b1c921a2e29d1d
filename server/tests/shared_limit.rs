//! The per-client limit shared by every instance on one database (OWASP ASVS 5.0 V2, anti-
//! automation): after each instance's in-memory limiter, a counter in the database (GCRA, like
//! the in-memory one) that all instances consult, so several instances behind one proxy do not
//! multiply a client's budget. On SQLite and, under scripts/with-postgres.sh, PostgreSQL.

mod common;

use auth_server::db::{self, Pace};
use common::instances::{Instance, TempDir, write_key_file};
use common::*;
use serde_json::json;

/// A fresh database: a new one in the `AUTH_TEST_DB` cluster, else `sqlite` (a URL or path).
async fn fresh_db(sqlite: &str) -> String {
    fresh_postgres_database()
        .await
        .unwrap_or_else(|| sqlite.to_string())
}

const SEC: i64 = 1_000_000;

#[tokio::test]
async fn the_shared_counter_admits_a_burst_then_one_per_interval_and_does_not_count_refusals() {
    let pool = db::connect(&fresh_db("sqlite::memory:").await)
        .await
        .unwrap();
    // 60 a minute (one a second), 3 at once.
    let pace = Pace::per_minute(60, 3).unwrap();
    assert_eq!(
        pace,
        Pace {
            interval_us: SEC,
            burst: 3
        }
    );
    let t0 = 1_800_000_000 * SEC;
    for i in 0..3 {
        assert_eq!(
            db::rate_limit(&pool, "198.51.100.1", t0, pace)
                .await
                .unwrap(),
            None,
            "{i}"
        );
    }
    // The fourth waits for the next interval: exactly one second.
    assert_eq!(
        db::rate_limit(&pool, "198.51.100.1", t0, pace)
            .await
            .unwrap(),
        Some(SEC)
    );
    // Another client has its own budget.
    assert_eq!(
        db::rate_limit(&pool, "198.51.100.2", t0, pace)
            .await
            .unwrap(),
        None
    );
    // Knocking while refused does not push the wait further away.
    for _ in 0..20 {
        let wait = db::rate_limit(&pool, "198.51.100.1", t0 + SEC / 2, pace)
            .await
            .unwrap();
        assert_eq!(wait, Some(SEC / 2));
    }
    assert_eq!(
        db::rate_limit(&pool, "198.51.100.1", t0 + SEC, pace)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        db::rate_limit(&pool, "198.51.100.1", t0 + SEC, pace)
            .await
            .unwrap(),
        Some(SEC)
    );
    // After a quiet spell the whole burst is back, and no more than the burst.
    let later = t0 + 60 * SEC;
    for _ in 0..3 {
        assert_eq!(
            db::rate_limit(&pool, "198.51.100.1", later, pace)
                .await
                .unwrap(),
            None
        );
    }
    assert!(
        db::rate_limit(&pool, "198.51.100.1", later, pace)
            .await
            .unwrap()
            .is_some()
    );
    // The purge drops clients whose pace has caught up (both, a minute on), and only those.
    assert_eq!(db::count_rows(&pool, "rate_limits").await.unwrap(), 2);
    db::purge(&pool, (later + 10 * SEC) / SEC, 0).await.unwrap();
    assert_eq!(db::count_rows(&pool, "rate_limits").await.unwrap(), 0);
}

#[tokio::test]
async fn concurrent_requests_from_one_client_never_get_past_the_burst() {
    let dir = TempDir::new("aw-limit");
    let url = fresh_db(dir.path("race.db").to_str().unwrap()).await;
    let pool = db::connect(&url).await.unwrap();
    let pace = Pace::per_minute(10, 10).unwrap();
    let now = 1_800_000_000 * SEC;
    let tasks: Vec<_> = (0..40)
        .map(|_| {
            let pool = pool.clone();
            tokio::spawn(async move { db::rate_limit(&pool, "198.51.100.7", now, pace).await })
        })
        .collect();
    let mut admitted = 0;
    for t in tasks {
        admitted += u32::from(t.await.unwrap().unwrap().is_none());
    }
    assert_eq!(
        admitted, 10,
        "one atomic statement per request: no lost update"
    );
}

/// `GET /auth/session` without a token from `client` (through the trusted loopback proxy):
/// the status and the Retry-After, if any. No hashing: only the limits decide.
async fn knock(http: &reqwest::Client, base: &str, client: &str) -> (u16, Option<u64>) {
    let r = http
        .get(format!("{base}/auth/session"))
        .header("x-forwarded-for", client)
        .send()
        .await
        .expect("request");
    let retry = r
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok()?.parse().ok());
    (r.status().as_u16(), retry)
}

#[tokio::test]
async fn two_server_processes_on_one_database_count_a_client_against_one_limit() {
    let dir = TempDir::new("aw-limit");
    let db = fresh_db(dir.path("shared.db").to_str().unwrap()).await;
    let keys = dir.path("keys");
    write_key_file(&keys);
    // 6 a minute, all 6 at once: each process alone would admit 6 right away.
    let args: Vec<String> = [
        "--db",
        &db,
        "--jwt-key-file",
        keys.to_str().unwrap(),
        "--trusted-proxy",
        "127.0.0.1",
        "--rate-limit-per-minute",
        "6",
        "--rate-limit-burst",
        "6",
    ]
    .map(String::from)
    .to_vec();
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_auth-server"));
    let a = Instance::start(bin, &args, &dir.path("a.log"));
    let b = Instance::start(bin, &args, &dir.path("b.log"));
    let http = reqwest::Client::new();
    // Requests alternate: 3 on each process, 6 in all.
    for i in 0..6 {
        let base = if i % 2 == 0 { &a.base } else { &b.base };
        assert_eq!(
            knock(&http, base, "203.0.113.10").await.0,
            401,
            "request {i}"
        );
    }
    // Each process has seen 3 of its 6, yet both refuse: the count is shared.
    for base in [&a.base, &b.base] {
        let (status, retry) = knock(&http, base, "203.0.113.10").await;
        assert_eq!(status, 429, "{base}");
        let retry = retry.expect("Retry-After");
        assert!(
            (1..=10).contains(&retry),
            "one interval (10 s) at most: {retry}"
        );
    }
    // Another client behind the same proxy is not affected.
    assert_eq!(knock(&http, &a.base, "203.0.113.11").await.0, 401);
    assert_eq!(knock(&http, &b.base, "203.0.113.11").await.0, 401);
    // The refusal is a proper problem, the same on either process.
    let r = http
        .post(b.url("/auth/login"))
        .header("x-forwarded-for", "203.0.113.10")
        .json(&json!({"email": DEMO_EMAIL, "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["code"], "rate_limited");
    assert!(body["retry_after"].as_u64().is_some(), "{body}");
}

#[tokio::test]
async fn the_in_memory_limiter_refuses_first_and_its_refusals_never_reach_the_database() {
    let s = server(&["--rate-limit-per-minute", "2"]).await;
    for _ in 0..2 {
        assert_eq!(s.get("/auth/session").await.status, 401);
    }
    let tat = || async {
        let row = sqlx::query("SELECT tat_us FROM rate_limits")
            .fetch_all(&s.running.state.db)
            .await
            .unwrap();
        row.iter()
            .map(|r| sqlx::Row::try_get::<i64, _>(r, 0).unwrap())
            .collect::<Vec<_>>()
    };
    let before = tat().await;
    assert_eq!(before.len(), 1, "one client, one row");
    for _ in 0..5 {
        s.get("/auth/session").await.problem(429, "rate_limited");
    }
    assert_eq!(
        tat().await,
        before,
        "refused in memory, the shared count untouched"
    );
}
