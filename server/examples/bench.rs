//! Login benchmark: `cargo run --release -p auth-server --example bench [-- SECONDS]`.
//!
//! 1. Closed loop: 2 × cores clients log in back to back for SECONDS (default 10) at the default
//!    argon2 parameters → throughput and p50/p99 latency.
//! 2. Open loop at 4 × that throughput for SECONDS → how many are served, how many are shed
//!    with 429/503 + Retry-After, and whether anything timed out (client timeout 10 s).
//!
//! Server and load generator share the machine, so the figures are a floor.

use std::time::{Duration, Instant};

use auth_server::{Cli, DEMO_EMAIL, DEMO_PASSWORD};
use clap::Parser;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let secs: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let cli = Cli::try_parse_from([
        "auth-server",
        "--addr",
        "127.0.0.1:0",
        "--db",
        "sqlite::memory:",
        "--seed-demo-user",
    ])?;
    println!(
        "argon2id m={} KiB t={} p={}, hashing slots {}, queue timeout {} ms",
        cli.argon2_m_cost,
        cli.argon2_t_cost,
        cli.argon2_p_cost,
        cli.max_concurrent_hashes,
        cli.hash_queue_timeout_ms
    );
    let running = auth_server::start(cli, std::future::pending()).await?;
    let url = format!("{}/auth/login", running.url());
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()?;
    let body = serde_json::json!({"email": DEMO_EMAIL, "password": DEMO_PASSWORD});

    // Phase 1: closed loop.
    let clients = 2 * std::thread::available_parallelism().map_or(2, |n| n.get());
    let until = Instant::now() + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (http, url, body) = (http.clone(), url.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            while Instant::now() < until {
                let t = Instant::now();
                let r = http.post(&url).json(&body).send().await;
                if r.is_ok_and(|r| r.status() == 200) {
                    lat.push(t.elapsed());
                }
            }
            lat
        }));
    }
    let mut lat = Vec::new();
    for t in tasks {
        lat.extend(t.await?);
    }
    lat.sort();
    let rate = lat.len() as f64 / secs as f64;
    println!(
        "closed loop, {clients} clients, {secs} s: {} logins, {rate:.1}/s, p50 {:?}, p99 {:?}",
        lat.len(),
        percentile(&lat, 0.5),
        percentile(&lat, 0.99)
    );

    // Phase 2: open loop at 4x.
    let target = (rate * 4.0).max(1.0);
    let interval = Duration::from_secs_f64(1.0 / target);
    let started = Instant::now();
    let mut tasks = Vec::new();
    let mut next = started;
    while started.elapsed() < Duration::from_secs(secs) {
        let (http, url, body) = (http.clone(), url.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            let t = Instant::now();
            match http.post(&url).json(&body).send().await {
                Ok(r) => (
                    r.status().as_u16(),
                    r.headers().contains_key("retry-after"),
                    t.elapsed(),
                ),
                Err(_) => (0, false, t.elapsed()),
            }
        }));
        next += interval;
        tokio::time::sleep_until(next.into()).await;
    }
    let (mut ok, mut shed, mut shed_with_retry, mut failed, mut slowest) =
        (0, 0, 0, 0, Duration::ZERO);
    let mut ok_lat = Vec::new();
    for t in tasks {
        let (status, retry, took) = t.await?;
        slowest = slowest.max(took);
        match status {
            200 => {
                ok += 1;
                ok_lat.push(took);
            }
            429 | 503 => {
                shed += 1;
                shed_with_retry += usize::from(retry);
            }
            _ => failed += 1,
        }
    }
    ok_lat.sort();
    println!(
        "open loop at {target:.1}/s (4x), {secs} s: {ok} served (p99 {:?}), {shed} shed with \
         429/503 ({shed_with_retry} with Retry-After), {failed} failed or timed out, slowest \
         answer {slowest:?}",
        percentile(&ok_lat, 0.99)
    );
    Ok(())
}
