//! Prints copy the embed build ships outside the WebAssembly (see `src/shell.rs`):
//! with no argument, the first screen's definition and copy in every locale, which `scripts/embed.sh` writes
//! into `dist/embed/auth-widget.js`; with a locale tag (`embed_copy de`), that locale's whole
//! copy, which it writes to `dist/embed/locales/de.json`.

use auth_widget::copy::Locale;
use std::process::ExitCode;

fn main() -> ExitCode {
    match std::env::args().nth(1) {
        None => println!("{}", auth_widget::shell::spec_json()),
        Some(tag) => match Locale::from_tag(&tag).filter(|l| l.tag() == tag) {
            Some(locale) => println!("{}", auth_widget::shell::locale_json(locale)),
            None => {
                eprintln!("embed_copy: no locale `{tag}` in locales/");
                return ExitCode::FAILURE;
            }
        },
    }
    ExitCode::SUCCESS
}
