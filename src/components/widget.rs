//! `AuthWidget`: login, sign-up and password-reset request in one form.

use super::banner::{FailureBanner, Notice, SuccessBanner};
use super::events::{FailureDetail, OutcomeDetail, Sink, SuccessDetail};
use super::fields::{EmailField, PasswordField};
use super::form_state::{FormOptions, UseAuthFormReturn, use_auth_form};
use super::i18n::{I18n, fetch_overrides};
use super::reactive::{dynamic, flag, shown_when, text, tr};
use super::status::StatusBanner;
use super::theme::Theme;
use crate::client::ApiClient;
use crate::copy::Key;
use crate::form::{DEFAULT_MIN_PASSWORD, Mode, Resume};
use crate::guidance::GuideOptions;
use crate::profile::Profile;
use crate::taxonomy::Field;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

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
/// DOM events on `host` (the `<auth-widget>` element) or else the widget's root (bubbling,
/// composed), and to the `on_*` callbacks. No event carries the
/// password, and nothing is written to storage.
#[component]
pub fn AuthWidget(
    /// Base URL of the auth API, e.g. `/auth`.
    #[prop(into, default = "/auth".to_string())]
    api_base: String,
    /// The backend profile: a built-in name (`contract`, the default; `better-auth`,
    /// `allauth`, `firebase`) or the URL of a profile file (docs/backends.md).
    #[prop(optional, into)]
    backend: MaybeProp<String>,
    /// The web API key a profile may need (Firebase's), as the `api-key` attribute.
    #[prop(optional, into)]
    api_key: MaybeProp<String>,
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
    /// When set, each outcome is sent here as JSON with `fetch` keepalive (no credentials in it).
    #[prop(optional, into)]
    telemetry_url: MaybeProp<String>,
    /// A JSON file of `{"key": "text"}` that overrides copy at runtime (designer preview).
    #[prop(optional, into)]
    copy_url: MaybeProp<String>,
    /// What the person did in the form this widget replaces (the embed's first screen).
    #[prop(optional)]
    resume: Resume,
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
    let i18n = i18n_state;
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
    let backend = backend
        .get_untracked()
        .filter(|b| !b.trim().is_empty())
        .unwrap_or_else(|| "contract".to_string());
    let attributes: Vec<(String, String)> = api_key
        .get_untracked()
        .map(|k| ("api-key".to_string(), k))
        .into_iter()
        .collect();
    let base = api_base.trim_end_matches('/').to_string();
    let timeout = Duration::from_millis(u64::from(timeout_ms));
    let client = RwSignal::new_local(None);
    load_backend(backend.clone(), move |profile| {
        client.set(Some(profile.map(|profile| ApiClient {
            base: base.clone(),
            timeout,
            profile: std::rc::Rc::new(profile),
            attributes: attributes.clone(),
        })))
    });
    // Only the contract has a status call by default; other backends set `status-url`.
    let status_url = match status_url.get_untracked().as_deref() {
        Some("none") => None,
        Some(url) => Some(url.to_string()),
        None if backend == "contract" => Some(format!("{}/status", api_base.trim_end_matches('/'))),
        None => None,
    };
    let root: NodeRef<html::Div> = NodeRef::new();
    let sink = Sink {
        host: StoredValue::new_local(host),
        root,
        telemetry_url: StoredValue::new(telemetry_url.get_untracked()),
        on_success,
        on_failure,
        on_outcome,
    };
    let UseAuthFormReturn {
        mode,
        email,
        password,
        show_password,
        pending,
        notice,
        remaining,
        banner,
        submit,
        on_action,
        switch_mode,
        sign_out,
    } = use_auth_form(
        mode,
        FormOptions {
            client,
            guide: GuideOptions { enumeration_safe },
            min_password,
            sink,
            resume,
        },
    );

    let busy = flag(move || pending.get() || remaining.get() > 0);
    let mode_text = move |key: fn(Mode) -> Key| text(move || i18n.read().t(key(mode.get())));
    let field_error = move |field: Field| {
        Signal::derive(move || match notice.read().as_ref() {
            Some(Notice::Failure(_, errors)) => errors.iter().find(|e| e.field == field).cloned(),
            _ => None,
        })
    };
    let failure_view = dynamic(move || match notice.get() {
        Some(Notice::Failure(g, errors)) => Some(
            view! {
                <FailureBanner
                    guidance=g
                    field_errors=errors
                    i18n=i18n
                    remaining=remaining
                    id_prefix=id.get_value()
                    on_action=on_action
                    node_ref=banner
                />
            }
            .into_any(),
        ),
        _ => None,
    });
    // The live region holds text only; the sign-out button sits after it, so screen readers
    // announce the message and not a control.
    let status_view = dynamic(move || match notice.get() {
        Some(Notice::Success { kind, email }) => {
            Some(view! { <SuccessBanner kind=kind email=email i18n=i18n /> }.into_any())
        }
        _ if pending.get() => {
            Some(view! { <p class="aw-pending">{mode_text(Mode::pending)}</p> }.into_any())
        }
        _ => None,
    });
    let signed_in =
        move || matches!(notice.get(), Some(Notice::Success { kind, .. }) if kind.signed_in());
    let sign_out_button = shown_when(signed_in, move || {
        view! {
            <button type="button" class="aw-button aw-button--secondary aw-widget__sign-out"
                data-action="sign_out" on:click=move |_| sign_out.run(())>
                {tr(i18n, Key::FormSignOut)}
            </button>
        }
        .into_any()
    });
    let is_reset = move || mode.get() == Mode::Reset;
    let password_field = shown_when(
        move || !is_reset(),
        move || {
            view! {
                <PasswordField id=id.get_value() value=password mode=mode
                    shown=show_password error=field_error(Field::Password) i18n=i18n min_password=min_password />
            }
            .into_any()
        },
    );
    // The links each mode offers, as the form's definition lists them (the first screen
    // draws the same list).
    let links = dynamic(move || {
        let links = mode.get().links().iter().map(|link| {
            let to = link.to;
            view! {
                <button type="button" class="aw-link" data-action=link.action
                    on:click=move |_| switch_mode.run(to)>
                    {tr(i18n, link.label)}
                </button>
            }
        });
        Some(links.collect_view().into_any())
    });

    view! {
        <div class="aw-widget" data-mode=text(move || mode.get().as_str().to_string())
            data-theme=theme.attr()
            dir=text(move || i18n.read().dir().to_string())
            lang=text(move || i18n.read().locale.tag().to_string()) node_ref=root>
            {status_url.map(|url| view! { <StatusBanner url=url i18n=i18n /> })}
            <h2 class="aw-widget__title">{mode_text(Mode::title)}</h2>
            {failure_view}
            <div role="status" class="aw-live">{status_view}</div>
            {sign_out_button}
            <form class="aw-form" method="post" novalidate=true
                on:submit=move |ev| { ev.prevent_default(); submit.run(()); }>
                <EmailField id=id.get_value() value=email mode=mode
                    error=field_error(Field::Email) i18n=i18n />
                {password_field}
                <button type="submit" class="aw-button aw-button--primary" disabled=busy
                    aria-busy=text(move || pending.get().to_string())>
                    {mode_text(Mode::submit)}
                </button>
            </form>
            <div class="aw-widget__links">
                {links}
            </div>
        </div>
    }
}

/// Resolves `backend` (a built-in name, or the URL of a profile file) and hands the parsed
/// profile to `ready`: at once for a built-in, after the fetch for a file. A profile that cannot
/// be used is named in one console error and handed over as `Err(())`.
fn load_backend(backend: String, ready: impl Fn(Result<Profile, ()>) + 'static) {
    if let Some(text) = crate::profile::built_in(&backend) {
        ready(Profile::parse(text).or_else(|e| refuse(&backend, e.to_string())));
        return;
    }
    if !crate::embed::plausible_url(&backend) {
        let names: Vec<&str> = crate::profile::BUILT_IN.iter().map(|(n, _)| *n).collect();
        ready(refuse(
            &backend,
            format!(
                "is neither a built-in profile ({}) nor the URL of a profile file",
                names.join(", ")
            ),
        ));
        return;
    }
    spawn_local(async move {
        let text = match crate::client::fetch("GET", &backend, &[], None, false, None).await {
            Ok(answer) if answer.ok() => Ok(answer.text()),
            Ok(answer) => Err(format!("could not be loaded (HTTP {})", answer.status)),
            Err(_) => Err("could not be loaded".to_string()),
        };
        ready(match text {
            Ok(text) => Profile::parse(&text).or_else(|e| refuse(&backend, e.to_string())),
            Err(why) => refuse(&backend, why),
        });
    });
}

thread_local! {
    /// The unusable profiles already named in the console: one error per profile per page,
    /// however often its widgets mount (the element re-renders on attribute changes).
    static REPORTED: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// One console error naming the profile and what is wrong with it.
fn refuse(backend: &str, why: String) -> Result<Profile, ()> {
    let first = REPORTED.with(|r| {
        let mut r = r.borrow_mut();
        let first = !r.iter().any(|b| b == backend);
        if first {
            r.push(backend.to_string());
        }
        first
    });
    if first {
        web_sys::console::error_1(
            &format!("<auth-widget>: sign-in is not set up: backend=\"{backend}\" {why}").into(),
        );
    }
    Err(())
}
