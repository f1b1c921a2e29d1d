//! Where the signing keys come from: `--jwt-key-file`, the `AUTH_JWT_KEYS` environment variable,
//! or a key file the server creates beside its database on first start. Never the command
//! line, where any local user can read them in `ps` (OWASP ASVS 5.0 V13, secret management).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::cli::JwtKey;

/// The environment variable holding keys, one `KID=SECRET` per line (the first signs).
pub const ENV: &str = "AUTH_JWT_KEYS";

/// Parses one `KID=SECRET`.
pub fn parse_key(s: &str) -> Result<JwtKey, String> {
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

/// Parses lines of `KID=SECRET` (blank lines and `#` comments skipped); the first key signs.
pub fn parse_keys(text: &str, origin: &str) -> anyhow::Result<Vec<JwtKey>> {
    let mut keys = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let key = parse_key(line).map_err(|e| anyhow::anyhow!("{origin}, line {}: {e}", n + 1))?;
        if keys.iter().any(|k: &JwtKey| k.kid == key.kid) {
            anyhow::bail!(
                "{origin}, line {}: key id {:?} appears twice",
                n + 1,
                key.kid
            );
        }
        keys.push(key);
    }
    if keys.is_empty() {
        anyhow::bail!("{origin}: no KID=SECRET line");
    }
    Ok(keys)
}

/// Where the generated key lives for a database file: `<db file>.jwt-keys` (None for an
/// in-memory database, which gets a random key per start since its sessions die with it, and
/// for PostgreSQL, whose instances must be given the same keys).
pub fn beside_database(db: &str) -> Option<PathBuf> {
    if db.contains(":memory:") || db.contains("mode=memory") || crate::db::is_postgres(db) {
        return None;
    }
    let path = db
        .strip_prefix("sqlite://")
        .or_else(|| db.strip_prefix("sqlite:"))
        .unwrap_or(db);
    let path = path.split('?').next().unwrap_or(path);
    let mut name = Path::new(path).as_os_str().to_owned();
    name.push(".jwt-keys");
    Some(PathBuf::from(name))
}

/// The keys to start with, in order of precedence: `file`, then `env`, then the generated
/// key file beside the database (created 0600 on first start), else one random key.
pub fn load(
    file: Option<&Path>,
    env: Option<String>,
    db: &str,
    random: impl Fn() -> anyhow::Result<JwtKey>,
) -> anyhow::Result<Vec<JwtKey>> {
    if let Some(file) = file {
        warn_if_readable_by_others(file);
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read --jwt-key-file {}", file.display()))?;
        return parse_keys(&text, &file.display().to_string());
    }
    if let Some(text) = env.filter(|t| !t.trim().is_empty()) {
        return parse_keys(&text, ENV);
    }
    let Some(path) = beside_database(db) else {
        tracing::info!("in-memory database: a random signing key for this run only");
        return Ok(vec![random()?]);
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            warn_if_readable_by_others(&path);
            parse_keys(&text, &path.display().to_string())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = random()?;
            write_new(&path, &key)?;
            tracing::info!(file = %path.display(), kid = %key.kid, "signing key created");
            Ok(vec![key])
        }
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// Creates `path` (never overwriting) readable by its owner only, holding `key`.
fn write_new(path: &Path, key: &JwtKey) -> anyhow::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    let secret = String::from_utf8(key.secret.clone()).context("generated secret is text")?;
    writeln!(
        f,
        "# HS256 signing keys of auth-server, KID=SECRET; the first signs.\n{}={secret}",
        key.kid
    )
    .and_then(|()| f.sync_all())
    .with_context(|| format!("cannot write {}", path.display()))
}

fn warn_if_readable_by_others(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path)
            && meta.permissions().mode() & 0o077 != 0
        {
            tracing::warn!(file = %path.display(), "key file is readable by other users: chmod 600 it");
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}
