//! Copy in components: the pure [`copy`](crate::copy) tables with the browser's plural rules.

use crate::copy::{self, Locale};
use wasm_bindgen::JsValue;

/// The copy of one widget instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct I18n {
    pub locale: Locale,
}

/// The CLDR plural category of `n` in `locale`, from `Intl.PluralRules` (English rules if
/// the browser has none).
fn plural_category(locale: Locale, n: u64) -> &'static str {
    let locales = js_sys::Array::of1(&JsValue::from_str(locale.tag()));
    let rules = js_sys::Intl::PluralRules::new(&locales, &js_sys::Object::new());
    let category = rules.select(n as f64).as_string().unwrap_or_default();
    ["zero", "one", "two", "few", "many", "other"]
        .into_iter()
        .find(|c| *c == category)
        .unwrap_or_else(|| copy::english_plural(n))
}

impl I18n {
    /// The locale for a `locale` attribute, else the browser's languages, else English.
    pub fn negotiate(requested: Option<&str>) -> I18n {
        if let Some(l) = requested.and_then(Locale::from_tag) {
            return I18n { locale: l };
        }
        let languages: Vec<String> = web_sys::window()
            .map(|w| {
                w.navigator()
                    .languages()
                    .iter()
                    .filter_map(|v| v.as_string())
                    .collect()
            })
            .unwrap_or_default();
        I18n {
            locale: Locale::negotiate(languages.iter().map(String::as_str)),
        }
    }

    /// Plain text for `key`.
    pub fn t(&self, key: &str) -> String {
        self.tv(key, None, &[])
    }

    /// Text for `key` with a number `n` (plural) and named variables.
    pub fn tv(&self, key: &str, n: Option<u64>, vars: &[(&str, &str)]) -> String {
        let locale = self.locale;
        copy::text(locale, key, n, vars, &move |n| plural_category(locale, n))
    }

    pub fn dir(&self) -> &'static str {
        if self.locale.is_rtl() { "rtl" } else { "ltr" }
    }
}
