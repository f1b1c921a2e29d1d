//! The profile format (version 1): parsing and checking a profile document.

use crate::json::{self, Value};
use crate::taxonomy::{FailureKind, Field, FieldErrorCode, Flow};
use std::fmt;

/// A call a profile can describe: the flows, and the optional status call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Flow(Flow),
    /// The service status (contract only today); no answer reading here.
    Status,
}

impl Step {
    /// The member name under `flows`.
    pub fn key(self) -> &'static str {
        match self {
            Step::Flow(Flow::Login) => "sign_in",
            Step::Flow(Flow::Signup) => "sign_up",
            Step::Flow(Flow::Session) => "session",
            Step::Flow(Flow::Logout) => "sign_out",
            Step::Flow(Flow::PasswordReset) => "reset_request",
            Step::Flow(Flow::PasswordResetComplete) => "reset_complete",
            Step::Flow(Flow::VerifyEmail) => "verify_email",
            Step::Flow(Flow::VerifyEmailResend) => "verify_resend",
            // Not a member profiles have yet: no built-in backend's second step is mapped.
            Step::Flow(Flow::LoginSecondFactor) => "second_factor",
            Step::Status => "status",
        }
    }
}

/// Whether cookies go along (`fetch`'s `credentials`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credentials {
    Include,
    Omit,
}

/// How a request body is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    None,
    Json,
    Form,
    /// No body: the fields go into the URL's query string (a link a `GET` confirms).
    Query,
}

/// What the widget puts into a request field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Input {
    Email,
    Password,
    /// A display name; derived from the email's local part unless given.
    Name,
    /// The token the sign-in answer gave.
    Token,
    /// The token of the link the email carried (verification or password reset).
    LinkToken,
}

/// A constant in `extra` or a matcher.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Scalar {
    Null,
    Bool(bool),
    Number(u64),
    Str(String),
}

/// A test on an answer: its status, and optionally the value at a pointer.
#[derive(Clone, Debug)]
pub(crate) struct Matcher {
    pub status: Vec<u16>,
    pub pointer: Option<String>,
    pub test: MatchTest,
}

#[derive(Clone, Debug)]
pub(crate) enum MatchTest {
    /// The pointer exists (or no pointer).
    Present,
    Equals(Scalar),
    /// An array holding an object with all these members.
    Contains(Vec<(String, Scalar)>),
}

/// One flow's request and success reading.
#[derive(Clone, Debug)]
pub(crate) struct FlowSpec {
    pub method: String,
    pub path: String,
    pub body: Encoding,
    pub fields: Vec<(Input, String)>,
    pub extra: Vec<(String, Scalar)>,
    pub bearer: bool,
    pub credentials: Credentials,
    pub success: Vec<u16>,
    pub user_id: Option<String>,
    pub user_email: Option<String>,
    pub token: Option<String>,
    /// Link flows: where a success answer names the account's email, if it does.
    pub email: Option<String>,
    pub inbox: Option<Matcher>,
    pub no_session: Option<Matcher>,
}

/// A field error a code stands for.
#[derive(Clone, Debug)]
pub(crate) struct FieldSpec {
    pub field: Option<Field>,
    pub code: FieldErrorCode,
    pub min: Option<u32>,
    pub max: Option<u32>,
}

/// Where the error code, field errors and wait sit in a refusal, and what the codes mean.
#[derive(Clone, Debug, Default)]
pub(crate) struct ErrorSpec {
    pub code: Vec<String>,
    pub code_separator: Option<String>,
    pub status: Option<String>,
    pub reference: Option<String>,
    pub wait_headers: Vec<String>,
    pub wait_pointer: Option<String>,
    pub items: Option<String>,
    pub item_code: String,
    pub item_field: Option<String>,
    pub item_min: Option<String>,
    pub item_max: Option<String>,
    /// Code → contract code, or `None` for "a code with no meaning in the contract".
    pub kinds: Vec<(String, String)>,
    pub fields: Vec<(String, FieldSpec)>,
    /// Status → contract code (or `unknown`) when the answer has no code.
    pub statuses: Vec<(u16, String)>,
}

/// A parsed, checked profile.
#[derive(Clone, Debug)]
pub struct Profile {
    pub name: String,
    pub(crate) csrf: Option<(String, String)>,
    pub(crate) api_key: Option<(String, String)>,
    pub(crate) flows: Vec<(Step, FlowSpec)>,
    pub(crate) errors: ErrorSpec,
}

/// Why a profile was refused: where in the document, and what is wrong there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileError {
    /// A JSON pointer into the profile (`""` for the whole document).
    pub at: String,
    pub problem: String,
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.at.is_empty() { "/" } else { &self.at };
        write!(f, "backend profile: {} at {at}", self.problem)
    }
}

impl std::error::Error for ProfileError {}

/// The format version this widget reads.
pub const VERSION: u64 = 1;

type Res<T> = Result<T, ProfileError>;

fn err<T>(at: &str, problem: impl Into<String>) -> Res<T> {
    Err(ProfileError {
        at: at.to_string(),
        problem: problem.into(),
    })
}

/// A cursor: a value and its pointer, for messages.
#[derive(Clone)]
struct At<'a> {
    v: Value<'a>,
    path: String,
}

impl<'a> At<'a> {
    fn child(&self, key: &str) -> Option<At<'a>> {
        Some(At {
            v: self.v.get(key)?,
            path: format!(
                "{}/{}",
                self.path,
                key.replace('~', "~0").replace('/', "~1")
            ),
        })
    }

    fn object(&self, allowed: &[&str]) -> Res<()> {
        let Some(keys) = self.v.keys() else {
            return err(&self.path, "expected an object");
        };
        if let Some(k) = keys.iter().find(|k| !allowed.contains(&k.as_str())) {
            return err(&self.path, format!("unknown member \"{k}\""));
        }
        Ok(())
    }

    fn req(&self, key: &str) -> Res<At<'a>> {
        self.child(key).map_or_else(
            || err(&self.path, format!("missing required member \"{key}\"")),
            Ok,
        )
    }

    fn string(&self) -> Res<String> {
        self.v
            .as_str()
            .map_or_else(|| err(&self.path, "expected a string"), Ok)
    }

    fn opt_string(&self, key: &str) -> Res<Option<String>> {
        self.child(key).map(|c| c.string()).transpose()
    }

    fn pointer(&self) -> Res<String> {
        let p = self.string()?;
        if !p.is_empty() && !p.starts_with('/') {
            return err(
                &self.path,
                "a JSON pointer must be empty or start with \"/\"",
            );
        }
        Ok(p)
    }

    fn opt_pointer(&self, key: &str) -> Res<Option<String>> {
        self.child(key).map(|c| c.pointer()).transpose()
    }

    fn boolean(&self) -> Res<bool> {
        self.v
            .as_bool()
            .map_or_else(|| err(&self.path, "expected true or false"), Ok)
    }

    fn small(&self) -> Res<u32> {
        match self.v.as_u64() {
            Some(n) if n <= u64::from(u32::MAX) => Ok(n as u32),
            _ => err(&self.path, "expected a non-negative integer"),
        }
    }

    fn statuses(&self) -> Res<Vec<u16>> {
        let Some(items) = self.v.items() else {
            return err(&self.path, "expected an array of HTTP statuses");
        };
        items
            .into_iter()
            .enumerate()
            .map(|(i, v)| match v.as_u64() {
                Some(n @ 100..=599) => Ok(n as u16),
                _ => err(
                    &format!("{}/{i}", self.path),
                    "expected an HTTP status (100-599)",
                ),
            })
            .collect()
    }

    fn scalar(&self) -> Res<Scalar> {
        let v = &self.v;
        if v.is_null() {
            Ok(Scalar::Null)
        } else if let Some(b) = v.as_bool() {
            Ok(Scalar::Bool(b))
        } else if let Some(n) = v.as_u64() {
            Ok(Scalar::Number(n))
        } else if let Some(s) = v.as_str() {
            Ok(Scalar::Str(s))
        } else {
            err(
                &self.path,
                "expected a string, a non-negative integer, true, false or null",
            )
        }
    }

    /// The members of an object, each as a cursor.
    fn members(&self) -> Res<Vec<(String, At<'a>)>> {
        let Some(mut keys) = self.v.keys() else {
            return err(&self.path, "expected an object");
        };
        keys.sort();
        Ok(keys
            .into_iter()
            .filter_map(|k| self.child(&k).map(|c| (k, c)))
            .collect())
    }
}

impl Profile {
    /// Parses and checks a profile document; the error names the member at fault.
    pub fn parse(text: &str) -> Result<Profile, ProfileError> {
        let Some(doc) = json::parse(text) else {
            return err("", "not valid JSON");
        };
        let root = At {
            v: doc.value(),
            path: String::new(),
        };
        root.object(&[
            "$schema",
            "version",
            "name",
            "description",
            "csrf",
            "api_key",
            "flows",
            "errors",
        ])?;
        let version = root.req("version")?;
        if version.v.as_u64() != Some(VERSION) {
            return err(
                &version.path,
                format!("unsupported version (this widget reads version {VERSION})"),
            );
        }
        let name = root.req("name")?.string()?;
        let csrf = match root.child("csrf") {
            Some(c) => {
                c.object(&["cookie", "header"])?;
                Some((c.req("cookie")?.string()?, c.req("header")?.string()?))
            }
            None => None,
        };
        let api_key = match root.child("api_key") {
            Some(c) => {
                c.object(&["attribute", "query"])?;
                Some((c.req("attribute")?.string()?, c.req("query")?.string()?))
            }
            None => None,
        };
        let flows_at = root.req("flows")?;
        flows_at.object(&[
            "sign_in",
            "sign_up",
            "session",
            "sign_out",
            "reset_request",
            "reset_complete",
            "verify_email",
            "verify_resend",
            "status",
        ])?;
        let mut flows = Vec::new();
        for step in [
            Step::Flow(Flow::Login),
            Step::Flow(Flow::Signup),
            Step::Flow(Flow::Session),
            Step::Flow(Flow::Logout),
            Step::Flow(Flow::PasswordReset),
            Step::Flow(Flow::PasswordResetComplete),
            Step::Flow(Flow::VerifyEmail),
            Step::Flow(Flow::VerifyEmailResend),
            Step::Status,
        ] {
            // The four calls every widget makes; the rest are there when the API has them.
            let optional = !matches!(
                step,
                Step::Flow(Flow::Login | Flow::Signup | Flow::Session | Flow::PasswordReset)
            );
            match flows_at.child(step.key()) {
                Some(f) => flows.push((step, parse_flow(&f, step)?)),
                None if optional => {}
                None => {
                    return err(
                        &flows_at.path,
                        format!("missing required member \"{}\"", step.key()),
                    );
                }
            }
        }
        let errors = parse_errors(&root.req("errors")?)?;
        Ok(Profile {
            name,
            csrf,
            api_key,
            flows,
            errors,
        })
    }

    pub(crate) fn flow(&self, step: Step) -> Option<&FlowSpec> {
        self.flows.iter().find(|(s, _)| *s == step).map(|(_, f)| f)
    }

    /// True when the profile describes a server call for `step` (sign-out may have none: the
    /// client just forgets its token).
    pub fn has(&self, step: Step) -> bool {
        self.flow(step).is_some()
    }

    /// The CSRF cookie whose value goes into a header, if the API wants one.
    pub fn csrf_cookie(&self) -> Option<&str> {
        self.csrf.as_ref().map(|(c, _)| c.as_str())
    }

    /// The element attribute holding the API key, if the API wants one.
    pub fn api_key_attribute(&self) -> Option<&str> {
        self.api_key.as_ref().map(|(a, _)| a.as_str())
    }
}

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

fn parse_flow(at: &At<'_>, step: Step) -> Res<FlowSpec> {
    at.object(&[
        "method",
        "path",
        "body",
        "fields",
        "extra",
        "bearer",
        "credentials",
        "success",
        "user",
        "token",
        "email",
        "inbox",
        "no_session",
    ])?;
    let m = at.req("method")?;
    let method = m.string()?;
    if !METHODS.contains(&method.as_str()) {
        return err(&m.path, format!("expected one of {}", METHODS.join(", ")));
    }
    let p = at.req("path")?;
    let path = p.string()?;
    if !path.starts_with('/') {
        return err(&p.path, "a path under api-base must start with \"/\"");
    }
    let body = match at.child("body") {
        None => Encoding::None,
        Some(b) => match b.string()?.as_str() {
            "none" => Encoding::None,
            "json" => Encoding::Json,
            "form" => Encoding::Form,
            "query" => Encoding::Query,
            _ => {
                return err(
                    &b.path,
                    "expected \"json\", \"form\", \"query\" or \"none\"",
                );
            }
        },
    };
    let mut fields = Vec::new();
    if let Some(f) = at.child("fields") {
        for (k, v) in f.members()? {
            let input = match k.as_str() {
                "email" => Input::Email,
                "password" => Input::Password,
                "name" => Input::Name,
                "token" => Input::Token,
                "link_token" => Input::LinkToken,
                _ => {
                    return err(
                        &v.path,
                        "expected one of email, password, name, token, link_token",
                    );
                }
            };
            fields.push((input, v.string()?));
        }
    }
    if body == Encoding::None && !fields.is_empty() {
        return err(
            &at.path,
            "\"fields\" needs a \"body\" of \"json\", \"form\" or \"query\"",
        );
    }
    if matches!(body, Encoding::Json | Encoding::Form) && method == "GET" {
        return err(&at.path, "a GET request cannot have a body");
    }
    let mut extra = Vec::new();
    if let Some(e) = at.child("extra") {
        for (k, v) in e.members()? {
            extra.push((k, v.scalar()?));
        }
    }
    let credentials = match at.child("credentials") {
        None => Credentials::Include,
        Some(c) => match c.string()?.as_str() {
            "include" => Credentials::Include,
            "omit" => Credentials::Omit,
            _ => return err(&c.path, "expected \"include\" or \"omit\""),
        },
    };
    let success = at.req("success")?.statuses()?;
    let (mut user_id, mut user_email) = (None, None);
    if let Some(u) = at.child("user") {
        u.object(&["id", "email"])?;
        user_id = Some(u.req("id")?.pointer()?);
        user_email = Some(u.req("email")?.pointer()?);
    } else if matches!(step, Step::Flow(Flow::Login | Flow::Signup | Flow::Session)) {
        return err(
            &at.path,
            "missing required member \"user\" (where the signed-in user is)",
        );
    }
    let email = at.opt_pointer("email")?;
    if email.is_some()
        && !matches!(
            step,
            Step::Flow(Flow::VerifyEmail | Flow::PasswordResetComplete)
        )
    {
        return err(
            &at.path,
            "\"email\" is read only on verify_email and reset_complete",
        );
    }
    Ok(FlowSpec {
        method,
        path,
        body,
        fields,
        extra,
        bearer: at
            .child("bearer")
            .map(|b| b.boolean())
            .transpose()?
            .unwrap_or(false),
        credentials,
        success,
        user_id,
        user_email,
        token: at.opt_pointer("token")?,
        email,
        inbox: at.child("inbox").map(|m| parse_matcher(&m)).transpose()?,
        no_session: at
            .child("no_session")
            .map(|m| parse_matcher(&m))
            .transpose()?,
    })
}

fn parse_matcher(at: &At<'_>) -> Res<Matcher> {
    at.object(&["status", "pointer", "equals", "contains"])?;
    let test = match (at.child("equals"), at.child("contains")) {
        (Some(_), Some(_)) => return err(&at.path, "use \"equals\" or \"contains\", not both"),
        (Some(e), None) => MatchTest::Equals(e.scalar()?),
        (None, Some(c)) => {
            let mut members = Vec::new();
            for (k, v) in c.members()? {
                members.push((k, v.scalar()?));
            }
            MatchTest::Contains(members)
        }
        (None, None) => MatchTest::Present,
    };
    let pointer = at.opt_pointer("pointer")?;
    if pointer.is_none() && !matches!(test, MatchTest::Present) {
        return err(&at.path, "\"equals\" and \"contains\" need a \"pointer\"");
    }
    Ok(Matcher {
        status: at.req("status")?.statuses()?,
        pointer,
        test,
    })
}

fn contract_code(at: &At<'_>, allow_unknown: bool) -> Res<String> {
    let code = at.string()?;
    if FailureKind::is_contract_code(&code) || (allow_unknown && code == "unknown") {
        Ok(code)
    } else {
        err(
            &at.path,
            format!("\"{code}\" is not a code of the auth API contract"),
        )
    }
}

fn parse_errors(at: &At<'_>) -> Res<ErrorSpec> {
    at.object(&[
        "code",
        "code_separator",
        "status",
        "reference",
        "wait_headers",
        "wait_pointer",
        "items",
        "kinds",
        "fields",
        "statuses",
    ])?;
    let mut spec = ErrorSpec {
        item_code: "/code".into(),
        ..ErrorSpec::default()
    };
    let code = at.req("code")?;
    let Some(items) = code.v.items() else {
        return err(&code.path, "expected an array of JSON pointers");
    };
    for i in 0..items.len() {
        spec.code.push(code.child_index(i).pointer()?);
    }
    spec.code_separator = at.opt_string("code_separator")?;
    spec.status = at.opt_pointer("status")?;
    spec.reference = at.opt_pointer("reference")?;
    spec.wait_pointer = at.opt_pointer("wait_pointer")?;
    if let Some(w) = at.child("wait_headers") {
        let Some(items) = w.v.items() else {
            return err(&w.path, "expected an array of header names");
        };
        for i in 0..items.len() {
            spec.wait_headers.push(w.child_index(i).string()?);
        }
    }
    if let Some(it) = at.child("items") {
        it.object(&["list", "code", "field", "min", "max"])?;
        spec.items = Some(it.req("list")?.pointer()?);
        if let Some(c) = it.opt_pointer("code")? {
            spec.item_code = c;
        }
        spec.item_field = it.opt_pointer("field")?;
        spec.item_min = it.opt_pointer("min")?;
        spec.item_max = it.opt_pointer("max")?;
    }
    if let Some(k) = at.child("kinds") {
        for (code, v) in k.members()? {
            spec.kinds.push((code, contract_code(&v, false)?));
        }
    }
    if let Some(f) = at.child("fields") {
        for (code, v) in f.members()? {
            v.object(&["field", "error", "min", "max"])?;
            let field = match v.child("field") {
                Some(fa) => Some(
                    Field::parse(&fa.string()?)
                        .map_or_else(|| err(&fa.path, "expected \"email\" or \"password\""), Ok)?,
                ),
                None => None,
            };
            let e = v.req("error")?;
            let Some(error) = FieldErrorCode::parse(&e.string()?) else {
                return err(
                    &e.path,
                    "expected one of missing, malformed, too_short, too_long, common, contains_email",
                );
            };
            spec.fields.push((
                code,
                FieldSpec {
                    field,
                    code: error,
                    min: v.child("min").map(|m| m.small()).transpose()?,
                    max: v.child("max").map(|m| m.small()).transpose()?,
                },
            ));
        }
    }
    if let Some(s) = at.child("statuses") {
        for (status, v) in s.members()? {
            let n = match status.parse::<u16>() {
                Ok(n @ 400..=599) => n,
                _ => return err(&v.path, "a status here must be 400-599"),
            };
            spec.statuses.push((n, contract_code(&v, true)?));
        }
    }
    Ok(spec)
}

impl At<'_> {
    fn child_index(&self, i: usize) -> At<'_> {
        At {
            v: self.v.index(i).expect("index within the array"),
            path: format!("{}/{i}", self.path),
        }
    }
}
