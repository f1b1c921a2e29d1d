//! Guidance: what the widget says and offers for each failure.
//!
//! Pure Rust, no web types. The UI renders a [`Guidance`] and never decides wording itself.

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
        }
    }

    /// Copy key of the button label.
    pub fn copy_key(self) -> String {
        format!("action.{}", self.as_str())
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

/// Everything the banner needs for one failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Guidance {
    pub kind: FailureKind,
    pub tone: Tone,
    pub role: Role,
    /// Copy key prefix: `failure.<copy_kind>` with `.title` and `.body` below it.
    pub copy_kind: &'static str,
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
    pub fn title_key(&self) -> String {
        format!("failure.{}.title", self.copy_kind)
    }
    pub fn body_key(&self) -> String {
        format!("failure.{}.body", self.copy_kind)
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
    let masked = options.enumeration_safe && matches!(kind, K::AccountLocked | K::AccountDisabled);
    let (tone, copy_kind, actions, field): (Tone, &'static str, Vec<Action>, Option<Field>) =
        match kind {
            _ if masked => (
                Tone::Error,
                K::InvalidCredentials.as_str(),
                vec![ResetPassword],
                Some(Field::Password),
            ),
            K::InvalidCredentials => {
                let mut actions = vec![ResetPassword];
                if flow == Flow::Login {
                    actions.push(CreateAccount);
                }
                (Tone::Error, kind.as_str(), actions, Some(Field::Password))
            }
            K::AccountLocked => (Tone::Error, kind.as_str(), vec![ResetPassword], None),
            K::AccountDisabled => (Tone::Error, kind.as_str(), vec![ContactSupport], None),
            K::EmailUnverified => (Tone::Warning, kind.as_str(), vec![ResendVerification], None),
            // Refused without saying which field: nothing is marked to correct, so the words
            // must not point below, and support can find out what the server wanted.
            K::ValidationFailed if failure.field_errors.is_empty() => (
                Tone::Error,
                "validation_unmarked",
                vec![ContactSupport],
                None,
            ),
            K::ValidationFailed => (
                Tone::Error,
                kind.as_str(),
                Vec::new(),
                failure.field_errors.first().map(|e| e.field),
            ),
            K::EmailTaken => (
                Tone::Error,
                kind.as_str(),
                vec![SignInInstead, ResetPassword],
                Some(Field::Email),
            ),
            K::SignupClosed => (Tone::Info, kind.as_str(), vec![SignInInstead], None),
            K::RateLimited | K::ServiceUnavailable | K::Offline | K::Timeout => {
                (Tone::Warning, kind.as_str(), vec![Retry], None)
            }
            K::SessionExpired => (Tone::Info, kind.as_str(), vec![Retry], None),
            K::SessionInvalid | K::SessionRejected | K::InternalError | K::UnexpectedResponse => (
                Tone::Error,
                kind.as_str(),
                vec![Retry, ContactSupport],
                None,
            ),
            K::Unreachable => (Tone::Error, kind.as_str(), vec![Retry], None),
            // Unknown codes fall back by status class, never to a credentials message.
            K::Unknown if server_status => (
                Tone::Error,
                K::InternalError.as_str(),
                vec![Retry, ContactSupport],
                None,
            ),
            K::Unknown => (Tone::Error, kind.as_str(), vec![Retry], None),
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
        copy_kind,
        actions,
        focus: Focus::Summary,
        field,
        countdown,
        reference,
    }
}
