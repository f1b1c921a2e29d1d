//! The checks every journey repeats: what a failure banner must say and where focus goes
//! (errors-10, errors-13, errors-17), axe-core in light and dark (access-25), and that no password or
//! token leaks into a URL, storage or the console (sessions-20, sessions-21).

use super::browser::set_dark;
use super::page::Ctx;
use serde_json::{Value, json};

/// What a failure banner must show.
pub struct Expect<'a> {
    /// `data-failure`.
    pub kind: &'a str,
    /// The copy it uses: `failure.<copy>.title` / `.body`.
    pub copy: &'a str,
}

impl Ctx {
    /// Waits for the failure banner of `e.kind` and checks its words, its role and that it
    /// holds focus (errors-10). Anything but a credentials failure must never use the
    /// wrong-details title (errors-17, the incident).
    pub async fn expect_failure(&self, e: Expect<'_>) {
        let banner = format!("[data-failure=\"{}\"]", e.kind);
        self.wait(
            &format!("the {} banner", e.kind),
            &format!("document.querySelector('{banner}')"),
        )
        .await;
        let title = self.text(&format!("{banner} .aw-banner__title")).await;
        let body = self.text(&format!("{banner} .aw-banner__body")).await;
        assert_eq!(
            title,
            self.copy.failure_title(e.copy),
            "{}: {} title",
            self.browser(),
            e.kind
        );
        assert_eq!(
            body,
            self.copy.failure_body(e.copy),
            "{}: {} body",
            self.browser(),
            e.kind
        );
        let credentials = self.copy.failure_title("invalid_credentials");
        if e.copy != "invalid_credentials" {
            let all = self.text(".aw-widget").await;
            assert!(
                !all.contains(&credentials),
                "{}: a {} failure must not say {credentials:?}:\n{all}",
                self.browser(),
                e.kind
            );
        }
        assert!(
            self.exists(&format!("{banner} > [role=alert]")).await,
            "{}: the {} summary's inner box has role=alert",
            self.browser(),
            e.kind
        );
        self.expect_focus("the error summary", &banner).await;
    }

    /// axe-core over the whole page in light and in dark: zero violations (access-25).
    pub async fn audit(&self, state: &str) {
        let loaded = self
            .js("return typeof window.axe === 'object';", vec![])
            .await;
        if loaded != json!(true) {
            self.js(&format!("{}\nreturn true;", self.axe), vec![])
                .await;
        }
        let mut backgrounds = Vec::new();
        for dark in [false, true] {
            set_dark(&self.client, self.kind, dark).await;
            let scheme = if dark { "dark" } else { "light" };
            self.wait(
                &format!("prefers-color-scheme: {scheme}"),
                &format!("matchMedia('(prefers-color-scheme: {scheme})').matches"),
            )
            .await;
            // Colours transition (style/widget.css): measure once they have settled.
            self.wait(
                "transitions to end",
                "document.getAnimations().length === 0",
            )
            .await;
            let bg = "const e = document.querySelector('.aw-widget') || document.body;\
                      return getComputedStyle(e).backgroundColor;";
            backgrounds.push(self.js(bg, vec![]).await);
            let out = self
                .js_async(
                    "axe.run(document, { resultTypes: ['violations'] }).then(r => done(\
                       r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at\\n  ' +\
                         v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary).join('\\n  '))),\
                     e => done(['axe failed: ' + e]));",
                    vec![],
                )
                .await;
            let violations: Vec<String> = serde_json::from_value(out).expect("a list");
            assert!(
                violations.is_empty(),
                "{}: axe found {} violation(s) in {state} ({scheme}):\n{}",
                self.browser(),
                violations.len(),
                violations.join("\n")
            );
        }
        assert_ne!(
            backgrounds[0],
            backgrounds[1],
            "{}: the page looks the same in light and dark: the scheme was not applied",
            self.browser()
        );
        set_dark(&self.client, self.kind, false).await;
    }

    /// Every URL this page requested (navigation and resources) and its address now.
    pub async fn requested_urls(&self) -> Vec<String> {
        let v = self
            .js(
                "return [location.href].concat(performance.getEntries().map(e => e.name));",
                vec![],
            )
            .await;
        serde_json::from_value(v).expect("a list of URLs")
    }

    /// Everything the page could persist: both storages, `document.cookie`, IndexedDB.
    pub async fn stored(&self) -> Vec<String> {
        let mut out: Vec<String> = serde_json::from_value(
            self.js(
                "const dump = s => Object.keys(s).map(k => k + '=' + s.getItem(k));\
                 return ['cookie: ' + document.cookie]\
                   .concat(dump(localStorage).map(x => 'localStorage ' + x))\
                   .concat(dump(sessionStorage).map(x => 'sessionStorage ' + x));",
                vec![],
            )
            .await,
        )
        .expect("a list");
        let idb = self
            .js_async(
                "(async () => {\
                   const out = [];\
                   const dbs = indexedDB.databases ? await indexedDB.databases() : [];\
                   const req = r => new Promise((ok, no) => { r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });\
                   for (const d of dbs) {\
                     const db = await req(indexedDB.open(d.name));\
                     for (const name of db.objectStoreNames) {\
                       const rows = await req(db.transaction(name).objectStore(name).getAll());\
                       out.push('indexedDB ' + d.name + '/' + name + ': ' + JSON.stringify(rows));\
                     }\
                     db.close();\
                   }\
                   return out;\
                 })().then(done, e => done(['indexedDB failed: ' + e]));",
                vec![],
            )
            .await;
        let idb: Vec<String> = serde_json::from_value(idb).expect("a list");
        out.extend(idb);
        out
    }

    /// The session cookie's value, if the browser holds one (WebDriver sees HttpOnly cookies).
    pub async fn session_token(&self) -> Option<String> {
        let cookies = self.client.get_all_cookies().await.expect("cookies");
        cookies
            .iter()
            .find(|c| c.name().ends_with("session"))
            .map(|c| c.value().to_string())
    }

    /// Ends a journey: no password in any requested URL, nothing secret in storage or the
    /// console (sessions-20, sessions-21). `secrets` are the passwords typed in this journey.
    pub async fn finish(&self, secrets: &[&str]) {
        let mut secrets: Vec<String> = secrets.iter().map(|s| s.to_string()).collect();
        let token = self.session_token().await;
        let urls = self.requested_urls().await;
        for url in &urls {
            for s in &secrets {
                for form in [s.clone(), s.replace(' ', "+"), s.replace(' ', "%20")] {
                    assert!(
                        !url.contains(&form),
                        "{}: a request URL holds the password: {url}",
                        self.browser()
                    );
                }
            }
        }
        secrets.extend(token);
        let stored = self.stored().await;
        let console = self.probe_console().await;
        for s in &secrets {
            for line in stored.iter() {
                assert!(
                    !line.contains(s.as_str()),
                    "{}: a secret is stored: {line}",
                    self.browser()
                );
            }
            for line in console.iter() {
                assert!(
                    !line.contains(s.as_str()),
                    "{}: a secret is in the console: {line}",
                    self.browser()
                );
            }
        }
    }
}

impl Ctx {
    /// Logs a marker from the page and waits until the console capture shows it, so an empty
    /// capture can never pass the no-secrets check by accident. Returns the whole capture.
    pub async fn probe_console(&self) -> Vec<String> {
        let marker = format!("e2e-console-probe-{}", self.unique_email("probe"));
        self.js("console.log(arguments[0]);", vec![json!(marker)])
            .await;
        let deadline = std::time::Instant::now() + super::page::WAIT;
        loop {
            let lines = self.console().await;
            if lines.iter().any(|l| l.contains(&marker)) {
                return lines;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{}: the console capture did not show {marker}",
                self.browser()
            );
            tokio::time::sleep(std::time::Duration::from_millis(40)).await;
        }
    }
}

/// The JSON `fetch` from the page (with its cookies): `[status, body text]`.
pub async fn page_fetch(cx: &Ctx, method: &str, path: &str) -> (u64, String) {
    let v: Value = cx
        .js_async(
            "fetch(arguments[1], { method: arguments[0], credentials: 'include' })\
               .then(r => r.text().then(t => done([r.status, t])), e => done([0, String(e)]));",
            vec![json!(method), json!(path)],
        )
        .await;
    (
        v[0].as_u64().unwrap_or_default(),
        v[1].as_str().unwrap_or_default().to_string(),
    )
}
