//! Walking a locale file (`locales/*.toml`) into dotted keys, on the host. One module used
//! by `build.rs`, the copy lint, the copy export and the server's live copy endpoint, so
//! they all read the files the same way. Depends only on `toml` and std.

/// CLDR plural categories; a table whose keys are all among these is a plural.
pub const PLURAL_CATEGORIES: &[&str] = &["zero", "one", "two", "few", "many", "other"];

/// One entry of a locale file, by dotted key.
pub enum Item<'a> {
    /// Plain text.
    Text(&'a str),
    /// A plural: `(category, text)` pairs in file order; a form that is not text has `None`.
    Plural(Vec<(&'a str, Option<&'a str>)>),
    /// Anything else (a number, an array…): not valid copy.
    Invalid,
}

/// Calls `visit(key, item)` for every entry under `table`, depth first, keys dotted.
pub fn walk<'a>(table: &'a toml::Table, visit: &mut dyn FnMut(String, Item<'a>)) {
    walk_under("", table, visit);
}

fn walk_under<'a>(prefix: &str, table: &'a toml::Table, visit: &mut dyn FnMut(String, Item<'a>)) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::String(s) => visit(key, Item::Text(s)),
            toml::Value::Table(t) if t.keys().all(|c| PLURAL_CATEGORIES.contains(&c.as_str())) => {
                let forms = t.iter().map(|(c, v)| (c.as_str(), v.as_str())).collect();
                visit(key, Item::Plural(forms));
            }
            toml::Value::Table(t) => walk_under(&key, t, visit),
            _ => visit(key, Item::Invalid),
        }
    }
}
