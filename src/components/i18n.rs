//! Copy in components: the pure [`copy`](crate::copy) tables with the browser's plural
//! rules, plus optional runtime overrides loaded from `copy-url` (designer preview).

use crate::copy::{self, Key, Locale};
use std::sync::Arc;
use wasm_bindgen::{JsCast, JsValue};

/// A runtime override: plain text, or plural forms by CLDR category.
#[derive(Clone, Debug, PartialEq)]
pub enum Override {
    Plain(String),
    Plural(Vec<(String, String)>),
}

/// Texts read at runtime, by copy key: only keys the widget knows are kept. A table indexed
/// like [`copy::KEYS`] rather than a hash map, which would add a hasher and its generic code
/// to the WebAssembly for a few dozen keys.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Texts(Vec<Option<Override>>);

impl Texts {
    /// The text for `key`, if this table has one.
    pub fn get(&self, key: Key) -> Option<&Override> {
        self.0.get(key as usize)?.as_ref()
    }

    /// Sets the text for `key`; `false` (and nothing kept) when the widget has no such key.
    pub fn insert(&mut self, key: &str, text: Override) -> bool {
        let Some(index) = Key::parse(key).map(|k| k as usize) else {
            return false;
        };
        if self.0.is_empty() {
            self.0.resize(copy::KEYS.len(), None);
        }
        self.0[index] = Some(text);
        true
    }

    /// How many keys have a text.
    pub fn len(&self) -> usize {
        self.0.iter().flatten().count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The copy of one widget instance.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct I18n {
    pub locale: Locale,
    /// The locale's own texts when they are not compiled in (the embed build compiles English
    /// only and loads the others from `locales/<tag>.json`); English stands in without them.
    pub texts: Option<Arc<Texts>>,
    /// Keys replaced at runtime by a `copy-url` file; they win over everything else.
    pub overrides: Option<Arc<Texts>>,
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
        let locale = requested.and_then(Locale::from_tag).unwrap_or_else(|| {
            let languages: Vec<String> = web_sys::window()
                .map(|w| {
                    w.navigator()
                        .languages()
                        .iter()
                        .filter_map(|v| v.as_string())
                        .collect()
                })
                .unwrap_or_default();
            Locale::negotiate(languages.iter().map(String::as_str))
        });
        let texts = (!copy::compiled(locale))
            .then(|| crate::embed::loaded_copy(locale.tag()))
            .flatten()
            .and_then(|json| parse_overrides(&json))
            .map(Arc::new);
        I18n {
            locale,
            texts,
            overrides: None,
        }
    }

    /// Plain text for `key`.
    pub fn t(&self, key: Key) -> String {
        self.tv(key, None, &[])
    }

    /// Text for `key` with a number `n` (plural) and named variables.
    pub fn tv(&self, key: Key, n: Option<u64>, vars: &[(&str, &str)]) -> String {
        let locale = self.locale;
        let plural = move |n| plural_category(locale, n);
        let runtime = [&self.overrides, &self.texts];
        match runtime
            .into_iter()
            .flatten()
            .find_map(|texts| texts.get(key))
        {
            Some(Override::Plain(t)) => copy::interpolate(t, n, vars),
            Some(Override::Plural(forms)) => {
                let forms = forms.iter().map(|(c, t)| (c.as_str(), t.as_str()));
                copy::interpolate(copy::pick(forms, n, &plural), n, vars)
            }
            None => copy::text(locale, key, n, vars, &plural),
        }
    }

    pub fn dir(&self) -> &'static str {
        if self.locale.is_rtl() { "rtl" } else { "ltr" }
    }
}

/// Reads a `copy-url` JSON object of `{"key": "text" | {"one": …, "other": …}}`. Keys the
/// widget does not know are left out and named in one console warning.
pub fn parse_overrides(json: &str) -> Option<Texts> {
    let value = js_sys::JSON::parse(json).ok()?;
    let object: js_sys::Object = value.dyn_into().ok()?;
    let mut out = Texts::default();
    let mut unknown = Vec::new();
    for entry in js_sys::Object::entries(&object).iter() {
        let pair: js_sys::Array = entry.unchecked_into();
        let Some(key) = pair.get(0).as_string() else {
            continue;
        };
        let value = pair.get(1);
        let parsed = if let Some(text) = value.as_string() {
            Some(Override::Plain(text))
        } else if let Ok(forms) = value.dyn_into::<js_sys::Object>() {
            let forms: Vec<(String, String)> = js_sys::Object::entries(&forms)
                .iter()
                .filter_map(|f| {
                    let f: js_sys::Array = f.unchecked_into();
                    Some((f.get(0).as_string()?, f.get(1).as_string()?))
                })
                .collect();
            Some(Override::Plural(forms))
        } else {
            None
        };
        if !parsed.is_some_and(|o| out.insert(&key, o)) {
            unknown.push(key);
        }
    }
    if !unknown.is_empty() {
        web_sys::console::warn_1(
            &format!(
                "<auth-widget> copy-url: unknown keys ignored: {}",
                unknown.join(", ")
            )
            .into(),
        );
    }
    Some(out)
}

/// Fetches and reads a copy override file (`copy-url`, the gallery's live locale files).
pub async fn fetch_overrides(url: &str) -> Option<Texts> {
    let resp = crate::client::fetch("GET", url, &[], None, false, None)
        .await
        .ok()?;
    if !resp.ok() {
        return None;
    }
    parse_overrides(&resp.text())
}
