//! The form's definition: its modes and what each shows (title, fields and their attributes,
//! links), the element's attributes and the failure event's fields. Pure Rust.
//!
//! It is the one source for both renderers: the live widget (`components/`) reads it directly,
//! and the first screen the embed script draws before the WebAssembly is ready
//! (`js/element.js`) gets it as JSON written at build time ([`crate::shell::spec_json`]).

use crate::copy::Key;
use crate::taxonomy::{Field, Flow};

/// What the form is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Login,
    Signup,
    /// Asking for a password-reset link.
    Reset,
    /// Choosing a new password, opened from a reset link (`#auth-reset=TOKEN`).
    NewPassword,
    /// Asking for a new verification link, after one failed.
    Resend,
    /// A sign-in's second step: the code from an authenticator app.
    Code,
    /// A sign-in's second step with a recovery code instead.
    RecoveryCode,
}

/// A text field as a mode shows it: the email, or a second step's code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextInput {
    /// `type`: `email` or `text`.
    pub kind: &'static str,
    pub label: Key,
    /// What to type, under the label.
    pub hint: Option<Key>,
    /// `inputmode`: digits for an app's code, text for a recovery code.
    pub inputmode: &'static str,
    /// `autocomplete`: `one-time-code` lets the browser offer a code it has.
    pub autocomplete: &'static str,
}

/// A link under the form that switches mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Link {
    /// `data-action` of its button.
    pub action: &'static str,
    pub label: Key,
    pub to: Mode,
}

impl Mode {
    /// Every mode the `mode` attribute takes (and the first screen draws). The others are
    /// steps a link or a sign-in leads to, never where a form starts.
    pub const ALL: [Mode; 3] = [Mode::Login, Mode::Signup, Mode::Reset];

    /// The `mode` attribute's value and `data-mode`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Login => "login",
            Mode::Signup => "signup",
            Mode::Reset => "reset",
            Mode::NewPassword => "new_password",
            Mode::Resend => "resend",
            Mode::Code => "code",
            Mode::RecoveryCode => "recovery_code",
        }
    }

    /// Parses the `mode` attribute; `None` for anything else.
    pub fn parse(s: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// The heading.
    pub fn title(self) -> Key {
        match self {
            Mode::Login => Key::FormTitleLogin,
            Mode::Signup => Key::FormTitleSignup,
            Mode::Reset => Key::FormTitleReset,
            Mode::NewPassword => Key::FormTitleNewPassword,
            Mode::Resend => Key::FormTitleResend,
            Mode::Code | Mode::RecoveryCode => Key::FormTitleCode,
        }
    }

    /// The submit button's label.
    pub fn submit(self) -> Key {
        match self {
            Mode::Login => Key::FormSubmitLogin,
            Mode::Signup => Key::FormSubmitSignup,
            Mode::Reset => Key::FormSubmitReset,
            Mode::NewPassword => Key::FormSubmitNewPassword,
            Mode::Resend => Key::FormSubmitResend,
            Mode::Code | Mode::RecoveryCode => Key::FormSubmitCode,
        }
    }

    /// What the live region says while this mode's request is under way.
    pub fn pending(self) -> Key {
        pending_words(self.flow())
    }

    /// The call this mode's submit makes.
    pub fn flow(self) -> Flow {
        match self {
            Mode::Login => Flow::Login,
            Mode::Signup => Flow::Signup,
            Mode::Reset => Flow::PasswordReset,
            Mode::NewPassword => Flow::PasswordResetComplete,
            Mode::Resend => Flow::VerifyEmailResend,
            Mode::Code | Mode::RecoveryCode => Flow::LoginSecondFactor,
        }
    }

    /// The email field's `autocomplete` (WCAG 1.3.5): a sign-in names the account, a sign-up
    /// gives an address.
    pub fn email_autocomplete(self) -> &'static str {
        if matches!(self, Mode::Signup | Mode::Resend) {
            "email"
        } else {
            "username"
        }
    }

    /// The password field's `autocomplete`, or `None` when the mode has no password field.
    pub fn password_autocomplete(self) -> Option<&'static str> {
        match self {
            Mode::Login => Some("current-password"),
            Mode::Signup | Mode::NewPassword => Some("new-password"),
            Mode::Reset | Mode::Resend | Mode::Code | Mode::RecoveryCode => None,
        }
    }

    /// Whether the form has an email field (a new password goes with the link's account, a
    /// code with the sign-in it finishes).
    pub fn has_email(self) -> bool {
        !matches!(self, Mode::NewPassword | Mode::Code | Mode::RecoveryCode)
    }

    /// Whether the form is a sign-in's second step, with its code field.
    pub fn has_code(self) -> bool {
        matches!(self, Mode::Code | Mode::RecoveryCode)
    }

    /// The email field, or with [`Field::Code`] the code field, as this mode shows it.
    pub fn text_input(self, field: Field) -> TextInput {
        match (field, self) {
            (Field::Code, Mode::RecoveryCode) => TextInput {
                kind: "text",
                label: Key::FormRecoveryCodeLabel,
                hint: Some(Key::FormRecoveryCodeHint),
                inputmode: "text",
                autocomplete: "off",
            },
            (Field::Code, _) => TextInput {
                kind: "text",
                label: Key::FormCodeLabel,
                hint: Some(Key::FormCodeHint),
                inputmode: "numeric",
                autocomplete: "one-time-code",
            },
            _ => TextInput {
                kind: "email",
                label: Key::FormEmailLabel,
                hint: None,
                inputmode: "email",
                autocomplete: self.email_autocomplete(),
            },
        }
    }

    /// Whether the password field states the minimum length under its label: wherever a
    /// password is chosen.
    pub fn password_hint(self) -> bool {
        self.password_autocomplete() == Some("new-password")
    }

    /// The links under the form, in order.
    pub fn links(self) -> &'static [Link] {
        const TO_SIGNUP: Link = Link {
            action: "switch_to_signup",
            label: Key::FormSwitchToSignup,
            to: Mode::Signup,
        };
        const FORGOT: Link = Link {
            action: "forgot_password",
            label: Key::FormForgotPassword,
            to: Mode::Reset,
        };
        const BACK: Link = Link {
            action: "switch_to_login",
            label: Key::FormBackToLogin,
            to: Mode::Login,
        };
        match self {
            Mode::Login => &[FORGOT, TO_SIGNUP],
            Mode::Code => &[
                Link {
                    action: "use_recovery_code",
                    label: Key::FormUseRecoveryCode,
                    to: Mode::RecoveryCode,
                },
                BACK,
            ],
            Mode::RecoveryCode => &[
                Link {
                    action: "use_app_code",
                    label: Key::FormUseAppCode,
                    to: Mode::Code,
                },
                BACK,
            ],
            Mode::Signup => &[Link {
                action: "switch_to_login",
                label: Key::FormSwitchToLogin,
                to: Mode::Login,
            }],
            Mode::Reset | Mode::NewPassword | Mode::Resend => &[BACK],
        }
    }
}

/// `theme` attribute values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Theme {
    /// Follow `prefers-color-scheme`.
    #[default]
    Auto,
    Light,
    Dark,
}

impl Theme {
    /// Every theme.
    pub const ALL: [Theme; 3] = [Theme::Auto, Theme::Light, Theme::Dark];

    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    pub fn parse(s: &str) -> Option<Theme> {
        Theme::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The `data-theme` attribute: absent for `Auto`.
    pub fn attr(self) -> Option<&'static str> {
        (self != Theme::Auto).then(|| self.as_str())
    }
}

/// What the person did in a form this widget replaces (the first screen, or the same widget
/// before an attribute change): the live widget starts from it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Resume {
    /// The mode the person switched to; `None` keeps the one asked for.
    pub mode: Option<Mode>,
    pub email: String,
    /// Held in memory only, like the field it came from.
    pub password: String,
    /// The password was shown as text.
    pub shown: bool,
    /// A submit was asked for before the widget could send it: it is sent once, now.
    pub submitted: bool,
}

/// What the live region says while a call is under way: its own words for each call a
/// person starts (a banner's next step can start a call another mode would make).
pub fn pending_words(flow: Flow) -> Key {
    match flow {
        Flow::Login | Flow::Session | Flow::Logout | Flow::LoginSecondFactor => {
            Key::FormPendingLogin
        }
        Flow::Signup => Key::FormPendingSignup,
        Flow::PasswordReset | Flow::VerifyEmailResend => Key::FormPendingReset,
        Flow::PasswordResetComplete => Key::FormPendingNewPassword,
        Flow::VerifyEmail => Key::FormPendingLink,
    }
}

/// A link from an email that opened this page: `#auth-verify=TOKEN` or `#auth-reset=TOKEN`
/// in the URL fragment, which browsers never send to a server (recovery-30).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkToken {
    /// [`Flow::VerifyEmail`] or [`Flow::PasswordResetComplete`]: the call the token is for.
    pub flow: Flow,
    pub token: String,
    /// The fragment without the token (empty when nothing else was in it), for the address
    /// bar once the token is read.
    pub rest: String,
}

/// The fragment keys of the two links.
pub const LINK_KEYS: [(&str, Flow); 2] = [
    ("auth-verify", Flow::VerifyEmail),
    ("auth-reset", Flow::PasswordResetComplete),
];

/// Finds a link token in `location.hash` (with or without its `#`); other `&`-separated
/// parts of the fragment are kept in [`LinkToken::rest`]. The first link wins.
pub fn link_in_fragment(hash: &str) -> Option<LinkToken> {
    let hash = hash.strip_prefix('#').unwrap_or(hash);
    let mut found = None;
    let mut rest = Vec::new();
    for part in hash.split('&') {
        let link = part.split_once('=').and_then(|(key, token)| {
            let flow = LINK_KEYS.iter().find(|(k, _)| *k == key)?.1;
            Some((flow, token))
        });
        match link {
            Some((flow, token)) if found.is_none() && !token.is_empty() => {
                found = Some((flow, token.to_string()))
            }
            Some(_) => {}
            None if part.is_empty() => {}
            None => rest.push(part),
        }
    }
    let (flow, token) = found?;
    Some(LinkToken {
        flow,
        token,
        rest: rest.join("&"),
    })
}

/// Default sign-up minimum, in code points (fields-9: NIST SP 800-63B §3.1.1.2).
pub const DEFAULT_MIN_PASSWORD: u32 = 8;

/// The `<auth-widget>` element's attributes; a change to any of them re-renders the widget.
pub const ATTRIBUTES: [&str; 9] = [
    "api-base",
    "mode",
    "locale",
    "theme",
    "timeout-ms",
    "status-url",
    "telemetry-url",
    "copy-url",
    "enumeration-safe",
];

/// The `flow` of the `auth-failure` event sent when the widget itself cannot load.
pub const LOAD_FLOW: &str = "load";

/// The fields of an `auth-failure` event's `detail`, in order.
pub const FAILURE_DETAIL: [&str; 4] = ["flow", "kind", "status", "reference"];

/// A DOM event the `<auth-widget>` element dispatches on itself (bubbling, composed): its name,
/// what it means and its `detail`'s fields with their TypeScript types (type names are those
/// `make package` declares). The package's manifest and type declarations are written from it.
#[derive(Clone, Copy, Debug)]
pub struct Event {
    pub name: &'static str,
    pub description: &'static str,
    /// `(field, TypeScript type)` in order; empty for an event without a detail.
    pub detail: &'static [(&'static str, &'static str)],
}

/// Every event the element dispatches.
pub const EVENTS: [Event; 5] = [
    Event {
        name: "auth-success",
        description: "A verified sign-in or sign-up (the session was checked first). The only event that carries the email; none carries the password.",
        detail: &[
            ("flow", "AuthFlow"),
            ("user", "{ id: string; email: string }"),
            ("access_token", "string | null"),
        ],
    },
    Event {
        name: "auth-failure",
        description: "A failure shown to the person, or the widget itself could not load (flow `load`).",
        detail: &[
            ("flow", "AuthFlow | \"load\""),
            ("kind", "AuthFailureKind"),
            ("status", "number | null"),
            ("reference", "string | null"),
        ],
    },
    Event {
        name: "auth-outcome",
        description: "Every call to the auth API, with its outcome and latency (for telemetry).",
        detail: &[
            ("flow", "AuthFlow"),
            ("outcome", "\"success\" | AuthFailureKind"),
            ("status", "number | null"),
            ("latency_ms", "number"),
        ],
    },
    Event {
        name: "auth-action",
        description: "A next step for the host page to handle: contacting support (the widget sends verification links again itself).",
        detail: &[("action", "AuthAction"), ("email", "string")],
    },
    Event {
        name: "auth-ready",
        description: "The live widget has taken over (once per element); `ready` resolves at the same time.",
        detail: &[],
    },
];

/// The keys the first screen shows before the WebAssembly is ready: every mode's words, the
/// load-failure banner and the offline-while-loading banner.
pub fn shell_keys() -> Vec<Key> {
    let mut keys = vec![
        Key::FormEmailLabel,
        Key::FormPasswordLabel,
        Key::FormPasswordHintSignup,
        Key::FormShowPassword,
        Key::FormHidePassword,
        Key::ShellUnavailableTitle,
        Key::ShellUnavailableBody,
        Key::ShellReload,
        // Offline while loading: the live widget's offline title, the first screen's own body.
        Key::FailureOfflineTitle,
        Key::ShellOfflineBody,
    ];
    for mode in Mode::ALL {
        keys.extend([mode.title(), mode.submit(), mode.pending()]);
        keys.extend(mode.links().iter().map(|l| l.label));
    }
    keys.sort();
    keys.dedup();
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_in_the_fragment_is_found_and_the_rest_kept() {
        let link = link_in_fragment("#tab=2&auth-reset=abc&x").unwrap();
        assert_eq!(
            link,
            LinkToken {
                flow: Flow::PasswordResetComplete,
                token: "abc".into(),
                rest: "tab=2&x".into(),
            }
        );
        let verify = link_in_fragment("auth-verify=t1").unwrap();
        assert_eq!((verify.flow, verify.rest.as_str()), (Flow::VerifyEmail, ""));
        // The first link wins; a second one is dropped from the address bar too.
        let two = link_in_fragment("#auth-verify=a&auth-reset=b").unwrap();
        assert_eq!(
            (two.flow, two.token.as_str(), two.rest.as_str()),
            (Flow::VerifyEmail, "a", "")
        );
    }

    #[test]
    fn no_link_without_a_token() {
        for hash in [
            "",
            "#",
            "#auth-reset=",
            "#auth-reset",
            "#tab=2",
            "#auth-resets=x",
        ] {
            assert_eq!(link_in_fragment(hash), None, "{hash:?}");
        }
    }
}
