//! One-time codes as a second factor (factors-33 to factors-35): setting up TOTP (RFC 6238)
//! for a signed-in account, the second step of a sign-in, and recovery codes.
//!
//! A correct password of an account with codes on answers 202 `{"next":"second_factor",
//! "step"}`, never a session: `step` is a short-lived, single-use token that stands for the
//! password. `POST /auth/login/second-factor` with it and a code (or a recovery code) signs in.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use totp_rs::{Algorithm, Secret, TOTP};
use utoipa::ToSchema;

use crate::links::{new_token, token_hash};
use crate::problem::{Code, FieldError, Problem, ProblemBody};
use crate::state::Shared;
use crate::tokens::now_i64 as now;
use crate::{auth, db, input};

/// Seconds per code (RFC 6238 section 4: the default X = 30).
const STEP_SECS: u64 = 30;
/// Digits per code.
const DIGITS: usize = 6;
/// Wrong codes in a row before codes pause; each further one doubles the pause.
const FREE_FAILURES: i64 = 5;
const FIRST_PAUSE_SECS: i64 = 30;
const LONGEST_PAUSE_SECS: i64 = 15 * 60;
/// Wrong codes in a row after which codes stay paused until an operator clears them: never
/// more than 100 in a row (NIST SP 800-63B section 5.2.2).
pub const MAX_FAILURES: i64 = 100;
/// Recovery codes per setup (factors-34: at least ten).
pub const RECOVERY_CODES: usize = 10;
/// How long the second step of a sign-in may take.
pub const STEP_TTL_SECS: i64 = 300;
/// The name authenticator apps show for the account.
const ISSUER: &str = "auth-widget";

/// `{"secret", "uri", "qr_svg"}`: what an authenticator app needs, as text, as an
/// `otpauth://` URI and as a QR code of that URI.
#[derive(Serialize, ToSchema)]
pub struct TotpSetupBody {
    /// The secret in base32, to type into an app.
    pub secret: String,
    /// `otpauth://totp/…`, for a QR code or a link on a phone.
    pub uri: String,
    /// The URI as a QR code: a self-contained SVG document (no scripts, no external
    /// references), dark modules on white with a four-module quiet zone, a `viewBox`, and a
    /// `<title>` for screen readers.
    pub qr_svg: String,
}

/// What the QR code's `<title>` says (and so what a screen reader reads for it).
pub const QR_TITLE: &str = "QR code of the one-time code setup: scan it with an authenticator app";
/// The least width and height of the QR code, in SVG user units.
const QR_MIN_SIZE: u32 = 200;

/// `uri` as an SVG QR code (ISO/IEC 18004, error correction level M, the quiet zone of four
/// modules the standard asks for). Without the XML declaration, so the document can also be
/// put inline into an HTML page.
pub fn qr_svg(uri: &str) -> Result<String, Problem> {
    use qrcode::render::svg;
    let code = qrcode::QrCode::with_error_correction_level(uri.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| Problem::internal(format!("QR code: {e}")))?;
    let image = code
        .render::<svg::Color>()
        .quiet_zone(true)
        .min_dimensions(QR_MIN_SIZE, QR_MIN_SIZE)
        .dark_color(svg::Color("#000"))
        .light_color(svg::Color("#fff"))
        .build();
    let image = match image.find("<svg") {
        Some(start) => &image[start..],
        None => return Err(Problem::internal("QR code: no <svg> element")),
    };
    let open_end = image
        .find('>')
        .ok_or_else(|| Problem::internal("QR code: unterminated <svg>"))?;
    Ok(format!(
        "{} role=\"img\"><title>{QR_TITLE}</title>{}",
        &image[..open_end],
        &image[open_end + 1..]
    ))
}

/// `{"code"}`: a one-time code (spaces and dashes are ignored).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct CodeBody {
    pub code: String,
}

/// `{"recovery_codes": [...]}`: shown once; each works once.
#[derive(Serialize, ToSchema)]
pub struct RecoveryCodesBody {
    pub recovery_codes: Vec<String>,
}

/// `{"step", "code"}`: the second step of a sign-in.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct SecondStep {
    pub step: String,
    /// A one-time code or a recovery code.
    pub code: String,
}

/// `{"next":"second_factor","step","methods"}`: the password was right; a code is next.
#[derive(Serialize, ToSchema)]
pub struct SecondFactorNeeded {
    pub next: &'static str,
    pub step: String,
    pub methods: [&'static str; 2],
}

fn random_bytes<const N: usize>() -> Result<[u8; N], Problem> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| Problem::internal(format!("no OS randomness: {e}")))?;
    Ok(b)
}

fn totp(secret_base32: &str, email: &str) -> Result<TOTP, Problem> {
    let bytes = Secret::Encoded(secret_base32.to_string())
        .to_bytes()
        .map_err(|_| Problem::internal("stored TOTP secret is not base32"))?;
    TOTP::new(
        Algorithm::SHA1,
        DIGITS,
        0,
        STEP_SECS,
        bytes,
        Some(ISSUER.to_string()),
        email.to_string(),
    )
    .map_err(|e| Problem::internal(format!("TOTP: {e}")))
}

/// The code as typed, without spaces and dashes (pasted codes often carry them), lower case.
pub fn normalize(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The 30-second step `code` belongs to, within one step of now either way (RFC 6238
/// section 5.2: clocks drift; one step back covers a code typed as it changed).
pub fn matching_step(t: &TOTP, code: &str, now: u64) -> Option<i64> {
    let current = now / STEP_SECS;
    [current.saturating_sub(1), current, current + 1]
        .into_iter()
        .find(|step| same(&t.generate(step * STEP_SECS), code))
        .and_then(|step| i64::try_from(step).ok())
}

/// How long codes pause after `failures` wrong ones in a row.
pub fn pause_secs(failures: i64) -> i64 {
    if failures >= MAX_FAILURES {
        return i64::MAX / 4;
    }
    if failures < FREE_FAILURES {
        return 0;
    }
    let doublings = u32::try_from(failures - FREE_FAILURES)
        .unwrap_or(u32::MAX)
        .min(16);
    (FIRST_PAUSE_SECS << doublings).min(LONGEST_PAUSE_SECS)
}

fn paused(until: i64, now: i64) -> Problem {
    let wait = u64::try_from(until.saturating_sub(now)).unwrap_or(1).max(1);
    Problem::new(Code::CodesPaused).retry_after(wait)
}

/// A wrong code: counted, and the answer that says so (a pause when it starts one).
async fn wrong_code(s: &Shared, user_id: &str, now: i64) -> Result<Problem, Problem> {
    let failures = db::totp_failure(&s.db, user_id).await?;
    let pause = pause_secs(failures);
    if pause == 0 {
        return Ok(Problem::new(Code::CodeInvalid));
    }
    let until = now.saturating_add(pause);
    db::pause_totp(&s.db, user_id, until).await?;
    tracing::warn!(user_id = %user_id, failures, "one-time codes paused for an account");
    Ok(paused(until, now))
}

fn code_field(map: &serde_json::Map<String, serde_json::Value>) -> Result<String, Problem> {
    let mut errors = Vec::new();
    let code = input::string_field(map, "code", &mut errors).map(|c| normalize(&c));
    if code
        .as_deref()
        .is_some_and(|c| c.is_empty() || c.len() > 64)
    {
        errors.push(FieldError::new("code", "malformed"));
    }
    input::finish(errors)?;
    code.ok_or_else(|| Problem::internal("code missing after validation"))
}

fn no_store(mut resp: Response) -> Response {
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// Start setting up one-time codes for the signed-in account: a new secret that asks for
/// nothing until a first code from it confirms the setup. Once codes are on, this is refused.
#[utoipa::path(
    post,
    path = "/auth/totp/setup",
    tag = "auth",
    responses(
        (status = 200, description = "A new secret, not yet in use (also as a QR code)",
            body = TotpSetupBody),
        (status = 401, description = "session_invalid, session_expired", body = ProblemBody,
            content_type = "application/problem+json"),
        (status = 403, description = "forbidden (codes are already on)", body = ProblemBody,
            content_type = "application/problem+json"),
    )
)]
pub async fn totp_setup(
    State(s): State<Shared>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    let map = input::json_object(&headers, body).await?;
    input::no_extra_fields(&map, &[])?;
    let (user, _) = auth::authenticate(&s, &headers).await?;
    if db::totp(&s.db, &user.id)
        .await?
        .is_some_and(|t| t.confirmed_at.is_some())
    {
        return Err(
            Problem::new(Code::Forbidden).detail("One-time codes are already on for this account.")
        );
    }
    // 160 bits, the length RFC 4226 section 4 recommends for the shared secret.
    let secret = Secret::Raw(random_bytes::<20>()?.to_vec()).to_encoded();
    let Secret::Encoded(secret) = secret else {
        return Err(Problem::internal("TOTP secret did not encode"));
    };
    db::start_totp_setup(&s.db, &user.id, &secret, now()).await?;
    let uri = totp(&secret, &user.email)?.get_url();
    let qr_svg = qr_svg(&uri)?;
    tracing::info!(user_id = %user.id, "one-time code setup started");
    Ok(no_store(
        Json(TotpSetupBody {
            secret,
            uri,
            qr_svg,
        })
        .into_response(),
    ))
}

/// Turn one-time codes on with a first code from the new secret. Answers ten recovery codes,
/// shown this once (factors-34).
#[utoipa::path(
    post,
    path = "/auth/totp/confirm",
    tag = "auth",
    request_body(content = CodeBody, content_type = "application/json"),
    responses(
        (status = 200, description = "Codes are on; the recovery codes", body = RecoveryCodesBody),
        (status = 401, description = "code_invalid, session_invalid, session_expired",
            body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "forbidden (no setup started, or codes already on)",
            body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "codes_paused", body = ProblemBody,
            content_type = "application/problem+json"),
    )
)]
pub async fn totp_confirm(
    State(s): State<Shared>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    let map = input::json_object(&headers, body).await?;
    input::no_extra_fields(&map, &["code"])?;
    let code = code_field(&map)?;
    let (user, _) = auth::authenticate(&s, &headers).await?;
    let now = now();
    let factor = db::totp(&s.db, &user.id)
        .await?
        .filter(|t| t.confirmed_at.is_none())
        .ok_or_else(|| {
            Problem::new(Code::Forbidden).detail("Start the setup of one-time codes first.")
        })?;
    if factor.paused_until > now {
        return Err(paused(factor.paused_until, now));
    }
    let t = totp(&factor.secret, &user.email)?;
    let Some(step) = matching_step(&t, &code, crate::tokens::now()) else {
        return Err(wrong_code(&s, &user.id, now).await?);
    };
    let codes: Vec<String> = (0..RECOVERY_CODES)
        .map(|_| new_recovery_code())
        .collect::<Result<_, _>>()?;
    let hashes: Vec<String> = codes
        .iter()
        .map(|c| recovery_hash(&user.id, &normalize(c)))
        .collect();
    let mut tx = s.db.begin().await?;
    if !db::confirm_totp(&mut *tx, &user.id, step, now).await? {
        return Err(Problem::new(Code::Forbidden).detail("One-time codes are already on."));
    }
    db::replace_recovery_codes(&mut tx, &user.id, &hashes).await?;
    tx.commit().await?;
    tracing::info!(user_id = %user.id, "one-time codes turned on");
    Ok(no_store(
        Json(RecoveryCodesBody {
            recovery_codes: codes,
        })
        .into_response(),
    ))
}

/// Base32 without the look-alikes' confusion: lower case, 12 characters (60 bits) in three
/// groups (`abcd-efgh-ijkm`).
fn new_recovery_code() -> Result<String, Problem> {
    const ALPHABET: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let bytes = random_bytes::<12>()?;
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(b & 31)]))
        .collect();
    Ok(chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-"))
}

/// The stored form of a recovery code: SHA-256 of the account id and the normalized code.
fn recovery_hash(user_id: &str, code: &str) -> String {
    token_hash(&format!("{user_id}:{code}"))
}

/// After a correct password: whether the account asks for a code, and if so the answer that
/// says so, with a new step token (stored as its hash).
pub async fn second_step_if_needed(
    s: &Shared,
    user: &db::User,
) -> Result<Option<Response>, Problem> {
    let on = db::totp(&s.db, &user.id)
        .await?
        .is_some_and(|t| t.confirmed_at.is_some());
    if !on {
        return Ok(None);
    }
    let step = new_token().map_err(Problem::internal)?;
    let expires = now().saturating_add(STEP_TTL_SECS);
    db::insert_login_step(&s.db, &token_hash(&step), &user.id, expires).await?;
    let body = SecondFactorNeeded {
        next: "second_factor",
        step,
        methods: ["totp", "recovery_code"],
    };
    Ok(Some(no_store(
        (axum::http::StatusCode::ACCEPTED, Json(body)).into_response(),
    )))
}

/// The second step of a sign-in: the step token from the password's answer and a one-time
/// code (or a recovery code). A code is accepted once (replay refused: `code_used`); wrong
/// codes pause codes for the account (`codes_paused`, with `Retry-After`).
#[utoipa::path(
    post,
    path = "/auth/login/second-factor",
    tag = "auth",
    request_body(content = SecondStep, content_type = "application/json"),
    responses(
        (status = 200, description = "Signed in; session cookie set", body = auth::SessionBody),
        (status = 401, description = "code_invalid, code_used", body = ProblemBody,
            content_type = "application/problem+json"),
        (status = 403, description = "account_disabled", body = ProblemBody,
            content_type = "application/problem+json"),
        (status = 410, description = "step_expired (sign in again)", body = ProblemBody,
            content_type = "application/problem+json"),
        (status = 422, description = "validation_failed", body = ProblemBody,
            content_type = "application/problem+json"),
        (status = 429, description = "codes_paused, rate_limited", body = ProblemBody,
            content_type = "application/problem+json"),
    )
)]
pub async fn second_factor(
    State(s): State<Shared>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    let map = input::json_object(&headers, body).await?;
    input::no_extra_fields(&map, &["step", "code"])?;
    let mut errors = Vec::new();
    let step = input::string_field(&map, "step", &mut errors);
    let code = code_field(&map);
    input::finish(errors)?;
    let code = code?;
    let step = step.ok_or_else(|| Problem::internal("step missing after validation"))?;
    let step_hash = token_hash(step.trim());
    let now = now();
    let expired = || Problem::new(Code::StepExpired);
    let pending = db::login_step(&s.db, &step_hash)
        .await?
        .filter(|p| p.used_at.is_none() && p.expires_at >= now)
        .ok_or_else(expired)?;
    let user = db::user_by_id(&s.db, &pending.user_id)
        .await?
        .ok_or_else(expired)?;
    if user.disabled {
        return Err(Problem::new(Code::AccountDisabled));
    }
    let factor = db::totp(&s.db, &user.id)
        .await?
        .filter(|t| t.confirmed_at.is_some())
        .ok_or_else(expired)?;
    if factor.paused_until > now {
        return Err(paused(factor.paused_until, now));
    }
    let accepted = if code.len() == DIGITS && code.bytes().all(|b| b.is_ascii_digit()) {
        let t = totp(&factor.secret, &user.email)?;
        match matching_step(&t, &code, crate::tokens::now()) {
            Some(step) if step <= factor.last_step => return Err(Problem::new(Code::CodeUsed)),
            // Two answers racing for one code: the second finds the step taken.
            Some(step) => {
                if !db::accept_totp_step(&s.db, &user.id, step).await? {
                    return Err(Problem::new(Code::CodeUsed));
                }
                true
            }
            None => false,
        }
    } else {
        let used =
            db::use_recovery_code(&s.db, &recovery_hash(&user.id, &code), &user.id, now).await?;
        if used {
            db::clear_totp_failures(&s.db, &user.id).await?;
            tracing::info!(user_id = %user.id, "recovery code used");
        }
        used
    };
    if !accepted {
        return Err(wrong_code(&s, &user.id, now).await?);
    }
    if !db::use_login_step(&s.db, &step_hash, now).await? {
        return Err(expired());
    }
    auth::start_session(&s, &user, axum::http::StatusCode::OK).await
}
