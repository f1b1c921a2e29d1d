//! Credentials only ever travel in a POST body (sessions-20).

use crate::support::page::Ctx;
use crate::support::procs::{RemoveOnDrop, artifacts};
use crate::support::server::{DEMO_EMAIL, DEMO_PASSWORD, Server, dist};
use fantoccini::key::Key;
use serde_json::json;
use std::sync::Arc;

/// `dist/` without its `.wasm`: the page as it is before the WebAssembly arrives, forever.
fn dist_without_wasm(browser: &str) -> std::path::PathBuf {
    let out = artifacts().join(format!("no-wasm-{browser}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).expect("create the no-wasm dir");
    for entry in std::fs::read_dir(dist()).expect("read dist") {
        let path = entry.expect("entry").path();
        if path.is_file() && path.extension().is_none_or(|e| e != "wasm") {
            std::fs::copy(&path, out.join(path.file_name().expect("name"))).expect("copy");
        }
    }
    out
}

/// The .wasm request fails (404); a person types and presses Enter anyway. The page has no
/// form until the WebAssembly runs, so nothing is sent and no URL holds the password.
pub async fn nothing_can_be_submitted_before_the_webassembly_loads(cx: Arc<Ctx>) {
    let dir = dist_without_wasm(cx.browser());
    let server = Server::start(&format!("no-wasm-{}", cx.browser()), &dir, &[]);
    let _cleanup = RemoveOnDrop(dir);
    cx.open_url(&server.url("/")).await;
    cx.wait(
        "the failed .wasm request",
        "document.readyState === 'complete' && \
         performance.getEntriesByType('resource').some(e => e.name.endsWith('.wasm'))",
    )
    .await;
    assert_eq!(
        cx.js("return document.forms.length;", vec![]).await,
        json!(0),
        "no form before wasm"
    );
    cx.audit("the page before the WebAssembly loads").await;
    let before = cx.client.current_url().await.expect("url").to_string();
    let enter = Key::Enter.to_string();
    let tab = Key::Tab.to_string();
    cx.keys(&format!("{tab}{DEMO_EMAIL}{tab}{DEMO_PASSWORD}{enter}"))
        .await;
    let after = cx.client.current_url().await.expect("url").to_string();
    assert_eq!(before, after, "nothing navigated");
    cx.finish(&[DEMO_PASSWORD]).await;
}

/// If the page ever submitted natively (script handlers bypassed with `form.submit()`), the
/// form's own method must send a POST body, never a query string.
pub async fn a_native_submit_posts_and_never_puts_the_password_in_a_url(cx: Arc<Ctx>) {
    cx.open(&cx.server).await;
    assert_eq!(
        cx.prop("form", "method").await,
        json!("post"),
        "sessions-20: method=post"
    );
    cx.log_in_without_submitting(DEMO_EMAIL, DEMO_PASSWORD)
        .await;
    cx.js(
        "window.__before_submit = true; document.querySelector('form').submit();",
        vec![],
    )
    .await;
    // The answer replaces the document (the browser's own error page for a 405): wait for
    // the WebDriver URL to be readable and the old document gone.
    cx.wait_gone("the demo document", "window.__before_submit === true")
        .await;
    let url = cx.client.current_url().await.expect("url");
    assert!(
        url.query().is_none(),
        "no query string after a native submit: {url}"
    );
    assert!(
        !url.as_str().contains("correct"),
        "no password in the URL: {url}"
    );
    // The answer to that POST is the browser's error page: check storage from the demo.
    cx.open(&cx.server).await;
    cx.finish(&[DEMO_PASSWORD]).await;
}
