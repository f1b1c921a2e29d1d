//! RFC 9457 problem details: every error this server answers.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// Machine-readable error codes. The first twelve are the contract in docs/contract.md; the rest
/// answer requests that no conforming client sends (bad JSON, wrong route, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Code {
    InvalidCredentials,
    AccountLocked,
    AccountDisabled,
    EmailUnverified,
    ValidationFailed,
    EmailTaken,
    SignupClosed,
    RateLimited,
    SessionInvalid,
    SessionExpired,
    ServiceUnavailable,
    InternalError,
    // Outside the contract: protocol-level mistakes and operator endpoints.
    MalformedRequest,
    UnsupportedMediaType,
    PayloadTooLarge,
    NotFound,
    MethodNotAllowed,
    Forbidden,
    FaultsDisabled,
}

/// The contract's codes, in the order of docs/contract.md.
pub const CONTRACT_CODES: [Code; 12] = [
    Code::InvalidCredentials,
    Code::AccountLocked,
    Code::AccountDisabled,
    Code::EmailUnverified,
    Code::ValidationFailed,
    Code::EmailTaken,
    Code::SignupClosed,
    Code::RateLimited,
    Code::SessionInvalid,
    Code::SessionExpired,
    Code::ServiceUnavailable,
    Code::InternalError,
];

const ALL_CODES: [Code; 19] = [
    Code::InvalidCredentials,
    Code::AccountLocked,
    Code::AccountDisabled,
    Code::EmailUnverified,
    Code::ValidationFailed,
    Code::EmailTaken,
    Code::SignupClosed,
    Code::RateLimited,
    Code::SessionInvalid,
    Code::SessionExpired,
    Code::ServiceUnavailable,
    Code::InternalError,
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
            Code::InvalidCredentials => "invalid_credentials",
            Code::AccountLocked => "account_locked",
            Code::AccountDisabled => "account_disabled",
            Code::EmailUnverified => "email_unverified",
            Code::ValidationFailed => "validation_failed",
            Code::EmailTaken => "email_taken",
            Code::SignupClosed => "signup_closed",
            Code::RateLimited => "rate_limited",
            Code::SessionInvalid => "session_invalid",
            Code::SessionExpired => "session_expired",
            Code::ServiceUnavailable => "service_unavailable",
            Code::InternalError => "internal_error",
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
        ALL_CODES.into_iter().find(|c| c.as_str() == s)
    }

    pub fn status(self) -> StatusCode {
        match self {
            Code::InvalidCredentials | Code::SessionInvalid | Code::SessionExpired => {
                StatusCode::UNAUTHORIZED
            }
            Code::AccountLocked
            | Code::AccountDisabled
            | Code::EmailUnverified
            | Code::SignupClosed
            | Code::Forbidden
            | Code::FaultsDisabled => StatusCode::FORBIDDEN,
            Code::ValidationFailed => StatusCode::UNPROCESSABLE_ENTITY,
            Code::EmailTaken => StatusCode::CONFLICT,
            Code::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Code::ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Code::InternalError => StatusCode::INTERNAL_SERVER_ERROR,
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
        matches!(
            self,
            Code::RateLimited | Code::ServiceUnavailable | Code::AccountLocked
        )
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
