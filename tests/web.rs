//! Browser tests (wasm-bindgen-test), run in headless Chromium and Firefox by
//! `scripts/browser-tests.sh` against a reference server on an ephemeral port. Ids such as
//! `errors-15` in messages name requirements in `docs/standards.md`.
#![cfg(target_arch = "wasm32")]

#[path = "web/support.rs"]
mod support;

#[path = "cases/bodies.rs"]
mod bodies;

#[path = "web/failures.rs"]
mod failures;

#[path = "web/form.rs"]
mod form;

#[path = "web/element.rs"]
mod element;

#[path = "web/shell.rs"]
mod shell;

use auth_widget::form::Mode;
use support::{Within, active, mount, text_in};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const DEMO_EMAIL: &str = "demo@example.com";
const DEMO_PASSWORD: &str = "correct horse battery staple";

#[wasm_bindgen_test]
fn login_form_has_labelled_fields_with_the_standard_attributes() {
    let w = mount(Mode::Login);
    let email = w.input("input[name=email]");
    let password = w.input("input[name=password]");
    // fields-1
    assert_eq!(email.type_(), "email");
    assert_eq!(
        email.get_attribute("autocomplete").as_deref(),
        Some("username")
    );
    assert_eq!(email.get_attribute("spellcheck").as_deref(), Some("false"));
    let label = w.get(&format!("label[for='{}']", email.id()));
    assert_eq!(label.text_content().unwrap(), "Email address");
    // fields-2
    assert_eq!(password.type_(), "password");
    assert_eq!(
        password.get_attribute("autocomplete").as_deref(),
        Some("current-password")
    );
    assert!(!password.has_attribute("maxlength"));
    assert_eq!(
        password.get_attribute("autocapitalize").as_deref(),
        Some("off")
    );
    let label = w.get(&format!("label[for='{}']", password.id()));
    assert_eq!(label.text_content().unwrap(), "Password");
    // fields-5, fields-7
    let toggle = w.get(".aw-password__toggle");
    assert_eq!(toggle.get_attribute("type").as_deref(), Some("button"));
    assert_eq!(toggle.text_content().unwrap(), "Show password");
    assert!(w.get("form").has_attribute("novalidate"));
    assert_eq!(
        w.get("form").get_attribute("method").as_deref(),
        Some("post")
    );
    // No error state before a submit.
    assert!(!email.has_attribute("aria-invalid"));
    assert!(w.find("[data-failure]").is_none());
}

#[wasm_bindgen_test]
async fn signing_in_replaces_the_form_with_the_signed_in_view_and_focuses_its_heading() {
    let w = mount(Mode::Login);
    w.type_into("input[name=email]", DEMO_EMAIL);
    w.type_into("input[name=password]", DEMO_PASSWORD);
    w.click("button[type=submit]");
    let view = w.wait_for(".aw-signed-in[data-outcome=login]").await;
    assert!(
        w.find("form").is_none(),
        "the form gave way to the signed-in view"
    );
    assert!(
        w.find("input[name=password]").is_none(),
        "no password field left"
    );
    assert!(w.find("[role=alert]").is_none(), "no alert on success");
    // Screen-reader order: the heading, who is signed in, then sign-out.
    let order: Vec<String> = (0..view.children().length())
        .filter_map(|i| view.children().item(i))
        .map(|c| c.tag_name().to_lowercase())
        .collect();
    assert_eq!(order, ["h2", "p", "button"]);
    assert_eq!(text_in(&view, "h2"), "You're signed in");
    assert_eq!(
        text_in(&view, ".aw-signed-in__body"),
        format!("Signed in as {DEMO_EMAIL}.")
    );
    assert_eq!(text_in(&view, "[data-action=sign_out]"), "Sign out");
    let heading = view.query_selector("h2").unwrap().unwrap();
    w.wait_until("the heading has focus", 2, |_| {
        active().as_ref() == Some(&heading)
    })
    .await;
}

#[wasm_bindgen_test]
async fn wrong_password_shows_invalid_credentials_alert_keeps_email_clears_password() {
    let w = mount(Mode::Login);
    w.type_into("input[name=email]", DEMO_EMAIL);
    w.type_into("input[name=password]", "not the password at all");
    w.click("button[type=submit]");
    let banner = w.wait_for("[data-failure]").await;
    assert_eq!(
        banner.get_attribute("data-failure").as_deref(),
        Some("invalid_credentials")
    );
    assert!(banner.query_selector("[role=alert]").unwrap().is_some());
    assert_eq!(
        w.input("input[name=email]").value(),
        DEMO_EMAIL,
        "errors-15: email kept"
    );
    assert_eq!(
        w.input("input[name=password]").value(),
        "",
        "errors-15: password cleared"
    );
    w.wait_until("the summary has focus", 2, |_| {
        active().as_ref() == Some(&banner)
    })
    .await;
}

#[wasm_bindgen_test]
fn copy_read_at_runtime_stands_in_for_the_compiled_copy_and_copy_url_wins_over_it() {
    use auth_widget::components::{I18n, Override, Texts};
    use auth_widget::copy::{Key, Locale};
    use std::sync::Arc;
    let texts = |pairs: &[(&str, &str)]| {
        let mut texts = Texts::default();
        for (k, v) in pairs {
            assert!(
                texts.insert(k, Override::Plain(v.to_string())),
                "{k} is a key"
            );
        }
        assert!(
            !texts.insert("no.such.key", Override::Plain(String::new())),
            "unknown keys are not kept"
        );
        assert_eq!(texts.len(), pairs.len());
        Some(Arc::new(texts))
    };
    let ar = Locale::from_tag("ar").unwrap();
    let mut i18n = I18n {
        locale: ar,
        texts: texts(&[
            ("form.title_login", "from the locale file"),
            ("failure.reference", "ref {reference}"),
        ]),
        overrides: None,
    };
    assert_eq!(i18n.t(Key::FormTitleLogin), "from the locale file");
    assert_eq!(
        i18n.tv(Key::FailureReference, None, &[("reference", "x1")]),
        "ref x1",
        "variables are filled in file texts too"
    );
    let compiled = auth_widget::copy::text(ar, Key::FormSignOut, None, &[], &|_| "other");
    assert_eq!(i18n.t(Key::FormSignOut), compiled, "keys the file lacks");
    i18n.overrides = texts(&[("form.title_login", "from copy-url")]);
    assert_eq!(i18n.t(Key::FormTitleLogin), "from copy-url");
}
