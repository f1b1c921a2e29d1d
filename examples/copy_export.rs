//! Writes every text of every locale as CSV and Markdown for review outside the code:
//! `target/copy-export/copy.csv` and `target/copy-export/copy.md`, with the columns
//! key, locale, text, where shown. Reads the same `locales/*.toml` files the widget compiles.
//!
//! Run with `make copy-export` (or `cargo run --example copy_export`). Native only: the
//! wasm32 build gets an empty `main` so `--all-targets` stays clean there.

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    match export::run() {
        Ok(summary) => {
            println!("{summary}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("copy-export: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod export {
    use auth_contract::locale_file;
    use std::collections::BTreeMap;
    use std::fmt::Write as _;
    use std::path::{Path, PathBuf};

    use locale_file::PLURAL_CATEGORIES;

    const REFERENCE: &str = "en";

    /// One exported row.
    struct Row {
        /// The copy key; a plural form adds its category: `failure.countdown [few]`.
        key: String,
        locale: String,
        text: String,
        where_shown: String,
    }

    pub fn run() -> Result<String, String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let locales = load(&root.join("locales"))?;
        let rows = rows(&locales);
        let out_dir = root.join("target").join("copy-export");
        std::fs::create_dir_all(&out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
        let csv_path = out_dir.join("copy.csv");
        let md_path = out_dir.join("copy.md");
        write(&csv_path, &csv(&rows))?;
        write(&md_path, &markdown(&rows, &locales))?;
        Ok(format!(
            "copy-export: {} texts in {} locales ({}) written to\n  {}\n  {}",
            rows.len(),
            locales.len(),
            locales.keys().cloned().collect::<Vec<_>>().join(", "),
            csv_path.display(),
            md_path.display()
        ))
    }

    fn write(path: &Path, text: &str) -> Result<(), String> {
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Locale → key → texts (one, or one per plural form in CLDR order).
    type Locales = BTreeMap<String, BTreeMap<String, Vec<(Option<String>, String)>>>;

    fn load(dir: &Path) -> Result<Locales, String> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("toml"))
            .collect();
        files.sort();
        let mut locales = Locales::new();
        for path in files {
            let source =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let table: toml::Table = toml::from_str(&source)
                .map_err(|e| format!("{}: not valid TOML: {e}", path.display()))?;
            let locale = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .to_string();
            let mut entries = BTreeMap::new();
            flatten(&table, &mut entries);
            locales.insert(locale, entries);
        }
        if !locales.contains_key(REFERENCE) {
            return Err(format!(
                "{}: {REFERENCE}.toml is missing (the reference locale)",
                dir.display()
            ));
        }
        Ok(locales)
    }

    fn flatten(table: &toml::Table, out: &mut BTreeMap<String, Vec<(Option<String>, String)>>) {
        locale_file::walk(table, &mut |key, item| match item {
            locale_file::Item::Text(s) => {
                out.insert(key, vec![(None, s.to_string())]);
            }
            locale_file::Item::Plural(forms) => {
                // In CLDR order, whatever order the file has.
                let forms = PLURAL_CATEGORIES
                    .iter()
                    .filter_map(|c| {
                        let (_, text) = forms.iter().find(|(f, _)| f == c)?;
                        Some((Some(c.to_string()), (*text)?.to_string()))
                    })
                    .collect();
                out.insert(key, forms);
            }
            locale_file::Item::Invalid => {}
        });
    }

    /// Rows sorted by key, English first, so each text sits next to its translations.
    fn rows(locales: &Locales) -> Vec<Row> {
        let mut keys: Vec<&String> = locales.values().flat_map(|e| e.keys()).collect();
        keys.sort();
        keys.dedup();
        let mut order: Vec<&String> = locales.keys().collect();
        order.sort_by_key(|l| (l.as_str() != REFERENCE, l.to_string()));
        let mut rows = Vec::new();
        for key in keys {
            for locale in &order {
                let Some(forms) = locales[*locale].get(key) else {
                    continue;
                };
                for (form, text) in forms {
                    rows.push(Row {
                        key: match form {
                            Some(f) => format!("{key} [{f}]"),
                            None => key.clone(),
                        },
                        locale: locale.to_string(),
                        text: text.clone(),
                        where_shown: where_shown(key),
                    });
                }
            }
        }
        rows
    }

    /// Where a key appears in the widget, from its prefix.
    fn where_shown(key: &str) -> String {
        let parts: Vec<&str> = key.split('.').collect();
        match parts.as_slice() {
            ["form", name] => form_where(name),
            ["success", kind, "title"] => format!("Success banner title ({kind})"),
            ["success", kind, "body"] => format!("Success banner body ({kind})"),
            ["field", field, code] => {
                format!("Field error under the {field} field and in the error summary ({code})")
            }
            ["failure", "reference"] => {
                "Failure banner: reference line to quote to support".to_string()
            }
            ["failure", "countdown"] => "Failure banner: countdown before retrying".to_string(),
            ["failure", kind, "title"] => format!("Failure banner title ({kind})"),
            ["failure", kind, "body"] => format!("Failure banner body ({kind})"),
            ["action", name] => format!("Failure banner button ({name})"),
            ["status", "body"] => "Service status banner body".to_string(),
            ["shell", "reload"] => "Load-failure banner button (embed script)".to_string(),
            ["shell", name] => format!(
                "Load-failure banner {} (embed script, when the widget cannot load)",
                name.rsplit('_').next().unwrap_or(name)
            ),
            ["status", name] => match name.strip_suffix("_title") {
                Some(state) => format!("Service status banner title ({state})"),
                None => format!("Service status banner ({name})"),
            },
            _ => format!("Other ({})", parts.first().copied().unwrap_or(key)),
        }
    }

    fn form_where(name: &str) -> String {
        let (prefix, mode) = name.split_once('_').unwrap_or((name, ""));
        match (prefix, name) {
            ("title", _) => format!("Form heading ({mode})"),
            ("submit", _) => format!("Submit button ({mode})"),
            ("pending", _) => format!("Progress message while waiting ({mode})"),
            (_, "email_label") => "Email field label".to_string(),
            (_, "password_label") => "Password field label".to_string(),
            (_, "password_hint_signup") => "Hint under the password field (sign-up)".to_string(),
            (_, "show_password" | "hide_password") => {
                "Show/hide password button (its accessible name)".to_string()
            }
            (_, "caps_lock") => "Hint under the password field while Caps Lock is on".to_string(),
            (_, "switch_to_signup" | "switch_to_login" | "forgot_password" | "back_to_login") => {
                "Link below the form".to_string()
            }
            (_, "summary_title") => "Error summary heading".to_string(),
            (_, "error_prefix") => {
                "Before each field error, read by screen readers only".to_string()
            }
            _ => format!("Form ({name})"),
        }
    }

    /// RFC 4180: quote a field holding a comma, quote or line break; double inner quotes.
    fn csv_field(s: &str) -> String {
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    }

    /// UTF-8 with a byte-order mark (so spreadsheet apps read Arabic and umlauts right)
    /// and CRLF line ends, as RFC 4180 asks.
    fn csv(rows: &[Row]) -> String {
        let mut out = String::from("\u{FEFF}key,locale,text,where shown\r\n");
        for r in rows {
            let _ = write!(
                out,
                "{},{},{},{}\r\n",
                csv_field(&r.key),
                csv_field(&r.locale),
                csv_field(&r.text),
                csv_field(&r.where_shown)
            );
        }
        out
    }

    /// Text safe inside a Markdown table cell: pipes, markup characters and line breaks.
    fn md_cell(s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            match c {
                '|' | '\\' | '*' | '`' | '[' | ']' => {
                    out.push('\\');
                    out.push(c);
                }
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '\n' => out.push_str("<br>"),
                '\r' => {}
                c => out.push(c),
            }
        }
        out
    }

    fn markdown(rows: &[Row], locales: &Locales) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "# auth-widget copy\n");
        let _ = writeln!(
            out,
            "Every text the widget shows, from `locales/*.toml` ({}). Generated by \
             `make copy-export`; edit the locale files, not this file. `{{n}}`, `{{email}}` \
             and `{{reference}}` are filled in by the widget; `[one]`, `[other]` … are plural \
             forms.\n",
            locales.keys().cloned().collect::<Vec<_>>().join(", ")
        );
        let _ = writeln!(out, "| key | locale | text | where shown |");
        let _ = writeln!(out, "|---|---|---|---|");
        for r in rows {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} |",
                r.key.replace('`', "'"),
                md_cell(&r.locale),
                md_cell(&r.text),
                md_cell(&r.where_shown)
            );
        }
        out
    }
}
