//! Building the request a flow needs, as plain data the client hands to `fetch`.

use super::format::{Credentials, Encoding, FlowSpec, Input, Profile, Scalar, Step};
use std::fmt;

/// What the person typed and what the page knows, for one request.
#[derive(Clone, Copy, Debug, Default)]
pub struct Inputs<'a> {
    pub email: &'a str,
    pub password: Option<&'a str>,
    /// A display name for sign-up; the email's local part when absent.
    pub name: Option<&'a str>,
    /// The token from the sign-in or sign-up answer (kept in memory only).
    pub token: Option<&'a str>,
    /// The token of the link that opened the page (`#auth-verify=…`, `#auth-reset=…`).
    pub link_token: Option<&'a str>,
    /// The page's cookies as `document.cookie` gives them (`a=1; b=2`), read for the CSRF token
    /// just before each request, so a rotated token is always the one sent.
    pub cookies: &'a str,
    /// The element's attributes (name, value), e.g. `api-key`.
    pub attributes: &'a [(&'a str, &'a str)],
}

/// A request, ready for `fetch`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    /// The body's bytes, as text (JSON or `application/x-www-form-urlencoded`).
    pub body: Option<String>,
    pub credentials: Credentials,
}

/// Why no request can be made: nothing is ever sent to a guessed endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestError {
    /// The profile has no such call (e.g. sign-out with a token-only API: just forget the token).
    NoCall,
    /// The API key attribute is missing on the element.
    MissingAttribute(String),
    /// The CSRF cookie is not set yet: make the session check first (its answer sets it).
    MissingCsrfCookie(String),
    /// The call needs the token from a sign-in answer, and there is none.
    MissingToken,
    /// The call needs the token of a link, and there is none.
    MissingLinkToken,
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestError::NoCall => write!(f, "the backend profile has no call for this flow"),
            RequestError::MissingAttribute(a) => write!(
                f,
                "the \"{a}\" attribute is required by the backend profile"
            ),
            RequestError::MissingCsrfCookie(c) => write!(f, "the \"{c}\" cookie is not set yet"),
            RequestError::MissingToken => write!(f, "no token from a sign-in to send"),
            RequestError::MissingLinkToken => write!(f, "no token from a link to send"),
        }
    }
}

impl std::error::Error for RequestError {}

/// The value of cookie `name` in a `document.cookie` string.
pub(crate) fn cookie<'a>(cookies: &'a str, name: &str) -> Option<&'a str> {
    cookies
        .split(';')
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

impl Profile {
    /// The request for `step` against `api_base` (no trailing slash needed).
    pub fn request(
        &self,
        step: Step,
        api_base: &str,
        inputs: &Inputs<'_>,
    ) -> Result<Request, RequestError> {
        let flow = self.flow(step).ok_or(RequestError::NoCall)?;
        let mut url = format!("{}{}", api_base.trim_end_matches('/'), flow.path);
        if let Some((attribute, query)) = &self.api_key {
            let key = inputs
                .attributes
                .iter()
                .find(|(a, _)| a == attribute)
                .map(|(_, v)| *v)
                .filter(|v| !v.is_empty())
                .ok_or_else(|| RequestError::MissingAttribute(attribute.clone()))?;
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str(&form_encode(query));
            url.push('=');
            url.push_str(&form_encode(key));
        }
        let mut headers = vec![("Accept".to_string(), "application/json".to_string())];
        if let Some((cookie_name, header)) = &self.csrf
            && flow.method != "GET"
        {
            let token = cookie(inputs.cookies, cookie_name)
                .filter(|v| !v.is_empty())
                .ok_or_else(|| RequestError::MissingCsrfCookie(cookie_name.clone()))?;
            headers.push((header.clone(), token.to_string()));
        }
        if flow.bearer {
            let token = inputs.token.ok_or(RequestError::MissingToken)?;
            headers.push(("Authorization".into(), format!("Bearer {token}")));
        }
        let body = match flow.body {
            Encoding::None => None,
            Encoding::Query => {
                url.push(if url.contains('?') { '&' } else { '?' });
                url.push_str(&form_body(flow, inputs)?);
                None
            }
            Encoding::Json => {
                headers.push(("Content-Type".into(), "application/json".into()));
                Some(json_body(flow, inputs)?)
            }
            Encoding::Form => {
                headers.push((
                    "Content-Type".into(),
                    "application/x-www-form-urlencoded".into(),
                ));
                Some(form_body(flow, inputs)?)
            }
        };
        Ok(Request {
            method: flow.method.clone(),
            url,
            headers,
            body,
            credentials: flow.credentials,
        })
    }
}

/// The (wire name, value) pairs a flow sends, in the profile's order.
fn values<'a>(
    flow: &'a FlowSpec,
    inputs: &Inputs<'a>,
) -> Result<Vec<(&'a str, Scalar)>, RequestError> {
    let mut out = Vec::new();
    for (input, wire) in &flow.fields {
        let value = match input {
            Input::Email => Some(inputs.email.to_string()),
            Input::Password => inputs.password.map(str::to_string),
            Input::Name => Some(
                inputs
                    .name
                    .filter(|n| !n.trim().is_empty())
                    .unwrap_or_else(|| inputs.email.split('@').next().unwrap_or(""))
                    .to_string(),
            ),
            Input::Token => Some(inputs.token.ok_or(RequestError::MissingToken)?.to_string()),
            Input::LinkToken => Some(
                inputs
                    .link_token
                    .ok_or(RequestError::MissingLinkToken)?
                    .to_string(),
            ),
        };
        if let Some(v) = value {
            out.push((wire.as_str(), Scalar::Str(v)));
        }
    }
    for (k, v) in &flow.extra {
        out.push((k.as_str(), v.clone()));
    }
    Ok(out)
}

fn json_body(flow: &FlowSpec, inputs: &Inputs<'_>) -> Result<String, RequestError> {
    let mut s = String::from("{");
    for (i, (k, v)) in values(flow, inputs)?.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        json_string(&mut s, k);
        s.push(':');
        match v {
            Scalar::Null => s.push_str("null"),
            Scalar::Bool(b) => s.push_str(if *b { "true" } else { "false" }),
            Scalar::Number(n) => s.push_str(&n.to_string()),
            Scalar::Str(text) => json_string(&mut s, text),
        }
    }
    s.push('}');
    Ok(s)
}

/// A JSON string literal: every character as typed, only `"`, `\` and controls escaped.
fn json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn form_body(flow: &FlowSpec, inputs: &Inputs<'_>) -> Result<String, RequestError> {
    let pairs: Vec<String> = values(flow, inputs)?
        .iter()
        .map(|(k, v)| {
            let text = match v {
                Scalar::Null => String::new(),
                Scalar::Bool(b) => b.to_string(),
                Scalar::Number(n) => n.to_string(),
                Scalar::Str(s) => s.clone(),
            };
            format!("{}={}", form_encode(k), form_encode(&text))
        })
        .collect();
    Ok(pairs.join("&"))
}

/// `application/x-www-form-urlencoded` (the URL Standard's byte serializer): also safe in a query.
fn form_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
