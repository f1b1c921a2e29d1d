//! Demo-page controls (feature `demo`, never in the embed build): a fault picker and a
//! service-status picker that drive the reference server's admin API, so anyone can see
//! each failure live.

use leptos::prelude::*;
use leptos::task::spawn_local;

/// Faults the reference server can inject, with a label for people.
const FAULTS: &[(&str, &str)] = &[
    ("", "No fault: the service works"),
    (
        "session_invalid",
        "Session check fails after a good login (the incident)",
    ),
    ("unavailable", "Service unavailable, retry after a wait"),
    ("internal_error", "Internal error with a reference id"),
    ("html_502", "A proxy's HTML error page"),
    ("malformed_json", "Malformed JSON"),
    ("drop_connection", "Connection dropped"),
    ("slow:20000", "No answer for 20 s (times out at 15 s)"),
    ("code:rate_limited", "Too many requests"),
    ("code:account_locked", "Account locked"),
    ("code:account_disabled", "Account disabled"),
    ("code:email_unverified", "Email not verified"),
    ("code:email_taken", "Email already registered (sign-up)"),
    ("code:signup_closed", "Sign-up closed"),
    ("code:session_expired", "Session expired"),
    ("code:validation_failed", "Server refuses the password"),
    (
        "problem:401:mfa_required",
        "A code the widget does not know (4xx)",
    ),
    (
        "problem:507:disk_full",
        "A code the widget does not know (5xx)",
    ),
];

const STATES: &[&str] = &["operational", "degraded", "outage", "maintenance"];

async fn put(path: &str, body: String) -> Result<(), String> {
    let headers = [("Content-Type", "application/json")];
    let resp = crate::client::fetch("PUT", path, &headers, Some(&body), false, None)
        .await
        .map_err(|_| "the server could not be reached".to_string())?;
    if resp.ok() {
        Ok(())
    } else {
        Err(format!("the server refused ({})", resp.status))
    }
}

fn json(pairs: &[(&str, Option<&str>)]) -> String {
    let obj = js_sys::Object::new();
    for (k, v) in pairs {
        let v = v
            .map(wasm_bindgen::JsValue::from_str)
            .unwrap_or(wasm_bindgen::JsValue::NULL);
        let _ = js_sys::Reflect::set(&obj, &(*k).into(), &v);
    }
    js_sys::JSON::stringify(&obj)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}

/// The fault and status pickers.
#[component]
pub fn DemoControls() -> impl IntoView {
    let fault = RwSignal::new(String::new());
    let state = RwSignal::new("operational".to_string());
    let message = RwSignal::new(String::new());
    let result = RwSignal::new(String::new());
    let apply_fault = move |_| {
        let f = fault.get_untracked();
        spawn_local(async move {
            let body = json(&[("fault", (!f.is_empty()).then_some(f.as_str()))]);
            let text = match put("/_admin/faults", body).await {
                Ok(()) if f.is_empty() => "Faults cleared.".to_string(),
                Ok(()) => format!("Fault on: {f}. Try the form."),
                Err(e) => format!("Could not set the fault: {e}"),
            };
            result.set(text);
        });
    };
    let apply_status = move |_| {
        let (s, m) = (state.get_untracked(), message.get_untracked());
        spawn_local(async move {
            let body = json(&[
                ("state", Some(&s)),
                ("message", (!m.is_empty()).then_some(m.as_str())),
            ]);
            let text = match put("/_admin/status", body).await {
                Ok(()) => format!("Status set to {s}. Reload the page to see the banner."),
                Err(e) => format!("Could not set the status: {e}"),
            };
            result.set(text);
        });
    };
    view! {
        <section class="demo-controls" aria-labelledby="demo-controls-title">
            <h2 id="demo-controls-title">"Try a failure"</h2>
            <label for="demo-fault">"Fault the server injects"</label>
            <select id="demo-fault" on:change=move |ev| fault.set(event_target_value(&ev))>
                {FAULTS.iter().map(|(v, label)| view! { <option value=*v>{*label}</option> }).collect_view()}
            </select>
            <button type="button" on:click=apply_fault>"Apply fault"</button>
            <label for="demo-state">"Service status"</label>
            <select id="demo-state" on:change=move |ev| state.set(event_target_value(&ev))>
                {STATES.iter().map(|s| view! { <option value=*s>{*s}</option> }).collect_view()}
            </select>
            <label for="demo-message">"Status message (shown as text)"</label>
            <input id="demo-message" type="text" bind:value=message />
            <button type="button" on:click=apply_status>"Set status"</button>
            <p role="status" class="demo-controls__result">{move || result.get()}</p>
        </section>
    }
}

/// Mounts the demo controls into `#demo-controls`.
pub fn mount_controls() {
    if let Some(el) = document().get_element_by_id("demo-controls") {
        let el: web_sys::HtmlElement = wasm_bindgen::JsCast::unchecked_into(el);
        leptos::mount::mount_to(el, DemoControls).forget();
    }
}
