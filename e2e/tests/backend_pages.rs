//! The widget (`dist/embed/`) on a page of its own origin, signing in against the real
//! better-auth, django-allauth and Firebase Auth emulator servers in headless Chromium and
//! Firefox, through the built-in profiles (`backend="…"`), and against a small JSON API the
//! profiles never saw, through a profile file written from docs/backends.md.
//!
//! Each server starts once per run and serves every case in both browsers; each case opens a
//! fresh page with no cookies. Every banner is checked against the copy (never raw server text,
//! never wrong-password words for a wait or a fault) and holds focus.
//!
//! Run with `make test-backends` (ignored by a plain `cargo test`); `E2E_BROWSERS=chromium`
//! picks one browser.

#[allow(dead_code, unused_imports, unused_macros)]
mod support;

use serde_json::json;
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};
use support::browser::{Browser, Kind};
use support::checks::Expect;
use support::page::Ctx;
use support::procs::{RemoveOnDrop, artifacts, workspace};
use support::server::Server;

const SEEDED: (&str, &str) = ("seeded@example.com", "correct horse battery staple");
const GOOD_PASSWORD: &str = "a long and unusual passphrase 7";
const WRONG_PASSWORD: &str = "not the password 1";

/// One real auth server (`scripts/backends.sh serve`), stopped with its process group on drop.
struct Backend {
    child: Child,
    api: String,
    stopped: bool,
}

impl Backend {
    fn start(name: &str, verification: &str, origins: &str, env: &[(&str, &str)]) -> Backend {
        let mut child = Command::new("bash")
            .arg(workspace().join("scripts/backends.sh"))
            .args(["serve", name])
            .env("BACKEND_ORIGINS", origins)
            .env("BACKEND_EMAIL_VERIFICATION", verification)
            .env("BACKEND_SEED_EMAIL", SEEDED.0)
            .env("BACKEND_SEED_PASSWORD", SEEDED.1)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .process_group(0)
            .spawn()
            .expect("bash runs scripts/backends.sh");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped"))
            .read_line(&mut line)
            .expect("reads the launcher's output");
        let api = line.trim().to_string();
        assert!(
            api.starts_with("http://127.0.0.1:"),
            "{name} did not start (see its output above)"
        );
        Backend {
            child,
            api,
            stopped: false,
        }
    }

    /// Stops the server and waits until it is gone.
    fn stop(&mut self) {
        if std::mem::replace(&mut self.stopped, true) {
            return;
        }
        let _ = Command::new("kill")
            .args(["-TERM", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.wait();
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The page every case opens: it loads the embed and adds one `<auth-widget>` with the
/// attributes of its query string.
const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>auth-widget against a real backend</title>
  <link rel="stylesheet" href="/embed/auth-widget.css">
  <script type="module" src="/embed/auth-widget.js"></script>
  <script type="module" src="/page.js"></script>
</head>
<body><main></main></body>
</html>
"#;

const PAGE_JS: &str = "const el = document.createElement('auth-widget');\n\
    for (const [k, v] of new URLSearchParams(location.search)) el.setAttribute(k, v);\n\
    document.querySelector('main').append(el);\n";

/// A static folder with the page, the embed and any profile files, served on one page origin
/// per browser (so the API is always on another origin).
struct Pages {
    dir: std::path::PathBuf,
    _remove: RemoveOnDrop,
}

impl Pages {
    fn new(label: &str) -> Pages {
        let embed = workspace().join("dist/embed");
        assert!(
            embed.join("auth-widget.js").exists(),
            "dist/embed/ is missing: run `bash scripts/embed.sh`"
        );
        let dir = artifacts().join(format!("{label}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("embed/locales")).expect("create the page dir");
        copy_dir(&embed, &dir.join("embed"));
        std::fs::write(dir.join("index.html"), PAGE).expect("write the page");
        std::fs::write(dir.join("page.js"), PAGE_JS).expect("write the page script");
        // Profile files, served by the page's own origin as a team would host them: the one
        // written from docs/backends.md for the Pebble API, and one that is not a profile.
        std::fs::copy(
            workspace().join("e2e/tests/backends/pebble.json"),
            dir.join("pebble.json"),
        )
        .expect("copy pebble.json");
        std::fs::write(
            dir.join("broken.json"),
            r#"{"version": 1, "name": "broken"}"#,
        )
        .expect("write broken.json");
        Pages {
            _remove: RemoveOnDrop(dir.clone()),
            dir,
        }
    }
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("create a dir");
    for entry in std::fs::read_dir(from).expect("read a dir").flatten() {
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("copy a file");
        }
    }
}

fn browsers() -> Vec<Kind> {
    std::env::var("E2E_BROWSERS")
        .unwrap_or_else(|_| "chromium,firefox".to_string())
        .split(',')
        .filter_map(Kind::parse)
        .collect()
}

static NEXT: AtomicU32 = AtomicU32::new(1);

fn unique(cx: &Ctx, what: &str) -> String {
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    cx.unique_email(&format!("{what}{n}"))
}

/// What a case's widget is given.
struct Widget<'a> {
    backend: &'a str,
    api: &'a str,
    mode: &'a str,
}

impl Ctx {
    /// Opens the page with a widget for `w` and waits until it is live.
    async fn widget(&self, w: &Widget<'_>) {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("backend", w.backend)
            .append_pair("api-base", w.api)
            .append_pair("api-key", "fake-web-api-key")
            .append_pair("mode", w.mode)
            .append_pair("locale", "en")
            .finish();
        self.open_url(&self.server.url(&format!("/index.html?{query}")))
            .await;
        self.wait(
            "the live widget",
            "document.querySelector('auth-widget[data-aw-instance] input[name=email]') && \
             !document.querySelector('[data-aw-shell]')",
        )
        .await;
    }

    async fn submit(&self, email: &str, password: Option<&str>) {
        self.type_in("input[name=email]", email).await;
        match password {
            Some(p) => {
                self.type_in("input[name=password]", p).await;
                self.enter_in("input[name=password]").await;
            }
            None => self.enter_in("input[name=email]").await,
        }
    }

    async fn expect_success(&self, outcome: &str) {
        self.wait(
            &format!("the {outcome} confirmation"),
            &format!("document.querySelector('auth-widget [data-outcome={outcome}]')"),
        )
        .await;
        assert!(
            !self.exists("auth-widget [data-failure]").await,
            "{}: no failure banner beside the {outcome} confirmation",
            self.browser()
        );
    }

    /// The whole banner text of the failure shown now.
    async fn banner_text(&self) -> String {
        self.text("auth-widget [data-failure]").await
    }

    /// Waits for the banner of the answer to the last submit (the old one is replaced).
    async fn next_failure(&self) -> String {
        self.wait(
            "the answer to the submit",
            "document.querySelector('auth-widget [data-failure]') && \
             document.querySelector('auth-widget button[type=submit]').getAttribute('aria-busy') === 'false'",
        )
        .await;
        self.js(
            "return document.querySelector('auth-widget [data-failure]').getAttribute('data-failure');",
            vec![],
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
    }
}

// ---- the cases every backend goes through ---------------------------------------------------

async fn sign_in_checks_the_session_then_sign_out_ends_it(cx: &Ctx, backend: &str, api: &str) {
    let w = Widget {
        backend,
        api,
        mode: "login",
    };
    cx.widget(&w).await;
    cx.submit(SEEDED.0, Some(SEEDED.1)).await;
    cx.expect_success("login").await;
    let urls = cx.requested_urls().await;
    let session_path = match backend {
        "better-auth" => "/get-session",
        "allauth" => "/auth/session",
        _ => "/accounts:lookup",
    };
    assert!(
        urls.iter().any(|u| u.contains(session_path)),
        "{}: the session was checked after sign-in; requests:\n{}",
        cx.browser(),
        urls.join("\n")
    );
    cx.find("auth-widget [data-action=sign_out]")
        .await
        .click()
        .await
        .expect("click sign out");
    cx.expect_success("logout").await;
    cx.finish(&[SEEDED.1]).await;
}

async fn wrong_password_and_unknown_email_read_alike(cx: &Ctx, backend: &str, api: &str) {
    let w = Widget {
        backend,
        api,
        mode: "login",
    };
    cx.widget(&w).await;
    cx.submit(SEEDED.0, Some(WRONG_PASSWORD)).await;
    cx.expect_failure(Expect {
        kind: "invalid_credentials",
        copy: "invalid_credentials",
    })
    .await;
    let wrong = cx.banner_text().await;
    cx.widget(&w).await;
    cx.submit(&unique(cx, "nobody"), Some(WRONG_PASSWORD)).await;
    cx.expect_failure(Expect {
        kind: "invalid_credentials",
        copy: "invalid_credentials",
    })
    .await;
    assert_eq!(
        cx.banner_text().await,
        wrong,
        "{}: unknown email and wrong password look the same",
        cx.browser()
    );
}

async fn sign_up(cx: &Ctx, backend: &str, api: &str, expect: &str) -> String {
    let email = unique(cx, "new");
    cx.widget(&Widget {
        backend,
        api,
        mode: "signup",
    })
    .await;
    cx.submit(&email, Some(GOOD_PASSWORD)).await;
    cx.expect_success(expect).await;
    email
}

async fn taken_email_is_said_so(cx: &Ctx, backend: &str, api: &str) {
    cx.widget(&Widget {
        backend,
        api,
        mode: "signup",
    })
    .await;
    cx.submit(SEEDED.0, Some(GOOD_PASSWORD)).await;
    cx.expect_failure(Expect {
        kind: "email_taken",
        copy: "email_taken",
    })
    .await;
}

/// A password the backend (or, when the widget's own minimum is stricter, the widget) refuses:
/// the reason sits at the password field.
async fn weak_password_reason_is_at_the_field(cx: &Ctx, backend: &str, api: &str, pw: &str) {
    cx.widget(&Widget {
        backend,
        api,
        mode: "signup",
    })
    .await;
    cx.submit(&unique(cx, "weak"), Some(pw)).await;
    cx.expect_failure(Expect {
        kind: "validation_failed",
        copy: "validation_failed",
    })
    .await;
    assert_eq!(
        cx.prop("auth-widget input[name=password]", "ariaInvalid")
            .await,
        json!("true"),
        "{}: the password field is marked",
        cx.browser()
    );
    let described = cx
        .js(
            "const f = document.querySelector('auth-widget input[name=password]');\n\
             const ids = (f.getAttribute('aria-describedby') || '').split(' ');\n\
             return ids.map((id) => document.getElementById(id)).filter(Boolean)\n\
               .map((e) => e.textContent).join(' ');",
            vec![],
        )
        .await;
    assert!(
        described.as_str().is_some_and(|t| t.contains("Error:")),
        "{}: the field's reason is its description: {described}",
        cx.browser()
    );
}

async fn unverified_sign_in_says_check_your_inbox(cx: &Ctx, backend: &str, api: &str) {
    let email = sign_up(cx, backend, api, "verify_email").await;
    cx.widget(&Widget {
        backend,
        api,
        mode: "login",
    })
    .await;
    cx.submit(&email, Some(GOOD_PASSWORD)).await;
    cx.expect_failure(Expect {
        kind: "email_unverified",
        copy: "email_unverified",
    })
    .await;
}

async fn reset_request_is_confirmed(cx: &Ctx, backend: &str, api: &str) {
    for email in [SEEDED.0.to_string(), unique(cx, "nobody")] {
        cx.widget(&Widget {
            backend,
            api,
            mode: "reset",
        })
        .await;
        cx.submit(&email, None).await;
        cx.expect_success("reset").await;
    }
}

/// Wrong passwords until the backend's limit: every answer before it is wrong-details words,
/// the limit is a wait (a countdown when the backend gives a time), never those words.
async fn the_limit_is_a_wait_never_wrong_details(
    cx: &Ctx,
    backend: &str,
    api: &str,
    email: &str,
    countdown: bool,
) {
    let w = Widget {
        backend,
        api,
        mode: "login",
    };
    cx.widget(&w).await;
    let started = Instant::now();
    let mut kind = String::new();
    for _ in 0..8 {
        cx.submit(email, Some(WRONG_PASSWORD)).await;
        kind = cx.next_failure().await;
        if kind == "rate_limited" {
            break;
        }
        assert_eq!(kind, "invalid_credentials", "{}", cx.browser());
        // A fresh page each time: the banner of the next answer is a new one.
        cx.widget(&w).await;
    }
    assert_eq!(
        kind,
        "rate_limited",
        "{}: {backend} limited the attempts within {:?}",
        cx.browser(),
        started.elapsed()
    );
    cx.expect_failure(Expect {
        kind: "rate_limited",
        copy: "rate_limited",
    })
    .await;
    let shown = cx.exists("auth-widget [data-countdown]").await;
    assert_eq!(
        shown,
        countdown,
        "{}: a countdown exactly when {backend} gives a time",
        cx.browser()
    );
    if countdown {
        assert_eq!(
            cx.prop("auth-widget button[type=submit]", "disabled").await,
            json!(true),
            "{}: submit waits for the countdown",
            cx.browser()
        );
    }
}

async fn a_stopped_server_is_unreachable(cx: &Ctx, backend: &str, api: &str) {
    cx.widget(&Widget {
        backend,
        api,
        mode: "login",
    })
    .await;
    cx.submit(SEEDED.0, Some(SEEDED.1)).await;
    cx.expect_failure(Expect {
        kind: "unreachable",
        copy: "unreachable",
    })
    .await;
}

// ---- running them --------------------------------------------------------------------------

/// Starts one page server per browser, then `start` (given the page origins) the backends, then
/// runs `cases` in each browser in turn on its page server.
async fn in_each_browser<B, F>(label: &str, start: impl FnOnce(&str) -> B, cases: F)
where
    F: for<'a> Fn(&'a Ctx, &'a B) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + 'a>>,
{
    let started = Instant::now();
    let pages = Pages::new(&format!("pages-{label}"));
    let kinds = browsers();
    let servers: Vec<Server> = kinds
        .iter()
        .map(|k| Server::start(&format!("page-{label}-{}", k.name()), &pages.dir, &[]))
        .collect();
    let origins: Vec<String> = servers.iter().map(|s| s.base.clone()).collect();
    let backends = start(&origins.join(","));
    println!(
        "{label}: servers up in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    for (kind, server) in kinds.into_iter().zip(servers) {
        let t = Instant::now();
        let browser = Browser::start(kind).await;
        let cx = Ctx::new(kind, browser.client.clone(), server, browser.log.clone());
        let run = std::panic::AssertUnwindSafe(cases(&cx, &backends));
        let result = futures_catch(run).await;
        drop(cx);
        browser.close().await;
        if let Err(p) = result {
            std::panic::resume_unwind(p);
        }
        println!(
            "{label}: every case in {} in {:.1} s",
            kind.name(),
            t.elapsed().as_secs_f64()
        );
    }
    println!("{label}: {:.1} s in all", started.elapsed().as_secs_f64());
}

/// Runs `f`, catching a panic so the browser is closed before it is raised again.
async fn futures_catch<F: std::future::Future<Output = ()>>(
    f: std::panic::AssertUnwindSafe<F>,
) -> Result<(), Box<dyn std::any::Any + Send>> {
    let mut f = Box::pin(f.0);
    std::future::poll_fn(move |cx| {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f.as_mut().poll(cx))) {
            Ok(std::task::Poll::Ready(())) => std::task::Poll::Ready(Ok(())),
            Ok(std::task::Poll::Pending) => std::task::Poll::Pending,
            Err(p) => std::task::Poll::Ready(Err(p)),
        }
    })
    .await
}

struct BetterAuth {
    main: Backend,
    verifying: Backend,
    limited: Backend,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "starts the real better-auth server and two browsers: make test-backends"]
async fn better_auth_in_chromium_and_firefox_on_another_origin() {
    in_each_browser(
        "better-auth",
        |origins| BetterAuth {
            main: Backend::start("better-auth", "optional", origins, &[]),
            verifying: Backend::start("better-auth", "required", origins, &[]),
            // Its limit is kept per client address: here the browsers' own (one server for it
            // alone, so the other cases' sign-ins do not count).
            limited: Backend::start(
                "better-auth",
                "optional",
                origins,
                &[("BACKEND_PEER_AS_CLIENT", "1")],
            ),
        },
        |cx, b| {
            Box::pin(async move {
                let api = b.main.api.as_str();
                sign_in_checks_the_session_then_sign_out_ends_it(cx, "better-auth", api).await;
                wrong_password_and_unknown_email_read_alike(cx, "better-auth", api).await;
                sign_up(cx, "better-auth", api, "signup").await;
                taken_email_is_said_so(cx, "better-auth", api).await;
                // 8–128 characters: the widget's own minimum is 8 too, so the server's reason
                // shows for a password over its maximum.
                let long = "x".repeat(129);
                weak_password_reason_is_at_the_field(cx, "better-auth", api, &long).await;
                reset_request_is_confirmed(cx, "better-auth", api).await;
                let verifying = b.verifying.api.as_str();
                unverified_sign_in_says_check_your_inbox(cx, "better-auth", verifying).await;
                let email = unique(cx, "limited");
                the_limit_is_a_wait_never_wrong_details(
                    cx,
                    "better-auth",
                    &b.limited.api,
                    &email,
                    true,
                )
                .await;
                a_stopped_server_is_unreachable(cx, "better-auth", "http://127.0.0.1:9/api/auth")
                    .await;
            })
        },
    )
    .await;
}

struct Allauth {
    required: Backend,
    optional: Backend,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "starts the real django-allauth server and two browsers: make test-backends"]
async fn allauth_in_chromium_and_firefox_on_another_origin() {
    // Every case comes from one address: the per-address limits are lifted, the per-account
    // lockout stays as it ships (backends/allauth/backend/settings.py).
    let env = [("BACKEND_SHARED_ADDRESS", "1")];
    in_each_browser(
        "allauth",
        |origins| Allauth {
            required: Backend::start("allauth", "required", origins, &env),
            optional: Backend::start("allauth", "optional", origins, &env),
        },
        |cx, b| {
            Box::pin(async move {
                let api = b.required.api.as_str();
                sign_in_checks_the_session_then_sign_out_ends_it(cx, "allauth", api).await;
                wrong_password_and_unknown_email_read_alike(cx, "allauth", api).await;
                // Mandatory verification: sign-up says "check your inbox", and sign-in waits.
                unverified_sign_in_says_check_your_inbox(cx, "allauth", api).await;
                weak_password_reason_is_at_the_field(cx, "allauth", api, "password").await;
                reset_request_is_confirmed(cx, "allauth", api).await;
                let email = unique(cx, "locked");
                the_limit_is_a_wait_never_wrong_details(cx, "allauth", api, &email, false).await;
                // Optional verification: sign-up signs in; a taken email is said so.
                let optional = b.optional.api.as_str();
                sign_up(cx, "allauth", optional, "signup").await;
                taken_email_is_said_so(cx, "allauth", optional).await;
                let stopped = "http://127.0.0.1:9/_allauth/browser/v1";
                a_stopped_server_is_unreachable(cx, "allauth", stopped).await;
            })
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "starts the Firebase Auth emulator and two browsers: make test-backends"]
async fn firebase_in_chromium_and_firefox_on_another_origin() {
    in_each_browser(
        "firebase",
        |origins| Backend::start("firebase", "optional", origins, &[]),
        |cx, b| {
            Box::pin(async move {
                let api = b.api.as_str();
                // Its CORS refuses credentials: every call here succeeding proves none are sent.
                sign_in_checks_the_session_then_sign_out_ends_it(cx, "firebase", api).await;
                wrong_password_and_unknown_email_read_alike(cx, "firebase", api).await;
                sign_up(cx, "firebase", api, "signup").await;
                taken_email_is_said_so(cx, "firebase", api).await;
                // Firebase's minimum (6) is below the widget's (8): the widget judges first.
                weak_password_reason_is_at_the_field(cx, "firebase", api, "five5").await;
                reset_request_is_confirmed(cx, "firebase", api).await;
                let stopped = "http://127.0.0.1:9/identitytoolkit.googleapis.com/v1";
                a_stopped_server_is_unreachable(cx, "firebase", stopped).await;
            })
        },
    )
    .await;
}

/// Pebble (`tests/backends/pebble.mjs`), a small API none of the built-in profiles knows, with
/// the profile written from docs/backends.md alone (`tests/backends/pebble.json`, served by
/// the page's origin as a team would host it).
struct Pebble {
    api: String,
    _server: support::procs::Guard,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "starts a small Node API and two browsers: make test-backends"]
async fn a_profile_written_from_the_docs_signs_in_and_maps_failures_in_both_browsers() {
    in_each_browser(
        "pebble",
        |_| {
            let here = workspace().join("e2e/tests/backends");
            let mut cmd = Command::new("node");
            cmd.arg(here.join("pebble.mjs")).env("PORT", "0");
            let log = support::procs::log_path("pebble");
            let (guard, api) =
                support::procs::spawn_until("pebble", cmd, &log, Duration::from_secs(30), |l| {
                    l.strip_prefix("pebble listening on ").map(str::to_string)
                });
            Pebble {
                api,
                _server: guard,
            }
        },
        |cx, b| {
            Box::pin(async move {
                let api = b.api.as_str();
                let backend = "/pebble.json";
                let w = Widget {
                    backend,
                    api,
                    mode: "login",
                };
                // Sign-in (form-encoded) and the bearer session check.
                cx.widget(&w).await;
                cx.submit(SEEDED.0, Some(SEEDED.1)).await;
                cx.expect_success("login").await;
                cx.finish(&[SEEDED.1]).await;
                wrong_password_and_unknown_email_read_alike(cx, backend, api).await;
                // A code nested in an object with a wait beside it: a countdown.
                cx.widget(&w).await;
                cx.submit(&unique(cx, "slow"), Some(WRONG_PASSWORD)).await;
                cx.expect_failure(Expect {
                    kind: "rate_limited",
                    copy: "rate_limited",
                })
                .await;
                assert!(cx.exists("auth-widget [data-countdown]").await);
                // A code the profile does not list: neutral words, never wrong credentials.
                cx.widget(&w).await;
                cx.submit(&unique(cx, "odd"), Some(WRONG_PASSWORD)).await;
                cx.expect_failure(Expect {
                    kind: "unknown",
                    copy: "unknown",
                })
                .await;
                sign_up(cx, backend, api, "signup").await;
                taken_email_is_said_so(cx, backend, api).await;
                reset_request_is_confirmed(cx, backend, api).await;
                // An invalid profile: one console error naming it, the "not set up" state, and
                // nothing sent to the API.
                cx.clear_console().await;
                cx.widget(&Widget {
                    backend: "/broken.json",
                    api,
                    mode: "login",
                })
                .await;
                cx.submit(SEEDED.0, Some(SEEDED.1)).await;
                cx.expect_failure(Expect {
                    kind: "not_set_up",
                    copy: "not_set_up",
                })
                .await;
                let urls = cx.requested_urls().await;
                assert!(
                    !urls.iter().any(|u| u.starts_with(api)),
                    "{}: nothing goes to the API without a usable profile:\n{}",
                    cx.browser(),
                    urls.join("\n")
                );
                let console = cx.console().await;
                let named: Vec<&String> = console
                    .iter()
                    .filter(|l| l.contains("broken.json"))
                    .collect();
                assert_eq!(
                    named.len(),
                    1,
                    "{}: one console error names the profile: {console:?}",
                    cx.browser()
                );
            })
        },
    )
    .await;
}
