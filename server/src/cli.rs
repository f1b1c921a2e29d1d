//! Command line: every knob of the server. Tests build a `Cli` with `Cli::try_parse_from`.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use ipnet::IpNet;

use clap::Parser;

/// Reference auth API for auth-widget (the contract in docs/contract.md).
#[derive(Parser, Debug, Clone)]
#[command(name = "auth-server", version, about, args_override_self = true)]
pub struct Cli {
    /// Address to listen on; port 0 picks a free port. The bound address is printed on stdout.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,

    /// Address of the admin listener (operator API, `/metrics`, `/dashboard`). Default:
    /// 127.0.0.1:9180, or 127.0.0.1:0 (a free port) when `--addr` has port 0. Its bound
    /// address is printed on stdout as a second line.
    #[arg(long, value_name = "ADDR")]
    pub admin_addr: Option<SocketAddr>,

    /// For the local demo and browser tests only: also answer the admin API, `/metrics` and
    /// `/dashboard` on the public listener (to loopback clients, this server's own pages and
    /// `--allow-origin` pages, with a loopback `Host`). Never behind a proxy.
    #[arg(long)]
    pub demo_admin_on_public: bool,

    /// A reverse proxy whose `X-Forwarded-For` is believed (CIDR or single address;
    /// repeatable). The client is the right-most address in the header that is not a trusted
    /// proxy. Without this flag the header is ignored.
    #[arg(long = "trusted-proxy", value_name = "CIDR", value_parser = parse_cidr)]
    pub trusted_proxies: Vec<IpNet>,

    /// Connections served at once on the public listener; more wait to be accepted.
    #[arg(long, default_value_t = 512, value_parser = clap::value_parser!(u32).range(1..=65536))]
    pub max_connections: u32,

    /// Seconds a client has to send a request's headers, and the longest a connection may
    /// sit idle between requests.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub header_timeout_secs: u64,

    /// Seconds a client has to send a request's body.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub body_timeout_secs: u64,

    /// Database: SQLite as a URL (`sqlite::memory:`, `sqlite://data/x.db`) or a file path (a
    /// file and its parent directory are created on first run), or PostgreSQL
    /// (`postgres://USER:PASSWORD@HOST:PORT/DB`), which several instances can share. Any
    /// other URL scheme (`mysql://`, ...) is refused before anything is created.
    #[arg(long, default_value = "data/auth-server.db", value_parser = parse_db)]
    pub db: String,

    /// Serve this directory at `/` (index.html for directories; `/embed/` from DIR/embed).
    #[arg(long, value_name = "DIR")]
    pub static_dir: Option<PathBuf>,

    /// Serve `GET /copy/{locale}.json` from the locale files in DIR, re-read on every request
    /// (live copy preview for designers).
    #[arg(long, value_name = "DIR")]
    pub locales_dir: Option<PathBuf>,

    /// Create demo@example.com (password `correct horse battery staple`, verified) if absent,
    /// and codes@example.com (the same password, then a one-time code from the published
    /// demo secret JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP).
    #[arg(long)]
    pub seed_demo_user: bool,

    /// Allow this origin to call the API with credentials (CORS). Repeatable.
    #[arg(long = "allow-origin", value_name = "ORIGIN", value_parser = parse_origin)]
    pub allow_origins: Vec<String>,

    /// Enable fault injection through `PUT /_admin/faults` (loopback only).
    #[arg(long)]
    pub faults: bool,

    /// New accounts must verify their email before signing in (sign-up answers 202).
    #[arg(long)]
    pub require_verification: bool,

    /// Refuse sign-ups with 403 signup_closed.
    #[arg(long)]
    pub signup_closed: bool,

    /// Sign-up with a registered email answers 202 verify_email, like a new one.
    #[arg(long)]
    pub enumeration_safe_signup: bool,

    /// Also return the session token as `access_token` in login and sign-up bodies.
    #[arg(long)]
    pub bearer: bool,

    /// Mark the session cookie `Secure` and name it with the `__Host-` prefix.
    #[arg(long)]
    pub https_cookies: bool,

    /// Minimum password length at sign-up, in Unicode code points.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub password_min_length: u32,

    /// Maximum password length at sign-up, in code points (at least 64).
    #[arg(long, default_value_t = 1024, value_parser = clap::value_parser!(u32).range(64..=4096))]
    pub password_max_length: u32,

    /// Argon2id memory cost in KiB.
    #[arg(long, default_value_t = 19456, value_parser = clap::value_parser!(u32).range(8..))]
    pub argon2_m_cost: u32,

    /// Argon2id iterations.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..))]
    pub argon2_t_cost: u32,

    /// Argon2id parallelism.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=16))]
    pub argon2_p_cost: u32,

    /// Password hashes computed at once; more requests wait in a queue.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub max_concurrent_hashes: u32,

    /// How long a request may wait for a hashing slot before 503 service_unavailable.
    #[arg(long, default_value_t = 2000)]
    pub hash_queue_timeout_ms: u64,

    /// Session lifetime in seconds.
    #[arg(long, default_value_t = 43200, value_parser = clap::value_parser!(u64).range(1..))]
    pub session_ttl_secs: u64,

    /// Clock leeway for exp/nbf/iat checks, in seconds.
    #[arg(long, default_value_t = 30)]
    pub jwt_leeway_secs: u64,

    /// `iss` claim issued and required.
    #[arg(long, default_value = "auth-server")]
    pub jwt_issuer: String,

    /// `aud` claim issued and required.
    #[arg(long, default_value = "auth-widget")]
    pub jwt_audience: String,

    /// File of HS256 signing keys, one `KID=SECRET` per line (secret at least 32 bytes): the
    /// first signs, the others only verify (rotated-out keys). Without it: the keys in the
    /// `AUTH_JWT_KEYS` environment variable (same format), else a key created on first start
    /// in `<database file>.jwt-keys` (mode 0600), else (in-memory database) a random key.
    #[arg(long, value_name = "PATH")]
    pub jwt_key_file: Option<PathBuf>,

    /// Refused: a secret on the command line is visible to every local user.
    #[arg(long = "jwt-key", value_name = "KID=SECRET", hide = true, value_parser = refuse_jwt_key)]
    pub jwt_key_refused: Option<String>,

    /// Keys given by a program embedding the server (tests); they take precedence.
    #[arg(skip)]
    pub jwt_keys: Vec<JwtKey>,

    /// Requests per minute per client on the auth endpoints; 0 turns the limit off.
    #[arg(long, default_value_t = 600)]
    pub rate_limit_per_minute: u32,

    /// Requests a client may make at once before the per-minute pace applies (at most the
    /// per-minute number). Small, so that a few clients cannot fill the hashing queue.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
    pub rate_limit_burst: u32,

    /// Telemetry reports per minute per client (burst 10); 0 turns the limit off.
    #[arg(long, default_value_t = 60)]
    pub telemetry_per_minute: u32,

    /// Consecutive failures that lock an account (never fewer than 10).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(10..))]
    pub lockout_threshold: u32,

    /// How long a locked account stays locked, in seconds.
    #[arg(long, default_value_t = 900, value_parser = clap::value_parser!(u64).range(1..))]
    pub lockout_secs: u64,

    /// Failure counters kept (one per email tried, registered or not); the oldest unlocked
    /// ones are dropped beyond this.
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub lockout_max_tracked: u64,

    /// Seconds between purges of expired sessions, links, sign-in steps and failure counters.
    #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..))]
    pub purge_interval_secs: u64,

    /// Refused requests (429, 503) are logged as one summary per this many seconds.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub refusal_log_interval_secs: u64,

    /// JSON file with the service status (`{"state","message"?,"until"?}`), re-read on change.
    #[arg(long, value_name = "FILE")]
    pub status_file: Option<PathBuf>,

    /// Send email through this SMTP server: `smtp://HOST[:PORT]` (port 587 by default;
    /// upgrades with STARTTLS whenever the server offers it; add `?tls=required` to refuse a
    /// server that does not) or `smtps://HOST[:PORT]` (TLS from the start, port 465). A user
    /// name goes in the URL (`smtp://USER@HOST`), its password in the `AUTH_SMTP_PASSWORD`
    /// environment variable, never on the command line. Without this flag nothing is sent:
    /// messages are kept in the dev mailbox.
    #[arg(long, value_name = "URL", value_parser = crate::mail::parse_smtp_url)]
    pub smtp_url: Option<String>,

    /// The sender of every email, like `"Example <no-reply@example.com>"` (needed with
    /// `--smtp-url`).
    #[arg(long, value_name = "MAILBOX")]
    pub mail_from: Option<String>,

    /// The page the links in emails open (the page with the widget), like
    /// `https://app.example.com/account`; the link's token is added as its fragment. Default:
    /// this server's own address.
    #[arg(long, value_name = "URL", value_parser = crate::mail::parse_app_url)]
    pub app_url: Option<String>,

    /// Keep every email in memory and list it at `/dev/mailbox` on the admin listener (and on
    /// the public one with `--demo-admin-on-public`), also when `--smtp-url` sends it. On by
    /// itself when there is no `--smtp-url`.
    #[arg(long)]
    pub dev_mailbox: bool,

    /// How long a password-reset link works, in seconds (at most 30 minutes, recovery-28).
    #[arg(long, default_value_t = 1800, value_parser = clap::value_parser!(u64).range(1..=1800))]
    pub reset_link_ttl_secs: u64,

    /// How long an email-verification link works, in seconds (at most 24 hours, recovery-28).
    #[arg(long, default_value_t = 86400, value_parser = clap::value_parser!(u64).range(1..=86400))]
    pub verify_link_ttl_secs: u64,

    /// Least time between two link emails of the same kind to one address, in seconds. A
    /// resend within it answers 429 with the wait; a reset request within it sends nothing
    /// new (the earlier link still works).
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(0..=3600))]
    pub link_mail_interval_secs: u64,

    /// The WebAuthn relying party id passkeys are bound to: the host name of the page with the
    /// widget, or a parent domain of it (`example.com` serves `app.example.com`). A passkey
    /// made for one id never works for another, so choose it once. Not an IP address:
    /// browsers refuse passkeys there.
    #[arg(long, default_value = "localhost", value_parser = parse_rp_id)]
    pub webauthn_rp_id: String,

    /// The origin of the page that makes passkey calls (scheme, host and port, no path), on
    /// the relying party id's domain; repeat for several. Default: the demo page as `make
    /// demo` serves it, opened as localhost (browsers refuse passkeys on an IP address such
    /// as 127.0.0.1).
    #[arg(
        long = "webauthn-origin",
        value_name = "ORIGIN",
        default_value = "http://localhost:8080",
        value_parser = parse_webauthn_origin
    )]
    pub webauthn_origins: Vec<String>,

    /// Retry-After in seconds for injected faults (429/503/account_locked).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..))]
    pub fault_retry_after_secs: u64,
}

/// One `--jwt-key`.
#[derive(Clone, Debug)]
pub struct JwtKey {
    pub kid: String,
    pub secret: Vec<u8>,
}

fn refuse_jwt_key(_: &str) -> Result<String, String> {
    Err(
        "signing keys are no longer taken on the command line, where `ps` shows them to every \
         local user: put KID=SECRET lines in a file named by --jwt-key-file, or in the \
         AUTH_JWT_KEYS environment variable"
            .into(),
    )
}

fn parse_cidr(s: &str) -> Result<IpNet, String> {
    if let Ok(net) = s.parse::<IpNet>() {
        return Ok(net.trunc());
    }
    s.parse::<IpAddr>()
        .map(IpNet::from)
        .map_err(|_| "expected a network like 10.0.0.0/8, 192.0.2.10 or ::1/128".into())
}

/// Accepts `sqlite:` URLs, plain paths and `postgres://` URLs; refuses any other URL scheme,
/// so that a database this server cannot use is never silently replaced by a local file named
/// after its URL.
fn parse_db(s: &str) -> Result<String, String> {
    if s.is_empty() {
        return Err("expected a SQLite URL, a file path or a postgres:// URL".into());
    }
    if crate::db::is_postgres(s) {
        return Ok(s.to_string());
    }
    if let Some((scheme, _)) = s.split_once(':') {
        let looks_like_scheme = !scheme.is_empty()
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if looks_like_scheme && !scheme.eq_ignore_ascii_case("sqlite") {
            return Err(format!(
                "unsupported database scheme {scheme:?}: this server stores data in SQLite \
                 (`sqlite://PATH`, `sqlite::memory:` or a file path; write ./{s} for a file \
                 whose name contains a colon) or PostgreSQL (`postgres://USER@HOST/DB`)"
            ));
        }
    }
    Ok(s.to_string())
}

fn parse_origin(s: &str) -> Result<String, String> {
    let ok_scheme = s.starts_with("http://") || s.starts_with("https://");
    let rest = s.split_once("://").map(|(_, r)| r).unwrap_or("");
    if !ok_scheme || rest.is_empty() || rest.contains('/') || s.chars().any(char::is_whitespace) {
        return Err(
            "expected an origin like https://app.example.com or http://127.0.0.1:3000 \
                    (scheme, host, optional port, no path)"
                .into(),
        );
    }
    Ok(s.to_string())
}

/// Browsers offer WebAuthn on a domain name (or `localhost`) only, never on an IP address
/// (WebAuthn section 5.1.3 takes the relying party id from the page's effective domain).
fn parse_rp_id(s: &str) -> Result<String, String> {
    let host = s.trim_start_matches('[').trim_end_matches(']');
    if host.parse::<IpAddr>().is_ok() {
        return Err("passkeys need a domain name (or localhost), not an IP address".into());
    }
    if s.is_empty() || s.contains(['/', ':', ' ']) {
        return Err("expected a domain name like example.com (no scheme, no port)".into());
    }
    Ok(s.to_ascii_lowercase())
}

fn parse_webauthn_origin(s: &str) -> Result<String, String> {
    let origin = parse_origin(s)?;
    let url = url::Url::parse(&origin).map_err(|e| format!("{origin}: {e}"))?;
    match url.host() {
        Some(url::Host::Domain(_)) => Ok(origin),
        _ => Err(format!(
            "{origin}: passkeys need a domain name (or localhost), not an IP address; open the \
             page as http://localhost:PORT"
        )),
    }
}

impl Cli {
    /// Parses `args` (without the program name), as the command line would.
    pub fn try_parse_args(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("auth-server").chain(args.iter().copied()))
    }

    /// The admin listener's address: `--admin-addr`, else loopback port 9180, or a free port
    /// when the public listener asks for one.
    pub fn admin_addr(&self) -> SocketAddr {
        self.admin_addr.unwrap_or_else(|| {
            let port = if self.addr.port() == 0 { 0 } else { 9180 };
            SocketAddr::from(([127, 0, 0, 1], port))
        })
    }

    /// A configuration for tests: in-memory database, ephemeral port, cheap argon2.
    pub fn for_tests(extra: &[&str]) -> Cli {
        let mut args = vec![
            "auth-server",
            "--addr",
            "127.0.0.1:0",
            "--db",
            "sqlite::memory:",
            "--argon2-m-cost",
            "1024",
            "--argon2-t-cost",
            "1",
        ];
        args.extend_from_slice(extra);
        Cli::try_parse_from(args).expect("test arguments parse")
    }
}
