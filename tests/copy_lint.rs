//! Copy lint: reads the same `locales/*.toml` files `build.rs` compiles into the widget and
//! checks the words themselves (errors-13, errors-14, errors-17). `build.rs` already fails on missing,
//! surplus or misspelt keys and on variable mismatches; this lint checks what it cannot:
//! every failure has a title, a body and a next step; no banned words in any locale; length
//! limits; service-side failures never suggest the person's details are wrong; and every
//! `{variable}` is one the code supplies.
//!
//! Every message names the file, the locale and the key, so a designer can fix it without
//! reading Rust. A new locale needs its word lists in [`rules`] below; the lint says so.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use auth_widget::copy::LOCALES;
use auth_widget::fixtures::FIXTURES;
use auth_widget::guidance::Words;
use auth_widget::taxonomy::FailureKind;

/// Longest title (banner, form and status headings), in code points. Keeps headings on one
/// or two lines in the 320 px layout, also in German.
const MAX_TITLE: usize = 60;
/// Longest other text (bodies, field errors, hints), in code points.
const MAX_BODY: usize = 240;
/// Longest button label (`action.*`), in code points: buttons sit side by side.
const MAX_ACTION: usize = 40;

/// The variables the code fills in. Adding a `{name}` to a locale that is not here shows a
/// raw `{name}` to people, so the lint refuses it.
const SUPPLIED_VARIABLES: &[(&str, &str)] = &[
    // src/copy.rs `fill`: the number of a plural (countdown seconds, password minimum,
    // email maximum); passed by src/components/banner.rs and src/components/fields.rs.
    ("n", "the number of a plural"),
    // src/components/banner.rs, success banner: `("email", &email)`.
    ("email", "the signed-in or registered email address"),
    // src/components/banner.rs, failure banner: `("reference", &r)` for `failure.reference`.
    ("reference", "the reference id to quote to support"),
];

// ---------------------------------------------------------------------------------------
// Per-locale word lists
// ---------------------------------------------------------------------------------------

/// The word lists for one locale.
///
/// Patterns are matched case-insensitively after [`normalize`]. A pattern matches a whole
/// word; a `*` at its end also matches longer words (`ungültig*` → `ungültige`), a `*` at
/// its start also matches compounds ending in it (`*token` → `Sitzungstoken`).
struct Rules {
    /// Words errors-13 bans: vague, apologetic, pleading or technical.
    banned: &'static [&'static str],
    /// Phrases that say or suggest the person's email or password is wrong. Only
    /// `invalid_credentials` (and the account states that share its words) may use them.
    blaming: &'static [&'static str],
    /// First words of an instruction ("Enter …"): field errors and the validation body
    /// must start with one, because they are the next step when there is no button.
    instruction_starts: &'static [&'static str],
    /// CLDR plural categories the language uses for whole numbers; every plural entry
    /// needs all of them (`other` is always needed).
    plural_categories: &'static [&'static str],
}

/// Banned in every locale: errors-13's English words (a pasted or untranslated English
/// word is caught in any locale) and technical terms. 3-digit status numbers are checked
/// separately, see [`status_number`].
const BANNED_EVERYWHERE: &[&str] = &[
    "invalid*",
    "please",
    "sorry",
    "oops",
    "whoops",
    "apologi*",
    "error code*",
    "status code*",
    "server*",
    "*token*",
    "http*",
    "jwt*",
    "api",
    "json",
    "*exception*",
    "stack trace",
    "4xx",
    "5xx",
    "*credential*",
    "oauth",
];

fn rules(locale: &str) -> Option<Rules> {
    match locale {
        "en" => Some(Rules {
            banned: &[
                "pls",
                "unfortunately",
                "unauthori*",
                "forbidden",
                "authenticat*",
                "fatal",
                "failed to",
                "null",
                "undefined",
            ],
            blaming: &[
                "does not match",
                "doesn't match",
                "don't match",
                "do not match",
                "wrong password",
                "wrong email",
                "incorrect",
                "password is wrong",
                "email is wrong",
                "check your password",
                "check your email address and password",
                "email or password",
                "email and password",
            ],
            instruction_starts: &["enter", "choose", "correct", "use", "check"],
            plural_categories: &["one", "other"],
        }),
        "de" => Some(Rules {
            banned: &[
                "ungültig*",
                "bitte",
                "entschuldig*",
                "leider",
                "hoppla",
                "ups",
                "*fehlercode*",
                "*statuscode*",
                "*server*",
                "ausnahmefehler",
                "authentifizier*",
                "autorisier*",
                "nicht autorisiert",
                "verboten",
                "fataler",
            ],
            blaming: &[
                "stimmen nicht",
                "stimmt nicht",
                "passen nicht zusammen",
                "falsch*",
                "inkorrekt*",
                "nicht korrekt",
                "nicht richtig",
                "prüfen sie ihr passwort",
                "prüfen sie ihre e-mail-adresse und ihr passwort",
                "e-mail-adresse oder passwort",
                "e-mail-adresse und passwort",
            ],
            instruction_starts: &["geben", "wählen", "korrigieren", "verwenden", "prüfen"],
            plural_categories: &["one", "other"],
        }),
        // Patterns are written without short vowels and with plain alef: see `normalize`.
        "ar" => Some(Rules {
            banned: &[
                // invalid
                "*غير صالح*",
                // please (three common forms)
                "*من فضلك*",
                "*يرجى*",
                "*الرجاء*",
                // sorry, oops, we apologise, unfortunately
                "*عذرا*",
                "*عفوا*",
                "*نعتذر*",
                "*اسفون*",
                "*ناسف*",
                "*للاسف*",
                // token: "رمز" alone also means a code people type, so only the token senses
                "*رمز مميز*",
                "*توكن*",
                // error code, status code
                "*رمز الخطا*",
                "*رمز الحالة*",
                // server (jargon here; the copy says "service", خدمة)
                "*خادم*",
                "*سيرفر*",
                // credentials, exception (the word alone: "باستثناء" means "except")
                "*بيانات الاعتماد*",
                "استثناء",
            ],
            blaming: &[
                "*غير متطابق*",
                "*لا يتطابق*",
                "*لا تتطابق*",
                "*خاطئ*",
                "*خطا في كلمة المرور*",
                "*غير صحيح*",
                "*تحقق من كلمة المرور*",
                "*تحقق من عنوان بريدك الالكتروني وكلمة المرور*",
                "*البريد الالكتروني او كلمة المرور*",
                "*البريد الالكتروني وكلمة المرور*",
            ],
            instruction_starts: &["ادخل", "اختر", "صحح", "استخدم", "تحقق"],
            plural_categories: &["zero", "one", "two", "few", "many", "other"],
        }),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------
// Reading the locale files
// ---------------------------------------------------------------------------------------

/// One text of a locale: a plain entry, or one form of a plural.
struct Text {
    /// The key as the code uses it (`failure.timeout.body`).
    key: String,
    /// The plural category, for plural entries.
    form: Option<String>,
    text: String,
}

struct LocaleFile {
    locale: String,
    path: PathBuf,
    texts: Vec<Text>,
    /// Plural entries: key → the categories it has.
    plurals: BTreeMap<String, BTreeSet<String>>,
}

impl LocaleFile {
    fn get(&self, key: &str) -> Vec<&Text> {
        self.texts.iter().filter(|t| t.key == key).collect()
    }

    /// `locales/de.toml: locale `de` key `failure.x.title``: the start of every message.
    fn at(&self, t: &Text) -> String {
        let form = t
            .form
            .as_ref()
            .map(|f| format!(" ({f})"))
            .unwrap_or_default();
        format!(
            "{}: locale `{}` key `{}`{form}",
            self.display(),
            self.locale,
            t.key
        )
    }

    fn at_key(&self, key: &str) -> String {
        format!("{}: locale `{}` key `{key}`", self.display(), self.locale)
    }

    fn display(&self) -> String {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        self.path
            .strip_prefix(root)
            .unwrap_or(&self.path)
            .display()
            .to_string()
    }
}

use auth_contract::locale_file::{Item, walk};

fn flatten(table: &toml::Table, out: &mut LocaleFile) {
    walk(table, &mut |key, item| match item {
        Item::Text(s) => out.texts.push(Text {
            key,
            form: None,
            text: s.to_string(),
        }),
        Item::Plural(forms) => {
            for (cat, text) in &forms {
                out.texts.push(Text {
                    key: key.clone(),
                    form: Some(cat.to_string()),
                    text: text.unwrap_or_default().to_string(),
                });
            }
            out.plurals
                .insert(key, forms.iter().map(|(c, _)| c.to_string()).collect());
        }
        // build.rs refuses anything else, so the widget would not build.
        Item::Invalid => {}
    });
}

fn load() -> Vec<LocaleFile> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("locales entry").path())
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("toml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let source = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let table: toml::Table = toml::from_str(&source)
                .unwrap_or_else(|e| panic!("{}: not valid TOML: {e}", path.display()));
            let locale = path.file_stem().unwrap().to_string_lossy().into_owned();
            let mut file = LocaleFile {
                locale,
                path,
                texts: Vec::new(),
                plurals: BTreeMap::new(),
            };
            flatten(&table, &mut file);
            file
        })
        .collect()
}

fn rules_for(file: &LocaleFile) -> Result<Rules, String> {
    rules(&file.locale).ok_or_else(|| {
        format!(
            "{}: locale `{}` has no word lists: add its banned words, blaming phrases, \
             instruction words and plural categories to `rules` in tests/copy_lint.rs",
            file.display(),
            file.locale
        )
    })
}

fn report(what: &str, problems: Vec<String>) {
    assert!(
        problems.is_empty(),
        "{what} ({} problem{}):\n  {}\n",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" },
        problems.join("\n  ")
    );
}

// ---------------------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------------------

/// Lower case; Arabic without short vowels, shadda and tatweel, and with plain alef, so
/// "عذرًا" and "عذرا" match alike; curly apostrophes as straight ones.
fn normalize(text: &str) -> String {
    text.chars()
        .filter(|c| !matches!(c, '\u{064B}'..='\u{0652}' | '\u{0640}' | '\u{0670}'))
        .map(|c| match c {
            'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
            '\u{2019}' | '\u{2018}' => '\'',
            c => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Whether `pattern` (see [`Rules`]) occurs in `text`; both already normalised.
fn matches(text: &str, pattern: &str) -> bool {
    let open_start = pattern.starts_with('*');
    let open_end = pattern.ends_with('*') && pattern.len() > 1;
    let needle = pattern.trim_matches('*');
    text.match_indices(needle).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + needle.len()..].chars().next();
        (open_start || !before.is_some_and(is_word_char))
            && (open_end || !after.is_some_and(is_word_char))
    })
}

/// A run of exactly three digits (any script), like a status number "401" or "٥٠٣".
fn status_number(text: &str) -> Option<String> {
    let mut run = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_numeric() {
            run.push(c);
        } else {
            if run.chars().count() == 3 {
                return Some(run);
            }
            run.clear();
        }
    }
    None
}

/// The `{name}` placeholders of a text.
fn placeholders(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else { break };
        out.push(after[..end].to_string());
        rest = &after[end + 1..];
    }
    out
}

/// Copy kinds (`failure.<kind>`) whose fault is the service's, not the person's: kinds
/// where `FailureKind::is_service_side` holds, the copy the fixture table shows for them,
/// and the fallbacks for faults nobody could classify.
fn service_side_copy_kinds() -> BTreeSet<&'static str> {
    let mut kinds: BTreeSet<&str> = FailureKind::ALL
        .iter()
        .filter(|k| k.is_service_side())
        .map(|k| k.as_str())
        .collect();
    kinds.extend(
        FIXTURES
            .iter()
            .filter(|f| f.expect.kind.is_service_side())
            .map(|f| f.expect.words.as_str()),
    );
    kinds.extend(["internal_error", "unknown"]);
    kinds
}

/// The `failure.<kind>` tables in a locale (`failure.reference` is a line, not a table).
fn failure_tables(file: &LocaleFile) -> BTreeSet<String> {
    file.texts
        .iter()
        .filter_map(|t| t.key.strip_prefix("failure."))
        .filter_map(|rest| rest.split_once('.').map(|(kind, _)| kind.to_string()))
        .collect()
}

fn is_title(key: &str) -> bool {
    let last = key.rsplit('.').next().unwrap_or(key);
    last == "title" || last.starts_with("title_") || last.ends_with("_title")
}

// ---------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------

#[test]
fn the_lint_reads_every_locale_the_widget_compiles() {
    let files: BTreeSet<String> = load().into_iter().map(|f| f.locale).collect();
    let compiled: BTreeSet<String> = LOCALES.iter().map(|l| l.to_string()).collect();
    assert_eq!(
        files, compiled,
        "locales/*.toml and the compiled tables differ: rebuild with `cargo build`"
    );
    let mut problems = Vec::new();
    for file in load() {
        if let Err(e) = rules_for(&file) {
            problems.push(e);
        }
    }
    report("locales without word lists", problems);
}

#[test]
fn every_failure_has_a_title_and_a_body_in_every_locale() {
    let mut problems = Vec::new();
    for file in load() {
        let mut kinds: BTreeSet<String> = failure_tables(&file);
        kinds.extend(Words::all().map(|w| w.as_str().to_string()));
        for kind in kinds {
            for part in ["title", "body"] {
                let key = format!("failure.{kind}.{part}");
                let texts = file.get(&key);
                if texts.is_empty() {
                    problems.push(format!(
                        "{}: missing; every failure needs a {part}",
                        file.at_key(&key)
                    ));
                }
                for t in texts.iter().filter(|t| t.text.trim().is_empty()) {
                    problems.push(format!("{}: empty; write the {part}", file.at(t)));
                }
            }
        }
    }
    report("failures without a title or a body", problems);
}

#[test]
fn every_failure_in_the_fixture_table_offers_a_next_step() {
    let mut problems = Vec::new();
    for file in load() {
        let Ok(rules) = rules_for(&file) else {
            continue;
        };
        for f in FIXTURES {
            for action in f.expect.actions {
                let key = action.copy_key().as_str();
                let texts = file.get(key);
                if texts.is_empty() || texts.iter().any(|t| t.text.trim().is_empty()) {
                    problems.push(format!(
                        "{}: the button label is missing or empty (fixture \"{}\")",
                        file.at_key(key),
                        f.name
                    ));
                }
            }
            // No button: the body itself must tell the person what to do.
            if f.expect.actions.is_empty() {
                let key = f.expect.words.keys().1.as_str();
                // A field to correct is the next step of a refused field or a wrong code.
                let about_a_field = matches!(
                    f.expect.kind,
                    FailureKind::ValidationFailed
                        | FailureKind::CodeInvalid
                        | FailureKind::CodeUsed
                );
                if !about_a_field {
                    problems.push(format!(
                        "{}: fixture \"{}\" offers no action; only a refused field or code may \
                         rely on its wording (add an action in src/guidance.rs)",
                        file.at_key(key),
                        f.name
                    ));
                }
                for t in file.get(key) {
                    if !starts_with_instruction(&t.text, &rules) {
                        problems.push(instruction_problem(&file, t, &rules));
                    }
                }
            }
        }
        // Field errors are shown without buttons: each must be an instruction.
        for t in file.texts.iter().filter(|t| t.key.starts_with("field.")) {
            if !starts_with_instruction(&t.text, &rules) {
                problems.push(instruction_problem(&file, t, &rules));
            }
        }
    }
    report("failures without a next step", problems);
}

fn starts_with_instruction(text: &str, rules: &Rules) -> bool {
    let text = normalize(text);
    let first = text.split(|c: char| !is_word_char(c)).next().unwrap_or("");
    rules.instruction_starts.contains(&first)
}

fn instruction_problem(file: &LocaleFile, t: &Text, rules: &Rules) -> String {
    format!(
        "{}: \"{}\" is shown without a button, so it must start with an instruction \
         (one of: {})",
        file.at(t),
        t.text,
        rules.instruction_starts.join(", ")
    )
}

#[test]
fn no_locale_uses_banned_words_or_status_numbers() {
    let mut problems = Vec::new();
    for file in load() {
        let Ok(rules) = rules_for(&file) else {
            continue;
        };
        for t in &file.texts {
            let text = normalize(&t.text);
            for pattern in BANNED_EVERYWHERE.iter().chain(rules.banned) {
                if matches(&text, &normalize(pattern)) {
                    problems.push(format!(
                        "{}: \"{}\" uses the banned word `{}` (errors-13: plain words, no \
                         apologies, no pleading, no jargon); say what happened and what to do",
                        file.at(t),
                        t.text,
                        pattern.trim_matches('*')
                    ));
                }
            }
            if let Some(number) = status_number(&t.text) {
                problems.push(format!(
                    "{}: \"{}\" contains the number {number}, which reads like a status code \
                     (errors-13); describe the problem in words",
                    file.at(t),
                    t.text
                ));
            }
        }
    }
    report("banned words", problems);
}

#[test]
fn titles_bodies_and_buttons_fit_their_length_limits() {
    let mut problems = Vec::new();
    for file in load() {
        for t in &file.texts {
            let (limit, what) = if is_title(&t.key) {
                (MAX_TITLE, "title")
            } else if t.key.starts_with("action.") {
                (MAX_ACTION, "button label")
            } else {
                (MAX_BODY, "text")
            };
            let len = t.text.chars().count();
            if len > limit {
                problems.push(format!(
                    "{}: the {what} is {len} characters, more than {limit}; shorten it",
                    file.at(t)
                ));
            }
        }
    }
    report("texts over their length limit", problems);
}

#[test]
fn no_service_side_failure_suggests_the_persons_details_are_wrong() {
    let service_side = service_side_copy_kinds();
    let mut problems = Vec::new();
    for file in load() {
        let Ok(rules) = rules_for(&file) else {
            continue;
        };
        // The wrong-credentials message's own words: its title, and each sentence of its
        // body long enough to be recognisable (four words or more).
        let mut credential_words: Vec<String> = Vec::new();
        for t in file
            .get("failure.invalid_credentials.title")
            .into_iter()
            .chain(file.get("failure.invalid_credentials.body"))
        {
            credential_words.extend(
                t.text
                    .split(['.', '!', '?', '؟', '。'])
                    .map(normalize)
                    .map(|s| s.trim().to_string())
                    .filter(|s| s.split_whitespace().count() >= 4),
            );
        }
        for kind in &service_side {
            for part in ["title", "body"] {
                for t in file.get(&format!("failure.{kind}.{part}")) {
                    let text = normalize(&t.text);
                    for phrase in rules.blaming {
                        if matches(&text, &normalize(phrase)) {
                            problems.push(format!(
                                "{}: \"{}\" says `{}`, but `{kind}` is the service's fault \
                                 (errors-17); say the problem is on our side",
                                file.at(t),
                                t.text,
                                phrase.trim_matches('*')
                            ));
                        }
                    }
                    for words in &credential_words {
                        if text.contains(words.as_str()) {
                            problems.push(format!(
                                "{}: \"{}\" repeats the wrong-credentials message (\"{words}\"), \
                                 but `{kind}` is the service's fault (errors-17)",
                                file.at(t),
                                t.text
                            ));
                        }
                    }
                }
            }
        }
    }
    report("service-side failures that blame the person", problems);
}

#[test]
fn every_variable_in_every_locale_is_one_the_code_supplies() {
    let known: BTreeSet<&str> = SUPPLIED_VARIABLES.iter().map(|(name, _)| *name).collect();
    let mut problems = Vec::new();
    for file in load() {
        for t in &file.texts {
            for name in placeholders(&t.text) {
                if !known.contains(name.as_str()) {
                    problems.push(format!(
                        "{}: `{{{name}}}` is not a value the widget fills in (known: {}); \
                         people would see `{{{name}}}` as written",
                        file.at(t),
                        SUPPLIED_VARIABLES
                            .iter()
                            .map(|(n, what)| format!("{{{n}}} = {what}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
            }
        }
    }
    report("unknown variables", problems);
}

#[test]
fn every_plural_has_the_forms_its_language_needs() {
    let mut problems = Vec::new();
    for file in load() {
        let Ok(rules) = rules_for(&file) else {
            continue;
        };
        for (key, forms) in &file.plurals {
            let missing: Vec<&str> = rules
                .plural_categories
                .iter()
                .copied()
                .filter(|c| !forms.contains(*c))
                .collect();
            if !missing.is_empty() {
                problems.push(format!(
                    "{}: the plural lacks the form{} {} (`{}` needs {})",
                    file.at_key(key),
                    if missing.len() == 1 { "" } else { "s" },
                    missing.join(", "),
                    file.locale,
                    rules.plural_categories.join(", ")
                ));
            }
            // The `other` form is used for most numbers: it must show the number.
            for t in file.get(key) {
                if t.form.as_deref() == Some("other") && !t.text.contains("{n}") {
                    problems.push(format!(
                        "{}: the `other` form must contain {{n}}",
                        file.at(t)
                    ));
                }
            }
        }
    }
    report("incomplete plurals", problems);
}

// The lint's own matching, so a false positive or a miss shows up here first.
#[test]
fn banned_word_patterns_match_whole_words_prefixes_and_compounds() {
    assert!(matches("that was invalid.", "invalid*"));
    assert!(matches("invalidated", "invalid*"));
    assert!(!matches("apiary", "api"));
    assert!(matches("the api failed", "api"));
    assert!(matches("das sitzungstoken", "*token*"));
    assert!(matches(&normalize("Die Eingabe ist ungültig"), "ungültig*"));
    assert!(!matches("gebitten", "bitte"));
    assert!(matches(&normalize("عذرًا، حدث خطأ"), &normalize("*عذرا*")));
    assert!(!matches(&normalize("باستثناء"), &normalize("استثناء")));
    assert!(matches(
        &normalize("كلمة المرور خاطئة"),
        &normalize("*خاطئ*")
    ));
    assert_eq!(status_number("error 401 here").as_deref(), Some("401"));
    assert_eq!(status_number("خطأ ٥٠٣").as_deref(), Some("٥٠٣"));
    assert_eq!(status_number("at least 8 or 1000 or 2024"), None);
    assert!(is_title("failure.timeout.title"));
    assert!(is_title("status.outage_title"));
    assert!(is_title("form.title_login"));
    assert!(!is_title("failure.timeout.body"));
}
