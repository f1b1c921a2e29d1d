//! The gallery (demo feature): every failure state, field error, status banner and success,
//! in every shipped locale, light and dark, LTR and RTL, side by side, driven by the fixture
//! table. Copy is re-read from `/copy/{locale}.json` (the locale files, served live by the
//! reference server), so a designer edits a file, reloads, and sees every state change.

use super::banner::{FailureBanner, SuccessBanner, field_message};
use super::i18n::{I18n, Texts, fetch_overrides};
use super::signed_in::SignedIn;
use super::status::StatusView;
use crate::copy::{Key, Locale};
use crate::fixtures::FIXTURES;
use crate::form::DEFAULT_MIN_PASSWORD;
use crate::guidance::{ServiceState, SuccessKind};
use crate::taxonomy::{Field, FieldError, FieldErrorCode};
use crate::validate::{MAX_EMAIL_LEN, field_error_key};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::HashMap;
use std::sync::Arc;

/// The reference server's default longest password, for the gallery's example.
const EXAMPLE_MAX_PASSWORD: u32 = 1024;

/// One field error per message: every field with every code, less those that share another's
/// words.
fn field_errors() -> Vec<FieldError> {
    let mut shown: Vec<Key> = Vec::new();
    let mut out = Vec::new();
    for field in Field::ALL {
        for code in FieldErrorCode::ALL {
            let limit = match (field, code) {
                (Field::Email, FieldErrorCode::TooLong) => Some(MAX_EMAIL_LEN),
                (_, FieldErrorCode::TooLong) => Some(EXAMPLE_MAX_PASSWORD),
                (_, FieldErrorCode::TooShort) => Some(DEFAULT_MIN_PASSWORD),
                _ => None,
            };
            let e = FieldError {
                field,
                code,
                min: limit.filter(|_| code == FieldErrorCode::TooShort),
                max: limit.filter(|_| code == FieldErrorCode::TooLong),
            };
            let key = field_error_key(&e);
            if !shown.contains(&key) {
                shown.push(key);
                out.push(e);
            }
        }
    }
    out
}

/// One labelled cell.
#[component]
fn Cell(label: String, keys: String, children: Children) -> impl IntoView {
    view! {
        <figure class="gallery__cell">
            <figcaption class="gallery__label">
                <strong>{label}</strong>
                <code class="gallery__keys">{keys}</code>
            </figcaption>
            {children()}
        </figure>
    }
}

/// Every state for one locale and theme.
#[component]
fn Board(locale: Locale, theme: &'static str, i18n: RwSignal<I18n>) -> impl IntoView {
    let noop = Callback::new(|_| {});
    let failures = FIXTURES
        .iter()
        .filter_map(|f| {
            let (g, errors) = f.guidance()?;
            let remaining = RwSignal::new(g.countdown.unwrap_or(0));
            let keys = format!(
                "data-failure={} · {} · {}",
                g.kind.as_str(),
                g.title_key().as_str(),
                g.body_key().as_str()
            );
            Some(view! {
                <Cell label=f.name.to_string() keys=keys>
                    <FailureBanner guidance=g field_errors=errors i18n=i18n remaining=remaining
                        id_prefix=format!("g-{}-{theme}", locale.tag()) on_action=noop node_ref=NodeRef::new() />
                </Cell>
            })
        })
        .collect_view();
    let fields = field_errors()
        .into_iter()
        .map(|e| {
            let keys = field_error_key(&e).as_str().to_string();
            view! {
                <Cell label=format!("Field error: {keys}") keys=keys.clone()>
                    <p class="aw-field__error">
                        <span class="aw-visually-hidden">{move || i18n.get().t(Key::FormErrorPrefix)}" "</span>
                        {move || field_message(&i18n.get(), &e)}
                    </p>
                </Cell>
            }
        })
        .collect_view();
    let statuses = ServiceState::ALL
        .into_iter()
        .filter(|s| s.shows_banner())
        .map(|s| {
            let name = s.as_str();
            let keys = format!("data-status={name} · {} · {}", s.title().as_str(), Key::StatusBody.as_str());
            view! {
                <Cell label=format!("Service status: {name}") keys=keys>
                    <StatusView state=s message=Some("Operator message (shown as written)".to_string()) i18n=i18n />
                </Cell>
            }
        })
        .collect_view();
    let successes = SuccessKind::ALL
        .into_iter()
        .map(|k| {
            let (title, body) = k.keys();
            let email = "name@example.com".to_string();
            // Signing in or up shows the signed-in view in the form's place; the rest a banner.
            let shown = if k.signed_in() {
                view! { <SignedIn kind=k email=email i18n=i18n on_sign_out=Callback::new(|()| {}) heading=NodeRef::new() /> }
                    .into_any()
            } else {
                view! { <SuccessBanner kind=k email=email i18n=i18n /> }.into_any()
            };
            let label = if k.signed_in() { "Signed-in view" } else { "Success" };
            view! {
                <Cell label=format!("{label}: {}", k.as_str()) keys=format!("{} · {}", title.as_str(), body.as_str())>
                    {shown}
                </Cell>
            }
        })
        .collect_view();
    let dir = if locale.is_rtl() { "rtl" } else { "ltr" };
    view! {
        <section class="aw-widget gallery__board" data-theme=theme dir=dir
            lang=locale.tag() aria-label=format!("{} {}", locale.tag(), theme)>
            <h2 class="gallery__title">{format!("{} · {theme} · {dir}", locale.tag())}</h2>
            <div class="gallery__grid">{failures}{fields}{statuses}{successes}</div>
        </section>
    }
}

/// The whole gallery.
#[component]
pub fn Gallery() -> impl IntoView {
    let overrides: RwSignal<HashMap<&'static str, Arc<Texts>>> = RwSignal::new(HashMap::new());
    let note = RwSignal::new(String::new());
    let custom_url = RwSignal::new(String::new());
    let reload = move || {
        spawn_local(async move {
            let mut loaded = HashMap::new();
            let custom = custom_url.get_untracked();
            for locale in Locale::all() {
                let url = if custom.is_empty() {
                    format!("/copy/{}.json", locale.tag())
                } else {
                    custom.clone()
                };
                if let Some(o) = fetch_overrides(&url).await {
                    loaded.insert(locale.tag(), Arc::new(o));
                }
            }
            let n = loaded.len();
            overrides.set(loaded);
            note.set(if n == 0 {
                "Showing the copy built into the widget (no live locale files found).".to_string()
            } else {
                format!("Live copy loaded for {n} locale(s). Edit a locale file and reload.")
            });
        });
    };
    reload();
    let boards = Locale::all()
        .flat_map(|locale| ["light", "dark"].map(move |theme| (locale, theme)))
        .map(|(locale, theme)| {
            // Each board's copy follows the live locale files as they are (re)loaded.
            let i18n = RwSignal::new(I18n {
                locale,
                ..I18n::default()
            });
            Effect::new(move |_| {
                let o = overrides.get().get(locale.tag()).cloned();
                i18n.update(|i| i.overrides = o);
            });
            view! { <Board locale=locale theme=theme i18n=i18n /> }
        })
        .collect_view();
    view! {
        <main class="gallery">
            <h1>"auth-widget gallery"</h1>
            <p>"Every state in every locale, light and dark. Labels give the failure kind and copy keys."</p>
            <div class="gallery__controls">
                <label for="gallery-copy-url">"Preview a copy file (URL of a JSON copy file; empty: live locale files)"</label>
                <input id="gallery-copy-url" type="text" bind:value=custom_url />
                <button type="button" on:click=move |_| reload()>"Reload copy"</button>
                <p role="status">{move || note.get()}</p>
            </div>
            {boards}
        </main>
    }
}

/// Replaces the page with the gallery.
pub fn mount_gallery() {
    if let Some(body) = document().body() {
        body.set_inner_html("");
        leptos::mount::mount_to(body, Gallery).forget();
    }
}
