//! Signing keys survive a restart and never travel on the command line: `--jwt-key-file`,
//! `AUTH_JWT_KEYS`, or a 0600 key file the server creates beside its database (OWASP ASVS 5.0
//! V13 and V11).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_auth-server");
const EMAIL: &str = "demo@example.com";
const PASSWORD: &str = "correct horse battery staple";

struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let n = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = std::env::temp_dir().join(format!(
        "auth-server-keys-{name}-{}-{n}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Starts the binary with `args` (and `env`); returns it and its public base URL.
fn start(args: &[&str], env: &[(&str, &str)]) -> (Kill, String) {
    let mut cmd = Command::new(BIN);
    cmd.args(["--addr", "127.0.0.1:0", "--seed-demo-user"])
        .args(["--argon2-m-cost", "1024", "--argon2-t-cost", "1"])
        .args(args)
        .env_remove("AUTH_JWT_KEYS")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn auth-server");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim_end()
        .strip_prefix("auth-server listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    (Kill(child), base)
}

fn block<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// Signs the demo user in; returns the session token.
fn login(base: &str) -> String {
    block(async {
        let r = reqwest::Client::new()
            .post(format!("{base}/auth/login"))
            .json(&json!({"email": EMAIL, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        r.headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|c| c.split(';').next()?.strip_prefix("session="))
            .map(str::to_string)
            .expect("session cookie")
    })
}

/// `GET /auth/session` with `token`: the status.
fn session(base: &str, token: &str) -> u16 {
    block(async {
        reqwest::Client::new()
            .get(format!("{base}/auth/session"))
            .header("cookie", format!("session={token}"))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    })
}

fn kid_of(token: &str) -> String {
    let header = token.split('.').next().unwrap();
    let bytes = URL_SAFE_NO_PAD.decode(header).unwrap();
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    v["kid"].as_str().unwrap().to_string()
}

#[test]
fn a_restart_on_the_same_database_keeps_everyone_signed_in() {
    let dir = temp_dir("restart");
    let db = dir.join("auth.db");
    let db = db.to_str().unwrap();
    let (first, base) = start(&["--db", db], &[]);
    let token = login(&base);
    assert_eq!(session(&base, &token), 200);
    drop(first);
    let (_second, base) = start(&["--db", db], &[]);
    assert_eq!(
        session(&base, &token),
        200,
        "the session outlived the restart"
    );
    let key_file = Path::new(db).with_extension("db.jwt-keys");
    assert!(key_file.exists(), "{} was created", key_file.display());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "owner-only key file, mode {mode:o}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn keys_come_from_a_key_file_where_the_first_line_signs_and_the_others_verify() {
    let dir = temp_dir("file");
    let file = dir.join("keys");
    let old = "old-key=an-old-secret-that-is-at-least-32-bytes-long";
    let new = "new-key=a-new-secret-that-is-at-least-32-bytes-longer";
    std::fs::write(&file, format!("# rotated\n{old}\n")).unwrap();
    let file_arg = file.to_str().unwrap();
    let (first, base) = start(
        &["--db", "sqlite::memory:", "--jwt-key-file", file_arg],
        &[],
    );
    let token = login(&base);
    assert_eq!(kid_of(&token), "old-key");
    drop(first);
    // Rotation by file: the new key signs, the old one still verifies. A file database keeps
    // the session row across the restart.
    let db = dir.join("auth.db");
    let db = db.to_str().unwrap();
    std::fs::write(&file, format!("{old}\n")).unwrap();
    let (first, base) = start(&["--db", db, "--jwt-key-file", file_arg], &[]);
    let token = login(&base);
    drop(first);
    std::fs::write(&file, format!("{new}\n{old}\n")).unwrap();
    let (_second, base) = start(&["--db", db, "--jwt-key-file", file_arg], &[]);
    assert_eq!(session(&base, &token), 200, "the old key still verifies");
    assert_eq!(kid_of(&login(&base)), "new-key", "the first line signs");
    assert!(
        !Path::new(db).with_extension("db.jwt-keys").exists(),
        "no generated key file when keys are given"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn keys_come_from_the_environment() {
    let (_server, base) = start(
        &["--db", "sqlite::memory:"],
        &[(
            "AUTH_JWT_KEYS",
            "env-key=a-secret-from-the-environment-of-32-bytes",
        )],
    );
    assert_eq!(kid_of(&login(&base)), "env-key");
}

#[test]
fn a_key_on_the_command_line_is_refused_with_a_pointer_to_the_file_and_environment() {
    let mut child = Command::new(BIN)
        .args(["--addr", "127.0.0.1:0", "--db", "sqlite::memory:"])
        .args(["--jwt-key", "k=a-secret-that-is-at-least-32-bytes-long!"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A server that accepts the key starts and keeps running: give it 10 s to exit.
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > std::time::Duration::from_secs(10) {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert_eq!(status.and_then(|s| s.code()), Some(2), "refused at start");
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(
        err.contains("--jwt-key-file") && err.contains("AUTH_JWT_KEYS"),
        "{err}"
    );
}

#[test]
fn a_malformed_key_file_stops_the_start_with_its_line_number() {
    let dir = temp_dir("bad");
    let file = dir.join("keys");
    std::fs::write(
        &file,
        "good=a-secret-that-is-at-least-32-bytes-long!\nshort=tiny\n",
    )
    .unwrap();
    let out = Command::new(BIN)
        .args([
            "--db",
            "sqlite::memory:",
            "--jwt-key-file",
            file.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 2") && err.contains("32 bytes"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}
