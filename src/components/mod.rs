//! The widget's components. Only this module touches the DOM.

mod banner;
mod events;
mod fields;
mod i18n;
mod status;
mod widget;

pub use banner::Notice;
pub use i18n::I18n;
pub use widget::{AuthWidget, DEFAULT_TIMEOUT_MS};

use crate::validate::Mode;
use leptos::prelude::*;

/// Mounts the demo: one widget against `/auth` into `#auth-widget-demo` (or the body).
pub fn mount_demo() {
    let target = document()
        .get_element_by_id("auth-widget-demo")
        .and_then(|el| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el).ok())
        .unwrap_or_else(|| document().body().expect("a page with a body"));
    leptos::mount::mount_to(target, || view! { <AuthWidget mode=Mode::Login /> }).forget();
}
