//! The binary: the stdout line scripts parse, exit code 2 for bad flags, database files.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_auth-server");

struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(args: &[&str]) -> (Kill, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn auth-server");
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read stdout");
    (Kill(child), line)
}

#[test]
fn prints_exactly_the_listening_line_with_the_real_port() {
    let (_child, line) = spawn(&[
        "--addr",
        "127.0.0.1:0",
        "--db",
        "sqlite::memory:",
        "--seed-demo-user",
    ]);
    let url = line
        .trim_end()
        .strip_prefix("auth-server listening on http://127.0.0.1:")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
    let port: u16 = url.parse().expect("a port number");
    assert_ne!(port, 0, "the bound port, not the requested one");
    // The server is really there.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let status = rt.block_on(async {
        reqwest::get(format!("http://127.0.0.1:{port}/auth/status"))
            .await
            .unwrap()
            .status()
    });
    assert_eq!(status, 200);
}

fn exit_code(args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(BIN).args(args).output().expect("run");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn unknown_flag_exits_2_with_a_message() {
    let (code, err) = exit_code(&["--no-such-flag"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--no-such-flag"), "{err}");
}

#[test]
fn bad_values_exit_2_with_a_message() {
    for (args, mention) in [
        (&["--addr", "not-an-address"][..], "--addr"),
        (&["--addr", "127.0.0.1:99999"][..], "--addr"),
        (&["--lockout-threshold", "3"][..], "--lockout-threshold"),
        (
            &["--password-max-length", "32"][..],
            "--password-max-length",
        ),
        (&["--allow-origin", "example.com"][..], "--allow-origin"),
        (&["--jwt-key", "k=short"][..], "--jwt-key"),
        (
            &["--rate-limit-per-minute", "lots"][..],
            "--rate-limit-per-minute",
        ),
    ] {
        let (code, err) = exit_code(args);
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert!(err.contains(mention), "{args:?}: {err}");
    }
}

#[test]
fn database_file_and_parent_directory_are_created() {
    let n = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = std::env::temp_dir().join(format!("auth-server-cli-{}-{n}", std::process::id()));
    let db = dir.join("nested/demo.db");
    // The second start on the same file shows migrations and seeding are idempotent.
    for start in ["first", "second"] {
        let (_child, line) = spawn(&[
            "--addr",
            "127.0.0.1:0",
            "--db",
            db.to_str().unwrap(),
            "--seed-demo-user",
        ]);
        assert!(
            line.starts_with("auth-server listening on "),
            "{start} start: {line:?}"
        );
        assert!(db.exists(), "{start} start: database file created");
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn port_in_use_fails_with_exit_1_and_a_message() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let (code, err) = exit_code(&["--addr", &addr, "--db", "sqlite::memory:"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("cannot listen"), "{err}");
}

/// Runs the binary in `dir` and waits at most `limit` for it to exit (killing it otherwise).
fn exit_code_in(dir: &std::path::Path, args: &[&str], limit: std::time::Duration) -> Option<i32> {
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn auth-server");
    let started = std::time::Instant::now();
    while started.elapsed() < limit {
        if let Some(status) = child.try_wait().expect("wait") {
            return status.code();
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

#[test]
fn a_database_url_with_an_unsupported_scheme_exits_2_and_creates_nothing() {
    for url in [
        "mysql://user@db.example/auth",
        "mongodb://db.example/auth",
        "mysql:auth",
    ] {
        let dir = std::env::temp_dir().join(format!(
            "auth-server-db-scheme-{}-{}",
            std::process::id(),
            url.len()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let code = exit_code_in(
            &dir,
            &["--addr", "127.0.0.1:0", "--db", url],
            std::time::Duration::from_secs(10),
        );
        assert_eq!(code, Some(2), "{url}: refused at start with exit code 2");
        let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert!(left.is_empty(), "{url}: nothing created on disk: {left:?}");
        let (_, err) = exit_code(&["--db", url]);
        assert!(err.contains("unsupported database scheme"), "{url}: {err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[test]
fn postgres_without_shared_keys_is_refused_and_its_password_never_printed() {
    let out = Command::new(BIN)
        .args([
            "--addr",
            "127.0.0.1:0",
            "--db",
            "postgres://auth:s3cret-password@127.0.0.1:1/auth",
        ])
        .env_remove("AUTH_JWT_KEYS")
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("--jwt-key-file"), "{err}");
    assert!(!err.contains("s3cret"), "{err}");
    // With keys, an unreachable database fails without its password either.
    let out = Command::new(BIN)
        .args([
            "--addr",
            "127.0.0.1:0",
            "--db",
            "postgres://auth:s3cret-password@127.0.0.1:1/auth",
        ])
        .env(
            "AUTH_JWT_KEYS",
            "k1=a-secret-of-at-least-thirty-two-bytes-long",
        )
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("auth@127.0.0.1:1/auth"), "{err}");
    assert!(!err.contains("s3cret"), "{err}");
}
