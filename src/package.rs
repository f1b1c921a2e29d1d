//! What the npm package (`make package`) says about `<auth-widget>`, written from the same
//! definitions the element uses ([`crate::form`]: its attributes, modes, themes and events;
//! [`crate::taxonomy`] and [`crate::guidance`]: the values its events carry), so the package's
//! description cannot drift from the element:
//! - [`custom_elements_json`]: `custom-elements.json`, in the Custom Elements Manifest schema
//!   (<https://github.com/webcomponents/custom-elements-manifest>), which editors and
//!   documentation tools read;
//! - [`typescript_declarations`]: `auth-widget.d.ts`, the element's TypeScript types
//!   (`HTMLElementTagNameMap`, every attribute, `ready`, the typed event details).
//!
//! Pure Rust. `make package` runs both through `examples/embed_copy.rs`.

use crate::form::{self, Mode, Theme};
use crate::guidance::Action;
use crate::taxonomy::{FailureKind, Flow};
use miniserde::json::{self, Array, Object, Value};

/// The element's tag name.
pub const TAG: &str = "auth-widget";
/// The element's module in the package.
pub const MODULE: &str = "auth-widget.js";
/// The class name the manifest and the types give the element.
pub const CLASS: &str = "AuthWidgetElement";

/// What the element does, in one paragraph.
const SUMMARY: &str = "A login and sign-up form that tells people truthfully what went wrong and what to do next. \
Its first screen is drawn at once (or adopted from pre-rendered markup inside the element); the WebAssembly loads in parallel and takes over. \
`data-state` says where it is: `loading`, `ready`, `signed-in` or `unavailable`.";

/// `(TypeScript type, description, default)` of one of [`form::ATTRIBUTES`]; `None` for a name
/// it does not describe (a test keeps every attribute described).
pub fn attribute_doc(name: &str) -> Option<(String, &'static str, Option<&'static str>)> {
    let string = || "string".to_string();
    Some(match name {
        "api-base" => (
            string(),
            "Base URL of the auth API: a path (`/auth`) or an absolute http(s) URL.",
            Some("\"/auth\""),
        ),
        "mode" => (
            "AuthMode".to_string(),
            "The form the widget starts with.",
            Some("\"login\""),
        ),
        "locale" => (
            string(),
            "A BCP 47 language tag; by default the browser's languages, English as the fallback.",
            None,
        ),
        "theme" => (
            "AuthTheme".to_string(),
            "`auto` follows the system's colour scheme; `light` or `dark` override it.",
            Some("\"auto\""),
        ),
        "timeout-ms" => (
            string(),
            "Milliseconds to wait for the API before saying it took too long (a positive integer).",
            Some("\"15000\""),
        ),
        "status-url" => (
            string(),
            "Where the service status comes from; `none` turns it off.",
            Some("\"{api-base}/status\""),
        ),
        "telemetry-url" => (
            string(),
            "Where each outcome is sent as JSON (no credentials, never the password).",
            None,
        ),
        "copy-url" => (
            string(),
            "A JSON file of `{\"key\": \"text\"}` that overrides the built-in copy.",
            None,
        ),
        "enumeration-safe" => (
            "\"true\" | \"false\"".to_string(),
            "Show locked and disabled accounts with the wrong-details words.",
            Some("\"true\""),
        ),
        _ => return None,
    })
}

fn union<'a>(values: impl IntoIterator<Item = &'a str>) -> String {
    values
        .into_iter()
        .map(|v| format!("\"{v}\""))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// The named types the declarations define, `(name, TypeScript type, description)`.
fn aliases() -> Vec<(&'static str, String, &'static str)> {
    vec![
        (
            "AuthMode",
            union(Mode::ALL.map(Mode::as_str)),
            "The `mode` attribute.",
        ),
        (
            "AuthTheme",
            union(Theme::ALL.map(Theme::as_str)),
            "The `theme` attribute.",
        ),
        (
            "AuthState",
            union(["loading", "ready", "signed-in", "unavailable"]),
            "The element's `data-state` attribute.",
        ),
        (
            "AuthFlow",
            union(Flow::ALL.map(Flow::as_str)),
            "Which call to the auth API an event is about.",
        ),
        (
            "AuthFailureKind",
            union(FailureKind::ALL.map(FailureKind::as_str)),
            "Every failure the widget tells apart.",
        ),
        (
            "AuthAction",
            union(Action::ALL.map(Action::as_str)),
            "A next step the widget offers.",
        ),
    ]
}

/// The TypeScript type of an event (`CustomEvent<Detail>`, or `Event` without a detail).
fn event_type(e: &form::Event) -> String {
    if e.detail.is_empty() {
        "Event".to_string()
    } else {
        format!("CustomEvent<{}>", detail_name(e))
    }
}

/// `auth-success` → `AuthSuccessDetail`.
fn detail_name(e: &form::Event) -> String {
    let mut name = String::new();
    for part in e.name.split('-') {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            name.extend(first.to_uppercase());
            name.push_str(chars.as_str());
        }
    }
    name + "Detail"
}

fn string(s: &str) -> Value {
    Value::String(s.to_string())
}

fn object<'a>(members: impl IntoIterator<Item = (&'a str, Value)>) -> Value {
    let mut o = Object::new();
    for (k, v) in members {
        o.insert(k.to_string(), v);
    }
    Value::Object(o)
}

fn type_text(text: &str) -> Value {
    object([("text", string(text))])
}

/// `custom-elements.json` (Custom Elements Manifest, schema 2.1.0).
pub fn custom_elements_json() -> String {
    let resolve = |t: &str| {
        aliases()
            .into_iter()
            .find(|(name, _, _)| *name == t)
            .map_or_else(|| t.to_string(), |(_, ty, _)| ty)
    };
    let attributes = form::ATTRIBUTES
        .iter()
        .map(|name| {
            let (ty, description, default) =
                attribute_doc(name).unwrap_or_else(|| panic!("attribute {name} is not described"));
            let mut members = vec![
                ("name", string(name)),
                ("type", type_text(&resolve(&ty))),
                ("description", string(description)),
            ];
            if let Some(d) = default {
                members.push(("default", string(d)));
            }
            object(members)
        })
        .collect::<Array>();
    let events = form::EVENTS
        .iter()
        .map(|e| {
            object([
                ("name", string(e.name)),
                ("type", type_text(&event_type(e))),
                ("description", string(e.description)),
            ])
        })
        .collect::<Array>();
    let members: Array = [object([
        ("kind", string("field")),
        ("name", string("ready")),
        ("type", type_text("Promise<void>")),
        ("readonly", Value::Bool(true)),
        (
            "description",
            string(
                "Resolves when the live widget has taken over (`auth-ready` is dispatched then); rejects when it cannot load.",
            ),
        ),
    ])]
    .into_iter()
    .collect();
    let class = object([
        ("kind", string("class")),
        ("name", string(CLASS)),
        ("tagName", string(TAG)),
        ("customElement", Value::Bool(true)),
        ("description", string(SUMMARY)),
        (
            "superclass",
            object([
                ("name", string("HTMLElement")),
                ("package", string("global:")),
            ]),
        ),
        ("attributes", Value::Array(attributes)),
        ("members", Value::Array(members)),
        ("events", Value::Array(events)),
    ]);
    let export = object([
        ("kind", string("custom-element-definition")),
        ("name", string(TAG)),
        (
            "declaration",
            object([("name", string(CLASS)), ("module", string(MODULE))]),
        ),
    ]);
    let module = object([
        ("kind", string("javascript-module")),
        ("path", string(MODULE)),
        ("declarations", Value::Array([class].into_iter().collect())),
        ("exports", Value::Array([export].into_iter().collect())),
    ]);
    let manifest = object([
        ("schemaVersion", string("2.1.0")),
        ("readme", string("README.md")),
        ("modules", Value::Array([module].into_iter().collect())),
    ]);
    json::to_string(&manifest)
}

/// `auth-widget.d.ts`: the element's types, for `import "auth-widget"` and
/// `document.querySelector("auth-widget")`.
pub fn typescript_declarations() -> String {
    let mut out = format!(
        "// auth-widget {}: types for <{TAG}>, written by `make package` from the element's own\n\
         // definitions. Importing the module defines the element (in a browser; elsewhere it does nothing).\n\n",
        crate::VERSION
    );
    for (name, ty, description) in aliases() {
        out += &format!("/** {description} */\nexport type {name} = {ty};\n");
    }
    out.push('\n');
    for e in form::EVENTS.iter().filter(|e| !e.detail.is_empty()) {
        out += &format!(
            "/** `{}`: {} */\nexport interface {} {{\n",
            e.name,
            e.description,
            detail_name(e)
        );
        for (field, ty) in e.detail {
            out += &format!("  {field}: {ty};\n");
        }
        out += "}\n";
    }
    out += "\n/** The element's attributes (all optional; values are strings in HTML). */\nexport interface AuthWidgetAttributes {\n";
    for name in form::ATTRIBUTES {
        let (ty, description, default) =
            attribute_doc(name).unwrap_or_else(|| panic!("attribute {name} is not described"));
        let default = default.map_or(String::new(), |d| format!(" Default: {d}."));
        out += &format!("  /** {description}{default} */\n  \"{name}\"?: {ty};\n");
    }
    out += "}\n\n/** The events `<auth-widget>` dispatches on itself (they bubble and are composed). */\n\
            export interface AuthWidgetEventMap extends HTMLElementEventMap {\n";
    for e in &form::EVENTS {
        out += &format!(
            "  /** {} */\n  \"{}\": {};\n",
            e.description,
            e.name,
            event_type(e)
        );
    }
    out += &format!(
        "}}\n\n/** {SUMMARY} */\nexport interface {CLASS} extends HTMLElement {{\n\
         \x20 /** Resolves when the live widget has taken over (`auth-ready` is dispatched then); rejects when it cannot load. */\n\
         \x20 readonly ready: Promise<void>;\n\
         \x20 addEventListener<K extends keyof AuthWidgetEventMap>(type: K, listener: (this: {CLASS}, ev: AuthWidgetEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;\n\
         \x20 addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;\n\
         \x20 removeEventListener<K extends keyof AuthWidgetEventMap>(type: K, listener: (this: {CLASS}, ev: AuthWidgetEventMap[K]) => unknown, options?: boolean | EventListenerOptions): void;\n\
         \x20 removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;\n\
         }}\n\n\
         declare global {{\n\
         \x20 interface HTMLElementTagNameMap {{\n\
         \x20   \"{TAG}\": {CLASS};\n\
         \x20 }}\n\
         }}\n"
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_attribute_is_described() {
        for name in form::ATTRIBUTES {
            assert!(attribute_doc(name).is_some(), "{name} has no description");
        }
    }

    #[test]
    fn the_failure_event_has_the_fields_the_element_sends() {
        let failure = form::EVENTS
            .iter()
            .find(|e| e.name == "auth-failure")
            .expect("auth-failure");
        let fields: Vec<&str> = failure.detail.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, form::FAILURE_DETAIL);
    }

    #[test]
    fn the_manifest_names_every_attribute_and_event() {
        let manifest: Value = json::from_str(&custom_elements_json()).expect("JSON");
        let text = json::to_string(&manifest);
        for name in form::ATTRIBUTES {
            assert!(text.contains(&format!("\"name\":\"{name}\"")), "{name}");
        }
        for e in &form::EVENTS {
            assert!(
                text.contains(&format!("\"name\":\"{}\"", e.name)),
                "{}",
                e.name
            );
        }
        assert!(
            text.contains(r#"\"login\" | \"signup\" | \"reset\""#),
            "mode's values"
        );
        assert!(text.contains("\"tagName\":\"auth-widget\""));
    }

    #[test]
    fn the_declarations_type_each_event_and_the_tag() {
        let d = typescript_declarations();
        assert!(
            d.contains("\"auth-success\": CustomEvent<AuthSuccessDetail>;"),
            "{d}"
        );
        assert!(d.contains("\"auth-ready\": Event;"), "{d}");
        assert!(d.contains("\"auth-widget\": AuthWidgetElement;"), "{d}");
        assert!(d.contains("readonly ready: Promise<void>;"), "{d}");
        assert!(d.contains("\"password_reset\""), "every flow: {d}");
        assert!(
            d.contains("\"enumeration-safe\"?: \"true\" | \"false\";"),
            "{d}"
        );
    }
}
