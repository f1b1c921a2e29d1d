//! The auth API contract (docs/contract.md), defined once for the widget and the reference
//! server: the calls with their methods and paths, and the problem codes with their HTTP
//! statuses. No dependencies, so the widget's WebAssembly carries only what it uses.
//!
//! With the `locale-files` feature, [`locale_file`] reads the copy files (`locales/*.toml`)
//! for every host-side tool the same way.

#[cfg(feature = "locale-files")]
pub mod locale_file;

/// A call of the contract, relative to the API base (`api-base`, default `/auth`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Call {
    Login,
    Signup,
    /// Made after every sign-in and sign-up before success is announced.
    Session,
    Logout,
    /// Ask for a password-reset link by email.
    PasswordReset,
    /// Set a new password with the token of a reset link.
    PasswordResetComplete,
    /// Confirm an email address with the token of a verification link.
    VerifyEmail,
    /// Ask for a new verification link.
    VerifyEmailResend,
    /// The second step of a sign-in: a one-time or recovery code with the step token.
    LoginSecondFactor,
    /// Start setting up one-time codes (signed in): a new secret, not yet in use.
    TotpSetup,
    /// Turn one-time codes on with a first code from the new secret; answers recovery codes.
    TotpConfirm,
    /// Start registering a passkey for the signed-in account: the options for the browser.
    PasskeyRegisterStart,
    /// Finish registering a passkey with the browser's new credential.
    PasskeyRegisterFinish,
    /// Start a sign-in with a passkey (no email asked): the options for the browser.
    PasskeyLoginStart,
    /// Finish a sign-in with a passkey: the browser's assertion; answers like a sign-in.
    PasskeyLoginFinish,
    Status,
}

impl Call {
    /// Every call.
    pub const ALL: [Call; 16] = [
        Call::Login,
        Call::Signup,
        Call::Session,
        Call::Logout,
        Call::PasswordReset,
        Call::PasswordResetComplete,
        Call::VerifyEmail,
        Call::VerifyEmailResend,
        Call::LoginSecondFactor,
        Call::TotpSetup,
        Call::TotpConfirm,
        Call::PasskeyRegisterStart,
        Call::PasskeyRegisterFinish,
        Call::PasskeyLoginStart,
        Call::PasskeyLoginFinish,
        Call::Status,
    ];

    /// The HTTP method.
    pub fn method(self) -> &'static str {
        match self {
            Call::Session | Call::Status => "GET",
            _ => "POST",
        }
    }

    /// The path under the API base, without a leading slash.
    pub fn path(self) -> &'static str {
        match self {
            Call::Login => "login",
            Call::Signup => "signup",
            Call::Session => "session",
            Call::Logout => "logout",
            Call::PasswordReset => "password-reset",
            Call::PasswordResetComplete => "password-reset/complete",
            Call::VerifyEmail => "verify-email",
            Call::VerifyEmailResend => "verify-email/resend",
            Call::LoginSecondFactor => "login/second-factor",
            Call::TotpSetup => "totp/setup",
            Call::TotpConfirm => "totp/confirm",
            Call::PasskeyRegisterStart => "passkeys/register/start",
            Call::PasskeyRegisterFinish => "passkeys/register/finish",
            Call::PasskeyLoginStart => "passkeys/login/start",
            Call::PasskeyLoginFinish => "passkeys/login/finish",
            Call::Status => "status",
        }
    }
}

/// A problem `code` of the contract (RFC 9457 problem details, `code` member).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Code {
    /// Wrong password or unknown email: one answer for both.
    InvalidCredentials,
    /// Too many failures for this account.
    AccountLocked,
    /// Disabled by an operator.
    AccountDisabled,
    /// Sign-in before the verification link was used.
    EmailUnverified,
    /// One or more fields refused; `errors[]` says which and why ([`FieldCode`]).
    ValidationFailed,
    /// Sign-up with a registered email.
    EmailTaken,
    /// Sign-up switched off.
    SignupClosed,
    /// Too many requests from this client; `Retry-After` says how long to wait.
    RateLimited,
    /// The session token failed validation: the service's fault.
    SessionInvalid,
    /// The session is past its lifetime.
    SessionExpired,
    /// Maintenance or overload; `Retry-After` says how long to wait.
    ServiceUnavailable,
    /// Anything unexpected; `instance` carries a reference id.
    InternalError,
    /// A reset or verification link past its lifetime, or replaced by a newer link.
    LinkExpired,
    /// A reset or verification link that has already been used.
    LinkUsed,
    /// A reset or verification token this service never issued (mistyped, cut short).
    LinkInvalid,
    /// A one-time or recovery code that does not match.
    CodeInvalid,
    /// A one-time code that has already been used (replay refused).
    CodeUsed,
    /// Too many wrong codes for this account; `Retry-After` says how long to wait.
    CodesPaused,
    /// The sign-in's second step is past its lifetime or already done: start again.
    StepExpired,
    /// A passkey this service does not know (never registered here, removed, or its account
    /// deleted).
    PasskeyUnknown,
    /// The passkey's answer did not verify (signature, site, user verification, counter).
    PasskeyInvalid,
    /// The passkey is already registered (to this or another account).
    PasskeyRegistered,
    /// A passkey ceremony past its five minutes, already finished, or never started: start
    /// again.
    ChallengeExpired,
}

impl Code {
    /// Every code, in the order of docs/contract.md.
    pub const ALL: [Code; 23] = [
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
        Code::LinkExpired,
        Code::LinkUsed,
        Code::LinkInvalid,
        Code::CodeInvalid,
        Code::CodeUsed,
        Code::CodesPaused,
        Code::StepExpired,
        Code::PasskeyUnknown,
        Code::PasskeyInvalid,
        Code::PasskeyRegistered,
        Code::ChallengeExpired,
    ];

    /// The `code` member's value.
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
            Code::LinkExpired => "link_expired",
            Code::LinkUsed => "link_used",
            Code::LinkInvalid => "link_invalid",
            Code::CodeInvalid => "code_invalid",
            Code::CodeUsed => "code_used",
            Code::CodesPaused => "codes_paused",
            Code::StepExpired => "step_expired",
            Code::PasskeyUnknown => "passkey_unknown",
            Code::PasskeyInvalid => "passkey_invalid",
            Code::PasskeyRegistered => "passkey_registered",
            Code::ChallengeExpired => "challenge_expired",
        }
    }

    /// The code a `code` member names, or `None` for one outside the contract.
    pub fn parse(s: &str) -> Option<Code> {
        Code::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The HTTP status that accompanies it.
    pub fn status(self) -> u16 {
        match self {
            Code::InvalidCredentials
            | Code::SessionInvalid
            | Code::SessionExpired
            | Code::CodeInvalid
            | Code::CodeUsed
            | Code::PasskeyUnknown
            | Code::PasskeyInvalid => 401,
            Code::AccountLocked
            | Code::AccountDisabled
            | Code::EmailUnverified
            | Code::SignupClosed => 403,
            Code::ValidationFailed => 422,
            Code::EmailTaken | Code::PasskeyRegistered => 409,
            Code::RateLimited | Code::CodesPaused => 429,
            Code::ServiceUnavailable => 503,
            Code::InternalError => 500,
            Code::LinkExpired | Code::LinkUsed | Code::StepExpired | Code::ChallengeExpired => 410,
            Code::LinkInvalid => 400,
        }
    }

    /// True for the codes of a 5xx answer: the fault is the service's.
    pub fn is_server_error(self) -> bool {
        self.status() >= 500
    }

    /// Whether answers with this code carry `Retry-After` (RFC 9110 §10.2.3).
    pub fn wants_retry_after(self) -> bool {
        matches!(
            self,
            Code::RateLimited | Code::ServiceUnavailable | Code::AccountLocked | Code::CodesPaused
        )
    }
}

/// The outcomes a widget reports in telemetry besides the codes above: `success`, the
/// failures it tells apart on its own side (docs/contract.md, "The failures the widget
/// distinguishes"), `aborted`, and `other` for anything else.
pub const CLIENT_OUTCOMES: [&str; 9] = [
    "success",
    "offline",
    "unreachable",
    "timeout",
    "unexpected_response",
    "unknown",
    "session_rejected",
    "aborted",
    "other",
];

/// Why a field was refused (`errors[].code` of `validation_failed`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldCode {
    Missing,
    Malformed,
    TooShort,
    TooLong,
    /// On a list of common passwords (NIST SP 800-63B §3.1.1.2).
    Common,
    ContainsEmail,
}

impl FieldCode {
    /// Every code.
    pub const ALL: [FieldCode; 6] = [
        FieldCode::Missing,
        FieldCode::Malformed,
        FieldCode::TooShort,
        FieldCode::TooLong,
        FieldCode::Common,
        FieldCode::ContainsEmail,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FieldCode::Missing => "missing",
            FieldCode::Malformed => "malformed",
            FieldCode::TooShort => "too_short",
            FieldCode::TooLong => "too_long",
            FieldCode::Common => "common",
            FieldCode::ContainsEmail => "contains_email",
        }
    }

    pub fn parse(s: &str) -> Option<FieldCode> {
        FieldCode::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_from_its_name() {
        for code in Code::ALL {
            assert_eq!(Code::parse(code.as_str()), Some(code));
        }
        for code in FieldCode::ALL {
            assert_eq!(FieldCode::parse(code.as_str()), Some(code));
        }
        assert_eq!(Code::parse("not_a_code"), None);
    }

    #[test]
    fn only_the_service_side_codes_are_server_errors() {
        let server: Vec<&str> = Code::ALL
            .into_iter()
            .filter(|c| c.is_server_error())
            .map(Code::as_str)
            .collect();
        assert_eq!(server, ["service_unavailable", "internal_error"]);
    }

    #[test]
    fn reads_are_gets_and_changes_are_posts() {
        let gets: Vec<&str> = Call::ALL
            .into_iter()
            .filter(|c| c.method() == "GET")
            .map(Call::path)
            .collect();
        assert_eq!(gets, ["session", "status"]);
    }
}
