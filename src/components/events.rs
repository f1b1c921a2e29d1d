//! What the widget tells its host: DOM events (bubbling, composed), Leptos callbacks and
//! telemetry beacons. None of them ever carries the password; only `auth-success` carries
//! the email.

use crate::client::Called;
use crate::guidance::Action;
use crate::taxonomy::{Failure, Flow, Outcome, User};
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsValue;
use web_sys::{CustomEvent, CustomEventInit, Element};

/// Where one widget's outcomes go: DOM events on its host (or its root), the telemetry URL,
/// and the Leptos callbacks. Copyable, so closures can share it.
#[derive(Clone, Copy)]
pub struct Sink {
    /// The `<auth-widget>` element, when there is one.
    pub host: StoredValue<Option<Element>, LocalStorage>,
    /// The widget's root, the event target when there is no host.
    pub root: NodeRef<html::Div>,
    pub telemetry_url: StoredValue<Option<String>>,
    pub on_success: Option<Callback<SuccessDetail>>,
    pub on_failure: Option<Callback<FailureDetail>>,
    pub on_outcome: Option<Callback<OutcomeDetail>>,
}

impl Sink {
    fn target(&self) -> Option<Element> {
        self.host
            .get_value()
            .or_else(|| self.root.get_untracked().map(Into::into))
    }

    /// Every call: `auth-outcome`, a telemetry beacon, `on_outcome`.
    pub fn outcome(&self, flow: Flow, called: &Called) {
        let detail = OutcomeDetail::new(flow, &called.outcome, called.latency_ms);
        if let Some(el) = self.target() {
            outcome(&el, &detail);
        }
        if let Some(url) = self.telemetry_url.get_value() {
            beacon(&url, &detail);
        }
        if let Some(cb) = self.on_outcome {
            cb.run(detail);
        }
    }

    /// A failure shown to the person: `auth-failure`, `on_failure`.
    pub fn failure(&self, flow: Flow, f: &Failure) {
        let detail = FailureDetail::new(flow, f);
        if let Some(el) = self.target() {
            failure(&el, &detail);
        }
        if let Some(cb) = self.on_failure {
            cb.run(detail);
        }
    }

    /// A verified sign-in or sign-up: `auth-success`, `on_success`.
    pub fn success(&self, detail: SuccessDetail) {
        if let Some(el) = self.target() {
            success(&el, &detail);
        }
        if let Some(cb) = self.on_success {
            cb.run(detail);
        }
    }

    /// `data-state` of the `<auth-widget>` host (none without one): `signed-in` while the
    /// session this widget opened lasts, `ready` after it ends.
    pub fn signed_in(&self, on: bool) {
        if let Some(el) = self.host.get_value() {
            let _ = el.set_attribute("data-state", if on { "signed-in" } else { "ready" });
        }
    }

    /// A next step for the host: `auth-action`.
    pub fn action(&self, a: Action, email: &str) {
        if let Some(el) = self.target() {
            action(&el, a, email);
        }
    }
}

/// `auth-success`: a verified sign-in or sign-up.
#[derive(Clone, Debug, PartialEq)]
pub struct SuccessDetail {
    pub flow: Flow,
    pub user: User,
    /// The bearer token, when the server returns one.
    pub access_token: Option<String>,
}

/// `auth-failure`: a failure shown to the person.
#[derive(Clone, Debug, PartialEq)]
pub struct FailureDetail {
    pub flow: Flow,
    pub kind: &'static str,
    pub status: Option<u16>,
    pub reference: Option<String>,
}

impl FailureDetail {
    pub fn new(flow: Flow, f: &Failure) -> Self {
        FailureDetail {
            flow,
            kind: f.kind.as_str(),
            status: f.status,
            reference: f.reference.clone(),
        }
    }
}

/// `auth-outcome`: every call, with its outcome and latency.
#[derive(Clone, Debug, PartialEq)]
pub struct OutcomeDetail {
    pub flow: Flow,
    /// `success` or the failure kind.
    pub outcome: &'static str,
    pub status: Option<u16>,
    pub latency_ms: u32,
}

impl OutcomeDetail {
    pub fn new(flow: Flow, outcome: &Outcome, latency_ms: u32) -> Self {
        let (name, status) = match outcome {
            Ok(_) => ("success", None),
            Err(f) => (f.kind.as_str(), f.status),
        };
        OutcomeDetail {
            flow,
            outcome: name,
            status,
            latency_ms,
        }
    }

    fn to_js(&self) -> JsValue {
        object(&[
            ("flow", self.flow.as_str().into()),
            ("outcome", self.outcome.into()),
            ("status", num(self.status)),
            ("latency_ms", self.latency_ms.into()),
        ])
    }
}

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

fn num(n: Option<u16>) -> JsValue {
    n.map(JsValue::from).unwrap_or(JsValue::NULL)
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

fn success(target: &Element, d: &SuccessDetail) {
    let user = object(&[
        ("id", d.user.id.as_str().into()),
        ("email", d.user.email.as_str().into()),
    ]);
    dispatch(
        target,
        "auth-success",
        object(&[
            ("flow", d.flow.as_str().into()),
            ("user", user),
            ("access_token", opt(d.access_token.as_deref())),
        ]),
    );
}

fn failure(target: &Element, d: &FailureDetail) {
    dispatch(
        target,
        "auth-failure",
        object(&[
            ("flow", d.flow.as_str().into()),
            ("kind", d.kind.into()),
            ("status", num(d.status)),
            ("reference", opt(d.reference.as_deref())),
        ]),
    );
}

fn outcome(target: &Element, d: &OutcomeDetail) {
    dispatch(target, "auth-outcome", d.to_js());
}

/// `auth-action`: a next step the host page handles (resend verification, contact support).
/// Carries the email so the host can act on it; never the password.
fn action(target: &Element, action: Action, email: &str) {
    dispatch(
        target,
        "auth-action",
        object(&[("action", action.as_str().into()), ("email", email.into())]),
    );
}

/// Sends `{flow, outcome, status, latency_ms, widget_version}` to `url` as `application/json`
/// with `fetch` and `keepalive` (it outlives the page, like a beacon). Not `sendBeacon`: a
/// beacon's string body is `text/plain`, which any page can post cross-site without a CORS
/// preflight, so the reference server takes telemetry as JSON only. No credentials.
fn beacon(url: &str, d: &OutcomeDetail) {
    let body = d.to_js();
    let _ = js_sys::Reflect::set(&body, &"widget_version".into(), &crate::VERSION.into());
    let Some(json) = js_sys::JSON::stringify(&body)
        .ok()
        .and_then(|s| s.as_string())
    else {
        return;
    };
    let Some(window) = web_sys::window() else {
        return;
    };
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    // web-sys has no setter for `keepalive`; it is a plain property of the init object.
    let _ = js_sys::Reflect::set(&init, &"keepalive".into(), &true.into());
    init.set_credentials(web_sys::RequestCredentials::Omit);
    let headers = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&headers, &"Content-Type".into(), &"application/json".into());
    init.set_headers(&headers);
    init.set_body(&JsValue::from_str(&json));
    let _ = window.fetch_with_str_and_init(url, &init);
}
