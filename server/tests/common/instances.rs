//! Real `auth-server` processes and a real haproxy in front of them, for the tests that need
//! several instances on one database (`tests/shared_limit.rs`, `tests/cluster.rs`) and for
//! `examples/bench_cluster.rs`. Everything lives in a temporary directory removed on drop.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A directory under the system temp dir, removed with everything in it on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(prefix: &str) -> TempDir {
        let name = format!("{prefix}-{}", uuid::Uuid::new_v4().simple());
        let dir = std::env::temp_dir().join(name);
        std::fs::create_dir_all(&dir).expect("create a temp dir");
        TempDir(dir)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Writes a key file of one HS256 key (mode 0600), as the instances of one deployment share.
pub fn write_key_file(path: &Path) {
    let secret: String = uuid::Uuid::new_v4().simple().to_string().repeat(2);
    std::fs::write(path, format!("cluster-key={secret}\n")).expect("write the key file");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }
}

/// One `auth-server` process; killed on drop.
pub struct Instance {
    pub child: Child,
    /// The public listener, e.g. `http://127.0.0.1:40123`.
    pub base: String,
    pub addr: SocketAddr,
    /// The admin listener.
    pub admin: String,
    /// Where its log (stderr) goes.
    pub log: PathBuf,
}

impl Instance {
    /// Starts `bin` with `--addr 127.0.0.1:0` and `args`, its log in `log`, and waits for the
    /// two lines naming its listeners (at most 30 s).
    pub fn start(bin: &Path, args: &[String], log: &Path) -> Instance {
        let err = std::fs::File::create(log).expect("create the log file");
        let mut child = Command::new(bin)
            .args(["--addr", "127.0.0.1:0"])
            .args(args)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let first = lines.next().and_then(Result::ok);
            let second = lines.next().and_then(Result::ok);
            let _ = tx.send((first, second));
            // Keep reading so the process never blocks on a full pipe.
            for _ in lines {}
        });
        let (first, second) = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok((Some(a), Some(b))) => (a, b),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                let text = std::fs::read_to_string(log).unwrap_or_default();
                panic!("auth-server did not start:\n{text}");
            }
        };
        let base = first
            .strip_prefix("auth-server listening on ")
            .expect("first line names the public listener")
            .to_string();
        let admin = second
            .strip_prefix("auth-server admin listening on ")
            .expect("second line names the admin listener")
            .to_string();
        let addr = base
            .strip_prefix("http://")
            .and_then(|a| a.parse().ok())
            .expect("an address");
        Instance {
            child,
            base,
            addr,
            admin,
            log: log.to_path_buf(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Kills the process at once (SIGKILL: a crash, nothing finishes).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A free loopback port (bound and released: another process could take it in between, which
/// on a test machine it does not).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// One request as haproxy logged it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyLogLine {
    /// The server it went to (`s1`, `s2`, ...), or `<NOSRV>`.
    pub server: String,
    /// The status sent to the client (-1 when none was).
    pub status: i32,
    /// haproxy's termination state (`----` for a normal end; first letter `S`: the server
    /// aborted or refused, `C`: the client did).
    pub termination: String,
    /// How many times haproxy retried the connection to a server.
    pub retries: String,
    pub path: String,
}

/// haproxy (Debian's package) on a free loopback port in front of `backends`: round robin,
/// health checks on `GET /auth/status` every 300 ms, `X-Forwarded-For` appended, the server
/// that answered named in `X-Served-By`, connection failures retried on another server, one
/// log line per request kept in memory. Stopped on drop.
pub struct Haproxy {
    child: Child,
    pub base: String,
    pub config: PathBuf,
    /// The stats socket (`show stat`).
    pub socket: PathBuf,
    lines: Arc<Mutex<Vec<String>>>,
}

/// The haproxy binary (`HAPROXY` or `haproxy` on the PATH, else Debian's /usr/sbin/haproxy).
pub fn haproxy_bin() -> PathBuf {
    if let Ok(p) = std::env::var("HAPROXY") {
        return PathBuf::from(p);
    }
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("haproxy"))
            .find(|p| p.is_file())
    });
    on_path.unwrap_or_else(|| PathBuf::from("/usr/sbin/haproxy"))
}

/// Log lines start with this word; health-check and state-change messages do not.
const LOG_TAG: &str = "REQ";

impl Haproxy {
    pub fn start(dir: &Path, backends: &[SocketAddr]) -> Haproxy {
        let port = free_port();
        let servers: String = backends
            .iter()
            .enumerate()
            .map(|(i, a)| {
                format!(
                    "    server s{} {a} check inter 300ms fastinter 100ms fall 2 rise 2\n",
                    i + 1
                )
            })
            .collect();
        let config = dir.join("haproxy.cfg");
        let socket = dir.join("haproxy.sock");
        let sock = socket.display();
        let text = format!(
            "global\n\
             \x20   log stdout format raw local0\n\
             \x20   stats socket {sock} mode 600 level user\n\
             \x20   maxconn 4096\n\
             defaults\n\
             \x20   mode http\n\
             \x20   log global\n\
             \x20   log-format \"{LOG_TAG} %s %ST %tsc %rc %HP\"\n\
             \x20   timeout connect 2s\n\
             \x20   timeout client 30s\n\
             \x20   timeout server 30s\n\
             \x20   retries 2\n\
             \x20   option redispatch 1\n\
             \x20   http-reuse never\n\
             frontend auth_front\n\
             \x20   bind 127.0.0.1:{port}\n\
             \x20   option forwardfor\n\
             \x20   default_backend auth\n\
             backend auth\n\
             \x20   balance roundrobin\n\
             \x20   option httpchk GET /auth/status\n\
             \x20   http-check expect status 200\n\
             \x20   http-response set-header X-Served-By %s\n\
             {servers}"
        );
        std::fs::write(&config, text).expect("write haproxy.cfg");
        let bin = haproxy_bin();
        let check = Command::new(&bin)
            .args(["-c", "-q", "-f"])
            .arg(&config)
            .output()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run {} ({e}): haproxy is installed by make setup (Debian package haproxy)",
                    bin.display()
                )
            });
        assert!(
            check.status.success(),
            "haproxy refuses its configuration: {}",
            String::from_utf8_lossy(&check.stderr)
        );
        // -db: foreground, logs on stdout; no system service is involved.
        let mut child = Command::new(&bin)
            .arg("-db")
            .arg("-f")
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start haproxy");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let out = child.stdout.take().expect("stdout");
        let sink = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        let proxy = Haproxy {
            child,
            base: format!("http://127.0.0.1:{port}"),
            config,
            socket,
            lines,
        };
        proxy.wait_listening();
        proxy
    }

    fn wait_listening(&self) {
        let addr: SocketAddr = self.base["http://".len()..].parse().expect("address");
        let until = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            assert!(Instant::now() < until, "haproxy does not listen on {addr}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The requests logged so far (one line each, written when the request ends).
    pub fn log(&self) -> Vec<ProxyLogLine> {
        self.lines
            .lock()
            .unwrap()
            .iter()
            .filter_map(|l| {
                let mut w = l.split_whitespace();
                (w.next()? == LOG_TAG).then_some(())?;
                Some(ProxyLogLine {
                    server: w.next()?.to_string(),
                    status: w.next()?.parse().ok()?,
                    termination: w.next()?.to_string(),
                    retries: w.next()?.to_string(),
                    path: w.next()?.to_string(),
                })
            })
            .collect()
    }

    /// Requests `server` of the backend is answering right now (`scur` of `show stat` on the
    /// stats socket: sent to it, no answer yet).
    pub fn in_flight(&self, server: &str) -> u64 {
        use std::io::{Read, Write};
        let mut s = std::os::unix::net::UnixStream::connect(&self.socket).expect("stats socket");
        s.write_all(b"show stat\n").expect("write");
        let mut csv = String::new();
        s.read_to_string(&mut csv).expect("read");
        csv.lines()
            .map(|l| l.split(',').collect::<Vec<_>>())
            .find(|f| f.len() > 4 && f[0] == "auth" && f[1] == server)
            .and_then(|f| f[4].parse().ok())
            .unwrap_or_else(|| panic!("no {server} in show stat:\n{csv}"))
    }

    /// Every line haproxy wrote (requests, health-check state changes), for failure messages.
    pub fn raw_log(&self) -> String {
        self.lines.lock().unwrap().join("\n")
    }
}

impl Drop for Haproxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
