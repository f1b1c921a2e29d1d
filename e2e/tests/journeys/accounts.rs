//! Accounts: sign up, log out, log in, wrong details, lockout.

use crate::support::checks::{Expect, page_fetch};
use crate::support::page::Ctx;
use crate::support::server::DEMO_EMAIL;
use serde_json::json;
use std::sync::Arc;

const EMAIL: &str = "input[name=email]";
const PASSWORD: &str = "input[name=password]";

/// Sign-up announces success only after the session check (the incident: login answered 200 while the session behind it did not work), the
/// cookie is HttpOnly + SameSite=Lax and a new session id comes with every login
/// (sessions-22). The signed-in view replaces the form and its heading takes focus (the button
/// pressed is gone); its sign-out button ends the session and brings the form back.
pub async fn sign_up_verifies_the_session_then_log_out_and_log_in_again(cx: Arc<Ctx>) {
    let email = cx.unique_email("signup");
    let password = "tidy lantern orbit 42";
    cx.open(&cx.server).await;
    cx.find("[data-action=switch_to_signup]")
        .await
        .click()
        .await
        .expect("click create an account");
    let submit = cx.copy.t("form.submit_signup", &[]);
    cx.wait(
        "the sign-up form",
        &format!(
            "document.querySelector('button[type=submit]').textContent.trim() === {}",
            json!(submit)
        ),
    )
    .await;
    cx.audit("the sign-up form").await;
    cx.log_in(&email, password).await;
    cx.wait(
        "the signed-in view",
        "document.querySelector('.aw-signed-in[data-outcome=signup]') && !document.querySelector('form')",
    )
    .await;
    let title = cx.copy.t("success.signup.title", &[]);
    let body = cx.copy.t("success.signup.body", &[("email", &email)]);
    assert_eq!(cx.text(".aw-signed-in h2").await, title);
    assert_eq!(cx.text(".aw-signed-in__body").await, body);
    cx.expect_focus("the signed-in view's heading", ".aw-signed-in h2")
        .await;
    cx.audit("signed up").await;

    let (status, text) = page_fetch(&cx, "GET", "/auth/session").await;
    assert_eq!(status, 200, "the new session works: {text}");
    assert!(text.contains(&email), "the session is {email}'s: {text}");
    let cookies = cx.client.get_all_cookies().await.expect("cookies");
    let session = cookies
        .iter()
        .find(|c| c.name().ends_with("session"))
        .expect("a session cookie after sign-up");
    assert_eq!(session.http_only(), Some(true), "sessions-22: HttpOnly");
    assert_eq!(
        format!("{:?}", session.same_site()),
        "Some(Lax)",
        "sessions-22: SameSite=Lax"
    );
    let first_token = session.value().to_string();
    cx.finish(&[password]).await;

    // Sign-out by keyboard: Tab from the focused heading reaches the button.
    cx.keys(&char::from(fantoccini::key::Key::Tab).to_string())
        .await;
    cx.expect_focus("the sign-out button", "[data-action=sign_out]")
        .await;
    cx.keys(&char::from(fantoccini::key::Key::Enter).to_string())
        .await;
    cx.wait(
        "the form back, signed out",
        "document.querySelector('[role=status] [data-outcome=logout]') && document.querySelector('form input[name=email]')",
    )
    .await;
    cx.expect_focus("the form's heading", "h2.aw-widget__title")
        .await;
    let (status, _) = page_fetch(&cx, "GET", "/auth/session").await;
    assert_eq!(status, 401, "logged out: no session");

    cx.client.refresh().await.expect("reload");
    cx.wait("the form", "document.querySelector('input[name=email]')")
        .await;
    cx.log_in(&email, password).await;
    cx.wait_signed_in("the signed-in view").await;
    let body = cx.copy.t("success.login.body", &[("email", &email)]);
    assert_eq!(
        cx.text(".aw-signed-in h2").await,
        cx.copy.t("success.login.title", &[])
    );
    assert_eq!(cx.text(".aw-signed-in__body").await, body);
    let token = cx.session_token().await.expect("a session after login");
    assert_ne!(
        token, first_token,
        "sessions-22: a new session id at every login"
    );
    cx.audit("signed in").await;
    cx.finish(&[password, &first_token]).await;
}

/// errors-10, errors-14, errors-15: the summary takes focus, the email stays, the password goes.
pub async fn wrong_password_keeps_the_email_clears_the_password_and_focuses_the_summary(
    cx: Arc<Ctx>,
) {
    let wrong = "not the right password";
    cx.open(&cx.server).await;
    cx.audit("the login form").await;
    cx.log_in(DEMO_EMAIL, wrong).await;
    cx.expect_failure(Expect {
        kind: "invalid_credentials",
        copy: "invalid_credentials",
    })
    .await;
    assert_eq!(
        cx.prop(EMAIL, "value").await,
        json!(DEMO_EMAIL),
        "errors-15: email kept"
    );
    assert_eq!(
        cx.prop(PASSWORD, "value").await,
        json!(""),
        "errors-15: password cleared"
    );
    assert!(
        cx.exists("[data-failure] [data-action=reset_password]")
            .await
    );
    cx.audit("wrong password").await;
    cx.finish(&[wrong]).await;
}

/// errors-14: an unknown email gets the very same banner as a wrong password.
pub async fn unknown_email_looks_exactly_like_a_wrong_password(cx: Arc<Ctx>) {
    let mut banners = Vec::new();
    for email in [DEMO_EMAIL, "nobody-here@example.com"] {
        cx.open(&cx.server).await;
        cx.log_in(email, "a guess that is wrong").await;
        cx.expect_failure(Expect {
            kind: "invalid_credentials",
            copy: "invalid_credentials",
        })
        .await;
        let title = cx.text("[data-failure] .aw-banner__title").await;
        let body = cx.text("[data-failure] .aw-banner__body").await;
        let actions = cx.text("[data-failure] .aw-banner__actions").await;
        banners.push((title, body, actions));
    }
    assert_eq!(
        banners[0], banners[1],
        "unknown email and wrong password look identical"
    );
    cx.finish(&["a guess that is wrong"]).await;
}

/// sessions-24: no lock before the 10th failure; once locked the enumeration-safe widget
/// still says "does not match" (data-failure=account_locked) and reset still works.
pub async fn lockout_after_ten_failures_shows_the_wrong_details_words_and_reset_still_works(
    cx: Arc<Ctx>,
) {
    let email = cx.unique_email("lockout");
    let password = "the real passphrase 7";
    cx.server.signup(&email, password).await;
    cx.open(&cx.server).await;
    cx.type_in(EMAIL, &email).await;
    for attempt in 1..=10 {
        let wrong = format!("wrong guess number {attempt}");
        cx.type_in(PASSWORD, &wrong).await;
        cx.enter_in(PASSWORD).await;
        let deadline = std::time::Instant::now() + crate::support::page::WAIT;
        while cx.server.user(&email).await["failed_attempts"] != json!(attempt) {
            assert!(
                std::time::Instant::now() < deadline,
                "attempt {attempt} not recorded"
            );
            tokio::time::sleep(std::time::Duration::from_millis(40)).await;
        }
        cx.expect_failure(Expect {
            kind: "invalid_credentials",
            copy: "invalid_credentials",
        })
        .await;
        cx.wait(
            "submit enabled again",
            "!document.querySelector('button[type=submit]').disabled",
        )
        .await;
    }
    // The right password now meets the lock.
    cx.type_in(PASSWORD, password).await;
    cx.enter_in(PASSWORD).await;
    cx.expect_failure(Expect {
        kind: "account_locked",
        copy: "invalid_credentials",
    })
    .await;
    assert!(
        !cx.exists("[data-countdown]").await,
        "enumeration-safe: no lock countdown"
    );
    cx.audit("locked (enumeration-safe)").await;
    cx.find("[data-failure] [data-action=reset_password]")
        .await
        .click()
        .await
        .expect("click reset your password");
    cx.wait(
        "the reset form",
        "document.querySelector('.aw-widget[data-mode=reset]')",
    )
    .await;
    assert_eq!(
        cx.prop(EMAIL, "value").await,
        json!(email),
        "the email carries over"
    );
    cx.audit("the reset form").await;
    cx.enter_in(EMAIL).await;
    cx.wait(
        "reset confirmation",
        "document.querySelector('[role=status] [data-outcome=reset]')",
    )
    .await;
    assert_eq!(
        cx.text("[data-outcome=reset] .aw-banner__body").await,
        cx.copy.t("success.reset.body", &[("email", &email)])
    );
    cx.audit("reset requested").await;
    cx.finish(&[password]).await;
}
