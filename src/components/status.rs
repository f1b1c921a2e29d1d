//! The service status banner: known incidents shown before anyone tries (`/auth/status`).

use super::i18n::I18n;
use super::reactive::{dynamic, text, tr};
use crate::client::{fetch, parse_json};
use crate::copy::Key;
use crate::guidance::ServiceState;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[derive(Clone, Debug, PartialEq)]
struct ServiceStatus {
    state: ServiceState,
    /// The operator's message: rendered as text, never HTML (errors-19).
    message: Option<String>,
}

async fn fetch_status(url: &str) -> Option<ServiceStatus> {
    let resp = fetch("GET", url, &[], None, true, None).await.ok()?;
    if resp.status != 200 {
        return None;
    }
    let value = parse_json(&resp.text())?;
    let field = |k: &str| {
        js_sys::Reflect::get(&value, &k.into())
            .ok()
            .and_then(|v| v.as_string())
    };
    let state = field("state")?;
    let state = ServiceState::parse(&state).filter(|s| s.shows_banner())?;
    Some(ServiceStatus {
        state,
        message: field("message").filter(|m| !m.trim().is_empty()),
    })
}

/// Shows the service's own status when it is not operational (`data-status`, `role=status`).
#[component]
pub fn StatusBanner(
    /// The status URL.
    url: String,
    /// Copy for this instance.
    i18n: RwSignal<I18n>,
) -> impl IntoView {
    let status: RwSignal<Option<ServiceStatus>> = RwSignal::new(None);
    spawn_local(async move {
        let s = fetch_status(&url).await;
        let _ = status.try_set(s);
    });
    view! {
        <div role="status" class="aw-status-region">
            {dynamic(move || status.get().map(|s| {
                view! { <StatusView state=s.state message=s.message i18n=i18n /> }.into_any()
            }))}
        </div>
    }
}

/// The status banner's content for one state (also used by the gallery).
#[component]
pub fn StatusView(
    /// A state that shows a banner.
    state: ServiceState,
    /// The operator's message, rendered as text.
    message: Option<String>,
    /// Copy for this instance.
    i18n: RwSignal<I18n>,
) -> impl IntoView {
    let title = state.title();
    let state = state.as_str();
    view! {
        <div class=format!("aw-status aw-status--{state}") data-status=state>
            <h2 class="aw-status__title">{text(move || i18n.read().t(title))}</h2>
            {message.map(|m| view! { <p class="aw-status__message">{m}</p> })}
            <p class="aw-status__body">{tr(i18n, Key::StatusBody)}</p>
        </div>
    }
}
