//! The API client: one request per call, a timeout through `AbortController`. The backend
//! profile builds each request and reads each answer into the contract's terms, which the
//! taxonomy alone classifies. Requests go through the browser's own `fetch` ([`fetch`]) and
//! answers are parsed with its own JSON, so no HTTP or JSON stack ships in the WebAssembly.

use crate::profile::{Answer, Credentials, Inputs, Profile, Request, RequestError, Step};
use crate::taxonomy::{
    Failure, FailureKind, Flow, Outcome, Success, Translated, Transport, classify,
    classify_translated,
};
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

/// Where and how to call the auth API: its base URL and the backend profile that says how
/// each flow's request is built and its answer read.
#[derive(Clone, Debug)]
pub struct ApiClient {
    /// Base URL without a trailing slash, e.g. `/auth` or `https://api.example.test/auth`.
    pub base: String,
    pub timeout: Duration,
    pub profile: Rc<Profile>,
    /// The element's attributes a profile may read (`api-key`).
    pub attributes: Vec<(String, String)>,
}

/// The result of one call, with how long it took.
pub struct Called {
    pub outcome: Outcome,
    pub latency_ms: u32,
}

/// What the person typed and the token of the session this widget signed in, for one call.
#[derive(Clone, Copy, Debug, Default)]
pub struct CallInputs<'a> {
    pub email: &'a str,
    pub password: Option<&'a str>,
    pub token: Option<&'a str>,
}

/// `navigator.onLine` (true when there is no window).
pub fn online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// `document.cookie`, read just before each request (a rotated CSRF token is the one sent).
fn page_cookies() -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| js_sys::Reflect::get(&d, &"cookie".into()).ok())
        .and_then(|c| c.as_string())
        .unwrap_or_default()
}

/// Why the page is not set up for its backend, said once in the console for the developer
/// (people see the "not set up" words; nothing is sent).
pub fn not_set_up(why: &str) -> Outcome {
    web_sys::console::error_1(&format!("<auth-widget>: sign-in is not set up: {why}").into());
    Err(Failure::bare(FailureKind::NotSetUp))
}

impl ApiClient {
    /// A client for the built-in `contract` profile (the default).
    pub fn contract(base: &str, timeout: Duration) -> ApiClient {
        let text = crate::profile::built_in("contract").unwrap_or_default();
        ApiClient {
            base: base.trim_end_matches('/').to_string(),
            timeout,
            profile: Rc::new(Profile::parse(text).expect("the built-in contract profile parses")),
            attributes: Vec::new(),
        }
    }

    /// Makes the call for `flow`, built and read through the profile.
    pub async fn call(&self, flow: Flow, inputs: CallInputs<'_>) -> Called {
        let started = now_ms();
        let outcome = self.send(flow, inputs).await;
        Called {
            outcome,
            latency_ms: (now_ms() - started).max(0.0) as u32,
        }
    }

    fn request(&self, flow: Flow, inputs: &CallInputs<'_>) -> Result<Request, RequestError> {
        let cookies = page_cookies();
        let attributes: Vec<(&str, &str)> = self
            .attributes
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        self.profile.request(
            Step::Flow(flow),
            &self.base,
            &Inputs {
                email: inputs.email,
                password: inputs.password,
                name: None,
                token: inputs.token,
                cookies: &cookies,
                attributes: &attributes,
            },
        )
    }

    async fn send(&self, flow: Flow, inputs: CallInputs<'_>) -> Outcome {
        if !online() {
            return classify(flow, Transport::Offline);
        }
        let request = match self.request(flow, &inputs) {
            Err(RequestError::MissingCsrfCookie(cookie)) => {
                // The session check's answer sets the CSRF cookie (it needs none itself).
                if let Err(f) = self.fetch_answer(Flow::Session, &inputs).await
                    && matches!(
                        f.kind,
                        FailureKind::Offline | FailureKind::Unreachable | FailureKind::Timeout
                    )
                {
                    return Err(f);
                }
                match self.request(flow, &inputs) {
                    Err(RequestError::MissingCsrfCookie(_)) => {
                        return not_set_up(&format!(
                            "the backend profile \"{}\" needs the \"{cookie}\" cookie, which this \
                             page cannot read: serve the page from the API's host name",
                            self.profile.name
                        ));
                    }
                    other => other,
                }
            }
            other => other,
        };
        match request {
            Ok(request) => self.fetch_request(flow, request).await,
            // No call for this flow (sign-out with a token API): forgetting the token is all.
            Err(RequestError::NoCall) if flow == Flow::Logout => Ok(Success::Done),
            // The sign-in answer held no token to check: the service's side.
            Err(RequestError::MissingToken) => {
                classify_translated(flow, Translated::NoSession { status: 200 })
            }
            Err(e) => not_set_up(&format!("backend profile \"{}\": {e}", self.profile.name)),
        }
    }

    async fn fetch_answer(&self, flow: Flow, inputs: &CallInputs<'_>) -> Outcome {
        match self.request(flow, inputs) {
            Ok(request) => self.fetch_request(flow, request).await,
            Err(_) => Err(Failure::bare(FailureKind::NotSetUp)),
        }
    }

    async fn fetch_request(&self, flow: Flow, request: Request) -> Outcome {
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
        let headers: Vec<(&str, &str)> = request
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let signal = controller.as_ref().map(AbortController::signal);
        let result = fetch(
            &request.method,
            &request.url,
            &headers,
            request.body.as_deref(),
            request.credentials == Credentials::Include,
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
            Ok(answer) => self.profile.outcome(
                flow,
                &Answer {
                    status: answer.status,
                    headers: &answer.headers,
                    body: &answer.text(),
                    now_unix: (now_ms() / 1000.0) as u64,
                },
            ),
            Err(_) => classify(flow, transport_failure),
        }
    }
}

/// `JSON.parse` wrapper for small documents (status), returning a JS object.
pub fn parse_json(text: &str) -> Option<JsValue> {
    js_sys::JSON::parse(text).ok().filter(|v| v.is_object())
}
