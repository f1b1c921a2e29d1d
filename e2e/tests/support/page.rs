//! One browser's context for the journeys, and the page-level steps a person takes: open the
//! demo, click into a field, type, press Tab and Enter. Waits poll a condition, never sleep
//! blindly.

use super::browser::{Kind, console_lines};
use super::copy::Copy;
use super::server::Server;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a condition may take by default (a journey that expects longer says so).
pub const WAIT: Duration = Duration::from_secs(10);

/// What a journey gets: its browser, the browser's own server, the copy.
pub struct Ctx {
    pub kind: Kind,
    pub client: Client,
    pub server: Server,
    pub copy: Copy,
    pub axe: String,
    driver_log: PathBuf,
    console: Mutex<(Vec<String>, u64)>,
}

impl Ctx {
    pub fn new(kind: Kind, client: Client, server: Server, driver_log: PathBuf) -> Ctx {
        let axe_path = super::procs::workspace().join("node_modules/axe-core/axe.min.js");
        let axe = std::fs::read_to_string(&axe_path).unwrap_or_else(|e| {
            panic!("{}: {e} (run `bash scripts/setup.sh`)", axe_path.display())
        });
        Ctx {
            kind,
            client,
            server,
            copy: Copy::load(),
            axe,
            driver_log,
            console: Mutex::new((Vec::new(), 0)),
        }
    }

    pub fn browser(&self) -> &'static str {
        self.kind.name()
    }

    /// A unique address for an account this journey creates.
    pub fn unique_email(&self, what: &str) -> String {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        format!("{what}-{}-{nanos}@example.com", self.browser())
    }

    /// Pulls new console lines into this journey's buffer and returns the whole buffer.
    pub async fn console(&self) -> Vec<String> {
        let mut offset = self.console.lock().expect("console lock").1;
        let new = console_lines(self.kind, &self.client, &self.driver_log, &mut offset).await;
        let mut c = self.console.lock().expect("console lock");
        c.1 = offset;
        c.0.extend(new);
        c.0.clone()
    }

    /// Starts a journey with an empty console buffer.
    pub async fn clear_console(&self) {
        self.console().await;
        self.console.lock().expect("console lock").0.clear();
    }

    /// Opens the demo on `server` with no cookies and waits for the widget's form.
    pub async fn open(&self, server: &Server) {
        self.open_at(&server.url("/")).await;
    }

    /// Opens the demo page at `url` (another host name for the same server, such as
    /// `localhost`) with no cookies and waits for the widget's form.
    pub async fn open_at(&self, url: &str) {
        self.open_url(url).await;
        self.wait(
            "the widget's form",
            "document.querySelector('input[name=email]')",
        )
        .await;
    }

    /// Loads `url` with no cookies from earlier journeys.
    pub async fn open_url(&self, url: &str) {
        // Cookies are per host, not port: clear them on the page's host first.
        self.client.goto(url).await.expect("goto");
        self.client
            .delete_all_cookies()
            .await
            .expect("delete cookies");
        self.client.goto(url).await.expect("goto");
    }

    /// Runs `script` (a function body) in the page.
    pub async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Runs an async `script` that ends by calling `done(value)` (the last argument).
    pub async fn js_async(&self, script: &str, args: Vec<Value>) -> Value {
        let script = format!("const done = arguments[arguments.length - 1];\n{script}");
        self.client
            .execute_async(&script, args)
            .await
            .unwrap_or_else(|e| panic!("async script failed: {e}\n{script}"))
    }

    /// Waits for the signed-in view a sign-in leads to.
    pub async fn wait_signed_in(&self, what: &str) {
        self.wait(
            what,
            "document.querySelector('.aw-signed-in[data-outcome=login]')",
        )
        .await;
    }

    /// Waits until the JavaScript expression `expr` is truthy.
    pub async fn wait(&self, what: &str, expr: &str) {
        self.wait_for(what, expr, WAIT).await;
    }

    /// Waits until `expr` is truthy, for at most `limit`.
    pub async fn wait_for(&self, what: &str, expr: &str, limit: Duration) {
        let script = format!("return !!({expr});");
        let deadline = Instant::now() + limit;
        loop {
            if self.js(&script, vec![]).await.as_bool() == Some(true) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{}: waited {limit:?} for {what} ({expr})",
                self.browser()
            );
            tokio::time::sleep(Duration::from_millis(40)).await; // poll interval
        }
    }

    /// Waits until `expr` is no longer true in the current document; a document where
    /// scripts cannot run (a browser error page) counts as gone.
    pub async fn wait_gone(&self, what: &str, expr: &str) {
        let script = format!("return !!({expr});");
        let deadline = Instant::now() + WAIT;
        loop {
            match self.client.execute(&script, vec![]).await {
                Ok(Value::Bool(true)) => {}
                _ => return,
            }
            assert!(
                Instant::now() < deadline,
                "{}: {what} did not go away",
                self.browser()
            );
            tokio::time::sleep(Duration::from_millis(40)).await;
        }
    }

    pub async fn find(&self, css: &str) -> Element {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{}: no {css}: {e}", self.browser()))
    }

    pub async fn exists(&self, css: &str) -> bool {
        self.js(
            "return document.querySelector(arguments[0]) !== null;",
            vec![json!(css)],
        )
        .await
            == json!(true)
    }

    /// The rendered text of `css`.
    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.expect("text")
    }

    /// A DOM property of `css` (e.g. `value`, `type`, `disabled`), as JSON.
    pub async fn prop(&self, css: &str, prop: &str) -> Value {
        self.js(
            "const e = document.querySelector(arguments[0]); return e ? e[arguments[1]] : null;",
            vec![json!(css), json!(prop)],
        )
        .await
    }

    /// Clicks `css` (a button or a link).
    pub async fn click(&self, css: &str) {
        self.find(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("{}: click {css}: {e}", self.browser()));
    }

    /// Clicks into a field and types `text`, as a person does.
    pub async fn type_in(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field.click().await.expect("click into the field");
        field.send_keys(text).await.expect("type");
    }

    /// Presses Enter in `css` (a field): the form is submitted the way a person does it.
    pub async fn enter_in(&self, css: &str) {
        let field = self.find(css).await;
        field
            .send_keys(&Key::Enter.to_string())
            .await
            .expect("press Enter");
    }

    /// Fills in the login form and presses Enter in the password field.
    pub async fn log_in(&self, email: &str, password: &str) {
        self.log_in_without_submitting(email, password).await;
        self.enter_in("input[name=password]").await;
    }

    /// Types the email and the password.
    pub async fn log_in_without_submitting(&self, email: &str, password: &str) {
        self.type_in("input[name=email]", email).await;
        self.type_in("input[name=password]", password).await;
    }

    /// Presses keys on whatever has focus (no element is targeted): each char of `keys` is
    /// one key, e.g. `Key::Tab`'s char or a letter.
    pub async fn keys(&self, keys: &str) {
        let mut seq = KeyActions::new("keyboard".to_string());
        for c in keys.chars() {
            seq = seq
                .then(KeyAction::Down { value: c })
                .then(KeyAction::Up { value: c });
        }
        self.client.perform_actions(seq).await.expect("key actions");
        self.client.release_actions().await.expect("release keys");
    }

    /// Shift+Tab on whatever has focus.
    pub async fn shift_tab(&self) {
        let (shift, tab) = (char::from(Key::Shift), char::from(Key::Tab));
        let seq = KeyActions::new("keyboard".to_string())
            .then(KeyAction::Down { value: shift })
            .then(KeyAction::Down { value: tab })
            .then(KeyAction::Up { value: tab })
            .then(KeyAction::Up { value: shift });
        self.client.perform_actions(seq).await.expect("shift+tab");
        self.client.release_actions().await.expect("release keys");
    }

    /// Whether the focused element matches `css`.
    pub async fn focused(&self, css: &str) -> bool {
        self.js(
            "const a = document.activeElement; return !!a && a.matches(arguments[0]);",
            vec![json!(css)],
        )
        .await
            == json!(true)
    }

    /// A short description of the focused element, for assertion messages.
    pub async fn focused_desc(&self) -> String {
        self.js(
            "const a = document.activeElement; return a ? a.outerHTML.slice(0, 160) : 'nothing';",
            vec![],
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
    }

    /// Asserts focus is on `css` (waiting for it: the banner takes focus on the next frame).
    pub async fn expect_focus(&self, what: &str, css: &str) {
        let expr = format!(
            "document.activeElement && document.activeElement.matches({})",
            json!(css)
        );
        let deadline = Instant::now() + WAIT;
        while !self
            .js(&format!("return !!({expr});"), vec![])
            .await
            .as_bool()
            .unwrap_or(false)
        {
            assert!(
                Instant::now() < deadline,
                "{}: focus should be on {what} ({css}) but is on {}",
                self.browser(),
                self.focused_desc().await
            );
            tokio::time::sleep(Duration::from_millis(40)).await;
        }
    }
}
