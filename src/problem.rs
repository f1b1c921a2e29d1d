//! Reading response bodies: RFC 9457 problem details and the contract's success shapes.
//!
//! miniserde keeps the WebAssembly small and parses without recursion, so hostile bodies
//! (deep nesting, huge numbers, bad UTF-8) are just "not the promised shape".

use miniserde::json::{self, Number, Object, Value};

/// The fields of a problem document the widget may use. `detail` and `title` are
/// deliberately absent: messages are chosen by `code` only (STANDARDS 18).
#[derive(Debug, Default)]
pub(crate) struct Problem {
    pub code: Option<String>,
    pub status: Option<u64>,
    pub instance: Option<String>,
    pub retry_after: Option<u32>,
    pub errors: Vec<ProblemFieldError>,
}

#[derive(Debug)]
pub(crate) struct ProblemFieldError {
    pub field: String,
    pub code: String,
    pub min: Option<u32>,
    pub max: Option<u32>,
}

/// Parses a body as a JSON object, or `None`.
pub(crate) fn parse_object(body: &[u8]) -> Option<Object> {
    let text = std::str::from_utf8(body).ok()?;
    match json::from_str::<Value>(text).ok()? {
        Value::Object(o) => Some(o),
        _ => None,
    }
}

pub(crate) fn str_field<'a>(obj: &'a Object, key: &str) -> Option<&'a str> {
    match obj.get(key)? {
        Value::String(s) => Some(s),
        _ => None,
    }
}

fn uint_field(obj: &Object, key: &str) -> Option<u64> {
    match obj.get(key)? {
        Value::Number(Number::U64(n)) => Some(*n),
        _ => None,
    }
}

fn small(n: Option<u64>) -> Option<u32> {
    n.map(|n| n.min(u64::from(u32::MAX)) as u32)
}

/// Reads a problem document. `None` when the body is not a JSON object.
pub(crate) fn parse_problem(body: &[u8]) -> Option<Problem> {
    let obj = parse_object(body)?;
    let errors = match obj.get("errors") {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|item| match item {
                Value::Object(e) => Some(ProblemFieldError {
                    field: str_field(e, "field")?.to_owned(),
                    code: str_field(e, "code")?.to_owned(),
                    min: small(uint_field(e, "min")),
                    max: small(uint_field(e, "max")),
                }),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    Some(Problem {
        code: str_field(&obj, "code").map(str::to_owned),
        status: uint_field(&obj, "status"),
        instance: str_field(&obj, "instance").map(str::to_owned),
        retry_after: small(uint_field(&obj, "retry_after")),
        errors,
    })
}

/// The fields of a signed-in answer.
pub(crate) struct SignedIn {
    pub id: String,
    pub email: String,
    pub access_token: Option<String>,
}

/// Reads `{"user":{"id","email"},"access_token"?}`. The id may be a string or a number.
pub(crate) fn parse_signed_in(body: &[u8]) -> Option<SignedIn> {
    let obj = parse_object(body)?;
    let Some(Value::Object(user)) = obj.get("user") else {
        return None;
    };
    let id = match user.get("id")? {
        Value::String(s) => s.clone(),
        Value::Number(Number::U64(n)) => n.to_string(),
        Value::Number(Number::I64(n)) => n.to_string(),
        _ => return None,
    };
    let email = str_field(user, "email")?.to_owned();
    let access_token = str_field(&obj, "access_token").map(str::to_owned);
    Some(SignedIn {
        id,
        email,
        access_token,
    })
}
