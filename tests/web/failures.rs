//! One browser test per fixture: the reference server (or the browser) produces the failure,
//! and the widget must show exactly what the fixture table says.

use super::support::{
    Within, active, address_fragment, api_base, mount_with, set_address_fragment, set_fault,
    set_online, text_in,
};
use auth_widget::copy::{self, Key, Locale, english_plural};
use auth_widget::fixtures::FIXTURES;
use auth_widget::form::Mode;
use auth_widget::guidance::Focus;
use auth_widget::taxonomy::Flow;
use wasm_bindgen::JsCast;
use web_sys::HtmlButtonElement;

const DEMO_EMAIL: &str = "demo@example.com";
const DEMO_PASSWORD: &str = "correct horse battery staple";
/// The reference server's demo account whose sign-in asks for a one-time code.
const DEMO_CODES_EMAIL: &str = "codes@example.com";

fn fresh_email() -> String {
    format!("new-{}@example.com", js_sys::Math::random().to_bits())
}

pub async fn run_fixture(name: &str) {
    let f = FIXTURES
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no fixture named {name:?} in src/fixtures.rs"));
    let e = &f.expect;
    let (mode, endpoint) = match f.flow {
        Flow::Signup => (Mode::Signup, "signup"),
        // A link's step starts from the link in the address bar, not from the mode.
        Flow::PasswordResetComplete => (Mode::Login, "password-reset-complete"),
        Flow::VerifyEmail => (Mode::Login, "verify-email"),
        Flow::VerifyEmailResend => (Mode::Resend, "verify-email-resend"),
        // The code step comes after a real sign-in of the account with codes.
        Flow::LoginSecondFactor => (Mode::Login, "login-second-factor"),
        _ => (Mode::Login, "login"),
    };
    let link_key = match f.flow {
        Flow::PasswordResetComplete => Some("auth-reset"),
        Flow::VerifyEmail => Some("auth-verify"),
        _ => None,
    };
    let second_step = f.flow == Flow::LoginSecondFactor;
    let mut email = if mode == Mode::Signup {
        fresh_email()
    } else if second_step {
        DEMO_CODES_EMAIL.to_string()
    } else {
        DEMO_EMAIL.to_string()
    };
    let mut password = DEMO_PASSWORD.to_string();
    let mut api = api_base();
    let mut timeout_ms = 15_000;
    let mut offline = false;
    match f.reproduce {
        "wrong_password" => password = "this is not the password".into(),
        "common_password" => password = "password".into(),
        "offline" => offline = true,
        "unreachable" => api = "http://127.0.0.1:9/auth".into(),
        fault => {
            if fault.starts_with("slow:") {
                timeout_ms = 500;
            }
            set_fault(Some(fault), Some(endpoint)).await;
        }
    }
    if f.reproduce == "code:email_taken" {
        email = DEMO_EMAIL.into();
    }
    if let Some(key) = link_key {
        set_address_fragment(&format!("#{key}={}", "ab".repeat(32)));
    }
    let w = mount_with(mode, api, timeout_ms, f.enumeration_safe);
    if link_key.is_some() {
        assert_eq!(
            address_fragment(),
            "",
            "{}: the token is out of the address bar once read",
            f.name
        );
    }
    // A verification link is checked without a submit: nothing is typed.
    let typed = f.flow != Flow::VerifyEmail;
    let has_email = typed && !second_step && w.find("input[name=email]").is_some();
    let has_password = typed && !second_step && w.find("input[name=password]").is_some();
    if has_email {
        w.type_into("input[name=email]", &email);
    }
    if has_password {
        w.type_into("input[name=password]", &password);
    }
    if offline {
        set_online(false);
    }
    if second_step {
        w.type_into("input[name=email]", &email);
        w.type_into("input[name=password]", &password);
        w.click("button[type=submit]");
        let code = w.wait_for("input[name=code]").await;
        assert_eq!(
            code.get_attribute("autocomplete").as_deref(),
            Some("one-time-code"),
            "{}",
            f.name
        );
        w.type_into("input[name=code]", "123 456");
    }
    if typed {
        w.click("button[type=submit]");
    }
    let banner = w.wait_for("[data-failure]").await;
    // Wait for the submit's own banner (offline shows one before the submit too).
    w.wait_until("focus moves to the banner", 5, |w| {
        let b = w.find("[data-failure]");
        e.focus != Focus::Summary || (b.is_some() && active() == b)
    })
    .await;
    let banner = w.find("[data-failure]").unwrap_or(banner);
    set_fault(None, None).await;

    assert_eq!(
        banner.get_attribute("data-failure").as_deref(),
        Some(e.kind.as_str()),
        "{}",
        f.name
    );
    assert_eq!(
        banner.get_attribute("data-tone").as_deref(),
        Some(e.tone.as_str()),
        "{}",
        f.name
    );
    let role = banner
        .query_selector("[role]")
        .unwrap()
        .expect("inner role box");
    assert_eq!(
        role.get_attribute("role").as_deref(),
        Some(e.role.as_str()),
        "{}",
        f.name
    );
    let title = copy::text(
        Locale::FALLBACK,
        e.words.keys().0,
        None,
        &[],
        &english_plural,
    );
    assert_eq!(text_in(&banner, ".aw-banner__title"), title, "{}", f.name);
    let buttons = banner.query_selector_all("[data-action]").unwrap();
    let actions: Vec<String> = (0..buttons.length())
        .filter_map(|i| buttons.item(i))
        .filter_map(|n| {
            n.unchecked_into::<web_sys::Element>()
                .get_attribute("data-action")
        })
        .collect();
    let expected: Vec<&str> = e.actions.iter().map(|a| a.as_str()).collect();
    assert_eq!(actions, expected, "{}: actions", f.name);
    if let Some(reference) = e.reference {
        let shown = banner
            .query_selector(".aw-banner__reference")
            .unwrap()
            .map(|r| r.text_content().unwrap());
        assert!(
            shown.is_some_and(|s| !s.is_empty()),
            "{}: reference id shown (fixture: {reference})",
            f.name
        );
    }
    // errors-15: email kept, password cleared.
    if has_email {
        assert_eq!(
            w.input("input[name=email]").value(),
            email,
            "{}: email kept",
            f.name
        );
    }
    if has_password {
        assert_eq!(
            w.input("input[name=password]").value(),
            "",
            "{}: password cleared",
            f.name
        );
    }
    if second_step && w.find("input[name=code]").is_some() {
        assert_eq!(
            w.input("input[name=code]").value(),
            "",
            "{}: the refused code cleared",
            f.name
        );
    }
    // Never a credentials message for a service-side fault (the incident).
    if e.kind.is_service_side() {
        let text = banner.text_content().unwrap();
        let blame = copy::text(
            Locale::FALLBACK,
            Key::FailureInvalidCredentialsTitle,
            None,
            &[],
            &english_plural,
        );
        assert!(!text.contains(&blame), "{}: blames the person", f.name);
    }
    let submit: HtmlButtonElement = w.get("button[type=submit]").unchecked_into();
    if let Some(secs) = e.countdown {
        let shown: u32 = w
            .get("[data-countdown]")
            .get_attribute("data-countdown")
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            shown > 0 && shown <= secs,
            "{}: countdown starts at {shown}",
            f.name
        );
        assert!(
            submit.disabled(),
            "{}: errors-16 submit disabled while waiting",
            f.name
        );
        w.wait_until("the countdown reaches zero", secs + 3, |w| {
            w.find("[data-countdown]").is_none()
        })
        .await;
        assert!(
            !submit.disabled(),
            "{}: submit enabled again at zero",
            f.name
        );
    } else {
        assert!(
            w.find("[data-countdown]").is_none(),
            "{}: no countdown",
            f.name
        );
    }
    if link_key.is_some() && w.find("[data-action=switch_to_login]").is_some() {
        w.click("[data-action=switch_to_login]"); // leave the link's step, as a person can
    }
    if offline {
        set_online(true);
        w.wait_until("the offline banner clears when back online", 5, |w| {
            w.find("[data-failure=offline]").is_none()
        })
        .await;
    }
}

/// One test per fixture, so each failure kind is reported on its own line.
macro_rules! fixture_tests {
    ($($name:ident = $fixture:literal),* $(,)?) => {
        $(
            #[wasm_bindgen_test::wasm_bindgen_test]
            async fn $name() {
                run_fixture($fixture).await;
            }
        )*
        #[wasm_bindgen_test::wasm_bindgen_test]
        fn every_fixture_has_a_browser_test() {
            let tested = [$($fixture),*];
            for f in FIXTURES {
                assert!(tested.contains(&f.name), "no browser test for fixture {:?}", f.name);
            }
            assert_eq!(tested.len(), FIXTURES.len(), "a fixture is tested twice");
        }
    };
}

fixture_tests! {
    fixture_wrong_password_or_unknown_email = "wrong password or unknown email",
    fixture_locked_account_enumeration_safe = "locked account, enumeration-safe: same words as wrong password",
    fixture_locked_account_counts_down_when_not_enumeration_safe = "locked account, enumeration-safe off: says locked and counts down",
    fixture_disabled_account_enumeration_safe = "disabled account, enumeration-safe",
    fixture_disabled_account_not_enumeration_safe = "disabled account, enumeration-safe off",
    fixture_email_not_verified = "email not yet verified",
    fixture_common_password_refused_by_server = "server refuses a common password",
    fixture_details_refused_without_saying_which = "server refuses the details without saying which",
    fixture_email_taken_on_signup = "sign-up with a registered email",
    fixture_signup_closed = "sign-up switched off",
    fixture_code_invalid = "second step: a code that does not match",
    fixture_code_used = "second step: a code already used",
    fixture_codes_paused = "second step: too many wrong codes, codes paused with a countdown",
    fixture_step_expired = "second step timed out: start again",
    fixture_rate_limited_counts_down = "too many requests: countdown from Retry-After",
    fixture_session_invalid_on_login = "session token fails validation on login",
    fixture_session_expired = "session expired",
    fixture_service_unavailable_counts_down = "service unavailable: countdown from Retry-After",
    fixture_internal_error_with_reference = "internal error with a reference id",
    fixture_session_check_fails_after_login_the_incident = "login accepted but the session check fails (the incident)",
    fixture_offline = "browser is offline",
    fixture_unreachable = "service unreachable",
    fixture_timeout = "no answer in time",
    fixture_proxy_html_page = "a proxy's HTML error page",
    fixture_malformed_json = "malformed JSON",
    fixture_unknown_code_on_4xx = "unknown code on a 4xx: generic words, never wrong credentials",
    fixture_unknown_code_on_5xx = "unknown code on a 5xx: the service's side",
    fixture_reset_link_expired = "reset link expired or replaced by a newer one",
    fixture_verification_link_used = "verification link already used",
    fixture_verification_link_invalid = "verification link the service never issued",
    fixture_resend_too_soon_counts_down = "new verification link asked for too soon: countdown",
    fixture_disabled_account_on_reset_link = "disabled account on a reset link: its own words, never masked",
}

/// The same edge bodies as `tests/mapping.rs`, read here by the browser's `JSON.parse`.
#[wasm_bindgen_test::wasm_bindgen_test]
fn edge_bodies_classify_as_the_table_says_with_the_browsers_parser() {
    for (what, flow, status, body, expected) in crate::bodies::BODIES {
        let got = crate::bodies::summary(&crate::bodies::classify_body(*flow, *status, body));
        assert_eq!(&got, expected, "{what}");
    }
}
