//! Passkeys with the browser's own WebAuthn: the reference server's ceremonies
//! (`/auth/passkeys/*`) driven from the page by `navigator.credentials`, against a WebDriver
//! virtual authenticator (W3C WebAuthn Level 3, section 11 "WebDriver Extension"). The server's
//! own tests use a software authenticator written for them; this one checks that what real
//! browsers make and send is what the server reads (factors-36).
//!
//! WebAuthn refuses IP-address origins, so the page is opened on `localhost` and the server is
//! told that origin (`--webauthn-origin`), as `make demo` does.

use crate::support::browser::SessionCmd;
use crate::support::checks::page_fetch;
use crate::support::page::Ctx;
use crate::support::procs::free_port;
use crate::support::server::{Server, dist};
use serde_json::{Value, json};
use std::sync::Arc;

/// A command of the WebAuthn WebDriver extension (`/session/{id}/webauthn/…`).
async fn webauthn(cx: &Ctx, cmd: SessionCmd) -> Value {
    let what = format!("{} {}", cmd.method, cmd.path);
    cx.client
        .issue_cmd(cmd)
        .await
        .unwrap_or_else(|e| panic!("{}: {what}: {e}", cx.browser()))
}

/// Adds a platform authenticator that holds discoverable credentials and verifies the person
/// (as a phone's or laptop's passkey store does); returns its id.
async fn add_authenticator(cx: &Ctx) -> String {
    let id = webauthn(
        cx,
        SessionCmd::post(
            "webauthn/authenticator",
            json!({
            "protocol": "ctap2",
            "transport": "internal",
            "hasResidentKey": true,
            "hasUserVerification": true,
            "isUserConsenting": true,
                "isUserVerified": true,
            }),
        ),
    )
    .await;
    id.as_str().expect("authenticator id").to_string()
}

/// Runs a ceremony from the page: `start` gives the options, the browser's `navigator.credentials`
/// (`create` or `get`) answers them, `finish` gets the answer. Returns `{status, body}` of the
/// finish, or `{error}` with the browser's `DOMException` name, and the finish body sent.
async fn ceremony(cx: &Ctx, kind: &str) -> Value {
    cx.js_async(
        r#"
        const [kind] = arguments;
        const post = (path, body) => fetch(path, {
          method: "POST", credentials: "include",
          headers: { "content-type": "application/json" }, body: JSON.stringify(body),
        });
        (async () => {
          const start = await (await post(`/auth/passkeys/${kind}/start`, {})).json();
          const publicKey = kind === "register"
            ? PublicKeyCredential.parseCreationOptionsFromJSON(start.options.publicKey)
            : PublicKeyCredential.parseRequestOptionsFromJSON(start.options.publicKey);
          let credential;
          try {
            credential = kind === "register"
              ? await navigator.credentials.create({ publicKey })
              : await navigator.credentials.get({ publicKey });
          } catch (e) {
            return { error: e.name };
          }
          const sent = { challenge: start.challenge, credential: credential.toJSON() };
          const r = await post(`/auth/passkeys/${kind}/finish`, sent);
          return { status: r.status, body: await r.json(), sent };
        })().then(done, (e) => done({ error: `${e.name}: ${e.message}` }));
        "#,
        vec![json!(kind)],
    )
    .await
}

/// A signed-in person adds a passkey, signs out, and signs in with it and no email; the same
/// answer cannot be used twice; a person who does not confirm on the authenticator gets the
/// browser's `NotAllowedError` and no session.
pub async fn passkeys_made_by_the_browser_register_and_sign_in(cx: Arc<Ctx>) {
    let port = free_port();
    let origin = format!("http://localhost:{port}");
    let name = format!("passkeys-{}", cx.browser());
    let server = Server::start_at(&name, &dist(), port, &["--webauthn-origin", &origin]);
    let email = cx.unique_email("passkey");
    let password = "copper lantern meadow 7";
    server.signup(&email, password).await;
    let authenticator = add_authenticator(&cx).await;
    let at = format!("webauthn/authenticator/{authenticator}");

    cx.open_at(&format!("{origin}/")).await;
    cx.log_in(&email, password).await;
    cx.wait_signed_in("signed in with the password").await;

    let registered = ceremony(&cx, "register").await;
    assert_eq!(registered["status"], json!(201), "register: {registered}");
    let id = registered["body"]["id"].as_str().expect("passkey id");
    let held = webauthn(&cx, SessionCmd::get(format!("{at}/credentials"))).await;
    let held = held.as_array().expect("credentials");
    assert_eq!(held.len(), 1, "one passkey on the authenticator: {held:?}");
    assert_eq!(
        held[0]["credentialId"],
        json!(id),
        "the id the server keeps"
    );
    assert_eq!(
        held[0]["isResidentCredential"],
        json!(true),
        "a discoverable credential, so sign-in needs no email"
    );

    cx.click("[data-action=sign_out]").await;
    cx.wait(
        "signed out",
        "document.querySelector('.aw-widget[data-mode=login] input[name=password]')",
    )
    .await;
    assert_eq!(page_fetch(&cx, "GET", "/auth/session").await.0, 401);

    let signed_in = ceremony(&cx, "login").await;
    assert_eq!(signed_in["status"], json!(200), "sign in: {signed_in}");
    assert_eq!(signed_in["body"]["user"]["email"], json!(email));
    let (status, session) = page_fetch(&cx, "GET", "/auth/session").await;
    assert_eq!(status, 200, "a session after the passkey: {session}");
    assert!(session.contains(&email), "the passkey's account: {session}");

    // The same answer again: its ceremony is over.
    let replay: Value = cx
        .js_async(
            "fetch('/auth/passkeys/login/finish', { method: 'POST', credentials: 'include', \
               headers: { 'content-type': 'application/json' }, body: JSON.stringify(arguments[0]) })\
               .then(r => r.json().then(b => done([r.status, b.code])));",
            vec![signed_in["sent"].clone()],
        )
        .await;
    assert_eq!(
        replay,
        json!([410, "challenge_expired"]),
        "a replayed answer"
    );

    // The person does not confirm on the authenticator: the browser refuses, nothing is sent.
    assert_eq!(page_fetch(&cx, "POST", "/auth/logout").await.0, 204);
    let not_verified = json!({ "isUserVerified": false });
    webauthn(&cx, SessionCmd::post(format!("{at}/uv"), not_verified)).await;
    let cancelled = ceremony(&cx, "login").await;
    assert_eq!(
        cancelled["error"],
        json!("NotAllowedError"),
        "not confirmed: {cancelled}"
    );
    assert_eq!(page_fetch(&cx, "GET", "/auth/session").await.0, 401);

    webauthn(&cx, SessionCmd::delete(at)).await;
    cx.finish(&[password]).await;
}
