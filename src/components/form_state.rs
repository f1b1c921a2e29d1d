//! `use_auth_form`: the widget's non-visual state and behaviour — submitting, the session
//! check, failures, the countdown, offline detection and the banner's next steps. The
//! component in `widget.rs` only renders what this returns.

use super::banner::Notice;
use super::events::{Sink, SuccessDetail};
use crate::client::{ApiClient, json_body};
use crate::copy::Key;
use crate::form::{Mode, Resume, link_in_fragment};
use crate::guidance::{Action, Focus, GuideOptions, SuccessKind, guide};
use crate::taxonomy::{Failure, FailureKind, Flow, Success};
use crate::validate::validate;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;

/// What [`use_auth_form`] needs.
pub struct FormOptions {
    pub client: ApiClient,
    pub guide: GuideOptions,
    /// Sign-up minimum password length in code points.
    pub min_password: u32,
    pub sink: Sink,
    /// Where to start: what the person did in the form this widget replaces.
    pub resume: Resume,
}

/// The form's state, as signals the view reads, and the actions it calls.
#[derive(Clone, Copy)]
pub struct UseAuthFormReturn {
    /// Login, sign-up or reset.
    pub mode: RwSignal<Mode>,
    /// The email field.
    pub email: RwSignal<String>,
    /// The password field, or a second step's code field. Cleared after every failed or
    /// successful attempt.
    pub password: RwSignal<String>,
    /// Whether the password is shown as text.
    pub show_password: RwSignal<bool>,
    /// A request is in flight.
    pub pending: RwSignal<bool>,
    /// What the live region says while it is (the words of the call in flight).
    pub pending_words: RwSignal<Key>,
    /// The banner to show, if any. A failure carries its field errors, which the fields read
    /// for `aria-invalid` and the messages under their labels: one source for both.
    pub notice: RwSignal<Option<Notice>>,
    /// The session this widget signed in (a `Notice::Success` of a signed-in kind, with the
    /// email), while it lasts: the signed-in view shows instead of the form.
    pub session: RwSignal<Option<Notice>>,
    /// Seconds left before submit is enabled again.
    pub remaining: RwSignal<u32>,
    /// The failure banner's focusable box.
    pub banner: NodeRef<html::Div>,
    /// The heading of the view shown (the form's or the signed-in view's): it takes focus when
    /// one view gives way to the other.
    pub heading: NodeRef<html::H2>,
    /// Submit the form (validates first).
    pub submit: Callback<()>,
    /// Run a banner's next step.
    pub on_action: Callback<Action>,
    /// Switch mode, keeping the email and clearing the rest.
    pub switch_mode: Callback<Mode>,
    /// Sign out of the session this widget signed in (`POST {base}/logout`).
    pub sign_out: Callback<()>,
}

/// A `performance.mark`, for the response-to-banner benchmark.
fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}

thread_local! {
    /// The link this page was opened with, once out of the address bar. It outlives a widget
    /// re-rendered by an attribute change, until its step ends ([`end_link`]).
    static LINK: std::cell::RefCell<Option<(Flow, String)>> = const { std::cell::RefCell::new(None) };
}

/// A second step under way in a widget an attribute change re-renders: its element, then the
/// step token, the mode (code or recovery code), the email and what was typed. The widget that
/// element gets next takes it back (memory only, like the step itself).
type HeldStep = (web_sys::Element, String, Mode, String, String);

thread_local! {
    static HELD_STEP: std::cell::RefCell<Option<HeldStep>> = const { std::cell::RefCell::new(None) };
}

/// The page's link: taken from the address bar the first time, then kept in memory.
fn page_link() -> Option<(Flow, String)> {
    if let Some(link) = take_link_from_address_bar() {
        LINK.set(Some(link));
    }
    LINK.with_borrow(Clone::clone)
}

/// The link's step has ended (or its one call has started): no widget takes it again.
fn end_link() {
    LINK.set(None);
}

/// Takes a link token out of `location.hash` and the address bar (`history.replaceState`,
/// so it stays out of the history, bookmarks and screenshots too).
fn take_link_from_address_bar() -> Option<(Flow, String)> {
    let window = web_sys::window()?;
    let location = window.location();
    let link = link_in_fragment(&location.hash().ok()?)?;
    let rest = if link.rest.is_empty() {
        String::new()
    } else {
        format!("#{}", link.rest)
    };
    let url = format!(
        "{}{}{rest}",
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    );
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
    // Some servers percent-encode the token in their links (`%3A` for `:`).
    let token = js_sys::decode_uri_component(&link.token)
        .ok()
        .and_then(|t| t.as_string())
        .unwrap_or(link.token);
    Some((link.flow, token))
}

/// The state and behaviour of one widget instance. Timers and window listeners it creates
/// are released when the owning component is disposed.
pub fn use_auth_form(initial: Mode, options: FormOptions) -> UseAuthFormReturn {
    let FormOptions {
        client,
        guide: guide_options,
        min_password,
        sink,
        resume,
    } = options;
    let mode = RwSignal::new(resume.mode.unwrap_or(initial));
    let resume_submit = resume.submitted;
    let email = RwSignal::new(resume.email);
    let password = RwSignal::new(resume.password);
    let show_password = RwSignal::new(resume.shown);
    let pending = RwSignal::new(false);
    let pending_words = RwSignal::new(Key::FormPendingLogin);
    let notice: RwSignal<Option<Notice>> = RwSignal::new(None);
    let session: RwSignal<Option<Notice>> = RwSignal::new(None);
    let heading: NodeRef<html::H2> = NodeRef::new();

    let remaining = RwSignal::new(0u32);
    let banner: NodeRef<html::Div> = NodeRef::new();
    let countdown_timer: StoredValue<Option<IntervalHandle>> = StoredValue::new(None);
    // The last request, kept in memory only so "Try again" can resend it after a fault that
    // is not the person's (the field itself is cleared, errors-15). Dropped on success,
    // on a credentials failure, on a mode switch and when the widget is disposed.
    let last_request: StoredValue<Option<(Flow, String, Option<String>)>> = StoredValue::new(None);
    // The bearer token of the session this widget signed in, if the server gave one: memory
    // only (sessions-21), for signing out; the cookie session needs nothing kept.
    let session_token: StoredValue<Option<String>> = StoredValue::new(None);
    // The token of the link this page was opened with, in memory only: taken out of the
    // address bar at once (recovery-30), dropped when its step ends or the person leaves it.
    let link = page_link();
    let link_token: StoredValue<Option<String>> =
        StoredValue::new(link.as_ref().map(|(_, t)| t.clone()));
    // The step token of a sign-in waiting for its code, in memory only: dropped when the step
    // ends or the person leaves it.
    let step: StoredValue<Option<String>> = StoredValue::new(None);
    let host = sink.host;
    if let Some((_, token, m, e, code)) = HELD_STEP.with_borrow_mut(|held| {
        let ours = host.get_value();
        held.take_if(|(el, ..)| Some(&*el) == ours.as_ref())
    }) {
        step.set_value(Some(token));
        mode.set(m);
        email.set(e);
        password.set(code);
    }
    on_cleanup(move || {
        let held = (|| {
            Some((
                host.try_get_value()??,
                step.try_get_value()??,
                mode.try_get_untracked()?,
                email.try_get_untracked()?,
                password.try_get_untracked()?,
            ))
        })();
        if held.is_some() {
            HELD_STEP.set(held);
        }
    });
    if link
        .as_ref()
        .is_some_and(|(f, _)| *f == Flow::PasswordResetComplete)
    {
        mode.set(Mode::NewPassword);
    }

    let stop_countdown = move || {
        if let Some(h) = countdown_timer.get_value() {
            h.clear();
        }
        countdown_timer.set_value(None);
        remaining.set(0);
    };
    on_cleanup(move || {
        if let Some(h) = countdown_timer.try_get_value().flatten() {
            h.clear();
        }
    });
    let start_countdown = move |secs: u32| {
        stop_countdown();
        remaining.set(secs);
        let handle = set_interval_with_handle(
            move || {
                let left = remaining.get_untracked().saturating_sub(1);
                remaining.set(left);
                if left == 0 {
                    stop_countdown();
                }
            },
            Duration::from_secs(1),
        );
        countdown_timer.set_value(handle.ok());
    };
    // Moves focus to the banner when its guidance says so (errors-10, errors-12).
    let focus_banner = move |focus: Focus| {
        if focus != Focus::Summary {
            return;
        }
        request_animation_frame(move || {
            if let Some(el) = banner.get_untracked() {
                let _ = el.focus();
            }
        });
    };

    // The form and the signed-in view replace each other, and the control that had focus
    // goes with the one that leaves: focus moves to the heading of the one that came.
    let focus_heading = move || {
        request_animation_frame(move || {
            if let Some(h) = heading.get_untracked() {
                let _ = h.focus();
            }
        });
    };

    let show_failure = move |flow: Flow, failure: Failure| {
        let g = guide(flow, &failure, guide_options);
        // A code the service refused is never sent again: "Try again" then submits the field.
        if !g.actions.contains(&Action::Retry) || g.kind == FailureKind::CodesPaused {
            last_request.set_value(None);
        }
        if let Some(secs) = g.countdown {
            start_countdown(secs);
        }
        if matches!(
            flow,
            Flow::Login
                | Flow::Signup
                | Flow::Session
                | Flow::PasswordResetComplete
                | Flow::LoginSecondFactor
        ) {
            password.set(String::new()); // errors-15: keep the email, clear the password
        }
        if failure.kind == FailureKind::StepExpired {
            // The step ran out: nothing to send a code with. Back to the password, email kept.
            step.set_value(None);
            mode.set(Mode::Login);
        }
        sink.failure(flow, &failure);
        let focus = g.focus;
        notice.set(Some(Notice::Failure(g, failure.field_errors)));
        focus_banner(focus);
    };

    let show_success =
        move |flow: Flow, success: Success, token: Option<String>, address| match success {
            Success::SignedIn { user, .. } => {
                password.set(String::new());
                if step.get_value().is_some() {
                    // The code step is over: after signing out, the form starts at sign-in.
                    step.set_value(None);
                    mode.set(Mode::Login);
                }
                let kind = if flow == Flow::Signup {
                    SuccessKind::Signup
                } else {
                    SuccessKind::Login
                };
                let email = user.email.clone();
                session.set(Some(Notice::Success { kind, email }));
                session_token.set_value(token.clone());
                sink.signed_in(true);
                focus_heading();
                sink.success(SuccessDetail {
                    flow,
                    user,
                    access_token: token,
                });
            }
            Success::SecondFactor { step: token } => {
                // The password was right: the code step takes the form's place.
                password.set(String::new());
                step.set_value(Some(token));
                mode.set(Mode::Code);
                focus_heading();
            }
            Success::VerifyEmail => {
                password.set(String::new());
                let kind = SuccessKind::VerifyEmail;
                notice.set(Some(Notice::Success {
                    kind,
                    email: address,
                }));
            }
            Success::SignInNext { email: address } => {
                // The link did its work: sign in next, as the account it named.
                link_token.set_value(None);
                end_link();
                password.set(String::new());
                mode.set(Mode::Login);
                if !address.is_empty() {
                    email.set(address.clone()); // a backend that does not say keeps the field
                }
                let kind = if flow == Flow::VerifyEmail {
                    SuccessKind::EmailVerified
                } else {
                    SuccessKind::PasswordChanged
                };
                notice.set(Some(Notice::Success {
                    kind,
                    email: address,
                }));
                focus_heading();
            }
            Success::Done => {
                let kind = match flow {
                    Flow::Logout => {
                        session.set(None);
                        sink.signed_in(false);
                        focus_heading();
                        SuccessKind::Logout
                    }
                    Flow::VerifyEmailResend => SuccessKind::LinkSent,
                    _ => SuccessKind::Reset,
                };
                notice.set(Some(Notice::Success {
                    kind,
                    email: address,
                }));
            }
        };

    let run = move |flow: Flow, address: String, secret: Option<String>| {
        let client = client.clone();
        let bearer = if flow == Flow::Logout {
            session_token.get_value()
        } else {
            None
        };
        let token = link_token.get_value();
        let step_token = step.get_value();
        last_request.set_value(Some((flow, address.clone(), secret.clone())));
        pending_words.set(crate::form::pending_words(flow));
        pending.set(true);
        notice.set(None);
        spawn_local(async move {
            // A link's call names the link's token, a second step its step token; every other
            // call the email. The secret is the password, or the second step's code.
            let (first, secret_name) = match (flow, &token, &step_token) {
                (Flow::Logout, ..) => (None, ""),
                (Flow::VerifyEmail | Flow::PasswordResetComplete, Some(t), _) => {
                    (Some(("token", t.as_str())), "password")
                }
                (Flow::LoginSecondFactor, _, Some(s)) => (Some(("step", s.as_str())), "code"),
                _ => (Some(("email", address.as_str())), "password"),
            };
            let body = first.map(|first| {
                let mut members = vec![first];
                members.extend(secret.as_deref().map(|p| (secret_name, p)));
                json_body(&members)
            });
            drop(secret);
            let called = client.call(flow, body, bearer.as_deref()).await;
            sink.outcome(flow, &called);
            let result = match called.outcome {
                Ok(Success::SignedIn { access_token, .. }) => {
                    // Never announce success before the session really works (the incident).
                    let check = client
                        .call(Flow::Session, None, access_token.as_deref())
                        .await;
                    sink.outcome(Flow::Session, &check);
                    check
                        .outcome
                        .map(|s| (s, access_token))
                        .map_err(|f| (Flow::Session, f))
                }
                Ok(other) => Ok((other, None)),
                Err(f) => Err((flow, f)),
            };
            pending.set(false);
            // Performance marks: the last answer arrived; the next frame shows the banner.
            mark("auth-widget:response");
            request_animation_frame(|| mark("auth-widget:banner"));
            match result {
                Ok((success, token)) => {
                    last_request.set_value(None);
                    show_success(flow, success, token, address);
                }
                Err((failed_flow, failure)) => show_failure(failed_flow, failure),
            }
        });
    };

    let submit = Callback::new({
        let run = run.clone();
        move |()| {
            if pending.get_untracked() || remaining.get_untracked() > 0 {
                return; // double-submit protection: one request at a time
            }
            show_password.set(false); // fields-5: type=password again on submit
            let m = mode.get_untracked();
            let address = email.get_untracked();
            let errors = validate(m, &address, &password.get_untracked(), min_password);
            if !errors.is_empty() {
                let failure = Failure {
                    field_errors: errors,
                    ..Failure::bare(FailureKind::ValidationFailed)
                };
                let g = guide(Flow::Login, &failure, guide_options);
                let focus = g.focus;
                notice.set(Some(Notice::Failure(g, failure.field_errors)));
                focus_banner(focus);
                return;
            }
            let flow = m.flow();
            let secret = (m.password_autocomplete().is_some() || m.has_code())
                .then(|| password.get_untracked());
            run(flow, address.trim().to_string(), secret);
        }
    });

    let sign_out = Callback::new({
        let run = run.clone();
        move |()| {
            if !pending.get_untracked() {
                run(Flow::Logout, email.get_untracked().trim().to_string(), None);
                session_token.set_value(None);
            }
        }
    });
    let switch_mode = Callback::new(move |to: Mode| {
        link_token.set_value(None);
        end_link();
        if !to.has_code() {
            step.set_value(None); // leaving the second step ends it
        }
        mode.set(to);
        notice.set(None);
        password.set(String::new());
        last_request.set_value(None);
    });
    let on_action = Callback::new({
        let run = run.clone();
        move |a: Action| match a {
            Action::Retry => match last_request.get_value() {
                // Resend what failed, unless the person has changed the email since.
                Some((flow, address, secret))
                    if address == email.get_untracked().trim()
                        && !pending.get_untracked()
                        && remaining.get_untracked() == 0 =>
                {
                    run(flow, address, secret)
                }
                _ => submit.run(()),
            },
            Action::ResetPassword => switch_mode.run(Mode::Reset),
            Action::SignInInstead | Action::StartAgain => switch_mode.run(Mode::Login),
            Action::CreateAccount => switch_mode.run(Mode::Signup),
            // A failed reset link asks for a new one by email; a failed verification link goes to
            // the form that sends a new verification link.
            Action::SendNewLink if mode.get_untracked() == Mode::NewPassword => {
                switch_mode.run(Mode::Reset)
            }
            Action::SendNewLink => switch_mode.run(Mode::Resend),
            Action::ResendVerification => {
                let address = email.get_untracked().trim().to_string();
                if !pending.get_untracked() && remaining.get_untracked() == 0 {
                    run(Flow::VerifyEmailResend, address, None);
                }
            }
            Action::ContactSupport => sink.action(a, &email.get_untracked()),
        }
    });

    // Offline detection: navigator.onLine now, then the online/offline events. The banner
    // appears without taking focus (the person may be typing) and clears when back online.
    let offline_notice = move || {
        let mut g = guide(
            Flow::Login,
            &Failure::bare(FailureKind::Offline),
            guide_options,
        );
        g.focus = Focus::Stay; // not the answer to a submit: the person may be typing
        notice.set(Some(Notice::Failure(g, Vec::new())));
    };
    if !crate::client::online() {
        offline_notice();
    }
    let went_offline = window_event_listener(leptos::ev::offline, move |_| offline_notice());
    let came_online = window_event_listener(leptos::ev::online, move |_| {
        let is_offline = matches!(
            notice.get_untracked(),
            Some(Notice::Failure(ref g, _)) if g.kind == FailureKind::Offline
        );
        if is_offline {
            notice.set(None);
        }
    });
    on_cleanup(move || {
        went_offline.remove();
        came_online.remove();
    });

    if let Some((Flow::VerifyEmail, _)) = link {
        // A verification link needs nothing from the person: it is checked at once, once.
        end_link();
        run(Flow::VerifyEmail, String::new(), None);
    } else if resume_submit && link.is_none() {
        // Asked for before this widget could send it: sent once, now.
        submit.run(());
    }
    UseAuthFormReturn {
        mode,
        email,
        password,
        show_password,
        pending,
        pending_words,
        notice,
        session,
        remaining,
        banner,
        heading,
        submit,
        on_action,
        switch_mode,
        sign_out,
    }
}
