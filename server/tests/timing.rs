//! errors-14 timing: in its own test binary so no other test competes for the CPU while it
//! measures.

mod common;

use std::time::{Duration, Instant};

use common::*;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// errors-14: unknown email and wrong password take similar time (the server verifies a
/// dummy hash for unknown emails). Argon2 is made slow enough here (well over 50 ms) that
/// skipping the dummy verification would fail this test.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_14_unknown_email_timing_matches_wrong_password() {
    let s = server(&[
        "--argon2-m-cost",
        "32768",
        "--argon2-t-cost",
        "6",
        "--lockout-threshold",
        "1000",
        "--rate-limit-per-minute",
        "0",
    ])
    .await;
    let (mut wrong, mut unknown) = (Vec::new(), Vec::new());
    for i in 0..30 {
        let t = Instant::now();
        let a = s.login(DEMO_EMAIL, &format!("wrong password {i}")).await;
        wrong.push(t.elapsed());
        assert_eq!(a.status, 401);
        let t = Instant::now();
        let b = s
            .login(
                &format!("nobody{i}@example.com"),
                &format!("wrong password {i}"),
            )
            .await;
        unknown.push(t.elapsed());
        assert_eq!(b.status, 401);
    }
    let (w, u) = (median(wrong), median(unknown));
    assert!(
        w > Duration::from_millis(50),
        "hashing too fast for the test to mean anything: {w:?}"
    );
    let gap = w.abs_diff(u);
    assert!(
        gap < Duration::from_millis(50),
        "median wrong {w:?} vs unknown {u:?}"
    );
}
