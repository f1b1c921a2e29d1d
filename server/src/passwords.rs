//! Password hashing (argon2id) and the sign-up password rules (fields-9).

use std::collections::HashSet;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version};
use tokio::sync::Semaphore;

use crate::problem::{Code, FieldError, Problem};

/// Hashes and verifies on the blocking pool, at most `max_concurrent` at once; a request that
/// waits longer than `queue_timeout` for a slot is shed with 503 + Retry-After.
#[derive(Clone)]
pub struct Hasher {
    argon2: Argon2<'static>,
    slots: Arc<Semaphore>,
    queue_timeout: Duration,
    /// A hash of a random password with the same parameters, verified for unknown emails so
    /// they take as long as a wrong password (errors-14).
    dummy_hash: Arc<String>,
}

impl Hasher {
    pub fn new(
        m_cost: u32,
        t_cost: u32,
        p_cost: u32,
        max_concurrent: u32,
        queue_timeout: Duration,
    ) -> anyhow::Result<Hasher> {
        let params = Params::new(m_cost, t_cost, p_cost, None)
            .map_err(|e| anyhow::anyhow!("bad argon2 parameters: {e}"))?;
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let mut random = [0u8; 24];
        getrandom::fill(&mut random).map_err(|e| anyhow::anyhow!("no OS randomness: {e}"))?;
        let dummy_hash = argon2
            .hash_password(&random)
            .map_err(|e| anyhow::anyhow!("argon2: {e}"))?
            .to_string();
        Ok(Hasher {
            argon2,
            slots: Arc::new(Semaphore::new(max_concurrent as usize)),
            queue_timeout,
            dummy_hash: Arc::new(dummy_hash),
        })
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Argon2<'static>) -> T + Send + 'static,
    ) -> Result<T, Problem> {
        let permit = tokio::time::timeout(self.queue_timeout, self.slots.clone().acquire_owned())
            .await
            .map_err(|_| {
                tracing::warn!("password hashing queue full: shedding load");
                Problem::new(Code::ServiceUnavailable)
                    .detail("The service is overloaded.")
                    .retry_after(1)
            })?
            .map_err(Problem::internal)?;
        let argon2 = self.argon2.clone();
        let out = tokio::task::spawn_blocking(move || {
            let out = f(&argon2);
            drop(permit);
            out
        })
        .await
        .map_err(Problem::internal)?;
        Ok(out)
    }

    pub async fn hash(&self, password: String) -> Result<String, Problem> {
        self.run(move |a| a.hash_password(password.as_bytes()).map(|h| h.to_string()))
            .await?
            .map_err(|e| Problem::internal(format_args!("argon2 hash: {e}")))
    }

    /// Verifies `password` against `stored`, or against the dummy hash when `stored` is None
    /// (always false then, but it costs the same).
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool, Problem> {
        let real = stored.is_some();
        let hash = stored.unwrap_or_else(|| self.dummy_hash.as_ref().clone());
        let ok = self
            .run(move |a| match PasswordHash::new(&hash) {
                Ok(parsed) => a.verify_password(password.as_bytes(), &parsed).is_ok(),
                Err(_) => false,
            })
            .await?;
        Ok(ok && real)
    }
}

/// The common-password list shipped with the server (see `common-passwords.LICENSE`).
static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../data/common-passwords.txt")
        .lines()
        .collect()
});

/// Number of entries in the shipped common-password list.
pub fn common_list_len() -> usize {
    COMMON.len()
}

/// Whether `password` is on the common-password list (compared case-insensitively).
pub fn is_common(password: &str) -> bool {
    COMMON.contains(password) || COMMON.contains(password.to_lowercase().as_str())
}

/// Sign-up password rules: length in code points, common list, no email local part.
/// No composition rules (NIST 800-63B, fields-9).
pub fn check_new_password(password: &str, email: &str, min: u32, max: u32) -> Vec<FieldError> {
    let len = password.chars().count();
    if len < min as usize {
        return vec![FieldError {
            min: Some(min),
            ..FieldError::new("password", "too_short")
        }];
    }
    if len > max as usize {
        return vec![FieldError {
            max: Some(max),
            ..FieldError::new("password", "too_long")
        }];
    }
    if password.contains('\0') {
        return vec![FieldError::new("password", "malformed")];
    }
    if is_common(password) {
        return vec![FieldError::new("password", "common")];
    }
    let local = email.split('@').next().unwrap_or("").to_lowercase();
    if local.chars().count() >= 3 && password.to_lowercase().contains(&local) {
        return vec![FieldError::new("password", "contains_email")];
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_9_length_counts_code_points_not_bytes() {
        // 8 code points, 32 bytes: long enough.
        assert!(check_new_password("🐢🐢🐢🐢🐢🐢🐢🐢", "a@b.c", 8, 1024).is_empty());
        // 7 code points, 28 bytes: too short, and the rule says how many are needed.
        let errs = check_new_password("🐢🐢🐢🐢🐢🐢🐢", "a@b.c", 8, 1024);
        assert_eq!(errs[0].code, "too_short");
        assert_eq!(errs[0].min, Some(8));
    }

    #[test]
    fn fields_9_no_composition_rules() {
        assert!(check_new_password("lowercase only words here", "x@y.z", 8, 1024).is_empty());
    }

    #[test]
    fn fields_9_common_and_contains_email() {
        assert_eq!(
            check_new_password("password123", "x@y.z", 8, 1024)[0].code,
            "common"
        );
        assert_eq!(
            check_new_password("zz-maryjane-zz", "MaryJane@example.com", 8, 1024)[0].code,
            "contains_email"
        );
        assert!(
            common_list_len() >= 10_000,
            "list has {}",
            common_list_len()
        );
    }

    #[test]
    fn fields_9_at_least_64_allowed() {
        let long: String = "ab cd ".repeat(20).chars().take(128).collect();
        assert!(check_new_password(&long, "x@y.z", 8, 1024).is_empty());
        let errs = check_new_password(&"a".repeat(1025), "x@y.z", 8, 1024);
        assert_eq!((errs[0].code, errs[0].max), ("too_long", Some(1024)));
    }
}
