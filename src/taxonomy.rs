//! The failure taxonomy: every way a call to the auth API can end, as one value.
//!
//! Pure Rust with no web types, so it is tested natively. [`classify`] is total: any
//! status, header set and body (including garbage) maps to exactly one [`Outcome`], and it
//! never panics. Only the problem `code` chooses a failure; `detail` and `title` are never read.

use crate::problem::{self, Problem};

/// Which call was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Flow {
    /// `POST {base}/login`
    Login,
    /// `POST {base}/signup`
    Signup,
    /// `GET {base}/session`, made after every login and sign-up before success is announced.
    Session,
    /// `POST {base}/logout`
    Logout,
    /// `POST {base}/password-reset`
    PasswordReset,
    /// `POST {base}/password-reset/complete`: a new password with the token of a reset link.
    PasswordResetComplete,
    /// `POST {base}/verify-email`: the token of a verification link.
    VerifyEmail,
    /// `POST {base}/verify-email/resend`: a new verification link for an email.
    VerifyEmailResend,
    /// `POST {base}/login/second-factor`: the code of a sign-in's second step.
    LoginSecondFactor,
}

impl Flow {
    /// Every flow, for tests and the fuzzer.
    pub const ALL: [Flow; 9] = [
        Flow::Login,
        Flow::Signup,
        Flow::Session,
        Flow::Logout,
        Flow::PasswordReset,
        Flow::PasswordResetComplete,
        Flow::VerifyEmail,
        Flow::VerifyEmailResend,
        Flow::LoginSecondFactor,
    ];

    /// The contract's call for this flow (its method and path).
    pub fn call(self) -> auth_contract::Call {
        use auth_contract::Call;
        match self {
            Flow::Login => Call::Login,
            Flow::Signup => Call::Signup,
            Flow::Session => Call::Session,
            Flow::Logout => Call::Logout,
            Flow::PasswordReset => Call::PasswordReset,
            Flow::PasswordResetComplete => Call::PasswordResetComplete,
            Flow::VerifyEmail => Call::VerifyEmail,
            Flow::VerifyEmailResend => Call::VerifyEmailResend,
            Flow::LoginSecondFactor => Call::LoginSecondFactor,
        }
    }

    /// Stable name used in events, telemetry and `data-` attributes.
    pub fn as_str(self) -> &'static str {
        match self {
            Flow::Login => "login",
            Flow::Signup => "signup",
            Flow::Session => "session",
            Flow::Logout => "logout",
            Flow::PasswordReset => "password_reset",
            Flow::PasswordResetComplete => "password_reset_complete",
            Flow::VerifyEmail => "verify_email",
            Flow::VerifyEmailResend => "verify_email_resend",
            Flow::LoginSecondFactor => "login_second_factor",
        }
    }
}

/// Every failure the widget distinguishes (docs/contract.md, "The failures the widget distinguishes").
///
/// The `Display`-free [`FailureKind::as_str`] is for developers and `data-failure`; people see copy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FailureKind {
    /// Email and password do not match an account (or the email is unknown: the same answer).
    InvalidCredentials,
    /// Too many failed attempts on this account.
    AccountLocked,
    /// An operator disabled the account.
    AccountDisabled,
    /// Sign-in before the verification link was used.
    EmailUnverified,
    /// The server refused one or more fields; see [`Failure::field_errors`].
    ValidationFailed,
    /// Sign-up with an email that already has an account.
    EmailTaken,
    /// Sign-up is switched off.
    SignupClosed,
    /// Too many requests from this client; wait.
    RateLimited,
    /// The server could not validate the session token: a service-side fault.
    SessionInvalid,
    /// The session is past its lifetime.
    SessionExpired,
    /// A reset or verification link past its lifetime, or replaced by a newer one.
    LinkExpired,
    /// A reset or verification link that has already done its work.
    LinkUsed,
    /// A link token the service never issued (mistyped, cut short, or long forgotten).
    LinkInvalid,
    /// A one-time or recovery code that does not match.
    CodeInvalid,
    /// A one-time code that was already used (wait for the next one).
    CodeUsed,
    /// Too many wrong codes: codes are paused for the account for a while.
    CodesPaused,
    /// The sign-in's second step is past its few minutes (or already done): start again.
    StepExpired,
    /// Maintenance or overload.
    ServiceUnavailable,
    /// Anything unexpected on the server; may carry a reference id.
    InternalError,
    /// Login or sign-up was accepted but the session check that follows failed (the incident).
    SessionRejected,
    /// The browser reports no network connection.
    Offline,
    /// The request did not reach the service (refused, DNS, CORS).
    Unreachable,
    /// No answer in time; the request was aborted.
    Timeout,
    /// An answer that is not problem+json or not the promised shape (e.g. a proxy's HTML page).
    UnexpectedResponse,
    /// A code this widget does not know; handled by status class, never as wrong credentials.
    Unknown,
}

impl FailureKind {
    /// Every kind, in a fixed order (fixtures and the gallery iterate this).
    pub const ALL: [FailureKind; 25] = [
        FailureKind::InvalidCredentials,
        FailureKind::AccountLocked,
        FailureKind::AccountDisabled,
        FailureKind::EmailUnverified,
        FailureKind::ValidationFailed,
        FailureKind::EmailTaken,
        FailureKind::SignupClosed,
        FailureKind::RateLimited,
        FailureKind::SessionInvalid,
        FailureKind::SessionExpired,
        FailureKind::LinkExpired,
        FailureKind::LinkUsed,
        FailureKind::LinkInvalid,
        FailureKind::CodeInvalid,
        FailureKind::CodeUsed,
        FailureKind::CodesPaused,
        FailureKind::StepExpired,
        FailureKind::ServiceUnavailable,
        FailureKind::InternalError,
        FailureKind::SessionRejected,
        FailureKind::Offline,
        FailureKind::Unreachable,
        FailureKind::Timeout,
        FailureKind::UnexpectedResponse,
        FailureKind::Unknown,
    ];

    /// The snake_case name: the server code for server-coded kinds, and `data-failure`.
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::InvalidCredentials => "invalid_credentials",
            FailureKind::AccountLocked => "account_locked",
            FailureKind::AccountDisabled => "account_disabled",
            FailureKind::EmailUnverified => "email_unverified",
            FailureKind::ValidationFailed => "validation_failed",
            FailureKind::EmailTaken => "email_taken",
            FailureKind::SignupClosed => "signup_closed",
            FailureKind::RateLimited => "rate_limited",
            FailureKind::SessionInvalid => "session_invalid",
            FailureKind::SessionExpired => "session_expired",
            FailureKind::LinkExpired => "link_expired",
            FailureKind::LinkUsed => "link_used",
            FailureKind::LinkInvalid => "link_invalid",
            FailureKind::CodeInvalid => "code_invalid",
            FailureKind::CodeUsed => "code_used",
            FailureKind::CodesPaused => "codes_paused",
            FailureKind::StepExpired => "step_expired",
            FailureKind::ServiceUnavailable => "service_unavailable",
            FailureKind::InternalError => "internal_error",
            FailureKind::SessionRejected => "session_rejected",
            FailureKind::Offline => "offline",
            FailureKind::Unreachable => "unreachable",
            FailureKind::Timeout => "timeout",
            FailureKind::UnexpectedResponse => "unexpected_response",
            FailureKind::Unknown => "unknown",
        }
    }

    /// The kind for a server `code`, with the status class the contract gives it
    /// (`true` for 5xx). Client-side kinds have no code.
    fn from_code(code: &str) -> Option<(FailureKind, bool)> {
        use auth_contract::Code as C;
        let code = C::parse(code)?;
        let kind = match code {
            C::InvalidCredentials => FailureKind::InvalidCredentials,
            C::AccountLocked => FailureKind::AccountLocked,
            C::AccountDisabled => FailureKind::AccountDisabled,
            C::EmailUnverified => FailureKind::EmailUnverified,
            C::ValidationFailed => FailureKind::ValidationFailed,
            C::EmailTaken => FailureKind::EmailTaken,
            C::SignupClosed => FailureKind::SignupClosed,
            C::RateLimited => FailureKind::RateLimited,
            C::SessionInvalid => FailureKind::SessionInvalid,
            C::SessionExpired => FailureKind::SessionExpired,
            C::ServiceUnavailable => FailureKind::ServiceUnavailable,
            C::InternalError => FailureKind::InternalError,
            C::LinkExpired => FailureKind::LinkExpired,
            C::LinkUsed => FailureKind::LinkUsed,
            C::LinkInvalid => FailureKind::LinkInvalid,
            C::CodeInvalid => FailureKind::CodeInvalid,
            C::CodeUsed => FailureKind::CodeUsed,
            C::CodesPaused => FailureKind::CodesPaused,
            C::StepExpired => FailureKind::StepExpired,
            // Passkeys are not in the widget yet: until they are, these codes read as codes it
            // does not know.
            C::PasskeyUnknown | C::PasskeyInvalid | C::PasskeyRegistered | C::ChallengeExpired => {
                return None;
            }
        };
        Some((kind, code.is_server_error()))
    }

    /// True for a server `code` of the contract (what a backend profile may translate into).
    pub fn is_contract_code(code: &str) -> bool {
        Self::from_code(code).is_some()
    }

    /// True when the fault is on the service's side: the copy must say so and never
    /// suggest the person's details are wrong (errors-17).
    pub fn is_service_side(self) -> bool {
        matches!(
            self,
            FailureKind::SessionInvalid
                | FailureKind::ServiceUnavailable
                | FailureKind::InternalError
                | FailureKind::SessionRejected
                | FailureKind::UnexpectedResponse
        )
    }
}

/// A form field the server or the client can complain about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    Email,
    Password,
    /// The one-time or recovery code of a sign-in's second step.
    Code,
}

impl Field {
    /// Every field.
    pub const ALL: [Field; 3] = [Field::Email, Field::Password, Field::Code];

    /// The field for its contract name (`email`, `password`).
    pub fn parse(s: &str) -> Option<Self> {
        Field::ALL.into_iter().find(|f| f.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Field::Email => "email",
            Field::Password => "password",
            Field::Code => "code",
        }
    }
}

/// Why a field was refused (`errors[].code` in the contract).
pub use auth_contract::FieldCode as FieldErrorCode;

/// One refused field, with the limit the message should state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: Field,
    pub code: FieldErrorCode,
    pub min: Option<u32>,
    pub max: Option<u32>,
}

/// A classified failure with what the guidance needs to say and do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub kind: FailureKind,
    /// HTTP status, when there was an answer.
    pub status: Option<u16>,
    /// Seconds to wait before trying again (from `Retry-After` or `retry_after`).
    pub retry_after: Option<u32>,
    /// The problem's `instance`, shown as a reference id for support.
    pub reference: Option<String>,
    /// Per-field problems from `validation_failed`.
    pub field_errors: Vec<FieldError>,
}

impl Failure {
    /// A failure with nothing but its kind (client-side failures).
    pub fn bare(kind: FailureKind) -> Self {
        Failure {
            kind,
            status: None,
            retry_after: None,
            reference: None,
            field_errors: Vec::new(),
        }
    }
}

/// The signed-in user, as the contract returns it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub email: String,
}

/// What a successful call gave back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Success {
    /// Login, sign-up (201) or session check: a user, and a bearer token if the server gives one.
    SignedIn {
        user: User,
        access_token: Option<String>,
    },
    /// Sign-up answered 202: the person must follow the link in their email.
    VerifyEmail,
    /// A link did its work (an address confirmed, a password changed): sign in next, as this
    /// email (`{"next": "sign_in", "email"}`).
    SignInNext { email: String },
    /// The password was right and the account has a second factor: a code comes next, sent
    /// with this step token (`202 {"next": "second_factor", "step"}`). No session yet.
    SecondFactor { step: String },
    /// Password reset (202), a new verification link (202) or logout (204): nothing to read.
    Done,
}

/// How the request itself ended, before any HTTP status is known.
#[derive(Clone, Copy, Debug)]
pub enum Transport<'a> {
    /// `navigator.onLine` was false.
    Offline,
    /// The fetch rejected: refused, DNS, CORS.
    Unreachable,
    /// Aborted by the timeout.
    Timeout,
    /// An HTTP answer arrived.
    Response(Response<'a>),
}

/// An HTTP answer, as plain data.
#[derive(Clone, Copy, Debug)]
pub struct Response<'a> {
    pub status: u16,
    /// Header names are matched case-insensitively.
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
    /// Seconds since the Unix epoch, to turn an HTTP-date `Retry-After` into seconds.
    pub now_unix: u64,
}

impl Response<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The result of one call: a success or exactly one failure.
pub type Outcome = Result<Success, Failure>;

/// Longest wait the widget will count down (a day); larger values are clamped.
const MAX_WAIT_SECS: u32 = 86_400;

/// Classifies how a call ended. Total and panic-free for every input.
pub fn classify(flow: Flow, transport: Transport<'_>) -> Outcome {
    let response = match transport {
        Transport::Offline => return Err(Failure::bare(FailureKind::Offline)),
        Transport::Unreachable => return Err(Failure::bare(FailureKind::Unreachable)),
        Transport::Timeout => return Err(Failure::bare(FailureKind::Timeout)),
        Transport::Response(r) => r,
    };
    if (200..300).contains(&response.status) {
        return classify_success(flow, &response);
    }
    Err(after_session_rule(flow, classify_error(flow, &response)))
}

/// The session check after a login: any refusal is the service's fault, not the person's.
fn after_session_rule(flow: Flow, mut failure: Failure) -> Failure {
    if flow == Flow::Session && failure.kind != FailureKind::RateLimited {
        failure.kind = FailureKind::SessionRejected;
    }
    failure
}

fn unexpected(status: u16) -> Failure {
    Failure {
        status: Some(status),
        ..Failure::bare(FailureKind::UnexpectedResponse)
    }
}

fn classify_success(flow: Flow, r: &Response<'_>) -> Outcome {
    let expects_user = match (flow, r.status) {
        (Flow::Login | Flow::Session | Flow::LoginSecondFactor, 200) | (Flow::Signup, 201) => true,
        (Flow::Login, 202) => {
            return problem::parse_second_factor(r.body)
                .map(|step| Success::SecondFactor { step })
                .ok_or_else(|| unexpected(r.status));
        }
        (Flow::Signup, 202) => {
            return match problem::next_step(r.body).as_deref() {
                Some("verify_email") => Ok(Success::VerifyEmail),
                _ => Err(unexpected(r.status)),
            };
        }
        (Flow::VerifyEmail | Flow::PasswordResetComplete, 200) => {
            return problem::parse_sign_in_next(r.body)
                .map(|email| Success::SignInNext { email })
                .ok_or_else(|| unexpected(r.status));
        }
        (Flow::PasswordReset | Flow::VerifyEmailResend, 202) | (Flow::Logout, 204 | 200) => {
            return Ok(Success::Done);
        }
        _ => return Err(unexpected(r.status)),
    };
    debug_assert!(expects_user);
    problem::parse_signed_in(r.body)
        .map(|s| Success::SignedIn {
            user: User {
                id: s.id,
                email: s.email,
            },
            access_token: s.access_token,
        })
        .ok_or_else(|| unexpected(r.status))
}

fn classify_error(flow: Flow, r: &Response<'_>) -> Failure {
    let status = r.status;
    let content_type = r.header("content-type").unwrap_or("").to_ascii_lowercase();
    let is_json = content_type.starts_with("application/problem+json")
        || content_type.starts_with("application/json");
    let parsed: Option<Problem> = if is_json {
        problem::parse_problem(r.body)
    } else {
        None
    };
    let retry_after = r
        .header("retry-after")
        .and_then(|v| parse_retry_after(v, r.now_unix))
        .or_else(|| parsed.as_ref().and_then(|p| p.retry_after))
        .map(|s| s.min(MAX_WAIT_SECS));

    let Some(problem) = parsed else {
        // A login 401 with no problem body from a non-conforming API still means wrong details.
        if flow == Flow::Login && status == 401 && (r.body.is_empty() || is_json) {
            return Failure {
                status: Some(status),
                retry_after,
                ..Failure::bare(FailureKind::InvalidCredentials)
            };
        }
        return Failure {
            retry_after,
            ..unexpected(status)
        };
    };
    // The contract says `status` equals the HTTP status; a body that disagrees is not trusted.
    if problem.status.is_some_and(|s| s != u64::from(status)) || !(400..600).contains(&status) {
        return Failure {
            retry_after,
            ..unexpected(status)
        };
    }
    decide(
        flow,
        Refusal {
            status,
            code: match problem.code {
                Some(code) => RefusalCode::Contract(code),
                None => RefusalCode::Absent,
            },
            retry_after,
            reference: problem.instance,
            field_errors: problem
                .errors
                .iter()
                .filter_map(|e| {
                    Some(FieldError {
                        field: Field::parse(&e.field)?,
                        code: FieldErrorCode::parse(&e.code)?,
                        min: e.min,
                        max: e.max,
                    })
                })
                .collect(),
        },
    )
}

/// The one decision on a refused call, whatever API it came from.
fn decide(flow: Flow, refusal: Refusal) -> Failure {
    let Refusal {
        status,
        code,
        retry_after,
        reference,
        field_errors,
    } = refusal;
    let server_side = status >= 500;
    let kind = match code {
        RefusalCode::Contract(code) => match FailureKind::from_code(&code) {
            // A code is believed only when its status class agrees with the contract's.
            Some((kind, code_server_side)) if code_server_side == server_side => kind,
            _ => FailureKind::Unknown,
        },
        RefusalCode::Absent if flow == Flow::Login && status == 401 => {
            FailureKind::InvalidCredentials
        }
        RefusalCode::Absent | RefusalCode::Unknown => FailureKind::Unknown,
    };
    Failure {
        kind,
        status: Some(status),
        retry_after: retry_after.map(|s| s.min(MAX_WAIT_SECS)),
        reference: reference.filter(|s| is_displayable_reference(s)),
        field_errors: if kind == FailureKind::ValidationFailed {
            field_errors
        } else {
            Vec::new()
        },
    }
}

/// A refusal (4xx/5xx) already read from an answer: by [`classify`] for the contract, or by a
/// backend profile, which translates its API's codes into the contract's before this decides.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub code: RefusalCode,
    /// Seconds to wait, as the answer gave them (clamped here).
    pub retry_after: Option<u32>,
    pub reference: Option<String>,
    /// Kept only when the code means `validation_failed`.
    pub field_errors: Vec<FieldError>,
}

/// What the answer said the refusal was.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefusalCode {
    /// No code at all (a login 401 then means wrong details, as the contract allows).
    Absent,
    /// A code that has no meaning in the contract: handled by status class.
    Unknown,
    /// A contract code (`invalid_credentials`, …); believed only with a matching status class.
    Contract(String),
}

/// An answer as a backend profile read it, in the contract's terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Translated {
    /// A signed-in user (sign-in, sign-up, session check).
    SignedIn {
        user: User,
        access_token: Option<String>,
    },
    /// The answer says the person must use the link in their email first.
    CheckInbox {
        status: u16,
    },
    /// The session check answered, but with no session.
    NoSession {
        status: u16,
    },
    /// Accepted; nothing to read (sign-out, reset request, a new verification link).
    Done,
    /// A link did its work: the person signs in next, as this email (empty when the API's
    /// answer does not name it).
    SignInNext {
        email: String,
    },
    Refused(Refusal),
    /// Not the shape the profile promised (HTML, malformed JSON, a success without a user).
    Unexpected {
        status: u16,
    },
}

/// Classifies an answer a backend profile has translated. The same rules as [`classify`]: the
/// taxonomy alone turns codes into kinds, and the session check's refusals are the service's.
pub fn classify_translated(flow: Flow, answer: Translated) -> Outcome {
    match answer {
        Translated::SignedIn { user, access_token }
            if matches!(flow, Flow::Login | Flow::Signup | Flow::Session) =>
        {
            Ok(Success::SignedIn { user, access_token })
        }
        Translated::CheckInbox { .. } if flow == Flow::Signup => Ok(Success::VerifyEmail),
        Translated::CheckInbox { status } if flow == Flow::Login => Err(Failure {
            status: Some(status),
            ..Failure::bare(FailureKind::EmailUnverified)
        }),
        Translated::NoSession { status } if flow == Flow::Session => Err(Failure {
            status: Some(status),
            ..Failure::bare(FailureKind::SessionRejected)
        }),
        Translated::Done
            if matches!(
                flow,
                Flow::Logout | Flow::PasswordReset | Flow::VerifyEmailResend
            ) =>
        {
            Ok(Success::Done)
        }
        Translated::SignInNext { email }
            if matches!(flow, Flow::VerifyEmail | Flow::PasswordResetComplete) =>
        {
            Ok(Success::SignInNext { email })
        }
        Translated::Refused(refusal) if (400..600).contains(&refusal.status) => {
            Err(after_session_rule(flow, decide(flow, refusal)))
        }
        Translated::SignedIn { .. } | Translated::Done | Translated::SignInNext { .. } => {
            Err(unexpected(200))
        }
        Translated::CheckInbox { status }
        | Translated::NoSession { status }
        | Translated::Unexpected { status }
        | Translated::Refused(Refusal { status, .. }) => Err(unexpected(status)),
    }
}

/// A reference id is shown to people: keep it short and printable.
fn is_displayable_reference(s: &str) -> bool {
    !s.is_empty() && s.chars().count() <= 100 && !s.chars().any(char::is_control)
}

/// `Retry-After`: delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
pub fn parse_retry_after(value: &str, now_unix: u64) -> Option<u32> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(
            value
                .parse::<u64>()
                .unwrap_or(u64::MAX)
                .min(u64::from(u32::MAX)) as u32,
        );
    }
    let at = parse_imf_fixdate(value)?;
    Some(at.saturating_sub(now_unix).min(u64::from(u32::MAX)) as u32)
}

/// Parses `Sun, 06 Nov 1994 08:49:37 GMT` into seconds since the epoch.
fn parse_imf_fixdate(s: &str) -> Option<u64> {
    let rest = s.split_once(", ")?.1;
    let parts: Vec<&str> = rest.split(' ').collect();
    let [day, month, year, time, "GMT"] = parts.as_slice() else {
        return None;
    };
    let day: u64 = day.parse().ok()?;
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    .iter()
    .position(|m| m == month)? as u64
        + 1;
    let year: i64 = year.parse().ok()?;
    let hms: Vec<u64> = time
        .split(':')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let [h, m, sec] = hms.as_slice() else {
        return None;
    };
    if !(1..=31).contains(&day) || *h > 23 || *m > 59 || *sec > 60 || !(1970..=9999).contains(&year)
    {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let (y, mo) = if month <= 2 {
        (year - 1, month + 9)
    } else {
        (year, month - 3)
    };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * mo as i64 + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days as u64 * 86_400 + h * 3600 + m * 60 + sec)
}
