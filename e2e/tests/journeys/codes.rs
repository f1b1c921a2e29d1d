//! One-time codes as a second factor (factors-33 to factors-35): an account sets up codes
//! through the API, as the signed-in person would, and then signs in through the widget with a
//! code computed from its secret, as an authenticator app does (RFC 6238).

use crate::support::checks::Expect;
use crate::support::page::Ctx;
use serde_json::json;
use std::sync::Arc;
use totp_rs::{Algorithm, Secret, TOTP};

const CODE: &str = "input[name=code]";

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs()
}

/// The code an app shows for `secret` at `at` (seconds since the epoch).
fn code(secret: &str, at: u64) -> String {
    let bytes = Secret::Encoded(secret.to_string())
        .to_bytes()
        .expect("base32 secret");
    TOTP::new(Algorithm::SHA1, 6, 0, 30, bytes, None, "x".into())
        .expect("TOTP")
        .generate(at)
}

/// Submits `code` in the code field and expects the failure `kind` with its own words.
async fn refused(cx: &Ctx, code: &str, kind: &'static str) {
    cx.type_in(CODE, code).await;
    cx.enter_in(CODE).await;
    cx.expect_failure(Expect { kind, copy: kind }).await;
}

/// Signs in with the password (typing the email first unless the form kept it) and waits for
/// the code step, its heading focused.
async fn to_the_code_step(cx: &Ctx, email: Option<&str>, password: &str) {
    match email {
        Some(email) => cx.log_in(email, password).await,
        None => {
            cx.type_in("input[name=password]", password).await;
            cx.enter_in("input[name=password]").await;
        }
    }
    cx.wait(
        "the code step",
        "document.querySelector('.aw-widget[data-mode=code] input[name=code][autocomplete=one-time-code][inputmode=numeric]')",
    )
    .await;
    assert_eq!(
        cx.text(".aw-widget__title").await,
        cx.copy.t("form.title_code", &[])
    );
    cx.expect_focus("the code step's heading", ".aw-widget__title")
        .await;
}

/// A wrong code says so in its own words (never the password's); the code the setup just used
/// is refused as used; the next code signs in. Signed out and in again, the same code is refused
/// as used (replay), and a recovery code, pasted with spaces, signs in instead.
pub async fn one_time_codes_a_wrong_code_a_used_code_then_a_new_code_and_a_recovery_code(
    cx: Arc<Ctx>,
) {
    let server = &cx.server;
    let email = cx.unique_email("codes");
    let password = "amber hillside kettle 4";
    server.signup(&email, password).await;
    let cookie = server.sign_in_elsewhere(&email, password).await;
    let (status, setup) = server
        .post_signed_in(&cookie, "/auth/totp/setup", json!({}))
        .await;
    assert_eq!(status, 200, "setup: {setup}");
    let secret = setup["secret"].as_str().expect("secret").to_string();
    let confirmed_at = now();
    let (status, confirm) = server
        .post_signed_in(
            &cookie,
            "/auth/totp/confirm",
            json!({ "code": code(&secret, confirmed_at) }),
        )
        .await;
    assert_eq!(status, 200, "confirm: {confirm}");
    let recovery: Vec<String> = confirm["recovery_codes"]
        .as_array()
        .expect("recovery codes")
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert_eq!(recovery.len(), 10);

    cx.open(server).await;
    to_the_code_step(&cx, Some(&email), password).await;
    cx.audit("the code step").await;
    let used = code(&secret, confirmed_at);
    let next = code(&secret, confirmed_at + 30);
    let wrong = if used == "000000" || next == "000000" {
        "999999"
    } else {
        "000000"
    };
    refused(&cx, wrong, "code_invalid").await;
    assert_eq!(
        cx.prop(CODE, "value").await,
        json!(""),
        "the wrong code is cleared"
    );

    refused(&cx, &used, "code_used").await;

    cx.type_in(CODE, &next).await;
    cx.enter_in(CODE).await;
    cx.wait_signed_in("signed in with the code").await;

    cx.click("[data-action=sign_out]").await;
    cx.wait(
        "signed out",
        "document.querySelector('.aw-widget[data-mode=login] input[name=password]')",
    )
    .await;
    assert_eq!(
        cx.prop("input[name=email]", "value").await,
        json!(email),
        "signed out, the form starts at sign-in with the email kept"
    );
    to_the_code_step(&cx, None, password).await;
    refused(&cx, &next, "code_used").await;

    cx.click("[data-action=use_recovery_code]").await;
    cx.wait(
        "the recovery code step",
        "document.querySelector('.aw-widget[data-mode=recovery_code] input[name=code][inputmode=text]')",
    )
    .await;
    // As a person may copy it: in capitals, with spaces for the dashes.
    let pasted = format!(" {} ", recovery[0].to_uppercase().replace('-', " "));
    cx.type_in(CODE, &pasted).await;
    cx.enter_in(CODE).await;
    cx.wait_signed_in("signed in with a recovery code").await;
    let mut secrets: Vec<&str> = vec![password, &secret];
    secrets.extend(recovery.iter().map(String::as_str));
    cx.finish(&secrets).await;
}
