//! Dynamic parts of a view, each as one concrete type.
//!
//! Every `move || …` closure in a `view!` is its own type, and the renderer's generic code
//! (build, rebuild, drop of its state) is compiled again for each one. The widget routes all
//! its dynamic text, attributes and sub-views through the few types here instead, so that code
//! exists once in the WebAssembly (to keep the WebAssembly small, docs/performance.md). They behave exactly like the closures.

use super::i18n::I18n;
use crate::copy::Key;
use leptos::prelude::*;
use std::sync::Arc;

/// Reactive text (a text node or an attribute value).
pub fn text(f: impl Fn() -> String + Send + Sync + 'static) -> Signal<String> {
    Signal::derive(f)
}

/// The text for a copy key, kept current when the copy changes.
pub fn tr(i18n: RwSignal<I18n>, key: Key) -> Signal<String> {
    text(move || i18n.read().t(key))
}

/// A reactive flag (a boolean attribute or a class toggle).
pub fn flag(f: impl Fn() -> bool + Send + Sync + 'static) -> Signal<bool> {
    Signal::derive(f)
}

/// A reactive optional attribute (absent when `None`).
pub fn maybe(f: impl Fn() -> Option<String> + Send + Sync + 'static) -> Signal<Option<String>> {
    Signal::derive(f)
}

type ViewFn = Arc<dyn Fn() -> Option<AnyView> + Send + Sync>;

fn dynamic_view(f: ViewFn) -> impl IntoView {
    move || f()
}

/// A sub-view that is rebuilt when what `f` reads changes; nothing when `f` returns `None`.
pub fn dynamic(f: impl Fn() -> Option<AnyView> + Send + Sync + 'static) -> impl IntoView {
    dynamic_view(Arc::new(f))
}

/// `view` while `when` is true, nothing otherwise. Like `<Show>`: the view is built when
/// `when` turns true, not each time something `when` reads changes.
pub fn shown_when(
    when: impl Fn() -> bool + Send + Sync + 'static,
    view: impl Fn() -> AnyView + Send + Sync + 'static,
) -> impl IntoView {
    let when = Memo::new(move |_| when());
    dynamic(move || when.get().then(|| untrack(&view)))
}
