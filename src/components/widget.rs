//! `AuthWidget`: sign-in (with its code step), sign-up, password reset and email links in one form.

use super::banner::{FailureBanner, Notice, SuccessBanner};
use super::events::{FailureDetail, OutcomeDetail, Sink, SuccessDetail};
use super::fields::{PasswordField, TextField};
use super::form_state::{FormOptions, UseAuthFormReturn, use_auth_form};
use super::i18n::{I18n, fetch_overrides};
use super::reactive::{dynamic, flag, shown_when, text, tr};
use super::signed_in::SignedIn;
use super::status::StatusBanner;
use super::theme::Theme;
use crate::client::ApiClient;
use crate::copy::Key;
use crate::form::{DEFAULT_MIN_PASSWORD, Mode, Resume};
use crate::guidance::GuideOptions;
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
    let client = ApiClient {
        base: api_base.trim_end_matches('/').to_string(),
        timeout: Duration::from_millis(u64::from(timeout_ms)),
    };
    let status_url = match status_url.get_untracked().as_deref() {
        Some("none") => None,
        Some(url) => Some(url.to_string()),
        None => Some(format!("{}/status", client.base)),
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
    // The form and the signed-in view each show the failure banner (one at a time).
    let failure_view = move || {
        dynamic(move || match notice.get() {
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
        })
    };
    // The live region holds text only, so screen readers announce the message, not a control.
    let status_view = move || {
        dynamic(move || match notice.get() {
            Some(Notice::Success { kind, email }) => {
                Some(view! { <SuccessBanner kind=kind email=email i18n=i18n /> }.into_any())
            }
            _ if pending.get() => {
                let words = text(move || i18n.read().t(pending_words.get()));
                Some(view! { <p class="aw-pending">{words}</p> }.into_any())
            }
            _ => None,
        })
    };
    // After a verified sign-in or sign-up the signed-in view takes the form's place until the
    // person signs out (hosts that navigate away on `auth-success` never see it).
    let signed_in_view = shown_when(
        move || session.read().is_some(),
        move || {
            let Some(Notice::Success { kind, email }) = session.get() else {
                return ().into_any();
            };
            view! {
                <SignedIn kind=kind email=email i18n=i18n on_sign_out=sign_out heading=heading>
                    {failure_view()}
                </SignedIn>
            }
            .into_any()
        },
    );
    // The email field, or a second step's code field (in the password's signal: the form's
    // secret), each where the mode has it.
    let text_field = move |field: Field, shown: fn(Mode) -> bool, value: RwSignal<String>| {
        shown_when(
            move || shown(mode.get()),
            move || {
                view! {
                    <TextField id=id.get_value() field=field value=value mode=mode
                        error=field_error(field) i18n=i18n />
                }
                .into_any()
            },
        )
    };
    let password_field = move || {
        shown_when(
            move || mode.get().password_autocomplete().is_some(),
            move || {
                view! {
                <PasswordField id=id.get_value() value=password mode=mode
                    shown=show_password error=field_error(Field::Password) i18n=i18n min_password=min_password />
            }
            .into_any()
            },
        )
    };
    // The links each mode offers, as the form's definition lists them (the first screen
    // draws the same list).
    let links = move || {
        dynamic(move || {
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
        })
    };

    let form_view = shown_when(
        move || session.read().is_none(),
        move || {
            view! {
            <h2 class="aw-widget__title" tabindex="-1" node_ref=heading>{mode_text(Mode::title)}</h2>
            {failure_view()}
            <div role="status" class="aw-live">{status_view()}</div>
            <form class="aw-form" method="post" novalidate=true
                on:submit=move |ev| { ev.prevent_default(); submit.run(()); }>
                {text_field(Field::Email, Mode::has_email, email)}
                {password_field()}
                {text_field(Field::Code, Mode::has_code, password)}
                <button type="submit" class="aw-button aw-button--primary" disabled=busy
                    aria-busy=text(move || pending.get().to_string())>
                    {mode_text(Mode::submit)}
                </button>
            </form>
            <div class="aw-widget__links">
                {links()}
            </div>
            }
            .into_any()
        },
    );

    view! {
        <div class="aw-widget" data-mode=text(move || mode.get().as_str().to_string())
            data-theme=theme.attr()
            dir=text(move || i18n.read().dir().to_string())
            lang=text(move || i18n.read().locale.tag().to_string()) node_ref=root>
            {status_url.map(|url| view! { <StatusBanner url=url i18n=i18n /> })}
            {form_view}
            {signed_in_view}
        </div>
    }
}
