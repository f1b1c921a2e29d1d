//! Each built-in backend profile against its real server: better-auth 1.7.25, django-allauth
//! 65.22.1 (headless, browser client) and the Firebase Auth emulator (firebase-tools 15.34.2),
//! installed by `scripts/setup.sh` and started by `scripts/backends.sh` on a free port.
//!
//! The requests are built by the profile interpreter and sent by a real HTTP client that behaves
//! like the widget in a browser on another origin: an `Origin` header, cookies kept and sent only
//! when the profile says `credentials: include`, the CSRF cookie read before every request. The
//! answers are read by the profile and classified by the taxonomy, as the widget does.
//!
//! Run with `make test-backends` (the tests are ignored by a plain `cargo test`).

use auth_widget::profile::{self, Answer, Credentials, Inputs, Profile, RequestError, Step};
use auth_widget::taxonomy::{FailureKind, Field, Flow, Outcome, Success, Transport, classify};
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The page's origin: not the API's, as on a real site.
const PAGE_ORIGIN: &str = "http://127.0.0.1:8123";
const SEEDED: (&str, &str) = ("seeded@example.com", "correct horse battery staple");
const GOOD_PASSWORD: &str = "a long and unusual passphrase 7";

/// One real server, stopped (its whole process group) when dropped.
struct Server {
    child: Child,
    api: String,
    stopped: bool,
}

impl Server {
    fn start(name: &str, verification: &str) -> Server {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        let mut child = Command::new("bash")
            .arg(format!("{root}/scripts/backends.sh"))
            .args(["serve", name])
            .env("BACKEND_ORIGINS", PAGE_ORIGIN)
            .env("BACKEND_EMAIL_VERIFICATION", verification)
            .env("BACKEND_SEED_EMAIL", SEEDED.0)
            .env("BACKEND_SEED_PASSWORD", SEEDED.1)
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
        Server {
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

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A browser tab with the widget: its cookies, its in-memory token, its client address.
struct Tab<'p> {
    profile: &'p Profile,
    api: String,
    http: reqwest::Client,
    cookies: Vec<(String, String)>,
    token: Option<String>,
    attributes: Vec<(&'static str, &'static str)>,
    /// Each tab has its own address, so rate limits keyed on it do not leak between cases.
    forwarded_for: String,
    last_headers: Vec<(String, String)>,
}

static NEXT_ADDRESS: AtomicU32 = AtomicU32::new(1);

fn unique(prefix: &str) -> String {
    let n = NEXT_ADDRESS.fetch_add(1, Ordering::Relaxed);
    let t = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis()
        % 1_000_000;
    format!("{prefix}-{t}-{n}@example.com")
}

impl<'p> Tab<'p> {
    fn new(profile: &'p Profile, api: &str) -> Tab<'p> {
        let n = NEXT_ADDRESS.fetch_add(1, Ordering::Relaxed);
        Tab {
            profile,
            api: api.to_string(),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(20))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: Vec::new(),
            token: None,
            attributes: vec![("api-key", "fake-web-api-key")],
            forwarded_for: format!("10.0.{}.{}", n / 250, n % 250 + 1),
            last_headers: Vec::new(),
        }
    }

    fn cookie_string(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// One flow, as the widget makes it. A missing CSRF cookie is fetched first with the
    /// session check (whose answer sets it), as the widget will.
    async fn call(&mut self, flow: Flow, email: &str, password: Option<&str>) -> Outcome {
        for _attempt in 0..2 {
            let cookies = self.cookie_string();
            let inputs = Inputs {
                email,
                password,
                name: None,
                token: self.token.as_deref(),
                cookies: &cookies,
                attributes: &self.attributes,
            };
            match self.profile.request(Step::Flow(flow), &self.api, &inputs) {
                Ok(request) => return self.send(flow, request).await,
                Err(RequestError::MissingCsrfCookie(_)) => {
                    // The session check's answer sets the cookie; if it cannot even be made, that
                    // is this flow's failure too.
                    let primed = Box::pin(self.call(Flow::Session, "", None)).await;
                    if let Err(f) = &primed
                        && matches!(f.kind, FailureKind::Unreachable | FailureKind::Timeout)
                    {
                        return classify(flow, Transport::Unreachable);
                    }
                }
                Err(RequestError::NoCall) if flow == Flow::Logout => {
                    // Nothing to tell the server: forget the token.
                    self.token = None;
                    return Ok(Success::Done);
                }
                Err(RequestError::MissingToken) => {
                    return Err(auth_widget::taxonomy::Failure::bare(
                        FailureKind::SessionRejected,
                    ));
                }
                Err(e) => panic!("cannot build the {flow:?} request: {e}"),
            }
        }
        panic!("the CSRF cookie is still missing after the session check");
    }

    async fn send(&mut self, flow: Flow, request: profile::Request) -> Outcome {
        let method = reqwest::Method::from_bytes(request.method.as_bytes()).unwrap();
        let mut builder = self
            .http
            .request(method, &request.url)
            .header("Origin", PAGE_ORIGIN)
            .header("X-Forwarded-For", &self.forwarded_for);
        for (k, v) in &request.headers {
            builder = builder.header(k, v);
        }
        let include = request.credentials == Credentials::Include;
        if include && !self.cookies.is_empty() {
            builder = builder.header("Cookie", self.cookie_string());
        }
        if let Some(body) = request.body {
            builder = builder.body(body);
        }
        let response = match builder.send().await {
            Ok(r) => r,
            Err(_) => return classify(flow, Transport::Unreachable),
        };
        let status = response.status().as_u16();
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        if include {
            for (k, v) in &headers {
                if k == "set-cookie"
                    && let Some((name, rest)) = v.split_once('=')
                {
                    let value = rest.split(';').next().unwrap_or("").to_string();
                    self.cookies.retain(|(n, _)| n != name.trim());
                    if !value.is_empty() && !value.starts_with('"') {
                        self.cookies.push((name.trim().to_string(), value));
                    }
                }
            }
        }
        let body = response.text().await.unwrap_or_default();
        let now_unix = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let outcome = self.profile.outcome(
            flow,
            &Answer {
                status,
                headers: &headers,
                body: &body,
                now_unix,
            },
        );
        self.last_headers = headers;
        if let Ok(Success::SignedIn {
            access_token: Some(t),
            ..
        }) = &outcome
        {
            self.token = Some(t.clone());
        }
        outcome
    }

    /// Sign in (or up) and the session check that must follow it.
    async fn enter(
        &mut self,
        flow: Flow,
        email: &str,
        password: &str,
    ) -> (Outcome, Option<Outcome>) {
        let first = self.call(flow, email, Some(password)).await;
        let check = match first {
            Ok(Success::SignedIn { .. }) => Some(self.call(Flow::Session, "", None).await),
            _ => None,
        };
        (first, check)
    }
}

/// Whether the last answer lets a page on another origin send cookies (CORS with credentials).
fn cors_allows_cookies(tab: &Tab<'_>) -> bool {
    let header = |name: &str| {
        tab.last_headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    header("access-control-allow-origin") == Some(PAGE_ORIGIN)
        && header("access-control-allow-credentials") == Some("true")
}

fn signed_in_as(o: &Outcome, email: &str) -> bool {
    matches!(o, Ok(Success::SignedIn { user, .. }) if user.email.eq_ignore_ascii_case(email))
}

fn failure_kind(o: &Outcome) -> Option<FailureKind> {
    o.as_ref().err().map(|f| f.kind)
}

fn profile(name: &str) -> Profile {
    Profile::parse(profile::built_in(name).unwrap()).unwrap()
}

// ---- the shared cases ------------------------------------------------------------------------

/// Returns whether the server's CORS answer lets the page send cookies.
async fn sign_in_and_the_session_check_succeed(p: &Profile, api: &str) -> bool {
    let mut tab = Tab::new(p, api);
    let (first, check) = tab.enter(Flow::Login, SEEDED.0, SEEDED.1).await;
    assert!(signed_in_as(&first, SEEDED.0), "sign in: {first:?}");
    let check = check.unwrap();
    assert!(signed_in_as(&check, SEEDED.0), "session check: {check:?}");
    cors_allows_cookies(&tab)
}

async fn wrong_password_and_unknown_email_read_alike(p: &Profile, api: &str) {
    let wrong = Tab::new(p, api)
        .call(Flow::Login, SEEDED.0, Some("not the password 1"))
        .await;
    let unknown = Tab::new(p, api)
        .call(Flow::Login, &unique("nobody"), Some("not the password 1"))
        .await;
    assert_eq!(
        failure_kind(&wrong),
        Some(FailureKind::InvalidCredentials),
        "{wrong:?}"
    );
    assert_eq!(
        failure_kind(&unknown),
        Some(FailureKind::InvalidCredentials),
        "{unknown:?}"
    );
}

async fn sign_up_signs_in(p: &Profile, api: &str) -> String {
    let email = unique("new");
    let mut tab = Tab::new(p, api);
    let (first, check) = tab.enter(Flow::Signup, &email, GOOD_PASSWORD).await;
    assert!(signed_in_as(&first, &email), "sign up: {first:?}");
    let check = check.unwrap();
    assert!(
        signed_in_as(&check, &email),
        "session check after sign-up: {check:?}"
    );
    email
}

async fn sign_up_asks_to_check_the_inbox_and_sign_in_waits_for_it(p: &Profile, api: &str) {
    let email = unique("pending");
    let signup = Tab::new(p, api)
        .call(Flow::Signup, &email, Some(GOOD_PASSWORD))
        .await;
    assert_eq!(signup, Ok(Success::VerifyEmail));
    let login = Tab::new(p, api)
        .call(Flow::Login, &email, Some(GOOD_PASSWORD))
        .await;
    assert_eq!(
        failure_kind(&login),
        Some(FailureKind::EmailUnverified),
        "{login:?}"
    );
}

async fn taken_email_is_email_taken(p: &Profile, api: &str) {
    let again = Tab::new(p, api)
        .call(Flow::Signup, SEEDED.0, Some(GOOD_PASSWORD))
        .await;
    assert_eq!(
        failure_kind(&again),
        Some(FailureKind::EmailTaken),
        "{again:?}"
    );
}

async fn weak_password_is_refused_at_the_password_field(p: &Profile, api: &str, password: &str) {
    let weak = Tab::new(p, api)
        .call(Flow::Signup, &unique("weak"), Some(password))
        .await;
    let failure = weak.expect_err("a weak password is refused");
    assert_eq!(failure.kind, FailureKind::ValidationFailed, "{failure:?}");
    assert!(
        !failure.field_errors.is_empty()
            && failure
                .field_errors
                .iter()
                .all(|e| e.field == Field::Password),
        "{failure:?}"
    );
}

async fn sign_out_ends_the_session(p: &Profile, api: &str) {
    let mut tab = Tab::new(p, api);
    let (first, _) = tab.enter(Flow::Login, SEEDED.0, SEEDED.1).await;
    assert!(signed_in_as(&first, SEEDED.0), "{first:?}");
    let out = tab.call(Flow::Logout, "", None).await;
    assert_eq!(out, Ok(Success::Done));
    let check = tab.call(Flow::Session, "", None).await;
    assert_eq!(
        failure_kind(&check),
        Some(FailureKind::SessionRejected),
        "after sign-out: {check:?}"
    );
}

async fn reset_request_is_accepted_alike_for_known_and_unknown_emails(p: &Profile, api: &str) {
    let known = Tab::new(p, api)
        .call(Flow::PasswordReset, SEEDED.0, None)
        .await;
    let unknown = Tab::new(p, api)
        .call(Flow::PasswordReset, &unique("nobody"), None)
        .await;
    assert_eq!(known, Ok(Success::Done));
    assert_eq!(unknown, Ok(Success::Done));
}

async fn a_stopped_server_is_unreachable(p: &Profile, mut server: Server) {
    let api = server.api.clone();
    server.stop();
    let o = Tab::new(p, &api)
        .call(Flow::Login, SEEDED.0, Some(SEEDED.1))
        .await;
    assert_eq!(failure_kind(&o), Some(FailureKind::Unreachable), "{o:?}");
}

// ---- per backend -----------------------------------------------------------------------------

#[tokio::test]
#[ignore = "starts the real better-auth server: make test-backends"]
async fn better_auth_passes_every_case_against_the_real_server() {
    let p = profile("better-auth");
    let server = Server::start("better-auth", "optional");
    let api = server.api.clone();
    assert!(
        sign_in_and_the_session_check_succeed(&p, &api).await,
        "its CORS settings let the page send its session cookie"
    );
    wrong_password_and_unknown_email_read_alike(&p, &api).await;
    sign_up_signs_in(&p, &api).await;
    taken_email_is_email_taken(&p, &api).await;
    weak_password_is_refused_at_the_password_field(&p, &api, "short").await;
    sign_out_ends_the_session(&p, &api).await;
    reset_request_is_accepted_alike_for_known_and_unknown_emails(&p, &api).await;

    // Its sign-in limit (3 per 10 s per address) is a countdown from x-retry-after, which its
    // CORS settings expose to the page; never wrong-password words.
    let mut tab = Tab::new(&p, &api);
    let mut limited = None;
    for _ in 0..6 {
        let o = tab
            .call(Flow::Login, SEEDED.0, Some("not the password 1"))
            .await;
        if failure_kind(&o) == Some(FailureKind::RateLimited) {
            limited = Some(o.unwrap_err());
            break;
        }
        assert_eq!(
            failure_kind(&o),
            Some(FailureKind::InvalidCredentials),
            "{o:?}"
        );
    }
    let limited = limited.expect("better-auth limits repeated sign-ins");
    assert!(
        limited.retry_after.is_some_and(|s| (1..=60).contains(&s)),
        "{limited:?}"
    );
    assert!(
        tab.last_headers
            .iter()
            .any(|(k, v)| k == "access-control-expose-headers" && v.contains("x-retry-after")),
        "{:?}",
        tab.last_headers
    );

    a_stopped_server_is_unreachable(&p, server).await;

    let verifying = Server::start("better-auth", "required");
    sign_up_asks_to_check_the_inbox_and_sign_in_waits_for_it(&p, &verifying.api).await;
}

#[tokio::test]
#[ignore = "starts the real django-allauth server: make test-backends"]
async fn allauth_passes_every_case_against_the_real_server() {
    let p = profile("allauth");
    let optional = Server::start("allauth", "optional");
    sign_up_signs_in(&p, &optional.api).await;
    taken_email_is_email_taken(&p, &optional.api).await;
    drop(optional);

    let server = Server::start("allauth", "required");
    let api = server.api.clone();
    assert!(
        sign_in_and_the_session_check_succeed(&p, &api).await,
        "its CORS settings let the page send its session and CSRF cookies"
    );
    wrong_password_and_unknown_email_read_alike(&p, &api).await;
    sign_up_asks_to_check_the_inbox_and_sign_in_waits_for_it(&p, &api).await;
    weak_password_is_refused_at_the_password_field(&p, &api, "12345678").await;
    sign_out_ends_the_session(&p, &api).await;
    reset_request_is_accepted_alike_for_known_and_unknown_emails(&p, &api).await;

    // Its lockout (5 failures per account in 5 minutes) answers 400 too_many_login_attempts with
    // no time: a wait, never wrong-password words.
    let email = unique("locked");
    let mut tab = Tab::new(&p, &api);
    let mut limited = None;
    for _ in 0..8 {
        let o = tab
            .call(Flow::Login, &email, Some("not the password 1"))
            .await;
        if failure_kind(&o) == Some(FailureKind::RateLimited) {
            limited = Some(o.unwrap_err());
            break;
        }
        assert_eq!(
            failure_kind(&o),
            Some(FailureKind::InvalidCredentials),
            "{o:?}"
        );
    }
    let limited = limited.expect("allauth locks out repeated failures");
    assert_eq!(
        (limited.status, limited.retry_after),
        (Some(400), None),
        "{limited:?}"
    );

    a_stopped_server_is_unreachable(&p, server).await;
}

#[tokio::test]
#[ignore = "starts the real Firebase Auth emulator: make test-backends"]
async fn firebase_passes_every_case_against_the_real_emulator() {
    let p = profile("firebase");
    let server = Server::start("firebase", "optional");
    let api = server.api.clone();
    // Its CORS refuses credentials, so the profile must never send cookies (a browser would
    // block every request otherwise): the session lives in the ID token.
    assert!(
        !sign_in_and_the_session_check_succeed(&p, &api).await,
        "the emulator allows credentials"
    );
    for flow in [
        Flow::Login,
        Flow::Signup,
        Flow::Session,
        Flow::PasswordReset,
    ] {
        let inputs = Inputs {
            token: Some("t"),
            attributes: &[("api-key", "k")],
            ..Inputs::default()
        };
        let r = p.request(Step::Flow(flow), &api, &inputs).unwrap();
        assert_eq!(r.credentials, Credentials::Omit, "{flow:?}");
    }
    wrong_password_and_unknown_email_read_alike(&p, &api).await;
    let created = sign_up_signs_in(&p, &api).await;
    taken_email_is_email_taken(&p, &api).await;
    weak_password_is_refused_at_the_password_field(&p, &api, "12345").await;
    // Firebase cannot refuse an unverified sign-in (the app reads emailVerified): it signs in.
    let (unverified, _) = Tab::new(&p, &api)
        .enter(Flow::Login, &created, GOOD_PASSWORD)
        .await;
    assert!(signed_in_as(&unverified, &created), "{unverified:?}");
    // Sign-out makes no call: the tab forgets its token, and there is no session to check.
    sign_out_ends_the_session(&p, &api).await;
    reset_request_is_accepted_alike_for_known_and_unknown_emails(&p, &api).await;
    // Its lockout (TOO_MANY_ATTEMPTS_TRY_LATER) is not emulated: tests/profiles.rs reads the
    // answer the real service gives.
    a_stopped_server_is_unreachable(&p, server).await;
}
