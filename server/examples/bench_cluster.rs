//! Sign-in benchmark of several instances behind haproxy on PostgreSQL (`make bench-cluster`):
//! `scripts/with-postgres.sh cargo run --release -p auth-server --example bench_cluster
//! [-- SECONDS]`.
//!
//! For 1, 2 and 3 release `auth-server` processes on a new database of the `AUTH_TEST_DB`
//! cluster, sharing a key file, behind haproxy (round robin, health checks) with
//! `--trusted-proxy 127.0.0.1`, at the default argon2 parameters:
//!
//! 1. Closed loop: 4 clients per instance (one per hashing slot) sign in back to back for
//!    SECONDS (default 10) → throughput and p50/p99.
//! 2. Open loop at 4 × that throughput for SECONDS → what clients see: served (p50/p99),
//!    refused with 429/503 and Retry-After, and failed or timed out (client timeout 10 s).
//!
//! Requests come from 1,000 client addresses (X-Forwarded-For), so the per-client limits do
//! not hide the servers' own shedding. Load generator, haproxy, PostgreSQL and the instances
//! share the machine: the figures are a floor, and on a machine with fewer cores than
//! instances they show the cores, not the design.

#[path = "../tests/common/instances.rs"]
mod instances;

use std::time::{Duration, Instant};

use instances::{Haproxy, Instance, TempDir, write_key_file};
use serde_json::json;

mod support;
use support::{client, percentile};

const EMAIL: &str = auth_server::DEMO_EMAIL;
const PASSWORD: &str = auth_server::DEMO_PASSWORD;

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

/// A new, empty database in the `AUTH_TEST_DB` cluster.
async fn fresh_database() -> anyhow::Result<String> {
    use sqlx::Connection;
    let admin = std::env::var("AUTH_TEST_DB")
        .map_err(|_| anyhow::anyhow!("AUTH_TEST_DB unset: run under scripts/with-postgres.sh"))?;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&admin).await?;
    let name = format!("bench_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await?;
    let (base, _) = admin
        .rsplit_once('/')
        .ok_or_else(|| anyhow::anyhow!("AUTH_TEST_DB names no database"))?;
    Ok(format!("{base}/{name}"))
}

/// One answer: status (0: none), Retry-After, time taken.
type Outcome = (u16, Option<u64>, Duration);

async fn sign_in(http: &reqwest::Client, url: &str, from: String) -> Outcome {
    let t = Instant::now();
    match http
        .post(url)
        .header("x-forwarded-for", from)
        .json(&json!({"email": EMAIL, "password": PASSWORD}))
        .send()
        .await
    {
        Ok(r) => {
            let retry = r
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok()?.parse().ok());
            let status = r.status().as_u16();
            let _ = r.bytes().await;
            (status, retry, t.elapsed())
        }
        Err(_) => (0, None, t.elapsed()),
    }
}

struct Tally {
    served: Vec<Duration>,
    refused: usize,
    refused_with_retry: usize,
    failed: usize,
}

fn tally(outcomes: Vec<Outcome>) -> Tally {
    let mut t = Tally {
        served: Vec::new(),
        refused: 0,
        refused_with_retry: 0,
        failed: 0,
    };
    for (status, retry, took) in outcomes {
        match status {
            200 => t.served.push(took),
            429 | 503 => {
                t.refused += 1;
                t.refused_with_retry += usize::from(retry.is_some());
            }
            _ => t.failed += 1,
        }
    }
    t.served.sort();
    t
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let secs: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let bin = std::env::current_exe()?
        .parent()
        .and_then(|examples| examples.parent())
        .map(|dir| dir.join("auth-server"))
        .filter(|p| p.is_file())
        .ok_or_else(|| {
            anyhow::anyhow!("build the server first: cargo build --release -p auth-server")
        })?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "{cores} cores; release auth-server at the default argon2 parameters (19 MiB, 2 passes, \
         4 hashing slots per instance); haproxy round robin; PostgreSQL on loopback; {secs} s per phase"
    );
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .pool_max_idle_per_host(256)
        .build()?;
    let mut rows = Vec::new();
    for n in 1..=3 {
        let dir = TempDir::new("aw-bench-cluster");
        let keys = dir.path("jwt-keys");
        write_key_file(&keys);
        let db = fresh_database().await?;
        let args: Vec<String> = [
            "--db",
            &db,
            "--jwt-key-file",
            keys.to_str().unwrap_or_default(),
            "--trusted-proxy",
            "127.0.0.1",
            "--seed-demo-user",
        ]
        .map(String::from)
        .to_vec();
        let servers: Vec<Instance> = (1..=n)
            .map(|i| Instance::start(&bin, &args, &dir.path(&format!("s{i}.log"))))
            .collect();
        let addrs: Vec<_> = servers.iter().map(|s| s.addr).collect();
        let proxy = Haproxy::start(&dir.0, &addrs);
        let url = proxy.url("/auth/login");
        // Warm up: every instance has answered one sign-in.
        for i in 0..n {
            sign_in(&http, &url, client(900 + i)).await;
        }

        // Closed loop.
        let clients = 4 * n;
        let until = Instant::now() + Duration::from_secs(secs);
        let tasks: Vec<_> = (0..clients)
            .map(|c| {
                let (http, url) = (http.clone(), url.clone());
                tokio::spawn(async move {
                    let mut out = Vec::new();
                    while Instant::now() < until {
                        out.push(sign_in(&http, &url, client(c)).await);
                    }
                    out
                })
            })
            .collect();
        let mut outcomes = Vec::new();
        for t in tasks {
            outcomes.extend(t.await?);
        }
        let closed = tally(outcomes);
        let rate = closed.served.len() as f64 / secs as f64;
        println!(
            "{n} instance(s), closed loop, {clients} clients: {} served, {rate:.1}/s, p50 {}, p99 {}; \
             {} refused, {} failed",
            closed.served.len(),
            ms(percentile(&closed.served, 0.5)),
            ms(percentile(&closed.served, 0.99)),
            closed.refused,
            closed.failed
        );

        // Open loop at 4x.
        let target = (rate * 4.0).max(1.0);
        let interval = Duration::from_secs_f64(1.0 / target);
        let started = Instant::now();
        let mut next = started;
        let mut tasks = Vec::new();
        let mut k = 0;
        while started.elapsed() < Duration::from_secs(secs) {
            let (http, url) = (http.clone(), url.clone());
            k += 1;
            let from = client(k);
            tasks.push(tokio::spawn(
                async move { sign_in(&http, &url, from).await },
            ));
            next += interval;
            tokio::time::sleep_until(next.into()).await;
        }
        let sent = tasks.len();
        let mut outcomes = Vec::new();
        for t in tasks {
            outcomes.push(t.await?);
        }
        let open = tally(outcomes);
        println!(
            "{n} instance(s), open loop at {target:.1}/s (4x), {sent} sent: {} served (p50 {}, p99 {}), \
             {} refused ({} with Retry-After), {} failed or timed out",
            open.served.len(),
            ms(percentile(&open.served, 0.5)),
            ms(percentile(&open.served, 0.99)),
            open.refused,
            open.refused_with_retry,
            open.failed
        );
        rows.push(format!(
            "| {n} | {rate:.1}/s, p50 {}, p99 {} | {target:.0}/s: {} served, p50 {}, p99 {} | {} ({} with Retry-After) | {} |",
            ms(percentile(&closed.served, 0.5)),
            ms(percentile(&closed.served, 0.99)),
            open.served.len(),
            ms(percentile(&open.served, 0.5)),
            ms(percentile(&open.served, 0.99)),
            open.refused,
            open.refused_with_retry,
            closed.failed + open.failed
        ));
        drop(proxy);
        drop(servers);
    }
    println!(
        "\n| instances | closed loop (4 clients per instance) | open loop at 4x | refused at 4x | failed |"
    );
    println!("|---|---|---|---|---|");
    for r in rows {
        println!("{r}");
    }
    Ok(())
}
