//! The alert rules in a real Prometheus: it scrapes a real server's admin `/metrics` while the
//! token incident is injected (sign-ins succeed, session checks fail), and the session alert
//! fires within its `for:` plus one evaluation interval. The rules are ops/alerts.yml with only
//! `for:` shortened; every expression is the real one. Every query of ops/dashboard.json is
//! evaluated by the same Prometheus.
//!
//! Needs Debian's `prometheus` (set up by `make setup`); run by `make test-alerts`:
//! `cargo test -p auth-server --test alerts -- --ignored`.

mod common;

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

/// Scrape and rule-evaluation interval of the test Prometheus, in seconds.
const INTERVAL_SECS: u64 = 1;
/// The shortened `for:` of every rule, in seconds.
const FOR_SECS: u64 = 3;
const ALERT: &str = "AuthSessionValidationFailing";

/// ops/alerts.yml with every `for:` set to `FOR_SECS`; the expressions are untouched.
fn shortened_rules() -> String {
    let real = include_str!("../ops/alerts.yml");
    let alerts = real.matches("- alert:").count();
    let mut replaced = 0;
    let text: Vec<String> = real
        .lines()
        .map(|line| {
            let body = line.trim_start();
            if body.starts_with("for:") {
                replaced += 1;
                format!("{}for: {FOR_SECS}s", &line[..line.len() - body.len()])
            } else {
                line.to_string()
            }
        })
        .collect();
    assert_eq!(replaced, alerts, "one `for:` per alert");
    assert!(text.iter().any(|l| l.contains(ALERT)));
    text.join("\n") + "\n"
}

/// A Prometheus process, stopped and its directory removed when dropped.
struct Prometheus {
    child: Child,
    dir: PathBuf,
    url: String,
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Prometheus {
    fn start(target: &str) -> Prometheus {
        let dir = std::env::temp_dir().join(format!(
            "auth-server-prometheus-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(dir.join("data")).unwrap();
        std::fs::write(dir.join("rules.yml"), shortened_rules()).unwrap();
        std::fs::write(
            dir.join("prometheus.yml"),
            format!(
                "global:\n  scrape_interval: {INTERVAL_SECS}s\n  evaluation_interval: {INTERVAL_SECS}s\n\
                 rule_files:\n  - rules.yml\n\
                 scrape_configs:\n  - job_name: auth-server\n    static_configs:\n      - targets: ['{target}']\n"
            ),
        )
        .unwrap();
        // Prometheus cannot listen on port 0: take a free port and hand it over.
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let log = std::fs::File::create(dir.join("prometheus.log")).unwrap();
        let child = Command::new("prometheus")
            .arg(format!(
                "--config.file={}",
                dir.join("prometheus.yml").display()
            ))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("`prometheus` on PATH (Debian package prometheus; `make setup` installs it)");
        Prometheus {
            child,
            dir,
            url: format!("http://127.0.0.1:{port}"),
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("prometheus.log")).unwrap_or_default()
    }

    async fn api(&self, http: &reqwest::Client, path: &str, query: &[(&str, &str)]) -> Value {
        let resp = http
            .get(format!("{}{path}", self.url))
            .query(query)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}\n{}", self.log()));
        let body: Value = resp.json().await.expect("Prometheus answers JSON");
        assert_eq!(body["status"], "success", "{path} {query:?}: {body}");
        body["data"].clone()
    }

    /// The state (`pending`, `firing`) of each active alert.
    async fn alerts(&self, http: &reqwest::Client) -> Vec<(String, String)> {
        self.api(http, "/api/v1/alerts", &[]).await["alerts"]
            .as_array()
            .expect("alerts")
            .iter()
            .map(|a| {
                (
                    a["labels"]["alertname"].as_str().unwrap_or("").to_string(),
                    a["state"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    }

    /// The time of the rule group's last evaluation, as Prometheus reports it.
    async fn last_evaluation(&self, http: &reqwest::Client) -> String {
        self.api(http, "/api/v1/rules", &[]).await["groups"][0]["lastEvaluation"]
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    /// Waits (at most `within`) until `query` returns at least one sample.
    async fn wait_for_result(&self, http: &reqwest::Client, query: &str, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            let data = self.api(http, "/api/v1/query", &[("query", query)]).await;
            if data["result"].as_array().is_some_and(|r| !r.is_empty()) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "no result for {query} within {within:?}\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the rules have been evaluated `n` more times.
    async fn wait_for_evaluations(&self, http: &reqwest::Client, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(INTERVAL_SECS * (n as u64 + 5));
        let mut last = self.last_evaluation(http).await;
        let mut seen = 0;
        while seen < n {
            assert!(Instant::now() < deadline, "rules are not evaluated");
            tokio::time::sleep(Duration::from_millis(100)).await;
            let now = self.last_evaluation(http).await;
            if now != last {
                seen += 1;
                last = now;
            }
        }
    }
}

/// Sign-ins and session checks of the demo user, a few a second, until the task is aborted.
fn drive_sign_ins(s: &Server) -> tokio::task::JoinHandle<()> {
    let http = s.http.clone();
    let base = s.base.clone();
    tokio::spawn(async move {
        let mut pace = tokio::time::interval(Duration::from_millis(100));
        loop {
            pace.tick().await;
            let login = http
                .post(format!("{base}/auth/login"))
                .json(&serde_json::json!({"email": DEMO_EMAIL, "password": DEMO_PASSWORD}))
                .send()
                .await
                .expect("login");
            assert_eq!(login.status(), 200, "sign-ins keep succeeding");
            let token = login
                .headers()
                .get("set-cookie")
                .and_then(|v| v.to_str().ok())
                .and_then(|c| c.split(';').next())
                .map(str::to_string)
                .expect("session cookie");
            http.get(format!("{base}/auth/session"))
                .header("cookie", token)
                .send()
                .await
                .expect("session check");
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Debian's prometheus; run by `make test-alerts`"]
async fn prometheus_fires_the_session_alert_within_its_for_time_when_session_checks_fail() {
    let s = server(&["--faults", "--rate-limit-per-minute", "0"]).await;
    let target = s.admin.trim_start_matches("http://").to_string();
    let prom = Prometheus::start(&target);
    let http = reqwest::Client::new();

    // Ready, and scraping the server.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !http
        .get(format!("{}/-/ready", prom.url))
        .send()
        .await
        .is_ok_and(|r| r.status().is_success())
    {
        assert!(
            Instant::now() < deadline,
            "Prometheus not ready\n{}",
            prom.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let driver = drive_sign_ins(&s);

    // Normal traffic: once the session-check rate is known, the rules see it and stay quiet.
    let wait = Duration::from_secs(INTERVAL_SECS * 10);
    prom.wait_for_result(
        &http,
        r#"sum(rate(auth_attempts_total{flow="session",outcome="success"}[5m])) > 0"#,
        wait,
    )
    .await;
    prom.wait_for_evaluations(&http, 2).await;
    assert_eq!(prom.alerts(&http).await, vec![], "quiet on normal traffic");

    // Every query on the dashboard is valid PromQL against these metrics.
    let dashboard: Value = serde_json::from_str(include_str!("../ops/dashboard.json")).unwrap();
    for panel in dashboard["panels"].as_array().unwrap() {
        for target in panel["targets"].as_array().unwrap() {
            let expr = target["expr"].as_str().unwrap();
            prom.api(&http, "/api/v1/query", &[("query", expr)]).await;
        }
    }

    // The incident: sign-ins still succeed, every session check fails.
    s.fault(Some("session_invalid"), None).await;
    let injected = Instant::now();
    let deadline = injected + Duration::from_secs(FOR_SECS + INTERVAL_SECS * 10);
    let mut pending_seen: Option<Instant> = None;
    let firing_seen = loop {
        let alerts = prom.alerts(&http).await;
        let state = alerts
            .iter()
            .find(|(a, _)| a == ALERT)
            .map(|(_, s)| s.as_str());
        match state {
            Some("pending") if pending_seen.is_none() => pending_seen = Some(Instant::now()),
            Some("firing") => break Instant::now(),
            _ => {}
        }
        assert!(
            Instant::now() < deadline,
            "{ALERT} not firing {:?} after the fault; alerts: {alerts:?}",
            injected.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    driver.abort();
    let pending_seen = pending_seen.expect("the alert was pending before it fired");
    let pending_for = firing_seen - pending_seen;
    let bound = Duration::from_secs(FOR_SECS + INTERVAL_SECS);
    eprintln!(
        "{ALERT}: pending {:?} after the fault, firing {pending_for:?} later (bound {bound:?})",
        pending_seen - injected
    );
    assert!(
        pending_for <= bound,
        "firing {pending_for:?} after pending; the rule's for: plus one evaluation is {bound:?}"
    );
    // The sign-in alert cannot see this incident: sign-ins succeed.
    let alerts = prom.alerts(&http).await;
    assert!(
        !alerts.iter().any(|(a, _)| a == "AuthLoginSuccessRateDrop"),
        "{alerts:?}"
    );
}
