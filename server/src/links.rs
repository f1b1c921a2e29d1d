//! One-time links sent by email: email verification and password reset (recovery-28 to
//! recovery-31; OWASP ASVS v4.0.3 2.5 and the OWASP Forgot Password Cheat Sheet; NIST SP
//! 800-63B §5.1.1 on memorised-secret changes).
//!
//! A link is `{app_url}#auth-verify=TOKEN` or `{app_url}#auth-reset=TOKEN`: TOKEN is 256 bits
//! from the operating system's CSPRNG as 64 lowercase hex digits, in the URL fragment so that it
//! never reaches a server log or a `Referer`. Only its SHA-256 hash is stored. A link works once,
//! for `--reset-link-ttl-secs` (30 minutes) or `--verify-link-ttl-secs` (24 hours), and a newer
//! link for the same account and purpose supersedes it.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::db::{self, Purpose};
use crate::input;
use crate::mail::{self, MailKind};
use crate::passwords;
use crate::problem::{Code, FieldError, Problem, ProblemBody};
use crate::state::Shared;
use crate::tokens::now_i64;

/// The fragment key of a verification link: `#auth-verify=TOKEN`.
pub const VERIFY_FRAGMENT: &str = "auth-verify";
/// The fragment key of a reset link: `#auth-reset=TOKEN`.
pub const RESET_FRAGMENT: &str = "auth-reset";

/// `{"token"}`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct TokenBody {
    /// The token from the link's fragment (64 hex digits).
    pub token: String,
}

/// `{"token","password"}`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct NewPassword {
    /// The token from the reset link's fragment (64 hex digits).
    pub token: String,
    /// The new password; the sign-up rules apply.
    pub password: String,
}

/// `{"email"}`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct EmailBody {
    pub email: String,
}

/// `{"next":"sign_in","email"}`: the link did its work; the person signs in next.
#[derive(Serialize, ToSchema)]
pub struct LinkDone {
    pub next: &'static str,
    /// The account's email address, to fill in the sign-in form.
    pub email: String,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The stored form of a token: SHA-256, hex. A fast hash suffices for 256 random bits (no
/// dictionary to try), and lets the row be found by it.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// A new token (256 bits from the OS CSPRNG, 64 hex digits).
pub(crate) fn new_token() -> anyhow::Result<String> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(|e| anyhow::anyhow!("no OS randomness: {e}"))?;
    Ok(hex(&b))
}

fn is_token_shaped(token: &str) -> bool {
    token.len() == 64
        && token
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn accept_language(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.chars().take(256).collect())
}

/// Issues a link for `user` and sends it; logs (never answers) a failure.
async fn issue_and_send(s: &Shared, user: &db::User, purpose: Purpose, lang: Option<&str>) {
    let result = async {
        let token = new_token()?;
        let now = now_i64();
        let (ttl, kind, fragment, n) = match purpose {
            Purpose::VerifyEmail => {
                let ttl = s.cfg.verify_link_ttl_secs;
                (ttl, MailKind::Verify, VERIFY_FRAGMENT, ttl.div_ceil(3600))
            }
            Purpose::PasswordReset => {
                let ttl = s.cfg.reset_link_ttl_secs;
                (ttl, MailKind::Reset, RESET_FRAGMENT, ttl.div_ceil(60))
            }
        };
        let expires_at = now + i64::try_from(ttl).unwrap_or(0);
        db::insert_link(
            &s.db,
            &token_hash(&token),
            &user.id,
            purpose,
            now,
            expires_at,
        )
        .await?;
        let locale = s.mailer.copy.negotiate(lang);
        let link = s.mailer.link(fragment, &token);
        let letter = s.mailer.copy.compose(kind, locale, &user.email, &link, n);
        mail::dispatch(s, letter);
        tracing::info!(user_id = %user.id, purpose = purpose.as_str(), "link issued");
        anyhow::Ok(())
    }
    .await;
    if let Err(e) = result {
        let reference = crate::problem::reference_id();
        tracing::error!(instance = %reference, error = %e, purpose = purpose.as_str(), "link not issued");
    }
}

/// After a sign-up that must verify its email: the first verification link, in the background.
pub fn send_first_verification(s: &Shared, email: String, headers: &HeaderMap) {
    let s = s.clone();
    let lang = accept_language(headers);
    tokio::spawn(async move {
        let interval = i64::try_from(s.cfg.link_mail_interval_secs).unwrap_or(0);
        let job = async {
            db::pace_link_mail(&s.db, &email, Purpose::VerifyEmail, now_i64(), interval).await?;
            let user = db::user_by_email(&s.db, &email).await?;
            anyhow::Ok(user)
        };
        match job.await {
            Ok(Some(user)) => {
                issue_and_send(&s, &user, Purpose::VerifyEmail, lang.as_deref()).await
            }
            Ok(None) => {}
            Err(e) => {
                let reference = crate::problem::reference_id();
                tracing::error!(instance = %reference, error = %e, "verification link not issued");
            }
        }
    });
}

/// A reset request's work, off the response path so that registered and unregistered emails
/// answer in the same time (recovery-29): look the account up, and unless a link went to the
/// address within `--link-mail-interval-secs`, issue and send one.
pub fn request_reset(s: &Shared, email: String, headers: &HeaderMap) {
    let s = s.clone();
    let lang = accept_language(headers);
    tokio::spawn(async move {
        let interval = i64::try_from(s.cfg.link_mail_interval_secs).unwrap_or(0);
        let job = async {
            let paced =
                db::pace_link_mail(&s.db, &email, Purpose::PasswordReset, now_i64(), interval)
                    .await?;
            let user = db::user_by_email(&s.db, &email).await?;
            anyhow::Ok((paced, user))
        };
        match job.await {
            Ok((None, Some(user))) if !user.disabled => {
                issue_and_send(&s, &user, Purpose::PasswordReset, lang.as_deref()).await;
            }
            Ok((paced, user)) => tracing::info!(
                known_account = user.is_some(),
                paced = paced.is_some(),
                "password reset requested; no link sent"
            ),
            Err(e) => {
                let reference = crate::problem::reference_id();
                tracing::error!(instance = %reference, error = %e, "password reset not handled");
            }
        }
    });
}

/// Finds the link a token names, or the problem that says why it cannot be used.
async fn usable_link(s: &Shared, token: &str, purpose: Purpose) -> Result<db::Link, Problem> {
    if !is_token_shaped(token) {
        return Err(Problem::new(Code::LinkInvalid));
    }
    let link = db::link(&s.db, &token_hash(token), purpose)
        .await?
        .ok_or_else(|| Problem::new(Code::LinkInvalid))?;
    if link.used {
        return Err(Problem::new(Code::LinkUsed));
    }
    if link.superseded {
        return Err(Problem::new(Code::LinkExpired).detail("A newer link replaced this one."));
    }
    if link.expires_at < now_i64() {
        return Err(Problem::new(Code::LinkExpired));
    }
    Ok(link)
}

fn token_field(
    map: &serde_json::Map<String, serde_json::Value>,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    input::string_field(map, "token", errors).map(|t| t.trim().to_ascii_lowercase())
}

fn done(email: String) -> Response {
    let mut resp = Json(LinkDone {
        next: "sign_in",
        email,
    })
    .into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// Confirm an email address with the token of a verification link.
#[utoipa::path(
    post,
    path = "/auth/verify-email",
    tag = "auth",
    request_body(content = TokenBody, content_type = "application/json"),
    responses(
        (status = 200, description = "Email address confirmed; sign in next", body = LinkDone),
        (status = 400, description = "link_invalid", body = ProblemBody,
            content_type = "application/problem+json"),
        (status = 410, description = "link_expired, link_used", body = ProblemBody,
            content_type = "application/problem+json"),
        (status = 422, description = "validation_failed (no token)", body = ProblemBody,
            content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = ProblemBody,
            content_type = "application/problem+json"),
    )
)]
pub async fn verify_email(
    State(s): State<Shared>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    let map = input::json_object(&headers, body).await?;
    input::no_extra_fields(&map, &["token"])?;
    let mut errors = Vec::new();
    let token = token_field(&map, &mut errors);
    input::finish(errors)?;
    let token = token.ok_or_else(|| Problem::internal("token missing after validation"))?;
    let link = usable_link(&s, &token, Purpose::VerifyEmail).await?;
    let user = db::user_by_id(&s.db, &link.user_id)
        .await?
        .ok_or_else(|| Problem::new(Code::LinkInvalid))?;
    let now = now_i64();
    let mut tx = s.db.begin().await?;
    if !db::use_link(&mut *tx, &token_hash(&token), now).await? {
        return Err(Problem::new(Code::LinkUsed));
    }
    db::set_verified(&mut *tx, &user.id).await?;
    db::supersede_links(&mut *tx, &user.id, Purpose::VerifyEmail, now).await?;
    tx.commit().await?;
    tracing::info!(user_id = %user.id, "email verified");
    Ok(done(user.email))
}

/// Ask for a new verification link. 202 for every well-formed request, whether or not the
/// address has an account that still needs one; a second request for the same address within
/// `--link-mail-interval-secs` answers 429 with the wait, alike for every address.
#[utoipa::path(
    post,
    path = "/auth/verify-email/resend",
    tag = "auth",
    request_body(content = EmailBody, content_type = "application/json"),
    responses(
        (status = 202, description = "Accepted (says nothing about the account)", body = crate::auth::NextStep),
        (status = 422, description = "validation_failed", body = ProblemBody,
            content_type = "application/problem+json"),
        (status = 429, description = "rate_limited (a link went to this address moments ago; Retry-After)",
            body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn verify_email_resend(
    State(s): State<Shared>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    let map = input::json_object(&headers, body).await?;
    input::no_extra_fields(&map, &["email"])?;
    let mut errors = Vec::new();
    let email =
        input::string_field(&map, "email", &mut errors).and_then(|e| input::email(&e, &mut errors));
    input::finish(errors)?;
    let email = email.ok_or_else(|| Problem::internal("email missing after validation"))?;
    let interval = i64::try_from(s.cfg.link_mail_interval_secs).unwrap_or(0);
    if let Some(wait) =
        db::pace_link_mail(&s.db, &email, Purpose::VerifyEmail, now_i64(), interval).await?
    {
        return Err(Problem::new(Code::RateLimited)
            .detail("A link went to this address moments ago.")
            .retry_after(u64::try_from(wait).unwrap_or(1)));
    }
    let lang = accept_language(&headers);
    let job = s.clone();
    tokio::spawn(async move {
        match db::user_by_email(&job.db, &email).await {
            Ok(Some(user)) if !user.verified && !user.disabled => {
                issue_and_send(&job, &user, Purpose::VerifyEmail, lang.as_deref()).await;
            }
            Ok(_) => tracing::info!("verification resend for an address that needs none"),
            Err(e) => {
                let reference = crate::problem::reference_id();
                tracing::error!(instance = %reference, error = %e, "verification resend failed");
            }
        }
    });
    Ok((
        StatusCode::ACCEPTED,
        Json(crate::auth::NextStep {
            next: "check_email",
        }),
    )
        .into_response())
}

/// Set a new password with the token of a reset link. Ends every session of the account,
/// clears its sign-in lock and sends a "your password was changed" email (recovery-31). The
/// person then signs in with the new password: the link is not a sign-in.
#[utoipa::path(
    post,
    path = "/auth/password-reset/complete",
    tag = "auth",
    request_body(content = NewPassword, content_type = "application/json"),
    responses(
        (status = 200, description = "Password changed; sign in next", body = LinkDone),
        (status = 400, description = "link_invalid", body = ProblemBody,
            content_type = "application/problem+json"),
        (status = 403, description = "account_disabled", body = ProblemBody,
            content_type = "application/problem+json"),
        (status = 410, description = "link_expired, link_used", body = ProblemBody,
            content_type = "application/problem+json"),
        (status = 422, description = "validation_failed (the new password; the link still works)",
            body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = ProblemBody,
            content_type = "application/problem+json"),
        (status = 503, description = "service_unavailable", body = ProblemBody,
            content_type = "application/problem+json"),
    )
)]
pub async fn password_reset_complete(
    State(s): State<Shared>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    let map = input::json_object(&headers, body).await?;
    input::no_extra_fields(&map, &["token", "password"])?;
    let mut errors = Vec::new();
    let token = token_field(&map, &mut errors);
    let password = input::string_field(&map, "password", &mut errors);
    input::finish(errors)?;
    let (Some(token), Some(password)) = (token, password) else {
        return Err(Problem::internal("fields missing after validation"));
    };
    let link = usable_link(&s, &token, Purpose::PasswordReset).await?;
    let user = db::user_by_id(&s.db, &link.user_id)
        .await?
        .ok_or_else(|| Problem::new(Code::LinkInvalid))?;
    if user.disabled {
        return Err(Problem::new(Code::AccountDisabled));
    }
    input::finish(passwords::check_new_password(
        &password,
        &user.email,
        s.cfg.password_min_length,
        s.cfg.password_max_length,
    ))?;
    let hash = s.hasher.hash(password).await?;
    let now = now_i64();
    let mut tx = s.db.begin().await?;
    if !db::use_link(&mut *tx, &token_hash(&token), now).await? {
        return Err(Problem::new(Code::LinkUsed));
    }
    db::set_password(&mut *tx, &user.id, &hash).await?;
    let revoked = db::revoke_user_sessions(&mut *tx, &user.id, now).await?;
    db::supersede_links(&mut *tx, &user.id, Purpose::PasswordReset, now).await?;
    db::reset_failures(&mut *tx, &user.email).await?;
    tx.commit().await?;
    tracing::info!(user_id = %user.id, sessions_revoked = revoked, "password reset completed");
    let locale = s
        .mailer
        .copy
        .negotiate(accept_language(&headers).as_deref());
    let letter = s.mailer.copy.compose(
        MailKind::PasswordChanged,
        locale,
        &user.email,
        s.mailer.app_url(),
        0,
    );
    mail::dispatch(&s, letter);
    Ok(done(user.email))
}
