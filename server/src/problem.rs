//! RFC 9457 problem details: every error this server answers.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

pub use auth_contract::Code as ContractCode;

/// Machine-readable error codes: the contract's (docs/contract.md, defined once in the
/// `auth-contract` crate), and the ones that answer requests no conforming client sends (bad
/// JSON, wrong route, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Code {
    Contract(ContractCode),
    // Outside the contract: protocol-level mistakes and operator endpoints.
    MalformedRequest,
    UnsupportedMediaType,
    PayloadTooLarge,
    NotFound,
    MethodNotAllowed,
    Forbidden,
    FaultsDisabled,
}

/// The contract's codes under their own names, so handlers read `Code::AccountLocked`; they
/// are constants (not a second list of variants) and match in patterns like variants.
#[allow(non_upper_case_globals)]
impl Code {
    pub const InvalidCredentials: Code = Code::Contract(ContractCode::InvalidCredentials);
    pub const AccountLocked: Code = Code::Contract(ContractCode::AccountLocked);
    pub const AccountDisabled: Code = Code::Contract(ContractCode::AccountDisabled);
    pub const EmailUnverified: Code = Code::Contract(ContractCode::EmailUnverified);
    pub const ValidationFailed: Code = Code::Contract(ContractCode::ValidationFailed);
    pub const EmailTaken: Code = Code::Contract(ContractCode::EmailTaken);
    pub const SignupClosed: Code = Code::Contract(ContractCode::SignupClosed);
    pub const RateLimited: Code = Code::Contract(ContractCode::RateLimited);
    pub const SessionInvalid: Code = Code::Contract(ContractCode::SessionInvalid);
    pub const SessionExpired: Code = Code::Contract(ContractCode::SessionExpired);
    pub const ServiceUnavailable: Code = Code::Contract(ContractCode::ServiceUnavailable);
    pub const InternalError: Code = Code::Contract(ContractCode::InternalError);
    pub const LinkExpired: Code = Code::Contract(ContractCode::LinkExpired);
    pub const LinkUsed: Code = Code::Contract(ContractCode::LinkUsed);
    pub const LinkInvalid: Code = Code::Contract(ContractCode::LinkInvalid);
    pub const CodeInvalid: Code = Code::Contract(ContractCode::CodeInvalid);
    pub const CodeUsed: Code = Code::Contract(ContractCode::CodeUsed);
    pub const CodesPaused: Code = Code::Contract(ContractCode::CodesPaused);
    pub const StepExpired: Code = Code::Contract(ContractCode::StepExpired);
    pub const PasskeyUnknown: Code = Code::Contract(ContractCode::PasskeyUnknown);
    pub const PasskeyInvalid: Code = Code::Contract(ContractCode::PasskeyInvalid);
    pub const PasskeyRegistered: Code = Code::Contract(ContractCode::PasskeyRegistered);
    pub const ChallengeExpired: Code = Code::Contract(ContractCode::ChallengeExpired);
}

/// The contract's codes, in the order of docs/contract.md.
pub const CONTRACT_CODES: [Code; ContractCode::ALL.len()] = {
    let all = ContractCode::ALL;
    let mut out = [Code::InternalError; ContractCode::ALL.len()];
    let mut i = 0;
    while i < all.len() {
        out[i] = Code::Contract(all[i]);
        i += 1;
    }
    out
};

const OUTSIDE_CONTRACT: [Code; 7] = [
    Code::MalformedRequest,
    Code::UnsupportedMediaType,
    Code::PayloadTooLarge,
    Code::NotFound,
    Code::MethodNotAllowed,
    Code::Forbidden,
    Code::FaultsDisabled,
];

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Contract(c) => c.as_str(),
            Code::MalformedRequest => "malformed_request",
            Code::UnsupportedMediaType => "unsupported_media_type",
            Code::PayloadTooLarge => "payload_too_large",
            Code::NotFound => "not_found",
            Code::MethodNotAllowed => "method_not_allowed",
            Code::Forbidden => "forbidden",
            Code::FaultsDisabled => "faults_disabled",
        }
    }

    pub fn parse(s: &str) -> Option<Code> {
        ContractCode::parse(s)
            .map(Code::Contract)
            .or_else(|| OUTSIDE_CONTRACT.into_iter().find(|c| c.as_str() == s))
    }

    pub fn status(self) -> StatusCode {
        match self {
            Code::Contract(c) => {
                StatusCode::from_u16(c.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            }
            Code::Forbidden | Code::FaultsDisabled => StatusCode::FORBIDDEN,
            Code::MalformedRequest => StatusCode::BAD_REQUEST,
            Code::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Code::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Code::NotFound => StatusCode::NOT_FOUND,
            Code::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Code::InvalidCredentials => "Email or password does not match",
            Code::AccountLocked => "Account temporarily locked",
            Code::AccountDisabled => "Account disabled",
            Code::EmailUnverified => "Email address not verified",
            Code::ValidationFailed => "Some fields need attention",
            Code::EmailTaken => "Email already registered",
            Code::SignupClosed => "Sign-up is closed",
            Code::RateLimited => "Too many requests",
            Code::SessionInvalid => "Session could not be validated",
            Code::SessionExpired => "Session expired",
            Code::ServiceUnavailable => "Service unavailable",
            Code::InternalError => "Internal error",
            Code::LinkExpired => "Link expired",
            Code::LinkUsed => "Link already used",
            Code::LinkInvalid => "Link not recognised",
            Code::CodeInvalid => "Code does not match",
            Code::CodeUsed => "Code already used",
            Code::CodesPaused => "Too many wrong codes",
            Code::StepExpired => "Sign-in step expired",
            Code::PasskeyUnknown => "Passkey not recognised",
            Code::PasskeyInvalid => "Passkey could not be verified",
            Code::PasskeyRegistered => "Passkey already registered",
            Code::ChallengeExpired => "Passkey request expired",
            Code::MalformedRequest => "Malformed request",
            Code::UnsupportedMediaType => "Unsupported media type",
            Code::PayloadTooLarge => "Request body too large",
            Code::NotFound => "Not found",
            Code::MethodNotAllowed => "Method not allowed",
            Code::Forbidden => "Forbidden",
            Code::FaultsDisabled => "Fault injection is disabled",
        }
    }

    fn default_detail(self) -> &'static str {
        match self {
            Code::InvalidCredentials => "The email address or password is not correct.",
            Code::AccountLocked => "Too many failed sign-in attempts for this account.",
            Code::AccountDisabled => "An operator has disabled this account.",
            Code::EmailUnverified => "Use the link in the verification email first.",
            Code::ValidationFailed => "One or more fields are not acceptable.",
            Code::EmailTaken => "An account with this email address already exists.",
            Code::SignupClosed => "This service does not accept new accounts at the moment.",
            Code::RateLimited => "Too many requests from this client.",
            Code::SessionInvalid => "The session token failed validation.",
            Code::SessionExpired => "The session is past its lifetime.",
            Code::ServiceUnavailable => "The service is in maintenance or overloaded.",
            Code::InternalError => "Something unexpected went wrong on the server.",
            Code::LinkExpired => "The link is past its lifetime or was replaced by a newer one.",
            Code::LinkUsed => "The link has already been used.",
            Code::LinkInvalid => "The token was not issued by this service.",
            Code::CodeInvalid => "The one-time or recovery code does not match.",
            Code::CodeUsed => "This one-time code has already been used; wait for the next one.",
            Code::CodesPaused => "Too many wrong codes for this account; wait before trying again.",
            Code::StepExpired => "The second step of this sign-in is over; sign in again.",
            Code::PasskeyUnknown => "This service has no account for the passkey that was used.",
            Code::PasskeyInvalid => "The passkey's answer could not be verified.",
            Code::PasskeyRegistered => "This passkey is already registered.",
            Code::ChallengeExpired => {
                "The passkey request is over (finished, or older than five minutes); start again."
            }
            Code::MalformedRequest => "The request body is not the expected JSON document.",
            Code::UnsupportedMediaType => "Send the body as application/json.",
            Code::PayloadTooLarge => "The request body is larger than this endpoint accepts.",
            Code::NotFound => "There is nothing at this address.",
            Code::MethodNotAllowed => "This address does not accept that method.",
            Code::Forbidden => "This endpoint is only available from the server's own host.",
            Code::FaultsDisabled => "Start the server with --faults to inject faults.",
        }
    }

    /// Whether responses with this code carry `Retry-After`.
    pub fn wants_retry_after(self) -> bool {
        matches!(self, Code::Contract(c) if c.wants_retry_after())
    }
}

/// One entry of `errors[]` in a `validation_failed` problem.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, ToSchema)]
pub struct FieldError {
    pub field: String,
    /// `missing`, `malformed`, `too_short`, `too_long`, `common` or `contains_email`.
    pub code: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<u32>,
}

impl FieldError {
    pub fn new(field: &str, code: &'static str) -> Self {
        FieldError {
            field: field.to_string(),
            code,
            min: None,
            max: None,
        }
    }
}

/// The JSON body of a problem response (documented in the OpenAPI document).
#[derive(Serialize, ToSchema)]
pub struct ProblemBody {
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub instance: String,
    pub code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// Marker put into response extensions so the observability layer knows the outcome code.
#[derive(Clone, Copy, Debug)]
pub struct Outcome(pub &'static str);

/// An error response under construction.
#[derive(Debug)]
pub struct Problem {
    pub code: Code,
    pub detail: Option<String>,
    pub retry_after: Option<u64>,
    pub errors: Vec<FieldError>,
    /// Reference id, logged with every 5xx so support can find the log line.
    pub instance: String,
}

impl Problem {
    pub fn new(code: Code) -> Self {
        Problem {
            code,
            detail: None,
            retry_after: None,
            errors: Vec::new(),
            instance: reference_id(),
        }
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    pub fn retry_after(mut self, secs: u64) -> Self {
        self.retry_after = Some(secs.max(1));
        self
    }

    pub fn validation(errors: Vec<FieldError>) -> Self {
        Problem {
            errors,
            ..Problem::new(Code::ValidationFailed)
        }
    }

    /// Logs `err` with a fresh reference id and answers `internal_error` carrying it.
    pub fn internal(err: impl std::fmt::Display) -> Self {
        let p = Problem::new(Code::InternalError);
        tracing::error!(instance = %p.instance, error = %err, "internal error");
        p
    }
}

impl From<Code> for Problem {
    fn from(code: Code) -> Self {
        Problem::new(code)
    }
}

impl From<sqlx::Error> for Problem {
    fn from(err: sqlx::Error) -> Self {
        Problem::internal(format_args!("database: {err}"))
    }
}

/// A short random reference id, e.g. `ref-5f0c1a2b3d4e5f60`.
pub fn reference_id() -> String {
    let mut b = [0u8; 8];
    // A failing OS random source only makes the id less unique; never fail a response on it.
    let _ = getrandom::fill(&mut b);
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("ref-{hex}")
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.code.status();
        let instance = self.instance;
        if status.is_server_error() {
            tracing::error!(
                code = self.code.as_str(),
                instance = %instance,
                detail = self.detail.as_deref().unwrap_or(""),
                "server error answered"
            );
        }
        let body = ProblemBody {
            type_: format!("urn:auth-widget:problem:{}", self.code.as_str()),
            title: self.code.title().to_string(),
            status: status.as_u16(),
            detail: self
                .detail
                .unwrap_or_else(|| self.code.default_detail().to_string()),
            instance,
            code: self.code.as_str().to_string(),
            retry_after: self.retry_after,
            errors: self.errors,
        };
        let json = serde_json::to_vec(&body).unwrap_or_else(|_| b"{}".to_vec());
        let mut resp = (status, json).into_response();
        let h = resp.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(secs) = self.retry_after {
            h.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        resp.extensions_mut().insert(Outcome(self.code.as_str()));
        resp
    }
}
