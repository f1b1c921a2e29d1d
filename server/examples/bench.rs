//! Login benchmark: `cargo run --release -p auth-server --example bench [-- SECONDS]`.
//!
//! 1. Closed loop: 2 × cores clients log in back to back for SECONDS (default 10) at the default
//!    argon2 parameters → throughput and p50/p99 latency.
//! 2. Open loop at 4 × that throughput for SECONDS → how many are served, how many are shed
//!    with 429/503 + Retry-After, how soon a refusal comes and which Retry-After it carries,
//!    and whether anything timed out (client timeout 10 s).
//!
//! Requests come from 1,000 client addresses (X-Forwarded-For through a trusted proxy on
//! loopback), so the per-client limit does not hide the server's own shedding. Resident memory
//! (VmRSS of this process: server and load generator) is sampled every 100 ms.
//!
//! Server and load generator share the machine, so the figures are a floor.

use std::time::{Duration, Instant};

use auth_server::{Cli, DEMO_EMAIL, DEMO_PASSWORD};
use clap::Parser;

mod support;
use support::{client, percentile};

/// Resident set size of this process in MB (VmRSS in /proc/self/status; 0 elsewhere).
fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib * 1024.0 / 1e6)
}

/// Samples the resident set every 100 ms until dropped; `peak()` is the largest seen.
struct RssPeak(
    std::sync::Arc<std::sync::atomic::AtomicU64>,
    tokio::task::JoinHandle<()>,
);

impl RssPeak {
    fn start() -> RssPeak {
        let peak = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let p = peak.clone();
        let task = tokio::spawn(async move {
            loop {
                p.fetch_max(rss_mb() as u64, std::sync::atomic::Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        });
        RssPeak(peak, task)
    }

    fn peak(&self) -> u64 {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl Drop for RssPeak {
    fn drop(&mut self) {
        self.1.abort();
    }
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
        "--trusted-proxy",
        "127.0.0.1/32",
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
    println!("resident at start: {:.0} MB", rss_mb());
    let url = format!("{}/auth/login", running.url());
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()?;
    let body = serde_json::json!({"email": DEMO_EMAIL, "password": DEMO_PASSWORD});

    // Phase 1: closed loop.
    let clients = 2 * std::thread::available_parallelism().map_or(2, |n| n.get());
    let until = Instant::now() + Duration::from_secs(secs);
    let rss = RssPeak::start();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (http, url, body) = (http.clone(), url.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            while Instant::now() < until {
                let t = Instant::now();
                let r = http
                    .post(&url)
                    .header("x-forwarded-for", client(c))
                    .json(&body)
                    .send()
                    .await;
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
        "closed loop, {clients} clients, {secs} s: {} logins, {rate:.1}/s, p50 {:?}, p99 {:?}, \
         resident peak {} MB",
        lat.len(),
        percentile(&lat, 0.5),
        percentile(&lat, 0.99),
        rss.peak()
    );
    drop(rss);

    // Phase 2: open loop at 4x.
    let target = (rate * 4.0).max(1.0);
    let interval = Duration::from_secs_f64(1.0 / target);
    let started = Instant::now();
    let mut tasks = Vec::new();
    let mut next = started;
    let rss = RssPeak::start();
    let mut n = 0;
    while started.elapsed() < Duration::from_secs(secs) {
        let (http, url, body) = (http.clone(), url.clone(), body.clone());
        n += 1;
        let from = client(n);
        tasks.push(tokio::spawn(async move {
            let t = Instant::now();
            let sent = http
                .post(&url)
                .header("x-forwarded-for", from)
                .json(&body)
                .send()
                .await;
            match sent {
                Ok(r) => (
                    r.status().as_u16(),
                    r.headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok()),
                    t.elapsed(),
                ),
                Err(_) => (0, None, t.elapsed()),
            }
        }));
        next += interval;
        tokio::time::sleep_until(next.into()).await;
    }
    let (mut ok, mut shed, mut shed_with_retry, mut failed, mut slowest) =
        (0, 0, 0, 0, Duration::ZERO);
    let mut ok_lat = Vec::new();
    let mut shed_lat = Vec::new();
    let mut hints = std::collections::BTreeMap::<u64, usize>::new();
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
                shed_lat.push(took);
                if let Some(r) = retry {
                    shed_with_retry += 1;
                    *hints.entry(r).or_default() += 1;
                }
            }
            _ => failed += 1,
        }
    }
    ok_lat.sort();
    shed_lat.sort();
    let peak = rss.peak();
    drop(rss);
    println!(
        "open loop at {target:.1}/s (4x), {secs} s: {ok} served (p50 {:?}, p99 {:?}), {shed} \
         shed with 429/503 ({shed_with_retry} with Retry-After), {failed} failed or timed out, \
         slowest answer {slowest:?}, resident peak {peak} MB",
        percentile(&ok_lat, 0.5),
        percentile(&ok_lat, 0.99),
    );
    println!(
        "refusals answered in p50 {:?}, p99 {:?}; Retry-After seconds (value: count) {hints:?}",
        percentile(&shed_lat, 0.5),
        percentile(&shed_lat, 0.99),
    );
    println!("resident at the end: {:.0} MB", rss_mb());
    Ok(())
}
