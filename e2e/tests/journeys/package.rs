//! The widget as apps embed it: the npm package in a React 19 app (`examples/react/`, built
//! into `dist/react/` by scripts/react-example.sh), and the pre-rendered first screen
//! (`dist/embed/markup/<mode>.<locale>.html`) that a page puts inside `<auth-widget>`.

use crate::support::page::Ctx;
use crate::support::procs::{RemoveOnDrop, artifacts};
use crate::support::server::{DEMO_EMAIL, DEMO_PASSWORD, Server, dist};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Holds the embed's `.wasm` fetch until the page calls `__releaseWasm()`, so the first screen
/// stays as long as a journey needs it (a slow network, made deterministic).
const HOLD_WASM: &str = "<script>\n\
    let release; const held = new Promise((r) => (release = r)); window.__releaseWasm = release;\n\
    const realFetch = window.fetch.bind(window);\n\
    window.fetch = (url, ...rest) => String(url).endsWith('.wasm')\n\
    \x20 ? held.then(() => realFetch(url, ...rest)) : realFetch(url, ...rest);\n\
    </script>\n";

/// Comparable form of an element: tag, attributes sorted (ids with their prefix made one:
/// the element's own `aw-shell<n>`, pre-rendered markup's `aw-markup`), children in order.
const CANONICAL: &str = "window.__canon = (n) => n.nodeType === 3 ? n.data : [n.localName,\n\
    \x20 [...n.attributes].map((a) => a.name + '=' + a.value.replace(/aw-(shell\\d+|markup)(?=-)/g, 'ID')).sort(),\n\
    \x20 [...n.childNodes].map(window.__canon)];\n";

/// A site for one journey: `dist/embed/` under `/embed/`, and `index.html` with `body`.
fn site(label: &str, body: &str) -> (PathBuf, RemoveOnDrop) {
    let dir = artifacts().join(format!("{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&dist().join("embed"), &dir.join("embed"));
    let page = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{label}</title>\n\
         <link rel=\"stylesheet\" href=\"/embed/auth-widget.css\">\n{HOLD_WASM}<script>\n{CANONICAL}</script>\n\
         </head>\n<body>\n{body}\n</body>\n</html>\n"
    );
    std::fs::write(dir.join("index.html"), page).expect("write the page");
    let guard = RemoveOnDrop(dir.clone());
    (dir, guard)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let path = entry.expect("entry").path();
        let target = to.join(path.file_name().expect("name"));
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("copy");
        }
    }
}

/// `dist/embed/markup/<mode>.<locale>.html`.
fn markup(mode: &str, locale: &str) -> String {
    let path = dist().join(format!("embed/markup/{mode}.{locale}.html"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (scripts/embed.sh writes it; scripts/e2e.sh builds it)",
            path.display()
        )
    })
}

/// Loads the embed script into the open page (the page has none of its own, so a journey
/// can type into pre-rendered markup before the element exists).
async fn load_embed(cx: &Ctx) {
    cx.js(
        "const s = document.createElement('script'); s.type = 'module'; s.src = '/embed/auth-widget.js';\n\
         document.head.append(s); return true;",
        vec![],
    )
    .await;
}

/// Every pre-rendered first screen `make embed` writes (each mode in each locale) is the same
/// DOM, element for element, attribute for attribute and text for text, as the first screen
/// the element itself draws for that mode and locale.
pub async fn pre_rendered_markup_is_the_first_screen_the_element_draws(cx: Arc<Ctx>) {
    let b = cx.browser();
    let locales: Vec<String> =
        std::fs::read_dir(crate::support::procs::workspace().join("locales"))
            .expect("locales/")
            .flatten()
            .filter_map(|e| {
                e.file_name()
                    .to_str()?
                    .strip_suffix(".toml")
                    .map(str::to_string)
            })
            .collect();
    let mut pairs = Vec::new();
    for mode in auth_widget::form::Mode::ALL.map(|m| m.as_str()) {
        for locale in &locales {
            pairs.push(json!([mode, locale, markup(mode, locale)]));
        }
    }
    let files = std::fs::read_dir(dist().join("embed/markup"))
        .expect("dist/embed/markup")
        .count();
    assert_eq!(
        files,
        pairs.len(),
        "{b}: one file per mode and locale, no other"
    );
    let (dir, _guard) = site(&format!("markup-equal-{b}"), "");
    let server = Server::start(&format!("markup-equal-{b}"), &dir, &[]);
    cx.open_url(&server.url("/")).await;
    load_embed(&cx).await;
    cx.wait(
        "the element is defined",
        "customElements.get('auth-widget')",
    )
    .await;
    let differences = cx
        .js(
            "const out = [];\n\
             for (const [mode, locale, html] of arguments[0]) {\n\
             \x20 const el = document.createElement('auth-widget');\n\
             \x20 el.setAttribute('mode', mode); el.setAttribute('locale', locale);\n\
             \x20 document.body.append(el);\n\
             \x20 const drawn = el.querySelector(':scope > [data-aw-shell]');\n\
             \x20 const t = document.createElement('template'); t.innerHTML = html.trim();\n\
             \x20 const given = t.content.firstChild;\n\
             \x20 if (t.content.childNodes.length !== 1) out.push(`${mode}.${locale}: not one element`);\n\
             \x20 const a = JSON.stringify(window.__canon(drawn)), b = JSON.stringify(window.__canon(given));\n\
             \x20 if (a !== b) out.push(`${mode}.${locale}:\\n drawn ${a}\\n given ${b}`);\n\
             \x20 el.remove();\n\
             }\n\
             return out;",
            vec![Value::Array(pairs)],
        )
        .await;
    assert_eq!(
        differences,
        json!([]),
        "{b}: the pre-rendered markup differs from the element's first screen"
    );
    cx.finish(&[]).await;
}

/// A page with three widgets whose markup was put in before any script: `#fresh` this version's
/// login screen, `#other-mode` the login screen in a `mode="signup"` element, `#old` a login
/// screen from another version. A person types into all three before the script runs, and
/// presses Enter in `#fresh` while the WebAssembly is still on its way. The element adopts
/// `#fresh` as it is (the same nodes: values, focus and the early submit stay; the submit is
/// sent once the widget is live), and redraws the two stale ones keeping what was typed.
pub async fn pre_rendered_markup_is_adopted_and_stale_markup_is_redrawn_keeping_what_was_typed(
    cx: Arc<Ctx>,
) {
    let b = cx.browser();
    let login = markup("login", "en");
    let stamp = auth_widget::shell::stamp();
    assert!(
        login.contains(&format!("data-aw-shell=\"{stamp}\"")),
        "{b}: {login}"
    );
    // Each widget's markup gets its own ids, as a page with several must.
    let with_ids = |html: &str, id: &str| html.replace("aw-markup", &format!("aw-markup-{id}"));
    let body = format!(
        "<auth-widget id=\"fresh\" api-base=\"/auth\" status-url=\"none\" locale=\"en\">{}</auth-widget>\n\
         <auth-widget id=\"other-mode\" mode=\"signup\" api-base=\"/auth\" status-url=\"none\" locale=\"en\">{}</auth-widget>\n\
         <auth-widget id=\"old\" api-base=\"/auth\" status-url=\"none\" locale=\"en\">{}</auth-widget>",
        with_ids(&login, "fresh"),
        with_ids(&login, "other"),
        with_ids(&login, "old").replace(&stamp, "0.0.1-00000000"),
    );
    let (dir, _guard) = site(&format!("markup-adopt-{b}"), &body);
    let server = Server::start(&format!("markup-adopt-{b}"), &dir, &[]);
    cx.open_url(&server.url("/")).await;
    assert!(
        cx.exists("#fresh [data-aw-shell] input[name=password]")
            .await,
        "{b}: the pre-rendered form shows with no script"
    );
    cx.type_in("#other-mode input[name=email]", "other@example.com")
        .await;
    cx.type_in("#old input[name=email]", "old@example.com")
        .await;
    cx.type_in("#fresh input[name=email]", DEMO_EMAIL).await;
    cx.type_in("#fresh input[name=password]", DEMO_PASSWORD)
        .await;
    cx.js(
        "window.__typedInto = document.querySelector('#fresh input[name=password]');\n\
         window.__oldInput = document.querySelector('#old input[name=email]'); return true;",
        vec![],
    )
    .await;

    load_embed(&cx).await;
    cx.wait(
        "every element showing its first screen",
        "document.querySelectorAll('auth-widget[data-state=loading]').length === 3",
    )
    .await;
    let adopted = cx
        .js(
            "const f = document.querySelector('#fresh');\n\
             return { same: f.querySelector('input[name=password]') === window.__typedInto,\n\
             \x20 focused: document.activeElement === window.__typedInto,\n\
             \x20 shells: f.querySelectorAll('[data-aw-shell]').length };",
            vec![],
        )
        .await;
    assert_eq!(
        adopted,
        json!({"same": true, "focused": true, "shells": 1}),
        "{b}: the fresh markup is adopted as it is, focus where the person left it"
    );
    assert_eq!(
        cx.prop("#fresh input[name=password]", "value").await,
        json!(DEMO_PASSWORD)
    );
    let redrawn = cx
        .js(
            "const o = document.querySelector('#old'), m = document.querySelector('#other-mode');\n\
             return { old_same: o.querySelector('input[name=email]') === window.__oldInput,\n\
             \x20 old_stamp: o.querySelector('[data-aw-shell]').getAttribute('data-aw-shell'),\n\
             \x20 old_email: o.querySelector('input[name=email]').value,\n\
             \x20 mode: m.querySelector('[data-aw-shell]').getAttribute('data-mode'),\n\
             \x20 mode_password: m.querySelector('input[name=password]').autocomplete,\n\
             \x20 mode_email: m.querySelector('input[name=email]').value,\n\
             \x20 shells: document.querySelectorAll('[data-aw-shell]').length };",
            vec![],
        )
        .await;
    assert_eq!(
        redrawn,
        json!({"old_same": false, "old_stamp": stamp, "old_email": "old@example.com",
            "mode": "signup", "mode_password": "new-password", "mode_email": "other@example.com",
            "shells": 3}),
        "{b}: stale markup is redrawn for this version and the element's mode, keeping the email"
    );

    // An early submit in the adopted markup, while the WebAssembly is held back.
    cx.enter_in("#fresh input[name=password]").await;
    cx.wait(
        "the early submit recorded",
        "document.querySelector('#fresh [data-aw-shell][data-aw-submitted] .aw-pending')",
    )
    .await;
    cx.js("window.__releaseWasm(); return true;", vec![]).await;
    cx.wait(
        "the early submit sent by the live widget: signed in",
        "document.querySelector('#fresh[data-state=signed-in] .aw-signed-in')",
    )
    .await;
    cx.wait(
        "the other two live",
        "document.querySelectorAll('auth-widget[data-state=ready][data-aw-instance]').length === 2 && \
         !document.querySelector('[data-aw-shell]')",
    )
    .await;
    assert_eq!(
        cx.prop("#other-mode input[name=email]", "value").await,
        json!("other@example.com"),
        "{b}: the email typed into stale markup reaches the live widget"
    );
    assert_eq!(
        cx.prop("#other-mode input[name=password]", "autocomplete")
            .await,
        json!("new-password"),
        "{b}: in the element's own mode"
    );
    cx.finish(&[DEMO_PASSWORD]).await;
}

/// The React example (`examples/react/`, React 19, bundled by esbuild with the package taken
/// in as `import "auth-widget"`) renders the element, changes its `mode` from React state,
/// and hears its events through React's own props (`onauth-failure`, `onauth-success`).
pub async fn a_react_app_renders_the_element_and_hears_its_events(cx: Arc<Ctx>) {
    let b = cx.browser();
    let app = dist().join("react/app.js");
    assert!(
        app.exists(),
        "{} is missing: run `bash scripts/react-example.sh` (scripts/e2e.sh does)",
        app.display()
    );
    cx.open_url(&cx.server.url("/react/")).await;
    cx.wait(
        "the live widget in the React app",
        "document.querySelector('#app auth-widget[data-state=ready][data-aw-instance] input[name=email]')",
    )
    .await;
    cx.wait(
        "React heard auth-ready",
        "document.getElementById('events').textContent.includes('auth-ready')",
    )
    .await;
    // React state drives the element's attributes: sign-up, then back to sign-in.
    cx.find("#switch").await.click().await.expect("click");
    cx.wait(
        "the sign-up form",
        "document.querySelector('#app auth-widget[mode=signup] [data-mode=signup] input[autocomplete=new-password]')",
    )
    .await;
    cx.find("#switch").await.click().await.expect("click");
    cx.wait(
        "the sign-in form",
        "document.querySelector('#app auth-widget[mode=login] input[autocomplete=current-password]')",
    )
    .await;
    cx.log_in(DEMO_EMAIL, "not the password").await;
    cx.wait(
        "React heard auth-failure",
        "document.getElementById('events').textContent.includes('auth-failure invalid_credentials')",
    )
    .await;
    cx.find("auth-widget input[name=password]")
        .await
        .clear()
        .await
        .expect("clear the password");
    cx.type_in("auth-widget input[name=password]", DEMO_PASSWORD)
        .await;
    cx.enter_in("auth-widget input[name=password]").await;
    cx.wait(
        "React heard auth-success and shows who signed in",
        &format!(
            "document.getElementById('who').textContent === {}",
            json!(format!("Signed in as {DEMO_EMAIL}"))
        ),
    )
    .await;
    let events = cx
        .js(
            "return [...document.querySelectorAll('#events li')].map((li) => li.textContent);",
            vec![],
        )
        .await;
    let events: Vec<&str> = events
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for expected in [
        "auth-ready",
        "auth-outcome",
        "auth-failure invalid_credentials",
        "auth-success",
    ] {
        assert!(
            events.contains(&expected),
            "{b}: React heard {expected}; it heard {events:?}"
        );
    }
    cx.finish(&[DEMO_PASSWORD, "not the password"]).await;
}
