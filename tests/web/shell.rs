//! The embed script's first screen (`js/element.js`, `define_shell`): drawn before the
//! WebAssembly is ready, handed over to the live widget with what the person did, and honest
//! when the WebAssembly cannot load. Each test defines its own element name, as a name can be
//! defined only once per page; the copy is the same JSON `make embed` writes.

use super::support::*;
use auth_widget::copy::{self, Key, Locale};
use auth_widget::embed::{define_named, define_shell};
use auth_widget::shell::spec_json;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;

const DEMO_EMAIL: &str = "demo@example.com";
const WRONG_PASSWORD: &str = "not the password, typed early";

/// The compiled text of `key` (English plural rule; the shell's keys have no numbers but one).
fn copy_text(locale: &str, key: Key) -> String {
    let locale = Locale::from_tag(locale).expect("a shipped locale");
    copy::text(locale, key, None, &[], &copy::english_plural)
}

/// The locale file `make embed` writes for `tag`, and a `data:` URL that serves it.
fn locale_file(tag: &str) -> (String, String) {
    let json = auth_widget::shell::locale_json(Locale::from_tag(tag).expect("a shipped locale"));
    let url = format!(
        "data:application/json,{}",
        String::from(js_sys::encode_uri_component(&json))
    );
    (json, url)
}

/// How the test's `load` promise ends.
enum Load {
    /// Never settles: the WebAssembly is "still loading" until `define_named` is called.
    Pending,
    /// Rejects at once: the WebAssembly could not be loaded.
    Fails,
    /// The first attempt rejects (the browser is offline); later ones never settle, until the
    /// test calls `define_named`. `window.awAttempts` counts the attempts.
    FailsOnce,
}

/// An element `name` defined with the shell, in the page.
fn shell(name: &str, load: Load, attrs: &[(&str, &str)]) -> Placed {
    shell_with_files(name, load, attrs, &[])
}

/// [`shell`], with `files`: `(tag, url)` of locales the element is to fetch before a widget
/// goes live.
fn shell_with_files(
    name: &str,
    load: Load,
    attrs: &[(&str, &str)],
    files: &[(&str, &str)],
) -> Placed {
    let spec = js_sys::JSON::parse(&spec_json()).expect("the shell's spec is JSON");
    let body = match load {
        Load::Pending => "return new Promise(() => {});",
        Load::Fails => "return Promise.reject(new Error('test: no WebAssembly'));",
        Load::FailsOnce => {
            "window.awAttempts = (window.awAttempts || 0) + 1;\
             return attempt === 0 ? Promise.reject(new TypeError('test: offline')) : new Promise(() => {});"
        }
    };
    let urls = js_sys::Object::new();
    for (tag, url) in files {
        js_sys::Reflect::set(&urls, &(*tag).into(), &(*url).into()).unwrap();
    }
    let load = js_sys::Function::new_with_args("attempt", body);
    define_shell(name, &spec, &load, &urls);
    Placed::new(name, attrs)
}

#[wasm_bindgen_test]
fn the_shell_draws_a_usable_labelled_first_screen_from_the_locale_files() {
    let s = shell(
        "aw-shell-first-screen",
        Load::Pending,
        &[("mode", "signup"), ("locale", "de"), ("theme", "dark")],
    );
    let root = s.get("[data-aw-shell]");
    assert_eq!(root.get_attribute("data-mode").as_deref(), Some("signup"));
    assert_eq!(root.get_attribute("lang").as_deref(), Some("de"));
    assert_eq!(root.get_attribute("dir").as_deref(), Some("ltr"));
    assert_eq!(root.get_attribute("data-theme").as_deref(), Some("dark"));
    assert_eq!(
        s.text(".aw-widget__title"),
        copy_text("de", Key::FormTitleSignup)
    );
    let password = s.input("input[name=password]");
    assert_eq!(password.type_(), "password");
    assert!(!password.disabled(), "usable before the WebAssembly");
    assert_eq!(password.autocomplete(), "new-password");
    let label = s.get(&format!("label[for='{}']", password.id()));
    assert_eq!(
        label.text_content().unwrap(),
        copy_text("de", Key::FormPasswordLabel)
    );
    let email = s.input("input[name=email]");
    assert_eq!(email.type_(), "email");
    assert_eq!(email.autocomplete(), "email");
    let hint = s.text(".aw-field__hint");
    assert!(
        hint.contains('8'),
        "the sign-up hint states the minimum: {hint}"
    );
    assert_eq!(
        s.get("form").get_attribute("method").as_deref(),
        Some("post"),
        "sessions-20: never a GET"
    );
    assert_eq!(
        s.text("button[type=submit]"),
        copy_text("de", Key::FormSubmitSignup)
    );
    assert!(
        s.0.get_attribute("data-aw-instance").is_none(),
        "no live widget is mounted yet"
    );
}

#[wasm_bindgen_test]
async fn every_element_waiting_in_the_page_is_handed_over_with_its_own_values() {
    let name = "aw-shell-two";
    let first = shell(name, Load::Pending, &[("locale", "en")]);
    let second = shell(name, Load::Pending, &[("locale", "en"), ("mode", "signup")]);
    first.type_into("input[name=email]", "first@example.com");
    second.type_into("input[name=email]", "second@example.com");

    define_named(name);

    for (s, email, mode) in [
        (&first, "first@example.com", "login"),
        (&second, "second@example.com", "signup"),
    ] {
        let root = s.wait_for(".aw-widget").await;
        assert!(
            root.get_attribute("data-aw-shell").is_none(),
            "{email}: live"
        );
        assert_eq!(root.get_attribute("data-mode").as_deref(), Some(mode));
        // The live field shows its starting value once the widget's first effects have run.
        s.wait_until("the typed email is in the live field", 5, |s| {
            s.input("input[name=email]").value() == email
        })
        .await;
    }
}

#[wasm_bindgen_test]
async fn a_widget_in_a_locale_shipped_as_a_file_goes_live_once_that_file_is_here() {
    // The embed compiles English only and ships the other locales as files the element fetches.
    let name = "aw-shell-locale-file";
    let (json, url) = locale_file("ar");
    let s = shell_with_files(name, Load::Pending, &[("locale", "ar")], &[("ar", &url)]);
    s.type_into("input[name=email]", DEMO_EMAIL);

    define_named(name);

    // The file is still being read (a fetch settles in a later task): the shell stays.
    assert!(
        s.0.query_selector("[data-aw-shell]").unwrap().is_some(),
        "no hand-over before the copy is here"
    );
    assert!(s.0.get_attribute("data-aw-instance").is_none());
    let root = s.wait_for(".aw-widget:not([data-aw-shell])").await;
    assert_eq!(
        auth_widget::embed::loaded_copy("ar").as_deref(),
        Some(json.as_str()),
        "the WebAssembly reads the file's text"
    );
    assert_eq!(root.get_attribute("lang").as_deref(), Some("ar"));
    assert_eq!(
        s.input("input[name=email]").value(),
        DEMO_EMAIL,
        "nothing lost"
    );
}

#[wasm_bindgen_test]
async fn a_live_widget_switched_to_a_locale_shipped_as_a_file_re_renders_once_it_is_here() {
    let name = "aw-shell-locale-switch";
    let (json, url) = locale_file("de");
    let s = shell_with_files(name, Load::Pending, &[("locale", "en")], &[("de", &url)]);
    define_named(name);
    let root = s.wait_for(".aw-widget:not([data-aw-shell])").await;
    assert_eq!(root.get_attribute("lang").as_deref(), Some("en"));
    s.type_into("input[name=email]", DEMO_EMAIL);

    s.0.set_attribute("locale", "de").unwrap();

    // Until the file is read, the widget stays as it was (no flash of a half-translated form).
    assert_eq!(
        s.get(".aw-widget").get_attribute("lang").as_deref(),
        Some("en")
    );
    s.wait_until("the widget speaks German", 5, |s| {
        s.find(".aw-widget[lang=de]").is_some()
    })
    .await;
    assert_eq!(
        auth_widget::embed::loaded_copy("de").as_deref(),
        Some(json.as_str())
    );
    assert_eq!(
        s.text(".aw-widget__title"),
        copy_text("de", Key::FormTitleLogin)
    );
}

#[wasm_bindgen_test]
fn the_shell_follows_attribute_changes_and_keeps_what_was_typed() {
    let s = shell("aw-shell-attributes", Load::Pending, &[("locale", "en")]);
    s.type_into("input[name=email]", DEMO_EMAIL);
    s.0.set_attribute("mode", "signup").unwrap();
    s.0.set_attribute("locale", "de").unwrap();
    let root = s.get("[data-aw-shell]");
    assert_eq!(root.get_attribute("data-mode").as_deref(), Some("signup"));
    assert_eq!(root.get_attribute("lang").as_deref(), Some("de"));
    assert_eq!(
        s.text(".aw-widget__title"),
        copy_text("de", Key::FormTitleSignup)
    );
    assert_eq!(
        s.input("input[name=email]").value(),
        DEMO_EMAIL,
        "nothing lost"
    );
    assert_eq!(
        s.0.query_selector_all("[data-aw-shell]").unwrap().length(),
        1,
        "redrawn, not added"
    );
}

#[wasm_bindgen_test]
fn an_arabic_shell_is_right_to_left_and_the_toggle_shows_the_password() {
    let s = shell("aw-shell-rtl", Load::Pending, &[("locale", "ar")]);
    let root = s.get("[data-aw-shell]");
    assert_eq!(root.get_attribute("dir").as_deref(), Some("rtl"));
    assert_eq!(
        s.text(".aw-widget__title"),
        copy_text("ar", Key::FormTitleLogin)
    );
    s.click(".aw-password__toggle");
    assert_eq!(s.input("input[name=password]").type_(), "text");
    assert_eq!(
        s.text(".aw-password__toggle"),
        copy_text("ar", Key::FormHidePassword)
    );
}

#[wasm_bindgen_test]
async fn the_live_widget_takes_over_what_was_typed_and_sends_the_submit_asked_for_early() {
    let name = "aw-shell-handover";
    let s = shell(name, Load::Pending, &[("locale", "en")]);
    s.type_into("input[name=email]", DEMO_EMAIL);
    s.type_into("input[name=password]", WRONG_PASSWORD);
    s.input("input[name=password]").focus().unwrap();
    s.get("form")
        .unchecked_into::<web_sys::HtmlFormElement>()
        .request_submit()
        .unwrap();
    assert_eq!(
        s.text(".aw-live"),
        copy_text("en", Key::FormPendingLogin),
        "the shell says the submit is on its way"
    );
    let before = requests_to("/auth/login");

    define_named(name);

    assert!(s.find("[data-aw-shell]").is_none(), "the shell is gone");
    assert!(
        s.0.get_attribute("data-aw-instance").is_some(),
        "the live widget is mounted"
    );
    s.wait_until("the typed email is in the live field", 5, |s| {
        s.input("input[name=email]").value() == DEMO_EMAIL
    })
    .await;
    let banner = s.wait_for("[data-failure]").await;
    assert_eq!(
        banner.get_attribute("data-failure").as_deref(),
        Some("invalid_credentials"),
        "the early submit reached the server with the typed details"
    );
    assert_eq!(requests_to("/auth/login"), before + 1, "sent exactly once");
}

#[wasm_bindgen_test]
async fn focus_mode_and_visibility_carry_over_when_nothing_was_submitted() {
    let name = "aw-shell-carry";
    let s = shell(name, Load::Pending, &[("locale", "en")]);
    s.click("[data-action=switch_to_signup]");
    assert_eq!(
        s.get("[data-aw-shell]")
            .get_attribute("data-mode")
            .as_deref(),
        Some("signup"),
        "the shell's links work before the WebAssembly"
    );
    s.type_into("input[name=email]", "new.person@example.com");
    s.type_into("input[name=password]", WRONG_PASSWORD);
    s.click(".aw-password__toggle");
    s.input("input[name=email]").focus().unwrap();

    define_named(name);

    let root = s.wait_for(".aw-widget[data-mode=signup]").await;
    assert!(root.get_attribute("data-aw-shell").is_none());
    // The hand-over switches mode first (the widget re-renders), then fills the fields.
    s.wait_until("the password is carried over", 2, |s| {
        s.input("input[name=password]").value() == WRONG_PASSWORD
    })
    .await;
    assert_eq!(
        s.input("input[name=email]").value(),
        "new.person@example.com"
    );
    assert_eq!(s.input("input[name=password]").value(), WRONG_PASSWORD);
    assert_eq!(
        s.input("input[name=password]").type_(),
        "text",
        "still shown"
    );
    assert_eq!(
        active().and_then(|a| a.get_attribute("name")).as_deref(),
        Some("email"),
        "focus stays where the person was"
    );
    assert!(s.find("[data-failure]").is_none(), "nothing was submitted");
    // The widget's own state has the values (not just the inputs): its submit sends them.
    let before = requests_to("/auth/signup");
    s.click("button[type=submit]");
    wait_for_requests("/auth/signup", before + 1).await;
    assert!(
        s.find(".aw-field__error").is_none(),
        "no 'enter your email' for a field that shows one"
    );
}

#[wasm_bindgen_test]
async fn the_shell_says_plainly_when_the_webassembly_cannot_load_and_sends_nothing() {
    let name = "aw-shell-fails";
    let s = shell(name, Load::Fails, &[("locale", "en")]);
    let failures = s.record("auth-failure");
    let banner = s.wait_for("[data-failure]").await;
    assert_eq!(
        banner.get_attribute("data-failure").as_deref(),
        Some("unreachable")
    );
    assert!(banner.query_selector("[role=alert]").unwrap().is_some());
    assert_eq!(
        s.text(".aw-banner__title"),
        copy_text("en", Key::ShellUnavailableTitle)
    );
    assert_eq!(
        s.text("[data-action=reload]"),
        copy_text("en", Key::ShellReload),
        "a next step"
    );
    let before = requests_to("/auth/login");
    s.type_into("input[name=email]", DEMO_EMAIL);
    s.type_into("input[name=password]", WRONG_PASSWORD);
    s.get("form")
        .unchecked_into::<web_sys::HtmlFormElement>()
        .request_submit()
        .unwrap();
    // The shell's submit handler is synchronous: by now it has either sent or not.
    assert_eq!(
        active()
            .and_then(|a| a.get_attribute("data-failure"))
            .as_deref(),
        Some("unreachable"),
        "Sign in points at the message that says why nothing happens"
    );
    assert_eq!(requests_to("/auth/login"), before, "nothing is sent");
    assert!(s.text(".aw-live").is_empty(), "no false 'signing you in'");
    let seen = failures.borrow().clone();
    assert_eq!(seen.len(), 1, "the host hears about it once: {seen:?}");
    assert!(
        seen[0].contains("\"flow\":\"load\"") && seen[0].contains("\"kind\":\"unreachable\""),
        "{seen:?}"
    );
    assert!(
        seen.iter()
            .all(|d| !d.contains(WRONG_PASSWORD) && !d.contains(DEMO_EMAIL)),
        "no credentials in events"
    );
}

/// The parts of a rendered form both renderers must agree on, one line per element in
/// document order: tag, class, the attributes that matter to people, browsers and password
/// managers, what a label or `aria-describedby` points at, and the text. Instance ids differ
/// between the two, so references are written as the target's `name` or class.
fn structure(root: &web_sys::Element) -> Vec<String> {
    let mut lines = vec![format!(
        "root data-mode={:?} dir={:?} lang={:?} data-theme={:?}",
        root.get_attribute("data-mode"),
        root.get_attribute("dir"),
        root.get_attribute("lang"),
        root.get_attribute("data-theme"),
    )];
    let target = |id: &str| -> String {
        root.query_selector(&format!("[id='{id}']"))
            .ok()
            .flatten()
            .map(|t| {
                t.get_attribute("name")
                    .or_else(|| t.get_attribute("class"))
                    .unwrap_or_default()
            })
            .unwrap_or_else(|| format!("missing #{id}"))
    };
    let nodes = root
        .query_selector_all("h2, label, input, button, form, .aw-field__hint")
        .unwrap();
    for i in 0..nodes.length() {
        let el: web_sys::Element = nodes.item(i).unwrap().unchecked_into();
        let mut line = format!("{} class={:?}", el.tag_name(), el.get_attribute("class"));
        for attr in [
            "name",
            "type",
            "inputmode",
            "autocomplete",
            "spellcheck",
            "autocapitalize",
            "data-action",
            "method",
            "novalidate",
            "aria-busy",
        ] {
            if let Some(v) = el.get_attribute(attr) {
                line.push_str(&format!(" {attr}={v:?}"));
            }
        }
        for attr in ["for", "aria-controls", "aria-describedby"] {
            if let Some(ids) = el.get_attribute(attr) {
                let named: Vec<String> = ids.split_whitespace().map(target).collect();
                line.push_str(&format!(" {attr}->{named:?}"));
            }
        }
        if !matches!(el.tag_name().as_str(), "FORM" | "INPUT") {
            line.push_str(&format!(
                " text={:?}",
                el.text_content().unwrap_or_default()
            ));
        }
        lines.push(line);
    }
    lines
}

/// Regression: the first screen was drawn by hand in `js/element.js` and drifted from the
/// live widget (it accepted `mode="reset"`, which the live widget refused). Both now render
/// from the same definitions; this compares what they draw, per mode and locale.
#[wasm_bindgen_test]
async fn the_first_screen_and_the_live_widget_draw_the_same_form_in_every_mode_and_locale() {
    let shell_name = "aw-structure-shell";
    let live_name = "aw-structure-live";
    define_named(live_name);
    let mut first = true;
    for mode in ["login", "signup", "reset"] {
        for locale in Locale::all() {
            let attrs = [
                ("mode", mode),
                ("locale", locale.tag()),
                ("theme", "dark"),
                ("status-url", "none"),
            ];
            let drawn = if first {
                first = false;
                shell(shell_name, Load::Pending, &attrs)
            } else {
                Placed::new(shell_name, &attrs)
            };
            let shell_lines = structure(&drawn.get("[data-aw-shell]"));
            let live = Placed::new(live_name, &attrs);
            let live_lines = structure(&live.wait_for(".aw-widget").await);
            assert_eq!(
                shell_lines,
                live_lines,
                "mode {mode}, locale {}: the first screen (left) differs from the live widget (right)",
                locale.tag()
            );
        }
    }
}

/// The element's `ready` promise, as a future.
async fn ready(el: &web_sys::HtmlElement) -> Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue> {
    let promise = js_sys::Reflect::get(el, &"ready".into()).unwrap();
    wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(promise)).await
}

#[wasm_bindgen_test]
async fn ready_resolves_and_auth_ready_fires_when_the_live_widget_takes_over() {
    let name = "aw-shell-ready";
    let s = shell(name, Load::Pending, &[("locale", "en")]);
    let events = s.record("auth-ready");
    assert_eq!(s.0.get_attribute("data-state").as_deref(), Some("loading"));
    let promise = js_sys::Reflect::get(&s.0, &"ready".into()).unwrap();
    assert!(
        promise.is_instance_of::<js_sys::Promise>(),
        "`ready` is a promise"
    );
    assert!(
        events.borrow().is_empty(),
        "not ready while the shell shows"
    );

    define_named(name);

    ready(&s.0).await.expect("ready resolves");
    assert_eq!(s.0.get_attribute("data-state").as_deref(), Some("ready"));
    assert!(
        s.find("[data-aw-shell]").is_none(),
        "by then the live widget is in"
    );
    assert_eq!(
        events.borrow().len(),
        1,
        "auth-ready, once: {:?}",
        events.borrow()
    );
}

#[wasm_bindgen_test]
async fn ready_rejects_and_the_state_is_unavailable_when_the_webassembly_cannot_load() {
    let s = shell("aw-shell-ready-fails", Load::Fails, &[("locale", "en")]);
    let outcome = ready(&s.0).await;
    assert!(outcome.is_err(), "ready rejects");
    assert_eq!(
        s.0.get_attribute("data-state").as_deref(),
        Some("unavailable")
    );
    assert!(s.find("[data-failure=unreachable]").is_some());
}

/// Puts `navigator.onLine` back (and fires `online`) when dropped, so a failing test cannot
/// leave the page offline for the next one.
struct BackOnline;

impl Drop for BackOnline {
    fn drop(&mut self) {
        set_online(true);
    }
}

#[wasm_bindgen_test]
async fn offline_while_loading_says_so_keeps_what_was_typed_and_goes_live_once_back_online() {
    let name = "aw-shell-offline";
    set_online(false);
    let _online = BackOnline;
    let s = shell(name, Load::FailsOnce, &[("locale", "de")]);
    let failures = s.record("auth-failure");
    s.type_into("input[name=email]", DEMO_EMAIL);
    let banner = s.wait_for("[data-failure=offline]").await;
    assert!(banner.query_selector("[role=alert]").unwrap().is_some());
    assert_eq!(
        s.text(".aw-banner__title"),
        copy_text("de", Key::FailureOfflineTitle),
        "the offline words, in the element's locale"
    );
    assert_eq!(
        s.text(".aw-banner__body"),
        copy_text("de", Key::ShellOfflineBody)
    );
    assert!(
        s.find("[data-action=reload]").is_none(),
        "no reload: it finishes by itself"
    );
    assert!(s.find("[data-failure=unreachable]").is_none());
    assert_eq!(s.0.get_attribute("data-state").as_deref(), Some("loading"));
    let seen = failures.borrow().clone();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(
        seen[0].contains("\"flow\":\"load\"") && seen[0].contains("\"kind\":\"offline\""),
        "{seen:?}"
    );
    let attempts = || {
        js_sys::Reflect::get(&js_sys::global(), &"awAttempts".into())
            .unwrap()
            .as_f64()
    };
    assert_eq!(attempts(), Some(1.0));

    set_online(true);

    s.wait_until("the offline message is gone", 2, |s| {
        s.find("[data-failure]").is_none()
    })
    .await;
    assert_eq!(attempts(), Some(2.0), "it loads again by itself, no reload");
    define_named(name); // the second attempt's WebAssembly is ready
    ready(&s.0).await.expect("ready resolves");
    let root = s.wait_for(".aw-widget:not([data-aw-shell])").await;
    assert_eq!(root.get_attribute("lang").as_deref(), Some("de"));
    assert_eq!(
        s.input("input[name=email]").value(),
        DEMO_EMAIL,
        "what was typed is kept"
    );
}
