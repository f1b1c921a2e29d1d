//! The login journey with the keyboard alone: Tab, typing, Space and Enter (fields-5, fields-6).

use crate::support::page::Ctx;
use crate::support::server::{DEMO_EMAIL, DEMO_PASSWORD};
use fantoccini::key::Key;
use serde_json::json;
use std::sync::Arc;

const EMAIL: &str = "input[name=email]";
const PASSWORD: &str = "input[name=password]";
const TOGGLE: &str = ".aw-password__toggle";
const SUBMIT: &str = "button[type=submit]";

fn tab() -> String {
    Key::Tab.to_string()
}

pub async fn keyboard_only_login_follows_the_standard_tab_order_and_the_toggle_works_by_key(
    cx: Arc<Ctx>,
) {
    cx.open(&cx.server).await;
    // fields-6: email → password → show toggle → submit.
    cx.keys(&tab()).await;
    cx.expect_focus("the email field", EMAIL).await;
    cx.keys(DEMO_EMAIL).await;
    cx.keys(&tab()).await;
    cx.expect_focus("the password field", PASSWORD).await;
    cx.keys(DEMO_PASSWORD).await;
    cx.keys(&tab()).await;
    cx.expect_focus("the show-password toggle", TOGGLE).await;
    assert_eq!(
        cx.prop(PASSWORD, "type").await,
        json!("password"),
        "hidden by default"
    );
    assert_eq!(cx.text(TOGGLE).await, cx.copy.t("form.show_password", &[]));

    // fields-5: the toggle works by Space and by Enter, and its name follows.
    cx.keys(" ").await;
    cx.wait(
        "password shown",
        "document.querySelector('input[name=password]').type === 'text'",
    )
    .await;
    assert_eq!(cx.text(TOGGLE).await, cx.copy.t("form.hide_password", &[]));
    assert_eq!(
        cx.prop(PASSWORD, "value").await,
        json!(DEMO_PASSWORD),
        "typed by keys"
    );
    cx.audit("password shown").await;
    cx.expect_focus("the toggle, still", TOGGLE).await;
    cx.keys(&Key::Enter.to_string()).await;
    cx.wait(
        "password hidden",
        "document.querySelector('input[name=password]').type === 'password'",
    )
    .await;
    assert_eq!(cx.text(TOGGLE).await, cx.copy.t("form.show_password", &[]));
    cx.keys(" ").await;
    cx.wait(
        "password shown again",
        "document.querySelector('input[name=password]').type === 'text'",
    )
    .await;

    cx.keys(&tab()).await;
    cx.expect_focus("the submit button", SUBMIT).await;
    cx.shift_tab().await;
    cx.expect_focus("back on the toggle", TOGGLE).await;
    cx.keys(&tab()).await;
    cx.expect_focus("the submit button", SUBMIT).await;
    cx.keys(&Key::Enter.to_string()).await;
    // fields-5: the field is type=password again on submit.
    assert_eq!(
        cx.prop(PASSWORD, "type").await,
        json!("password"),
        "hidden again on submit"
    );
    cx.wait_signed_in("login success").await;
    cx.audit("signed in by keyboard").await;
    cx.finish(&[DEMO_PASSWORD]).await;
}
