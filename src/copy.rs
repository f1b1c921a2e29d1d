//! Copy lookup: the tables `build.rs` makes from `locales/*.toml`, and variable filling.
//!
//! Pure Rust. Plural categories come from the caller (the browser's `Intl.PluralRules`
//! in the widget, [`english_plural`] in native tests), so no rules are compiled in.

/// One entry of a locale file.
#[derive(Debug)]
pub enum Text {
    Plain(&'static str),
    /// `(category, text)` pairs; `other` is always present.
    Plural(&'static [(&'static str, &'static str)]),
}

include!(concat!(env!("OUT_DIR"), "/copy_tables.rs"));

/// A shipped locale, by index into [`LOCALES`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Locale(usize);

impl Locale {
    /// English, the fallback.
    pub const FALLBACK: Locale = Locale(0);

    /// The best shipped locale for a BCP 47 tag (`de-AT` → `de`), or `None`.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let lang = tag.split(['-', '_']).next()?.to_ascii_lowercase();
        LOCALES.iter().position(|l| *l == lang).map(Locale)
    }

    /// The first shipped locale among preferred tags, else English.
    pub fn negotiate<'a>(preferred: impl IntoIterator<Item = &'a str>) -> Locale {
        preferred
            .into_iter()
            .find_map(Locale::from_tag)
            .unwrap_or(Locale::FALLBACK)
    }

    pub fn tag(self) -> &'static str {
        LOCALES[self.0]
    }

    pub fn is_rtl(self) -> bool {
        RTL[self.0]
    }

    /// Every shipped locale.
    pub fn all() -> impl Iterator<Item = Locale> {
        (0..LOCALES.len()).map(Locale)
    }
}

/// Whether `locale`'s texts are compiled in. The embed build compiles English only; its other
/// locales are loaded at runtime (`I18n::texts`), and English stands in until they are.
pub fn compiled(locale: Locale) -> bool {
    TEXTS.get(locale.0).is_some_and(|texts| !texts.is_empty())
}

impl Key {
    /// The key as written in the locale files (`failure.invalid_credentials.title`).
    pub fn as_str(self) -> &'static str {
        KEYS[self as usize]
    }

    /// The key written as `s`, or `None` when the locale files have no such key.
    pub fn parse(s: &str) -> Option<Key> {
        KEYS.binary_search(&s).ok().map(|i| Key::ALL[i])
    }

    /// The `{variables}` this key's text uses.
    pub fn vars(self) -> &'static [&'static str] {
        VARS[self as usize]
    }
}

/// The entry for `key` in `locale`, or `None` when the locale is not compiled in.
pub fn entry(locale: Locale, key: Key) -> Option<&'static Text> {
    TEXTS.get(locale.0)?.get(key as usize)
}

/// Picks the plural form for `n` and fills `{name}` placeholders from `vars`.
/// A placeholder with no value is left as written, so a gap is visible, never blank.
pub fn fill(
    text: &Text,
    n: Option<u64>,
    vars: &[(&str, &str)],
    plural: &dyn Fn(u64) -> &'static str,
) -> String {
    let template = match text {
        Text::Plain(s) => s,
        Text::Plural(forms) => pick(forms.iter().copied(), n, plural),
    };
    interpolate(template, n, vars)
}

/// The form of a plural for `n`: its CLDR category, else `other`, else empty.
pub fn pick<'a>(
    forms: impl Iterator<Item = (&'a str, &'a str)> + Clone,
    n: Option<u64>,
    plural: &dyn Fn(u64) -> &'static str,
) -> &'a str {
    let category = plural(n.unwrap_or(0));
    forms
        .clone()
        .find(|(c, _)| *c == category)
        .or_else(|| forms.clone().find(|(c, _)| *c == "other"))
        .map(|(_, t)| t)
        .unwrap_or_default()
}

/// Replaces `{name}` with its value from `vars` (or `{n}` with `n`).
pub fn interpolate(template: &str, n: Option<u64>, vars: &[(&str, &str)]) -> String {
    let n_text = n.map(|n| n.to_string());
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    // `split_once` rather than indexing: no slicing that could panic, so none of the panic
    // message machinery is compiled into the WebAssembly for it.
    while let Some((before, after)) = rest.split_once('{') {
        out.push_str(before);
        let Some((name, tail)) = after.split_once('}') else {
            out.push('{');
            rest = after;
            break;
        };
        let value = vars.iter().find(|(k, _)| *k == name).map(|(_, v)| *v);
        match (name, value, &n_text) {
            (_, Some(v), _) => out.push_str(v),
            ("n", None, Some(n)) => out.push_str(n),
            _ => {
                out.push('{');
                out.push_str(name);
                out.push('}');
            }
        }
        rest = tail;
    }
    out.push_str(rest);
    out
}

/// English plural rule (CLDR): `one` for 1, else `other`. Used natively and as a fallback.
pub fn english_plural(n: u64) -> &'static str {
    if n == 1 { "one" } else { "other" }
}

/// Looks up and fills a key, falling back to English.
pub fn text(
    locale: Locale,
    key: Key,
    n: Option<u64>,
    vars: &[(&str, &str)],
    plural: &dyn Fn(u64) -> &'static str,
) -> String {
    match entry(locale, key).or_else(|| entry(Locale::FALLBACK, key)) {
        Some(t) => fill(t, n, vars, plural),
        None => key.as_str().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::interpolate;

    #[test]
    fn interpolate_fills_known_names_and_keeps_the_rest_as_written() {
        let vars = [("email", "ä@example.com")];
        assert_eq!(interpolate("in {n} s", Some(3), &[]), "in 3 s");
        assert_eq!(interpolate("as {email}.", None, &vars), "as ä@example.com.");
        assert_eq!(interpolate("ü{n}ß{n}", Some(12), &[]), "ü12ß12");
        assert_eq!(interpolate("{other} {n}", None, &[]), "{other} {n}");
        assert_eq!(interpolate("{} and {", Some(1), &[]), "{} and {");
        assert_eq!(interpolate("open {brace", None, &vars), "open {brace");
        assert_eq!(interpolate("", Some(1), &vars), "");
    }
}
