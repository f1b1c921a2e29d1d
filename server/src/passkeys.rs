//! Passkeys (WebAuthn Level 3, <https://www.w3.org/TR/webauthn-3/>) with webauthn-rs:
//! registering one for the signed-in account, and signing in with one, without an email or a
//! password (discoverable credentials).
//!
//! Each ceremony takes two calls: `start` answers the options for the browser
//! (`navigator.credentials.create` or `.get`) and a `challenge` id; `finish` sends the browser's
//! answer with that id. Between the two the ceremony's state is in the database (never in this
//! instance's memory: several instances may share one PostgreSQL database), under the hash of
//! the id, for five minutes and for one `finish` only.
//!
//! A passkey asks for user verification (a PIN, a fingerprint or a face on the device), so a
//! sign-in with one is itself multi-factor: something held (the device's key) and something
//! known or been (NIST SP 800-63B section 5.1.8, multi-factor cryptographic authenticators). It
//! signs in directly: an account with one-time codes gets no second step after it.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;
use webauthn_rs::prelude::{
    DiscoverableAuthentication, Passkey, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential, Url, Uuid, WebauthnError,
};
use webauthn_rs::{Webauthn, WebauthnBuilder};

use crate::db::Ceremony;
use crate::links::{new_token, token_hash};
use crate::problem::{Code, FieldError, Problem, ProblemBody};
use crate::state::Shared;
use crate::tokens::now_i64 as now;
use crate::{auth, db, input};

/// How long a ceremony may take between its two calls (also the browser's timeout).
pub const CHALLENGE_TTL_SECS: i64 = 300;
/// The name browsers show for this site when they ask about a passkey.
const RP_NAME: &str = "auth-widget";

/// The relying party from `--webauthn-rp-id` and `--webauthn-origin`: refuses origins not on
/// the id's domain.
pub fn relying_party(rp_id: &str, origins: &[String]) -> anyhow::Result<Webauthn> {
    let urls = origins
        .iter()
        .map(|o| Url::parse(o).map_err(|e| anyhow::anyhow!("--webauthn-origin {o}: {e}")))
        .collect::<anyhow::Result<Vec<Url>>>()?;
    let Some((first, more)) = urls.split_first() else {
        anyhow::bail!("passkeys need at least one --webauthn-origin");
    };
    let mut builder = WebauthnBuilder::new(rp_id, first).map_err(|e| {
        anyhow::anyhow!("--webauthn-rp-id {rp_id} does not fit --webauthn-origin {first}: {e}")
    })?;
    for url in more {
        let host = url.host_str().unwrap_or("");
        let on_domain = host == rp_id || host.ends_with(&format!(".{rp_id}"));
        anyhow::ensure!(
            on_domain,
            "--webauthn-origin {url} is not on the relying party id's domain {rp_id}"
        );
        builder = builder.append_allowed_origin(url);
    }
    builder
        .rp_name(RP_NAME)
        .timeout(std::time::Duration::from_secs(CHALLENGE_TTL_SECS as u64))
        .build()
        .map_err(|e| anyhow::anyhow!("WebAuthn relying party: {e}"))
}

/// `{"options", "challenge"}`: what the browser needs, and the id that finishes the ceremony.
#[derive(Serialize, ToSchema)]
pub struct CeremonyStart {
    /// For `navigator.credentials.create()` (registration) or `.get()` (sign-in):
    /// `{"publicKey": {...}}` with binary members as base64url strings, ready for
    /// `PublicKeyCredential.parseCreationOptionsFromJSON(options.publicKey)` (or
    /// `parseRequestOptionsFromJSON`).
    #[schema(value_type = Object)]
    pub options: serde_json::Value,
    /// Sent back with the browser's answer; works once, for five minutes.
    pub challenge: String,
}

/// `{"challenge", "credential"}`: the browser's answer, as `PublicKeyCredential.toJSON()`
/// gives it (binary members as base64url strings).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct CeremonyFinish {
    pub challenge: String,
    #[schema(value_type = Object)]
    pub credential: serde_json::Value,
}

/// `{"id"}`: the new passkey's credential id (base64url), as the browser knows it.
#[derive(Serialize, ToSchema)]
pub struct PasskeyRegistered {
    pub id: String,
}

fn no_store(mut resp: Response) -> Response {
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// The key a credential id is stored under.
fn credential_key(id: &[u8]) -> String {
    id.iter().map(|b| format!("{b:02x}")).collect()
}

/// Keeps a ceremony's state and answers its start.
async fn start(
    s: &Shared,
    purpose: Ceremony,
    user_id: Option<&str>,
    options: serde_json::Value,
    state: &impl Serialize,
) -> Result<Response, Problem> {
    let state = serde_json::to_string(state)
        .map_err(|e| Problem::internal(format!("ceremony state: {e}")))?;
    let challenge = new_token().map_err(Problem::internal)?;
    let expires = now().saturating_add(CHALLENGE_TTL_SECS);
    db::insert_challenge(
        &s.db,
        &token_hash(&challenge),
        purpose,
        user_id,
        &state,
        expires,
    )
    .await?;
    Ok(no_store(
        Json(CeremonyStart { options, challenge }).into_response(),
    ))
}

/// The `{"challenge", "credential"}` of a finish, the credential read as `T`.
fn finish_fields<T: DeserializeOwned>(
    map: &serde_json::Map<String, serde_json::Value>,
) -> Result<(String, T), Problem> {
    input::no_extra_fields(map, &["challenge", "credential"])?;
    let mut errors = Vec::new();
    let challenge = input::string_field(map, "challenge", &mut errors);
    let credential = match map.get("credential") {
        None | Some(serde_json::Value::Null) => {
            errors.push(FieldError::new("credential", "missing"));
            None
        }
        Some(value) => match serde_json::from_value::<T>(value.clone()) {
            Ok(c) => Some(c),
            Err(e) => {
                tracing::info!(error = %e, "passkey credential not readable");
                errors.push(FieldError::new("credential", "malformed"));
                None
            }
        },
    };
    input::finish(errors)?;
    match (challenge, credential) {
        (Some(c), Some(cred)) => Ok((c.trim().to_string(), cred)),
        _ => Err(Problem::internal("finish: fields missing after validation")),
    }
}

/// Takes the ceremony's state (single use): `challenge_expired` when it is unknown, already
/// taken, or past its five minutes.
async fn take<T: DeserializeOwned>(
    s: &Shared,
    challenge: &str,
    purpose: Ceremony,
) -> Result<(Option<String>, T), Problem> {
    let taken = db::take_challenge(&s.db, &token_hash(challenge), purpose)
        .await?
        .filter(|c| c.expires_at >= now())
        .ok_or_else(|| Problem::new(Code::ChallengeExpired))?;
    let state = serde_json::from_str(&taken.state)
        .map_err(|e| Problem::internal(format!("stored ceremony state: {e}")))?;
    Ok((taken.user_id, state))
}

/// The account's handle in WebAuthn (`user.id`): its id, a random UUID that says nothing about
/// the person (WebAuthn section 14.6.1).
fn user_handle(user: &db::User) -> Result<Uuid, Problem> {
    Uuid::parse_str(&user.id).map_err(|e| Problem::internal(format!("account id: {e}")))
}

/// A verification that failed: logged with its reason for the operator, answered
/// `passkey_invalid`.
fn refused(e: &WebauthnError) -> Problem {
    tracing::warn!(reason = %e, "passkey refused");
    Problem::new(Code::PasskeyInvalid)
}

/// Start registering a passkey for the signed-in account. The options ask for a discoverable
/// credential (resident key required: it signs in without an email) with user verification,
/// and list the account's passkeys to exclude, so a device that already holds one says so
/// (the browser's `InvalidStateError`) instead of making a second.
#[utoipa::path(
    post,
    path = "/auth/passkeys/register/start",
    tag = "auth",
    security(("cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "Options for `navigator.credentials.create()`",
            body = CeremonyStart),
        (status = 401, description = "session_invalid, session_expired", body = ProblemBody,
            content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = ProblemBody,
            content_type = "application/problem+json"),
    )
)]
pub async fn register_start(
    State(s): State<Shared>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    let map = input::json_object(&headers, body).await?;
    input::no_extra_fields(&map, &[])?;
    let (user, _) = auth::authenticate(&s, &headers).await?;
    let exclude = db::passkeys_of(&s.db, &user.id)
        .await?
        .iter()
        .map(|json| serde_json::from_str::<Passkey>(json).map(|p| p.cred_id().clone()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Problem::internal(format!("stored passkey: {e}")))?;
    let (options, state): (_, PasskeyRegistration) = s
        .webauthn
        .start_passkey_registration(user_handle(&user)?, &user.email, &user.email, Some(exclude))
        .map_err(|e| Problem::internal(format!("passkey registration: {e}")))?;
    let mut options = serde_json::to_value(options)
        .map_err(|e| Problem::internal(format!("passkey options: {e}")))?;
    // A discoverable credential, so that it can sign in without an email (WebAuthn section
    // 5.4.4: `residentKey` "required", and `requireResidentKey` for Level 1 browsers).
    let selection = &mut options["publicKey"]["authenticatorSelection"];
    selection["residentKey"] = "required".into();
    selection["requireResidentKey"] = true.into();
    tracing::info!(user_id = %user.id, "passkey registration started");
    start(&s, Ceremony::Register, Some(&user.id), options, &state).await
}

/// Finish registering a passkey: the browser's new credential, checked against the ceremony
/// started by the same account (challenge, origin, relying party, user verification).
#[utoipa::path(
    post,
    path = "/auth/passkeys/register/finish",
    tag = "auth",
    security(("cookie" = []), ("bearer" = [])),
    request_body(content = CeremonyFinish, content_type = "application/json"),
    responses(
        (status = 201, description = "The passkey is registered", body = PasskeyRegistered),
        (status = 401, description = "passkey_invalid, session_invalid, session_expired",
            body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "passkey_registered", body = ProblemBody,
            content_type = "application/problem+json"),
        (status = 410, description = "challenge_expired (start again)", body = ProblemBody,
            content_type = "application/problem+json"),
        (status = 422, description = "validation_failed", body = ProblemBody,
            content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = ProblemBody,
            content_type = "application/problem+json"),
    )
)]
pub async fn register_finish(
    State(s): State<Shared>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    let map = input::json_object(&headers, body).await?;
    let (challenge, credential) = finish_fields::<RegisterPublicKeyCredential>(&map)?;
    let (user, _) = auth::authenticate(&s, &headers).await?;
    let (started_by, state) =
        take::<PasskeyRegistration>(&s, &challenge, Ceremony::Register).await?;
    // A ceremony is finished by the account that started it.
    if started_by.as_deref() != Some(user.id.as_str()) {
        return Err(Problem::new(Code::ChallengeExpired));
    }
    let passkey = match s.webauthn.finish_passkey_registration(&credential, &state) {
        Ok(p) => p,
        // An excluded credential (one of the account's own) is refused by webauthn-rs with an
        // error of another name: the stored passkeys say which it was.
        Err(e) => {
            if db::passkey(&s.db, &credential_key(&credential.raw_id))
                .await?
                .is_some()
            {
                return Err(Problem::new(Code::PasskeyRegistered));
            }
            return Err(refused(&e));
        }
    };
    let id = passkey.cred_id();
    let json =
        serde_json::to_string(&passkey).map_err(|e| Problem::internal(format!("passkey: {e}")))?;
    if !db::insert_passkey(&s.db, &credential_key(id), &user.id, &json, now()).await? {
        return Err(Problem::new(Code::PasskeyRegistered));
    }
    tracing::info!(user_id = %user.id, "passkey registered");
    Ok(no_store(
        (
            StatusCode::CREATED,
            Json(PasskeyRegistered {
                id: URL_SAFE_NO_PAD.encode(id),
            }),
        )
            .into_response(),
    ))
}

/// Start a sign-in with a passkey. No email: the browser offers the passkeys it holds for this
/// site (discoverable credentials). The options are for a modal request; a page that offers
/// passkeys in its email field's autofill adds `mediation: "conditional"` itself.
#[utoipa::path(
    post,
    path = "/auth/passkeys/login/start",
    tag = "auth",
    responses(
        (status = 200, description = "Options for `navigator.credentials.get()`",
            body = CeremonyStart),
        (status = 429, description = "rate_limited", body = ProblemBody,
            content_type = "application/problem+json"),
    )
)]
pub async fn login_start(
    State(s): State<Shared>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    let map = input::json_object(&headers, body).await?;
    input::no_extra_fields(&map, &[])?;
    let (options, state): (_, DiscoverableAuthentication) = s
        .webauthn
        .start_discoverable_authentication()
        .map_err(|e| Problem::internal(format!("passkey sign-in: {e}")))?;
    let mut options = serde_json::to_value(options)
        .map_err(|e| Problem::internal(format!("passkey options: {e}")))?;
    if let Some(o) = options.as_object_mut() {
        o.remove("mediation");
    }
    start(&s, Ceremony::SignIn, None, options, &state).await
}

/// Finish a sign-in with a passkey: the browser's assertion. Answers like a password sign-in
/// (200, the session cookie), and never asks for a one-time code after it: user verification
/// made it multi-factor already. The passkey's signature counter and backup state are kept up
/// to date; a counter that goes back (a cloned authenticator) is refused.
#[utoipa::path(
    post,
    path = "/auth/passkeys/login/finish",
    tag = "auth",
    request_body(content = CeremonyFinish, content_type = "application/json"),
    responses(
        (status = 200, description = "Signed in; session cookie set", body = auth::SessionBody),
        (status = 401, description = "passkey_unknown, passkey_invalid", body = ProblemBody,
            content_type = "application/problem+json"),
        (status = 403, description = "account_disabled, email_unverified", body = ProblemBody,
            content_type = "application/problem+json"),
        (status = 410, description = "challenge_expired (start again)", body = ProblemBody,
            content_type = "application/problem+json"),
        (status = 422, description = "validation_failed", body = ProblemBody,
            content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = ProblemBody,
            content_type = "application/problem+json"),
    )
)]
pub async fn login_finish(
    State(s): State<Shared>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    let map = input::json_object(&headers, body).await?;
    let (challenge, credential) = finish_fields::<PublicKeyCredential>(&map)?;
    let (_, state) = take::<DiscoverableAuthentication>(&s, &challenge, Ceremony::SignIn).await?;
    // Without the user handle a discoverable sign-in names no one (WebAuthn section 7.2,
    // step 6).
    let (handle, id) = s
        .webauthn
        .identify_discoverable_authentication(&credential)
        .map_err(|e| refused(&e))?;
    let key = credential_key(id);
    let unknown = || {
        tracing::info!("sign-in with a passkey this service does not know");
        Problem::new(Code::PasskeyUnknown)
    };
    let stored = db::passkey(&s.db, &key).await?.ok_or_else(unknown)?;
    if Uuid::parse_str(&stored.user_id).ok() != Some(handle) {
        tracing::warn!("passkey sign-in with a user handle of another account");
        return Err(Problem::new(Code::PasskeyInvalid));
    }
    let user = db::user_by_id(&s.db, &stored.user_id)
        .await?
        .ok_or_else(unknown)?;
    let mut passkey: Passkey = serde_json::from_str(&stored.passkey)
        .map_err(|e| Problem::internal(format!("stored passkey: {e}")))?;
    let result = s
        .webauthn
        .finish_discoverable_authentication_v2(&credential, state, &passkey)
        .map_err(|e| refused(&e))?;
    if user.disabled {
        return Err(Problem::new(Code::AccountDisabled));
    }
    if !user.verified {
        return Err(Problem::new(Code::EmailUnverified));
    }
    let updated = match passkey.update_credential(&result) {
        Some(true) => Some(
            serde_json::to_string(&passkey)
                .map_err(|e| Problem::internal(format!("passkey: {e}")))?,
        ),
        _ => None,
    };
    db::passkey_used(&s.db, &key, updated.as_deref(), now()).await?;
    tracing::info!(user_id = %user.id, "signed in with a passkey");
    auth::start_session(&s, &user, StatusCode::OK).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_must_be_on_the_relying_party_domain() {
        assert!(relying_party("localhost", &["http://localhost:8080".into()]).is_ok());
        assert!(
            relying_party(
                "example.com",
                &[
                    "https://example.com".into(),
                    "https://app.example.com".into()
                ]
            )
            .is_ok()
        );
        assert!(relying_party("example.com", &["https://example.org".into()]).is_err());
        assert!(
            relying_party(
                "example.com",
                &["https://example.com".into(), "https://evil.com".into()]
            )
            .is_err()
        );
        assert!(relying_party("localhost", &[]).is_err());
    }
}
