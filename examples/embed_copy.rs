//! Prints what the embed build and the npm package ship outside the WebAssembly, all made from
//! the Rust definitions the live widget renders from (see `src/shell.rs`, `src/package.rs`):
//! - no argument: the first screen's definition and copy in every locale, which
//!   `scripts/embed.sh` writes into `dist/embed/auth-widget.js`;
//! - a locale tag (`embed_copy de`): that locale's whole copy (`dist/embed/locales/de.json`);
//! - `--markup MODE TAG`: the first screen of that mode in that locale as HTML
//!   (`dist/embed/markup/MODE.TAG.html`), for a page to put inside `<auth-widget>`;
//! - `--manifest` and `--types`: the package's `custom-elements.json` and `auth-widget.d.ts`
//!   (`scripts/package.sh`).

use auth_widget::copy::Locale;
use auth_widget::form::Mode;
use intl_pluralrules::{PluralCategory, PluralRuleType, PluralRules};
use std::process::ExitCode;

/// The CLDR cardinal category of `n` in `tag`, as the browser's `Intl.PluralRules` names it.
fn plural(tag: &str) -> impl Fn(u64) -> &'static str {
    let langid: unic_langid::LanguageIdentifier = tag.parse().expect("a shipped locale's tag");
    let rules = PluralRules::create(langid, PluralRuleType::CARDINAL).expect("CLDR rules");
    move |n| match rules.select(n).unwrap_or(PluralCategory::OTHER) {
        PluralCategory::ZERO => "zero",
        PluralCategory::ONE => "one",
        PluralCategory::TWO => "two",
        PluralCategory::FEW => "few",
        PluralCategory::MANY => "many",
        PluralCategory::OTHER => "other",
    }
}

fn locale(tag: &str) -> Option<Locale> {
    Locale::from_tag(tag).filter(|l| l.tag() == tag)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        [] => println!("{}", auth_widget::shell::spec_json()),
        ["--manifest"] => println!("{}", auth_widget::package::custom_elements_json()),
        ["--types"] => print!("{}", auth_widget::package::typescript_declarations()),
        ["--markup", mode, tag] => match (Mode::parse(mode), locale(tag)) {
            (Some(mode), Some(l)) => {
                println!("{}", auth_widget::shell::markup_html(mode, l, &plural(tag)))
            }
            _ => {
                eprintln!("embed_copy: no mode `{mode}` or no locale `{tag}`");
                return ExitCode::FAILURE;
            }
        },
        [tag] => match locale(tag) {
            Some(l) => println!("{}", auth_widget::shell::locale_json(l)),
            None => {
                eprintln!("embed_copy: no locale `{tag}` in locales/");
                return ExitCode::FAILURE;
            }
        },
        _ => {
            eprintln!("usage: embed_copy [TAG | --markup MODE TAG | --manifest | --types]");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
