//! Command line: every knob of the server. Tests build a `Cli` with `Cli::try_parse_from`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

/// Reference auth API for auth-widget (the contract in DESIGN.md).
#[derive(Parser, Debug, Clone)]
#[command(name = "auth-server", version, about, args_override_self = true)]
pub struct Cli {
    /// Address to listen on; port 0 picks a free port. The bound address is printed on stdout.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,

    /// SQLite database: a URL (`sqlite::memory:`, `sqlite://data/x.db`) or a file path.
    /// A file and its parent directory are created on first run. Any other URL scheme
    /// (`postgres://`, `mysql://`, ...) is refused before anything is created.
    #[arg(long, default_value = "data/auth-server.db", value_parser = parse_db)]
    pub db: String,

    /// Serve this directory at `/` (index.html for directories; `/embed/` from DIR/embed).
    #[arg(long, value_name = "DIR")]
    pub static_dir: Option<PathBuf>,

    /// Serve `GET /copy/{locale}.json` from the locale files in DIR, re-read on every request
    /// (live copy preview for designers).
    #[arg(long, value_name = "DIR")]
    pub locales_dir: Option<PathBuf>,

    /// Create demo@example.com (password `correct horse battery staple`, verified) if absent.
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

    /// HS256 signing key as KID=SECRET (secret at least 32 bytes). Repeatable: the first signs,
    /// the others only verify (a rotated-out key). Default: a random key per start.
    #[arg(long = "jwt-key", value_name = "KID=SECRET", value_parser = parse_jwt_key)]
    pub jwt_keys: Vec<JwtKey>,

    /// Requests per minute per client IP on the auth endpoints; 0 turns the limit off.
    #[arg(long, default_value_t = 600)]
    pub rate_limit_per_minute: u32,

    /// Consecutive failures that lock an account (never fewer than 10).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(10..))]
    pub lockout_threshold: u32,

    /// How long a locked account stays locked, in seconds.
    #[arg(long, default_value_t = 900, value_parser = clap::value_parser!(u64).range(1..))]
    pub lockout_secs: u64,

    /// JSON file with the service status (`{"state","message"?,"until"?}`), re-read on change.
    #[arg(long, value_name = "FILE")]
    pub status_file: Option<PathBuf>,

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

fn parse_jwt_key(s: &str) -> Result<JwtKey, String> {
    let (kid, secret) = s.split_once('=').ok_or("expected KID=SECRET")?;
    if kid.is_empty() || kid.len() > 64 || !kid.chars().all(|c| c.is_ascii_graphic()) {
        return Err("KID must be 1 to 64 visible ASCII characters".into());
    }
    if secret.len() < 32 {
        return Err("SECRET must be at least 32 bytes".into());
    }
    Ok(JwtKey {
        kid: kid.to_string(),
        secret: secret.as_bytes().to_vec(),
    })
}

/// Accepts `sqlite:` URLs and plain paths; refuses any other URL scheme, so that a database
/// this server cannot use is never silently replaced by a local file named after its URL.
fn parse_db(s: &str) -> Result<String, String> {
    if s.is_empty() {
        return Err("expected a SQLite URL or a file path".into());
    }
    if let Some((scheme, _)) = s.split_once(':') {
        let looks_like_scheme = !scheme.is_empty()
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if looks_like_scheme && !scheme.eq_ignore_ascii_case("sqlite") {
            return Err(format!(
                "unsupported database scheme {scheme:?}: this server stores data in SQLite only \
                 (`sqlite://PATH`, `sqlite::memory:` or a file path; write ./{s} for a file \
                 whose name contains a colon)"
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

impl Cli {
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
