//! Several instances behind a real load balancer (`make test-cluster`): three `auth-server`
//! processes on one PostgreSQL database, sharing a key file, behind haproxy on loopback (round
//! robin, health checks, `--trusted-proxy 127.0.0.1`). Whatever instance a request lands on,
//! it sees the same sessions, revocations, locks and rate-limit counts; losing an instance
//! loses only the requests it was answering.
//!
//! Run with `--ignored` under scripts/with-postgres.sh (`AUTH_TEST_DB`), one test at a time.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::{Duration, Instant};

use common::instances::{Haproxy, Instance, TempDir, write_key_file};
use common::*;
use serde_json::json;

struct Cluster {
    instances: Vec<Instance>,
    proxy: Haproxy,
    http: reqwest::Client,
    _dir: TempDir,
}

/// `n` instances on a new database of the `AUTH_TEST_DB` cluster behind a new haproxy.
async fn cluster(n: usize, extra: &[&str]) -> Cluster {
    let db = fresh_postgres_database()
        .await
        .expect("AUTH_TEST_DB: run under scripts/with-postgres.sh (make test-cluster)");
    let dir = TempDir::new("aw-cluster");
    let keys = dir.path("jwt-keys");
    write_key_file(&keys);
    let mut args: Vec<String> = [
        "--db",
        &db,
        "--jwt-key-file",
        keys.to_str().unwrap(),
        "--trusted-proxy",
        "127.0.0.1",
        "--seed-demo-user",
    ]
    .map(String::from)
    .to_vec();
    args.extend(extra.iter().map(|s| s.to_string()));
    let bin = Path::new(env!("CARGO_BIN_EXE_auth-server"));
    let instances: Vec<Instance> = (1..=n)
        .map(|i| Instance::start(bin, &args, &dir.path(&format!("s{i}.log"))))
        .collect();
    let addrs: Vec<_> = instances.iter().map(|i| i.addr).collect();
    let proxy = Haproxy::start(&dir.0, &addrs);
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    Cluster {
        instances,
        proxy,
        http,
        _dir: dir,
    }
}

const CHEAP_ARGON2: [&str; 4] = ["--argon2-m-cost", "1024", "--argon2-t-cost", "1"];

/// What the cluster answered: status, the server haproxy sent it to, Retry-After, the session
/// token set, and the body.
#[derive(Debug)]
struct Reply {
    status: u16,
    served_by: Option<String>,
    retry_after: Option<u64>,
    token: Option<String>,
    body: String,
}

async fn reply(r: reqwest::Response) -> Reply {
    let h = r.headers().clone();
    let get = |name: &str| {
        h.get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let token = h
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|c| c.split(';').next()?.strip_prefix("session="))
        .find(|t| !t.is_empty())
        .map(str::to_string);
    Reply {
        status: r.status().as_u16(),
        served_by: get("x-served-by"),
        retry_after: get("retry-after").and_then(|v| v.parse().ok()),
        token,
        body: r.text().await.unwrap_or_default(),
    }
}

impl Cluster {
    /// Sign-in at `base` (the proxy or one instance) from `client`.
    async fn login(&self, base: &str, client: &str, email: &str, password: &str) -> Reply {
        let r = self
            .http
            .post(format!("{base}/auth/login"))
            .header("x-forwarded-for", client)
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .expect("login request");
        reply(r).await
    }

    /// `GET /auth/session` at `base` with `token` (or none) from `client`.
    async fn session(&self, base: &str, client: &str, token: Option<&str>) -> Reply {
        let mut req = self
            .http
            .get(format!("{base}/auth/session"))
            .header("x-forwarded-for", client);
        if let Some(t) = token {
            req = req.header("cookie", format!("session={t}"));
        }
        reply(req.send().await.expect("session request")).await
    }

    async fn logout(&self, base: &str, token: &str) -> Reply {
        let r = self
            .http
            .post(format!("{base}/auth/logout"))
            .header("cookie", format!("session={token}"))
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .expect("logout request");
        reply(r).await
    }

    fn bases(&self) -> Vec<String> {
        self.instances.iter().map(|i| i.base.clone()).collect()
    }

    /// Checks `token` on every instance directly and `rounds` times through the proxy; the
    /// statuses, and the servers the proxy used.
    async fn check_everywhere(&self, token: &str, rounds: usize) -> (Vec<u16>, BTreeSet<String>) {
        let mut statuses = Vec::new();
        for base in self.bases() {
            statuses.push(
                self.session(&base, "203.0.113.200", Some(token))
                    .await
                    .status,
            );
        }
        let mut servers = BTreeSet::new();
        for _ in 0..rounds {
            let r = self
                .session(&self.proxy.base, "203.0.113.201", Some(token))
                .await;
            statuses.push(r.status);
            servers.extend(r.served_by);
        }
        (statuses, servers)
    }
}

fn all_servers(n: usize) -> BTreeSet<String> {
    (1..=n).map(|i| format!("s{i}")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs haproxy and PostgreSQL: make test-cluster"]
async fn a_sign_in_on_one_instance_is_a_session_on_all_and_a_sign_out_on_another_ends_it_on_all() {
    let c = cluster(3, &CHEAP_ARGON2).await;
    let first = c
        .login(&c.proxy.base, "203.0.113.1", DEMO_EMAIL, DEMO_PASSWORD)
        .await;
    assert_eq!(first.status, 200, "{}", first.body);
    let issuer = first.served_by.clone().expect("X-Served-By");
    let token = first.token.expect("session cookie");
    let (statuses, servers) = c.check_everywhere(&token, 3).await;
    assert_eq!(
        statuses,
        vec![200; 6],
        "valid on every instance and through the proxy"
    );
    assert_eq!(
        servers,
        all_servers(3),
        "round robin reached every instance"
    );
    // A second session, signed in directly on the last instance.
    let other = c
        .login(
            &c.instances[2].base,
            "203.0.113.1",
            DEMO_EMAIL,
            DEMO_PASSWORD,
        )
        .await;
    let other = other.token.expect("second session");
    assert_eq!(c.check_everywhere(&other, 3).await.0, vec![200; 6]);
    // Sign out on an instance that did not issue the session.
    let signer: usize = issuer[1..].parse::<usize>().unwrap() - 1;
    let elsewhere = (signer + 1) % 3;
    let out = c.logout(&c.instances[elsewhere].base, &token).await;
    assert_eq!(out.status, 204, "{}", out.body);
    let (statuses, _) = c.check_everywhere(&token, 3).await;
    assert_eq!(statuses, vec![401; 6], "revoked on every instance");
    let refused = c
        .session(&c.instances[signer].base, "203.0.113.2", Some(&token))
        .await;
    assert!(refused.body.contains("session_invalid"), "{}", refused.body);
    // The other session of the same account lives on.
    assert_eq!(c.check_everywhere(&other, 3).await.0, vec![200; 6]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs haproxy and PostgreSQL: make test-cluster"]
async fn ten_failures_spread_over_the_instances_lock_the_account_on_all() {
    let c = cluster(3, &CHEAP_ARGON2).await;
    let mut by_server = BTreeMap::<String, usize>::new();
    for i in 1..=10 {
        let r = c
            .login(
                &c.proxy.base,
                "203.0.113.3",
                DEMO_EMAIL,
                &format!("wrong {i}"),
            )
            .await;
        assert_eq!(r.status, 401, "failure {i}: {}", r.body);
        *by_server.entry(r.served_by.unwrap()).or_default() += 1;
    }
    assert_eq!(
        by_server.keys().cloned().collect::<BTreeSet<_>>(),
        all_servers(3),
        "the failures landed on every instance: {by_server:?}"
    );
    assert!(
        by_server.values().all(|&n| n < 10),
        "no instance saw ten: {by_server:?}"
    );
    // The right password is refused on every instance, each with the lock's Retry-After.
    for base in c.bases() {
        let r = c
            .login(&base, "203.0.113.4", DEMO_EMAIL, DEMO_PASSWORD)
            .await;
        assert_eq!(r.status, 403, "{base}: {}", r.body);
        assert!(r.body.contains("account_locked"), "{}", r.body);
        let wait = r.retry_after.expect("Retry-After");
        assert!((800..=900).contains(&wait), "the 15-minute lock: {wait}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs haproxy and PostgreSQL: make test-cluster"]
async fn the_shared_rate_limit_counts_a_client_across_instances() {
    // 30 a minute, 30 at once: each instance's own limiter would admit 30 right away.
    let mut args = CHEAP_ARGON2.to_vec();
    args.extend(["--rate-limit-per-minute", "30", "--rate-limit-burst", "30"]);
    let c = cluster(3, &args).await;
    let mut seen = BTreeMap::<String, (usize, usize)>::new();
    let (mut admitted, mut refused) = (0, 0);
    for _ in 0..60 {
        let r = c.session(&c.proxy.base, "203.0.113.50", None).await;
        let entry = seen
            .entry(r.served_by.clone().expect("X-Served-By"))
            .or_default();
        match r.status {
            401 => {
                admitted += 1;
                entry.0 += 1;
            }
            429 => {
                refused += 1;
                entry.1 += 1;
                let wait = r.retry_after.expect("Retry-After");
                assert!((1..=2).contains(&wait), "one interval (2 s): {wait}");
            }
            other => panic!("{other}: {}", r.body),
        }
    }
    // 30, or 31 if the requests took longer than the 2 s one more needs.
    assert!(
        (30..=31).contains(&admitted),
        "admitted {admitted}, refused {refused}"
    );
    assert_eq!(admitted + refused, 60);
    for (server, (ok, no)) in &seen {
        assert!(
            ok + no < 30,
            "{server} saw {} requests: under its own burst",
            ok + no
        );
        assert!(*no > 0, "{server} refused some: {seen:?}");
    }
    assert_eq!(seen.len(), 3, "{seen:?}");
    // Another client through the same proxy has its own budget.
    assert_eq!(
        c.session(&c.proxy.base, "203.0.113.51", None).await.status,
        401
    );
}

/// One sign-in of the load: when it started and ended, its status (None: no answer) and the
/// server haproxy named.
#[derive(Debug)]
struct Attempt {
    started: Instant,
    ended: Instant,
    status: Option<u16>,
    served_by: Option<String>,
    token: Option<String>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs haproxy and PostgreSQL: make test-cluster"]
async fn killing_an_instance_mid_load_fails_only_its_requests_in_flight_and_loses_no_session() {
    // Default argon2 parameters: a sign-in takes long enough for several to be in flight.
    let mut c = cluster(3, &[]).await;
    // Sessions issued before, on every instance.
    let mut before = Vec::new();
    for i in 0..6 {
        let r = c
            .login(
                &c.proxy.base,
                &format!("203.0.113.{}", 60 + i),
                DEMO_EMAIL,
                DEMO_PASSWORD,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        before.push((r.served_by.unwrap(), r.token.unwrap()));
    }
    let issuers: BTreeSet<_> = before.iter().map(|(s, _)| s.clone()).collect();
    assert_eq!(issuers, all_servers(3));

    // 12 clients sign in back to back for 5 s; s2 is killed (SIGKILL) after 2 s.
    let workers = 12;
    let start = Instant::now();
    let until = start + Duration::from_secs(5);
    let mut tasks = Vec::new();
    for w in 0..workers {
        let (http, url) = (c.http.clone(), c.proxy.url("/auth/login"));
        tasks.push(tokio::spawn(async move {
            let mut attempts = Vec::new();
            while Instant::now() < until {
                let started = Instant::now();
                let sent = http
                    .post(&url)
                    .header("x-forwarded-for", format!("198.51.100.{}", w + 1))
                    .json(&json!({"email": DEMO_EMAIL, "password": DEMO_PASSWORD}))
                    .send()
                    .await;
                let (status, served_by, token) = match sent {
                    Ok(r) => {
                        let r = reply(r).await;
                        (Some(r.status), r.served_by, r.token)
                    }
                    Err(_) => (None, None, None),
                };
                attempts.push(Attempt {
                    started,
                    ended: Instant::now(),
                    status,
                    served_by,
                    token,
                });
            }
            attempts
        }));
    }
    tokio::time::sleep_until((start + Duration::from_secs(2)).into()).await;
    // What haproxy has sent to s2 without an answer yet (its streams on s2), then the kill.
    let in_flight = c.proxy.in_flight("s2");
    let killing = Instant::now();
    c.instances[1].kill();
    let dead = Instant::now();
    let mut attempts = Vec::new();
    for t in tasks {
        attempts.extend(t.await.unwrap());
    }
    // haproxy writes a request's log line when it ends; give the last ones a moment.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let failed: Vec<&Attempt> = attempts.iter().filter(|a| a.status != Some(200)).collect();
    let served = attempts.len() - failed.len();
    println!(
        "{} sign-ins in 5 s, {served} served; s2 killed at 2 s with {in_flight} in flight; \
         failed: {:?} (None: the connection closed without an answer)",
        attempts.len(),
        failed.iter().map(|a| a.status).collect::<Vec<_>>()
    );
    assert!(served > 20, "the load ran: {served} served");
    assert!(
        in_flight >= 1,
        "with 12 clients and 4 hashing slots per instance, s2 had sign-ins in flight"
    );
    // Those failed, and the few haproxy sent to s2 in the milliseconds between the count and
    // the kill (up to 2 more in a dozen runs on a busy 2-core machine).
    assert!(
        failed.len() as u64 <= in_flight + 3,
        "{} failed, {in_flight} were in flight on s2:\n{}",
        failed.len(),
        c.proxy.raw_log()
    );
    // Each failure was in flight at the kill: sent before it, ended after it. haproxy
    // answers 502, or closes a kept-alive connection without an answer (RFC 9112 §9.3.1: a
    // client may retry a request on a connection that closed before any answer).
    for a in &failed {
        assert!(
            a.started < dead && a.ended >= killing,
            "a failure that was not in flight at the kill: {a:?}"
        );
        assert!(matches!(a.status, None | Some(502)), "{a:?}");
    }
    // haproxy logged no failure of the instances that lived.
    for l in c.proxy.log() {
        if l.server == "s1" || l.server == "s3" {
            assert_eq!(l.status, 200, "{l:?}");
        }
    }
    // Everything sent after the kill was served: haproxy moves a refused connection to a
    // live instance, then its health check takes s2 out.
    let after: Vec<_> = attempts.iter().filter(|a| a.started > dead).collect();
    assert!(after.len() > 10, "load went on after the kill");
    assert!(after.iter().all(|a| a.status == Some(200)));

    // No session is lost: those issued before, and those s2 issued during the load, are
    // valid through the proxy and on each surviving instance.
    let from_s2: Vec<&String> = attempts
        .iter()
        .filter(|a| a.served_by.as_deref() == Some("s2"))
        .filter_map(|a| a.token.as_ref())
        .collect();
    assert!(!from_s2.is_empty(), "s2 issued sessions before it died");
    let survivors = [c.instances[0].base.clone(), c.instances[2].base.clone()];
    let tokens = before.iter().map(|(_, t)| t).chain(from_s2.iter().copied());
    for (n, token) in tokens.enumerate() {
        let client = format!("192.0.2.{}", n % 250 + 1);
        for base in survivors.iter().chain(std::iter::once(&c.proxy.base)) {
            let r = c.session(base, &client, Some(token)).await;
            assert_eq!(r.status, 200, "session {n} at {base}: {}", r.body);
        }
    }
}
