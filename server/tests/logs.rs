//! The server's own log lines (stderr, at the most verbose level) never hold a password or a
//! session token, whatever happens: sign-up, good and bad logins, a session check, telemetry,
//! validation errors and an injected internal error.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_auth-server");
const SECRET: &str = "Tangerine-Secret-7c1e long enough";

#[test]
fn log_lines_never_contain_passwords_or_tokens() {
    let mut child = Command::new(BIN)
        .args([
            "--addr",
            "127.0.0.1:0",
            "--db",
            "sqlite::memory:",
            "--seed-demo-user",
            "--faults",
            "--bearer",
        ])
        .env("RUST_LOG", "trace")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn auth-server");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let base = line
        .trim_end()
        .strip_prefix("auth-server listening on ")
        .unwrap()
        .to_string();
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let admin = line
        .trim_end()
        .strip_prefix("auth-server admin listening on ")
        .unwrap()
        .to_string();
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });

    let rt = tokio::runtime::Runtime::new().unwrap();
    let tokens = rt.block_on(async {
        let http = reqwest::Client::new();
        let post = |path: &str, body: serde_json::Value| {
            http.post(format!("{base}{path}")).json(&body).send()
        };
        let mut tokens = Vec::new();
        let email = "log-probe@example.com";
        let r = post("/auth/signup", serde_json::json!({"email": email, "password": SECRET})).await.unwrap();
        assert!(r.status().is_success(), "sign-up: {}", r.status());
        let r = post("/auth/login", serde_json::json!({"email": email, "password": SECRET})).await.unwrap();
        assert_eq!(r.status(), 200);
        let body: serde_json::Value = r.json().await.unwrap();
        let token = body["access_token"].as_str().expect("bearer token").to_string();
        let r = http.get(format!("{base}/auth/session")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(r.status(), 200);
        tokens.push(token);
        let r = post("/auth/login", serde_json::json!({"email": email, "password": format!("{SECRET}x")})).await.unwrap();
        assert_eq!(r.status(), 401);
        let r = post("/auth/signup", serde_json::json!({"email": "x@example.com", "password": "x", "extra": SECRET})).await.unwrap();
        assert!(r.status().is_client_error());
        let r = http
            .post(format!("{base}/auth/telemetry"))
            .header("content-type", "application/json")
            .header("origin", base.clone())
            .body(format!(r#"{{"flow":"login","outcome":"{SECRET}","status":401,"latency_ms":5,"widget_version":"0"}}"#))
            .send()
            .await
            .unwrap();
        assert!(r.status().as_u16() < 500);
        let r = http.put(format!("{admin}/_admin/faults")).json(&serde_json::json!({"fault": "internal_error", "endpoint": "login"})).send().await.unwrap();
        assert!(r.status().is_success());
        let r = post("/auth/login", serde_json::json!({"email": email, "password": SECRET})).await.unwrap();
        assert_eq!(r.status(), 500);
        tokens
    });
    let _ = child.kill();
    let _ = child.wait();
    let logs = reader.join().unwrap();
    assert!(
        logs.lines().count() > 5,
        "the server logged something at trace level:\n{logs}"
    );
    assert!(
        logs.contains("log-probe@example.com") || logs.contains("login"),
        "logs describe the attempts"
    );
    assert!(
        !logs.contains("Tangerine-Secret"),
        "a password reached the logs:\n{logs}"
    );
    for t in tokens {
        assert!(!logs.contains(&t), "a session token reached the logs");
        let signature = t.rsplit('.').next().unwrap();
        assert!(
            !logs.contains(signature),
            "a token signature reached the logs"
        );
    }
}
