//! Storage (sqlx, runtime queries, embedded migrations): embedded SQLite by default, or a
//! PostgreSQL database shared by several instances. One code path through sqlx's `Any` driver:
//! every query is written once in the SQL both dialects accept (`$N` parameters, upserts with
//! `ON CONFLICT`), and each dialect has its own migrations (`migrations/sqlite`,
//! `migrations/postgres`) creating the same tables.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::any::AnyPoolOptions;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Any, AnyPool, Row};

/// True when `--db` names a PostgreSQL database (`postgres://` or `postgresql://`).
pub fn is_postgres(db: &str) -> bool {
    let lower = db.get(..13).unwrap_or(db).to_ascii_lowercase();
    lower.starts_with("postgres://") || lower.starts_with("postgresql://")
}

/// `db` without a password, for messages.
pub fn redacted(db: &str) -> String {
    match (db.split_once("://"), db.rfind('@')) {
        (Some((scheme, rest)), Some(at)) if at > scheme.len() => {
            let userinfo = &rest[..at - scheme.len() - 3];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{scheme}://{user}@{}", &db[at + 1..])
        }
        _ => db.to_string(),
    }
}

/// Opens (creating if needed) the database named by `--db` and runs the migrations.
pub async fn connect(db: &str) -> anyhow::Result<AnyPool> {
    sqlx::any::install_default_drivers();
    if is_postgres(db) {
        let pool = AnyPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(5))
            .connect(db)
            .await
            .with_context(|| format!("cannot connect to database {:?}", redacted(db)))?;
        sqlx::migrate!("./migrations/postgres")
            .run(&pool)
            .await
            .context("database migration failed")?;
        return Ok(pool);
    }
    let in_memory = db.contains(":memory:") || db.contains("mode=memory");
    // The `Any` driver takes a URL: a plain path becomes `sqlite://PATH` (with the characters a
    // URL would read otherwise escaped), and files are created if missing (`mode=rwc`).
    let mut url = if db.starts_with("sqlite:") {
        db.to_string()
    } else {
        format!(
            "sqlite://{}",
            db.replace('%', "%25")
                .replace('?', "%3F")
                .replace('#', "%23")
        )
    };
    if !in_memory && !url.contains("mode=") {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str("mode=rwc");
    }
    let opts =
        SqliteConnectOptions::from_str(&url).with_context(|| format!("bad --db URL {db:?}"))?;
    if !in_memory {
        let file = opts.get_filename();
        if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
            create_dir(parent)?;
        }
    }
    let pool = if in_memory {
        // One connection that never closes: every connection to `:memory:` is its own database.
        AnyPoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect(&url)
            .await
    } else {
        AnyPoolOptions::new().max_connections(4).connect(&url).await
    }
    .with_context(|| format!("cannot open database {db:?}"))?;
    if !in_memory {
        // Readers do not wait for the writer; the mode is kept in the file.
        sqlx::query("PRAGMA journal_mode = WAL")
            .execute(&pool)
            .await
            .context("cannot switch the database to WAL")?;
    }
    sqlx::migrate!("./migrations/sqlite")
        .run(&pool)
        .await
        .context("database migration failed")?;
    Ok(pool)
}

fn create_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))
}

/// A stored account.
#[derive(Clone, Debug)]
pub struct User {
    pub id: String,
    pub email: String,
    pub password_hash: String,
    pub verified: bool,
    pub disabled: bool,
    pub failed_attempts: i64,
    pub locked_until: Option<i64>,
}

macro_rules! select_user {
    ($where:literal) => {
        concat!(
            "SELECT id, users.email AS email, password_hash, verified, disabled, ",
            "COALESCE(f.failures, 0) AS failed_attempts, f.locked_until AS locked_until ",
            "FROM users LEFT JOIN login_failures f ON f.email = users.email WHERE ",
            $where
        )
    };
}

fn user_from_row(row: &sqlx::any::AnyRow) -> Result<User, sqlx::Error> {
    Ok(User {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        password_hash: row.try_get("password_hash")?,
        verified: row.try_get::<i64, _>("verified")? != 0,
        disabled: row.try_get::<i64, _>("disabled")? != 0,
        failed_attempts: row.try_get("failed_attempts")?,
        locked_until: row.try_get("locked_until")?,
    })
}

pub async fn user_by_email(pool: &AnyPool, email: &str) -> Result<Option<User>, sqlx::Error> {
    let row = sqlx::query(select_user!("users.email = $1"))
        .bind(email)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(user_from_row).transpose()
}

pub async fn user_by_id(pool: &AnyPool, id: &str) -> Result<Option<User>, sqlx::Error> {
    let row = sqlx::query(select_user!("id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(user_from_row).transpose()
}

/// Inserts a user; `Ok(None)` when the email is already registered.
pub async fn insert_user(
    pool: &AnyPool,
    email: &str,
    password_hash: &str,
    verified: bool,
    now: i64,
) -> Result<Option<String>, sqlx::Error> {
    let id = uuid::Uuid::new_v4().to_string();
    let inserted = insert_user_with_id(pool, &id, email, password_hash, verified, now).await?;
    Ok(inserted.then_some(id))
}

/// Inserts a user with the given id (in a transaction, say); false when the email is taken.
pub async fn insert_user_with_id(
    db: impl sqlx::Executor<'_, Database = Any>,
    id: &str,
    email: &str,
    password_hash: &str,
    verified: bool,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let res = sqlx::query(
        "INSERT INTO users (id, email, password_hash, verified, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT(email) DO NOTHING",
    )
    .bind(id)
    .bind(email)
    .bind(password_hash)
    .bind(i64::from(verified))
    .bind(now)
    .execute(db)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// The failure counter of an email (registered or not): consecutive failures and the end of
/// its lock, if any.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Failures {
    pub count: i64,
    pub locked_until: Option<i64>,
}

pub async fn failures(pool: &AnyPool, email: &str) -> Result<Option<Failures>, sqlx::Error> {
    let row = sqlx::query("SELECT failures, locked_until FROM login_failures WHERE email = $1")
        .bind(email)
        .fetch_optional(pool)
        .await?;
    row.map(|r| {
        Ok(Failures {
            count: r.try_get("failures")?,
            locked_until: r.try_get("locked_until")?,
        })
    })
    .transpose()
}

/// Records a failed attempt for `email` at `now`; locks it until `lock_until` when the count
/// reaches `threshold`. A lock that has run out starts the count over (so one wrong password
/// after a lock does not lock again). Keeps at most `max_tracked` counters: beyond that the
/// oldest unlocked ones go. Returns the new count.
pub async fn record_failure(
    pool: &AnyPool,
    email: &str,
    now: i64,
    threshold: u32,
    lock_until: i64,
    max_tracked: u64,
) -> Result<i64, sqlx::Error> {
    let row = sqlx::query(
        "INSERT INTO login_failures AS f (email, failures, locked_until, last_failure_at) \
         VALUES ($1, 1, CASE WHEN 1 >= $2 THEN $3 END, $4) \
         ON CONFLICT(email) DO UPDATE SET \
           failures = CASE WHEN f.locked_until IS NOT NULL AND f.locked_until <= $4 THEN 1 \
                      ELSE f.failures + 1 END, \
           locked_until = CASE \
             WHEN (CASE WHEN f.locked_until IS NOT NULL AND f.locked_until <= $4 THEN 1 \
                   ELSE f.failures + 1 END) >= $2 THEN $3 \
             WHEN f.locked_until IS NOT NULL AND f.locked_until <= $4 THEN NULL \
             ELSE f.locked_until END, \
           last_failure_at = $4 \
         RETURNING failures",
    )
    .bind(email)
    .bind(i64::from(threshold))
    .bind(lock_until)
    .bind(now)
    .fetch_one(pool)
    .await?;
    let count = row.try_get(0)?;
    let max = i64::try_from(max_tracked).unwrap_or(i64::MAX);
    sqlx::query(
        "DELETE FROM login_failures WHERE email IN ( \
           SELECT email FROM login_failures \
           WHERE email <> $1 AND (locked_until IS NULL OR locked_until <= $2) \
           ORDER BY last_failure_at \
           LIMIT (SELECT CASE WHEN COUNT(*) > $3 THEN COUNT(*) - $3 ELSE 0 END FROM login_failures))",
    )
    .bind(email)
    .bind(now)
    .bind(max)
    .execute(pool)
    .await?;
    Ok(count)
}

/// Forgets the failures of `email` (a good sign-in, or an operator's unlock).
pub async fn reset_failures(
    pool: impl sqlx::Executor<'_, Database = Any>,
    email: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_failures WHERE email = $1")
        .bind(email)
        .execute(pool)
        .await?;
    Ok(())
}

/// The pace of a shared per-client limit (GCRA, the generic cell rate algorithm, as the
/// in-memory limiter in front of it uses): one request per `interval_us` on average, up to
/// `burst` at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pace {
    pub interval_us: i64,
    pub burst: i64,
}

impl Pace {
    /// `per_minute` requests a minute, `burst` at once (at least 1, at most `per_minute`).
    pub fn per_minute(per_minute: u32, burst: u32) -> Option<Pace> {
        let n = i64::from(per_minute);
        (n > 0).then(|| Pace {
            interval_us: (60_000_000 / n).max(1),
            burst: i64::from(burst).clamp(1, n),
        })
    }
}

/// Counts one request of `client` at `now_us` against the limit every instance on this
/// database shares. `Ok(None)`: admitted; `Ok(Some(us))`: refused, and the next request would
/// be admitted in `us` microseconds. A refused request is not counted, so a client that keeps
/// knocking still gets the limit's pace, no less.
///
/// One statement, atomic on both databases: the row holds the client's theoretical arrival
/// time (TAT); a request is admitted when the TAT, moved on by one interval, is no further
/// than `burst` intervals ahead of now. The update's `WHERE` refuses; then no row returns.
pub async fn rate_limit(
    pool: &AnyPool,
    client: &str,
    now_us: i64,
    pace: Pace,
) -> Result<Option<i64>, sqlx::Error> {
    let span = pace.burst.saturating_mul(pace.interval_us);
    let admitted = sqlx::query(
        "INSERT INTO rate_limits AS r (client, tat_us) VALUES ($1, $2 + $3) \
         ON CONFLICT(client) DO UPDATE SET \
           tat_us = (CASE WHEN r.tat_us > $2 THEN r.tat_us ELSE $2 END) + $3 \
         WHERE (CASE WHEN r.tat_us > $2 THEN r.tat_us ELSE $2 END) + $3 - $4 <= $2 \
         RETURNING tat_us",
    )
    .bind(client)
    .bind(now_us)
    .bind(pace.interval_us)
    .bind(span)
    .fetch_optional(pool)
    .await?;
    if admitted.is_some() {
        return Ok(None);
    }
    // Refused: when the next one would pass. Another instance may have moved the TAT since;
    // the hint is as good as the moment it is read.
    let tat: Option<i64> = sqlx::query("SELECT tat_us FROM rate_limits WHERE client = $1")
        .bind(client)
        .fetch_optional(pool)
        .await?
        .map(|r| r.try_get(0))
        .transpose()?;
    let wait = tat.map_or(0, |t| t + pace.interval_us - span - now_us);
    Ok(Some(wait.max(1)))
}

/// How long a link's row is kept past its expiry, so that it still answers `link_expired` or
/// `link_used` rather than `link_invalid`.
pub const LINK_KEPT_AFTER_EXPIRY_SECS: i64 = 7 * 86400;

/// Deletes what has expired: sessions (revoked or not) whose token can no longer verify, links
/// a week past their expiry, link-mail pace rows older than a day, failure counters with no
/// lock and no failure for a day, finished or expired sign-in steps, expired passkey
/// ceremonies, and rate-limit rows of clients whose pace has caught up.
/// Returns the number of rows deleted.
pub async fn purge(pool: &AnyPool, now: i64, leeway: i64) -> Result<u64, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let mut n = sqlx::query("DELETE FROM sessions WHERE expires_at + $1 < $2")
        .bind(leeway)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    n += sqlx::query("DELETE FROM account_links WHERE expires_at + $1 < $2")
        .bind(LINK_KEPT_AFTER_EXPIRY_SECS)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    n += sqlx::query("DELETE FROM link_mail_pace WHERE last_sent_at + 86400 < $1")
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    n += sqlx::query(
        "DELETE FROM login_failures WHERE (locked_until IS NULL OR locked_until <= $1) \
         AND last_failure_at + 86400 < $1",
    )
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    // A sign-in's second step is single use and short: once over it is never looked up again
    // (an unknown step reads as expired, the same words).
    n += sqlx::query("DELETE FROM login_steps WHERE expires_at < $1 OR used_at IS NOT NULL")
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    // A passkey ceremony not finished within its five minutes never will be.
    n += sqlx::query("DELETE FROM webauthn_challenges WHERE expires_at < $1")
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    // A client whose arrival time has passed is as if never seen.
    n += sqlx::query("DELETE FROM rate_limits WHERE tat_us < $1")
        .bind(now.saturating_mul(1_000_000))
        .execute(&mut *tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(n)
}

/// Rows in `table` (one of the server's own tables).
pub async fn count_rows(pool: &AnyPool, table: &str) -> Result<i64, sqlx::Error> {
    let table = match table {
        "users" => "users",
        "sessions" => "sessions",
        "account_links" => "account_links",
        "link_mail_pace" => "link_mail_pace",
        "login_failures" => "login_failures",
        "rate_limits" => "rate_limits",
        "login_steps" => "login_steps",
        "passkeys" => "passkeys",
        "webauthn_challenges" => "webauthn_challenges",
        _ => return Err(sqlx::Error::Protocol(format!("no table {table:?}"))),
    };
    sqlx::query(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
        .fetch_one(pool)
        .await?
        .try_get(0)
}

pub async fn set_user_flags(
    pool: &AnyPool,
    email: &str,
    verified: Option<bool>,
    disabled: Option<bool>,
    unlock: bool,
) -> Result<bool, sqlx::Error> {
    let res = sqlx::query(
        "UPDATE users SET verified = COALESCE($1, verified), disabled = COALESCE($2, disabled) \
         WHERE email = $3",
    )
    .bind(verified.map(i64::from))
    .bind(disabled.map(i64::from))
    .bind(email)
    .execute(pool)
    .await?;
    if unlock {
        reset_failures(pool, email).await?;
        // One-time codes paused by wrong codes (for good after a hundred) start again too.
        sqlx::query(
            "UPDATE totp_factors SET failures = 0, paused_until = 0 \
             WHERE user_id = (SELECT id FROM users WHERE email = $1)",
        )
        .bind(email)
        .execute(pool)
        .await?;
    }
    Ok(res.rows_affected() == 1)
}

pub async fn insert_session(
    pool: impl sqlx::Executor<'_, Database = Any>,
    id: &str,
    user_id: &str,
    now: i64,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sessions (id, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(id)
    .bind(user_id)
    .bind(now)
    .bind(expires_at)
    .execute(pool)
    .await?;
    Ok(())
}

/// A stored session.
#[derive(Clone, Debug)]
pub struct Session {
    pub user_id: String,
    pub expires_at: i64,
    pub revoked: bool,
}

pub async fn session(pool: &AnyPool, id: &str) -> Result<Option<Session>, sqlx::Error> {
    let row = sqlx::query("SELECT user_id, expires_at, revoked_at FROM sessions WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?;
    row.map(|r| {
        Ok(Session {
            user_id: r.try_get("user_id")?,
            expires_at: r.try_get("expires_at")?,
            revoked: r.try_get::<Option<i64>, _>("revoked_at")?.is_some(),
        })
    })
    .transpose()
}

pub async fn revoke_session(pool: &AnyPool, id: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(now)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Why a link is kept: the two kinds of one-time link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    VerifyEmail,
    PasswordReset,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::VerifyEmail => "verify",
            Purpose::PasswordReset => "reset",
        }
    }
}

/// Stores a new link (its token's hash) and supersedes every earlier unused link of the same
/// account and purpose, in one transaction (recovery-28: a newer link replaces the older).
pub async fn insert_link(
    pool: &AnyPool,
    token_hash: &str,
    user_id: &str,
    purpose: Purpose,
    now: i64,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query(
        "UPDATE account_links SET superseded_at = $1 \
         WHERE user_id = $2 AND purpose = $3 AND used_at IS NULL AND superseded_at IS NULL",
    )
    .bind(now)
    .bind(user_id)
    .bind(purpose.as_str())
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO account_links (token_hash, user_id, purpose, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(purpose.as_str())
    .bind(now)
    .bind(expires_at)
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// A stored link.
#[derive(Clone, Debug)]
pub struct Link {
    pub user_id: String,
    pub expires_at: i64,
    pub used: bool,
    pub superseded: bool,
}

pub async fn link(
    pool: &AnyPool,
    token_hash: &str,
    purpose: Purpose,
) -> Result<Option<Link>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT user_id, expires_at, used_at, superseded_at FROM account_links \
         WHERE token_hash = $1 AND purpose = $2",
    )
    .bind(token_hash)
    .bind(purpose.as_str())
    .fetch_optional(pool)
    .await?;
    row.map(|r| {
        Ok(Link {
            user_id: r.try_get("user_id")?,
            expires_at: r.try_get("expires_at")?,
            used: r.try_get::<Option<i64>, _>("used_at")?.is_some(),
            superseded: r.try_get::<Option<i64>, _>("superseded_at")?.is_some(),
        })
    })
    .transpose()
}

/// Marks a link used if it is still usable; false when another request used it first (or it
/// was superseded or expired meanwhile).
pub async fn use_link(
    conn: impl sqlx::Executor<'_, Database = Any>,
    token_hash: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let res = sqlx::query(
        "UPDATE account_links SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL \
         AND superseded_at IS NULL AND expires_at >= $1",
    )
    .bind(now)
    .bind(token_hash)
    .execute(conn)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// Supersedes every unused link of the account for `purpose`.
pub async fn supersede_links(
    conn: impl sqlx::Executor<'_, Database = Any>,
    user_id: &str,
    purpose: Purpose,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE account_links SET superseded_at = $1 \
         WHERE user_id = $2 AND purpose = $3 AND used_at IS NULL AND superseded_at IS NULL",
    )
    .bind(now)
    .bind(user_id)
    .bind(purpose.as_str())
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_verified(
    conn: impl sqlx::Executor<'_, Database = Any>,
    user_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET verified = 1 WHERE id = $1")
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Sets a new password hash; a reset link proves the mailbox too, so the address counts as
/// verified from then on.
pub async fn set_password(
    conn: impl sqlx::Executor<'_, Database = Any>,
    user_id: &str,
    password_hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET password_hash = $1, verified = 1 WHERE id = $2")
        .bind(password_hash)
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Revokes every live session of the account; returns how many.
pub async fn revoke_user_sessions(
    conn: impl sqlx::Executor<'_, Database = Any>,
    user_id: &str,
    now: i64,
) -> Result<u64, sqlx::Error> {
    let res = sqlx::query(
        "UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(res.rows_affected())
}

/// Records that a link email goes to `email` now, unless one went less than `interval`
/// seconds ago. `Ok(None)`: recorded; `Ok(Some(wait))`: refused, `wait` seconds to go.
pub async fn pace_link_mail(
    pool: &AnyPool,
    email: &str,
    purpose: Purpose,
    now: i64,
    interval: i64,
) -> Result<Option<i64>, sqlx::Error> {
    // No interval, no pacing. Requests reach this in the background, not always in the order
    // they read the clock, so a comparison of times could refuse one a second "early".
    if interval <= 0 {
        return Ok(None);
    }
    let res = sqlx::query(
        "INSERT INTO link_mail_pace (email, purpose, last_sent_at) VALUES ($1, $2, $3) \
         ON CONFLICT (email, purpose) DO UPDATE SET last_sent_at = excluded.last_sent_at \
         WHERE link_mail_pace.last_sent_at + $4 <= excluded.last_sent_at",
    )
    .bind(email)
    .bind(purpose.as_str())
    .bind(now)
    .bind(interval)
    .execute(pool)
    .await?;
    if res.rows_affected() == 1 {
        return Ok(None);
    }
    let last: i64 =
        sqlx::query("SELECT last_sent_at FROM link_mail_pace WHERE email = $1 AND purpose = $2")
            .bind(email)
            .bind(purpose.as_str())
            .fetch_one(pool)
            .await?
            .try_get(0)?;
    Ok(Some((last + interval - now).max(1)))
}

/// How many links are stored for `purpose`.
pub async fn count_links(pool: &AnyPool, purpose: Purpose) -> Result<i64, sqlx::Error> {
    sqlx::query("SELECT COUNT(*) FROM account_links WHERE purpose = $1")
        .bind(purpose.as_str())
        .fetch_one(pool)
        .await?
        .try_get(0)
}

/// An account's one-time code factor (`totp_factors`).
#[derive(Clone, Debug)]
pub struct Totp {
    pub secret: String,
    /// `None` until a first code confirmed the setup: until then it asks for nothing.
    pub confirmed_at: Option<i64>,
    pub last_step: i64,
    pub failures: i64,
    pub paused_until: i64,
}

pub async fn totp(pool: &AnyPool, user_id: &str) -> Result<Option<Totp>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT secret, confirmed_at, last_step, failures, paused_until FROM totp_factors \
         WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_optional(pool)
    .await?;
    row.map(|r| {
        Ok(Totp {
            secret: r.try_get("secret")?,
            confirmed_at: r.try_get("confirmed_at")?,
            last_step: r.try_get("last_step")?,
            failures: r.try_get("failures")?,
            paused_until: r.try_get("paused_until")?,
        })
    })
    .transpose()
}

/// A new, unconfirmed secret for the account (replacing an earlier unconfirmed one; a
/// confirmed factor is left as it is).
pub async fn start_totp_setup(
    pool: &AnyPool,
    user_id: &str,
    secret: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO totp_factors (user_id, secret, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO UPDATE SET secret = $2, created_at = $3, last_step = 0, \
         failures = 0, paused_until = 0 WHERE totp_factors.confirmed_at IS NULL",
    )
    .bind(user_id)
    .bind(secret)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}

/// Turns the factor on, remembering the step its first code was for. False when it was on.
pub async fn confirm_totp(
    conn: impl sqlx::Executor<'_, Database = Any>,
    user_id: &str,
    step: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let res = sqlx::query(
        "UPDATE totp_factors SET confirmed_at = $1, last_step = $2, failures = 0, \
         paused_until = 0 WHERE user_id = $3 AND confirmed_at IS NULL",
    )
    .bind(now)
    .bind(step)
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// Accepts a code of `step`: only when no code of that step or a later one was (replay).
pub async fn accept_totp_step(
    pool: &AnyPool,
    user_id: &str,
    step: i64,
) -> Result<bool, sqlx::Error> {
    let res = sqlx::query(
        "UPDATE totp_factors SET last_step = $1, failures = 0, paused_until = 0 \
         WHERE user_id = $2 AND last_step < $1",
    )
    .bind(step)
    .bind(user_id)
    .execute(pool)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// Counts a wrong code; the number of wrong codes in a row now.
pub async fn totp_failure(pool: &AnyPool, user_id: &str) -> Result<i64, sqlx::Error> {
    let row = sqlx::query(
        "UPDATE totp_factors SET failures = failures + 1 WHERE user_id = $1 RETURNING failures",
    )
    .bind(user_id)
    .fetch_optional(pool)
    .await?;
    row.map(|r| r.try_get("failures"))
        .transpose()
        .map(|n| n.unwrap_or(0))
}

pub async fn pause_totp(pool: &AnyPool, user_id: &str, until: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE totp_factors SET paused_until = $1 WHERE user_id = $2")
        .bind(until)
        .bind(user_id)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn clear_totp_failures(pool: &AnyPool, user_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE totp_factors SET failures = 0, paused_until = 0 WHERE user_id = $1")
        .bind(user_id)
        .execute(pool)
        .await?;
    Ok(())
}

/// The account's recovery codes become `hashes` (the earlier ones stop working).
pub async fn replace_recovery_codes(
    tx: &mut sqlx::Transaction<'_, Any>,
    user_id: &str,
    hashes: &[String],
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    for hash in hashes {
        sqlx::query("INSERT INTO recovery_codes (code_hash, user_id) VALUES ($1, $2)")
            .bind(hash)
            .bind(user_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Uses a recovery code once. False when it is not one of the account's unused codes.
pub async fn use_recovery_code(
    pool: &AnyPool,
    code_hash: &str,
    user_id: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let res = sqlx::query(
        "UPDATE recovery_codes SET used_at = $1 WHERE code_hash = $2 AND user_id = $3 \
         AND used_at IS NULL",
    )
    .bind(now)
    .bind(code_hash)
    .bind(user_id)
    .execute(pool)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// The second step of a sign-in (`login_steps`).
#[derive(Clone, Debug)]
pub struct LoginStep {
    pub user_id: String,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

pub async fn insert_login_step(
    pool: &AnyPool,
    token_hash: &str,
    user_id: &str,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO login_steps (token_hash, user_id, expires_at) VALUES ($1, $2, $3)")
        .bind(token_hash)
        .bind(user_id)
        .bind(expires_at)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn login_step(
    pool: &AnyPool,
    token_hash: &str,
) -> Result<Option<LoginStep>, sqlx::Error> {
    let row =
        sqlx::query("SELECT user_id, expires_at, used_at FROM login_steps WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(pool)
            .await?;
    row.map(|r| {
        Ok(LoginStep {
            user_id: r.try_get("user_id")?,
            expires_at: r.try_get("expires_at")?,
            used_at: r.try_get("used_at")?,
        })
    })
    .transpose()
}

/// Uses the step once (single use). False when it was used or has expired.
pub async fn use_login_step(
    pool: &AnyPool,
    token_hash: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let res = sqlx::query(
        "UPDATE login_steps SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL \
         AND expires_at >= $1",
    )
    .bind(now)
    .bind(token_hash)
    .execute(pool)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// What a WebAuthn ceremony is for (`webauthn_challenges.purpose`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ceremony {
    Register,
    SignIn,
}

impl Ceremony {
    pub fn as_str(self) -> &'static str {
        match self {
            Ceremony::Register => "register",
            Ceremony::SignIn => "sign_in",
        }
    }
}

/// Keeps the state of a ceremony between its two calls.
pub async fn insert_challenge(
    pool: &AnyPool,
    id_hash: &str,
    purpose: Ceremony,
    user_id: Option<&str>,
    state: &str,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO webauthn_challenges (id_hash, purpose, user_id, state, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id_hash)
    .bind(purpose.as_str())
    .bind(user_id)
    .bind(state)
    .bind(expires_at)
    .execute(pool)
    .await?;
    Ok(())
}

/// A ceremony's stored state, taken by the call that finishes it.
#[derive(Clone, Debug)]
pub struct Challenge {
    pub user_id: Option<String>,
    pub state: String,
    pub expires_at: i64,
}

/// Takes (deletes and returns) a ceremony's state: one statement, so of two requests with the
/// same id only one gets it, on any instance. Expired rows are taken too (and then refused).
pub async fn take_challenge(
    pool: &AnyPool,
    id_hash: &str,
    purpose: Ceremony,
) -> Result<Option<Challenge>, sqlx::Error> {
    let row = sqlx::query(
        "DELETE FROM webauthn_challenges WHERE id_hash = $1 AND purpose = $2 \
         RETURNING user_id, state, expires_at",
    )
    .bind(id_hash)
    .bind(purpose.as_str())
    .fetch_optional(pool)
    .await?;
    row.map(|r| {
        Ok(Challenge {
            user_id: r.try_get("user_id")?,
            state: r.try_get("state")?,
            expires_at: r.try_get("expires_at")?,
        })
    })
    .transpose()
}

/// A stored passkey: its account and the credential as JSON.
#[derive(Clone, Debug)]
pub struct StoredPasskey {
    pub user_id: String,
    pub passkey: String,
}

/// The passkeys (as JSON) of an account, oldest first.
pub async fn passkeys_of(pool: &AnyPool, user_id: &str) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query("SELECT passkey FROM passkeys WHERE user_id = $1 ORDER BY created_at")
        .bind(user_id)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| r.try_get("passkey"))
        .collect()
}

pub async fn passkey(
    pool: &AnyPool,
    credential_id: &str,
) -> Result<Option<StoredPasskey>, sqlx::Error> {
    let row = sqlx::query("SELECT user_id, passkey FROM passkeys WHERE credential_id = $1")
        .bind(credential_id)
        .fetch_optional(pool)
        .await?;
    row.map(|r| {
        Ok(StoredPasskey {
            user_id: r.try_get("user_id")?,
            passkey: r.try_get("passkey")?,
        })
    })
    .transpose()
}

/// Stores a new passkey; false when the credential is already registered (to any account).
pub async fn insert_passkey(
    pool: &AnyPool,
    credential_id: &str,
    user_id: &str,
    passkey: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let res = sqlx::query(
        "INSERT INTO passkeys (credential_id, user_id, passkey, created_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (credential_id) DO NOTHING",
    )
    .bind(credential_id)
    .bind(user_id)
    .bind(passkey)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// Records a sign-in with a passkey, with its credential as it is now (`Some`: its counter or
/// backup flags moved on).
pub async fn passkey_used(
    pool: &AnyPool,
    credential_id: &str,
    updated: Option<&str>,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE passkeys SET last_used_at = $1, passkey = COALESCE($2, passkey) \
         WHERE credential_id = $3",
    )
    .bind(now)
    .bind(updated)
    .bind(credential_id)
    .execute(pool)
    .await?;
    Ok(())
}
