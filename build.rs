//! Turns `locales/*.toml` into plain Rust tables (`$OUT_DIR/copy_tables.rs`). With the `embed`
//! feature only English gets texts (the embed loads other locales from JSON files).
//!
//! Fails the build, naming locale, key and file, when a locale misses a key English has,
//! has a key English lacks, or uses a different set of `{variables}` for a key.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

const REFERENCE: &str = "en";
const RTL_LOCALES: &[&str] = &["ar", "he", "fa", "ur"];

/// Each locale's file and its flattened entries.
type Locales = BTreeMap<String, (std::path::PathBuf, BTreeMap<String, Entry>)>;

enum Entry {
    Plain(String),
    Plural(Vec<(String, String)>),
}

impl Entry {
    fn texts(&self) -> Vec<&str> {
        match self {
            Entry::Plain(s) => vec![s],
            Entry::Plural(forms) => forms.iter().map(|(_, s)| s.as_str()).collect(),
        }
    }
    fn vars(&self) -> BTreeSet<String> {
        self.texts().into_iter().flat_map(placeholders).collect()
    }
}

/// The `{name}` placeholders of a text.
fn placeholders(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                out.push(after[..end].to_string());
                rest = &after[end + 1..];
            }
            None => break,
        }
    }
    out
}

use auth_contract::locale_file::{Item, walk};

fn flatten(
    table: &toml::Table,
    file: &Path,
    out: &mut BTreeMap<String, Entry>,
) -> Result<(), String> {
    let mut problems = Vec::new();
    walk(table, &mut |key, item| match item {
        Item::Text(s) => {
            out.insert(key, Entry::Plain(s.to_string()));
        }
        Item::Plural(forms) => {
            if !forms.iter().any(|(c, _)| *c == "other") {
                problems.push(format!(
                    "{}: key `{key}`: a plural needs an `other` form",
                    file.display()
                ));
            }
            let mut texts = Vec::new();
            for (cat, text) in forms {
                match text {
                    Some(t) => texts.push((cat.to_string(), t.to_string())),
                    None => problems.push(format!(
                        "{}: key `{key}.{cat}` must be text",
                        file.display()
                    )),
                }
            }
            out.insert(key, Entry::Plural(texts));
        }
        Item::Invalid => problems.push(format!(
            "{}: key `{key}` must be text or a table",
            file.display()
        )),
    });
    match problems.first() {
        Some(p) => Err(p.clone()),
        None => Ok(()),
    }
}

fn load(dir: &Path) -> Result<Locales, String> {
    let mut locales = BTreeMap::new();
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        let locale = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let table: toml::Table = toml::from_str(&text)
            .map_err(|e| format!("{}: not valid TOML: {e}", path.display()))?;
        let mut flat = BTreeMap::new();
        flatten(&table, &path, &mut flat)?;
        locales.insert(locale, (path, flat));
    }
    Ok(locales)
}

/// The Rust name of a copy key: `failure.invalid_credentials.title` → `FailureInvalidCredentialsTitle`.
fn variant_name(key: &str) -> String {
    key.split(['.', '_'])
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

fn check(locales: &Locales) -> Vec<String> {
    let mut problems = Vec::new();
    let Some((_, reference)) = locales.get(REFERENCE) else {
        return vec![format!(
            "locales/{REFERENCE}.toml is missing: English is the reference locale"
        )];
    };
    for (locale, (file, entries)) in locales {
        let f = file.display();
        for (key, entry) in reference {
            match entries.get(key) {
                None => problems.push(format!("{f}: locale `{locale}` is missing key `{key}`")),
                Some(e) if e.vars() != entry.vars() => problems.push(format!(
                    "{f}: locale `{locale}` key `{key}` uses variables {:?}, English uses {:?}",
                    e.vars(),
                    entry.vars()
                )),
                Some(_) => {}
            }
        }
        for key in entries.keys().filter(|k| !reference.contains_key(*k)) {
            problems.push(format!(
                "{f}: locale `{locale}` has key `{key}`, which English does not have (misspelt or surplus?)"
            ));
        }
    }
    problems
}

/// Keys under this prefix are the server's (emails), not the widget's.
const SERVER_ONLY_PREFIX: &str = "mail.";

fn main() {
    let dir = Path::new("locales");
    println!("cargo:rerun-if-changed=locales");
    let locales = load(dir).unwrap_or_else(|e| panic!("copy: {e}"));
    let problems = check(&locales);
    if !problems.is_empty() {
        panic!("copy check failed:\n  {}", problems.join("\n  "));
    }
    // English first: it is the fallback.
    let mut order: Vec<&String> = locales.keys().collect();
    order.sort_by_key(|l| (l.as_str() != REFERENCE, l.to_string()));
    // `mail.*` is the reference server's email copy (checked here like every key, so designers
    // get the same messages); the widget never shows it, so it is not compiled in.
    let keys: Vec<&String> = locales[REFERENCE]
        .1
        .keys()
        .filter(|k| !k.starts_with(SERVER_ONLY_PREFIX))
        .collect();

    let mut out = String::new();
    let _ = writeln!(out, "/// Shipped locales; the first is the fallback.");
    let _ = writeln!(out, "pub const LOCALES: &[&str] = &{order:?};");
    let rtl: Vec<bool> = order
        .iter()
        .map(|l| RTL_LOCALES.contains(&l.as_str()))
        .collect();
    let _ = writeln!(out, "/// Whether each locale is written right to left.");
    let _ = writeln!(out, "pub const RTL: &[bool] = &{rtl:?};");
    let _ = writeln!(out, "/// Every copy key, sorted.");
    let _ = writeln!(out, "pub const KEYS: &[&str] = &{keys:?};");
    // One variant per key, in `KEYS` order, so a misspelt key is a compile error and a key's
    // variant indexes the tables directly.
    let names: Vec<String> = keys.iter().map(|k| variant_name(k)).collect();
    let mut seen = BTreeSet::new();
    for (key, name) in keys.iter().zip(&names) {
        if !seen.insert(name) {
            panic!("copy check failed: key `{key}` gives the Rust name `{name}` twice; rename one");
        }
    }
    let _ = writeln!(
        out,
        "/// A copy key: one variant per entry of `locales/{REFERENCE}.toml`, in [`KEYS`] order."
    );
    let _ = writeln!(
        out,
        "#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]\n#[repr(u16)]\npub enum Key {{"
    );
    for (key, name) in keys.iter().zip(&names) {
        let _ = writeln!(out, "    /// `{key}`\n    {name},");
    }
    let _ = writeln!(out, "}}");
    let _ = writeln!(out, "impl Key {{");
    let _ = writeln!(out, "    /// Every key, in [`KEYS`] order.");
    let _ = writeln!(out, "    pub const ALL: &'static [Key] = &[");
    for name in &names {
        let _ = writeln!(out, "        Key::{name},");
    }
    let _ = writeln!(out, "    ];\n}}");
    let vars: Vec<Vec<String>> = keys
        .iter()
        .map(|k| locales[REFERENCE].1[*k].vars().into_iter().collect())
        .collect();
    let _ = writeln!(out, "/// The variables each key uses, parallel to `KEYS`.");
    let vars: Vec<String> = vars.iter().map(|v| format!("&{v:?}")).collect();
    let _ = writeln!(out, "pub const VARS: &[&[&str]] = &[{}];", vars.join(", "));
    let _ = writeln!(
        out,
        "/// Texts per locale, parallel to `LOCALES` and `KEYS`."
    );
    let _ = writeln!(out, "pub static TEXTS: &[&[Text]] = &[");
    // The embed build compiles English only: the other locales ship beside it as JSON files
    // (`dist/embed/locales/`) that the element loads when a widget needs one, so adding a
    // locale never makes the embed heavier. Their entries here are empty.
    let embed = std::env::var_os("CARGO_FEATURE_EMBED").is_some();
    for locale in &order {
        let entries = &locales[*locale].1;
        if embed && locale.as_str() != REFERENCE {
            let _ = writeln!(out, "  &[],");
            continue;
        }
        let _ = writeln!(out, "  &[");
        for key in &keys {
            match &entries[*key] {
                Entry::Plain(s) => {
                    let _ = writeln!(out, "    Text::Plain({s:?}),");
                }
                Entry::Plural(forms) => {
                    let _ = writeln!(out, "    Text::Plural(&{forms:?}),");
                }
            }
        }
        let _ = writeln!(out, "  ],");
    }
    let _ = writeln!(out, "];");
    let dest = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("copy_tables.rs");
    std::fs::write(dest, out).expect("write copy tables");
}
