//! The banner: a failure (as the error summary, errors-10) or a success/progress status.

use super::i18n::I18n;
use super::reactive::{flag, shown_when, text};
use crate::copy::Key;
use crate::guidance::{Action, Guidance, SuccessKind};
use crate::taxonomy::FieldError;
use crate::validate::{field_error_key, field_error_number};
use leptos::html;
use leptos::prelude::*;

/// What the banner shows.
#[derive(Clone, Debug, PartialEq)]
pub enum Notice {
    /// A failure, with the field errors its summary links to.
    Failure(Guidance, Vec<FieldError>),
    /// A success or confirmation, and the email it names.
    Success { kind: SuccessKind, email: String },
}

/// A field error's message.
pub fn field_message(i18n: &I18n, e: &FieldError) -> String {
    i18n.tv(field_error_key(e), field_error_number(e), &[])
}

/// The failure banner. `id_prefix` makes field links unique per instance.
///
/// Its outer box takes focus (`tabindex=-1`); the inner box has `role=alert`.
#[component]
pub fn FailureBanner(
    /// The guidance to render.
    guidance: Guidance,
    /// Field errors the summary links to.
    field_errors: Vec<FieldError>,
    /// Copy for this instance.
    i18n: RwSignal<I18n>,
    /// Seconds left before submit is enabled again (0 hides the countdown).
    remaining: RwSignal<u32>,
    /// Ids are `{id_prefix}-email` and `{id_prefix}-password`.
    id_prefix: String,
    /// Runs when an action button is pressed.
    on_action: Callback<Action>,
    /// Set to the focusable outer box.
    node_ref: NodeRef<html::Div>,
) -> impl IntoView {
    let title_key = guidance.title_key();
    let body_key = guidance.body_key();
    let reference = guidance.reference.clone();
    let links = field_errors
        .into_iter()
        .map(|e| {
            let href = format!("#{id_prefix}-{}", e.field.as_str());
            view! { <li><a href=href>{text(move || field_message(&i18n.read(), &e))}</a></li> }
        })
        .collect_view();
    let actions = guidance
        .actions
        .iter()
        .map(|a| {
            let a = *a;
            let waits = a == Action::Retry;
            view! {
                <button
                    type="button"
                    class="aw-button aw-button--secondary"
                    data-action=a.as_str()
                    disabled=flag(move || waits && (remaining.get() > 0))
                    on:click=move |_| on_action.run(a)
                >
                    {text(move || i18n.read().t(a.copy_key()))}
                </button>
            }
        })
        .collect_view();
    let countdown = shown_when(
        move || remaining.get() > 0,
        move || {
            view! {
                <p class="aw-banner__countdown" data-countdown=text(move || remaining.get().to_string())>
                    {text(move || {
                        let n = remaining.get();
                        i18n.read().tv(Key::FailureCountdown, Some(u64::from(n)), &[])
                    })}
                </p>
            }
            .into_any()
        },
    );
    view! {
        <div
            class=format!("aw-banner aw-banner--{}", guidance.tone.as_str())
            data-failure=guidance.kind.as_str()
            data-tone=guidance.tone.as_str()
            tabindex="-1"
            node_ref=node_ref
        >
            <div role=guidance.role.as_str()>
                <h2 class="aw-banner__title">{text(move || i18n.read().t(title_key))}</h2>
                <p class="aw-banner__body">{text(move || i18n.read().t(body_key))}</p>
                <ul class="aw-banner__errors">{links}</ul>
                {countdown}
                {reference
                    .map(|r| {
                        view! {
                            <p class="aw-banner__reference">
                                {text(move || i18n.read().tv(Key::FailureReference, None, &[("reference", &r)]))}
                            </p>
                        }
                    })}
                <div class="aw-banner__actions">{actions}</div>
            </div>
        </div>
    }
}

/// A success or confirmation message (`role=status`; focus does not move, errors-12).
#[component]
pub fn SuccessBanner(
    /// What succeeded.
    kind: SuccessKind,
    /// The email the message names.
    email: String,
    /// Copy for this instance.
    i18n: RwSignal<I18n>,
) -> impl IntoView {
    let (title, body) = kind.keys();
    view! {
        <div class="aw-banner aw-banner--success" data-outcome=kind.as_str() data-tone="success">
            <h2 class="aw-banner__title">{text(move || i18n.read().t(title))}</h2>
            <p class="aw-banner__body">
                {text(move || i18n.read().tv(body, None, &[("email", &email)]))}
            </p>
        </div>
    }
}
