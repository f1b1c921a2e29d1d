//! Reading request bodies defensively: size cap, content type, JSON shape, field checks.
//! Nothing here panics or answers 5xx for bad input; every refusal is a problem+json 4xx.

use axum::body::Body;
use axum::http::{HeaderMap, header};
use http_body_util::BodyExt;
use serde_json::{Map, Value};

use crate::problem::{Code, FieldError, Problem};

/// Largest request body an auth endpoint reads (1 MiB bodies are refused with 413).
pub const BODY_LIMIT: usize = 64 * 1024;
/// Longest email accepted (RFC 5321 path limit).
pub const EMAIL_MAX: u32 = 254;
/// Bytes drained from an oversized body before answering 413, so the client sees the answer
/// instead of a reset connection.
const DRAIN_LIMIT: usize = 16 * 1024 * 1024;

/// Whether the request says its body is JSON (`application/json` or `application/*+json`):
/// a content type that a cross-site form cannot send, and `fetch` cannot send cross-site
/// without a CORS preflight.
pub fn is_json(headers: &HeaderMap) -> bool {
    let ctype = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    ctype == "application/json" || (ctype.starts_with("application/") && ctype.ends_with("+json"))
}

/// Reads the body as a JSON object (JSON content types only).
pub async fn json_object(headers: &HeaderMap, body: Body) -> Result<Map<String, Value>, Problem> {
    if !is_json(headers) {
        drain(body, 0).await;
        return Err(Problem::new(Code::UnsupportedMediaType));
    }
    let bytes = read_limited(body).await?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|e| {
        Problem::new(Code::MalformedRequest).detail(format!(
            "The body is not valid UTF-8 JSON ({}).",
            e.classify_name()
        ))
    })?;
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(Problem::new(Code::MalformedRequest).detail("The body must be a JSON object.")),
    }
}

trait Classify {
    fn classify_name(&self) -> &'static str;
}

impl Classify for serde_json::Error {
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "read error",
            serde_json::error::Category::Syntax => "syntax error",
            serde_json::error::Category::Data => "wrong type",
            serde_json::error::Category::Eof => "unexpected end",
        }
    }
}

async fn read_limited(mut body: Body) -> Result<Vec<u8>, Problem> {
    let mut buf = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| {
            Problem::new(Code::MalformedRequest)
                .detail("The body could not be read (it stopped arriving, or too late).")
        })?;
        if let Ok(data) = frame.into_data() {
            if buf.len() + data.len() > BODY_LIMIT {
                drain(body, buf.len() + data.len()).await;
                return Err(Problem::new(Code::PayloadTooLarge)
                    .detail(format!("The body must be at most {BODY_LIMIT} bytes.")));
            }
            buf.extend_from_slice(&data);
        }
    }
    Ok(buf)
}

async fn drain(mut body: Body, mut seen: usize) {
    while seen < DRAIN_LIMIT {
        match body.frame().await {
            Some(Ok(frame)) => seen += frame.data_ref().map_or(0, |d| d.len()),
            _ => break,
        }
    }
}

/// Refuses members other than `allowed` (a client sending them has a bug worth surfacing).
pub fn no_extra_fields(map: &Map<String, Value>, allowed: &[&str]) -> Result<(), Problem> {
    if let Some(extra) = map.keys().find(|k| !allowed.contains(&k.as_str())) {
        let shown: String = extra.chars().take(40).collect();
        return Err(Problem::new(Code::MalformedRequest).detail(format!(
            "Unexpected member {shown:?}; expected only {allowed:?}."
        )));
    }
    Ok(())
}

/// A required string member; records `missing` / `malformed` in `errors`.
pub fn string_field(
    map: &Map<String, Value>,
    field: &str,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    match map.get(field) {
        None | Some(Value::Null) => {
            errors.push(FieldError::new(field, "missing"));
            None
        }
        Some(Value::String(s)) if s.is_empty() => {
            errors.push(FieldError::new(field, "missing"));
            None
        }
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            errors.push(FieldError::new(field, "malformed"));
            None
        }
    }
}

/// Normalises and checks an email address: trimmed, lowercased, one `@`, no controls or
/// spaces, at most 254 code points.
pub fn email(raw: &str, errors: &mut Vec<FieldError>) -> Option<String> {
    let e = raw.trim();
    if e.chars().count() > EMAIL_MAX as usize {
        errors.push(FieldError {
            max: Some(EMAIL_MAX),
            ..FieldError::new("email", "too_long")
        });
        return None;
    }
    let ok = match e.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        }
        None => false,
    };
    if !ok || e.chars().any(|c| c.is_control() || c.is_whitespace()) {
        errors.push(FieldError::new("email", "malformed"));
        return None;
    }
    Some(e.to_lowercase())
}

/// Turns collected field errors into a 422.
pub fn finish(errors: Vec<FieldError>) -> Result<(), Problem> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Problem::validation(errors))
    }
}
