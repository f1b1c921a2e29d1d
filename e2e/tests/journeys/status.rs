//! The service's own status, shown before anyone tries, and server-supplied strings rendered
//! as text (errors-12, errors-19).

use crate::support::page::Ctx;
use serde_json::json;
use std::sync::Arc;

pub async fn known_incidents_are_shown_before_anyone_tries(cx: Arc<Ctx>) {
    for state in ["degraded", "outage", "maintenance"] {
        let message = format!("Planned work on the {state} path until 14:00 UTC.");
        cx.server.status(state, Some(&message)).await;
        cx.open(&cx.server).await;
        let banner = format!("[data-status={state}]");
        cx.wait(
            &format!("the {state} banner"),
            &format!("document.querySelector('[role=status] {banner}')"),
        )
        .await;
        assert_eq!(
            cx.text(&format!("{banner} .aw-status__title")).await,
            cx.copy.t(&format!("status.{state}_title"), &[])
        );
        assert_eq!(
            cx.text(&format!("{banner} .aw-status__message")).await,
            message
        );
        assert_eq!(
            cx.text(&format!("{banner} .aw-status__body")).await,
            cx.copy.t("status.body", &[])
        );
        assert!(!cx.exists("[data-failure]").await, "nothing was tried yet");
        assert!(
            cx.focused("body").await,
            "a status message does not take focus (errors-12)"
        );
        cx.audit(&format!("status {state}")).await;
    }
    cx.server.status("operational", None).await;
    cx.open(&cx.server).await;
    assert!(!cx.exists("[data-status]").await, "operational: no banner");
    cx.finish(&[]).await;
}

const XSS: &str = "<img src=x onerror=\"window.__xss='img'\"><script>window.__xss='script'</script>&lt;b&gt;\"quoted\"";

/// The operator's status message and the email the server echoes back both arrive from the
/// server; each is shown literally and nothing in them runs.
pub async fn server_supplied_strings_render_as_text(cx: Arc<Ctx>) {
    cx.server.status("outage", Some(XSS)).await;
    cx.open(&cx.server).await;
    cx.wait(
        "the outage banner",
        "document.querySelector('[data-status=outage] .aw-status__message')",
    )
    .await;
    assert_eq!(
        cx.prop("[data-status=outage] .aw-status__message", "textContent")
            .await,
        json!(XSS),
        "the message is shown as typed"
    );
    assert!(
        !cx.exists(".aw-widget img, .aw-widget script").await,
        "no element came from the message"
    );
    assert_eq!(
        cx.js("return window.__xss === undefined;", vec![]).await,
        json!(true),
        "nothing ran"
    );
    cx.audit("status message with markup").await;

    // The success message echoes the email from the server's answer.
    let email = format!("<svg/onload=window.__xss='svg'>{}", cx.unique_email("xss"));
    let password = "markup is only text";
    cx.server.status("operational", None).await;
    cx.open(&cx.server).await;
    cx.find("[data-action=switch_to_signup]")
        .await
        .click()
        .await
        .expect("switch");
    cx.log_in(&email, password).await;
    cx.wait(
        "sign-up success",
        "document.querySelector('[data-outcome=signup]')",
    )
    .await;
    assert_eq!(
        cx.text("[data-outcome=signup] .aw-signed-in__body").await,
        cx.copy
            .t("success.signup.body", &[("email", &email.to_lowercase())])
    );
    assert!(
        !cx.exists(".aw-widget svg, .aw-widget img, .aw-widget script")
            .await
    );
    assert_eq!(
        cx.js("return window.__xss === undefined;", vec![]).await,
        json!(true),
        "nothing ran"
    );
    cx.finish(&[password]).await;
}
