//! The copy the embed build ships outside the WebAssembly, taken from the same compiled locale
//! tables as the widget, so designers edit it in one place:
//! - the first screen's (`js/element.js`, `define_shell`), every locale: [`shell_copy_json`],
//!   written into `dist/embed/auth-widget.js`;
//! - the whole copy of each locale but English, which the embed's WebAssembly does not compile
//!   in: [`locale_json`], written to `dist/embed/locales/<tag>.json` and loaded by the element
//!   before a widget in that locale goes live.
//!
//! Pure Rust. `make embed` runs both through `examples/embed_copy.rs`.

use crate::copy::{self, Locale, Text};
use miniserde::json::{self, Object, Value};

/// Every key the shell shows: the first screen of each mode and the load-failure banner.
pub const SHELL_KEYS: &[&str] = &[
    "form.title_login",
    "form.title_signup",
    "form.title_reset",
    "form.email_label",
    "form.password_label",
    "form.password_hint_signup",
    "form.show_password",
    "form.hide_password",
    "form.submit_login",
    "form.submit_signup",
    "form.submit_reset",
    "form.pending_login",
    "form.pending_signup",
    "form.pending_reset",
    "form.forgot_password",
    "form.switch_to_signup",
    "form.switch_to_login",
    "form.back_to_login",
    "shell.unavailable_title",
    "shell.unavailable_body",
    "shell.reload",
];

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

/// `{"en": {"dir": "ltr", "texts": {key: text | {category: text}}}, …}` for every locale.
pub fn shell_copy_json() -> String {
    let mut locales = Object::new();
    for locale in Locale::all() {
        let mut texts = Object::new();
        for key in SHELL_KEYS {
            if let Some(text) = copy::entry(locale, key) {
                texts.insert((*key).to_string(), text_value(text));
            }
        }
        let mut o = Object::new();
        let dir = if locale.is_rtl() { "rtl" } else { "ltr" };
        o.insert("dir".to_string(), Value::String(dir.to_string()));
        o.insert("texts".to_string(), Value::Object(texts));
        locales.insert(locale.tag().to_string(), Value::Object(o));
    }
    json::to_string(&Value::Object(locales))
}

/// `{key: text | {category: text}}`: every text of `locale`, in the format `copy-url` takes.
pub fn locale_json(locale: Locale) -> String {
    let mut texts = Object::new();
    for key in copy::KEYS {
        if let Some(text) = copy::entry(locale, key) {
            texts.insert((*key).to_string(), text_value(text));
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
            for key in SHELL_KEYS {
                assert!(
                    copy::entry(locale, key).is_some(),
                    "{} lacks {key}",
                    locale.tag()
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

    #[test]
    fn the_json_holds_each_locale_its_direction_and_plural_forms() {
        let parsed: Value = json::from_str(&shell_copy_json()).expect("valid JSON");
        let Value::Object(locales) = parsed else {
            panic!("not an object")
        };
        let tags: Vec<&str> = locales.keys().map(String::as_str).collect();
        assert_eq!(tags, ["ar", "de", "en"]);
        let field = |tag: &str, name: &str| match &locales[tag] {
            Value::Object(o) => o[name].clone(),
            _ => panic!("{tag} is not an object"),
        };
        assert!(matches!(field("ar", "dir"), Value::String(d) if d == "rtl"));
        assert!(matches!(field("en", "dir"), Value::String(d) if d == "ltr"));
        let Value::Object(en) = field("en", "texts") else {
            panic!("texts")
        };
        assert_eq!(en.len(), SHELL_KEYS.len());
        assert!(matches!(&en["form.password_label"], Value::String(s) if s == "Password"));
        assert!(
            matches!(&en["form.password_hint_signup"], Value::Object(forms) if forms.contains_key("one") && forms.contains_key("other"))
        );
    }
}
