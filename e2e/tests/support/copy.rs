//! Expected text comes from `locales/en.toml` (or another locale's file), the file designers
//! edit, so a copy change does not break a journey (STYLE: tests read the locale files).

use super::procs::workspace;
use toml::Value;

pub struct Copy(toml::Table);

impl Copy {
    pub fn load() -> Copy {
        Copy::locale("en")
    }

    /// The copy of `locales/<tag>.toml`.
    pub fn locale(tag: &str) -> Copy {
        let path = workspace().join("locales").join(format!("{tag}.toml"));
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        Copy(text.parse().expect("the locale file parses"))
    }

    fn value(&self, key: &str) -> &Value {
        let mut parts = key.split('.');
        let first = parts.next().expect("a key");
        let mut v = self.0.get(first);
        for p in parts {
            v = v.and_then(|v| v.get(p));
        }
        v.unwrap_or_else(|| panic!("the locale file has no key {key}"))
    }

    /// The text of `key` with `{name}` variables filled in.
    pub fn t(&self, key: &str, vars: &[(&str, &str)]) -> String {
        let text = self
            .value(key)
            .as_str()
            .unwrap_or_else(|| panic!("{key} is not plain text"));
        fill(text, vars)
    }

    /// The English plural form of `key` for `n` (`one` for 1, else `other`).
    pub fn plural(&self, key: &str, n: u64) -> String {
        let form = if n == 1 { "one" } else { "other" };
        let text = self.value(key)[form]
            .as_str()
            .unwrap_or_else(|| panic!("{key}.{form} is missing"));
        fill(text, &[("n", &n.to_string())])
    }

    /// `failure.<kind>.title`.
    pub fn failure_title(&self, kind: &str) -> String {
        self.t(&format!("failure.{kind}.title"), &[])
    }

    /// `failure.<kind>.body`.
    pub fn failure_body(&self, kind: &str) -> String {
        self.t(&format!("failure.{kind}.body"), &[])
    }
}

fn fill(text: &str, vars: &[(&str, &str)]) -> String {
    vars.iter().fold(text.to_string(), |acc, (k, v)| {
        acc.replace(&format!("{{{k}}}"), v)
    })
}
