//! Shared test harness: a real server on an ephemeral port with a fresh database: in-memory
//! SQLite, or a new PostgreSQL database when `AUTH_TEST_DB` names a cluster.
#![allow(dead_code)]

pub mod instances;

use auth_server::{Cli, Running};
use reqwest::header::{CONTENT_TYPE, HeaderMap, SET_COOKIE};
use serde_json::{Value, json};

pub const DEMO_EMAIL: &str = auth_server::DEMO_EMAIL;
pub const DEMO_PASSWORD: &str = auth_server::DEMO_PASSWORD;
/// The fixed signing key tests use so they can forge tokens.
pub const TEST_KID: &str = "test-key";
pub const TEST_SECRET: &str = "test-secret-that-is-at-least-32-bytes-long";

pub struct Server {
    pub running: Running,
    pub base: String,
    /// The admin listener's base URL.
    pub admin: String,
    pub http: reqwest::Client,
}

/// Starts a server with `--seed-demo-user`, a known signing key and `extra` flags.
pub async fn server(extra: &[&str]) -> Server {
    server_with_keys(extra, &[]).await
}

/// Like `server`, with verify-only keys after the test key (`KID=SECRET`).
pub async fn server_with_keys(extra: &[&str], more_keys: &[&str]) -> Server {
    let mut args = vec!["--seed-demo-user"];
    args.extend_from_slice(extra);
    let mut cli = Cli::for_tests(&args);
    if cli.db == "sqlite::memory:"
        && let Some(db) = fresh_postgres_database().await
    {
        cli.db = db;
    }
    let key = format!("{TEST_KID}={TEST_SECRET}");
    cli.jwt_keys = std::iter::once(key.as_str())
        .chain(more_keys.iter().copied())
        .map(|k| auth_server::keyfile::parse_key(k).expect("test key"))
        .collect();
    let running = auth_server::start(cli, std::future::pending())
        .await
        .expect("server starts");
    let base = running.url();
    let admin = running.admin_url();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    Server {
        running,
        base,
        admin,
        http,
    }
}

/// With `AUTH_TEST_DB` set to a PostgreSQL URL (scripts/with-postgres.sh sets it), every test
/// server gets a new, empty database in that cluster instead of an in-memory SQLite one.
pub fn postgres() -> Option<String> {
    std::env::var("AUTH_TEST_DB")
        .ok()
        .filter(|u| auth_server::db::is_postgres(u))
}

/// Creates an empty database in the `AUTH_TEST_DB` cluster and returns its URL.
pub async fn fresh_postgres_database() -> Option<String> {
    use sqlx::Connection;
    let admin = postgres()?;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&admin)
        .await
        .expect("AUTH_TEST_DB answers");
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .expect("create a test database");
    let (base, _) = admin.rsplit_once('/').expect("a database in AUTH_TEST_DB");
    Some(format!("{base}/{name}"))
}

/// A parsed answer.
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }

    pub fn content_type(&self) -> String {
        self.header(CONTENT_TYPE.as_str()).unwrap_or_default()
    }

    /// The session token from `Set-Cookie` (any cookie name ending in `session`).
    pub fn cookie_token(&self) -> Option<String> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|c| c.split(';').next()?.split_once('='))
            .find(|(k, _)| k.ends_with("session"))
            .map(|(_, v)| v.to_string())
            .filter(|v| !v.is_empty())
    }

    pub fn set_cookie(&self) -> String {
        self.header(SET_COOKIE.as_str()).unwrap_or_default()
    }

    /// Asserts a problem+json answer with this status and code; returns the body.
    #[track_caller]
    pub fn problem(&self, status: u16, code: &str) -> Value {
        assert_eq!(self.status, status, "status; body: {}", self.text);
        assert!(
            self.content_type().starts_with("application/problem+json"),
            "content type {:?}",
            self.content_type()
        );
        let body = self.json();
        assert_eq!(body["code"], code, "body: {body}");
        assert_eq!(body["status"], status, "status member equals HTTP status");
        for member in ["type", "title", "detail", "instance"] {
            assert!(body[member].is_string(), "{member} missing in {body}");
        }
        body
    }
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A URL on the admin listener.
    pub fn admin_url(&self, path: &str) -> String {
        format!("{}{path}", self.admin)
    }

    /// `GET` on the admin listener.
    pub async fn admin_get(&self, path: &str) -> Answer {
        self.send(self.http.get(self.admin_url(path))).await
    }

    pub async fn send(&self, req: reqwest::RequestBuilder) -> Answer {
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.expect("body");
        Answer {
            status,
            headers,
            text,
        }
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Answer {
        self.send(self.http.post(self.url(path)).json(body)).await
    }

    pub async fn post_raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> Answer {
        self.send(
            self.http
                .post(self.url(path))
                .header(CONTENT_TYPE, content_type)
                .body(body),
        )
        .await
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send(self.http.get(self.url(path))).await
    }

    pub async fn login(&self, email: &str, password: &str) -> Answer {
        self.post_json(
            "/auth/login",
            &json!({"email": email, "password": password}),
        )
        .await
    }

    pub async fn signup(&self, email: &str, password: &str) -> Answer {
        self.post_json(
            "/auth/signup",
            &json!({"email": email, "password": password}),
        )
        .await
    }

    /// `POST` of `body` presenting `token` as the session cookie (a signed-in call).
    pub async fn post_with_cookie(&self, path: &str, token: &str, body: &Value) -> Answer {
        self.send(
            self.http
                .post(self.url(path))
                .header("cookie", format!("session={token}"))
                .json(body),
        )
        .await
    }

    /// `GET /auth/session` presenting `token` as the cookie.
    pub async fn session_with_cookie(&self, token: &str) -> Answer {
        self.send(
            self.http
                .get(self.url("/auth/session"))
                .header("cookie", format!("session={token}")),
        )
        .await
    }

    /// `GET /auth/session` presenting `token` as a bearer token.
    pub async fn session_with_bearer(&self, token: &str) -> Answer {
        self.send(self.http.get(self.url("/auth/session")).bearer_auth(token))
            .await
    }

    /// `PUT` with a JSON body on the admin listener.
    pub async fn admin_put(&self, path: &str, body: &Value) -> Answer {
        self.send(self.http.put(self.admin_url(path)).json(body))
            .await
    }

    /// Sets a fault (`--faults` must be on).
    pub async fn fault(&self, fault: Option<&str>, endpoint: Option<&str>) {
        let a = self
            .admin_put(
                "/_admin/faults",
                &json!({"fault": fault, "endpoint": endpoint}),
            )
            .await;
        assert_eq!(a.status, 200, "{}", a.text);
    }

    /// Logs the demo user in and returns the session token.
    pub async fn demo_token(&self) -> String {
        let a = self.login(DEMO_EMAIL, DEMO_PASSWORD).await;
        assert_eq!(a.status, 200, "{}", a.text);
        a.cookie_token().expect("session cookie")
    }
}

impl Server {
    /// The dev mailbox (`/dev/mailbox.json` on the admin listener), newest first.
    pub async fn mailbox(&self) -> Vec<Value> {
        let a = self.admin_get("/dev/mailbox.json").await;
        assert_eq!(a.status, 200, "{}", a.text);
        a.json().as_array().cloned().expect("a list")
    }

    /// Waits (up to 10 s) until the dev mailbox holds `n` messages of `kind` to `to`; returns
    /// them, newest first. Mail is sent after the answer, so it can lag a moment behind it.
    pub async fn wait_for_mail(&self, kind: &str, to: &str, n: usize) -> Vec<Value> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let found: Vec<Value> = self
                .mailbox()
                .await
                .into_iter()
                .filter(|m| m["kind"] == kind && m["to"] == to)
                .collect();
            if found.len() >= n {
                return found;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{n} {kind} mail(s) to {to} expected; the mailbox has {found:?}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// The token of the newest link mail of `kind` (`verify` or `reset`) to `to`.
    pub async fn link_token(&self, kind: &str, to: &str, n: usize) -> String {
        let mail = &self.wait_for_mail(kind, to, n).await[0];
        let link = mail["link"].as_str().expect("a link");
        let key = if kind == "verify" {
            "#auth-verify="
        } else {
            "#auth-reset="
        };
        let (_, token) = link.split_once(key).unwrap_or_else(|| panic!("{link}"));
        token.to_string()
    }

    /// Runs a SQL query that returns one integer.
    pub async fn count_sql(&self, sql: &'static str) -> i64 {
        use sqlx::Row;
        sqlx::query(sql)
            .fetch_one(&self.running.state.db)
            .await
            .expect("query")
            .try_get(0)
            .expect("an integer")
    }
}

impl Server {
    /// True when `/dev/mailbox.json` answers 404 (the dev mailbox is off).
    pub async fn mailbox_is_off(&self) -> bool {
        self.admin_get("/dev/mailbox.json").await.status == 404
    }
}
