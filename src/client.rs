//! The API client: one request per call, a timeout through `AbortController`, and the
//! answer handed to the pure [`classify`] as plain data. Requests go through the browser's
//! own `fetch` ([`fetch`]) and bodies are built with its own JSON, so no HTTP or JSON
//! serialising stack ships in the WebAssembly.

use crate::taxonomy::{Flow, Outcome, Response, Transport, classify};
use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, RequestCredentials, RequestInit};

/// What one `fetch` answered.
pub struct Fetched {
    pub status: u16,
    /// Header names as the browser gives them (lower case).
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Fetched {
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One request through `window.fetch`. `credentials` sends cookies cross-origin too
/// (`include`). Fails when the request could not be made or was aborted.
pub async fn fetch(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
    credentials: bool,
    signal: Option<&AbortSignal>,
) -> Result<Fetched, JsValue> {
    let window = web_sys::window().ok_or(JsValue::NULL)?;
    let init = RequestInit::new();
    init.set_method(method);
    let h = web_sys::Headers::new()?;
    for (k, v) in headers {
        h.append(k, v)?;
    }
    init.set_headers(&h);
    if let Some(body) = body {
        init.set_body(&JsValue::from_str(body));
    }
    if credentials {
        init.set_credentials(RequestCredentials::Include);
    }
    init.set_signal(signal);
    let resp: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await?
        .dyn_into()?;
    let mut pairs = Vec::new();
    if let Some(entries) = js_sys::try_iter(&resp.headers())? {
        for entry in entries {
            let pair: js_sys::Array = entry?.unchecked_into();
            if let (Some(k), Some(v)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
                pairs.push((k, v));
            }
        }
    }
    let buffer = JsFuture::from(resp.array_buffer()?).await?;
    Ok(Fetched {
        status: resp.status(),
        headers: pairs,
        body: js_sys::Uint8Array::new(&buffer).to_vec(),
    })
}

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

/// A JSON object of string members (`{"email":…,"password":…}`, `{"token":…}`) serialised by
/// the browser's `JSON.stringify`, so every character of a password reaches the body as typed
/// (fields-4).
pub fn json_body(members: &[(&str, &str)]) -> String {
    let obj = js_sys::Object::new();
    for (name, value) in members {
        let _ = js_sys::Reflect::set(&obj, &(*name).into(), &(*value).into());
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
        format!("{}/{}", self.base.trim_end_matches('/'), flow.call().path())
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
        let method = flow.call().method();
        let authorization = bearer.map(|token| format!("Bearer {token}"));
        let mut headers = vec![("Accept", "application/json, application/problem+json")];
        if let Some(a) = &authorization {
            headers.push(("Authorization", a));
        }
        if body.is_some() {
            headers.push(("Content-Type", "application/json"));
        }
        let signal = controller.as_ref().map(AbortController::signal);
        let result = fetch(
            method,
            &url,
            &headers,
            body.as_deref(),
            true,
            signal.as_ref(),
        )
        .await;
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
            Ok(answer) => classify(
                flow,
                Transport::Response(Response {
                    status: answer.status,
                    headers: &answer.headers,
                    body: &answer.body,
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
