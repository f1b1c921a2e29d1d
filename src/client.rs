//! The API client: one request per call, a timeout through `AbortController`, and the
//! answer handed to the pure [`classify`] as plain data. Bodies are read as bytes and
//! built with the browser's own JSON, so no JSON stack ships in the WebAssembly.

use crate::taxonomy::{Flow, Outcome, Response, Transport, classify};
use gloo_net::http::Request;
use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::JsValue;
use web_sys::{AbortController, RequestCredentials};

/// Where and how to call the auth API.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiClient {
    /// Base URL without a trailing slash, e.g. `/auth` or `https://api.example.test/auth`.
    pub base: String,
    pub timeout: Duration,
}

/// The result of one call, with how long it took.
pub struct Called {
    pub outcome: Outcome,
    pub latency_ms: u32,
}

/// `{"email":…,"password":…}` serialised by the browser's `JSON.stringify`, so every
/// character of the password reaches the body as typed (STANDARDS 4).
pub fn credentials_body(email: &str, password: Option<&str>) -> String {
    let obj = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&obj, &"email".into(), &email.into());
    if let Some(p) = password {
        let _ = js_sys::Reflect::set(&obj, &"password".into(), &p.into());
    }
    js_sys::JSON::stringify(&obj)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}

/// `navigator.onLine` (true when there is no window).
pub fn online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

impl ApiClient {
    fn url(&self, flow: Flow) -> String {
        let path = match flow {
            Flow::Login => "login",
            Flow::Signup => "signup",
            Flow::Session => "session",
            Flow::Logout => "logout",
            Flow::PasswordReset => "password-reset",
        };
        format!("{}/{}", self.base.trim_end_matches('/'), path)
    }

    /// Makes the call for `flow`. `body` is JSON for POST flows; `bearer` is sent on the
    /// session check and on logout when login returned a token.
    pub async fn call(&self, flow: Flow, body: Option<String>, bearer: Option<&str>) -> Called {
        let started = now_ms();
        let outcome = self.send(flow, body, bearer).await;
        Called {
            outcome,
            latency_ms: (now_ms() - started).max(0.0) as u32,
        }
    }

    async fn send(&self, flow: Flow, body: Option<String>, bearer: Option<&str>) -> Outcome {
        if !online() {
            return classify(flow, Transport::Offline);
        }
        let controller = AbortController::new().ok();
        let timed_out = Rc::new(Cell::new(false));
        let timer = controller.clone().and_then(|c| {
            let flag = timed_out.clone();
            leptos::prelude::set_timeout_with_handle(
                move || {
                    flag.set(true);
                    c.abort();
                },
                self.timeout,
            )
            .ok()
        });
        let url = self.url(flow);
        let builder = if flow == Flow::Session {
            Request::get(&url)
        } else {
            Request::post(&url)
        };
        let mut builder = builder
            .credentials(RequestCredentials::Include)
            .header("Accept", "application/json, application/problem+json")
            .abort_signal(controller.as_ref().map(|c| c.signal()).as_ref());
        if let Some(token) = bearer {
            builder = builder.header("Authorization", &format!("Bearer {token}"));
        }
        let request = match body {
            Some(json) => builder
                .header("Content-Type", "application/json")
                .body(json),
            None => builder.build(),
        };
        let result = match request {
            Ok(req) => match req.send().await {
                Ok(resp) => {
                    let status = resp.status();
                    let headers: Vec<(String, String)> = resp.headers().entries().collect();
                    resp.binary().await.map(|body| (status, headers, body))
                }
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        };
        if let Some(t) = timer {
            t.clear();
        }
        let transport_failure = if timed_out.get() {
            Transport::Timeout
        } else if !online() {
            Transport::Offline
        } else {
            Transport::Unreachable
        };
        match result {
            Ok((status, headers, body)) => classify(
                flow,
                Transport::Response(Response {
                    status,
                    headers: &headers,
                    body: &body,
                    now_unix: (now_ms() / 1000.0) as u64,
                }),
            ),
            Err(_) => classify(flow, transport_failure),
        }
    }
}

/// `JSON.parse` wrapper for small documents (status), returning a JS object.
pub fn parse_json(text: &str) -> Option<JsValue> {
    js_sys::JSON::parse(text).ok().filter(|v| v.is_object())
}
