//! The one fixture table: each way a call can fail, what the API answers, how the reference
//! server reproduces it, and what the widget must show. It drives the native mapping tests,
//! the browser tests and the gallery, so they cannot drift apart.

use crate::guidance::{Action, Focus, Guidance, GuideOptions, Role, Tone, Words, guide};
use crate::taxonomy::{FailureKind, Flow, Outcome, Response, Transport, classify};

/// How the call ends in this fixture.
#[derive(Clone, Copy, Debug)]
pub enum Answer {
    Offline,
    Unreachable,
    Timeout,
    Http {
        status: u16,
        content_type: &'static str,
        retry_after: Option<&'static str>,
        body: &'static str,
    },
}

/// What the widget must show.
#[derive(Clone, Copy, Debug)]
pub struct Expect {
    pub kind: FailureKind,
    pub tone: Tone,
    pub role: Role,
    /// The title and body the banner shows.
    pub words: Words,
    pub focus: Focus,
    pub actions: &'static [Action],
    pub countdown: Option<u32>,
    pub reference: Option<&'static str>,
}

/// One row of the table.
#[derive(Clone, Copy, Debug)]
pub struct Fixture {
    /// A sentence-like name, used in test output and as the gallery label.
    pub name: &'static str,
    pub flow: Flow,
    /// Enumeration-safe mode on (the default) or off.
    pub enumeration_safe: bool,
    pub answer: Answer,
    /// The reference server's fault (`PUT /_admin/faults`) that produces this answer, or how
    /// the browser test produces it otherwise (`offline`, `unreachable`).
    pub reproduce: &'static str,
    pub expect: Expect,
}

const PROBLEM: &str = "application/problem+json";

macro_rules! problem {
    ($code:literal, $status:literal) => {
        concat!(
            r#"{"type":"about:blank","title":"t","status":"#,
            $status,
            r#","detail":"d","code":""#,
            $code,
            r#""}"#
        )
    };
    ($code:literal, $status:literal, $extra:literal) => {
        concat!(
            r#"{"type":"about:blank","title":"t","status":"#,
            $status,
            r#","detail":"d","code":""#,
            $code,
            r#"","#,
            $extra,
            "}"
        )
    };
}

const fn http(status: u16, body: &'static str) -> Answer {
    Answer::Http {
        status,
        content_type: PROBLEM,
        retry_after: None,
        body,
    }
}

const fn expect(kind: FailureKind, tone: Tone, words: Words, actions: &'static [Action]) -> Expect {
    Expect {
        kind,
        tone,
        role: Role::Alert,
        words,
        focus: Focus::Summary,
        actions,
        countdown: None,
        reference: None,
    }
}

const fn row(
    name: &'static str,
    flow: Flow,
    answer: Answer,
    reproduce: &'static str,
    expect: Expect,
) -> Fixture {
    Fixture {
        name,
        flow,
        enumeration_safe: true,
        answer,
        reproduce,
        expect,
    }
}

use Action::*;
use FailureKind as K;

/// Every failure kind at least once, plus the fallbacks that guard the incidents.
pub const FIXTURES: &[Fixture] = &[
    row(
        "wrong password or unknown email",
        Flow::Login,
        http(401, problem!("invalid_credentials", 401)),
        "wrong_password",
        expect(
            K::InvalidCredentials,
            Tone::Error,
            Words::Of(K::InvalidCredentials),
            &[ResetPassword, CreateAccount],
        ),
    ),
    row(
        "locked account, enumeration-safe: same words as wrong password",
        Flow::Login,
        http(403, problem!("account_locked", 403)),
        "code:account_locked",
        expect(
            K::AccountLocked,
            Tone::Error,
            Words::Of(K::InvalidCredentials),
            &[ResetPassword],
        ),
    ),
    Fixture {
        enumeration_safe: false,
        ..row(
            "locked account, enumeration-safe off: says locked and counts down",
            Flow::Login,
            Answer::Http {
                status: 403,
                content_type: PROBLEM,
                retry_after: Some("3"),
                body: problem!("account_locked", 403),
            },
            "code:account_locked",
            Expect {
                countdown: Some(3),
                ..expect(
                    K::AccountLocked,
                    Tone::Error,
                    Words::Of(K::AccountLocked),
                    &[ResetPassword],
                )
            },
        )
    },
    row(
        "disabled account, enumeration-safe",
        Flow::Login,
        http(403, problem!("account_disabled", 403)),
        "code:account_disabled",
        expect(
            K::AccountDisabled,
            Tone::Error,
            Words::Of(K::InvalidCredentials),
            &[ResetPassword],
        ),
    ),
    Fixture {
        enumeration_safe: false,
        ..row(
            "disabled account, enumeration-safe off",
            Flow::Login,
            http(403, problem!("account_disabled", 403)),
            "code:account_disabled",
            expect(
                K::AccountDisabled,
                Tone::Error,
                Words::Of(K::AccountDisabled),
                &[ContactSupport],
            ),
        )
    },
    row(
        "email not yet verified",
        Flow::Login,
        http(403, problem!("email_unverified", 403)),
        "code:email_unverified",
        expect(
            K::EmailUnverified,
            Tone::Warning,
            Words::Of(K::EmailUnverified),
            &[ResendVerification],
        ),
    ),
    row(
        "server refuses a common password",
        Flow::Signup,
        http(
            422,
            problem!(
                "validation_failed",
                422,
                r#""errors":[{"field":"password","code":"common"}]"#
            ),
        ),
        "common_password",
        expect(
            K::ValidationFailed,
            Tone::Error,
            Words::Of(K::ValidationFailed),
            &[],
        ),
    ),
    row(
        "server refuses the details without saying which",
        Flow::Signup,
        http(422, problem!("validation_failed", 422)),
        "problem:422:validation_failed",
        expect(
            K::ValidationFailed,
            Tone::Error,
            Words::ValidationUnmarked,
            &[ContactSupport],
        ),
    ),
    row(
        "sign-up with a registered email",
        Flow::Signup,
        http(409, problem!("email_taken", 409)),
        "code:email_taken",
        expect(
            K::EmailTaken,
            Tone::Error,
            Words::Of(K::EmailTaken),
            &[SignInInstead, ResetPassword],
        ),
    ),
    row(
        "sign-up switched off",
        Flow::Signup,
        http(403, problem!("signup_closed", 403)),
        "code:signup_closed",
        expect(
            K::SignupClosed,
            Tone::Info,
            Words::Of(K::SignupClosed),
            &[SignInInstead],
        ),
    ),
    row(
        "too many requests: countdown from Retry-After",
        Flow::Login,
        Answer::Http {
            status: 429,
            content_type: PROBLEM,
            retry_after: Some("3"),
            body: problem!("rate_limited", 429),
        },
        "code:rate_limited",
        Expect {
            countdown: Some(3),
            ..expect(
                K::RateLimited,
                Tone::Warning,
                Words::Of(K::RateLimited),
                &[Retry],
            )
        },
    ),
    row(
        "session token fails validation on login",
        Flow::Login,
        http(401, problem!("session_invalid", 401)),
        "code:session_invalid",
        expect(
            K::SessionInvalid,
            Tone::Error,
            Words::Of(K::SessionInvalid),
            &[Retry, ContactSupport],
        ),
    ),
    row(
        "session expired",
        Flow::Login,
        http(401, problem!("session_expired", 401)),
        "code:session_expired",
        expect(
            K::SessionExpired,
            Tone::Info,
            Words::Of(K::SessionExpired),
            &[Retry],
        ),
    ),
    row(
        "reset link expired or replaced by a newer one",
        Flow::PasswordResetComplete,
        http(410, problem!("link_expired", 410)),
        "code:link_expired",
        expect(
            K::LinkExpired,
            Tone::Warning,
            Words::Of(K::LinkExpired),
            &[SendNewLink],
        ),
    ),
    row(
        "verification link already used",
        Flow::VerifyEmail,
        http(410, problem!("link_used", 410)),
        "code:link_used",
        expect(
            K::LinkUsed,
            Tone::Warning,
            Words::Of(K::LinkUsed),
            &[SignInInstead, SendNewLink],
        ),
    ),
    row(
        "verification link the service never issued",
        Flow::VerifyEmail,
        http(400, problem!("link_invalid", 400)),
        "code:link_invalid",
        expect(
            K::LinkInvalid,
            Tone::Warning,
            Words::Of(K::LinkInvalid),
            &[SendNewLink],
        ),
    ),
    row(
        "second step: a code that does not match",
        Flow::LoginSecondFactor,
        http(401, problem!("code_invalid", 401)),
        "code:code_invalid",
        expect(K::CodeInvalid, Tone::Error, Words::Of(K::CodeInvalid), &[]),
    ),
    row(
        "second step: a code already used",
        Flow::LoginSecondFactor,
        http(401, problem!("code_used", 401)),
        "code:code_used",
        expect(K::CodeUsed, Tone::Warning, Words::Of(K::CodeUsed), &[]),
    ),
    row(
        "second step: too many wrong codes, codes paused with a countdown",
        Flow::LoginSecondFactor,
        Answer::Http {
            status: 429,
            content_type: PROBLEM,
            retry_after: Some("3"),
            body: problem!("codes_paused", 429),
        },
        "code:codes_paused",
        Expect {
            countdown: Some(3),
            ..expect(
                K::CodesPaused,
                Tone::Warning,
                Words::Of(K::CodesPaused),
                &[Retry],
            )
        },
    ),
    row(
        "second step timed out: start again",
        Flow::LoginSecondFactor,
        http(410, problem!("step_expired", 410)),
        "code:step_expired",
        expect(
            K::StepExpired,
            Tone::Info,
            Words::Of(K::StepExpired),
            &[StartAgain],
        ),
    ),
    row(
        "new verification link asked for too soon: countdown",
        Flow::VerifyEmailResend,
        Answer::Http {
            status: 429,
            content_type: PROBLEM,
            retry_after: Some("3"),
            body: problem!("rate_limited", 429),
        },
        "code:rate_limited",
        Expect {
            countdown: Some(3),
            ..expect(
                K::RateLimited,
                Tone::Warning,
                Words::Of(K::RateLimited),
                &[Retry],
            )
        },
    ),
    row(
        "disabled account on a reset link: its own words, never masked",
        Flow::PasswordResetComplete,
        http(403, problem!("account_disabled", 403)),
        "code:account_disabled",
        expect(
            K::AccountDisabled,
            Tone::Error,
            Words::Of(K::AccountDisabled),
            &[ContactSupport],
        ),
    ),
    row(
        "service unavailable: countdown from Retry-After",
        Flow::Login,
        Answer::Http {
            status: 503,
            content_type: PROBLEM,
            retry_after: Some("3"),
            body: problem!("service_unavailable", 503, r#""instance":"ref-503""#),
        },
        "unavailable",
        Expect {
            countdown: Some(3),
            reference: Some("ref-503"),
            ..expect(
                K::ServiceUnavailable,
                Tone::Warning,
                Words::Of(K::ServiceUnavailable),
                &[Retry],
            )
        },
    ),
    row(
        "internal error with a reference id",
        Flow::Login,
        http(
            500,
            problem!("internal_error", 500, r#""instance":"ref-500""#),
        ),
        "internal_error",
        Expect {
            reference: Some("ref-500"),
            ..expect(
                K::InternalError,
                Tone::Error,
                Words::Of(K::InternalError),
                &[Retry, ContactSupport],
            )
        },
    ),
    row(
        "login accepted but the session check fails (the incident)",
        Flow::Session,
        http(
            401,
            problem!("session_invalid", 401, r#""instance":"ref-401""#),
        ),
        "session_invalid",
        Expect {
            reference: Some("ref-401"),
            ..expect(
                K::SessionRejected,
                Tone::Error,
                Words::Of(K::SessionRejected),
                &[Retry, ContactSupport],
            )
        },
    ),
    row(
        "browser is offline",
        Flow::Login,
        Answer::Offline,
        "offline",
        expect(K::Offline, Tone::Warning, Words::Of(K::Offline), &[Retry]),
    ),
    row(
        "service unreachable",
        Flow::Login,
        Answer::Unreachable,
        "unreachable",
        expect(
            K::Unreachable,
            Tone::Error,
            Words::Of(K::Unreachable),
            &[Retry],
        ),
    ),
    row(
        "no answer in time",
        Flow::Login,
        Answer::Timeout,
        "slow:3000",
        expect(K::Timeout, Tone::Warning, Words::Of(K::Timeout), &[Retry]),
    ),
    row(
        "a proxy's HTML error page",
        Flow::Login,
        Answer::Http {
            status: 502,
            content_type: "text/html",
            retry_after: None,
            body: "<html><body><h1>502 Bad Gateway</h1></body></html>",
        },
        "html_502",
        expect(
            K::UnexpectedResponse,
            Tone::Error,
            Words::Of(K::UnexpectedResponse),
            &[Retry, ContactSupport],
        ),
    ),
    row(
        "malformed JSON",
        Flow::Login,
        Answer::Http {
            status: 500,
            content_type: PROBLEM,
            retry_after: None,
            body: r#"{"code":"internal_err"#,
        },
        "malformed_json",
        expect(
            K::UnexpectedResponse,
            Tone::Error,
            Words::Of(K::UnexpectedResponse),
            &[Retry, ContactSupport],
        ),
    ),
    row(
        "unknown code on a 4xx: generic words, never wrong credentials",
        Flow::Login,
        http(401, problem!("mfa_required", 401)),
        "problem:401:mfa_required",
        expect(K::Unknown, Tone::Error, Words::Of(K::Unknown), &[Retry]),
    ),
    row(
        "unknown code on a 5xx: the service's side",
        Flow::Login,
        http(507, problem!("disk_full", 507)),
        "problem:507:disk_full",
        expect(
            K::Unknown,
            Tone::Error,
            Words::Of(K::InternalError),
            &[Retry, ContactSupport],
        ),
    ),
];

impl Fixture {
    /// Classifies this fixture's answer, as the widget would.
    pub fn outcome(&self) -> Outcome {
        match self.answer {
            Answer::Offline => classify(self.flow, Transport::Offline),
            Answer::Unreachable => classify(self.flow, Transport::Unreachable),
            Answer::Timeout => classify(self.flow, Transport::Timeout),
            Answer::Http {
                status,
                content_type,
                retry_after,
                body,
            } => {
                let mut headers = vec![("Content-Type".to_string(), content_type.to_string())];
                if let Some(r) = retry_after {
                    headers.push(("Retry-After".to_string(), r.to_string()));
                }
                let response = Response {
                    status,
                    headers: &headers,
                    body: body.as_bytes(),
                    now_unix: 0,
                };
                classify(self.flow, Transport::Response(response))
            }
        }
    }

    /// The guidance the widget shows for this fixture (`None` if it classified as a success).
    pub fn guidance(&self) -> Option<(Guidance, Vec<crate::taxonomy::FieldError>)> {
        let failure = self.outcome().err()?;
        let options = GuideOptions {
            enumeration_safe: self.enumeration_safe,
        };
        Some((guide(self.flow, &failure, options), failure.field_errors))
    }
}
