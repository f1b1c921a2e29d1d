//! An app page that embeds [`AuthWidget`] as a Leptos component and reacts to its callbacks.

use auth_widget::AuthWidget;
use auth_widget::components::SuccessDetail;
use leptos::prelude::*;

/// The app: the widget until someone signs in, then a welcome that names them.
#[component]
pub fn App(
    /// Where the auth API lives.
    #[prop(into)]
    api_base: String,
) -> impl IntoView {
    let signed_in: RwSignal<Option<String>> = RwSignal::new(None);
    let failures = RwSignal::new(0u32);
    let on_success = Callback::new(move |d: SuccessDetail| signed_in.set(Some(d.user.email)));
    let on_failure = Callback::new(move |_| failures.update(|n| *n += 1));
    view! {
        <main class="app">
            <h1>"Example app"</h1>
            <p class="app__failures" data-failures=move || failures.get()>
                {move || format!("Failed attempts this visit: {}", failures.get())}
            </p>
            <Show
                when=move || signed_in.get().is_some()
                fallback=move || view! {
                    <AuthWidget api_base=api_base.clone() status_url="none" on_success=on_success on_failure=on_failure />
                }
            >
                <p class="app__welcome">{move || format!("Welcome, {}", signed_in.get().unwrap_or_default())}</p>
            </Show>
        </main>
    }
}
