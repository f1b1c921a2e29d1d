//! Email: the verification, reset and "password changed" messages, in the words of the copy
//! files (`[mail.*]` in `locales/*.toml`), sent over SMTP with lettre (STARTTLS when the server
//! offers it, or implicit TLS with `smtps://`; rustls), and/or kept in the dev mailbox.
//!
//! Sending happens after the answer, in a task of its own: a slow or failing mail server never
//! delays or changes an HTTP answer. A failure is logged with a reference id (and counted in
//! `auth_mails_total{outcome="failed"}`), never shown to the person.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use anyhow::Context;
use auth_contract::locale_file::{self, Item};
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Serialize;

use crate::cli::Cli;
use crate::state::Shared;

include!(concat!(env!("OUT_DIR"), "/locale_files.rs"));

/// The environment variable with the SMTP password (never on the command line, where `ps`
/// shows it to every local user).
pub const SMTP_PASSWORD_ENV: &str = "AUTH_SMTP_PASSWORD";

/// Messages the dev mailbox keeps (the oldest go first).
const MAILBOX_CAPACITY: usize = 200;

/// Locales written right to left (their HTML mail gets `dir="rtl"`).
const RTL_LOCALES: &[&str] = &["ar", "fa", "he", "ur"];

/// One text of a copy file.
#[derive(Clone, Debug)]
enum Text {
    Plain(String),
    Plural(Vec<(String, String)>),
}

/// The `mail.*` texts of every shipped locale; English is the fallback.
pub struct MailCopy {
    locales: Vec<(String, HashMap<String, Text>)>,
}

impl MailCopy {
    /// Reads the compiled copy files.
    pub fn load() -> anyhow::Result<MailCopy> {
        let mut locales = Vec::new();
        for (tag, source) in LOCALE_FILES {
            let table: toml::Table =
                toml::from_str(source).with_context(|| format!("locales/{tag}.toml"))?;
            let mut texts = HashMap::new();
            locale_file::walk(&table, &mut |key, item| {
                if !key.starts_with("mail.") {
                    return;
                }
                let text = match item {
                    Item::Text(s) => Text::Plain(s.to_string()),
                    Item::Plural(forms) => Text::Plural(
                        forms
                            .into_iter()
                            .filter_map(|(c, t)| Some((c.to_string(), t?.to_string())))
                            .collect(),
                    ),
                    Item::Invalid => return,
                };
                texts.insert(key, text);
            });
            locales.push((tag.to_string(), texts));
        }
        let copy = MailCopy { locales };
        for kind in [MailKind::Verify, MailKind::Reset, MailKind::PasswordChanged] {
            for part in kind.parts() {
                let key = format!("mail.{}.{part}", kind.as_str());
                anyhow::ensure!(
                    copy.text("en", &key, None).is_some(),
                    "locales/en.toml has no `{key}`"
                );
            }
        }
        Ok(copy)
    }

    /// The shipped locale that best fits an `Accept-Language` header, else English.
    pub fn negotiate(&self, accept_language: Option<&str>) -> &str {
        let mut prefs: Vec<(f32, usize, String)> = accept_language
            .unwrap_or("")
            .split(',')
            .enumerate()
            .filter_map(|(i, part)| {
                let mut bits = part.split(';');
                let tag = bits.next()?.trim();
                let q = bits
                    .filter_map(|b| b.trim().strip_prefix("q="))
                    .find_map(|q| q.parse::<f32>().ok())
                    .unwrap_or(1.0);
                let lang = tag.split(['-', '_']).next()?.to_ascii_lowercase();
                (q > 0.0 && !lang.is_empty()).then_some((q, i, lang))
            })
            .collect();
        prefs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        prefs
            .iter()
            .find_map(|(_, _, lang)| {
                self.locales
                    .iter()
                    .find(|(tag, _)| tag == lang)
                    .map(|(t, _)| t.as_str())
            })
            .unwrap_or("en")
    }

    /// The text of `key` in `locale` (English when the locale lacks it), `{n}` and `{email}`
    /// filled in; a plural's form is chosen for `n`.
    fn text(&self, locale: &str, key: &str, vars: Option<(&str, u64)>) -> Option<String> {
        let find = |tag: &str| {
            self.locales
                .iter()
                .find(|(t, _)| t == tag)
                .and_then(|(_, texts)| texts.get(key))
        };
        let (used, text) = match find(locale) {
            Some(t) => (locale, t),
            None => ("en", find("en")?),
        };
        let (email, n) = vars.unwrap_or(("", 0));
        let raw = match text {
            Text::Plain(s) => s.clone(),
            Text::Plural(forms) => {
                let category = plural_category(used, n);
                forms
                    .iter()
                    .find(|(c, _)| c == category)
                    .or_else(|| forms.iter().find(|(c, _)| c == "other"))
                    .map(|(_, t)| t.clone())?
            }
        };
        Some(raw.replace("{n}", &n.to_string()).replace("{email}", email))
    }
}

/// The CLDR plural category of a whole number (the languages shipped, and the one/other rule
/// most others use). Source: CLDR plural rules, unicode.org/cldr/charts/latest/supplemental/
/// language_plural_rules.html.
fn plural_category(locale: &str, n: u64) -> &'static str {
    match locale {
        "ar" => match (n, n % 100) {
            (0, _) => "zero",
            (1, _) => "one",
            (2, _) => "two",
            (_, 3..=10) => "few",
            (_, 11..=99) => "many",
            _ => "other",
        },
        _ if n == 1 => "one",
        _ => "other",
    }
}

/// The kinds of email.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MailKind {
    Verify,
    Reset,
    PasswordChanged,
}

impl MailKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::Verify => "verify",
            MailKind::Reset => "reset",
            MailKind::PasswordChanged => "password_changed",
        }
    }

    /// The copy keys of this kind, under `mail.<kind>.`.
    fn parts(self) -> &'static [&'static str] {
        match self {
            MailKind::Verify | MailKind::Reset => {
                &["subject", "body", "action", "expiry", "ignore"]
            }
            MailKind::PasswordChanged => &["subject", "body", "next", "action"],
        }
    }
}

/// A composed email.
#[derive(Clone, Debug, Serialize)]
pub struct Letter {
    pub kind: &'static str,
    pub locale: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The link the message is about (the one-time link, or the sign-in page).
    pub link: String,
}

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

impl MailCopy {
    /// Composes an email. `n` is the link's lifetime in the unit its `expiry` text names
    /// (hours for verification, minutes for reset); unused for `PasswordChanged`.
    pub fn compose(&self, kind: MailKind, locale: &str, to: &str, link: &str, n: u64) -> Letter {
        let t = |part: &str| {
            self.text(
                locale,
                &format!("mail.{}.{part}", kind.as_str()),
                Some((to, n)),
            )
            .unwrap_or_default()
        };
        let subject = t("subject");
        let paragraphs: Vec<String> = match kind {
            MailKind::Verify | MailKind::Reset => vec![t("body"), t("expiry"), t("ignore")],
            MailKind::PasswordChanged => vec![t("body"), t("next")],
        };
        let action = t("action");
        // Plain text: the first paragraph, the link on a line of its own, then the rest.
        let mut text = format!("{}\n\n{action}:\n{link}\n", paragraphs[0]);
        for p in &paragraphs[1..] {
            text.push('\n');
            text.push_str(p);
            text.push('\n');
        }
        let dir = if RTL_LOCALES.contains(&locale) {
            "rtl"
        } else {
            "ltr"
        };
        let e = html_escape;
        let mut html = format!(
            "<!doctype html>\n<html lang=\"{}\" dir=\"{dir}\">\n<head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width\"><title>{}</title></head>\n\
             <body style=\"margin:0;padding:24px;font-family:system-ui,sans-serif;font-size:16px;\
             line-height:1.5;color:#1a1a1a;background:#ffffff\">\n\
             <div style=\"max-width:36em;margin:0 auto\">\n<p>{}</p>\n\
             <p><a href=\"{}\" style=\"display:inline-block;padding:12px 20px;background:#1d4ed8;\
             color:#ffffff;text-decoration:none;border-radius:4px;font-weight:600\">{}</a></p>\n\
             <p style=\"word-break:break-all;color:#404040\">{}</p>\n",
            e(locale),
            e(&subject),
            e(&paragraphs[0]),
            e(link),
            e(&action),
            e(link),
        );
        for p in &paragraphs[1..] {
            html.push_str(&format!("<p>{}</p>\n", e(p)));
        }
        html.push_str("</div>\n</body>\n</html>\n");
        Letter {
            kind: kind.as_str(),
            locale: locale.to_string(),
            to: to.to_string(),
            subject,
            text,
            html,
            link: link.to_string(),
        }
    }
}

/// A message kept by the dev mailbox.
#[derive(Clone, Debug, Serialize)]
pub struct Kept {
    pub id: u64,
    /// Unix time it was kept.
    pub at: u64,
    #[serde(flatten)]
    pub letter: Letter,
}

/// The dev mailbox: the last messages, in memory, listed at `/dev/mailbox` on the admin
/// listener (and on the public one with `--demo-admin-on-public`).
#[derive(Default)]
pub struct DevMailbox {
    inner: Mutex<(u64, VecDeque<Kept>)>,
}

impl DevMailbox {
    pub fn keep(&self, letter: Letter) {
        let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        g.0 += 1;
        let kept = Kept {
            id: g.0,
            at: crate::tokens::now(),
            letter,
        };
        g.1.push_front(kept);
        g.1.truncate(MAILBOX_CAPACITY);
    }

    /// Newest first.
    pub fn list(&self) -> Vec<Kept> {
        let g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        g.1.iter().cloned().collect()
    }
}

/// Where mail goes: SMTP, the dev mailbox, or both.
pub struct Mailer {
    smtp: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Mailbox,
    pub copy: MailCopy,
    pub mailbox: Option<DevMailbox>,
    /// `--app-url`, or this server's own address once it is bound.
    app_url: OnceLock<String>,
    /// Messages being sent at once; more wait (the SMTP pool has its own limit too).
    sending: tokio::sync::Semaphore,
}

/// Checks `--smtp-url`: `smtp://` or `smtps://`, a host, no password (the password comes from
/// `AUTH_SMTP_PASSWORD`).
pub fn parse_smtp_url(s: &str) -> Result<String, String> {
    let url = url::Url::parse(s).map_err(|e| format!("not a URL: {e}"))?;
    if !matches!(url.scheme(), "smtp" | "smtps") {
        return Err("expected smtp://HOST[:PORT] (STARTTLS when offered) or \
                    smtps://HOST[:PORT] (TLS from the start)"
            .into());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("the URL names no host".into());
    }
    if url.password().is_some() {
        return Err(format!(
            "a password on the command line is visible to every local user: give the user \
             name in the URL (smtp://USER@HOST) and the password in {SMTP_PASSWORD_ENV}"
        ));
    }
    Ok(s.to_string())
}

/// Checks `--app-url`: an http(s) URL without a fragment (the link's token goes there).
pub fn parse_app_url(s: &str) -> Result<String, String> {
    let url = url::Url::parse(s).map_err(|e| format!("not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err("expected the page's address, like https://app.example.com/account".into());
    }
    if url.fragment().is_some() {
        return Err("the address must not have a #fragment: the link's token goes there".into());
    }
    Ok(url.to_string())
}

impl Mailer {
    pub fn new(cfg: &Cli) -> anyhow::Result<Mailer> {
        let smtp = match &cfg.smtp_url {
            Some(raw) => Some(smtp_transport(raw)?),
            None => None,
        };
        let from = match (&cfg.mail_from, &cfg.smtp_url) {
            (Some(f), _) => f
                .parse::<Mailbox>()
                .map_err(|e| anyhow::anyhow!("--mail-from {f:?}: {e}"))?,
            (None, Some(_)) => anyhow::bail!(
                "--smtp-url needs --mail-from (the sender address, like \
                 \"Example <no-reply@example.com>\")"
            ),
            (None, None) => "auth-server <no-reply@localhost>"
                .parse::<Mailbox>()
                .map_err(|e| anyhow::anyhow!("default sender: {e}"))?,
        };
        let mailbox = (cfg.dev_mailbox || smtp.is_none()).then(DevMailbox::default);
        let app_url = OnceLock::new();
        if let Some(u) = &cfg.app_url {
            let _ = app_url.set(u.clone());
        }
        Ok(Mailer {
            smtp,
            from,
            copy: MailCopy::load()?,
            mailbox,
            app_url,
            sending: tokio::sync::Semaphore::new(8),
        })
    }

    /// Sets the page links open when `--app-url` was not given: this server's own address.
    pub fn default_app_url(&self, url: String) {
        let _ = self.app_url.set(url);
    }

    pub fn app_url(&self) -> &str {
        self.app_url.get().map(String::as_str).unwrap_or("/")
    }

    /// The link a message carries: `{app_url}#auth-verify=TOKEN` or `#auth-reset=TOKEN`
    /// (recovery-30: in the fragment, which browsers never send to a server or in a Referer).
    pub fn link(&self, fragment_key: &str, token: &str) -> String {
        format!("{}#{fragment_key}={token}", self.app_url())
    }

    pub fn sends_smtp(&self) -> bool {
        self.smtp.is_some()
    }

    fn message(&self, letter: &Letter) -> anyhow::Result<Message> {
        let to: Mailbox = letter.to.parse().context("recipient address")?;
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(letter.subject.clone())
            .multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(letter.text.clone()),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(letter.html.clone()),
                    ),
            )
            .context("building the message")
    }
}

fn smtp_transport(raw: &str) -> anyhow::Result<AsyncSmtpTransport<Tokio1Executor>> {
    let mut url = url::Url::parse(raw).context("--smtp-url")?;
    // Plain smtp:// upgrades with STARTTLS whenever the server offers it; `?tls=required`
    // refuses a server that does not.
    if url.scheme() == "smtp" && !url.query_pairs().any(|(k, _)| k == "tls") {
        url.query_pairs_mut().append_pair("tls", "opportunistic");
    }
    let user = url.username().to_string();
    let _ = url.set_username("");
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.as_str())
        .map_err(|e| anyhow::anyhow!("--smtp-url: {e}"))?
        .timeout(Some(Duration::from_secs(15)));
    if !user.is_empty() {
        let password = std::env::var(SMTP_PASSWORD_ENV).with_context(|| {
            format!("--smtp-url names the user {user:?}: set {SMTP_PASSWORD_ENV}")
        })?;
        builder = builder.credentials(Credentials::new(user, password));
    }
    Ok(builder.build())
}

/// Sends `letter` in the background: into the dev mailbox and/or over SMTP. Never fails the
/// caller; a failure is logged with a reference id.
pub fn dispatch(s: &Shared, letter: Letter) {
    let s = s.clone();
    tokio::spawn(async move {
        let kind = letter.kind;
        if let Some(mailbox) = &s.mailer.mailbox {
            mailbox.keep(letter.clone());
            s.metrics.mail(kind, "kept");
            tracing::info!(kind, "mail kept in the dev mailbox");
        }
        let Some(smtp) = &s.mailer.smtp else { return };
        let _permit = s.mailer.sending.acquire().await;
        let sent = match s.mailer.message(&letter) {
            Ok(message) => smtp.send(message).await.map_err(anyhow::Error::from),
            Err(e) => Err(e),
        };
        match sent {
            Ok(_) => {
                s.metrics.mail(kind, "sent");
                tracing::info!(kind, "mail sent");
            }
            Err(e) => {
                s.metrics.mail(kind, "failed");
                let reference = crate::problem::reference_id();
                tracing::error!(kind, instance = %reference, error = %e, "mail not sent");
            }
        }
    });
}

fn no_store(
    mut resp: axum::response::Response,
    content_type: &'static str,
) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // The page shows live links: it is never framed and never sends a Referer (recovery-30).
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        ),
    );
    resp
}

/// `GET /dev/mailbox.json`: the kept messages, newest first (`[{id, at, kind, locale, to,
/// subject, text, html, link}]`). 404 when the dev mailbox is off.
pub async fn mailbox_json(
    axum::extract::State(s): axum::extract::State<Shared>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let Some(mailbox) = &s.mailer.mailbox else {
        return crate::problem::Problem::new(crate::problem::Code::NotFound).into_response();
    };
    let body = serde_json::to_string(&mailbox.list()).unwrap_or_else(|_| "[]".into());
    no_store(body.into_response(), "application/json")
}

/// `GET /dev/mailbox`: the kept messages as a page, newest first, each with its link.
pub async fn mailbox_page(
    axum::extract::State(s): axum::extract::State<Shared>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let Some(mailbox) = &s.mailer.mailbox else {
        return crate::problem::Problem::new(crate::problem::Code::NotFound).into_response();
    };
    let e = html_escape;
    let list = mailbox.list();
    let mut page = String::from(
        "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\">\
         <title>Dev mailbox</title>\n<style>body{font-family:system-ui,sans-serif;margin:24px;\
         line-height:1.5;color:#1a1a1a}article{border:1px solid #767676;border-radius:4px;\
         padding:12px 16px;margin:16px 0;max-width:48em}pre{white-space:pre-wrap;\
         word-break:break-all}a{color:#1d4ed8}</style></head>\n<body>\n<h1>Dev mailbox</h1>\n\
         <p>Emails this server would send, newest first (the last 200, in memory). Reload to see \
         new ones.</p>\n",
    );
    if list.is_empty() {
        page.push_str("<p>No emails yet.</p>\n");
    }
    for m in &list {
        page.push_str(&format!(
            "<article data-kind=\"{}\">\n<h2>{}</h2>\n<p>To: {} · {} · {}</p>\n\
             <p><a href=\"{}\">{}</a></p>\n<pre>{}</pre>\n</article>\n",
            e(m.letter.kind),
            e(&m.letter.subject),
            e(&m.letter.to),
            e(m.letter.kind),
            e(&m.letter.locale),
            e(&m.letter.link),
            e(&m.letter.link),
            e(&m.letter.text),
        ));
    }
    page.push_str("</body>\n</html>\n");
    no_store(page.into_response(), "text/html; charset=utf-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_locale_has_every_mail_text_and_fills_its_variables() {
        let copy = MailCopy::load().expect("copy loads");
        for (tag, _) in LOCALE_FILES {
            for kind in [MailKind::Verify, MailKind::Reset, MailKind::PasswordChanged] {
                let l = copy.compose(kind, tag, "a@example.com", "https://x.test/#k=v", 3);
                assert!(!l.subject.is_empty(), "{tag} {kind:?}");
                assert!(!l.text.contains('{'), "{tag} {kind:?}: {}", l.text);
                assert!(l.text.contains("https://x.test/#k=v"));
                assert!(l.html.contains("href=\"https://x.test/#k=v\""));
            }
        }
    }

    #[test]
    fn accept_language_picks_the_best_shipped_locale() {
        let copy = MailCopy::load().expect("copy loads");
        assert_eq!(copy.negotiate(Some("de-AT,de;q=0.9,en;q=0.8")), "de");
        assert_eq!(copy.negotiate(Some("fr-FR, ar;q=0.5, de;q=0.7")), "de");
        assert_eq!(copy.negotiate(Some("xx")), "en");
        assert_eq!(copy.negotiate(None), "en");
    }

    #[test]
    fn arabic_plurals_follow_cldr() {
        let forms: Vec<&str> = [0, 1, 2, 3, 11, 100, 24, 30]
            .into_iter()
            .map(|n| plural_category("ar", n))
            .collect();
        assert_eq!(
            forms,
            ["zero", "one", "two", "few", "many", "other", "many", "many"]
        );
        assert_eq!(plural_category("de", 1), "one");
        assert_eq!(plural_category("en", 30), "other");
    }

    #[test]
    fn urls_with_a_password_or_a_fragment_are_refused() {
        assert!(parse_smtp_url("smtp://mail.example.com:587").is_ok());
        assert!(parse_smtp_url("smtps://user@mail.example.com").is_ok());
        assert!(parse_smtp_url("smtp://user:secret@mail.example.com").is_err());
        assert!(parse_smtp_url("http://mail.example.com").is_err());
        assert!(parse_app_url("https://app.example.com/account").is_ok());
        assert!(parse_app_url("https://app.example.com/#x").is_err());
        assert!(parse_app_url("ftp://app.example.com/").is_err());
    }
}
