//! The contract's endpoints: login, signup, session, logout, password-reset.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::db;
use crate::input;
use crate::passwords;
use crate::problem::{Code, FieldError, Problem, ProblemBody};
use crate::state::{OriginCheck, Shared, check_origin};
use crate::tokens::{TokenError, now_i64};

/// `{"id","email"}` of the signed-in user.
#[derive(Serialize, ToSchema)]
pub struct UserView {
    pub id: String,
    pub email: String,
}

/// 200 of login / 201 of signup / 200 of session.
#[derive(Serialize, ToSchema)]
pub struct SessionBody {
    pub user: UserView,
    /// Present only when the server runs with `--bearer`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_token: Option<String>,
}

/// `{"email","password"}`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Credentials {
    pub email: String,
    pub password: String,
}

/// `{"email"}`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ResetRequest {
    pub email: String,
}

/// `{"next":"verify_email"}` (signup) or `{"next":"check_email"}` (password reset).
#[derive(Serialize, ToSchema)]
pub struct NextStep {
    pub next: &'static str,
}

/// The session cookie's name (`__Host-` prefix when served over HTTPS, sessions-22).
pub fn cookie_name(s: &Shared) -> &'static str {
    if s.cfg.https_cookies {
        "__Host-session"
    } else {
        "session"
    }
}

fn session_cookie(s: &Shared, token: &str, max_age: u64) -> HeaderValue {
    let secure = if s.cfg.https_cookies { "; Secure" } else { "" };
    let v = format!(
        "{}={token}; HttpOnly; SameSite=Lax; Path=/; Max-Age={max_age}{secure}",
        cookie_name(s)
    );
    // A JWT is base64url and dots only: always a valid header value.
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static("session=; Max-Age=0"))
}

/// A new session for a user: its id, token and expiry (a new id at every sign-in).
struct NewSession {
    id: String,
    token: String,
    expires_at: i64,
}

fn new_session(s: &Shared, user_id: &str) -> Result<NewSession, Problem> {
    let id = uuid::Uuid::new_v4().to_string();
    let (token, claims) = s.keys.issue(user_id, &id).map_err(Problem::internal)?;
    Ok(NewSession {
        id,
        token,
        expires_at: i64::try_from(claims.exp).unwrap_or(i64::MAX),
    })
}

/// Creates a session row and a token for it; a new session id every time (sessions-22).
pub(crate) async fn start_session(
    s: &Shared,
    user: &db::User,
    status: StatusCode,
) -> Result<Response, Problem> {
    let session = new_session(s, &user.id)?;
    db::insert_session(&s.db, &session.id, &user.id, now_i64(), session.expires_at).await?;
    Ok(session_response(s, &user.id, &user.email, &session, status))
}

/// The answer that signs a user in: the body and the session cookie.
fn session_response(
    s: &Shared,
    user_id: &str,
    email: &str,
    session: &NewSession,
    status: StatusCode,
) -> Response {
    tracing::info!(user_id = %user_id, session_id = %session.id, "session started");
    let token = &session.token;
    let body = SessionBody {
        user: UserView {
            id: user_id.to_string(),
            email: email.to_string(),
        },
        access_token: s.cfg.bearer.then(|| token.clone()),
    };
    let mut resp = (status, Json(body)).into_response();
    resp.headers_mut()
        .insert(header::SET_COOKIE, session_cookie(s, token, s.keys.ttl()));
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

fn credentials(
    map: &serde_json::Map<String, serde_json::Value>,
) -> Result<(String, String), Problem> {
    input::no_extra_fields(map, &["email", "password"])?;
    let mut errors = Vec::new();
    let email =
        input::string_field(map, "email", &mut errors).and_then(|e| input::email(&e, &mut errors));
    let password = input::string_field(map, "password", &mut errors);
    input::finish(errors)?;
    match (email, password) {
        (Some(e), Some(p)) => Ok((e, p)),
        _ => Err(Problem::internal(
            "credentials: fields missing after validation",
        )),
    }
}

/// Sign in.
#[utoipa::path(
    post,
    path = "/auth/login",
    tag = "auth",
    request_body(content = Credentials, content_type = "application/json"),
    responses(
        (status = 200, description = "Signed in; session cookie set", body = SessionBody),
        (status = 202, description = "Password right; the account asks for a one-time code next \
            (`POST /auth/login/second-factor` with `step`)", body = crate::factors::SecondFactorNeeded),
        (status = 401, description = "invalid_credentials", body = ProblemBody,
            content_type = "application/problem+json"),
        (status = 403, description = "account_locked, account_disabled, email_unverified",
            body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed", body = ProblemBody,
            content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = ProblemBody,
            content_type = "application/problem+json"),
        (status = 503, description = "service_unavailable", body = ProblemBody,
            content_type = "application/problem+json"),
    )
)]
pub async fn login(
    State(s): State<Shared>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    let map = input::json_object(&headers, body).await?;
    let (email, password) = credentials(&map)?;
    let user = db::user_by_email(&s.db, &email).await?;
    // Verify even for unknown emails (dummy hash) and locked accounts: same work, same timing.
    let too_long = password.chars().count() > s.cfg.password_max_length as usize;
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let ok = s.hasher.verify(password, stored).await? && !too_long;
    // Failures are counted per email, registered or not: an unknown email answers exactly
    // like a known one, locks included, so the lock tells nothing about who has an account.
    let failures = db::failures(&s.db, &email).await?;
    let now = now_i64();
    if let Some(until) = failures.and_then(|f| f.locked_until).filter(|t| *t > now) {
        let wait = u64::try_from(until - now).unwrap_or(1);
        return Err(Problem::new(Code::AccountLocked).retry_after(wait));
    }
    let user = match user {
        Some(user) if ok => user,
        _ => {
            let until = now + i64::try_from(s.cfg.lockout_secs).unwrap_or(900);
            let threshold = s.cfg.lockout_threshold;
            let max = s.cfg.lockout_max_tracked;
            let n = db::record_failure(&s.db, &email, now, threshold, until, max).await?;
            if n >= i64::from(threshold) {
                tracing::warn!(failures = n, "sign-in locked for an email");
            }
            return Err(Problem::new(Code::InvalidCredentials));
        }
    };
    if user.disabled {
        return Err(Problem::new(Code::AccountDisabled));
    }
    if !user.verified {
        return Err(Problem::new(Code::EmailUnverified));
    }
    if failures.is_some() {
        db::reset_failures(&s.db, &email).await?;
    }
    // An account with one-time codes on gets the second step, never a session (factors-33).
    if let Some(second_step) = crate::factors::second_step_if_needed(&s, &user).await? {
        return Ok(second_step);
    }
    start_session(&s, &user, StatusCode::OK).await
}

/// Create an account.
#[utoipa::path(
    post,
    path = "/auth/signup",
    tag = "auth",
    request_body(content = Credentials, content_type = "application/json"),
    responses(
        (status = 201, description = "Account created and signed in", body = SessionBody),
        (status = 202, description = "Account created; verify the email first", body = NextStep),
        (status = 403, description = "signup_closed", body = ProblemBody,
            content_type = "application/problem+json"),
        (status = 409, description = "email_taken", body = ProblemBody,
            content_type = "application/problem+json"),
        (status = 422, description = "validation_failed", body = ProblemBody,
            content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = ProblemBody,
            content_type = "application/problem+json"),
    )
)]
pub async fn signup(
    State(s): State<Shared>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    let map = input::json_object(&headers, body).await?;
    if s.cfg.signup_closed {
        return Err(Problem::new(Code::SignupClosed));
    }
    let (email, password) = credentials(&map)?;
    let errors = passwords::check_new_password(
        &password,
        &email,
        s.cfg.password_min_length,
        s.cfg.password_max_length,
    );
    input::finish(errors)?;
    let verify_step = || {
        (
            StatusCode::ACCEPTED,
            Json(NextStep {
                next: "verify_email",
            }),
        )
            .into_response()
    };
    // Hash before looking the email up, so taken and new emails cost the same.
    let hash = s.hasher.hash(password).await?;
    let verified = !s.cfg.require_verification;
    let id = uuid::Uuid::new_v4().to_string();
    let session = verified.then(|| new_session(&s, &id)).transpose()?;
    let now = now_i64();
    // The account and its first session in one transaction: a failure half-way (or a kill)
    // leaves no account without a session behind, and the retry succeeds.
    let mut tx = s.db.begin().await?;
    if !db::insert_user_with_id(&mut *tx, &id, &email, &hash, verified, now).await? {
        drop(tx);
        tracing::info!("signup with a registered email");
        if s.cfg.enumeration_safe_signup {
            return Ok(verify_step());
        }
        return Err(Problem::new(Code::EmailTaken));
    }
    if let Some(session) = &session {
        db::insert_session(&mut *tx, &session.id, &id, now, session.expires_at).await?;
    }
    tx.commit().await?;
    tracing::info!(user_id = %id, verified, "account created");
    if !verified {
        crate::links::send_first_verification(&s, email.clone(), &headers);
    }
    match session {
        Some(session) => Ok(session_response(
            &s,
            &id,
            &email,
            &session,
            StatusCode::CREATED,
        )),
        None => Ok(verify_step()),
    }
}

/// The token a request carries: `Authorization: Bearer`, else the session cookie.
fn request_token(s: &Shared, headers: &HeaderMap) -> Option<String> {
    if let Some(auth) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let (scheme, rest) = auth.split_once(' ').unwrap_or((auth, ""));
        if scheme.eq_ignore_ascii_case("bearer") && !rest.trim().is_empty() {
            return Some(rest.trim().to_string());
        }
    }
    let name = cookie_name(s);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty())
}

/// Validates the request's token and session row. The reason of a refusal is logged only.
pub async fn authenticate(s: &Shared, headers: &HeaderMap) -> Result<(db::User, String), Problem> {
    let token = request_token(s, headers)
        .ok_or_else(|| Problem::new(Code::SessionInvalid).detail("No session token was sent."))?;
    let claims = s.keys.verify(&token).map_err(|e| match e {
        TokenError::Expired => Problem::new(Code::SessionExpired),
        TokenError::Invalid(reason) => {
            tracing::info!(reason, "session token refused");
            Problem::new(Code::SessionInvalid)
        }
    })?;
    let invalid = |reason: &'static str| {
        tracing::info!(reason, session_id = %claims.sid, "session refused");
        Problem::new(Code::SessionInvalid)
    };
    let row = db::session(&s.db, &claims.sid)
        .await?
        .ok_or_else(|| invalid("unknown_session"))?;
    if row.revoked {
        return Err(invalid("revoked"));
    }
    if row.user_id != claims.sub {
        return Err(invalid("subject_mismatch"));
    }
    let leeway = i64::try_from(s.keys.leeway()).unwrap_or(0);
    if row.expires_at + leeway < now_i64() {
        return Err(Problem::new(Code::SessionExpired));
    }
    let user = db::user_by_id(&s.db, &row.user_id)
        .await?
        .ok_or_else(|| invalid("no_user"))?;
    if user.disabled {
        return Err(Problem::new(Code::AccountDisabled));
    }
    Ok((user, claims.sid))
}

/// The current session.
#[utoipa::path(
    get,
    path = "/auth/session",
    tag = "auth",
    security((), ("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "Signed in", body = SessionBody),
        (status = 401, description = "session_invalid, session_expired", body = ProblemBody,
            content_type = "application/problem+json"),
    )
)]
pub async fn session(State(s): State<Shared>, headers: HeaderMap) -> Result<Response, Problem> {
    let (user, _) = authenticate(&s, &headers).await?;
    let body = SessionBody {
        user: UserView {
            id: user.id,
            email: user.email,
        },
        access_token: None,
    };
    let mut resp = Json(body).into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

/// Sign out: revokes the session server-side and clears the cookie. 204 whether or not a
/// session was sent. Like the other POSTs it cannot be sent from a foreign page: it needs a
/// JSON content type (which a cross-site form cannot send) or an `Origin` of this server's
/// own pages or an `--allow-origin` origin.
#[utoipa::path(
    post,
    path = "/auth/logout",
    tag = "auth",
    responses(
        (status = 204, description = "Signed out"),
        (status = 403, description = "forbidden (a foreign Origin)", body = ProblemBody,
            content_type = "application/problem+json"),
        (status = 415, description = "unsupported_media_type (no Origin and not JSON)",
            body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn logout(State(s): State<Shared>, headers: HeaderMap) -> Result<Response, Problem> {
    match check_origin(&s.cfg, &headers) {
        OriginCheck::Foreign => return Err(Problem::new(Code::Forbidden)),
        OriginCheck::Absent if !input::is_json(&headers) => {
            return Err(Problem::new(Code::UnsupportedMediaType));
        }
        _ => {}
    }
    if let Some(token) = request_token(&s, &headers) {
        match s.keys.verify(&token) {
            Ok(claims) => {
                db::revoke_session(&s.db, &claims.sid, now_i64()).await?;
                tracing::info!(session_id = %claims.sid, "session revoked");
            }
            Err(e) => tracing::info!(?e, "logout with an unusable token"),
        }
    }
    let mut resp = StatusCode::NO_CONTENT.into_response();
    resp.headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&s, "", 0));
    Ok(resp)
}

/// Ask for a password-reset email. Always 202 for a well-formed request, whether or not the
/// account exists, and also while the account is locked (sessions-24). The link arrives at the
/// address if it has an account (and no link went to it within `--link-mail-interval-secs`).
#[utoipa::path(
    post,
    path = "/auth/password-reset",
    tag = "auth",
    request_body(content = ResetRequest, content_type = "application/json"),
    responses(
        (status = 202, description = "Accepted (says nothing about the account)", body = NextStep),
        (status = 422, description = "validation_failed", body = ProblemBody,
            content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = ProblemBody,
            content_type = "application/problem+json"),
    )
)]
pub async fn password_reset(
    State(s): State<Shared>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    let map = input::json_object(&headers, body).await?;
    input::no_extra_fields(&map, &["email"])?;
    let mut errors: Vec<FieldError> = Vec::new();
    let email =
        input::string_field(&map, "email", &mut errors).and_then(|e| input::email(&e, &mut errors));
    input::finish(errors)?;
    let email = email.ok_or_else(|| Problem::internal("email missing after validation"))?;
    // Everything else happens after the answer (recovery-29): the answer and its timing
    // are the same whether or not the address has an account.
    crate::links::request_reset(&s, email, &headers);
    Ok((StatusCode::ACCEPTED, Json(json!({"next": "check_email"}))).into_response())
}
