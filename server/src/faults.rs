//! Fault injection for demos and tests (only with `--faults`), switched by `PUT /_admin/faults`.

use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::problem::{Code, FieldError, Problem};

/// The endpoints a fault can be scoped to.
pub const ENDPOINTS: [&str; 14] = [
    "login",
    "signup",
    "session",
    "logout",
    "password-reset",
    "password-reset-complete",
    "verify-email",
    "verify-email-resend",
    "login-second-factor",
    "passkey-register-start",
    "passkey-register-finish",
    "passkey-login-start",
    "passkey-login-finish",
    "status",
];

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Login still succeeds; every session check answers 401 session_invalid (the incident).
    SessionInvalid,
    /// Answer normally after a delay.
    Slow(u64),
    /// 503 service_unavailable with Retry-After.
    Unavailable,
    /// 500 internal_error with a reference id.
    InternalError,
    /// A proxy's HTML 502 page.
    Html502,
    /// 200 with a JSON content type and a truncated body.
    MalformedJson,
    /// Close the connection without an answer.
    DropConnection,
    /// The problem+json of any code, with its status (and Retry-After where due).
    Code(Code),
    /// A problem+json with a status and a code outside the contract (`problem:<status>:<code>`),
    /// so clients can prove they fall back by status class for codes they do not know.
    Foreign { status: u16, code: String },
}

impl Fault {
    pub fn parse(s: &str) -> Option<Fault> {
        Some(match s {
            "session_invalid" => Fault::SessionInvalid,
            "unavailable" => Fault::Unavailable,
            "internal_error" => Fault::InternalError,
            "html_502" => Fault::Html502,
            "malformed_json" => Fault::MalformedJson,
            "drop_connection" => Fault::DropConnection,
            _ => {
                if let Some(ms) = s.strip_prefix("slow:") {
                    let ms: u64 = ms.parse().ok()?;
                    if ms > 600_000 {
                        return None;
                    }
                    Fault::Slow(ms)
                } else if let Some(code) = s.strip_prefix("code:") {
                    Fault::Code(Code::parse(code)?)
                } else if let Some(rest) = s.strip_prefix("problem:") {
                    let (status, code) = rest.split_once(':')?;
                    let status: u16 = status.parse().ok().filter(|s| (400..600).contains(s))?;
                    let plain = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_';
                    if code.is_empty() || code.len() > 64 || !code.chars().all(plain) {
                        return None;
                    }
                    Fault::Foreign {
                        status,
                        code: code.to_string(),
                    }
                } else {
                    return None;
                }
            }
        })
    }

    pub fn name(&self) -> String {
        match self {
            Fault::SessionInvalid => "session_invalid".into(),
            Fault::Slow(ms) => format!("slow:{ms}"),
            Fault::Unavailable => "unavailable".into(),
            Fault::InternalError => "internal_error".into(),
            Fault::Html502 => "html_502".into(),
            Fault::MalformedJson => "malformed_json".into(),
            Fault::DropConnection => "drop_connection".into(),
            Fault::Code(c) => format!("code:{}", c.as_str()),
            Fault::Foreign { status, code } => format!("problem:{status}:{code}"),
        }
    }
}

/// The active fault and the endpoint it is scoped to (None: every contract endpoint).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultSetting {
    pub fault: Fault,
    pub endpoint: Option<String>,
}

/// Body of `PUT /_admin/faults` and answer of `GET /_admin/faults`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FaultRequest {
    /// `session_invalid`, `slow:<ms>`, `unavailable`, `internal_error`, `html_502`,
    /// `malformed_json`, `drop_connection`, `code:<contract_code>`, `problem:<status>:<code>`, or null to clear.
    #[serde(default)]
    pub fault: Option<String>,
    /// `login`, `signup`, `session`, `logout`, `password-reset`, `status`, or null for all.
    #[serde(default)]
    pub endpoint: Option<String>,
}

impl FaultRequest {
    pub fn into_setting(self) -> Result<Option<FaultSetting>, Problem> {
        let mut errors = Vec::new();
        let fault = match self.fault.as_deref() {
            None => None,
            Some(f) => match Fault::parse(f) {
                Some(f) => Some(f),
                None => {
                    errors.push(FieldError::new("fault", "malformed"));
                    None
                }
            },
        };
        if let Some(e) = &self.endpoint
            && !ENDPOINTS.contains(&e.as_str())
        {
            errors.push(FieldError::new("endpoint", "malformed"));
        }
        crate::input::finish(errors)?;
        Ok(fault.map(|fault| FaultSetting {
            fault,
            endpoint: self.endpoint,
        }))
    }

    pub fn from_setting(s: Option<&FaultSetting>) -> FaultRequest {
        FaultRequest {
            fault: s.map(|s| s.fault.name()),
            endpoint: s.and_then(|s| s.endpoint.clone()),
        }
    }
}

/// What the fault layer does with a request to `endpoint`.
pub enum Action {
    /// Let the request through (maybe after a delay).
    Pass(Option<Duration>),
    /// Answer this instead.
    Answer(Response),
}

/// Decides the effect of `setting` on a request to `endpoint`.
pub fn apply(setting: &FaultSetting, endpoint: &str, retry_after: u64) -> Action {
    if let Some(scope) = &setting.endpoint {
        // `session_invalid` scoped to login still breaks the session check that follows it.
        let session_follows_login = setting.fault == Fault::SessionInvalid && scope == "login";
        if scope != endpoint && !(session_follows_login && endpoint == "session") {
            return Action::Pass(None);
        }
    }
    let answer = |r: Response| Action::Answer(r);
    match &setting.fault {
        Fault::SessionInvalid if endpoint == "session" => answer(
            Problem::new(Code::SessionInvalid)
                .detail("The session token failed validation (injected fault).")
                .into_response(),
        ),
        Fault::SessionInvalid => Action::Pass(None),
        Fault::Slow(ms) => Action::Pass(Some(Duration::from_millis(*ms))),
        Fault::Unavailable => answer(
            Problem::new(Code::ServiceUnavailable)
                .retry_after(retry_after)
                .into_response(),
        ),
        Fault::InternalError => {
            answer(Problem::internal("injected internal_error fault").into_response())
        }
        Fault::Html502 => {
            let html = "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\
                        <body><center><h1>502 Bad Gateway</h1></center><hr>\
                        <center>nginx</center></body></html>\n";
            let mut r = (StatusCode::BAD_GATEWAY, html).into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            answer(r)
        }
        Fault::MalformedJson => {
            let mut r = (StatusCode::OK, "{\"user\": {\"id\": \"1\", \"email\": ").into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            answer(r)
        }
        Fault::DropConnection => answer(dropped()),
        Fault::Code(code) => {
            let mut p = Problem::new(*code).detail(format!("Injected fault: {}.", code.as_str()));
            if code.wants_retry_after() {
                p = p.retry_after(retry_after);
            }
            if *code == Code::ValidationFailed {
                p.errors = vec![FieldError {
                    min: Some(8),
                    ..FieldError::new("password", "too_short")
                }];
            }
            if *code == Code::InternalError {
                tracing::error!(instance = %p.instance, "injected internal_error fault");
            }
            answer(p.into_response())
        }
        Fault::Foreign { status, code } => {
            let body = serde_json::json!({
                "type": "about:blank",
                "title": "Injected fault",
                "status": status,
                "detail": format!("Injected fault: {code}."),
                "instance": crate::problem::reference_id(),
                "code": code,
            });
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::BAD_REQUEST);
            let mut r = (status, body.to_string()).into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/problem+json"),
            );
            answer(r)
        }
    }
}

/// A response whose body fails at once: hyper closes the connection without a complete answer.
fn dropped() -> Response {
    let stream = futures_util::stream::once(async {
        Err::<axum::body::Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "injected drop_connection fault",
        ))
    });
    let mut r = Response::new(Body::from_stream(stream));
    r.extensions_mut()
        .insert(crate::problem::Outcome("dropped"));
    r
}
