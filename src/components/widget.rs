//! `AuthWidget`: login, sign-up and password-reset request in one form.

use super::banner::{FailureBanner, Notice, SuccessBanner};
use super::events::{self, FailureDetail, OutcomeDetail, SuccessDetail};
use super::fields::{EmailField, PasswordField};
use super::i18n::{I18n, Override, parse_overrides};
use super::status::StatusBanner;
use super::theme::Theme;
use crate::client::{ApiClient, Called, credentials_body};
use crate::guidance::{Action, GuideOptions, guide};
use crate::taxonomy::{Failure, FailureKind, FieldError, Flow, Success};
use crate::validate::{DEFAULT_MIN_PASSWORD, Mode, validate};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Loads a copy override file (`copy-url`).
async fn fetch_overrides(url: &str) -> Option<std::collections::HashMap<String, Override>> {
    let resp = gloo_net::http::Request::get(url).send().await.ok()?;
    if !resp.ok() {
        return None;
    }
    parse_overrides(&resp.text().await.ok()?)
}

/// A `performance.mark`, for the response-to-banner benchmark.
fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}

static INSTANCES: AtomicUsize = AtomicUsize::new(0);

/// Default time to wait for the API before giving up (`timeout-ms`).
pub const DEFAULT_TIMEOUT_MS: u32 = 15_000;

/// A login and sign-up form that explains every failure and offers the next step.
///
/// ```ignore
/// view! { <AuthWidget api_base="/auth" mode=Mode::Login /> }
/// ```
///
/// Success and failure are dispatched as `auth-success`, `auth-failure` and `auth-outcome`
/// DOM events from the widget's root element (bubbling, composed). No event carries the
/// password, and nothing is written to storage.
#[component]
pub fn AuthWidget(
    /// Base URL of the auth API, e.g. `/auth`.
    #[prop(into, default = "/auth".to_string())]
    api_base: String,
    /// The mode the form starts in.
    #[prop(optional)]
    mode: Mode,
    /// A BCP 47 locale tag; default follows the browser's languages, English fallback.
    #[prop(optional, into)]
    locale: MaybeProp<String>,
    /// Milliseconds to wait for an answer before showing a timeout.
    #[prop(default = DEFAULT_TIMEOUT_MS)]
    timeout_ms: u32,
    /// Show locked and disabled accounts with the wrong-details words (default on).
    #[prop(default = true)]
    enumeration_safe: bool,
    /// Where the service status comes from; default `{api_base}/status`, `Some("none")` turns it off.
    #[prop(optional, into)]
    status_url: MaybeProp<String>,
    /// Sign-up minimum password length in code points.
    #[prop(default = DEFAULT_MIN_PASSWORD)]
    min_password: u32,
    /// `Auto` follows `prefers-color-scheme`; `Light` or `Dark` override it.
    #[prop(optional)]
    theme: Theme,
    /// When set, each outcome is sent here with `navigator.sendBeacon` (no credentials in it).
    #[prop(optional, into)]
    telemetry_url: MaybeProp<String>,
    /// A JSON file of `{"key": "text"}` that overrides copy at runtime (designer preview).
    #[prop(optional, into)]
    copy_url: MaybeProp<String>,
    /// The element events are dispatched on (the `<auth-widget>` host); default the widget root.
    #[prop(optional)]
    host: Option<web_sys::Element>,
    /// Called after a verified sign-in or sign-up.
    #[prop(optional)]
    on_success: Option<Callback<SuccessDetail>>,
    /// Called for every failure shown.
    #[prop(optional)]
    on_failure: Option<Callback<FailureDetail>>,
    /// Called for every call's outcome, with its latency.
    #[prop(optional)]
    on_outcome: Option<Callback<OutcomeDetail>>,
) -> impl IntoView {
    let id = StoredValue::new(format!("aw{}", INSTANCES.fetch_add(1, Ordering::Relaxed)));
    let i18n_state = RwSignal::new(I18n::negotiate(locale.get_untracked().as_deref()));
    let i18n: Signal<I18n> = i18n_state.into();
    if let Some(url) = copy_url.get_untracked() {
        spawn_local(async move {
            match fetch_overrides(&url).await {
                Some(o) => i18n_state.update(|i| i.overrides = Some(std::sync::Arc::new(o))),
                None => web_sys::console::warn_1(
                    &format!("<auth-widget> copy-url: could not load {url}; using built-in copy")
                        .into(),
                ),
            }
        });
    }
    let client = ApiClient {
        base: api_base.trim_end_matches('/').to_string(),
        timeout: Duration::from_millis(u64::from(timeout_ms)),
    };
    let status_url = match status_url.get_untracked().as_deref() {
        Some("none") => None,
        Some(url) => Some(url.to_string()),
        None => Some(format!("{}/status", client.base)),
    };
    let options = GuideOptions { enumeration_safe };

    let mode = RwSignal::new(mode);
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let show_password = RwSignal::new(false);
    let pending = RwSignal::new(false);
    let notice: RwSignal<Option<Notice>> = RwSignal::new(None);
    let field_errors: RwSignal<Vec<FieldError>> = RwSignal::new(Vec::new());
    let remaining = RwSignal::new(0u32);
    let countdown_timer: StoredValue<Option<IntervalHandle>> = StoredValue::new(None);
    // The last request, kept in memory only so "Try again" can resend it after a fault that
    // is not the person's (the field itself is cleared, STANDARDS 15). Dropped on success,
    // on a credentials failure, on a mode switch and when the widget is disposed.
    let last_request: StoredValue<Option<(Flow, String, Option<String>)>> = StoredValue::new(None);
    let root: NodeRef<html::Div> = NodeRef::new();
    let host = StoredValue::new_local(host);
    let target = move || -> Option<web_sys::Element> {
        host.get_value()
            .or_else(|| root.get_untracked().map(Into::into))
    };
    let telemetry_url = StoredValue::new(telemetry_url.get_untracked());
    let banner: NodeRef<html::Div> = NodeRef::new();

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
    let focus_banner = move || {
        request_animation_frame(move || {
            if let Some(el) = banner.get_untracked() {
                let _ = el.focus();
            }
        });
    };

    let show_failure = move |flow: Flow, failure: Failure| {
        let g = guide(flow, &failure, options);
        if !g.actions.contains(&Action::Retry) {
            last_request.set_value(None);
        }
        if let Some(secs) = g.countdown {
            start_countdown(secs);
        }
        if matches!(flow, Flow::Login | Flow::Signup | Flow::Session) {
            password.set(String::new()); // STANDARDS 15: keep the email, clear the password
        }
        field_errors.set(failure.field_errors.clone());
        let detail = FailureDetail::new(flow, &failure);
        if let Some(el) = target() {
            events::failure(&el, &detail);
        }
        if let Some(cb) = on_failure {
            cb.run(detail);
        }
        notice.set(Some(Notice::Failure(g, failure.field_errors)));
        focus_banner();
    };

    let report = move |flow: Flow, called: &Called| {
        let detail = OutcomeDetail::new(flow, &called.outcome, called.latency_ms);
        if let Some(el) = target() {
            events::outcome(&el, &detail);
        }
        if let Some(url) = telemetry_url.get_value() {
            events::beacon(&url, &detail);
        }
        if let Some(cb) = on_outcome {
            cb.run(detail);
        }
    };

    let run = {
        let client = client.clone();
        move |flow: Flow, address: String, secret: Option<String>| {
            let client = client.clone();
            last_request.set_value(Some((flow, address.clone(), secret.clone())));
            pending.set(true);
            notice.set(None);
            spawn_local(async move {
                let body = credentials_body(&address, secret.as_deref());
                drop(secret);
                let called = client.call(flow, Some(body), None).await;
                report(flow, &called);
                let result = match called.outcome {
                    Ok(Success::SignedIn { access_token, .. }) => {
                        // Never announce success before the session really works (the incident).
                        let check = client
                            .call(Flow::Session, None, access_token.as_deref())
                            .await;
                        report(Flow::Session, &check);
                        check
                            .outcome
                            .map(|s| (s, access_token))
                            .map_err(|f| (Flow::Session, f))
                    }
                    Ok(other) => Ok((other, None)),
                    Err(f) => Err((flow, f)),
                };
                pending.set(false);
                if result.is_ok() {
                    last_request.set_value(None);
                }
                // Performance marks: the last answer arrived; the next frame shows the banner.
                mark("auth-widget:response");
                request_animation_frame(|| mark("auth-widget:banner"));
                match result {
                    Ok((Success::SignedIn { user, .. }, access_token)) => {
                        password.set(String::new());
                        let kind = if flow == Flow::Signup {
                            "signup"
                        } else {
                            "login"
                        };
                        notice.set(Some(Notice::Success {
                            kind,
                            email: user.email.clone(),
                        }));
                        let detail = SuccessDetail {
                            flow,
                            user,
                            access_token,
                        };
                        if let Some(el) = target() {
                            events::success(&el, &detail);
                        }
                        if let Some(cb) = on_success {
                            cb.run(detail);
                        }
                    }
                    Ok((Success::VerifyEmail, _)) => {
                        password.set(String::new());
                        notice.set(Some(Notice::Success {
                            kind: "verify_email",
                            email: address,
                        }));
                    }
                    Ok((Success::Done, _)) => {
                        notice.set(Some(Notice::Success {
                            kind: "reset",
                            email: address,
                        }));
                    }
                    Err((failed_flow, failure)) => show_failure(failed_flow, failure),
                }
            });
        }
    };

    let submit = {
        let run = run.clone();
        move || {
            if pending.get_untracked() || remaining.get_untracked() > 0 {
                return; // double-submit protection: one request at a time
            }
            show_password.set(false); // STANDARDS 5: type=password again on submit
            let m = mode.get_untracked();
            let errors = validate(
                m,
                &email.get_untracked(),
                &password.get_untracked(),
                min_password,
            );
            if !errors.is_empty() {
                let failure = Failure {
                    field_errors: errors,
                    ..Failure::bare(FailureKind::ValidationFailed)
                };
                let g = guide(Flow::Login, &failure, options);
                field_errors.set(failure.field_errors.clone());
                notice.set(Some(Notice::Failure(g, failure.field_errors)));
                focus_banner();
                return;
            }
            field_errors.set(Vec::new());
            let flow = match m {
                Mode::Login => Flow::Login,
                Mode::Signup => Flow::Signup,
                Mode::Reset => Flow::PasswordReset,
            };
            let secret = (flow != Flow::PasswordReset).then(|| password.get_untracked());
            run(flow, email.get_untracked().trim().to_string(), secret);
        }
    };

    let switch_mode = move |to: Mode| {
        mode.set(to);
        notice.set(None);
        field_errors.set(Vec::new());
        password.set(String::new());
        last_request.set_value(None);
    };
    let on_action = Callback::new({
        let submit = submit.clone();
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
                _ => submit(),
            },
            Action::ResetPassword => switch_mode(Mode::Reset),
            Action::SignInInstead => switch_mode(Mode::Login),
            Action::CreateAccount => switch_mode(Mode::Signup),
            Action::ResendVerification | Action::ContactSupport => {
                if let Some(el) = target() {
                    events::action(&el, a, &email.get_untracked());
                }
            }
        }
    });

    // Offline detection: navigator.onLine now, then the online/offline events. The banner
    // appears without taking focus (the person may be typing) and clears when back online.
    let offline_notice = move || {
        let g = guide(Flow::Login, &Failure::bare(FailureKind::Offline), options);
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

    let busy = Signal::derive(move || pending.get() || remaining.get() > 0);
    let mode_key = move |prefix: &str| format!("form.{prefix}_{}", mode.get().as_str());
    let email_error = Signal::derive(move || {
        field_errors
            .get()
            .into_iter()
            .find(|e| e.field == crate::taxonomy::Field::Email)
    });
    let password_error = Signal::derive(move || {
        field_errors
            .get()
            .into_iter()
            .find(|e| e.field == crate::taxonomy::Field::Password)
    });
    let failure_view = move || match notice.get() {
        Some(Notice::Failure(g, errors)) => Some(view! {
            <FailureBanner
                guidance=g
                field_errors=errors
                i18n=i18n
                remaining=remaining.into()
                id_prefix=id.get_value()
                on_action=on_action
                node_ref=banner
            />
        }),
        _ => None,
    };
    let status_view = move || match notice.get() {
        Some(Notice::Success { kind, email }) => {
            Some(view! { <SuccessBanner kind=kind email=email i18n=i18n /> }.into_any())
        }
        _ if pending.get() => Some(
            view! { <p class="aw-pending">{move || i18n.get().t(&mode_key("pending"))}</p> }
                .into_any(),
        ),
        _ => None,
    };
    let is_reset = move || mode.get() == Mode::Reset;

    view! {
        <div class="aw-widget" data-mode=move || mode.get().as_str() data-theme=theme.attr()
            dir=move || i18n.get().dir()
            lang=move || i18n.get().locale.tag() node_ref=root>
            {status_url.map(|url| view! { <StatusBanner url=url i18n=i18n /> })}
            <h2 class="aw-widget__title">{move || i18n.get().t(&mode_key("title"))}</h2>
            {failure_view}
            <div role="status" class="aw-live">{status_view}</div>
            <form class="aw-form" method="post" novalidate=true
                on:submit=move |ev| { ev.prevent_default(); submit(); }>
                <EmailField id=id.get_value() value=email mode=mode.into()
                    error=email_error i18n=i18n />
                <Show when=move || !is_reset()>
                    <PasswordField id=id.get_value() value=password mode=mode.into()
                        shown=show_password error=password_error i18n=i18n min_password=min_password />
                </Show>
                <button type="submit" class="aw-button aw-button--primary" disabled=busy
                    aria-busy=move || pending.get().to_string()>
                    {move || i18n.get().t(&mode_key("submit"))}
                </button>
            </form>
            <div class="aw-widget__links">
                <Show when=move || mode.get() == Mode::Login>
                    <button type="button" class="aw-link" data-action="forgot_password"
                        on:click=move |_| switch_mode(Mode::Reset)>
                        {move || i18n.get().t("form.forgot_password")}
                    </button>
                    <button type="button" class="aw-link" data-action="switch_to_signup"
                        on:click=move |_| switch_mode(Mode::Signup)>
                        {move || i18n.get().t("form.switch_to_signup")}
                    </button>
                </Show>
                <Show when=move || mode.get() != Mode::Login>
                    <button type="button" class="aw-link" data-action="switch_to_login"
                        on:click=move |_| switch_mode(Mode::Login)>
                        {move || {
                            let key = if is_reset() { "form.back_to_login" } else { "form.switch_to_login" };
                            i18n.get().t(key)
                        }}
                    </button>
                </Show>
            </div>
        </div>
    }
}
