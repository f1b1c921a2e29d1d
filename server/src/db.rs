//! SQLite storage (sqlx, runtime queries, embedded migrations).

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{Row, SqlitePool};

/// Opens (creating if needed) the database named by `--db` and runs the migrations.
pub async fn connect(db: &str) -> anyhow::Result<SqlitePool> {
    let in_memory = db.contains(":memory:") || db.contains("mode=memory");
    let opts = if db.starts_with("sqlite:") {
        SqliteConnectOptions::from_str(db).with_context(|| format!("bad --db URL {db:?}"))?
    } else {
        SqliteConnectOptions::new().filename(db)
    };
    let opts = opts
        .create_if_missing(true)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    if !in_memory {
        let file = opts.get_filename();
        if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
            create_dir(parent)?;
        }
    }
    let pool = if in_memory {
        // One connection that never closes: every connection to `:memory:` is its own database.
        SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(opts)
            .await
    } else {
        SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(opts.journal_mode(SqliteJournalMode::Wal))
            .await
    }
    .with_context(|| format!("cannot open database {db:?}"))?;
    sqlx::migrate!("./migrations")
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
            "SELECT id, email, password_hash, verified, disabled, failed_attempts, locked_until ",
            "FROM users WHERE ",
            $where
        )
    };
}

fn user_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<User, sqlx::Error> {
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

pub async fn user_by_email(pool: &SqlitePool, email: &str) -> Result<Option<User>, sqlx::Error> {
    let row = sqlx::query(select_user!("email = ?"))
        .bind(email)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(user_from_row).transpose()
}

pub async fn user_by_id(pool: &SqlitePool, id: &str) -> Result<Option<User>, sqlx::Error> {
    let row = sqlx::query(select_user!("id = ?"))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(user_from_row).transpose()
}

/// Inserts a user; `Ok(None)` when the email is already registered.
pub async fn insert_user(
    pool: &SqlitePool,
    email: &str,
    password_hash: &str,
    verified: bool,
    now: i64,
) -> Result<Option<String>, sqlx::Error> {
    let id = uuid::Uuid::new_v4().to_string();
    let res = sqlx::query(
        "INSERT INTO users (id, email, password_hash, verified, created_at) VALUES (?, ?, ?, ?, ?) \
         ON CONFLICT(email) DO NOTHING",
    )
    .bind(&id)
    .bind(email)
    .bind(password_hash)
    .bind(i64::from(verified))
    .bind(now)
    .execute(pool)
    .await?;
    Ok((res.rows_affected() == 1).then_some(id))
}

/// Records a failed attempt; locks the account when the count reaches `threshold`.
/// Returns the new count.
pub async fn record_failure(
    pool: &SqlitePool,
    user_id: &str,
    threshold: u32,
    lock_until: i64,
) -> Result<i64, sqlx::Error> {
    let row = sqlx::query(
        "UPDATE users SET failed_attempts = failed_attempts + 1, \
         locked_until = CASE WHEN failed_attempts + 1 >= ? THEN ? ELSE locked_until END \
         WHERE id = ? RETURNING failed_attempts",
    )
    .bind(i64::from(threshold))
    .bind(lock_until)
    .bind(user_id)
    .fetch_one(pool)
    .await?;
    row.try_get(0)
}

pub async fn reset_failures(pool: &SqlitePool, user_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE id = ?")
        .bind(user_id)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn set_user_flags(
    pool: &SqlitePool,
    email: &str,
    verified: Option<bool>,
    disabled: Option<bool>,
    unlock: bool,
) -> Result<bool, sqlx::Error> {
    let res = sqlx::query(
        "UPDATE users SET verified = COALESCE(?, verified), disabled = COALESCE(?, disabled), \
         failed_attempts = CASE WHEN ? THEN 0 ELSE failed_attempts END, \
         locked_until = CASE WHEN ? THEN NULL ELSE locked_until END WHERE email = ?",
    )
    .bind(verified.map(i64::from))
    .bind(disabled.map(i64::from))
    .bind(unlock)
    .bind(unlock)
    .bind(email)
    .execute(pool)
    .await?;
    Ok(res.rows_affected() == 1)
}

pub async fn insert_session(
    pool: &SqlitePool,
    id: &str,
    user_id: &str,
    now: i64,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO sessions (id, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)")
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

pub async fn session(pool: &SqlitePool, id: &str) -> Result<Option<Session>, sqlx::Error> {
    let row = sqlx::query("SELECT user_id, expires_at, revoked_at FROM sessions WHERE id = ?")
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

pub async fn revoke_session(pool: &SqlitePool, id: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
        .bind(now)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn insert_password_reset(
    pool: &SqlitePool,
    user_id: Option<&str>,
    token_hash: Option<&str>,
    now: i64,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO password_resets (id, user_id, token_hash, created_at, expires_at) \
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(user_id)
    .bind(token_hash)
    .bind(now)
    .bind(expires_at)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn count_password_resets(pool: &SqlitePool) -> Result<i64, sqlx::Error> {
    sqlx::query("SELECT COUNT(*) FROM password_resets")
        .fetch_one(pool)
        .await?
        .try_get(0)
}
