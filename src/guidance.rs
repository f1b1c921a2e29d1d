//! Guidance: what the widget says and offers for each failure.
//!
//! Pure Rust, no web types. The UI renders a [`Guidance`] and never decides wording itself.

use crate::copy::Key;
use crate::taxonomy::{Failure, FailureKind, Field, Flow};

/// The banner's tone; it picks colours and icon, never the words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Error,
    Warning,
    Info,
    Success,
}

impl Tone {
    pub fn as_str(self) -> &'static str {
        match self {
            Tone::Error => "error",
            Tone::Warning => "warning",
            Tone::Info => "info",
            Tone::Success => "success",
        }
    }
}

/// The ARIA role of the banner: `alert` for failures, `status` for progress and success
/// (errors-12).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Alert,
    Status,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Alert => "alert",
            Role::Status => "status",
        }
    }
}

/// A next step the banner offers as a button.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Send the same request again (after any countdown).
    Retry,
    /// Switch to the password-reset request.
    ResetPassword,
    /// Ask for the verification email again (dispatched to the host page).
    ResendVerification,
    /// Switch from sign-up to login, keeping the email.
    SignInInstead,
    /// Switch from login to sign-up, keeping the email.
    CreateAccount,
    /// Contact support, quoting the reference id.
    ContactSupport,
    /// A link failed: ask for a new one (a reset link by email, or a verification link).
    SendNewLink,
    /// A sign-in's second step ran out: back to the password, keeping the email.
    StartAgain,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Retry => "retry",
            Action::ResetPassword => "reset_password",
            Action::ResendVerification => "resend_verification",
            Action::SignInInstead => "sign_in_instead",
            Action::CreateAccount => "create_account",
            Action::ContactSupport => "contact_support",
            Action::SendNewLink => "send_new_link",
            Action::StartAgain => "start_again",
        }
    }

    /// Every action, for the gallery and the copy checks.
    pub const ALL: [Action; 8] = [
        Action::Retry,
        Action::ResetPassword,
        Action::ResendVerification,
        Action::SignInInstead,
        Action::CreateAccount,
        Action::ContactSupport,
        Action::SendNewLink,
        Action::StartAgain,
    ];

    /// Copy key of the button label.
    pub fn copy_key(self) -> Key {
        match self {
            Action::Retry => Key::ActionRetry,
            Action::ResetPassword => Key::ActionResetPassword,
            Action::ResendVerification => Key::ActionResendVerification,
            Action::SignInInstead => Key::ActionSignInInstead,
            Action::CreateAccount => Key::ActionCreateAccount,
            Action::ContactSupport => Key::ActionContactSupport,
            Action::SendNewLink => Key::ActionSendNewLink,
            Action::StartAgain => Key::ActionStartAgain,
        }
    }
}

/// Where focus goes when the banner appears.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    /// The error summary takes focus (errors-10).
    Summary,
    /// Focus stays where it is (status messages, errors-12).
    Stay,
}

impl Focus {
    pub fn as_str(self) -> &'static str {
        match self {
            Focus::Summary => "summary",
            Focus::Stay => "stay",
        }
    }
}

/// Which title and body a failure banner shows: a failure kind's own words, or a variant of
/// them for a case that kind covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Words {
    /// The kind's own words (`failure.<kind>.title` and `.body`).
    Of(FailureKind),
    /// `validation_failed` that names no field: nothing is marked to correct.
    ValidationUnmarked,
}

impl Words {
    /// Every set of words a banner can show.
    pub fn all() -> impl Iterator<Item = Words> {
        FailureKind::ALL
            .into_iter()
            .map(Words::Of)
            .chain([Words::ValidationUnmarked])
    }

    /// The name of these words in the locale files (`failure.<name>.title`).
    pub fn as_str(self) -> &'static str {
        match self {
            Words::Of(kind) => kind.as_str(),
            Words::ValidationUnmarked => "validation_unmarked",
        }
    }

    /// The title and body keys.
    pub fn keys(self) -> (Key, Key) {
        use FailureKind as K;
        use Key::*;
        match self {
            Words::ValidationUnmarked => (
                FailureValidationUnmarkedTitle,
                FailureValidationUnmarkedBody,
            ),
            Words::Of(kind) => match kind {
                K::InvalidCredentials => (
                    FailureInvalidCredentialsTitle,
                    FailureInvalidCredentialsBody,
                ),
                K::AccountLocked => (FailureAccountLockedTitle, FailureAccountLockedBody),
                K::AccountDisabled => (FailureAccountDisabledTitle, FailureAccountDisabledBody),
                K::EmailUnverified => (FailureEmailUnverifiedTitle, FailureEmailUnverifiedBody),
                K::ValidationFailed => (FailureValidationFailedTitle, FailureValidationFailedBody),
                K::EmailTaken => (FailureEmailTakenTitle, FailureEmailTakenBody),
                K::SignupClosed => (FailureSignupClosedTitle, FailureSignupClosedBody),
                K::RateLimited => (FailureRateLimitedTitle, FailureRateLimitedBody),
                K::SessionInvalid => (FailureSessionInvalidTitle, FailureSessionInvalidBody),
                K::SessionExpired => (FailureSessionExpiredTitle, FailureSessionExpiredBody),
                K::LinkExpired => (FailureLinkExpiredTitle, FailureLinkExpiredBody),
                K::LinkUsed => (FailureLinkUsedTitle, FailureLinkUsedBody),
                K::LinkInvalid => (FailureLinkInvalidTitle, FailureLinkInvalidBody),
                K::CodeInvalid => (FailureCodeInvalidTitle, FailureCodeInvalidBody),
                K::CodeUsed => (FailureCodeUsedTitle, FailureCodeUsedBody),
                K::CodesPaused => (FailureCodesPausedTitle, FailureCodesPausedBody),
                K::StepExpired => (FailureStepExpiredTitle, FailureStepExpiredBody),
                K::ServiceUnavailable => (
                    FailureServiceUnavailableTitle,
                    FailureServiceUnavailableBody,
                ),
                K::InternalError => (FailureInternalErrorTitle, FailureInternalErrorBody),
                K::SessionRejected => (FailureSessionRejectedTitle, FailureSessionRejectedBody),
                K::Offline => (FailureOfflineTitle, FailureOfflineBody),
                K::Unreachable => (FailureUnreachableTitle, FailureUnreachableBody),
                K::Timeout => (FailureTimeoutTitle, FailureTimeoutBody),
                K::UnexpectedResponse => (
                    FailureUnexpectedResponseTitle,
                    FailureUnexpectedResponseBody,
                ),
                K::Unknown => (FailureUnknownTitle, FailureUnknownBody),
            },
        }
    }

    /// True for the words that speak of the person's email and password.
    pub fn blame_details(self) -> bool {
        self == Words::Of(FailureKind::InvalidCredentials)
    }
}

/// Everything the banner needs for one failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Guidance {
    pub kind: FailureKind,
    pub tone: Tone,
    pub role: Role,
    /// The title and body it shows.
    pub words: Words,
    pub actions: Vec<Action>,
    pub focus: Focus,
    /// The field the summary points at first, if fixing one field is the next step.
    pub field: Option<Field>,
    /// Seconds to count down before submit is enabled again.
    pub countdown: Option<u32>,
    /// A reference id to quote to support.
    pub reference: Option<String>,
}

impl Guidance {
    pub fn title_key(&self) -> Key {
        self.words.keys().0
    }
    pub fn body_key(&self) -> Key {
        self.words.keys().1
    }
}

/// Options that change guidance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GuideOptions {
    /// Show `account_locked` and `account_disabled` with the words of `invalid_credentials`.
    pub enumeration_safe: bool,
}

impl Default for GuideOptions {
    fn default() -> Self {
        GuideOptions {
            enumeration_safe: true,
        }
    }
}

/// Turns a failure into guidance. Only `invalid_credentials` (and, in enumeration-safe mode,
/// the two account states that share its words) ever speaks of the person's details.
pub fn guide(flow: Flow, failure: &Failure, options: GuideOptions) -> Guidance {
    use Action::*;
    use FailureKind as K;
    let kind = failure.kind;
    let server_status = failure.status.is_some_and(|s| s >= 500);
    // Whoever holds a reset link already knows the account exists: nothing to mask there.
    let masked = options.enumeration_safe
        && flow != Flow::PasswordResetComplete
        && matches!(kind, K::AccountLocked | K::AccountDisabled);
    let own = Words::Of(kind);
    let (tone, words, actions, field): (Tone, Words, Vec<Action>, Option<Field>) = match kind {
        _ if masked => (
            Tone::Error,
            Words::Of(K::InvalidCredentials),
            vec![ResetPassword],
            Some(Field::Password),
        ),
        K::InvalidCredentials => {
            let mut actions = vec![ResetPassword];
            if flow == Flow::Login {
                actions.push(CreateAccount);
            }
            (Tone::Error, own, actions, Some(Field::Password))
        }
        K::AccountLocked => (Tone::Error, own, vec![ResetPassword], None),
        K::AccountDisabled => (Tone::Error, own, vec![ContactSupport], None),
        K::EmailUnverified => (Tone::Warning, own, vec![ResendVerification], None),
        // Refused without saying which field: nothing is marked to correct, so the words
        // must not point below, and support can find out what the server wanted.
        K::ValidationFailed if failure.field_errors.is_empty() => (
            Tone::Error,
            Words::ValidationUnmarked,
            vec![ContactSupport],
            None,
        ),
        K::ValidationFailed => (
            Tone::Error,
            own,
            Vec::new(),
            failure.field_errors.first().map(|e| e.field),
        ),
        K::EmailTaken => (
            Tone::Error,
            own,
            vec![SignInInstead, ResetPassword],
            Some(Field::Email),
        ),
        K::SignupClosed => (Tone::Info, own, vec![SignInInstead], None),
        K::RateLimited | K::ServiceUnavailable | K::Offline | K::Timeout => {
            (Tone::Warning, own, vec![Retry], None)
        }
        K::SessionExpired => (Tone::Info, own, vec![Retry], None),
        // None of the link failures is about the password (recovery-32). A used link may
        // have done its work already, so signing in is offered first.
        K::LinkUsed => (Tone::Warning, own, vec![SignInInstead, SendNewLink], None),
        K::LinkExpired | K::LinkInvalid => (Tone::Warning, own, vec![SendNewLink], None),
        // A code's words say what to type next; the summary points at the code field.
        K::CodeInvalid => (Tone::Error, own, Vec::new(), Some(Field::Code)),
        K::CodeUsed => (Tone::Warning, own, Vec::new(), Some(Field::Code)),
        // The countdown (when the service gives a time) holds "Try again" back; it submits
        // the code field as it is then, never the refused code again.
        K::CodesPaused => (Tone::Warning, own, vec![Retry], None),
        K::StepExpired => (Tone::Info, own, vec![StartAgain], None),
        K::SessionInvalid | K::SessionRejected | K::InternalError | K::UnexpectedResponse => {
            (Tone::Error, own, vec![Retry, ContactSupport], None)
        }
        K::Unreachable => (Tone::Error, own, vec![Retry], None),
        // Unknown codes fall back by status class, never to a credentials message.
        K::Unknown if server_status => (
            Tone::Error,
            Words::Of(K::InternalError),
            vec![Retry, ContactSupport],
            None,
        ),
        K::Unknown => (Tone::Error, own, vec![Retry], None),
    };
    let countdown = if masked {
        None
    } else {
        failure.retry_after.filter(|s| *s > 0)
    };
    // A reference id helps support with the service's faults; on the person's own
    // failures (wrong details, a refused field) it is noise.
    let reference = (kind.is_service_side() || server_status || kind == K::Unknown)
        .then(|| failure.reference.clone())
        .flatten();
    Guidance {
        kind,
        tone,
        role: Role::Alert,
        words,
        actions,
        focus: Focus::Summary,
        field,
        countdown,
        reference,
    }
}

/// A success or confirmation the widget announces (`role=status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuccessKind {
    Login,
    Signup,
    /// Sign-up accepted; the person must open the link in their email.
    VerifyEmail,
    /// A reset link was asked for.
    Reset,
    Logout,
    /// A verification link was used: the address is confirmed; sign in next.
    EmailVerified,
    /// A reset link was used: the password is changed and every session ended; sign in next.
    PasswordChanged,
    /// A new verification link was asked for.
    LinkSent,
}

impl SuccessKind {
    /// Every kind.
    pub const ALL: [SuccessKind; 8] = [
        SuccessKind::Login,
        SuccessKind::Signup,
        SuccessKind::VerifyEmail,
        SuccessKind::Reset,
        SuccessKind::Logout,
        SuccessKind::EmailVerified,
        SuccessKind::PasswordChanged,
        SuccessKind::LinkSent,
    ];

    /// `data-outcome` of its banner.
    pub fn as_str(self) -> &'static str {
        match self {
            SuccessKind::Login => "login",
            SuccessKind::Signup => "signup",
            SuccessKind::VerifyEmail => "verify_email",
            SuccessKind::Reset => "reset",
            SuccessKind::Logout => "logout",
            SuccessKind::EmailVerified => "email_verified",
            SuccessKind::PasswordChanged => "password_changed",
            SuccessKind::LinkSent => "link_sent",
        }
    }

    /// The title and body keys (the body names `{email}`).
    pub fn keys(self) -> (Key, Key) {
        match self {
            SuccessKind::Login => (Key::SuccessLoginTitle, Key::SuccessLoginBody),
            SuccessKind::Signup => (Key::SuccessSignupTitle, Key::SuccessSignupBody),
            SuccessKind::VerifyEmail => (Key::SuccessVerifyEmailTitle, Key::SuccessVerifyEmailBody),
            SuccessKind::Reset => (Key::SuccessResetTitle, Key::SuccessResetBody),
            SuccessKind::Logout => (Key::SuccessLogoutTitle, Key::SuccessLogoutBody),
            SuccessKind::EmailVerified => (
                Key::SuccessEmailVerifiedTitle,
                Key::SuccessEmailVerifiedBody,
            ),
            SuccessKind::PasswordChanged => (
                Key::SuccessPasswordChangedTitle,
                Key::SuccessPasswordChangedBody,
            ),
            SuccessKind::LinkSent => (Key::SuccessLinkSentTitle, Key::SuccessLinkSentBody),
        }
    }

    /// True when the person is signed in after it.
    pub fn signed_in(self) -> bool {
        matches!(self, SuccessKind::Login | SuccessKind::Signup)
    }
}

/// The service's own status (`GET {base}/status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServiceState {
    Operational,
    Degraded,
    Outage,
    Maintenance,
}

impl ServiceState {
    /// Every state.
    pub const ALL: [ServiceState; 4] = [
        ServiceState::Operational,
        ServiceState::Degraded,
        ServiceState::Outage,
        ServiceState::Maintenance,
    ];

    /// The contract's name for it, and `data-status`.
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceState::Operational => "operational",
            ServiceState::Degraded => "degraded",
            ServiceState::Outage => "outage",
            ServiceState::Maintenance => "maintenance",
        }
    }

    /// The state the contract names `s`, or `None`.
    pub fn parse(s: &str) -> Option<ServiceState> {
        ServiceState::ALL
            .into_iter()
            .find(|state| state.as_str() == s)
    }

    /// Whether people see a banner for it: only when sign-in is not working normally.
    pub fn shows_banner(self) -> bool {
        self != ServiceState::Operational
    }

    /// The banner's title key; its body is [`Key::StatusBody`] for every state.
    pub fn title(self) -> Key {
        match self {
            ServiceState::Operational => Key::StatusOperationalTitle,
            ServiceState::Degraded => Key::StatusDegradedTitle,
            ServiceState::Outage => Key::StatusOutageTitle,
            ServiceState::Maintenance => Key::StatusMaintenanceTitle,
        }
    }
}
