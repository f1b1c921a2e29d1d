//! Reading an answer through a profile into the contract's terms; the taxonomy decides.

use super::format::{ErrorSpec, FlowSpec, Input, MatchTest, Matcher, Profile, Scalar, Step};
use crate::json::{self, Value};
use crate::taxonomy::{
    Field, FieldError, Flow, Outcome, Refusal, RefusalCode, Translated, User, classify_translated,
    parse_retry_after,
};

/// An HTTP answer as plain data.
#[derive(Clone, Copy, Debug)]
pub struct Answer<'a> {
    pub status: u16,
    /// Header names are matched case-insensitively.
    pub headers: &'a [(String, String)],
    pub body: &'a str,
    /// Seconds since the Unix epoch, for an HTTP-date wait.
    pub now_unix: u64,
}

impl Answer<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn is_json(&self) -> bool {
        let ct = self
            .header("content-type")
            .unwrap_or("")
            .to_ascii_lowercase();
        let essence = ct.split(';').next().unwrap_or("").trim();
        essence == "application/json" || essence.ends_with("+json")
    }
}

fn scalar_eq(v: &Value<'_>, s: &Scalar) -> bool {
    match s {
        Scalar::Null => v.is_null(),
        Scalar::Bool(b) => v.as_bool() == Some(*b),
        Scalar::Number(n) => v.as_u64() == Some(*n),
        Scalar::Str(t) => v.as_str().as_deref() == Some(t.as_str()),
    }
}

fn matches(m: &Matcher, status: u16, doc: Option<&Value<'_>>) -> bool {
    if !m.status.contains(&status) {
        return false;
    }
    let Some(pointer) = &m.pointer else {
        return true;
    };
    let Some(v) = doc.and_then(|d| d.pointer(pointer)) else {
        return false;
    };
    match &m.test {
        MatchTest::Present => true,
        MatchTest::Equals(s) => scalar_eq(&v, s),
        MatchTest::Contains(members) => v.items().is_some_and(|items| {
            items.iter().any(|item| {
                members
                    .iter()
                    .all(|(k, s)| item.get(k).is_some_and(|x| scalar_eq(&x, s)))
            })
        }),
    }
}

impl Profile {
    /// Reads the answer to `flow` into the contract's terms (no decision on the kind here).
    pub fn read(&self, flow: Flow, answer: &Answer<'_>) -> Translated {
        let Some(spec) = self.flow(Step::Flow(flow)) else {
            return Translated::Unexpected {
                status: answer.status,
            };
        };
        let status = answer.status;
        let parsed = if answer.is_json() {
            json::parse(answer.body)
        } else {
            None
        };
        let doc = parsed.as_ref().map(json::Parsed::value);
        if let Some(m) = &spec.inbox
            && matches(m, status, doc.as_ref())
        {
            return Translated::CheckInbox { status };
        }
        if let Some(m) = &spec.no_session
            && matches(m, status, doc.as_ref())
        {
            return Translated::NoSession { status };
        }
        if spec.success.contains(&status) {
            return read_success(flow, spec, status, doc.as_ref());
        }
        if !(400..600).contains(&status) {
            return Translated::Unexpected { status };
        }
        match doc {
            Some(doc) => Translated::Refused(self.refusal(spec, answer, &doc)),
            // A refusal with no body at all: only its status speaks.
            None if answer.body.trim().is_empty() => {
                Translated::Refused(self.refusal_by_status(status, self.wait(answer, None)))
            }
            None => Translated::Unexpected { status },
        }
    }

    /// Reads and classifies the answer to `flow`: what the widget shows comes from this.
    pub fn outcome(&self, flow: Flow, answer: &Answer<'_>) -> Outcome {
        classify_translated(flow, self.read(flow, answer))
    }

    fn wait(&self, answer: &Answer<'_>, doc: Option<&Value<'_>>) -> Option<u32> {
        let e = &self.errors;
        e.wait_headers
            .iter()
            .find_map(|h| parse_retry_after(answer.header(h)?, answer.now_unix))
            .or_else(|| {
                let v = doc?.pointer(e.wait_pointer.as_deref()?)?.as_u64()?;
                Some(v.min(u64::from(u32::MAX)) as u32)
            })
    }

    fn refusal_by_status(&self, status: u16, retry_after: Option<u32>) -> Refusal {
        Refusal {
            status,
            code: by_status(&self.errors, status),
            retry_after,
            reference: None,
            field_errors: Vec::new(),
        }
    }

    fn refusal(&self, spec: &FlowSpec, answer: &Answer<'_>, doc: &Value<'_>) -> Refusal {
        let e = &self.errors;
        let status = answer.status;
        let retry_after = self.wait(answer, Some(doc));
        // A body whose own status disagrees with the HTTP status is not trusted.
        if let Some(p) = &e.status
            && let Some(s) = doc.pointer(p)
            && s.as_u64() != Some(u64::from(status))
        {
            return Refusal {
                code: RefusalCode::Unknown,
                ..self.refusal_by_status(status, retry_after)
            };
        }
        let code = e.code.iter().find_map(|p| {
            let text = doc.pointer(p)?.as_str()?;
            Some(match &e.code_separator {
                Some(sep) => text
                    .split(sep.as_str())
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_string(),
                None => text,
            })
        });
        let field_errors = field_errors(e, spec, doc, code.as_deref());
        let code = match code {
            Some(c) => match lookup(&e.kinds, &c) {
                Some(contract) => RefusalCode::Contract(contract.clone()),
                None if lookup(&e.fields, &c).is_some() || !field_errors.is_empty() => {
                    RefusalCode::Contract("validation_failed".into())
                }
                None => RefusalCode::Unknown,
            },
            None if !field_errors.is_empty() => RefusalCode::Contract("validation_failed".into()),
            None => by_status(e, status),
        };
        Refusal {
            status,
            code,
            retry_after,
            reference: e
                .reference
                .as_deref()
                .and_then(|p| doc.pointer(p)?.as_str()),
            field_errors,
        }
    }
}

fn lookup<'a, T>(table: &'a [(String, T)], key: &str) -> Option<&'a T> {
    table.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

fn by_status(e: &ErrorSpec, status: u16) -> RefusalCode {
    match e.statuses.iter().find(|(s, _)| *s == status) {
        Some((_, c)) if c == "unknown" => RefusalCode::Unknown,
        Some((_, c)) => RefusalCode::Contract(c.clone()),
        None => RefusalCode::Absent,
    }
}

/// The field errors in a refusal: the top code's, and each listed item's.
fn field_errors(
    e: &ErrorSpec,
    spec: &FlowSpec,
    doc: &Value<'_>,
    top: Option<&str>,
) -> Vec<FieldError> {
    let mut out = Vec::new();
    let mut push = |code: &str, wire_field: Option<String>, min: Option<u32>, max: Option<u32>| {
        let Some(f) = lookup(&e.fields, code) else {
            return;
        };
        let field = f.field.or_else(|| {
            let wire = wire_field?;
            spec.fields
                .iter()
                .find(|(_, w)| *w == wire)
                .and_then(|(input, _)| match input {
                    Input::Email => Some(Field::Email),
                    Input::Password => Some(Field::Password),
                    _ => None,
                })
                .or_else(|| Field::parse(&wire))
        });
        if let Some(field) = field {
            let error = FieldError {
                field,
                code: f.code,
                min: f.min.or(min),
                max: f.max.or(max),
            };
            if !out.contains(&error) {
                out.push(error);
            }
        }
    };
    let small = |v: Option<Value<'_>>| v?.as_u64().map(|n| n.min(u64::from(u32::MAX)) as u32);
    match e.items.as_deref().and_then(|p| doc.pointer(p)?.items()) {
        Some(items) => {
            for item in items {
                let Some(code) = item.pointer(&e.item_code).and_then(|v| v.as_str()) else {
                    continue;
                };
                let wire = e
                    .item_field
                    .as_deref()
                    .and_then(|p| item.pointer(p)?.as_str());
                let min = small(e.item_min.as_deref().and_then(|p| item.pointer(p)));
                let max = small(e.item_max.as_deref().and_then(|p| item.pointer(p)));
                push(&code, wire, min, max);
            }
        }
        None => {
            if let Some(code) = top {
                push(code, None, None, None);
            }
        }
    }
    out
}

fn read_success(flow: Flow, spec: &FlowSpec, status: u16, doc: Option<&Value<'_>>) -> Translated {
    match flow {
        Flow::Login | Flow::Signup | Flow::Session => {}
        // A link did its work: sign in next, as the email the answer names (many name none).
        Flow::VerifyEmail | Flow::PasswordResetComplete => {
            return Translated::SignInNext {
                email: spec
                    .email
                    .as_deref()
                    .and_then(|p| doc?.pointer(p)?.as_str())
                    .unwrap_or_default(),
            };
        }
        _ => return Translated::Done,
    }
    let user = (|| {
        let doc = doc?;
        Some(User {
            id: doc.pointer(spec.user_id.as_deref()?)?.id_text()?,
            email: doc.pointer(spec.user_email.as_deref()?)?.as_str()?,
        })
    })();
    match user {
        Some(user) => Translated::SignedIn {
            user,
            access_token: spec
                .token
                .as_deref()
                .and_then(|p| doc?.pointer(p)?.as_str())
                .filter(|t| !t.is_empty()),
        },
        None => Translated::Unexpected { status },
    }
}
