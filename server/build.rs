//! Compiles the copy files (`locales/*.toml`, the same the widget compiles) into the server, so
//! its emails speak every shipped language. The widget's build checks the files' keys.

use std::fmt::Write;
use std::path::Path;

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR");
    let dir = Path::new(&manifest).join("../locales");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("locales entry").path())
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("toml"))
        .map(|p| {
            let tag = p.file_stem().unwrap().to_string_lossy().into_owned();
            let path = p.canonicalize().expect("locale file path");
            (tag, path.to_string_lossy().into_owned())
        })
        .collect();
    files.sort();
    let mut out = String::from(
        "/// `(locale tag, file text)` of every `locales/*.toml`, by tag.\n\
         pub const LOCALE_FILES: &[(&str, &str)] = &[\n",
    );
    for (tag, path) in &files {
        println!("cargo:rerun-if-changed={path}");
        let _ = writeln!(out, "    ({tag:?}, include_str!({path:?})),");
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("locale_files.rs");
    std::fs::write(dest, out).expect("write locale_files.rs");
}
