//! Every fault the reference server can inject, rate limiting, time-outs and a server that
//! goes away: the banner says whose problem it is (STANDARDS 10, 13, 16, 17).

use crate::support::checks::Expect;
use crate::support::page::Ctx;
use crate::support::server::{DEMO_EMAIL, DEMO_PASSWORD, Server, dist};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

const EMAIL: &str = "input[name=email]";
const PASSWORD: &str = "input[name=password]";

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
                "STANDARDS 16"
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
/// problem is on the service's side, with a reference, never "does not match" (STANDARDS 17).
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

/// STANDARDS 16: a real 429 from the limiter, a live countdown to zero, submit disabled until
/// then, and the next submit reaches the server. A server of its own, 20 requests a minute.
pub async fn rate_limit_counts_down_to_zero_then_submit_works_again(cx: Arc<Ctx>) {
    let server = Server::start(
        &format!("ratelimit-{}", cx.browser()),
        &dist(),
        &["--rate-limit-per-minute", "20"],
    );
    cx.open(&server).await;
    cx.type_in(EMAIL, DEMO_EMAIL).await;
    cx.type_in(PASSWORD, DEMO_PASSWORD).await;
    // Use up this client's budget (same address as the browser), then press Enter.
    let mut spent = 0;
    while server.get_status("/auth/session").await != 429 {
        spent += 1;
        assert!(spent < 100, "the limiter never answered 429");
    }
    cx.enter_in(PASSWORD).await;
    cx.expect_failure(Expect {
        kind: "rate_limited",
        copy: "rate_limited",
    })
    .await;
    let start = cx
        .js(
            "return Number(document.querySelector('[data-countdown]').dataset.countdown);",
            vec![],
        )
        .await;
    let start = start.as_u64().expect("a countdown number");
    assert!(
        (1..=3).contains(&start),
        "Retry-After of at most 3 s, got {start}"
    );
    assert_eq!(
        cx.text("[data-countdown]").await,
        cx.copy.plural("failure.countdown", start)
    );
    assert_eq!(
        cx.prop("button[type=submit]", "disabled").await,
        json!(true),
        "disabled while waiting"
    );
    cx.audit("rate limited, counting down").await;
    // Watch it tick down one second at a time until it is gone.
    let mut seen = vec![start];
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while cx.exists("[data-countdown]").await {
        let n = cx
            .js("const c = document.querySelector('[data-countdown]'); return c ? Number(c.dataset.countdown) : 0;", vec![])
            .await
            .as_u64()
            .unwrap_or(0);
        if n > 0 && Some(&n) != seen.last() {
            assert_eq!(
                n + 1,
                *seen.last().expect("a value"),
                "counts down by one: {seen:?}"
            );
            seen.push(n);
        }
        assert!(
            std::time::Instant::now() < deadline,
            "countdown stuck at {seen:?}"
        );
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
    assert_eq!(
        *seen.last().expect("a value"),
        1,
        "ran down to the last second: {seen:?}"
    );
    cx.wait(
        "submit enabled",
        "!document.querySelector('button[type=submit]').disabled",
    )
    .await;
    // One request's worth of budget is back: a (wrong) password is answered, not limited.
    cx.type_in(PASSWORD, "one more careful try").await;
    cx.enter_in(PASSWORD).await;
    cx.expect_failure(Expect {
        kind: "invalid_credentials",
        copy: "invalid_credentials",
    })
    .await;
    cx.finish(&[DEMO_PASSWORD, "one more careful try"]).await;
}

/// The demo uses the default 15 s time-out; the server answers after 16 s.
pub async fn timeout_is_reported_and_the_person_can_try_again(cx: Arc<Ctx>) {
    cx.server.fault(Some("slow:16000"), Some("login")).await;
    cx.open(&cx.server).await;
    cx.log_in(DEMO_EMAIL, DEMO_PASSWORD).await;
    cx.wait(
        "the pending message",
        "document.querySelector('.aw-pending')",
    )
    .await;
    cx.audit("waiting for an answer").await;
    cx.wait_for(
        "the timeout banner",
        "document.querySelector('[data-failure=timeout]')",
        Duration::from_secs(25),
    )
    .await;
    cx.expect_failure(Expect {
        kind: "timeout",
        copy: "timeout",
    })
    .await;
    cx.audit("timed out").await;
    cx.server.fault(None, None).await;
    cx.type_in(PASSWORD, DEMO_PASSWORD).await;
    cx.find("[data-failure] [data-action=retry]")
        .await
        .click()
        .await
        .expect("click try again");
    cx.wait(
        "login success",
        "document.querySelector('[data-outcome=login]')",
    )
    .await;
    cx.finish(&[DEMO_PASSWORD]).await;
}

/// "Try again" is documented as sending the same request again (src/guidance.rs,
/// `Action::Retry`). After a service-side fault the person has nothing to fix, so pressing it
/// must not end in "Enter your password".
pub async fn try_again_after_a_service_fault_resends_without_retyping_the_password(cx: Arc<Ctx>) {
    cx.server.fault(Some("internal_error"), Some("login")).await;
    cx.open(&cx.server).await;
    cx.log_in(DEMO_EMAIL, DEMO_PASSWORD).await;
    cx.expect_failure(Expect {
        kind: "internal_error",
        copy: "internal_error",
    })
    .await;
    cx.server.fault(None, None).await;
    cx.find("[data-failure] [data-action=retry]")
        .await
        .click()
        .await
        .expect("click try again");
    cx.wait("login success or another banner", "document.querySelector('[data-outcome], [data-failure]:not([data-failure=internal_error])')")
        .await;
    let shown = cx.text(".aw-widget").await;
    assert!(
        cx.exists("[data-outcome=login]").await,
        "{}: Try again after a server fault should sign in, but the widget shows:\n{shown}",
        cx.browser()
    );
    cx.finish(&[DEMO_PASSWORD]).await;
}

/// The server goes away between page load and submit: "couldn't reach", never wrong details.
pub async fn server_stopped_mid_journey_reads_as_unreachable(cx: Arc<Ctx>) {
    let mut server = Server::start(&format!("stopped-{}", cx.browser()), &dist(), &[]);
    cx.open(&server).await;
    cx.type_in(EMAIL, DEMO_EMAIL).await;
    cx.type_in(PASSWORD, DEMO_PASSWORD).await;
    server.stop();
    cx.enter_in(PASSWORD).await;
    cx.expect_failure(Expect {
        kind: "unreachable",
        copy: "unreachable",
    })
    .await;
    assert!(cx.exists("[data-failure] [data-action=retry]").await);
    cx.audit("unreachable").await;
    cx.finish(&[DEMO_PASSWORD]).await;
}
