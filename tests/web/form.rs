//! The form's own behaviour: client-side checks, double-submit protection, show/hide,
//! Caps Lock, the service status banner, sign-up, reset and retry.

use super::support::*;
use auth_widget::form::Mode;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::{HtmlButtonElement, KeyboardEvent, KeyboardEventInit};

const DEMO_EMAIL: &str = "demo@example.com";
const DEMO_PASSWORD: &str = "correct horse battery staple";

fn fresh_email() -> String {
    format!("form-{}@example.com", js_sys::Math::random().to_bits())
}

#[wasm_bindgen_test]
async fn empty_submit_shows_a_focused_summary_linking_to_each_field_and_sends_nothing() {
    let before = requests_to("/auth/login");
    let w = mount(Mode::Login);
    w.click("button[type=submit]");
    let summary = w.wait_for("[data-failure=validation_failed]").await;
    w.wait_until("the summary has focus (errors-10)", 2, |_| {
        active().as_ref() == Some(&summary)
    })
    .await;
    assert!(summary.query_selector("[role=alert]").unwrap().is_some());
    for field in ["email", "password"] {
        let input = w.input(&format!("input[name={field}]"));
        let link = summary
            .query_selector(&format!("a[href='#{}']", input.id()))
            .unwrap();
        assert!(link.is_some(), "summary links to the {field} field");
        // errors-11
        assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"));
        let described = input
            .get_attribute("aria-describedby")
            .expect("describedby");
        let error = w.get(&format!("[id='{}']", described.split(' ').next().unwrap()));
        assert!(
            error.text_content().unwrap().starts_with("Error:"),
            "error text starts with a hidden Error:"
        );
    }
    assert_eq!(
        requests_to("/auth/login"),
        before,
        "client-side checks send no request"
    );
}

#[wasm_bindgen_test]
async fn malformed_email_is_named_in_the_summary() {
    let w = mount(Mode::Login);
    w.type_into("input[name=email]", "name.example.com");
    w.type_into("input[name=password]", "whatever");
    w.click("button[type=submit]");
    let summary = w.wait_for("[data-failure=validation_failed]").await;
    assert!(
        summary.text_content().unwrap().contains("name@example.com"),
        "the malformed-email message gives an example"
    );
    assert!(
        !w.input("input[name=password]")
            .has_attribute("aria-invalid")
    );
}

#[wasm_bindgen_test]
async fn rapid_clicks_and_enter_presses_send_exactly_one_request() {
    set_fault(Some("slow:600"), Some("login")).await;
    let before = requests_to("/auth/login");
    let w = mount(Mode::Login);
    w.type_into("input[name=email]", DEMO_EMAIL);
    w.type_into("input[name=password]", DEMO_PASSWORD);
    let form: web_sys::HtmlFormElement = w.get("form").unchecked_into();
    for _ in 0..10 {
        w.click("button[type=submit]");
        let _ = form.request_submit();
    }
    w.wait_for("[data-outcome=login]").await;
    set_fault(None, None).await;
    wait_for_requests("/auth/login", before + 1).await;
    assert_eq!(
        requests_to("/auth/login"),
        before + 1,
        "exactly one login request"
    );
}

#[wasm_bindgen_test]
async fn show_password_toggles_type_and_name_and_submit_hides_it_again() {
    let w = mount(Mode::Login);
    let toggle: HtmlButtonElement = w.get(".aw-password__toggle").unchecked_into();
    let password = w.input("input[name=password]");
    toggle.click();
    w.wait_until("the password is shown", 2, |_| password.type_() == "text")
        .await;
    assert_eq!(toggle.text_content().unwrap(), "Hide password");
    w.type_into("input[name=email]", "");
    w.click("button[type=submit]");
    w.wait_until("submit hides the password (fields-5)", 2, |_| {
        password.type_() == "password"
    })
    .await;
    assert_eq!(toggle.text_content().unwrap(), "Show password");
}

#[wasm_bindgen_test]
async fn caps_lock_shows_a_hint_linked_to_the_password_field() {
    let w = mount(Mode::Login);
    let password = w.input("input[name=password]");
    let init = KeyboardEventInit::new();
    init.set_key("A");
    init.set_modifier_caps_lock(true);
    password
        .dispatch_event(
            &KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap(),
        )
        .unwrap();
    let hint = w.wait_for(".aw-field__caps").await;
    assert_eq!(hint.text_content().unwrap(), "Caps Lock is on");
    let described = password
        .get_attribute("aria-describedby")
        .unwrap_or_default();
    assert!(
        described.split(' ').any(|id| id == hint.id()),
        "fields-8: the hint is announced"
    );
    init.set_modifier_caps_lock(false);
    password
        .dispatch_event(&KeyboardEvent::new_with_keyboard_event_init_dict("keyup", &init).unwrap())
        .unwrap();
    w.wait_until("the hint goes away", 2, |w| {
        w.find(".aw-field__caps").is_none()
    })
    .await;
}

#[wasm_bindgen_test]
async fn service_status_is_shown_before_any_attempt_and_its_message_is_text() {
    let payload = "<img src=x id=xss-probe onerror=\"document.title='pwned'\">Database upgrade";
    set_status("outage", Some(payload)).await;
    let w = mount_with_status(Mode::Login);
    let banner = w.wait_for("[data-status=outage]").await;
    set_status("operational", None).await;
    assert!(banner.closest("[role=status]").unwrap().is_some());
    assert!(
        banner.text_content().unwrap().contains(payload),
        "errors-19: rendered as text"
    );
    assert!(
        w.find("#xss-probe").is_none() && w.find("img").is_none(),
        "no element from the message"
    );
}

#[wasm_bindgen_test]
async fn signup_with_a_new_email_signs_in_after_the_session_check() {
    let w = mount(Mode::Signup);
    assert_eq!(
        w.input("input[name=password]")
            .get_attribute("autocomplete")
            .as_deref(),
        Some("new-password")
    );
    assert_eq!(
        w.input("input[name=email]")
            .get_attribute("autocomplete")
            .as_deref(),
        Some("email")
    );
    let email = fresh_email();
    w.type_into("input[name=email]", &email);
    w.type_into(
        "input[name=password]",
        " a long passphrase with ünïcödé 🔑 ",
    );
    w.click("button[type=submit]");
    let view = w.wait_for(".aw-signed-in[data-outcome=signup]").await;
    assert!(view.text_content().unwrap().contains(&email));
    assert!(w.find("form").is_none(), "signed up: the form gave way");
}

#[wasm_bindgen_test]
async fn short_signup_password_is_caught_before_sending_and_states_the_minimum() {
    let w = mount(Mode::Signup);
    w.type_into("input[name=email]", &fresh_email());
    w.type_into("input[name=password]", "🔑🔑🔑");
    w.click("button[type=submit]");
    let summary = w.wait_for("[data-failure=validation_failed]").await;
    assert!(
        summary.text_content().unwrap().contains('8'),
        "fields-9: the message states the number"
    );
}

#[wasm_bindgen_test]
async fn forgot_password_always_confirms_the_same_way() {
    for email in [DEMO_EMAIL.to_string(), fresh_email()] {
        let w = mount(Mode::Login);
        w.click("[data-action=forgot_password]");
        w.wait_until("the password field goes away", 2, |w| {
            w.find("input[name=password]").is_none()
        })
        .await;
        w.type_into("input[name=email]", &email);
        w.click("button[type=submit]");
        let banner = w.wait_for("[data-outcome=reset]").await;
        assert!(banner.text_content().unwrap().contains(&email));
    }
}

#[wasm_bindgen_test]
async fn timeout_offers_retry_which_sends_again_and_succeeds() {
    set_fault(Some("slow:3000"), Some("login")).await;
    let w = mount_with(Mode::Login, api_base(), 500, true);
    w.type_into("input[name=email]", DEMO_EMAIL);
    w.type_into("input[name=password]", DEMO_PASSWORD);
    w.click("button[type=submit]");
    w.wait_for("[data-failure=timeout]").await;
    set_fault(None, None).await;
    // The field was cleared (errors-15), but "Try again" resends the same request.
    assert_eq!(w.input("input[name=password]").value(), "");
    w.click("[data-failure=timeout] [data-action=retry]");
    w.wait_for("[data-outcome=login]").await;
}

#[wasm_bindgen_test]
async fn sign_out_ends_the_session_and_brings_the_form_back_with_focus_on_its_heading() {
    let w = mount(Mode::Login);
    w.type_into("input[name=email]", DEMO_EMAIL);
    w.type_into("input[name=password]", DEMO_PASSWORD);
    w.click("button[type=submit]");
    w.wait_for(".aw-signed-in [data-action=sign_out]").await;
    w.click("[data-action=sign_out]");
    let banner = w.wait_for("[data-outcome=logout]").await;
    assert_eq!(text_in(&banner, ".aw-banner__title"), "You're signed out");
    assert!(
        banner.closest("[role=status]").unwrap().is_some(),
        "errors-12: the confirmation is a status message"
    );
    assert!(
        w.find(".aw-signed-in").is_none(),
        "the signed-in view is gone"
    );
    assert_eq!(
        w.input("input[name=email]").value(),
        DEMO_EMAIL,
        "the form is back with the email"
    );
    assert_eq!(w.input("input[name=password]").value(), "");
    let heading = w.get("h2.aw-widget__title");
    w.wait_until("the form's heading has focus", 2, |_| {
        active().as_ref() == Some(&heading)
    })
    .await;
    let url = format!("{}/session", api_base());
    let session = auth_widget::client::fetch("GET", &url, &[], None, true, None)
        .await
        .unwrap();
    assert_eq!(
        session.status, 401,
        "the server no longer accepts the session"
    );
}

/// A reset link opens the new-password step: the token leaves the address bar at once, the
/// step asks for a new password only (`autocomplete=new-password`, the sign-up minimum stated
/// and checked, show/hide), and a token the service never issued gets its own words and a
/// "send a new link" that asks for the email.
#[wasm_bindgen_test]
async fn a_reset_link_opens_the_new_password_step_and_a_token_never_issued_offers_a_new_link() {
    // A token some servers percent-encode (`:` as `%3A`) reaches the API decoded.
    set_address_fragment(&format!("#auth-reset=key%3A{}&tab=2", "0f".repeat(32)));
    let w = mount(Mode::Login);
    assert_eq!(
        address_fragment(),
        "#tab=2",
        "only the token leaves the address bar"
    );
    w.wait_for(".aw-widget[data-mode=new_password]").await;
    assert!(w.find("input[name=email]").is_none(), "no email field");
    let password = w.input("input[name=password]");
    assert_eq!(
        password.get_attribute("autocomplete").as_deref(),
        Some("new-password")
    );
    assert!(w.find(".aw-field__hint").is_some(), "the minimum is stated");
    w.click(".aw-password__toggle");
    w.wait_until("show/hide works here too", 2, |_| {
        password.type_() == "text"
    })
    .await;

    let before = requests_to("/auth/password-reset/complete");
    w.type_into("input[name=password]", "short");
    w.click("button[type=submit]");
    let summary = w.wait_for("[data-failure=validation_failed]").await;
    assert!(summary.text_content().unwrap().contains('8'));
    assert_eq!(requests_to("/auth/password-reset/complete"), before);

    record_bodies();
    w.type_into("input[name=password]", "a long enough new password");
    w.click("button[type=submit]");
    let banner = w.wait_for("[data-failure=link_invalid]").await;
    let bodies = recorded_bodies();
    assert!(
        bodies.contains(&format!("key:{}", "0f".repeat(32))),
        "the token is sent decoded: {bodies}"
    );
    assert_eq!(
        password.value(),
        "",
        "the password is cleared after a refusal"
    );
    assert!(
        banner
            .query_selector("[data-action=send_new_link]")
            .unwrap()
            .is_some(),
        "a new link is offered"
    );
    w.click("[data-action=send_new_link]");
    w.wait_for(".aw-widget[data-mode=reset] input[name=email]")
        .await;
    set_address_fragment("");
}

/// A verification link is checked as soon as the widget starts, with nothing to type; when it
/// fails, "send a new link" leads to a form that asks for the email and sends one.
#[wasm_bindgen_test]
async fn a_verification_link_is_checked_at_once_and_a_new_one_can_be_asked_for() {
    set_fault(Some("slow:800"), Some("verify-email")).await;
    set_address_fragment(&format!("#auth-verify={}", "1e".repeat(32)));
    let w = mount(Mode::Signup);
    assert_eq!(address_fragment(), "");
    let pending = w.wait_for(".aw-pending").await;
    assert_eq!(
        pending.text_content().unwrap(),
        "Checking your link…",
        "the live region says what is happening"
    );
    let banner = w.wait_for("[data-failure=link_invalid]").await;
    set_fault(None, None).await;
    assert_eq!(
        banner.get_attribute("data-tone").as_deref(),
        Some("warning")
    );
    w.click("[data-action=send_new_link]");
    w.wait_for(".aw-widget[data-mode=resend]").await;
    assert!(
        w.find("input[name=password]").is_none(),
        "no password field"
    );
    w.type_into("input[name=email]", &fresh_email());
    w.click("button[type=submit]");
    w.wait_for("[data-outcome=link_sent]").await;
}

/// A correct password of an account with codes leads to the code step (no session yet): one
/// field for an app's code, a recovery code instead, a refused code cleared, the step's token
/// and the code sent together, and back to sign in with the email kept.
#[wasm_bindgen_test]
async fn a_second_factor_account_gets_the_code_step_and_a_wrong_code_is_refused() {
    let w = mount(Mode::Login);
    w.type_into("input[name=email]", "codes@example.com");
    w.type_into("input[name=password]", "correct horse battery staple");
    w.click("button[type=submit]");
    w.wait_for(".aw-widget[data-mode=code]").await;
    assert!(w.find("input[name=email]").is_none(), "no email field");
    assert!(
        w.find("input[name=password]").is_none(),
        "no password field"
    );
    assert!(w.find("[data-success]").is_none(), "not signed in yet");
    let heading = w.get(".aw-widget__title");
    w.wait_until("focus moves to the step's heading", 2, |_| {
        active().as_ref() == Some(&heading)
    })
    .await;
    let code = w.input("input[name=code]");
    assert_eq!(code.get_attribute("inputmode").as_deref(), Some("numeric"));
    assert_eq!(
        code.get_attribute("autocomplete").as_deref(),
        Some("one-time-code")
    );
    let hint_id = w.get(".aw-field__hint").id();
    assert!(
        code.get_attribute("aria-describedby")
            .is_some_and(|d| d.contains(&hint_id)),
        "the hint describes the field"
    );

    // Nothing typed: caught before sending.
    let before = requests_to("/auth/login/second-factor");
    w.click("button[type=submit]");
    w.wait_for("[data-failure=validation_failed]").await;
    assert_eq!(requests_to("/auth/login/second-factor"), before);

    // A recovery code instead: the same field, for text.
    w.click("[data-action=use_recovery_code]");
    w.wait_for(".aw-widget[data-mode=recovery_code]").await;
    let code = w.input("input[name=code]");
    assert_eq!(code.get_attribute("inputmode").as_deref(), Some("text"));
    assert_eq!(code.get_attribute("autocomplete").as_deref(), Some("off"));

    record_bodies();
    w.type_into("input[name=code]", "aaaa-bbbb-cccc");
    w.click("button[type=submit]");
    let banner = w.wait_for("[data-failure=code_invalid]").await;
    let bodies = recorded_bodies();
    assert!(
        bodies.contains(r#"\"step\":"#) && bodies.contains("aaaa-bbbb-cccc"),
        "the step's token and the code go together: {bodies}"
    );
    assert!(
        !bodies.contains("codes@example.com") && !bodies.contains("horse"),
        "neither the email nor the password is sent again: {bodies}"
    );
    assert_eq!(code.value(), "", "the refused code is cleared");
    assert!(
        !banner.text_content().unwrap().contains("password"),
        "a wrong code never speaks of the password"
    );

    // Leaving the step ends it; the email is still there.
    w.click("[data-action=switch_to_login]");
    w.wait_for(".aw-widget[data-mode=login]").await;
    assert_eq!(w.input("input[name=email]").value(), "codes@example.com");
}

/// Once the step has run out there is nothing to send a code with: the form goes back to the
/// password with the email kept, under words that say to start again.
#[wasm_bindgen_test]
async fn when_the_step_runs_out_the_form_goes_back_to_the_password_with_the_email_kept() {
    set_fault(Some("code:step_expired"), Some("login-second-factor")).await;
    let w = mount(Mode::Login);
    w.type_into("input[name=email]", "codes@example.com");
    w.type_into("input[name=password]", "correct horse battery staple");
    w.click("button[type=submit]");
    w.wait_for(".aw-widget[data-mode=code]").await;
    w.type_into("input[name=code]", "123456");
    w.click("button[type=submit]");
    let banner = w.wait_for("[data-failure=step_expired]").await;
    set_fault(None, None).await;
    w.wait_for(".aw-widget[data-mode=login]").await;
    assert!(w.find("input[name=code]").is_none(), "no code field left");
    assert_eq!(w.input("input[name=email]").value(), "codes@example.com");
    assert_eq!(w.input("input[name=password]").value(), "");
    assert!(
        banner
            .query_selector("[data-action=start_again]")
            .unwrap()
            .is_some(),
        "start again is offered"
    );
    // Signing in again starts a new step.
    w.type_into("input[name=password]", "correct horse battery staple");
    w.click("button[type=submit]");
    w.wait_for(".aw-widget[data-mode=code]").await;
}
