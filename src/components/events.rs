//! DOM events the widget dispatches: bubbling and composed, never carrying a password.

use crate::guidance::Action;
use crate::taxonomy::{Failure, Flow, Outcome, User};
use wasm_bindgen::JsValue;
use web_sys::{CustomEvent, CustomEventInit, Element};

fn object(pairs: &[(&str, JsValue)]) -> JsValue {
    let obj = js_sys::Object::new();
    for (k, v) in pairs {
        let _ = js_sys::Reflect::set(&obj, &(*k).into(), v);
    }
    obj.into()
}

fn opt(s: Option<&str>) -> JsValue {
    s.map(JsValue::from_str).unwrap_or(JsValue::NULL)
}

fn dispatch(target: &Element, name: &str, detail: JsValue) {
    let init = CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_detail(&detail);
    if let Ok(ev) = CustomEvent::new_with_event_init_dict(name, &init) {
        let _ = target.dispatch_event(&ev);
    }
}

/// `auth-success`: flow, user, and the access token if the server gave one. The only
/// event that carries the email.
pub fn success(target: &Element, flow: Flow, user: &User, token: Option<&str>) {
    let user = object(&[
        ("id", user.id.as_str().into()),
        ("email", user.email.as_str().into()),
    ]);
    dispatch(
        target,
        "auth-success",
        object(&[
            ("flow", flow.as_str().into()),
            ("user", user),
            ("access_token", opt(token)),
        ]),
    );
}

/// `auth-failure`: flow, failure kind, HTTP status and reference id.
pub fn failure(target: &Element, flow: Flow, failure: &Failure) {
    dispatch(
        target,
        "auth-failure",
        object(&[
            ("flow", flow.as_str().into()),
            ("kind", failure.kind.as_str().into()),
            (
                "status",
                failure.status.map(JsValue::from).unwrap_or(JsValue::NULL),
            ),
            ("reference", opt(failure.reference.as_deref())),
        ]),
    );
}

/// `auth-outcome`: every attempt, with its outcome and latency.
pub fn outcome(target: &Element, flow: Flow, outcome: &Outcome, latency_ms: u32) {
    let name = match outcome {
        Ok(_) => "success",
        Err(f) => f.kind.as_str(),
    };
    dispatch(
        target,
        "auth-outcome",
        object(&[
            ("flow", flow.as_str().into()),
            ("outcome", name.into()),
            ("latency_ms", latency_ms.into()),
        ]),
    );
}

/// `auth-action`: a next step the host page handles (resend verification, contact support).
/// Carries the email so the host can resend; never the password.
pub fn action(target: &Element, action: Action, email: &str) {
    dispatch(
        target,
        "auth-action",
        object(&[("action", action.as_str().into()), ("email", email.into())]),
    );
}
