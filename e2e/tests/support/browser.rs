//! A headless browser behind its WebDriver: the driver is started on a free port, the session
//! is closed on every path (explicitly, or by a blocking DELETE from the guard's drop) and the
//! driver is killed.

use super::procs::{Guard, free_port, log_path, spawn_listening};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder};
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::Command;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Chromium,
    Firefox,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Chromium => "chromium",
            Kind::Firefox => "firefox",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        match s.trim() {
            "chromium" | "chrome" => Some(Kind::Chromium),
            "firefox" => Some(Kind::Firefox),
            _ => None,
        }
    }
}

fn env_or(var: &str, default: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| default.to_string())
}

fn geckodriver() -> String {
    if let Ok(p) = std::env::var("GECKODRIVER") {
        return p;
    }
    let home = std::env::var("HOME").unwrap_or_default();
    let cargo_bin = format!("{home}/.cargo/bin/geckodriver");
    if std::path::Path::new(&cargo_bin).exists() {
        cargo_bin
    } else {
        "geckodriver".to_string()
    }
}

/// The same switches as the wasm-bindgen browser tests (webdriver.json, scripts/browser-tests.sh).
const CHROMIUM_ARGS: &[&str] = &[
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--window-size=1280,900",
];

fn capabilities(kind: Kind) -> serde_json::Map<String, Value> {
    let caps = match kind {
        Kind::Chromium => json!({
            "browserName": "chrome",
            // The browser console, read back through `se/log` (no password may appear).
            "goog:loggingPrefs": { "browser": "ALL" },
            "goog:chromeOptions": {
                "binary": env_or("CHROMIUM_BIN", "/usr/bin/chromium"),
                "args": CHROMIUM_ARGS,
            },
        }),
        Kind::Firefox => json!({
            "browserName": "firefox",
            "moz:firefoxOptions": {
                "binary": env_or("FIREFOX_BIN", "/usr/bin/firefox-esr"),
                "args": ["-headless"],
                "prefs": {
                    // Page console messages go to stdout, which lands in the driver's log.
                    "devtools.console.stdout.content": true,
                    "network.captive-portal-service.enabled": false,
                    "network.connectivity-service.enabled": false,
                    "app.update.enabled": false,
                    "browser.safebrowsing.malware.enabled": false,
                    "browser.safebrowsing.phishing.enabled": false,
                    "layout.css.prefers-color-scheme.content-override": 1,
                    // WebAuthn goes to the WebDriver virtual authenticators (the passkey
                    // journey adds one), not to a USB key or a system dialog.
                    "security.webauth.webauthn_enable_softtoken": true,
                    "security.webauth.webauthn_enable_usbtoken": false,
                },
            },
        }),
    };
    match caps {
        Value::Object(m) => m,
        _ => unreachable!(),
    }
}

/// A driver process and the one session on it.
pub struct Browser {
    pub client: Client,
    /// The driver's log (Firefox: also the page console).
    pub log: PathBuf,
    driver_port: u16,
    session_id: Option<String>,
    /// Firefox's own pid (`moz:processID`).
    browser_pid: Option<u64>,
    driver: Guard,
}

impl Browser {
    pub async fn start(kind: Kind) -> Browser {
        let port = free_port();
        let log = log_path(&format!("{}-driver", kind.name()));
        let mut cmd = match kind {
            Kind::Chromium => {
                let mut c = Command::new(env_or("CHROMEDRIVER", "/usr/bin/chromedriver"));
                c.arg(format!("--port={port}"));
                c
            }
            Kind::Firefox => {
                let mut c = Command::new(geckodriver());
                // System access lets the harness flip Firefox's colour-scheme preference.
                c.args(["--port", &port.to_string(), "--allow-system-access"]);
                c
            }
        };
        cmd.env("RUST_LOG", "warn");
        let driver = spawn_listening(kind.name(), cmd, &log, port);
        let client = ClientBuilder::rustls()
            .expect("rustls connector")
            .capabilities(capabilities(kind))
            .connect(&format!("http://127.0.0.1:{port}/"))
            .await
            .unwrap_or_else(|e| panic!("{} session: {e}", kind.name()));
        let session_id = client.session_id().await.ok().flatten();
        let _ = client.set_window_size(1280, 900).await;
        let browser_pid = client
            .capabilities()
            .and_then(|c| c.get("moz:processID"))
            .and_then(|v| v.as_u64());
        Browser {
            client,
            log,
            driver_port: port,
            session_id,
            browser_pid,
            driver,
        }
    }

    /// Ends the session (the browser quits) and the driver.
    pub async fn close(mut self) {
        let client = self.client.clone();
        if client.close().await.is_ok() {
            self.session_id = None;
            self.browser_pid = None;
        }
        // `self` drops here: the driver is killed.
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Not closed through `close()` (a panic outside a journey): end the session with a
        // plain blocking request, so the browser quits before its driver is killed.
        if let Some(id) = self.session_id.take()
            && let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", self.driver_port))
        {
            let _ = s.set_read_timeout(Some(std::time::Duration::from_secs(10)));
            // geckodriver refuses a Host header without the port.
            let port = self.driver_port;
            let req = format!(
                "DELETE /session/{id} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
            );
            if s.write_all(req.as_bytes()).is_ok() {
                let _ = s.read_to_end(&mut Vec::new());
            }
        }
        self.driver.stop();
        // Firefox outlives a killed geckodriver: end it by the pid it reported, if still there.
        if let Some(pid) = self.browser_pid.take() {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
    }
}

/// A WebDriver command under `/session/{id}/` that fantoccini has no method for: a driver's
/// own (CDP through chromedriver, geckodriver's context and full-page screenshot) or a W3C
/// extension's (WebAuthn's virtual authenticators).
#[derive(Debug)]
pub struct SessionCmd {
    pub method: http::Method,
    pub path: String,
    pub body: Option<Value>,
}

impl SessionCmd {
    pub fn post(path: impl Into<String>, body: Value) -> SessionCmd {
        SessionCmd {
            method: http::Method::POST,
            path: path.into(),
            body: Some(body),
        }
    }

    pub fn get(path: impl Into<String>) -> SessionCmd {
        SessionCmd {
            method: http::Method::GET,
            path: path.into(),
            body: None,
        }
    }

    pub fn delete(path: impl Into<String>) -> SessionCmd {
        SessionCmd {
            method: http::Method::DELETE,
            path: path.into(),
            body: None,
        }
    }
}

impl WebDriverCompatibleCommand for SessionCmd {
    fn endpoint(
        &self,
        base: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/{}",
            session_id.unwrap_or_default(),
            self.path
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            self.method.clone(),
            self.body.as_ref().map(Value::to_string),
        )
    }
}

/// Switches the page's `prefers-color-scheme` to dark or light without a reload.
pub async fn set_dark(client: &Client, kind: Kind, dark: bool) {
    match kind {
        Kind::Chromium => {
            let value = if dark { "dark" } else { "light" };
            let cmd = SessionCmd::post(
                "goog/cdp/execute",
                json!({
                    "cmd": "Emulation.setEmulatedMedia",
                    "params": { "features": [{ "name": "prefers-color-scheme", "value": value }] },
                }),
            );
            client.issue_cmd(cmd).await.expect("CDP setEmulatedMedia");
        }
        Kind::Firefox => {
            let context =
                |c: &'static str| SessionCmd::post("moz/context", json!({ "context": c }));
            client
                .issue_cmd(context("chrome"))
                .await
                .expect("chrome context");
            let set = client
                .execute(
                    "Services.prefs.setIntPref(\
                     'layout.css.prefers-color-scheme.content-override', arguments[0]);",
                    vec![json!(if dark { 0 } else { 1 })],
                )
                .await;
            client
                .issue_cmd(context("content"))
                .await
                .expect("content context");
            set.expect("set the colour-scheme preference");
        }
    }
}

/// New console lines since the last call. Chromium: the `browser` log; Firefox: new lines of
/// the driver log (the page console is routed there), from `offset` on.
pub async fn console_lines(
    browser_kind: Kind,
    client: &Client,
    log: &PathBuf,
    offset: &mut u64,
) -> Vec<String> {
    match browser_kind {
        Kind::Chromium => {
            let cmd = SessionCmd::post("se/log", json!({ "type": "browser" }));
            let v = client.issue_cmd(cmd).await.unwrap_or(Value::Null);
            v.as_array()
                .map(|a| {
                    a.iter()
                        .map(|e| {
                            format!(
                                "{} {}",
                                e["level"].as_str().unwrap_or("?"),
                                e["message"].as_str().unwrap_or("")
                            )
                        })
                        .collect()
                })
                .unwrap_or_default()
        }
        Kind::Firefox => {
            let bytes = std::fs::read(log).unwrap_or_default();
            let start = (*offset as usize).min(bytes.len());
            *offset = bytes.len() as u64;
            String::from_utf8_lossy(&bytes[start..])
                .lines()
                .map(str::to_string)
                .collect()
        }
    }
}

/// A PNG of the whole document, not only the viewport. Chromium: CDP `Page.captureScreenshot`
/// beyond the viewport, clipped to the document's size; Firefox: geckodriver's
/// `moz/screenshot/full`.
pub async fn full_page_png(client: &Client, kind: Kind) -> Vec<u8> {
    let value = match kind {
        Kind::Chromium => {
            let size = client
                .execute(
                    "const d = document.documentElement;\
                     return [Math.ceil(d.scrollWidth), Math.ceil(d.scrollHeight)];",
                    vec![],
                )
                .await
                .expect("the document's size");
            let cmd = SessionCmd::post(
                "goog/cdp/execute",
                json!({
                    "cmd": "Page.captureScreenshot",
                    "params": {
                        "format": "png",
                        "captureBeyondViewport": true,
                        "clip": { "x": 0, "y": 0, "width": size[0], "height": size[1], "scale": 1 },
                    },
                }),
            );
            let v = client.issue_cmd(cmd).await.expect("CDP captureScreenshot");
            v["data"].clone()
        }
        Kind::Firefox => client
            .issue_cmd(SessionCmd::get("moz/screenshot/full"))
            .await
            .expect("moz/screenshot/full"),
    };
    STANDARD
        .decode(value.as_str().expect("a base64 screenshot"))
        .expect("base64")
}
