//! Waiting and recovering: the limiter's countdown, a time-out, "Try again", and a server
//! that goes away mid-journey (errors-10, errors-16, errors-17).

use crate::support::checks::Expect;
use crate::support::page::Ctx;
use crate::support::server::{DEMO_EMAIL, DEMO_PASSWORD, Server, dist};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

const EMAIL: &str = "input[name=email]";
const PASSWORD: &str = "input[name=password]";

/// errors-16: a real 429 from the limiter, a live countdown to zero, submit disabled until
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
    // Record every value the countdown shows, also while axe runs below.
    cx.js(
        "window.__ticks = [];\
         new MutationObserver(() => {\
           const c = document.querySelector('[data-countdown]');\
           const v = c ? Number(c.dataset.countdown) : 0;\
           if (window.__ticks[window.__ticks.length - 1] !== v) window.__ticks.push(v);\
         }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });",
        vec![],
    )
    .await;
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
            "const c = document.querySelector('[data-countdown]'); return c && Number(c.dataset.countdown);",
            vec![],
        )
        .await;
    if let Some(n) = start.as_u64() {
        assert_eq!(
            cx.text("[data-countdown]").await,
            cx.copy.plural("failure.countdown", n)
        );
        assert_eq!(
            cx.prop("button[type=submit]", "disabled").await,
            json!(true),
            "disabled while waiting"
        );
        cx.audit("rate limited, counting down").await;
    }
    cx.wait_for(
        "the countdown to end",
        "!document.querySelector('[data-countdown]')",
        Duration::from_secs(10),
    )
    .await;
    let ticks: Vec<u64> = serde_json::from_value(cx.js("return window.__ticks;", vec![]).await)
        .expect("the recorded countdown");
    let shown: Vec<u64> = ticks.into_iter().skip_while(|n| *n == 0).collect();
    let first = *shown.first().expect("a countdown was shown");
    assert!(
        (1..=3).contains(&first),
        "Retry-After of at most 3 s, got {first}"
    );
    let expected: Vec<u64> = (0..=first).rev().collect();
    assert_eq!(
        shown, expected,
        "a live countdown, one second at a time, to zero"
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
