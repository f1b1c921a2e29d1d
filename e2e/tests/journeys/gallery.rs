//! The gallery (`/gallery.html`, the demo page copied by `make build-demo`): every state in
//! every locale × theme, with live copy from the locale files, and a screenshot per theme for
//! the test output, so copy reviewers can see every state without running the demo.

use crate::support::browser::full_page_png;
use crate::support::page::Ctx;
use crate::support::procs::{artifacts, workspace};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::sync::Arc;

/// `FailureKind::ALL.len()`, read from `src/taxonomy.rs` (`ALL: [FailureKind; N]`).
fn failure_kinds() -> usize {
    let path = workspace().join("src/taxonomy.rs");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let (_, rest) = text
        .split_once("ALL: [FailureKind; ")
        .expect("src/taxonomy.rs declares ALL: [FailureKind; N]");
    let n: String = rest.chars().take_while(char::is_ascii_digit).collect();
    n.parse().expect("N is a number")
}

/// Six boards (en, de, ar × light, dark), each with the same full set of failure banners,
/// status banners and successes; ar is right-to-left; the live copy was loaded. Then one
/// full-page screenshot per theme: `target/e2e/gallery-<browser>-{light,dark}.png`.
pub async fn every_state_in_every_locale_and_theme_with_a_screenshot_per_theme(cx: Arc<Ctx>) {
    cx.open_url(&cx.server.url("/gallery.html")).await;
    cx.wait(
        "six gallery boards",
        "document.querySelectorAll('section.gallery__board').length >= 6",
    )
    .await;
    cx.wait(
        "the live-copy note",
        "[...document.querySelectorAll('p[role=status]')]\
           .some(p => p.textContent.startsWith('Live copy loaded for 3 locale(s)'))",
    )
    .await;
    let boards = cx
        .js(
            "return [...document.querySelectorAll('section.gallery__board')].map(b => ({\
               lang: b.getAttribute('lang'), theme: b.dataset.theme, dir: b.getAttribute('dir'),\
               failures: b.querySelectorAll('[data-failure]').length,\
               kinds: [...new Set([...b.querySelectorAll('[data-failure]')].map(e => e.dataset.failure))],\
               statuses: b.querySelectorAll('[data-status]').length,\
               outcomes: b.querySelectorAll('[data-outcome]').length }));",
            vec![],
        )
        .await;
    let boards = boards.as_array().expect("a list of boards");
    let b = cx.browser();
    assert_eq!(
        boards.len(),
        6,
        "{b}: one board per locale × theme: {boards:?}"
    );
    let pairs: BTreeSet<(String, String)> = boards
        .iter()
        .map(|x| (str_of(&x["lang"]), str_of(&x["theme"])))
        .collect();
    let expected: BTreeSet<(String, String)> = ["en", "de", "ar"]
        .iter()
        .flat_map(|l| ["light", "dark"].map(|t| (l.to_string(), t.to_string())))
        .collect();
    assert_eq!(pairs, expected, "{b}: the boards' locales and themes");
    let kinds = failure_kinds();
    let first = &boards[0];
    for board in boards {
        let name = format!("{} {}", str_of(&board["lang"]), str_of(&board["theme"]));
        let dir = if board["lang"] == json!("ar") {
            "rtl"
        } else {
            "ltr"
        };
        assert_eq!(str_of(&board["dir"]), dir, "{b}: {name} board's dir");
        for count in ["failures", "statuses", "outcomes"] {
            assert_eq!(
                board[count], first[count],
                "{b}: {name} board has a different number of {count} than the first board"
            );
        }
        let failures = board["failures"].as_u64().unwrap_or_default() as usize;
        assert!(
            failures >= kinds,
            "{b}: {name} board shows {failures} failure banners, fewer than the {kinds} kinds"
        );
        let distinct = board["kinds"].as_array().map_or(0, Vec::len);
        assert_eq!(
            distinct, kinds,
            "{b}: {name} board shows every failure kind once or more: {}",
            board["kinds"]
        );
        assert!(
            board["statuses"].as_u64() > Some(0) && board["outcomes"].as_u64() > Some(0),
            "{b}: {name} board shows status banners and successes: {board}"
        );
    }
    println!(
        "    {b}: 6 boards × {} failure banners ({kinds} kinds), {} status banners, {} successes",
        first["failures"], first["statuses"], first["outcomes"]
    );

    // One screenshot per theme: the other theme's boards are hidden, the whole page is taken.
    for theme in ["light", "dark"] {
        cx.js(
            "const s = document.createElement('style'); s.id = 'e2e-one-theme';\
             s.textContent = 'section.gallery__board:not([data-theme=' + arguments[0] + ']) { display: none; }';\
             document.head.append(s); scrollTo(0, 0); return true;",
            vec![json!(theme)],
        )
        .await;
        cx.wait(
            &format!("only the {theme} boards shown"),
            "[...document.querySelectorAll('section.gallery__board')]\
               .filter(b => b.offsetParent !== null).length === 3",
        )
        .await;
        let png = full_page_png(&cx.client, cx.kind).await;
        assert!(
            png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000,
            "{b}: the {theme} screenshot is not a PNG ({} bytes)",
            png.len()
        );
        // PNG header: width and height are big-endian at bytes 16..24.
        let height = u32::from_be_bytes([png[20], png[21], png[22], png[23]]);
        assert!(
            height > 900,
            "{b}: the {theme} screenshot is {height} px tall: not the whole page"
        );
        let path = artifacts().join(format!("gallery-{b}-{theme}.png"));
        std::fs::write(&path, &png).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        println!("    screenshot: {} ({height} px tall)", path.display());
        cx.js(
            "document.getElementById('e2e-one-theme').remove(); return true;",
            vec![],
        )
        .await;
    }
    cx.finish(&[]).await;
}

fn str_of(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}
