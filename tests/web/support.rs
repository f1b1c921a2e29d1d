//! Helpers for the browser tests: a mount guard, DOM queries, typing and condition waits.

use auth_widget::AuthWidget;
use auth_widget::form::Mode;
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Element, HtmlElement, HtmlInputElement};

/// The reference server the test command started (`scripts/browser-tests.sh`).
pub fn api_base() -> String {
    let Some(origin) = option_env!("AUTH_TEST_API") else {
        panic!("AUTH_TEST_API is set by scripts/browser-tests.sh to the reference server's URL");
    };
    format!("{origin}/auth")
}

/// A mounted widget in a fresh wrapper; removed from the page when dropped.
pub struct Mounted {
    pub root: HtmlElement,
    _handle: leptos::mount::UnmountHandle<leptos::tachys::view::any_view::AnyViewState>,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.root.remove();
    }
}

/// Puts `fragment` (`#…`, or empty) in the address bar without a navigation, as a link
/// from an email would have opened the page.
pub fn set_address_fragment(fragment: &str) {
    let window = web_sys::window().unwrap();
    let location = window.location();
    let url = format!(
        "{}{}{fragment}",
        location.pathname().unwrap(),
        location.search().unwrap()
    );
    window
        .history()
        .unwrap()
        .replace_state_with_url(&JsValue::NULL, "", Some(&url))
        .unwrap();
}

/// The address bar's fragment (`location.hash`).
pub fn address_fragment() -> String {
    web_sys::window().unwrap().location().hash().unwrap()
}

/// Mounts an `AuthWidget` against the reference server, with the status banner off.
pub fn mount(mode: Mode) -> Mounted {
    mount_with(mode, api_base(), 15_000, true)
}

/// Mounts with the default status URL (`{api}/status`), so the status banner is live.
pub fn mount_with_status(mode: Mode) -> Mounted {
    mount_inner(mode, api_base(), 15_000, true, None)
}

pub fn mount_with(mode: Mode, api: String, timeout_ms: u32, enumeration_safe: bool) -> Mounted {
    mount_inner(mode, api, timeout_ms, enumeration_safe, Some("none"))
}

fn mount_inner(
    mode: Mode,
    api: String,
    timeout_ms: u32,
    enumeration_safe: bool,
    status_url: Option<&'static str>,
) -> Mounted {
    let status_url = status_url.map(str::to_string);
    let doc = document();
    let root: HtmlElement = doc.create_element("div").unwrap().unchecked_into();
    doc.body().unwrap().append_child(&root).unwrap();
    let handle = leptos::mount::mount_to(root.clone(), move || {
        view! {
            <AuthWidget
                api_base=api
                mode=mode
                locale="en"
                timeout_ms=timeout_ms
                status_url=status_url
                enumeration_safe=enumeration_safe
            />
        }
        .into_any()
    });
    Mounted {
        root,
        _handle: handle,
    }
}

/// DOM helpers inside one widget's root, shared by every test fixture that holds one
/// (a mounted component, an `<auth-widget>` element, an element showing the embed's shell).
pub trait Within {
    /// The element everything is looked up in.
    fn root(&self) -> &Element;

    fn find(&self, selector: &str) -> Option<Element> {
        self.root().query_selector(selector).unwrap()
    }

    fn get(&self, selector: &str) -> Element {
        self.find(selector)
            .unwrap_or_else(|| panic!("no element matches `{selector}`"))
    }

    fn input(&self, selector: &str) -> HtmlInputElement {
        self.get(selector).unchecked_into()
    }

    /// The text of the first match.
    fn text(&self, selector: &str) -> String {
        self.get(selector).text_content().unwrap_or_default()
    }

    /// Types into a field the way a person does: the value changes and `input` fires.
    fn type_into(&self, selector: &str, text: &str) {
        let input = self.input(selector);
        input.set_value(text);
        input
            .dispatch_event(&web_sys::Event::new("input").unwrap())
            .unwrap();
    }

    fn click(&self, selector: &str) {
        self.get(selector).unchecked_into::<HtmlElement>().click();
    }

    /// Waits until `selector` matches, polling each animation-frame-sized step, up to 10 s.
    async fn wait_for(&self, selector: &str) -> Element {
        for _ in 0..500 {
            if let Some(el) = self.find(selector) {
                return el;
            }
            sleep_ms(20).await;
        }
        panic!("timed out waiting for `{selector}`");
    }

    /// Waits until `cond` holds, up to `secs` seconds.
    async fn wait_until(&self, what: &str, secs: u32, cond: impl Fn(&Self) -> bool) {
        for _ in 0..secs * 50 {
            if cond(self) {
                return;
            }
            sleep_ms(20).await;
        }
        panic!("timed out waiting until {what}");
    }
}

impl Within for Mounted {
    fn root(&self) -> &Element {
        &self.root
    }
}

/// An element the test put in the page (an `<auth-widget>`, or a name defined with the shell),
/// removed when dropped.
pub struct Placed(pub HtmlElement);

impl Placed {
    /// Appends a `<name>` element against the reference server, with the status banner off,
    /// and `attrs`.
    pub fn new(name: &str, attrs: &[(&str, &str)]) -> Placed {
        let el: HtmlElement = document().create_element(name).unwrap().unchecked_into();
        el.set_attribute("api-base", &api_base()).unwrap();
        el.set_attribute("status-url", "none").unwrap();
        for (k, v) in attrs {
            el.set_attribute(k, v).unwrap();
        }
        document().body().unwrap().append_child(&el).unwrap();
        Placed(el)
    }

    /// Records the JSON of every `name` event's detail dispatched on the element itself
    /// (checking that it bubbles, is composed and targets this element).
    pub fn record(&self, name: &str) -> Rc<RefCell<Vec<String>>> {
        let seen = Rc::new(RefCell::new(Vec::new()));
        let sink = seen.clone();
        let host = self.0.clone();
        let cb = Closure::<dyn Fn(web_sys::CustomEvent)>::new(move |ev: web_sys::CustomEvent| {
            assert!(
                ev.bubbles() && ev.composed(),
                "events bubble and are composed"
            );
            let on_host = ev
                .current_target()
                .and_then(|t| t.dyn_into::<HtmlElement>().ok());
            assert_eq!(on_host.as_ref(), Some(&host));
            sink.borrow_mut().push(
                js_sys::JSON::stringify(&ev.detail())
                    .unwrap()
                    .as_string()
                    .unwrap(),
            );
        });
        self.0
            .add_event_listener_with_callback(name, cb.as_ref().unchecked_ref())
            .unwrap();
        cb.forget();
        seen
    }
}

impl Within for Placed {
    fn root(&self) -> &Element {
        &self.0
    }
}

impl Drop for Placed {
    fn drop(&mut self) {
        self.0.remove();
    }
}

/// Yields to the browser for `ms` milliseconds (a polling step, never a fixed wait for a result).
pub async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// The focused element.
pub fn active() -> Option<Element> {
    document().active_element()
}

/// `PUT url` with a JSON body to the reference server's admin API.
async fn put_json(url: &str, json: &str) -> auth_widget::client::Fetched {
    let headers = [("Content-Type", "application/json")];
    auth_widget::client::fetch("PUT", url, &headers, Some(json), false, None)
        .await
        .expect("reference server reachable")
}

/// Switches the reference server's fault (`None` clears it). Panics if the server refuses.
pub async fn set_fault(fault: Option<&str>, endpoint: Option<&str>) {
    let body = js_sys::Object::new();
    let value = |s: Option<&str>| {
        s.map(wasm_bindgen::JsValue::from_str)
            .unwrap_or(wasm_bindgen::JsValue::NULL)
    };
    js_sys::Reflect::set(&body, &"fault".into(), &value(fault)).unwrap();
    js_sys::Reflect::set(&body, &"endpoint".into(), &value(endpoint)).unwrap();
    let json = js_sys::JSON::stringify(&body).unwrap().as_string().unwrap();
    let api = api_base();
    let url = format!("{}/_admin/faults", api.trim_end_matches("/auth"));
    let resp = put_json(&url, &json).await;
    assert!(resp.ok(), "server refused fault {fault:?}: {}", resp.text());
}

/// Makes `navigator.onLine` report `online` and fires the matching window event.
pub fn set_online(online: bool) {
    let navigator = web_sys::window().unwrap().navigator();
    if online {
        js_sys::Reflect::delete_property(&navigator, &"onLine".into()).unwrap();
    } else {
        let descriptor = js_sys::Object::new();
        js_sys::Reflect::set(&descriptor, &"value".into(), &false.into()).unwrap();
        js_sys::Reflect::set(&descriptor, &"configurable".into(), &true.into()).unwrap();
        js_sys::Object::define_property(&navigator, &"onLine".into(), &descriptor);
    }
    let name = if online { "online" } else { "offline" };
    web_sys::window()
        .unwrap()
        .dispatch_event(&web_sys::Event::new(name).unwrap())
        .unwrap();
}

/// Sets the reference server's service status (`PUT /_admin/status`).
pub async fn set_status(state: &str, message: Option<&str>) {
    let body = js_sys::Object::new();
    js_sys::Reflect::set(&body, &"state".into(), &state.into()).unwrap();
    if let Some(m) = message {
        js_sys::Reflect::set(&body, &"message".into(), &m.into()).unwrap();
    }
    let json = js_sys::JSON::stringify(&body).unwrap().as_string().unwrap();
    let url = format!("{}/_admin/status", api_base().trim_end_matches("/auth"));
    let resp = put_json(&url, &json).await;
    assert!(resp.ok(), "server refused status {state}");
}

/// Starts recording the body of every `fetch` the page makes, until [`recorded_bodies`].
pub fn record_bodies() {
    js_sys::Function::new_no_args(
        "const f = window.fetch; window.__awBodies = []; window.__awFetch = f; \
         window.fetch = (u, i) => { window.__awBodies.push(String(i && i.body)); return f(u, i); };",
    )
    .call0(&wasm_bindgen::JsValue::NULL)
    .unwrap();
}

/// Stops recording and returns the bodies sent since [`record_bodies`], as a JSON array.
pub fn recorded_bodies() -> String {
    js_sys::eval("window.fetch = window.__awFetch; JSON.stringify(window.__awBodies)")
        .unwrap()
        .as_string()
        .unwrap()
}

/// How many requests this page has made to a URL ending in `suffix` (Resource Timing).
pub fn requests_to(suffix: &str) -> usize {
    let entries = web_sys::window()
        .unwrap()
        .performance()
        .unwrap()
        .get_entries_by_type("resource");
    entries
        .iter()
        .filter_map(|e| js_sys::Reflect::get(&e, &"name".into()).ok()?.as_string())
        .filter(|name| name.ends_with(suffix))
        .count()
}

/// Waits until the page has made `n` requests to `suffix`.
pub async fn wait_for_requests(suffix: &str, n: usize) {
    for _ in 0..500 {
        if requests_to(suffix) >= n {
            return;
        }
        sleep_ms(20).await;
    }
    panic!("timed out waiting for {n} requests to {suffix}");
}

/// The text of the first element matching `selector` inside `el`.
pub fn text_in(el: &Element, selector: &str) -> String {
    el.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no `{selector}` inside the element"))
        .text_content()
        .unwrap_or_default()
}
