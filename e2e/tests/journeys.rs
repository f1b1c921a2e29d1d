//! End-to-end journeys through the built demo page (`dist/`, served by auth-server) in
//! headless Chromium and headless Firefox, driven like a person: click, type, Tab, Enter.
//! Requirement ids (`errors-10`, `sessions-20`, …) are those of docs/standards.md.
//!
//! Run: `bash scripts/e2e.sh` (builds what is missing), or
//! `AUTH_WIDGET_E2E=1 cargo test -p auth-widget-e2e`, with `E2E_BROWSERS=chromium` or
//! `firefox` to pick one browser and a name filter after `--`.

#[path = "journeys/accounts.rs"]
mod accounts;
#[path = "journeys/codes.rs"]
mod codes;
#[path = "journeys/faults.rs"]
mod faults;
#[path = "journeys/gallery.rs"]
mod gallery;
#[path = "journeys/host.rs"]
mod host;
#[path = "journeys/keyboard.rs"]
mod keyboard;
#[path = "journeys/links.rs"]
mod links;
#[path = "journeys/package.rs"]
mod package;
#[path = "journeys/passkeys.rs"]
mod passkeys;
#[path = "journeys/security.rs"]
mod security;
#[path = "journeys/status.rs"]
mod status;
mod support;
#[path = "journeys/waits.rs"]
mod waits;

use support::runner::Journey;

static JOURNEYS: &[Journey] = &[
    journey!(accounts::sign_up_verifies_the_session_then_log_out_and_log_in_again),
    journey!(accounts::wrong_password_keeps_the_email_clears_the_password_and_focuses_the_summary),
    journey!(accounts::unknown_email_looks_exactly_like_a_wrong_password),
    journey!(
        accounts::lockout_after_ten_failures_shows_the_wrong_details_words_and_reset_still_works
    ),
    journey!(links::sign_up_then_the_emailed_link_confirms_the_address_then_sign_in),
    journey!(
        links::forgot_password_then_the_emailed_link_sets_a_new_one_and_ends_every_session,
        90
    ),
    journey!(
        codes::one_time_codes_a_wrong_code_a_used_code_then_a_new_code_and_a_recovery_code,
        90
    ),
    journey!(passkeys::passkeys_made_by_the_browser_register_and_sign_in),
    journey!(
        keyboard::keyboard_only_login_follows_the_standard_tab_order_and_the_toggle_works_by_key
    ),
    journey!(
        faults::every_injected_fault_shows_its_own_banner_and_focuses_the_summary,
        180
    ),
    journey!(faults::session_invalid_incident_blames_the_service_and_never_the_password),
    journey!(waits::rate_limit_counts_down_to_zero_then_submit_works_again),
    journey!(waits::timeout_is_reported_and_the_person_can_try_again, 90),
    journey!(waits::try_again_after_a_service_fault_resends_without_retyping_the_password),
    journey!(waits::server_stopped_mid_journey_reads_as_unreachable),
    journey!(status::known_incidents_are_shown_before_anyone_tries),
    journey!(status::server_supplied_strings_render_as_text),
    journey!(security::nothing_can_be_submitted_before_the_webassembly_loads),
    journey!(security::a_native_submit_posts_and_never_puts_the_password_in_a_url),
    journey!(gallery::every_state_in_every_locale_and_theme_with_a_screenshot_per_theme),
    journey!(host::a_host_page_on_another_origin_signs_in_with_cors_credentials),
    journey!(host::the_embed_shows_its_form_at_once_and_says_so_when_the_webassembly_cannot_load),
    journey!(host::a_widget_in_another_locale_loads_its_copy_file_and_speaks_it),
    journey!(
        host::offline_before_the_webassembly_arrives_then_back_online_goes_live_with_the_email_kept
    ),
    journey!(package::pre_rendered_markup_is_the_first_screen_the_element_draws),
    journey!(
        package::pre_rendered_markup_is_adopted_and_stale_markup_is_redrawn_keeping_what_was_typed
    ),
    journey!(package::a_react_app_renders_the_element_and_hears_its_events),
];

/// Every `pub async fn` in `journeys/*.rs` that `JOURNEYS` does not list (`module::function`):
/// a journey written but not listed would otherwise never run.
fn unlisted_journeys() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/journeys");
    let mut unlisted = Vec::new();
    let files = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for file in files.flatten().map(|f| f.path()) {
        let Some(module) = file.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        for line in text.lines() {
            let Some(rest) = line.strip_prefix("pub async fn ") else {
                continue;
            };
            let name = rest.split(['(', '<']).next().unwrap_or_default().trim();
            let full = format!("{module}::{name}");
            if !JOURNEYS.iter().any(|j| j.name == full) {
                unlisted.push(full);
            }
        }
    }
    unlisted
}

fn main() {
    let unlisted = unlisted_journeys();
    if !unlisted.is_empty() {
        eprintln!(
            "e2e: journeys written but not listed in JOURNEYS (e2e/tests/journeys.rs), so they would never run:\n  {}",
            unlisted.join("\n  ")
        );
        std::process::exit(1);
    }
    if std::env::var_os("AUTH_WIDGET_E2E").is_none() {
        println!("e2e journeys skipped: run `bash scripts/e2e.sh` (or set AUTH_WIDGET_E2E=1)");
        return;
    }
    // The WebDriver client speaks TLS through rustls, which picks its crypto provider by
    // feature. `make test` builds the whole workspace at once, where the server's mail client
    // turns on `ring` beside fantoccini's `aws-lc-rs`; with two, rustls will not guess.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    // The runner prints each failure with its journey; keep the panic's place only.
    std::panic::set_hook(Box::new(|info| {
        if let Some(l) = info.location() {
            eprintln!("    panicked at {}:{}", l.file(), l.line());
        }
    }));
    if !support::runner::main(JOURNEYS) {
        std::process::exit(101);
    }
}
