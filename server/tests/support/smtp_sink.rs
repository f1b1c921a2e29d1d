//! A real SMTP server on loopback that writes every message it receives to a directory, one
//! file per message (`<n>.eml`, the raw message as received, written whole then renamed into
//! place so a reader never sees half a file). Used by the server's mail tests and by the
//! `smtp_sink` example, which browser tests start and read the same way.
//!
//! Built on `mailin-embedded` (an SMTP server library); no STARTTLS is offered, so a client
//! with opportunistic STARTTLS (the auth server's `smtp://`) speaks plain SMTP to it.
#![allow(dead_code)]

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use mailin_embedded::{Handler, Response, Server, response};

#[derive(Clone)]
struct Keep {
    dir: PathBuf,
    count: Arc<AtomicU64>,
    delay: Duration,
    buf: Vec<u8>,
}

impl Handler for Keep {
    fn data_start(
        &mut self,
        _domain: &str,
        _from: &str,
        _is8bit: bool,
        _to: &[String],
    ) -> Response {
        self.buf.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.buf.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        // A slow mail server, for tests that check nobody waits for it.
        std::thread::sleep(self.delay);
        let n = self.count.fetch_add(1, Ordering::SeqCst) + 1;
        let tmp = self.dir.join(format!(".{n}.eml.tmp"));
        let done = std::fs::write(&tmp, &self.buf)
            .and_then(|_| std::fs::rename(&tmp, self.dir.join(format!("{n}.eml"))));
        match done {
            Ok(()) => response::OK,
            Err(_) => response::INTERNAL_ERROR,
        }
    }
}

/// A running sink.
pub struct Sink {
    pub addr: SocketAddr,
    pub dir: PathBuf,
}

/// Starts a sink on `127.0.0.1:port` (0: a free port) writing into `dir` (created), answering
/// each message after `delay`. It runs on threads of its own until the process ends.
pub fn start(dir: &Path, port: u16, delay: Duration) -> std::io::Result<Sink> {
    std::fs::create_dir_all(dir)?;
    let listener = TcpListener::bind(("127.0.0.1", port))?;
    let addr = listener.local_addr()?;
    let handler = Keep {
        dir: dir.to_path_buf(),
        count: Arc::new(AtomicU64::new(0)),
        delay,
        buf: Vec::new(),
    };
    let mut server = Server::new(handler);
    server
        .with_name("smtp-sink.localhost")
        // A thread per connection; the auth server keeps a pool of connections open.
        .with_num_threads(32)
        .with_tcp_listener(listener);
    std::thread::spawn(move || {
        if let Err(e) = server.serve() {
            eprintln!("smtp sink stopped: {e}");
        }
    });
    Ok(Sink {
        addr,
        dir: dir.to_path_buf(),
    })
}

impl Sink {
    /// The messages received so far, oldest first.
    pub fn messages(&self) -> Vec<String> {
        let mut files: Vec<(u64, PathBuf)> = std::fs::read_dir(&self.dir)
            .map(|d| {
                d.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter_map(|p| {
                        let n = p
                            .file_name()?
                            .to_str()?
                            .strip_suffix(".eml")?
                            .parse()
                            .ok()?;
                        Some((n, p))
                    })
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        files
            .into_iter()
            .filter_map(|(_, p)| std::fs::read_to_string(p).ok())
            .collect()
    }

    /// Waits up to `timeout` for at least `n` messages and returns them all.
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<String> {
        let deadline = Instant::now() + timeout;
        loop {
            let m = self.messages();
            if m.len() >= n || Instant::now() > deadline {
                return m;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }
}

/// Undoes quoted-printable encoding (RFC 2045 §6.7): soft line breaks and `=XX` escapes.
pub fn decode_quoted_printable(s: &str) -> String {
    let s = s.replace("=\r\n", "").replace("=\n", "");
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The value of the first `#<key>=` link fragment in a raw message (after undoing
/// quoted-printable), e.g. `link_token(msg, "auth-reset")`.
pub fn link_token(raw: &str, key: &str) -> Option<String> {
    let text = decode_quoted_printable(raw);
    let start = text.find(&format!("#{key}="))? + key.len() + 2;
    let token: String = text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    (!token.is_empty()).then_some(token)
}
