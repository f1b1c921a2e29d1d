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
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The page's origin: not the API's, as on a real site.
const PAGE_ORIGIN: &str = "http://127.0.0.1:8123";
const SEEDED: (&str, &str) = ("seeded@example.com", "correct horse battery staple");
const GOOD_PASSWORD: &str = "a long and unusual passphrase 7";
const NEW_PASSWORD: &str = "another unusual passphrase 8";

/// One real server, stopped (its whole process group) when dropped.
struct Server {
    child: Child,
    api: String,
    stopped: bool,
    /// Where it writes the mails it would send (better-auth, allauth).
    mail: PathBuf,
}

impl Server {
    fn start(name: &str, verification: &str) -> Server {
        Server::start_with(name, verification, &[])
    }

    fn start_with(name: &str, verification: &str, env: &[(&str, &str)]) -> Server {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        let mail = std::env::temp_dir().join(format!(
            "auth-widget-backend-mail-{}-{}",
            std::process::id(),
            NEXT_ADDRESS.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&mail).expect("creates the mail folder");
        let mut child = Command::new("bash")
            .arg(format!("{root}/scripts/backends.sh"))
            .args(["serve", name])
            .env("BACKEND_ORIGINS", PAGE_ORIGIN)
            .env("BACKEND_EMAIL_VERIFICATION", verification)
            .env("BACKEND_SEED_EMAIL", SEEDED.0)
            .env("BACKEND_SEED_PASSWORD", SEEDED.1)
            .env("BACKEND_MAIL_DIR", &mail)
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
        Server {
            child,
            api,
            stopped: false,
            mail,
        }
    }

    /// The tokens of the links of `kind` (`reset-password`, `verify-email`) mailed to `to`, oldest
    /// first, as the person would find them in their inbox.
    fn mailed_tokens(&self, kind: &str, to: &str) -> Vec<String> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.mail)
            .map(|d| d.filter_map(|e| Some(e.ok()?.path())).collect())
            .unwrap_or_default();
        files.retain(|f| !f.file_name().unwrap().to_string_lossy().starts_with('.'));
        files.sort();
        let mut tokens = Vec::new();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            if file.extension().is_some_and(|e| e == "json") {
                // better-auth: {"to", "kind", "url", "token"}, one mail per file.
                let mail: serde_json::Value = serde_json::from_str(&text).expect("a mail file");
                if mail["to"] == to && mail["kind"] == kind {
                    tokens.push(mail["token"].as_str().unwrap().to_string());
                }
                continue;
            }
            // allauth (Django's file backend): whole messages, separated by a line of dashes; the
            // link is the one settings.HEADLESS_FRONTEND_URLS gives, its key percent-encoded.
            for message in text.split(&"-".repeat(79)) {
                if !message.lines().any(|l| l == format!("To: {to}")) {
                    continue;
                }
                let prefix = format!("http://localhost/{kind}/");
                if let Some(at) = message.find(&prefix) {
                    let key = message[at + prefix.len()..]
                        .split_whitespace()
                        .next()
                        .unwrap_or("");
                    let decoded = url::form_urlencoded::parse(format!("k={key}").as_bytes())
                        .next()
                        .map(|(_, v)| v.into_owned())
                        .unwrap_or_default();
                    tokens.push(decoded);
                }
            }
        }
        tokens
    }

    /// The codes the Firebase Auth emulator would have mailed (its `oobCodes` list), oldest first.
    async fn emulator_codes(&self, kind: &str, to: &str) -> Vec<String> {
        let root = self
            .api
            .split("/identitytoolkit.googleapis.com")
            .next()
            .unwrap();
        let request_type = match kind {
            "reset-password" => "PASSWORD_RESET",
            _ => "VERIFY_EMAIL",
        };
        let list: serde_json::Value = reqwest::get(format!(
            "{root}/emulator/v1/projects/demo-auth-widget/oobCodes"
        ))
        .await
        .expect("the emulator answers")
        .json()
        .await
        .expect("its list of codes");
        list["oobCodes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| c["email"] == to && c["requestType"] == request_type)
            .map(|c| c["oobCode"].as_str().unwrap().to_string())
            .collect()
    }

    /// The newest link token of `kind` mailed to `to`, once at least `count` have arrived.
    async fn link_token(&self, kind: &str, to: &str, count: usize) -> String {
        for _ in 0..100 {
            let tokens = if self.api.contains("/identitytoolkit.googleapis.com") {
                self.emulator_codes(kind, to).await
            } else {
                self.mailed_tokens(kind, to)
            };
            if tokens.len() >= count {
                return tokens.last().unwrap().clone();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "no {kind} mail number {count} to {to} in {} within 10 s",
            self.mail.display()
        );
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
        let _ = std::fs::remove_dir_all(&self.mail);
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
    /// The token of the link this tab was opened from, for the link flows.
    link_token: Option<String>,
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
            link_token: None,
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
                link_token: self.link_token.as_deref(),
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

    /// A link flow, as the page the link opened makes it: the link's token, and for a reset the
    /// new password.
    async fn follow(&mut self, flow: Flow, token: &str, password: Option<&str>) -> Outcome {
        self.link_token = Some(token.to_string());
        let outcome = self.call(flow, "", password).await;
        self.link_token = None;
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

/// A reset link from the server's mail, followed as the page it opens does: a token the server
/// never issued is refused, a weak password is refused at its field and the link keeps working;
/// then the new password is set, the old one is refused and the new one signs in; the same link
/// again reads as `again`; and the sessions from before the reset are over.
async fn reset_link_sets_a_new_password_once(
    p: &Profile,
    server: &Server,
    email: &str,
    weak: &str,
    again: FailureKind,
) {
    let api = &server.api;
    let mut before = Tab::new(p, api);
    let (first, _) = before.enter(Flow::Login, email, GOOD_PASSWORD).await;
    assert!(signed_in_as(&first, email), "before the reset: {first:?}");
    // Firebase ends the ID tokens issued before a password change in whole seconds: one from the
    // same second as the reset stays valid. Let a second pass, as between any two real visits.
    tokio::time::sleep(Duration::from_millis(1_100)).await;

    let request = Tab::new(p, api)
        .call(Flow::PasswordReset, email, None)
        .await;
    assert_eq!(request, Ok(Success::Done));
    let token = server.link_token("reset-password", email, 1).await;

    let mut page = Tab::new(p, api);
    let never_issued = page
        .follow(
            Flow::PasswordResetComplete,
            "0-never-issued-0",
            Some(NEW_PASSWORD),
        )
        .await;
    assert_eq!(
        failure_kind(&never_issued),
        Some(FailureKind::LinkInvalid),
        "{never_issued:?}"
    );
    let weak = page
        .follow(Flow::PasswordResetComplete, &token, Some(weak))
        .await
        .expect_err("a weak new password is refused");
    assert_eq!(weak.kind, FailureKind::ValidationFailed, "{weak:?}");
    assert!(
        !weak.field_errors.is_empty()
            && weak.field_errors.iter().all(|e| e.field == Field::Password),
        "{weak:?}"
    );
    let done = page
        .follow(Flow::PasswordResetComplete, &token, Some(NEW_PASSWORD))
        .await;
    assert!(
        matches!(&done, Ok(Success::SignInNext { email: e }) if e.is_empty() || e.eq_ignore_ascii_case(email)),
        "the reset with the link that kept working: {done:?}"
    );

    let old = Tab::new(p, api)
        .call(Flow::Login, email, Some(GOOD_PASSWORD))
        .await;
    assert_eq!(
        failure_kind(&old),
        Some(FailureKind::InvalidCredentials),
        "the old password after the reset: {old:?}"
    );
    let (new, check) = Tab::new(p, api)
        .enter(Flow::Login, email, NEW_PASSWORD)
        .await;
    assert!(signed_in_as(&new, email), "the new password: {new:?}");
    assert!(signed_in_as(&check.unwrap(), email));

    let reused = page
        .follow(
            Flow::PasswordResetComplete,
            &token,
            Some("a third unusual passphrase 9"),
        )
        .await;
    assert_eq!(
        failure_kind(&reused),
        Some(again),
        "the link again: {reused:?}"
    );
    let stale = before.call(Flow::Session, "", None).await;
    assert_eq!(
        failure_kind(&stale),
        Some(FailureKind::SessionRejected),
        "a session from before the reset: {stale:?}"
    );
}

/// Signs up an address that must be verified, follows the verification link from the server's
/// mail (after a token it never issued is refused), and signs in. `again` is what the same link
/// reads as a second time: `None` for "sign in next" again. Returns the verified address.
async fn verification_link_confirms_the_address(
    p: &Profile,
    server: &Server,
    again: Option<FailureKind>,
) -> String {
    let api = &server.api;
    let email = unique("verify");
    let signup = Tab::new(p, api)
        .call(Flow::Signup, &email, Some(GOOD_PASSWORD))
        .await;
    assert_eq!(signup, Ok(Success::VerifyEmail));
    let token = server.link_token("verify-email", &email, 1).await;
    let early = Tab::new(p, api)
        .call(Flow::Login, &email, Some(GOOD_PASSWORD))
        .await;
    assert_eq!(failure_kind(&early), Some(FailureKind::EmailUnverified));

    let mut page = Tab::new(p, api);
    let never_issued = page.follow(Flow::VerifyEmail, "never-issued", None).await;
    assert_eq!(
        failure_kind(&never_issued),
        Some(FailureKind::LinkInvalid),
        "{never_issued:?}"
    );
    let done = page.follow(Flow::VerifyEmail, &token, None).await;
    assert!(
        matches!(&done, Ok(Success::SignInNext { email: e }) if e.is_empty() || e.eq_ignore_ascii_case(&email)),
        "{done:?}"
    );
    let reused = page.follow(Flow::VerifyEmail, &token, None).await;
    match again {
        None => assert!(
            matches!(reused, Ok(Success::SignInNext { .. })),
            "{reused:?}"
        ),
        Some(kind) => assert_eq!(failure_kind(&reused), Some(kind), "{reused:?}"),
    }
    let (login, check) = Tab::new(p, api)
        .enter(Flow::Login, &email, GOOD_PASSWORD)
        .await;
    assert!(signed_in_as(&login, &email), "after verifying: {login:?}");
    assert!(signed_in_as(&check.unwrap(), &email));
    email
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
    let created = sign_up_signs_in(&p, &api).await;
    // One answer, INVALID_TOKEN, for a reset token it never issued, a used one and an expired one.
    reset_link_sets_a_new_password_once(&p, &server, &created, "short", FailureKind::LinkInvalid)
        .await;
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
    // Its verification tokens are signed, not stored: a second use confirms again.
    verification_link_confirms_the_address(&p, &verifying, None).await;
    a_new_verification_link_works_and_is_limited(&p, &verifying).await;
    drop(verifying);

    // Links past their lifetime: an expired verification token says so, an expired reset token
    // reads like any other that no longer works.
    let short_lived =
        Server::start_with("better-auth", "required", &[("BACKEND_LINK_TTL_SECS", "1")]);
    let email = unique("late");
    let signup = Tab::new(&p, &short_lived.api)
        .call(Flow::Signup, &email, Some(GOOD_PASSWORD))
        .await;
    assert_eq!(signup, Ok(Success::VerifyEmail));
    let reset = Tab::new(&p, &short_lived.api)
        .call(Flow::PasswordReset, &email, None)
        .await;
    assert_eq!(reset, Ok(Success::Done));
    let verify_token = short_lived.link_token("verify-email", &email, 1).await;
    let reset_token = short_lived.link_token("reset-password", &email, 1).await;
    tokio::time::sleep(Duration::from_millis(2_200)).await;
    let mut page = Tab::new(&p, &short_lived.api);
    let late = page.follow(Flow::VerifyEmail, &verify_token, None).await;
    assert_eq!(
        failure_kind(&late),
        Some(FailureKind::LinkExpired),
        "{late:?}"
    );
    let late = page
        .follow(
            Flow::PasswordResetComplete,
            &reset_token,
            Some(NEW_PASSWORD),
        )
        .await;
    assert_eq!(
        failure_kind(&late),
        Some(FailureKind::LinkInvalid),
        "{late:?}"
    );
}

/// better-auth's "send the link again": done alike for every address, a real new link for an
/// address still to verify, and its limit (3 a minute per client) a countdown.
async fn a_new_verification_link_works_and_is_limited(p: &Profile, server: &Server) {
    let api = &server.api;
    let email = unique("resend");
    let signup = Tab::new(p, api)
        .call(Flow::Signup, &email, Some(GOOD_PASSWORD))
        .await;
    assert_eq!(signup, Ok(Success::VerifyEmail));
    server.link_token("verify-email", &email, 1).await;
    let mut tab = Tab::new(p, api);
    let again = tab.call(Flow::VerifyEmailResend, &email, None).await;
    assert_eq!(again, Ok(Success::Done));
    let token = server.link_token("verify-email", &email, 2).await;
    let unknown = tab
        .call(Flow::VerifyEmailResend, &unique("nobody"), None)
        .await;
    assert_eq!(unknown, Ok(Success::Done));
    let done = Tab::new(p, api)
        .follow(Flow::VerifyEmail, &token, None)
        .await;
    assert!(matches!(done, Ok(Success::SignInNext { .. })), "{done:?}");
    let (login, _) = Tab::new(p, api)
        .enter(Flow::Login, &email, GOOD_PASSWORD)
        .await;
    assert!(signed_in_as(&login, &email), "{login:?}");

    let mut limited = None;
    for _ in 0..4 {
        let o = tab.call(Flow::VerifyEmailResend, &email, None).await;
        if failure_kind(&o) == Some(FailureKind::RateLimited) {
            limited = Some(o.unwrap_err());
            break;
        }
        assert_eq!(o, Ok(Success::Done));
    }
    let limited = limited.expect("better-auth limits new verification links");
    assert!(
        limited.retry_after.is_some_and(|s| (1..=60).contains(&s)),
        "{limited:?}"
    );
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
    // One answer for keys it never issued, expired ones and used ones: link_invalid.
    let verified =
        verification_link_confirms_the_address(&p, &server, Some(FailureKind::LinkInvalid)).await;
    reset_link_sets_a_new_password_once(
        &p,
        &server,
        &verified,
        "12345678",
        FailureKind::LinkInvalid,
    )
    .await;
    // It has no call that mails a new verification link to a signed-out person.
    assert!(!p.has(Step::Flow(Flow::VerifyEmailResend)));

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
        Flow::PasswordResetComplete,
        Flow::VerifyEmail,
    ] {
        let inputs = Inputs {
            token: Some("t"),
            link_token: Some("c"),
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
    // One answer, INVALID_OOB_CODE, for a code never issued and a used one.
    reset_link_sets_a_new_password_once(&p, &server, &created, "12345", FailureKind::LinkInvalid)
        .await;

    // Verification: Firebase mails a link only for a signed-in user's ID token, so the app asks
    // for it (the profile has no such call); the link's page confirms it through the profile.
    let email = unique("verify");
    let mut tab = Tab::new(&p, &api);
    let (up, _) = tab.enter(Flow::Signup, &email, GOOD_PASSWORD).await;
    assert!(signed_in_as(&up, &email), "{up:?}");
    let send = reqwest::Client::new()
        .post(format!("{api}/accounts:sendOobCode?key=fake-web-api-key"))
        .json(&serde_json::json!({"requestType": "VERIFY_EMAIL", "idToken": tab.token}))
        .send()
        .await
        .unwrap();
    assert_eq!(send.status(), 200);
    let code = server.link_token("verify-email", &email, 1).await;
    let mut page = Tab::new(&p, &api);
    let never_issued = page.follow(Flow::VerifyEmail, "never-issued", None).await;
    assert_eq!(failure_kind(&never_issued), Some(FailureKind::LinkInvalid));
    let done = page.follow(Flow::VerifyEmail, &code, None).await;
    assert_eq!(
        done,
        Ok(Success::SignInNext {
            email: email.clone()
        })
    );
    let reused = page.follow(Flow::VerifyEmail, &code, None).await;
    assert_eq!(failure_kind(&reused), Some(FailureKind::LinkInvalid));
    let lookup: serde_json::Value = reqwest::Client::new()
        .post(format!("{api}/accounts:lookup?key=fake-web-api-key"))
        .json(&serde_json::json!({"idToken": tab.token}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(lookup["users"][0]["emailVerified"], true, "{lookup}");
    // Its lockout (TOO_MANY_ATTEMPTS_TRY_LATER) is not emulated: tests/profiles.rs reads the
    // answer the real service gives.
    a_stopped_server_is_unreachable(&p, server).await;
}
