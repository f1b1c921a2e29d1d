//! The reference auth-server, started per browser (its faults and status are global) on an
//! ephemeral port with a fresh in-memory database, serving the built demo from `dist/`.

use super::procs::{Guard, log_path, spawn_until, target_dir, workspace};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

/// The seeded account (`--seed-demo-user`).
pub const DEMO_EMAIL: &str = "demo@example.com";
pub const DEMO_PASSWORD: &str = "correct horse battery staple";

/// A running server; stopped when dropped.
pub struct Server {
    pub base: String,
    guard: Guard,
    http: reqwest::Client,
}

/// The server binary: `AUTH_SERVER_BIN`, else `target/debug/auth-server` (built by scripts/e2e.sh).
fn binary() -> PathBuf {
    let bin = std::env::var_os("AUTH_SERVER_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("debug").join("auth-server"));
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build -p auth-server` (scripts/e2e.sh does)",
        bin.display()
    );
    bin
}

/// The built demo (`trunk build --release`), or another static dir.
pub fn dist() -> PathBuf {
    let dist = workspace().join("dist");
    assert!(
        dist.join("index.html").exists(),
        "dist/index.html is missing: run `trunk build --release` (scripts/e2e.sh does)"
    );
    dist
}

impl Server {
    /// Starts a server named `name` (log: `target/e2e/server-<name>.log`) with `extra` flags.
    pub fn start(name: &str, static_dir: &std::path::Path, extra: &[&str]) -> Server {
        Server::start_at(name, static_dir, 0, extra)
    }

    /// [`Server::start`] on `127.0.0.1:port` (0: any free port), for a server that must know
    /// its own address before it starts (the links in its emails).
    pub fn start_at(name: &str, static_dir: &std::path::Path, port: u16, extra: &[&str]) -> Server {
        let mut cmd = Command::new(binary());
        cmd.args([
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--db",
            "sqlite::memory:",
        ])
        // Both browsers run at once: the operator listener takes a free port too.
        .args(["--admin-addr", "127.0.0.1:0"])
        // The demo page's fault picker and this harness call the operator API on the
        // public port (loopback only), as `make demo` does; one browser's whole journey
        // list comes from one address, so the burst is the size of the per-minute limit.
        .args(["--demo-admin-on-public", "--rate-limit-burst", "600"])
        .args(["--seed-demo-user", "--faults", "--static-dir"])
        .arg(static_dir)
        // `GET /copy/{locale}.json` from the locale files, as `make demo` serves it.
        .arg("--locales-dir")
        .arg(workspace().join("locales"))
        .args(extra)
        .env("RUST_LOG", "info");
        let log = log_path(&format!("server-{name}"));
        let (guard, base) = spawn_until(name, cmd, &log, Duration::from_secs(60), |line| {
            line.strip_prefix("auth-server listening on ")
                .map(|s| s.trim().to_string())
        });
        Server {
            base,
            guard,
            http: reqwest::Client::new(),
        }
    }

    /// Stops the server now: the next request from the page is refused.
    pub fn stop(&mut self) {
        self.guard.stop();
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Value) -> (u16, Value) {
        self.answer(path, self.http.request(method, self.url(path)).json(&body))
            .await
    }

    /// Sends `req` (for `path`): its status and JSON answer (`null` when it is not JSON).
    async fn answer(&self, path: &str, req: reqwest::RequestBuilder) -> (u16, Value) {
        let resp = req.send().await.unwrap_or_else(|e| panic!("{path}: {e}"));
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn admin(&self, path: &str, body: Value) -> Value {
        let (status, v) = self.send(reqwest::Method::PUT, path, body.clone()).await;
        assert_eq!(status, 200, "PUT {path} {body} answered {status}: {v}");
        v
    }

    /// `PUT /_admin/faults`: `fault` on `endpoint` (None = every endpoint).
    pub async fn fault(&self, fault: Option<&str>, endpoint: Option<&str>) {
        self.admin(
            "/_admin/faults",
            json!({"fault": fault, "endpoint": endpoint}),
        )
        .await;
    }

    /// `PUT /_admin/status`.
    pub async fn status(&self, state: &str, message: Option<&str>) {
        let mut body = json!({ "state": state });
        if let Some(m) = message {
            body["message"] = json!(m);
        }
        self.admin("/_admin/status", body).await;
    }

    /// `PUT /_admin/users` with `{"email"}` only: the account's state, e.g. `failed_attempts`.
    pub async fn user(&self, email: &str) -> Value {
        self.admin("/_admin/users", json!({ "email": email })).await
    }

    /// Back to normal: no fault, operational.
    pub async fn reset(&self) {
        self.fault(None, None).await;
        self.status("operational", None).await;
    }

    /// Creates an account through the API (for journeys that need one but don't test sign-up).
    pub async fn signup(&self, email: &str, password: &str) {
        let body = json!({ "email": email, "password": password });
        let (status, v) = self.send(reqwest::Method::POST, "/auth/signup", body).await;
        assert_eq!(status, 201, "sign-up of {email} answered {status}: {v}");
    }

    /// Signs in from the harness, as another device would: the session cookie (`name=value`).
    pub async fn sign_in_elsewhere(&self, email: &str, password: &str) -> String {
        let resp = self
            .http
            .post(self.url("/auth/login"))
            .json(&json!({ "email": email, "password": password }))
            .send()
            .await
            .unwrap_or_else(|e| panic!("login: {e}"));
        assert_eq!(resp.status().as_u16(), 200, "login of {email} elsewhere");
        let cookie = resp
            .headers()
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.contains("session="))
            .and_then(|v| v.split(';').next())
            .map(str::to_string);
        cookie.expect("a session cookie from the login")
    }

    /// The session check with a session cookie from [`Server::sign_in_elsewhere`]: its status.
    pub async fn session_status(&self, cookie: &str) -> u16 {
        let resp = self
            .http
            .get(self.url("/auth/session"))
            .header(reqwest::header::COOKIE, cookie)
            .send()
            .await
            .unwrap_or_else(|e| panic!("session check: {e}"));
        resp.status().as_u16()
    }

    /// A `POST` of `body` with a session cookie from [`Server::sign_in_elsewhere`]: its
    /// status and JSON answer.
    pub async fn post_signed_in(&self, cookie: &str, path: &str, body: Value) -> (u16, Value) {
        let req = self
            .http
            .post(self.url(path))
            .header(reqwest::header::COOKIE, cookie);
        self.answer(path, req.json(&body)).await
    }

    /// A bare `GET` from the harness (same client address as the browser): its status.
    pub async fn get_status(&self, path: &str) -> u16 {
        let resp = self.http.get(self.url(path)).send().await;
        resp.map(|r| r.status().as_u16())
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }
}
