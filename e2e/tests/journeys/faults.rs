//! Every fault the reference server can inject, and the token-validation incident: the
//! banner says whose problem it is and takes focus (errors-10, errors-13, errors-16, errors-17).

use crate::support::checks::Expect;
use crate::support::page::Ctx;
use crate::support::server::{DEMO_EMAIL, DEMO_PASSWORD};
use serde_json::json;
use std::sync::Arc;

const EMAIL: &str = "input[name=email]";

/// One injected fault and what the person must see.
struct Row {
    fault: &'static str,
    /// Sign-up instead of login.
    signup: bool,
    kind: &'static str,
    copy: &'static str,
    countdown: bool,
    reference: bool,
}

const fn row(fault: &'static str, kind: &'static str, copy: &'static str) -> Row {
    Row {
        fault,
        signup: false,
        kind,
        copy,
        countdown: false,
        reference: false,
    }
}

/// `PUT /_admin/faults` values (server/README.md) on the endpoint the form calls.
const ROWS: &[Row] = &[
    Row {
        countdown: true,
        ..row("unavailable", "service_unavailable", "service_unavailable")
    },
    Row {
        reference: true,
        ..row("internal_error", "internal_error", "internal_error")
    },
    row("html_502", "unexpected_response", "unexpected_response"),
    row(
        "malformed_json",
        "unexpected_response",
        "unexpected_response",
    ),
    row("drop_connection", "unreachable", "unreachable"),
    row(
        "code:invalid_credentials",
        "invalid_credentials",
        "invalid_credentials",
    ),
    // Enumeration-safe (the default): locked and disabled read like wrong details.
    row(
        "code:account_locked",
        "account_locked",
        "invalid_credentials",
    ),
    row(
        "code:account_disabled",
        "account_disabled",
        "invalid_credentials",
    ),
    row(
        "code:email_unverified",
        "email_unverified",
        "email_unverified",
    ),
    row(
        "code:validation_failed",
        "validation_failed",
        "validation_failed",
    ),
    Row {
        signup: true,
        ..row("code:email_taken", "email_taken", "email_taken")
    },
    Row {
        signup: true,
        ..row("code:signup_closed", "signup_closed", "signup_closed")
    },
    Row {
        countdown: true,
        ..row("code:rate_limited", "rate_limited", "rate_limited")
    },
    row("code:session_invalid", "session_invalid", "session_invalid"),
    row("code:session_expired", "session_expired", "session_expired"),
    Row {
        countdown: true,
        ..row(
            "code:service_unavailable",
            "service_unavailable",
            "service_unavailable",
        )
    },
    Row {
        reference: true,
        ..row("code:internal_error", "internal_error", "internal_error")
    },
    // Codes outside the contract fall back by status class, never to "wrong details".
    Row {
        reference: true,
        ..row("problem:500:database_on_fire", "unknown", "internal_error")
    },
    row("problem:401:token_revoked", "unknown", "unknown"),
    row("problem:418:teapot_brewing", "unknown", "unknown"),
];

async fn submit_demo(cx: &Ctx, signup: bool) {
    if signup {
        cx.find("[data-action=switch_to_signup]")
            .await
            .click()
            .await
            .expect("switch");
        cx.wait(
            "sign-up mode",
            "document.querySelector('.aw-widget[data-mode=signup]')",
        )
        .await;
    }
    cx.log_in(DEMO_EMAIL, DEMO_PASSWORD).await;
}

async fn expect_reference(cx: &Ctx) {
    let prefix = cx.copy.t("failure.reference", &[("reference", "ref-")]);
    let text = cx.text("[data-failure] .aw-banner__reference").await;
    assert!(
        text.starts_with(&prefix),
        "{}: reference {text:?}",
        cx.browser()
    );
}

pub async fn every_injected_fault_shows_its_own_banner_and_focuses_the_summary(cx: Arc<Ctx>) {
    for r in ROWS {
        let endpoint = if r.signup { "signup" } else { "login" };
        cx.server.fault(Some(r.fault), Some(endpoint)).await;
        cx.open(&cx.server).await;
        submit_demo(&cx, r.signup).await;
        cx.expect_failure(Expect {
            kind: r.kind,
            copy: r.copy,
        })
        .await;
        assert_eq!(
            cx.prop(EMAIL, "value").await,
            json!(DEMO_EMAIL),
            "{}: email kept",
            r.fault
        );
        if r.countdown {
            assert!(
                cx.exists("[data-failure] [data-countdown]").await,
                "{}: countdown",
                r.fault
            );
            assert_eq!(
                cx.prop("button[type=submit]", "disabled").await,
                json!(true),
                "errors-16"
            );
        }
        if r.reference {
            expect_reference(&cx).await;
        }
        cx.audit(&format!("fault {}", r.fault)).await;
        cx.finish(&[DEMO_PASSWORD]).await;
    }
}

/// The incident: login answers 200 but the token fails validation. The person reads that the
/// problem is on the service's side, with a reference, never "does not match" (errors-17).
pub async fn session_invalid_incident_blames_the_service_and_never_the_password(cx: Arc<Ctx>) {
    cx.server.fault(Some("session_invalid"), None).await;
    cx.open(&cx.server).await;
    cx.log_in(DEMO_EMAIL, DEMO_PASSWORD).await;
    cx.expect_failure(Expect {
        kind: "session_rejected",
        copy: "session_rejected",
    })
    .await;
    expect_reference(&cx).await;
    assert!(cx.exists("[data-failure] [data-action=retry]").await);
    assert!(
        !cx.exists("[data-outcome]").await,
        "no success before the session works"
    );
    cx.audit("session rejected").await;
    cx.finish(&[DEMO_PASSWORD]).await;
}
