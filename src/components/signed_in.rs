//! The signed-in view: after a verified sign-in or sign-up it takes the form's place, names
//! who is signed in and offers sign-out. Its heading takes focus when it appears, since the
//! form (and the button that was pressed) are gone; a screen reader reads the heading, then
//! the email, then the sign-out button.

use super::i18n::I18n;
use super::reactive::{text, tr};
use crate::copy::Key;
use crate::guidance::SuccessKind;
use leptos::html;
use leptos::prelude::*;

/// Who is signed in and a sign-out button (`data-outcome` is the kind: `login` or `signup`).
#[component]
pub fn SignedIn(
    /// How the person got here (sign-in or sign-up): the heading and the sentence under it.
    kind: SuccessKind,
    /// The signed-in email.
    email: String,
    /// Copy for this instance.
    i18n: RwSignal<I18n>,
    /// Runs when the sign-out button is pressed.
    on_sign_out: Callback<()>,
    /// Set to the heading, which takes focus when the view appears.
    heading: NodeRef<html::H2>,
    /// What goes between the heading and the sentence (a failure banner, e.g. when signing
    /// out could not reach the service).
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let (title, body) = kind.keys();
    view! {
        <div class="aw-signed-in" data-outcome=kind.as_str()>
            <h2 class="aw-widget__title" tabindex="-1" node_ref=heading>{tr(i18n, title)}</h2>
            {children.map(|c| c())}
            <p class="aw-signed-in__body">
                {text(move || i18n.read().tv(body, None, &[("email", &email)]))}
            </p>
            <button type="button" class="aw-button aw-button--secondary" data-action="sign_out"
                on:click=move |_| on_sign_out.run(())>
                {tr(i18n, Key::FormSignOut)}
            </button>
        </div>
    }
}
