//! What the embed build ships outside the WebAssembly, made from the same Rust definitions and
//! compiled locale tables as the live widget, so the two renderers cannot drift:
//! - the first screen's definition and copy ([`spec_json`]): modes and what each shows, field
//!   attributes, links, the minimum length, the element's attributes and themes, the failure
//!   event's fields, and every text the first screen shows in every locale. `make embed` writes
//!   it into `dist/embed/auth-widget.js`, where `js/element.js` draws from it alone;
//! - the whole copy of each locale but English, which the embed's WebAssembly does not compile
//!   in: [`locale_json`], written to `dist/embed/locales/<tag>.json` and loaded by the element
//!   before a widget in that locale goes live.
//!
//! Pure Rust. `make embed` runs both through `examples/embed_copy.rs`.

use crate::copy::{self, Key, Locale, Text};
use crate::form::{self, Mode, Theme};
use crate::taxonomy::FailureKind;
use miniserde::json::{self, Array, Number, Object, Value};

fn string(s: &str) -> Value {
    Value::String(s.to_string())
}

fn strings<'a>(items: impl IntoIterator<Item = &'a str>) -> Value {
    Value::Array(items.into_iter().map(string).collect::<Array>())
}

fn object<'a>(members: impl IntoIterator<Item = (&'a str, Value)>) -> Value {
    let mut o = Object::new();
    for (k, v) in members {
        o.insert(k.to_string(), v);
    }
    Value::Object(o)
}

/// What one mode's first screen shows (keys name texts in `copy`).
fn mode_spec(mode: Mode) -> Value {
    let links = mode
        .links()
        .iter()
        .map(|l| {
            object([
                ("action", string(l.action)),
                ("label", string(l.label.as_str())),
                ("to", string(l.to.as_str())),
            ])
        })
        .collect::<Array>();
    object([
        ("title", string(mode.title().as_str())),
        ("submit", string(mode.submit().as_str())),
        ("pending", string(mode.pending().as_str())),
        ("email_autocomplete", string(mode.email_autocomplete())),
        (
            "password_autocomplete",
            mode.password_autocomplete().map_or(Value::Null, string),
        ),
        ("password_hint", Value::Bool(mode.password_hint())),
        ("links", Value::Array(links)),
    ])
}

/// The first screen's definition and its copy in every locale:
/// `{attributes, modes: {login: {...}}, default_mode, themes, min_password, failure_detail,
/// load_failure, offline_kind, keys: {role: key}, copy: {tag: {dir, texts: {key: text | {category: text}}}}}`.
pub fn spec_json() -> String {
    let modes = Mode::ALL.iter().map(|m| (m.as_str(), mode_spec(*m)));
    let keys = [
        ("email_label", Key::FormEmailLabel),
        ("password_label", Key::FormPasswordLabel),
        ("password_hint", Key::FormPasswordHintSignup),
        ("show_password", Key::FormShowPassword),
        ("hide_password", Key::FormHidePassword),
        ("unavailable_title", Key::ShellUnavailableTitle),
        ("unavailable_body", Key::ShellUnavailableBody),
        ("reload", Key::ShellReload),
        ("offline_title", Key::FailureOfflineTitle),
        ("offline_body", Key::ShellOfflineBody),
    ]
    .map(|(role, key)| (role, string(key.as_str())));
    let mut locales = Object::new();
    for locale in Locale::all() {
        let mut texts = Object::new();
        for key in form::shell_keys() {
            if let Some(text) = copy::entry(locale, key) {
                texts.insert(key.as_str().to_string(), text_value(text));
            }
        }
        let dir = if locale.is_rtl() { "rtl" } else { "ltr" };
        locales.insert(
            locale.tag().to_string(),
            object([("dir", string(dir)), ("texts", Value::Object(texts))]),
        );
    }
    let members = [
        ("attributes", strings(form::ATTRIBUTES)),
        ("modes", object(modes)),
        ("default_mode", string(Mode::default().as_str())),
        (
            "themes",
            strings(Theme::ALL.iter().filter_map(|t| t.attr())),
        ),
        (
            "min_password",
            Value::Number(Number::U64(u64::from(form::DEFAULT_MIN_PASSWORD))),
        ),
        ("failure_detail", strings(form::FAILURE_DETAIL)),
        (
            "load_failure",
            object([
                ("flow", string(form::LOAD_FLOW)),
                ("kind", string(FailureKind::Unreachable.as_str())),
            ]),
        ),
        // Offline while loading: said so, and the load finishes once back online.
        ("offline_kind", string(FailureKind::Offline.as_str())),
        ("keys", object(keys)),
        ("copy", Value::Object(locales)),
    ];
    let Value::Object(mut spec) = object(members) else {
        unreachable!("object() makes an object")
    };
    // `data-aw-shell` of every first screen drawn from this spec: a hash of the spec itself, so
    // markup pre-rendered from another spec (another version, other copy) is never adopted.
    let stamp = format!(
        "{}-{:08x}",
        crate::VERSION,
        fnv1a(json::to_string(&Value::Object(spec.clone())).as_bytes())
    );
    spec.insert("stamp".to_string(), string(&stamp));
    json::to_string(&Value::Object(spec))
}

/// FNV-1a (32 bits): a short, stable fingerprint, not a security measure.
fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5, |h: u32, b| {
        (h ^ u32::from(*b)).wrapping_mul(0x0100_0193)
    })
}

/// The `stamp` of [`spec_json`].
pub fn stamp() -> String {
    let spec: Value = json::from_str(&spec_json()).expect("the spec is JSON");
    match spec {
        Value::Object(o) => match o.get("stamp") {
            Some(Value::String(s)) => s.clone(),
            _ => unreachable!("spec_json writes a stamp"),
        },
        _ => unreachable!("the spec is an object"),
    }
}

/// The `id` prefix of pre-rendered markup (the element's own first screens use `aw-shell<n>`).
pub const MARKUP_ID: &str = "aw-markup";

fn escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// One element as HTML: `attrs` in order (`None` leaves one out), then `inner` (already HTML).
fn tag(name: &str, attrs: &[(&str, Option<&str>)], inner: &str) -> String {
    let mut out = format!("<{name}");
    for (k, v) in attrs {
        if let Some(v) = v {
            out.push_str(&format!(" {k}=\"{}\"", escape(v, true)));
        }
    }
    out.push('>');
    if name != "input" {
        out.push_str(inner);
        out.push_str(&format!("</{name}>"));
    }
    out
}

/// The first screen of `mode` in `locale` as HTML, the same elements, attributes and text
/// `js/element.js` (`draw`) builds from [`spec_json`], for a page to put inside
/// `<auth-widget>` before any script runs (the element adopts it). `plural` picks the CLDR
/// category of a number in `locale` (the browser's `Intl.PluralRules` in the shell).
pub fn markup_html(mode: Mode, locale: Locale, plural: &dyn Fn(u64) -> &'static str) -> String {
    let t = |key: Key, n: Option<u64>| escape(&copy::text(locale, key, n, &[], plural), false);
    let id = |what: &str| format!("{MARKUP_ID}-{what}");
    let (email_id, password_id, hint_id) = (id("email"), id("password"), id("password-hint"));
    let email = tag(
        "input",
        &[
            ("class", Some("aw-field__input")),
            ("id", Some(&email_id)),
            ("name", Some("email")),
            ("type", Some("email")),
            ("inputmode", Some("email")),
            ("autocomplete", Some(mode.email_autocomplete())),
            ("spellcheck", Some("false")),
            ("autocapitalize", Some("off")),
        ],
        "",
    );
    let label = |for_id: &str, key: Key| {
        tag(
            "label",
            &[("class", Some("aw-field__label")), ("for", Some(for_id))],
            &t(key, None),
        )
    };
    let field = |inner: String| tag("div", &[("class", Some("aw-field"))], &inner);
    let mut fields = field(label(&email_id, Key::FormEmailLabel) + &email);
    if let Some(autocomplete) = mode.password_autocomplete() {
        let hint = if mode.password_hint() {
            tag(
                "p",
                &[("class", Some("aw-field__hint")), ("id", Some(&hint_id))],
                &t(
                    Key::FormPasswordHintSignup,
                    Some(u64::from(form::DEFAULT_MIN_PASSWORD)),
                ),
            )
        } else {
            String::new()
        };
        let input = tag(
            "input",
            &[
                ("class", Some("aw-field__input aw-password__input")),
                ("id", Some(&password_id)),
                ("name", Some("password")),
                ("type", Some("password")),
                ("autocomplete", Some(autocomplete)),
                ("spellcheck", Some("false")),
                ("autocapitalize", Some("off")),
                (
                    "aria-describedby",
                    mode.password_hint().then_some(hint_id.as_str()),
                ),
            ],
            "",
        );
        let toggle = tag(
            "button",
            &[
                (
                    "class",
                    Some("aw-button aw-button--ghost aw-password__toggle"),
                ),
                ("type", Some("button")),
                ("aria-controls", Some(&password_id)),
                ("data-action", Some("toggle_password")),
            ],
            &t(Key::FormShowPassword, None),
        );
        let password = tag("div", &[("class", Some("aw-password"))], &(input + &toggle));
        fields += &field(label(&password_id, Key::FormPasswordLabel) + &hint + &password);
    }
    let submit = tag(
        "button",
        &[
            ("class", Some("aw-button aw-button--primary")),
            ("type", Some("submit")),
            ("aria-busy", Some("false")),
        ],
        &t(mode.submit(), None),
    );
    let form = tag(
        "form",
        &[
            ("class", Some("aw-form")),
            ("method", Some("post")),
            ("novalidate", Some("")),
        ],
        &(fields + &submit),
    );
    let links: String = mode
        .links()
        .iter()
        .map(|l| {
            tag(
                "button",
                &[
                    ("class", Some("aw-link")),
                    ("type", Some("button")),
                    ("data-action", Some(l.action)),
                ],
                &t(l.label, None),
            )
        })
        .collect();
    let inner = tag(
        "h2",
        &[("class", Some("aw-widget__title"))],
        &t(mode.title(), None),
    ) + &tag(
        "div",
        &[("role", Some("status")), ("class", Some("aw-live"))],
        "",
    ) + &form
        + &tag("div", &[("class", Some("aw-widget__links"))], &links);
    tag(
        "div",
        &[
            ("class", Some("aw-widget")),
            ("data-aw-shell", Some(&stamp())),
            ("data-mode", Some(mode.as_str())),
            ("dir", Some(if locale.is_rtl() { "rtl" } else { "ltr" })),
            ("lang", Some(locale.tag())),
        ],
        &inner,
    )
}

fn text_value(text: &Text) -> Value {
    match text {
        Text::Plain(s) => Value::String((*s).to_string()),
        Text::Plural(forms) => {
            let mut o = Object::new();
            for (category, form) in *forms {
                o.insert((*category).to_string(), Value::String((*form).to_string()));
            }
            Value::Object(o)
        }
    }
}

/// `{key: text | {category: text}}`: every text of `locale`, in the format `copy-url` takes.
pub fn locale_json(locale: Locale) -> String {
    let mut texts = Object::new();
    for key in Key::ALL {
        if let Some(text) = copy::entry(locale, *key) {
            texts.insert(key.as_str().to_string(), text_value(text));
        }
    }
    json::to_string(&Value::Object(texts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shell_key_is_in_every_locale() {
        for locale in Locale::all() {
            for key in form::shell_keys() {
                assert!(
                    copy::entry(locale, key).is_some(),
                    "{} lacks {}",
                    locale.tag(),
                    key.as_str()
                );
            }
        }
    }

    #[test]
    fn a_locale_file_holds_every_key_with_its_plural_forms() {
        let de = Locale::from_tag("de").expect("de ships");
        let parsed: Value = json::from_str(&locale_json(de)).expect("valid JSON");
        let Value::Object(texts) = parsed else {
            panic!("not an object")
        };
        let keys: Vec<&str> = texts.keys().map(String::as_str).collect();
        assert_eq!(keys, copy::KEYS, "every key, nothing else");
        assert!(matches!(&texts["form.password_label"], Value::String(s) if s == "Passwort"));
        let Value::Object(forms) = &texts["form.password_hint_signup"] else {
            panic!("a plural is an object of forms")
        };
        assert!(forms.contains_key("one") && forms.contains_key("other"));
    }

    fn member(value: &Value, name: &str) -> Value {
        match value {
            Value::Object(o) => o.get(name).cloned().unwrap_or(Value::Null),
            _ => panic!("not an object where {name} was expected"),
        }
    }

    #[test]
    fn the_spec_holds_each_locale_its_direction_and_plural_forms() {
        let spec: Value = json::from_str(&spec_json()).expect("valid JSON");
        let Value::Object(locales) = member(&spec, "copy") else {
            panic!("copy")
        };
        let tags: Vec<&str> = locales.keys().map(String::as_str).collect();
        assert_eq!(tags, ["ar", "de", "en"]);
        let ar = member(&spec, "copy");
        assert!(matches!(member(&member(&ar, "ar"), "dir"), Value::String(d) if d == "rtl"));
        assert!(matches!(member(&member(&ar, "en"), "dir"), Value::String(d) if d == "ltr"));
        let Value::Object(en) = member(&member(&ar, "en"), "texts") else {
            panic!("texts")
        };
        assert_eq!(en.len(), form::shell_keys().len());
        assert!(matches!(&en["form.password_label"], Value::String(s) if s == "Password"));
        assert!(
            matches!(&en["form.password_hint_signup"], Value::Object(forms) if forms.contains_key("one") && forms.contains_key("other"))
        );
    }

    /// Regression: the shell accepted `mode="reset"` while the live widget refused it.
    #[test]
    fn the_spec_lists_every_mode_the_live_widget_parses() {
        let spec: Value = json::from_str(&spec_json()).expect("valid JSON");
        let Value::Object(modes) = member(&spec, "modes") else {
            panic!("modes")
        };
        let names: Vec<&str> = modes.keys().map(String::as_str).collect();
        assert_eq!(names, ["login", "reset", "signup"]);
        for name in names {
            assert!(Mode::parse(name).is_some(), "{name}");
        }
        let reset = member(&member(&spec, "modes"), "reset");
        assert!(matches!(
            member(&reset, "password_autocomplete"),
            Value::Null
        ));
        assert!(matches!(
            member(&spec, "min_password"),
            Value::Number(Number::U64(8))
        ));
    }
}
