//! `<auth-widget>`: attributes, events on the element, re-render, disposal, bad values,
//! several instances, and telemetry reports (JSON) that never carry credentials.

use super::support::*;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;

const DEMO_EMAIL: &str = "demo@example.com";
const SECRET: &str = "an-unmistakable-secret-9f3";

/// An `<auth-widget>` in the page (English unless `attrs` says otherwise), removed on drop.
fn host(attrs: &[(&str, &str)]) -> Placed {
    auth_widget::embed::define();
    let all: Vec<(&str, &str)> = [("locale", "en")]
        .into_iter()
        .chain(attrs.iter().copied())
        .collect();
    Placed::new("auth-widget", &all)
}

/// The page switches the theme, which re-renders the widget: it comes back in `mode` with
/// `value` still in the field named `field`.
async fn theme_change_keeps(host: &Placed, mode: &str, field: &str, value: &str) {
    host.0.set_attribute("theme", "dark").unwrap();
    host.wait_for(".aw-widget[data-theme=dark]").await;
    let (mode, field) = (
        format!(".aw-widget[data-mode={mode}]"),
        format!("input[name={field}]"),
    );
    host.wait_until("the mode and what was typed are kept", 2, |h| {
        h.find(&mode).is_some() && h.input(&field).value() == value
    })
    .await;
}

/// Records what is written to `console.error` while it lives; the original comes back on drop,
/// so other tests' errors still reach the runner.
struct ConsoleErrors {
    seen: Rc<RefCell<Vec<String>>>,
    original: JsValue,
    _recorder: Closure<dyn Fn(JsValue)>,
}

impl ConsoleErrors {
    fn capture() -> ConsoleErrors {
        let seen = Rc::new(RefCell::new(Vec::new()));
        let sink = seen.clone();
        let recorder = Closure::<dyn Fn(JsValue)>::new(move |v: JsValue| {
            sink.borrow_mut().push(v.as_string().unwrap_or_default());
        });
        let console = Self::console();
        let original = js_sys::Reflect::get(&console, &"error".into()).unwrap();
        js_sys::Reflect::set(&console, &"error".into(), recorder.as_ref()).unwrap();
        ConsoleErrors {
            seen,
            original,
            _recorder: recorder,
        }
    }

    fn console() -> JsValue {
        js_sys::Reflect::get(&js_sys::global(), &"console".into()).unwrap()
    }

    fn joined(&self) -> String {
        self.seen.borrow().join("\n")
    }
}

impl Drop for ConsoleErrors {
    fn drop(&mut self) {
        let _ = js_sys::Reflect::set(&Self::console(), &"error".into(), &self.original);
    }
}

#[wasm_bindgen_test]
async fn element_renders_the_form_and_dispatches_events_on_itself_without_the_password() {
    let host = host(&[]);
    let failures = host.record("auth-failure");
    let outcomes = host.record("auth-outcome");
    host.wait_for("input[name=email]").await;
    host.type_into("input[name=email]", DEMO_EMAIL);
    host.type_into("input[name=password]", SECRET);
    host.click("button[type=submit]");
    host.wait_for("[data-failure=invalid_credentials]").await;
    let failures = failures.borrow();
    assert_eq!(failures.len(), 1);
    assert!(
        failures[0].contains("\"kind\":\"invalid_credentials\""),
        "{}",
        failures[0]
    );
    assert!(failures[0].contains("\"status\":401"));
    let outcomes = outcomes.borrow();
    assert!(outcomes[0].contains("\"latency_ms\""), "{}", outcomes[0]);
    for detail in failures.iter().chain(outcomes.iter()) {
        assert!(
            !detail.contains(SECRET),
            "no event carries the password: {detail}"
        );
        assert!(
            !detail.contains(DEMO_EMAIL),
            "only auth-success carries the email: {detail}"
        );
    }
}

#[wasm_bindgen_test]
async fn success_event_carries_the_user_and_never_the_password() {
    let host = host(&[]);
    let successes = host.record("auth-success");
    host.wait_for("input[name=email]").await;
    host.type_into("input[name=email]", DEMO_EMAIL);
    host.type_into("input[name=password]", "correct horse battery staple");
    host.click("button[type=submit]");
    host.wait_for("[data-outcome=login]").await;
    let s = successes.borrow();
    assert_eq!(s.len(), 1);
    assert!(
        s[0].contains(DEMO_EMAIL) && s[0].contains("\"flow\":\"login\""),
        "{}",
        s[0]
    );
    assert!(
        !s[0].contains("correct horse"),
        "no password in auth-success"
    );
}

#[wasm_bindgen_test]
async fn changing_an_attribute_re_renders_and_keeps_what_was_typed() {
    let host = host(&[("mode", "login")]);
    let password = host.wait_for("input[name=password]").await;
    assert_eq!(
        password.get_attribute("autocomplete").as_deref(),
        Some("current-password")
    );
    host.type_into("input[name=email]", DEMO_EMAIL);
    host.type_into("input[name=password]", SECRET);
    host.0.set_attribute("mode", "signup").unwrap();
    host.wait_for("input[autocomplete=new-password]").await;
    host.wait_until("the typed values are back", 2, |h| {
        h.input("input[name=email]").value() == DEMO_EMAIL
            && h.input("input[name=password]").value() == SECRET
    })
    .await;

    // The person switches to sign-in; a theme change from the page keeps that mode.
    host.click("[data-action=switch_to_login]");
    host.wait_for(".aw-widget[data-mode=login]").await;
    host.type_into("input[name=email]", "other@example.com");
    theme_change_keeps(&host, "login", "email", "other@example.com").await;
}

#[wasm_bindgen_test]
async fn bad_attribute_values_log_a_clear_error_and_fall_back_to_safe_defaults() {
    let errors = ConsoleErrors::capture();
    let host = host(&[
        ("mode", "sideways"),
        ("timeout-ms", "soon"),
        ("theme", "neon"),
    ]);
    host.0
        .set_attribute("api-base", "javascript:alert(1)")
        .unwrap();
    let password = host.wait_for("input[name=password]").await;
    assert_eq!(
        password.get_attribute("autocomplete").as_deref(),
        Some("current-password"),
        "mode falls back to login"
    );
    let errors = errors.joined();
    for attr in [
        "mode=\"sideways\"",
        "timeout-ms=\"soon\"",
        "theme=\"neon\"",
        "api-base=\"javascript:alert(1)\"",
    ] {
        assert!(errors.contains(attr), "console names {attr}: {errors}");
    }
}

#[wasm_bindgen_test]
async fn removing_the_element_disposes_its_widget() {
    let host = host(&[]);
    host.wait_for("input[name=email]").await;
    let before = auth_widget::embed::mounted_count();
    host.0.remove();
    assert_eq!(auth_widget::embed::mounted_count(), before - 1);
    assert!(host.find("form").is_none(), "the widget's DOM is gone");
}

#[wasm_bindgen_test]
async fn two_instances_on_one_page_work_independently() {
    let a = host(&[]);
    let b = host(&[("mode", "signup")]);
    a.wait_for("input[name=email]").await;
    b.wait_for("input[name=email]").await;
    a.click("button[type=submit]");
    a.wait_for("[data-failure=validation_failed]").await;
    assert!(
        b.find("[data-failure]").is_none(),
        "the other instance is untouched"
    );
    let ids: Vec<String> = [&a, &b]
        .iter()
        .map(|h| h.find("input[name=email]").unwrap().id())
        .collect();
    assert_ne!(ids[0], ids[1], "ids are unique per instance");
}

#[wasm_bindgen_test]
async fn telemetry_reports_are_json_and_carry_only_the_outcome() {
    let telemetry = format!("{}/telemetry", api_base());
    // Record what the widget sends to the telemetry URL; every other request goes through.
    let window = web_sys::window().unwrap();
    let original = js_sys::Reflect::get(&window, &"fetch".into()).unwrap();
    let original_fn: js_sys::Function = original.clone().unchecked_into();
    let sent = Rc::new(RefCell::new(Vec::<(String, JsValue)>::new()));
    let sink = sent.clone();
    let target = telemetry.clone();
    let recorder = Closure::<dyn Fn(JsValue, JsValue) -> JsValue>::new(
        move |input: JsValue, init: JsValue| {
            if input.as_string().as_deref() == Some(target.as_str()) {
                sink.borrow_mut().push((target.clone(), init));
                return js_sys::Promise::new(&mut |_, _| {}).into();
            }
            let window = web_sys::window().unwrap();
            original_fn.call2(&window, &input, &init).unwrap()
        },
    );
    js_sys::Reflect::set(&window, &"fetch".into(), recorder.as_ref()).unwrap();

    let host = host(&[("telemetry-url", &telemetry)]);
    host.wait_for("input[name=email]").await;
    host.type_into("input[name=email]", DEMO_EMAIL);
    host.type_into("input[name=password]", SECRET);
    host.click("button[type=submit]");
    host.wait_for("[data-failure=invalid_credentials]").await;
    js_sys::Reflect::set(&window, &"fetch".into(), &original).unwrap();
    drop(recorder);

    let sent = sent.borrow();
    assert_eq!(sent.len(), 1, "one report per call");
    let (url, init) = &sent[0];
    assert_eq!(url, &telemetry);
    let get = |v: &JsValue, k: &str| js_sys::Reflect::get(v, &k.into()).unwrap();
    assert_eq!(get(init, "method").as_string().as_deref(), Some("POST"));
    assert_eq!(
        get(init, "keepalive").as_bool(),
        Some(true),
        "outlives the page"
    );
    assert_eq!(
        get(&get(init, "headers"), "Content-Type")
            .as_string()
            .as_deref(),
        Some("application/json"),
        "JSON, never text/plain"
    );
    let body = get(init, "body").as_string().unwrap();
    let parsed = js_sys::JSON::parse(&body).unwrap();
    let keys: Vec<String> = js_sys::Object::keys(parsed.unchecked_ref::<js_sys::Object>())
        .iter()
        .filter_map(|k| k.as_string())
        .collect();
    assert_eq!(
        keys,
        ["flow", "outcome", "status", "latency_ms", "widget_version"]
    );
    assert!(
        body.contains("\"outcome\":\"invalid_credentials\""),
        "{body}"
    );
    assert!(
        !body.contains(SECRET) && !body.contains(DEMO_EMAIL),
        "no credentials in telemetry: {body}"
    );
}

/// The element's `ready` promise, as a future.
async fn ready(el: &web_sys::HtmlElement) -> Result<JsValue, JsValue> {
    let promise = js_sys::Reflect::get(el, &"ready".into()).unwrap();
    wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(promise)).await
}

#[wasm_bindgen_test]
async fn data_state_follows_the_widget_from_ready_to_signed_in_and_back_after_sign_out() {
    // `auth-ready` is dispatched as the element connects: listen on the document before.
    let heard = Rc::new(RefCell::new(0));
    let count = heard.clone();
    let listener = Closure::<dyn Fn(web_sys::Event)>::new(move |_: web_sys::Event| {
        *count.borrow_mut() += 1;
    });
    let doc = web_sys::window().unwrap().document().unwrap();
    doc.add_event_listener_with_callback("auth-ready", listener.as_ref().unchecked_ref())
        .unwrap();
    let host = host(&[]);
    ready(&host.0)
        .await
        .expect("ready resolves once the widget is live");
    assert_eq!(host.0.get_attribute("data-state").as_deref(), Some("ready"));
    assert_eq!(*heard.borrow(), 1, "auth-ready, once");
    host.type_into("input[name=email]", DEMO_EMAIL);
    host.type_into("input[name=password]", "correct horse battery staple");
    host.click("button[type=submit]");
    host.wait_for(".aw-signed-in").await;
    assert_eq!(
        host.0.get_attribute("data-state").as_deref(),
        Some("signed-in")
    );
    host.click("[data-action=sign_out]");
    host.wait_for("[data-outcome=logout]").await;
    assert_eq!(host.0.get_attribute("data-state").as_deref(), Some("ready"));
    assert_eq!(*heard.borrow(), 1, "auth-ready is not sent again");
    doc.remove_event_listener_with_callback("auth-ready", listener.as_ref().unchecked_ref())
        .unwrap();
}

/// A reset link opened on a page whose `<auth-widget>` is already in the markup when the
/// script defines it (an upgrade in place hears its attributes before it is connected), and an
/// attribute change after that: the new-password step is there, once, and stays.
#[wasm_bindgen_test]
async fn a_reset_link_survives_the_upgrade_and_an_attribute_change() {
    set_address_fragment(&format!("#auth-reset={}", "cd".repeat(32)));
    let name = "auth-widget-upgraded-with-a-link";
    let before = auth_widget::embed::mounted_count();
    let host = Placed::new(name, &[("locale", "en")]);
    auth_widget::embed::define_named(name);
    host.wait_for(".aw-widget[data-mode=new_password]").await;
    assert_eq!(
        address_fragment(),
        "",
        "the token is out of the address bar"
    );
    assert_eq!(
        auth_widget::embed::mounted_count(),
        before + 1,
        "one widget for one element"
    );
    host.type_into("input[name=password]", SECRET);
    theme_change_keeps(&host, "new_password", "password", SECRET).await;
    host.click("[data-action=switch_to_login]");
    host.wait_for(".aw-widget[data-mode=login]").await;
}

/// A page that changes an attribute while someone is fetching their code (a theme or language
/// switch) re-renders the widget: the code step stays, with its step token, what was typed and
/// the email, so a code still goes with the sign-in it belongs to.
#[wasm_bindgen_test]
async fn a_code_step_survives_an_attribute_change() {
    let host = host(&[]);
    host.wait_for(".aw-widget[data-mode=login]").await;
    host.type_into("input[name=email]", "codes@example.com");
    host.type_into("input[name=password]", "correct horse battery staple");
    host.click("button[type=submit]");
    host.wait_for(".aw-widget[data-mode=code]").await;
    host.type_into("input[name=code]", "000");
    theme_change_keeps(&host, "code", "code", "000").await;
    // The step's token is still there, sent with the code (the server's answer is a fault, so
    // the account's count of wrong codes is left alone).
    set_fault(Some("code:code_invalid"), Some("login-second-factor")).await;
    record_bodies();
    host.type_into("input[name=code]", "000000");
    host.click("button[type=submit]");
    host.wait_for("[data-failure=code_invalid]").await;
    set_fault(None, None).await;
    let bodies = recorded_bodies();
    assert!(
        bodies.contains(r#"\"step\":\""#) && !bodies.contains(r#"\"step\":\"\""#),
        "the step's token goes with the code: {bodies}"
    );
    host.click("[data-action=switch_to_login]");
    host.wait_for(".aw-widget[data-mode=login]").await;
    assert_eq!(
        host.input("input[name=email]").value(),
        "codes@example.com",
        "the email is kept through the re-render"
    );
}
