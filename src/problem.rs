//! Reading response bodies: RFC 9457 problem details and the contract's success shapes,
//! through [`json`](crate::json) (the browser's own JSON parser in the widget).

use crate::json;

/// The fields of a problem document the widget may use. `detail` and `title` are
/// deliberately absent: messages are chosen by `code` only (errors-18).
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

/// The `next` member of a success body (`{"next": "verify_email"}`).
pub(crate) fn next_step(body: &[u8]) -> Option<String> {
    json::parse_object(body)?.root().str("next")
}

/// The email of `{"next": "sign_in", "email": …}`, the answer to a used link.
pub(crate) fn parse_sign_in_next(body: &[u8]) -> Option<String> {
    let doc = json::parse_object(body)?;
    let obj = doc.root();
    (obj.str("next").as_deref() == Some("sign_in")).then(|| obj.str("email"))?
}

/// The step token of `{"next": "second_factor", "step": …}`, a sign-in's second step.
pub(crate) fn parse_second_factor(body: &[u8]) -> Option<String> {
    let doc = json::parse_object(body)?;
    let obj = doc.root();
    (obj.str("next").as_deref() == Some("second_factor")).then(|| obj.str("step"))?
}

fn small(n: Option<u64>) -> Option<u32> {
    n.map(|n| n.min(u64::from(u32::MAX)) as u32)
}

/// Reads a problem document. `None` when the body is not a JSON object.
pub(crate) fn parse_problem(body: &[u8]) -> Option<Problem> {
    let doc = json::parse_object(body)?;
    let obj = doc.root();
    let errors = obj
        .objects("errors")
        .iter()
        .filter_map(|e| {
            Some(ProblemFieldError {
                field: e.str("field")?,
                code: e.str("code")?,
                min: small(e.uint("min")),
                max: small(e.uint("max")),
            })
        })
        .collect();
    Some(Problem {
        code: obj.str("code"),
        status: obj.uint("status"),
        instance: obj.str("instance"),
        retry_after: small(obj.uint("retry_after")),
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
    let doc = json::parse_object(body)?;
    let obj = doc.root();
    let user = obj.object("user")?;
    let id = user.str("id").or_else(|| user.int_text("id"))?;
    Some(SignedIn {
        id,
        email: user.str("email")?,
        access_token: obj.str("access_token"),
    })
}
