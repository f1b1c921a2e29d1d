//! A plain HTML host page on another origin than the API (issue 5): `examples/host/`, served
//! by a second server, embeds `<auth-widget>` from the API server's `/embed/`, and signs in
//! through CORS with credentials (`--allow-origin`), under the page's strict CSP.

use crate::support::page::Ctx;
use crate::support::procs::{RemoveOnDrop, artifacts, workspace};
use crate::support::server::{DEMO_EMAIL, DEMO_PASSWORD, Server, dist};
use serde_json::json;
use std::sync::Arc;

/// The origin `examples/host/` hard-codes for the widget and its API.
const EXAMPLE_API: &str = "http://127.0.0.1:8080";

/// A classic script the copy loads right after its CSP meta tag (so before the widget's
/// module): it records every CSP violation the page reports.
const CSP_PROBE: &str = "window.__cspViolations = [];\n\
    document.addEventListener('securitypolicyviolation', (e) =>\n\
    \x20 window.__cspViolations.push(e.violatedDirective + ' blocked ' + e.blockedURI));\n";

/// Copies `examples/host/` to `dir` with the API origin rewritten to `api` (CSP included),
/// plus the CSP probe.
fn host_copy(dir: &std::path::Path, api: &str) {
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
            assert!(
                text.contains(&format!("script-src 'self' {api} 'wasm-unsafe-eval'")),
                "the copy's CSP names the API origin:\n{text}"
            );
        }
        std::fs::write(dir.join(&name), text).expect("write the host copy");
    }
    std::fs::write(dir.join("e2e-csp-probe.js"), CSP_PROBE).expect("write the CSP probe");
}

/// The host page (its own origin) loads the widget from the API origin, a person signs in,
/// the host hears `auth-success` with the email; no CSP violation, no password anywhere.
pub async fn a_host_page_on_another_origin_signs_in_with_cors_credentials(cx: Arc<Ctx>) {
    let b = cx.browser();
    assert!(
        dist().join("embed/auth-widget.js").exists(),
        "dist/embed/ is missing: run `bash scripts/embed.sh` (scripts/e2e.sh does)"
    );
    let dir = artifacts().join(format!("host-{b}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the host dir");
    let _cleanup = RemoveOnDrop(dir.clone());
    // The host's origin must be known before the API server starts (it allows it); the
    // files, which name the API's origin, are written once that one is known.
    let host = Server::start(&format!("host-{b}"), &dir, &[]);
    let api = Server::start(
        &format!("api-{b}"),
        &dist(),
        &["--allow-origin", &host.base],
    );
    assert_ne!(host.base, api.base);
    host_copy(&dir, &api.base);

    cx.open_url(&host.url("/")).await;
    cx.wait(
        "the embedded widget's form",
        "document.querySelector('auth-widget input[name=email]')",
    )
    .await;
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
