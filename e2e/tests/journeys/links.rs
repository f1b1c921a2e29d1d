//! Accounts that finish what they start: email verification and password reset through real
//! mail. Each journey runs its own reference server that sends over SMTP to a real SMTP server
//! on loopback (`server/tests/support/smtp_sink.rs`); the journey reads the message the person
//! would get and opens its link in the browser (recovery-28 to recovery-32).

use crate::support::checks::Expect;
use crate::support::page::Ctx;
use crate::support::procs::{artifacts, free_port};
use crate::support::server::{Server, dist};
use crate::support::smtp_sink::{self, Sink, decode_quoted_printable, link_token};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

const EMAIL: &str = "input[name=email]";
const PASSWORD: &str = "input[name=password]";

/// A reference server whose emails go to a fresh SMTP sink, and whose links open its own
/// demo page. A new link may follow the last one at once (no pacing), so a journey can ask
/// for one again without waiting a minute.
fn mail_server(cx: &Ctx, what: &str, extra: &[&str]) -> (Server, Sink) {
    let name = format!("{what}-{}", cx.browser());
    let dir = artifacts().join(format!("mail-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    let sink = smtp_sink::start(&dir, 0, Duration::ZERO).expect("start the SMTP sink");
    let port = free_port();
    let smtp = format!("smtp://{}", sink.addr);
    let app = format!("http://127.0.0.1:{port}/");
    let mut args = vec![
        "--smtp-url",
        &smtp,
        "--mail-from",
        "Example <no-reply@example.com>",
        "--app-url",
        &app,
        "--link-mail-interval-secs",
        "0",
    ];
    args.extend_from_slice(extra);
    (Server::start_at(&name, &dist(), port, &args), sink)
}

/// Waits for the `n`th message (1-based) and returns it decoded.
fn message(sink: &Sink, n: usize) -> String {
    let all = sink.wait_for(n, Duration::from_secs(15));
    assert!(
        all.len() >= n,
        "message {n} never arrived ({} did)",
        all.len()
    );
    all[n - 1].clone()
}

/// The link's token in a message, for `key` (`auth-verify` or `auth-reset`).
fn token(message: &str, key: &str) -> String {
    link_token(message, key).unwrap_or_else(|| panic!("no #{key}= link in:\n{message}"))
}

/// Opens a link from an email as a new page load (not a jump within the page already open).
async fn open_link(cx: &Ctx, server: &Server, key: &str, token: &str) {
    cx.client.goto("about:blank").await.expect("leave the page");
    let url = server.url(&format!("/#{key}={token}"));
    cx.client.goto(&url).await.expect("open the link");
}

/// The address bar's fragment: the token must be gone once the widget has read it.
async fn expect_token_gone(cx: &Ctx) {
    cx.wait(
        "the token out of the address bar",
        "location.hash === '' && document.querySelector('.aw-widget')",
    )
    .await;
}

/// Sign up with verification on: "check your email"; signing in first says to confirm and
/// sends the link again on request; the first link, replaced by the second, has expired; the
/// second confirms the address and leaves sign-in ready with the email filled in.
pub async fn sign_up_then_the_emailed_link_confirms_the_address_then_sign_in(cx: Arc<Ctx>) {
    let (server, mail) = mail_server(&cx, "verify", &["--require-verification"]);
    let email = cx.unique_email("verify");
    let password = "quiet meadow lantern 7";
    cx.open(&server).await;
    cx.click("[data-action=switch_to_signup]").await;
    cx.wait(
        "the sign-up form",
        "document.querySelector('.aw-widget[data-mode=signup] input[name=password][autocomplete=new-password]')",
    )
    .await;
    cx.log_in(&email, password).await;
    cx.wait(
        "check your email",
        "document.querySelector('[data-outcome=verify_email]')",
    )
    .await;
    let first = message(&mail, 1);
    assert!(
        first.contains(&cx.copy.t("mail.verify.subject", &[])),
        "the verification email:\n{first}"
    );

    cx.click("[data-action=switch_to_login]").await;
    cx.type_in(PASSWORD, password).await; // the email stays from sign-up
    cx.enter_in(PASSWORD).await;
    cx.expect_failure(Expect {
        kind: "email_unverified",
        copy: "email_unverified",
    })
    .await;
    cx.click("[data-action=resend_verification]").await;
    cx.wait(
        "a new link is on its way",
        "document.querySelector('[data-outcome=link_sent]')",
    )
    .await;
    let second = message(&mail, 2);
    let (old, new) = (token(&first, "auth-verify"), token(&second, "auth-verify"));
    assert_ne!(old, new, "the resend is a new link");

    open_link(&cx, &server, "auth-verify", &old).await;
    cx.expect_failure(Expect {
        kind: "link_expired",
        copy: "link_expired",
    })
    .await;
    expect_token_gone(&cx).await;
    assert!(cx.exists("[data-action=send_new_link]").await);

    open_link(&cx, &server, "auth-verify", &new).await;
    cx.wait(
        "the address confirmed",
        "document.querySelector('[data-outcome=email_verified]')",
    )
    .await;
    expect_token_gone(&cx).await;
    assert_eq!(
        cx.text("[data-outcome=email_verified] .aw-banner__title")
            .await,
        cx.copy.t("success.email_verified.title", &[])
    );
    assert_eq!(
        cx.prop(EMAIL, "value").await,
        json!(email),
        "sign-in starts with the confirmed address"
    );
    cx.audit("the address confirmed").await;
    cx.type_in(PASSWORD, password).await;
    cx.enter_in(PASSWORD).await;
    cx.wait_signed_in("signed in").await;
    cx.finish(&[password]).await;
}

/// Forgot password: the emailed link opens the new-password step; a common password is refused
/// at its field and the link keeps working; the new password ends every other session, mails a
/// notice and leaves sign-in ready; the old password is refused, the new one works, and the
/// same link again says it was used, in its own words.
pub async fn forgot_password_then_the_emailed_link_sets_a_new_one_and_ends_every_session(
    cx: Arc<Ctx>,
) {
    let (server, mail) = mail_server(&cx, "reset", &[]);
    let email = cx.unique_email("reset");
    let (old, new) = ("first garden piano 3", "second river candle 9");
    server.signup(&email, old).await;
    let elsewhere = server.sign_in_elsewhere(&email, old).await;
    assert_eq!(server.session_status(&elsewhere).await, 200);

    cx.open(&server).await;
    cx.click("[data-action=forgot_password]").await;
    cx.wait(
        "the reset request",
        "document.querySelector('.aw-widget[data-mode=reset]')",
    )
    .await;
    cx.type_in(EMAIL, &email).await;
    cx.enter_in(EMAIL).await;
    cx.wait(
        "check your email",
        "document.querySelector('[data-outcome=reset]')",
    )
    .await;
    let link = token(&message(&mail, 1), "auth-reset");

    open_link(&cx, &server, "auth-reset", &link).await;
    cx.wait(
        "the new-password step",
        "document.querySelector('.aw-widget[data-mode=new_password] input[name=password][autocomplete=new-password]')",
    )
    .await;
    expect_token_gone(&cx).await;
    assert!(!cx.exists(EMAIL).await, "the step asks for a password only");
    cx.audit("the new-password step").await;

    cx.type_in(PASSWORD, "password").await;
    cx.enter_in(PASSWORD).await;
    cx.wait(
        "the common password refused at its field",
        "document.querySelector('[data-failure=validation_failed]') && document.querySelector('input[name=password][aria-invalid=true]')",
    )
    .await;
    assert!(
        cx.text(".aw-widget")
            .await
            .contains(&cx.copy.t("field.password.common", &[])),
        "the field says why"
    );

    cx.type_in(PASSWORD, new).await;
    cx.enter_in(PASSWORD).await;
    cx.wait(
        "the password changed",
        "document.querySelector('[data-outcome=password_changed]') && document.querySelector('.aw-widget[data-mode=login]')",
    )
    .await;
    assert_eq!(cx.prop(EMAIL, "value").await, json!(email));
    let notice = decode_quoted_printable(&message(&mail, 2));
    assert!(
        notice.contains(&cx.copy.t("mail.password_changed.subject", &[])),
        "the password-changed notice:\n{notice}"
    );
    assert_eq!(
        server.session_status(&elsewhere).await,
        401,
        "every other session ended"
    );

    cx.type_in(PASSWORD, old).await;
    cx.enter_in(PASSWORD).await;
    cx.expect_failure(Expect {
        kind: "invalid_credentials",
        copy: "invalid_credentials",
    })
    .await;
    cx.type_in(PASSWORD, new).await;
    cx.enter_in(PASSWORD).await;
    cx.wait_signed_in("signed in with the new password").await;

    open_link(&cx, &server, "auth-reset", &link).await;
    cx.wait(
        "the new-password step again",
        "document.querySelector('.aw-widget[data-mode=new_password] input[name=password]')",
    )
    .await;
    cx.type_in(PASSWORD, "third window basket 4").await;
    cx.enter_in(PASSWORD).await;
    cx.expect_failure(Expect {
        kind: "link_used",
        copy: "link_used",
    })
    .await;
    cx.click("[data-action=send_new_link]").await;
    cx.wait(
        "the reset request, to get a new link",
        "document.querySelector('.aw-widget[data-mode=reset] input[name=email]')",
    )
    .await;
    cx.finish(&[old, new, "third window basket 4"]).await;
}
