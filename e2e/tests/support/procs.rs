//! Child processes (auth-server, chromedriver, geckodriver) that are always stopped: a
//! guard kills and reaps its process on drop, so a panic or an early return leaves nothing.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The workspace root (this crate lives in `e2e/`).
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("e2e/ has a parent")
        .to_path_buf()
}

/// `target/` of the workspace: `CARGO_TARGET_DIR` if set, else `<workspace>/target`.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target"))
}

/// Where failure artifacts and logs go.
pub fn artifacts() -> PathBuf {
    let dir = target_dir().join("e2e");
    std::fs::create_dir_all(&dir).expect("create target/e2e");
    dir
}

/// This run's log of `name`: `target/e2e/logs/<name>-<pid>.log` (the pid keeps two runs on
/// one machine apart; a passing run removes its logs).
pub fn log_path(name: &str) -> PathBuf {
    let dir = artifacts().join("logs");
    std::fs::create_dir_all(&dir).expect("create target/e2e/logs");
    dir.join(format!("{name}-{}.log", std::process::id()))
}

/// Removes this run's logs (after a run where everything passed).
pub fn remove_logs() {
    let suffix = format!("-{}", std::process::id());
    let Ok(entries) = std::fs::read_dir(artifacts().join("logs")) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if name
            .split('.')
            .next()
            .is_some_and(|stem| stem.ends_with(&suffix))
        {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Removes failure artifacts of earlier runs (`target/e2e/<browser>-<journey>.*`) and the
/// logs of runs that are no longer running.
pub fn remove_old_artifacts() {
    if let Ok(entries) = std::fs::read_dir(artifacts().join("logs")) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            let stem = name.split('.').next().unwrap_or_default();
            let pid = stem.rsplit('-').next().unwrap_or_default();
            let running = !pid.is_empty() && Path::new("/proc").join(pid).exists();
            if !running {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    let Ok(entries) = std::fs::read_dir(artifacts()) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let old = [".png", ".console.txt", ".html", ".failure.txt"]
            .iter()
            .any(|ext| name.ends_with(ext));
        if old && e.path().is_file() {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// A directory removed again when dropped (copies of pages a journey serves).
pub struct RemoveOnDrop(pub PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A free TCP port on 127.0.0.1 (bound, read, released).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// A process killed and reaped when the guard drops.
pub struct Guard {
    child: Option<Child>,
}

impl Guard {
    pub fn new(child: Child) -> Self {
        Guard { child: Some(child) }
    }

    /// Kills the process now (e.g. to stop a server mid-journey).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Starts `program` with its stdout and stderr appended to `log`, and waits until a line of
/// stdout satisfies `ready` (returning what it extracts) or `timeout` passes.
pub fn spawn_until<T: Send + 'static>(
    name: &str,
    mut cmd: Command,
    log: &Path,
    timeout: Duration,
    ready: impl Fn(&str) -> Option<T> + Send + 'static,
) -> (Guard, T) {
    let err = std::fs::File::create(log).expect("create a log file");
    cmd.stdout(Stdio::piped()).stderr(err).stdin(Stdio::null());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("{name} did not start: {e}"));
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = mpsc::channel();
    let copy_to = log.with_extension("stdout.log");
    std::thread::spawn(move || {
        let mut out = std::fs::File::create(copy_to).ok();
        let mut tx = Some(tx);
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(f) = out.as_mut() {
                use std::io::Write;
                let _ = writeln!(f, "{line}");
            }
            if let Some(v) = tx.as_ref().and_then(|_| ready(&line)) {
                let _ = tx.take().expect("sender").send(v);
            }
        }
    });
    let guard = Guard::new(child);
    match rx.recv_timeout(timeout) {
        Ok(v) => (guard, v),
        Err(_) => {
            drop(guard);
            let log = std::fs::read_to_string(log).unwrap_or_default();
            panic!("{name} did not become ready in {timeout:?}; its log:\n{log}")
        }
    }
}

/// Starts `cmd` with stdout and stderr in `log` and waits until `port` accepts connections.
pub fn spawn_listening(name: &str, mut cmd: Command, log: &Path, port: u16) -> Guard {
    let out = std::fs::File::create(log).expect("create a log file");
    let err = out.try_clone().expect("clone the log handle");
    cmd.stdout(out).stderr(err).stdin(Stdio::null());
    let child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("{name} did not start: {e}"));
    let mut guard = Guard::new(child);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        let exited = guard
            .child
            .as_mut()
            .and_then(|c| c.try_wait().ok().flatten());
        if exited.is_some() || std::time::Instant::now() > deadline {
            guard.stop();
            let log = std::fs::read_to_string(log).unwrap_or_default();
            panic!("{name} is not listening on port {port}; its log:\n{log}");
        }
        std::thread::sleep(Duration::from_millis(50)); // polling a condition, not a fixed wait
    }
    guard
}
