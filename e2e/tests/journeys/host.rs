//! A plain HTML host page on another origin than the API: `examples/host/`, served
//! by a second server, embeds `<auth-widget>` from the API server's `/embed/`, and signs in
//! through CORS with credentials (`--allow-origin`), under the page's strict CSP.

use crate::support::copy::Copy;
use crate::support::page::Ctx;
use crate::support::procs::{RemoveOnDrop, artifacts, workspace};
use crate::support::server::{DEMO_EMAIL, DEMO_PASSWORD, Server, dist};
use serde_json::json;
use std::sync::Arc;

/// The origin `examples/host/` hard-codes for the widget and its API.
const EXAMPLE_API: &str = "http://127.0.0.1:8080";

/// A classic script the copy loads right after its CSP meta tag (so before the widget's
/// module): it records every CSP violation the page reports, and whether the embed script's
/// first screen (the shell, `[data-aw-shell]`) was ever in the page.
const CSP_PROBE: &str = "window.__cspViolations = [];\n\
    document.addEventListener('securitypolicyviolation', (e) =>\n\
    \x20 window.__cspViolations.push(e.violatedDirective + ' blocked ' + e.blockedURI));\n\
    window.__sawShell = false;\n\
    new MutationObserver(() => { if (document.querySelector('[data-aw-shell]')) window.__sawShell = true; })\n\
    \x20 .observe(document, { childList: true, subtree: true });\n";

/// Copies `examples/host/` to `dir` with the API origin rewritten to `api` (CSP included),
/// `attrs` added to its `<auth-widget>` tag, plus the CSP probe (and `probe`, more script it
/// runs before the widget's module).
fn host_copy(dir: &std::path::Path, api: &str, attrs: &str, probe: &str) {
    let src = workspace().join("examples/host");
    for entry in std::fs::read_dir(&src).expect("read examples/host") {
        let path = entry.expect("entry").path();
        let name = path.file_name().expect("name").to_owned();
        let mut text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .replace(EXAMPLE_API, api);
        if name == "index.html" {
            let csp_end = text
                .find("Content-Security-Policy")
                .and_then(|at| text[at..].find('>').map(|end| at + end + 1))
                .expect("examples/host/index.html has a CSP meta tag");
            text.insert_str(csp_end, "\n  <script src=\"e2e-csp-probe.js\"></script>");
            text = text.replace("<auth-widget ", &format!("<auth-widget {attrs} "));
            assert!(
                text.contains(&format!("script-src 'self' {api} 'wasm-unsafe-eval'")),
                "the copy's CSP names the API origin:\n{text}"
            );
        }
        std::fs::write(dir.join(&name), text).expect("write the host copy");
    }
    std::fs::write(dir.join("e2e-csp-probe.js"), format!("{CSP_PROBE}{probe}"))
        .expect("write the CSP probe");
}

/// A copy of `examples/host/` (with `attrs` on its `<auth-widget>`) served on its own origin,
/// and an API server for `served` (a `dist/`) that allows that origin. The host's origin must
/// be known before the API server starts; the files, which name the API's origin, are written
/// once that one is known. Dropping it stops both servers and removes the copy.
struct HostPage {
    host: Server,
    api: Server,
    _copy: RemoveOnDrop,
}

impl HostPage {
    fn start(label: &str, served: &std::path::Path, attrs: &str) -> HostPage {
        HostPage::start_with(label, served, attrs, "")
    }

    /// [`HostPage::start`], with `probe` run in the page before the widget's module.
    fn start_with(label: &str, served: &std::path::Path, attrs: &str, probe: &str) -> HostPage {
        let dir = artifacts().join(format!("{label}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the host dir");
        let copy = RemoveOnDrop(dir.clone());
        let host = Server::start(label, &dir, &[]);
        let api = Server::start(
            &format!("api-{label}"),
            served,
            &["--allow-origin", &host.base],
        );
        assert_ne!(host.base, api.base);
        host_copy(&dir, &api.base, attrs, probe);
        HostPage {
            host,
            api,
            _copy: copy,
        }
    }
}

/// The host page (its own origin) loads the widget from the API origin, a person signs in,
/// the host hears `auth-success` with the email; no CSP violation, no password anywhere.
pub async fn a_host_page_on_another_origin_signs_in_with_cors_credentials(cx: Arc<Ctx>) {
    let b = cx.browser();
    assert!(
        dist().join("embed/auth-widget.js").exists(),
        "dist/embed/ is missing: run `bash scripts/embed.sh` (scripts/e2e.sh does)"
    );
    let HostPage { host, api, .. } = &HostPage::start(&format!("host-{b}"), &dist(), "");

    cx.open_url(&host.url("/")).await;
    cx.wait(
        "the live widget (the shell handed over)",
        "document.querySelector('auth-widget[data-aw-instance] input[name=email]') && \
         !document.querySelector('[data-aw-shell]')",
    )
    .await;
    cx.wait(
        "the host heard auth-ready",
        "document.querySelector('auth-widget[data-state=ready]') && \
         document.getElementById('events').textContent.includes('auth-ready')",
    )
    .await;
    assert_eq!(
        cx.js("return window.__sawShell;", vec![]).await,
        json!(true),
        "{b}: the embed script drew its first screen before the WebAssembly took over"
    );
    cx.log_in(DEMO_EMAIL, DEMO_PASSWORD).await;
    cx.wait(
        "the login success",
        "document.querySelector('auth-widget [data-outcome=login]')",
    )
    .await;
    cx.wait(
        "the host's event log",
        &format!(
            "(document.getElementById('events').textContent || '').includes('auth-success') && \
             document.getElementById('events').textContent.includes({})",
            json!(DEMO_EMAIL)
        ),
    )
    .await;
    let origin = cx.js("return location.origin;", vec![]).await;
    assert_eq!(
        origin,
        json!(host.base),
        "{b}: the page is on the host origin"
    );
    let urls = cx.requested_urls().await;
    for path in ["/embed/auth-widget.js", "/auth/login"] {
        let url = api.url(path);
        assert!(
            urls.iter().any(|u| u.starts_with(&url)),
            "{b}: the page requested {url}; it requested:\n{}",
            urls.join("\n")
        );
    }
    let violations = cx.js("return window.__cspViolations;", vec![]).await;
    assert_eq!(violations, json!([]), "{b}: CSP violations");
    let console = cx.probe_console().await;
    let csp_errors: Vec<&String> = console
        .iter()
        .filter(|l| {
            let l = l.to_lowercase();
            l.contains("content security policy") || l.contains("content-security-policy")
        })
        .collect();
    assert!(
        csp_errors.is_empty(),
        "{b}: CSP errors in the console:\n{csp_errors:?}"
    );
    cx.finish(&[DEMO_PASSWORD]).await;
}

/// The embed compiles English only; a widget in another locale gets its copy from the embed's
/// `locales/<tag>.json` (fetched across origins, under the page's CSP) before it goes live, so
/// the live form and its failure banner speak that locale.
pub async fn a_widget_in_another_locale_loads_its_copy_file_and_speaks_it(cx: Arc<Ctx>) {
    let b = cx.browser();
    let HostPage { host, api, .. } =
        &HostPage::start(&format!("host-ar-{b}"), &dist(), "locale=\"ar\"");
    let ar = Copy::locale("ar");

    cx.open_url(&host.url("/")).await;
    cx.wait(
        "the live widget",
        "document.querySelector('auth-widget[data-aw-instance] .aw-widget[lang=ar][dir=rtl]') && \
         !document.querySelector('[data-aw-shell]')",
    )
    .await;
    assert_eq!(
        cx.text("auth-widget .aw-widget__title").await,
        ar.t("form.title_login", &[]),
        "{b}: the live widget's own text is Arabic"
    );
    cx.log_in(DEMO_EMAIL, "not the password").await;
    cx.wait(
        "the failure banner",
        "document.querySelector('auth-widget [data-failure=invalid_credentials]')",
    )
    .await;
    assert_eq!(
        cx.text("auth-widget .aw-banner__title").await,
        ar.t("failure.invalid_credentials.title", &[]),
        "{b}: the banner speaks the page's locale"
    );
    let urls = cx.requested_urls().await;
    let file = api.url("/embed/locales/ar.json");
    assert!(
        urls.iter().any(|u| u.starts_with(&file)),
        "{b}: the page fetched {file}; it requested:\n{}",
        urls.join("\n")
    );
    assert!(
        !urls.iter().any(|u| u.contains("/locales/de.json")),
        "{b}: only the locale in use is fetched"
    );
    let violations = cx.js("return window.__cspViolations;", vec![]).await;
    assert_eq!(violations, json!([]), "{b}: CSP violations");
    cx.finish(&["not the password"]).await;
}

/// `dist/` with the embed's WebAssembly missing (as when a deploy or a CDN loses it).
fn dist_without_embed_wasm(dir: &std::path::Path) {
    fn copy(from: &std::path::Path, to: &std::path::Path) {
        std::fs::create_dir_all(to).expect("create dir");
        for entry in std::fs::read_dir(from).expect("read dir") {
            let path = entry.expect("entry").path();
            let target = to.join(path.file_name().expect("name"));
            if path.is_dir() {
                copy(&path, &target);
            } else if !path.ends_with("embed/auth-widget-core_bg.wasm") {
                std::fs::copy(&path, &target).expect("copy");
            }
        }
    }
    copy(&dist(), dir);
    assert!(
        dir.join("embed/auth-widget.js").exists(),
        "dist/embed/ is built"
    );
}

/// The embed's `.wasm` is missing. The host page still shows the form at once; when the rest
/// cannot load, it says so in the person's words with a next step (reload), and a person who
/// types and presses Enter sends nothing and puts nothing in a URL (sessions-20).
pub async fn the_embed_shows_its_form_at_once_and_says_so_when_the_webassembly_cannot_load(
    cx: Arc<Ctx>,
) {
    let b = cx.browser();
    let served = artifacts().join(format!("dist-no-wasm-{b}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&served);
    let _served = RemoveOnDrop(served.clone());
    dist_without_embed_wasm(&served);
    let HostPage { host, .. } = &HostPage::start(&format!("host-no-wasm-{b}"), &served, "");

    cx.open_url(&host.url("/")).await;
    cx.wait(
        "the load-failure banner",
        "document.querySelector('auth-widget [data-aw-shell] [data-failure=unreachable] [role=alert]')",
    )
    .await;
    assert_eq!(
        cx.text("auth-widget .aw-banner__title").await,
        cx.copy.t("shell.unavailable_title", &[]),
        "{b}: plain words"
    );
    assert_eq!(
        cx.text("auth-widget [data-action=reload]").await,
        cx.copy.t("shell.reload", &[]),
        "{b}: a next step"
    );
    // Before the audit: axe's own checks add inline styles the page's CSP reports.
    let violations = cx.js("return window.__cspViolations;", vec![]).await;
    assert_eq!(violations, json!([]), "{b}: CSP violations");
    cx.audit("the embed's first screen when the WebAssembly cannot load")
        .await;
    let before = cx.client.current_url().await.expect("url").to_string();
    cx.log_in(DEMO_EMAIL, DEMO_PASSWORD).await;
    let after = cx.client.current_url().await.expect("url").to_string();
    assert_eq!(before, after, "{b}: nothing navigated");
    let urls = cx.requested_urls().await;
    assert!(
        !urls.iter().any(|u| u.contains("/auth/login")),
        "{b}: nothing was sent:\n{}",
        urls.join("\n")
    );
    assert_eq!(
        cx.text("auth-widget .aw-live").await,
        "",
        "{b}: no 'signing you in' for a form that cannot sign in"
    );
    cx.finish(&[DEMO_PASSWORD]).await;
}

/// Before the WebAssembly arrives the browser goes offline (the page reports
/// `navigator.onLine === false` from before the embed script runs, and the `.wasm` cannot be
/// fetched). The first screen says so in the offline words, with nothing to reload; the person
/// types; the browser comes back online (the file is there again): the widget finishes loading
/// by itself, with the typed email kept, and `ready` resolves.
pub async fn offline_before_the_webassembly_arrives_then_back_online_goes_live_with_the_email_kept(
    cx: Arc<Ctx>,
) {
    let b = cx.browser();
    let served = artifacts().join(format!("dist-offline-{b}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&served);
    let _served = RemoveOnDrop(served.clone());
    dist_without_embed_wasm(&served);
    let offline =
        "Object.defineProperty(navigator, 'onLine', { value: false, configurable: true });\n";
    let HostPage { host, .. } =
        &HostPage::start_with(&format!("host-offline-{b}"), &served, "", offline);
    cx.open_url(&host.url("/")).await;
    cx.wait(
        "the offline message on the first screen",
        "document.querySelector('auth-widget[data-state=loading] [data-aw-shell] [data-failure=offline] [role=alert]')",
    )
    .await;
    assert_eq!(
        cx.text("auth-widget .aw-banner__title").await,
        cx.copy.t("failure.offline.title", &[]),
        "{b}: the offline words"
    );
    assert_eq!(
        cx.text("auth-widget .aw-banner__body").await,
        cx.copy.t("shell.offline_body", &[]),
        "{b}: it says it finishes by itself"
    );
    assert!(
        !cx.exists("auth-widget [data-action=reload], auth-widget [data-failure=unreachable]")
            .await,
        "{b}: not the couldn't-load words, no reload"
    );
    let violations = cx.js("return window.__cspViolations;", vec![]).await;
    assert_eq!(violations, json!([]), "{b}: CSP violations");
    cx.audit("the first screen while offline").await;
    cx.type_in("auth-widget input[name=email]", DEMO_EMAIL)
        .await;

    // Back online: the file can be fetched again, and the browser says so.
    std::fs::copy(
        dist().join("embed/auth-widget-core_bg.wasm"),
        served.join("embed/auth-widget-core_bg.wasm"),
    )
    .expect("put the .wasm back");
    cx.js(
        "delete navigator.onLine; dispatchEvent(new Event('online')); return true;",
        vec![],
    )
    .await;
    let ready = cx
        .js_async(
            "document.querySelector('auth-widget').ready.then(() => done('ready'), (e) => done(String(e)));",
            vec![],
        )
        .await;
    assert_eq!(ready, json!("ready"), "{b}: `ready` resolves, no reload");
    cx.wait(
        "the live widget",
        "document.querySelector('auth-widget[data-state=ready][data-aw-instance] .aw-widget') && \
         !document.querySelector('[data-aw-shell]') && !document.querySelector('[data-failure]')",
    )
    .await;
    assert_eq!(
        cx.prop("auth-widget input[name=email]", "value").await,
        json!(DEMO_EMAIL),
        "{b}: what was typed is kept"
    );
    cx.type_in("auth-widget input[name=password]", DEMO_PASSWORD)
        .await;
    cx.enter_in("auth-widget input[name=password]").await;
    cx.wait(
        "signed in",
        "document.querySelector('auth-widget[data-state=signed-in] .aw-signed-in')",
    )
    .await;
    cx.finish(&[DEMO_PASSWORD]).await;
}
