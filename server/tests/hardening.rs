//! The slow checks (`make test-hardening`, run with `--ignored`): connections that never finish
//! a request are closed and do not starve real clients (OWASP Denial of Service Cheat Sheet),
//! and resident memory stays bounded under sustained login load at the default argon2
//! parameters.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Opens a connection and sends `bytes`, never finishing the request.
async fn stalled(addr: std::net::SocketAddr, bytes: &'static [u8]) -> TcpStream {
    let mut c = TcpStream::connect(addr).await.expect("connect");
    c.write_all(bytes).await.expect("write");
    c
}

/// How long the server keeps `c` open (reads until end of file), at most `limit`.
async fn closed_within(mut c: TcpStream, opened: Instant, limit: Duration) -> Option<Duration> {
    let mut buf = [0u8; 1024];
    let read_all = async {
        loop {
            match c.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
    };
    tokio::time::timeout(limit.saturating_sub(opened.elapsed()), read_all)
        .await
        .ok()
        .map(|()| opened.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "slow: run by make test-hardening"]
async fn three_hundred_half_open_requests_neither_starve_clients_nor_stay_open_past_30_s() {
    let s = server(&[]).await;
    let addr = s.running.addr;
    let opened = Instant::now();
    let mut conns = Vec::new();
    // Headers never finished (slowloris).
    for _ in 0..280 {
        conns.push(stalled(addr, b"POST /auth/login HTTP/1.1\r\nHost: x\r\nX-Slow: ").await);
    }
    // Headers finished, body never sent.
    for _ in 0..10 {
        conns.push(
            stalled(
                addr,
                b"POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
                  Content-Length: 100\r\n\r\n{\"email\":",
            )
            .await,
        );
    }
    // A finished request, then an idle keep-alive connection.
    for _ in 0..10 {
        conns.push(stalled(addr, b"GET /auth/status HTTP/1.1\r\nHost: x\r\n\r\n").await);
    }
    // Real clients are answered promptly meanwhile.
    for _ in 0..5 {
        let started = Instant::now();
        let a = s.login(DEMO_EMAIL, DEMO_PASSWORD).await;
        assert_eq!(a.status, 200, "{}", a.text);
        let fresh = reqwest::Client::new();
        let r = fresh.get(s.url("/auth/status")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "answered in {:?}",
            started.elapsed()
        );
    }
    let limit = Duration::from_secs(30);
    let waits =
        futures_util::future::join_all(conns.into_iter().map(|c| closed_within(c, opened, limit)))
            .await;
    let open = waits.iter().filter(|w| w.is_none()).count();
    assert_eq!(open, 0, "{open} of 300 connections still open after 30 s");
    let longest = waits.iter().flatten().max().unwrap();
    println!("300 stalled connections closed by the server; the last after {longest:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "slow: run by make test-hardening"]
async fn connections_beyond_the_cap_wait_until_a_slot_frees() {
    let s = server(&["--max-connections", "20"]).await;
    let addr = s.running.addr;
    let mut conns = Vec::new();
    for _ in 0..30 {
        conns.push(stalled(addr, b"GET /auth/status HTTP/1.1\r\nHost: x\r\n").await);
    }
    // The gauge counts served connections; give the accept loop a moment to reach the cap.
    let deadline = Instant::now() + Duration::from_secs(5);
    let gauge = loop {
        let m = s.admin_get("/metrics").await.text;
        let open = m
            .lines()
            .find(|l| l.starts_with("auth_open_connections "))
            .and_then(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .unwrap_or(0.0);
        if open >= 20.0 || Instant::now() > deadline {
            break open;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(gauge, 20.0, "at most 20 connections served at once");
    drop(conns);
    let a = s.login(DEMO_EMAIL, DEMO_PASSWORD).await;
    assert_eq!(a.status, 200, "served once the stalled ones are gone");
}

struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Resident set size of process `pid` in bytes (`VmRSS` in /proc/PID/status).
fn rss_bytes(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS");
    kib * 1024
}

#[test]
#[ignore = "slow: run by make test-hardening"]
fn resident_memory_stays_under_200_mb_after_12_s_of_6_concurrent_logins() {
    let bin = env!("CARGO_BIN_EXE_auth-server");
    // Default argon2 parameters (19 MiB, 2 passes), four hashing slots.
    let mut child = Command::new(bin)
        .args(["--addr", "127.0.0.1:0", "--db", "sqlite::memory:"])
        .args(["--seed-demo-user", "--rate-limit-per-minute", "0"])
        .args(["--lockout-threshold", "1000000"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let pid = child.id();
    let child = Kill(child);
    let base = line
        .trim_end()
        .strip_prefix("auth-server listening on ")
        .unwrap()
        .to_string();
    let before = rss_bytes(pid);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (served, peak) = rt.block_on(async {
        let until = Instant::now() + Duration::from_secs(12);
        let mut tasks = Vec::new();
        for i in 0..6 {
            let url = format!("{base}/auth/login");
            tasks.push(tokio::spawn(async move {
                let http = reqwest::Client::new();
                let mut n = 0u32;
                while Instant::now() < until {
                    // Alternate good and wrong passwords: both hash.
                    let password = if (n + i).is_multiple_of(2) {
                        DEMO_PASSWORD
                    } else {
                        "wrong guess"
                    };
                    let r = http
                        .post(&url)
                        .json(&json!({"email": DEMO_EMAIL, "password": password}))
                        .send()
                        .await
                        .unwrap();
                    assert!(
                        matches!(r.status().as_u16(), 200 | 401 | 503),
                        "{}",
                        r.status()
                    );
                    n += 1;
                }
                n
            }));
        }
        let mut peak = 0;
        while tasks.iter().any(|t| !t.is_finished()) {
            peak = peak.max(rss_bytes(pid));
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let mut served = 0;
        for t in tasks {
            served += t.await.unwrap();
        }
        (served, peak)
    });
    let after = rss_bytes(pid);
    drop(child);
    let mb = |b: u64| b as f64 / 1e6;
    println!(
        "{served} logins in 12 s; resident {:.0} MB before, peak {:.0} MB, {:.0} MB after",
        mb(before),
        mb(peak.max(after)),
        mb(after)
    );
    assert!(served > 50, "the load was real: {served} logins");
    assert!(
        peak.max(after) < 200_000_000,
        "resident memory reached {:.0} MB",
        mb(peak.max(after))
    );
}
