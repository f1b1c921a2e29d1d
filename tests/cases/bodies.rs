//! Response bodies at the edges of JSON, classified the same way by both parsers the widget
//! uses: the browser's `JSON.parse` (in `tests/web/failures.rs`) and miniserde natively (in
//! `tests/mapping.rs`). One table, two platforms: a difference between them fails one side.

use auth_widget::taxonomy::{Flow, Outcome, Response, Success, Transport, classify};

/// `(what, flow, status, body, expected summary)`.
pub const BODIES: &[(&str, Flow, u16, &[u8], &str)] = &[
    (
        "a status written as 401.0",
        Flow::Login,
        401,
        br#"{"code":"invalid_credentials","status":401.0}"#,
        "failure invalid_credentials status=401 retry=- ref=- fields=0",
    ),
    (
        "a fractional retry_after is no number of seconds",
        Flow::Login,
        429,
        br#"{"code":"rate_limited","retry_after":30.5}"#,
        "failure rate_limited status=429 retry=- ref=- fields=0",
    ),
    (
        "a retry_after too large to be exact",
        Flow::Login,
        429,
        br#"{"code":"rate_limited","retry_after":1e20}"#,
        "failure rate_limited status=429 retry=- ref=- fields=0",
    ),
    (
        "members only inherited in JavaScript are not members",
        Flow::Login,
        500,
        br#"{"instance":"ref-7","constructor":"x","__proto__":{"code":"invalid_credentials"}}"#,
        "failure unknown status=500 retry=- ref=ref-7 fields=0",
    ),
    (
        "the last of two equal keys wins",
        Flow::Login,
        503,
        br#"{"code":"invalid_credentials","code":"service_unavailable","retry_after":5}"#,
        "failure service_unavailable status=503 retry=5 ref=- fields=0",
    ),
    (
        "deep nesting is only not the promised shape",
        Flow::Signup,
        422,
        DEEP.as_bytes(),
        "failure validation_failed status=422 retry=- ref=- fields=0",
    ),
    (
        "field errors: objects only, each with its own min",
        Flow::Signup,
        422,
        br#"{"code":"validation_failed","errors":[1,"x",{"field":"password","code":"too_short","min":12},{"field":"email"}]}"#,
        "failure validation_failed status=422 retry=- ref=- fields=1",
    ),
    (
        "a numeric user id",
        Flow::Login,
        200,
        br#"{"user":{"id":42,"email":"a@example.com"}}"#,
        "signed_in id=42 email=a@example.com token=-",
    ),
    (
        "a negative numeric user id",
        Flow::Login,
        200,
        br#"{"user":{"id":-7,"email":"a@example.com"},"access_token":"t"}"#,
        "signed_in id=-7 email=a@example.com token=t",
    ),
    (
        "a fractional user id is not an id",
        Flow::Login,
        200,
        br#"{"user":{"id":4.2,"email":"a@example.com"}}"#,
        "failure unexpected_response status=200 retry=- ref=- fields=0",
    ),
    (
        "a top-level array is not an answer",
        Flow::Login,
        200,
        br#"[{"user":{"id":"1","email":"a@example.com"}}]"#,
        "failure unexpected_response status=200 retry=- ref=- fields=0",
    ),
    (
        "bytes that are not UTF-8 are not JSON",
        Flow::Login,
        500,
        b"{\"code\":\"internal_error\",\"instance\":\"\xff\"}",
        "failure unexpected_response status=500 retry=- ref=- fields=0",
    ),
    (
        "a used verification link: sign in next, as the address it confirmed",
        Flow::VerifyEmail,
        200,
        br#"{"next":"sign_in","email":"a@example.com"}"#,
        "sign_in_next email=a@example.com",
    ),
    (
        "a completed reset that names no address is not the promised shape",
        Flow::PasswordResetComplete,
        200,
        br#"{"next":"sign_in"}"#,
        "failure unexpected_response status=200 retry=- ref=- fields=0",
    ),
    (
        "a link answer with another next step is not the promised shape",
        Flow::VerifyEmail,
        200,
        br#"{"next":"verify_email","email":"a@example.com"}"#,
        "failure unexpected_response status=200 retry=- ref=- fields=0",
    ),
    (
        "a correct password of an account with a second factor: its step, no session",
        Flow::Login,
        202,
        br#"{"next":"second_factor","step":"s-1","methods":["totp","recovery_code"]}"#,
        "second_factor step=s-1",
    ),
    (
        "a second step without its step token is not the promised shape",
        Flow::Login,
        202,
        br#"{"next":"second_factor","methods":["totp"]}"#,
        "failure unexpected_response status=202 retry=- ref=- fields=0",
    ),
    (
        "a code that matches: signed in (the session check follows)",
        Flow::LoginSecondFactor,
        200,
        br#"{"user":{"id":"u1","email":"a@example.com"}}"#,
        "signed_in id=u1 email=a@example.com token=-",
    ),
    (
        "a code refused with no code member is no wrong password",
        Flow::LoginSecondFactor,
        401,
        br#"{"status":401}"#,
        "failure unknown status=401 retry=- ref=- fields=0",
    ),
    (
        "codes paused, the wait in the body",
        Flow::LoginSecondFactor,
        429,
        br#"{"code":"codes_paused","status":429,"retry_after":30}"#,
        "failure codes_paused status=429 retry=30 ref=- fields=0",
    ),
    (
        "a link code with the wrong status class is not believed",
        Flow::PasswordResetComplete,
        500,
        br#"{"code":"link_expired"}"#,
        "failure unknown status=500 retry=- ref=- fields=0",
    ),
];

/// 2,000 nested arrays inside a problem document.
const DEEP: &str = concat!(
    r#"{"code":"validation_failed","errors":"#,
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
    "}"
);

/// One line that says everything the widget uses from an outcome.
pub fn summary(outcome: &Outcome) -> String {
    let opt = |v: Option<String>| v.unwrap_or_else(|| "-".to_string());
    match outcome {
        Ok(Success::SignedIn { user, access_token }) => format!(
            "signed_in id={} email={} token={}",
            user.id,
            user.email,
            opt(access_token.clone())
        ),
        Ok(Success::VerifyEmail) => "verify_email".to_string(),
        Ok(Success::SignInNext { email }) => format!("sign_in_next email={email}"),
        Ok(Success::SecondFactor { step }) => format!("second_factor step={step}"),
        Ok(Success::Done) => "done".to_string(),
        Err(f) => format!(
            "failure {} status={} retry={} ref={} fields={}",
            f.kind.as_str(),
            opt(f.status.map(|s| s.to_string())),
            opt(f.retry_after.map(|s| s.to_string())),
            opt(f.reference.clone()),
            f.field_errors.len()
        ),
    }
}

/// Classifies a body as the contract's content type.
pub fn classify_body(flow: Flow, status: u16, body: &[u8]) -> Outcome {
    let content_type = if (200..300).contains(&status) {
        "application/json"
    } else {
        "application/problem+json"
    };
    let headers = [("content-type".to_string(), content_type.to_string())];
    classify(
        flow,
        Transport::Response(Response {
            status,
            headers: &headers,
            body,
            now_unix: 0,
        }),
    )
}
