//! Labelled fields: the email, the password and a sign-in's code (fields-1 to fields-8, errors-11).

use super::banner::field_message;
use super::i18n::I18n;
use super::reactive::{dynamic, flag, maybe, shown_when, text, tr};
use crate::copy::Key;
use crate::form::Mode;
use crate::taxonomy::{Field, FieldError};
use leptos::prelude::*;

/// The field error line: visually hidden "Error:" then the message (errors-11).
#[component]
fn FieldErrorText(
    id: String,
    error: Signal<Option<FieldError>>,
    i18n: RwSignal<I18n>,
) -> impl IntoView {
    dynamic(move || {
        error.get().map(|e| {
            let i18n = i18n.get();
            view! {
                <p class="aw-field__error" id=id.clone()>
                    <span class="aw-visually-hidden">{i18n.t(Key::FormErrorPrefix)}" "</span>
                    {field_message(&i18n, &e)}
                </p>
            }
            .into_any()
        })
    })
}

/// `aria-invalid="true"` while there is an error.
fn invalid(error: Signal<Option<FieldError>>) -> Signal<Option<String>> {
    maybe(move || error.get().map(|_| "true".to_string()))
}

/// A text field: the email address (`type=email`, `autocomplete` by mode, no spellcheck), or
/// a second step's code (`name=code`: an app's code or a recovery code, as the mode says;
/// spaces and dashes in a pasted code are fine, the service ignores them).
#[component]
pub fn TextField(
    /// Instance id prefix; the input is `{id}-{field}`.
    id: String,
    /// [`Field::Email`] or [`Field::Code`].
    field: Field,
    /// The typed text. A code is the form's secret: never logged, stored or put in an event.
    value: RwSignal<String>,
    /// What the mode shows: sign-in wants `username` autocomplete, sign-up `email`, a code
    /// `one-time-code`.
    mode: RwSignal<Mode>,
    /// The error to show, if any (set only after a submit).
    error: Signal<Option<FieldError>>,
    /// Copy for this instance.
    i18n: RwSignal<I18n>,
) -> impl IntoView {
    let name = field.as_str();
    let input_id = format!("{id}-{name}");
    let error_id = format!("{id}-{name}-error");
    let hint_id = format!("{id}-{name}-hint");
    let spec = move || mode.get().text_input(field);
    let described = {
        let (error_id, hint_id) = (error_id.clone(), hint_id.clone());
        maybe(move || {
            let mut ids = Vec::new();
            if error.get().is_some() {
                ids.push(error_id.as_str());
            }
            if spec().hint.is_some() {
                ids.push(hint_id.as_str());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        })
    };
    let hint = dynamic(move || {
        spec().hint.map(|key| {
            view! { <p class="aw-field__hint" id=hint_id.clone()>{tr(i18n, key)}</p> }.into_any()
        })
    });
    view! {
        <div class="aw-field" class:aw-field--error=flag(move || error.get().is_some())>
            <label class="aw-field__label" for=input_id.clone()>
                {text(move || i18n.read().t(spec().label))}
            </label>
            {hint}
            <FieldErrorText id=error_id error=error i18n=i18n />
            <input
                class="aw-field__input"
                id=input_id
                name=name
                type=text(move || spec().kind.to_string())
                inputmode=text(move || spec().inputmode.to_string())
                autocomplete=text(move || spec().autocomplete.to_string())
                spellcheck="false"
                autocapitalize="off"
                aria-invalid=invalid(error)
                aria-describedby=described
                bind:value=value
            />
        </div>
    }
}

/// Password field with a show/hide toggle and a Caps Lock hint.
#[component]
pub fn PasswordField(
    /// Instance id prefix; the input is `{id}-password`.
    id: String,
    /// The typed password. Never logged, stored or put in an event.
    value: RwSignal<String>,
    /// Login wants `current-password`, sign-up `new-password` and a length hint.
    mode: RwSignal<Mode>,
    /// Whether the password is shown as text.
    shown: RwSignal<bool>,
    /// The error to show, if any.
    error: Signal<Option<FieldError>>,
    /// Copy for this instance.
    i18n: RwSignal<I18n>,
    /// Sign-up minimum, stated in the hint.
    min_password: u32,
) -> impl IntoView {
    let input_id = format!("{id}-password");
    let error_id = format!("{id}-password-error");
    let hint_id = format!("{id}-password-hint");
    let caps_id = format!("{id}-password-caps");
    let caps = RwSignal::new(false);
    let signup = move || mode.get().password_hint();
    let described = {
        let (error_id, hint_id, caps_id) = (error_id.clone(), hint_id.clone(), caps_id.clone());
        maybe(move || {
            let mut ids = Vec::new();
            if error.get().is_some() {
                ids.push(error_id.clone());
            }
            if signup() {
                ids.push(hint_id.clone());
            }
            if caps.get() {
                ids.push(caps_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        })
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| caps.set(ev.get_modifier_state("CapsLock"));
    let hint = shown_when(signup, move || {
        view! {
            <p class="aw-field__hint" id=hint_id.clone()>
                {text(move || {
                    i18n.read().tv(Key::FormPasswordHintSignup, Some(u64::from(min_password)), &[])
                })}
            </p>
        }
        .into_any()
    });
    let caps_hint = shown_when(
        move || caps.get(),
        move || {
            view! { <p class="aw-field__caps" id=caps_id.clone()>{tr(i18n, Key::FormCapsLock)}</p> }
                .into_any()
        },
    );
    view! {
        <div class="aw-field" class:aw-field--error=flag(move || error.get().is_some())>
            <label class="aw-field__label" for=input_id.clone()>{tr(i18n, Key::FormPasswordLabel)}</label>
            {hint}
            <FieldErrorText id=error_id error=error i18n=i18n />
            <div class="aw-password">
                <input
                    class="aw-field__input aw-password__input"
                    id=input_id
                    name="password"
                    type=text(move || if shown.get() { "text" } else { "password" }.to_string())
                    autocomplete=text(move || {
                        mode.get().password_autocomplete().unwrap_or_default().to_string()
                    })
                    spellcheck="false"
                    autocapitalize="off"
                    aria-invalid=invalid(error)
                    aria-describedby=described
                    on:keydown=on_key
                    on:keyup=on_key
                    on:blur=move |_| caps.set(false)
                    bind:value=value
                />
                <button
                    type="button"
                    class="aw-button aw-button--ghost aw-password__toggle"
                    data-action="toggle_password"
                    aria-controls=format!("{id}-password")
                    on:click=move |_| shown.update(|s| *s = !*s)
                >
                    {text(move || {
                        i18n.read().t(if shown.get() { Key::FormHidePassword } else { Key::FormShowPassword })
                    })}
                </button>
            </div>
            {caps_hint}
        </div>
    }
}
