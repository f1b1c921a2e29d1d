//! `<auth-widget>`: the custom element any page can use.
//!
//! A small JS class (`js/element.js`, shipped as a wasm-bindgen snippet file, so it works
//! under a strict CSP with no inline script) forwards the element's lifecycle here. The embed
//! script defines that class first with a shell, the form's first screen, so people can type
//! while the WebAssembly loads; [`define`] then hands each shell over to a live widget. Each connected element gets
//! its own mounted [`AuthWidget`]; an attribute change re-renders it; removal disposes it,
//! which clears its timers and window listeners.

use crate::components::{AuthWidget, DEFAULT_TIMEOUT_MS, Theme};
use crate::form::{self, Mode, Resume};
use leptos::prelude::*;
use std::any::Any;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use web_sys::{Element, HtmlElement};

#[wasm_bindgen(module = "/js/element.js")]
extern "C" {
    fn define_element(
        name: &str,
        attributes: Vec<String>,
        connected: &Closure<dyn Fn(HtmlElement, JsValue)>,
        disconnected: &Closure<dyn Fn(HtmlElement)>,
        changed: &Closure<dyn Fn(HtmlElement, JsValue)>,
    );
    /// Defines `name` with the shell (the first screen drawn before the WebAssembly is
    /// ready, from `spec`: [`crate::shell::spec_json`]); `load` returns a promise that rejects
    /// when the WebAssembly cannot load.
    #[wasm_bindgen(js_name = define_shell)]
    pub fn define_shell(name: &str, spec: &JsValue, load: &js_sys::Function, files: &JsValue);
    /// The JSON text of a locale's file, if the element has fetched it (`define_shell`'s
    /// `files`): the embed build compiles English only and ships the others as
    /// `locales/<tag>.json`.
    #[wasm_bindgen(js_name = locale_copy)]
    pub fn loaded_copy(tag: &str) -> Option<String>;
}

thread_local! {
    /// Mounted instances by element key; dropping a handle unmounts and disposes it.
    static MOUNTED: RefCell<Vec<(u32, Box<dyn Any>)>> = const { RefCell::new(Vec::new()) };
    static NEXT_KEY: RefCell<u32> = const { RefCell::new(0) };
}

const KEY_ATTR: &str = "data-aw-instance";

/// The widget options an element's attributes ask for, with safe defaults for bad values.
#[derive(Clone, Debug, PartialEq)]
pub struct ElementOptions {
    pub api_base: String,
    pub mode: Mode,
    pub locale: Option<String>,
    pub theme: Theme,
    pub timeout_ms: u32,
    pub status_url: Option<String>,
    pub telemetry_url: Option<String>,
    pub copy_url: Option<String>,
    pub enumeration_safe: bool,
}

fn warn_bad(attr: &str, value: &str, fallback: &str) {
    web_sys::console::error_1(
        &format!(
            "<auth-widget>: {attr}=\"{value}\" is not a value it understands; using {fallback}."
        )
        .into(),
    );
}

/// True for `/path` or an absolute `http(s)://host/...` URL.
pub fn plausible_url(s: &str) -> bool {
    let s = s.trim();
    if s.starts_with('/') && !s.starts_with("//") {
        return true;
    }
    web_sys::Url::new(s).is_ok_and(|u| matches!(u.protocol().as_str(), "http:" | "https:"))
}

impl ElementOptions {
    /// Reads the attributes, logging a clear console error for each value it cannot use.
    pub fn read(el: &Element) -> ElementOptions {
        let attr = |n: &str| el.get_attribute(n).filter(|v| !v.trim().is_empty());
        let url = |n: &str, fallback: &str| match attr(n) {
            Some(v) if plausible_url(&v) => Some(v),
            Some(v) => {
                warn_bad(n, &v, fallback);
                None
            }
            None => None,
        };
        let api_base = url("api-base", "\"/auth\"").unwrap_or_else(|| "/auth".to_string());
        let mode = match attr("mode") {
            None => Mode::Login,
            Some(v) => Mode::parse(&v).unwrap_or_else(|| {
                warn_bad("mode", &v, "\"login\"");
                Mode::Login
            }),
        };
        let theme = match attr("theme") {
            None => Theme::Auto,
            Some(v) => Theme::parse(&v).unwrap_or_else(|| {
                warn_bad("theme", &v, "\"auto\"");
                Theme::Auto
            }),
        };
        let timeout_ms = match attr("timeout-ms") {
            None => DEFAULT_TIMEOUT_MS,
            Some(v) => match v.trim().parse::<u32>() {
                Ok(ms) if ms > 0 => ms,
                _ => {
                    warn_bad("timeout-ms", &v, &DEFAULT_TIMEOUT_MS.to_string());
                    DEFAULT_TIMEOUT_MS
                }
            },
        };
        let status_url = match attr("status-url") {
            Some(v) if v == "none" => Some(v),
            _ => url("status-url", "{api-base}/status"),
        };
        let enumeration_safe = match attr("enumeration-safe").as_deref() {
            None | Some("true") => true,
            Some("false") => false,
            Some(v) => {
                warn_bad("enumeration-safe", v, "true");
                true
            }
        };
        ElementOptions {
            api_base,
            mode,
            locale: attr("locale"),
            theme,
            timeout_ms,
            status_url,
            telemetry_url: url("telemetry-url", "no telemetry"),
            copy_url: url("copy-url", "the built-in copy"),
            enumeration_safe,
        }
    }
}

fn key_of(el: &HtmlElement) -> u32 {
    if let Some(k) = el.get_attribute(KEY_ATTR).and_then(|k| k.parse().ok()) {
        return k;
    }
    let key = NEXT_KEY.with(|n| {
        let mut n = n.borrow_mut();
        *n += 1;
        *n
    });
    let _ = el.set_attribute(KEY_ATTR, &key.to_string());
    key
}

fn unmount(el: &HtmlElement) {
    let key = key_of(el);
    let handle = MOUNTED.with(|m| {
        let mut m = m.borrow_mut();
        let at = m.iter().position(|(k, _)| *k == key);
        at.map(|at| m.swap_remove(at))
    });
    drop(handle);
}

/// What the element hands over (`js/element.js`, `capture`): `null`, or an object of
/// `mode`, `email`, `password`, `shown`, `submitted`.
fn read_resume(carry: &JsValue) -> Resume {
    if carry.is_null() || carry.is_undefined() {
        return Resume::default();
    }
    let get = |name: &str| js_sys::Reflect::get(carry, &name.into()).unwrap_or(JsValue::NULL);
    Resume {
        mode: get("mode").as_string().as_deref().and_then(Mode::parse),
        email: get("email").as_string().unwrap_or_default(),
        password: get("password").as_string().unwrap_or_default(),
        shown: get("shown").as_bool().unwrap_or(false),
        submitted: get("submitted").as_bool().unwrap_or(false),
    }
}

fn mount(el: HtmlElement, carry: JsValue) {
    unmount(&el);
    let key = key_of(&el);
    let o = ElementOptions::read(&el);
    let resume = read_resume(&carry);
    let host: Element = el.clone().into();
    let handle = leptos::mount::mount_to(el, move || {
        view! {
            <AuthWidget
                api_base=o.api_base
                mode=o.mode
                locale=o.locale
                theme=o.theme
                timeout_ms=o.timeout_ms
                status_url=o.status_url
                telemetry_url=o.telemetry_url
                copy_url=o.copy_url
                enumeration_safe=o.enumeration_safe
                resume=resume
                host=host
            />
        }
    });
    MOUNTED.with(|m| m.borrow_mut().push((key, Box::new(handle))));
}

/// How many `<auth-widget>` elements are mounted now (disposal is observable in tests).
pub fn mounted_count() -> usize {
    MOUNTED.with(|m| m.borrow().len())
}

/// Defines `<auth-widget>` once; elements already in the page upgrade at once.
pub fn define() {
    define_named("auth-widget");
}

/// Defines the element under another name (tests define several, as names cannot be reused).
/// If the shell already defined it, its elements become live widgets now.
pub fn define_named(name: &str) {
    let connected = Closure::<dyn Fn(HtmlElement, JsValue)>::new(mount);
    let disconnected = Closure::<dyn Fn(HtmlElement)>::new(|el: HtmlElement| unmount(&el));
    let changed = Closure::<dyn Fn(HtmlElement, JsValue)>::new(mount);
    let attributes = form::ATTRIBUTES.iter().map(|a| a.to_string()).collect();
    define_element(name, attributes, &connected, &disconnected, &changed);
    // The element class keeps calling these for the page's lifetime.
    connected.forget();
    disconnected.forget();
    changed.forget();
}

/// Entry point of the embed build: the script defines the element as soon as it loads.
#[cfg(feature = "embed")]
#[wasm_bindgen(start)]
pub fn start() {
    define();
}
