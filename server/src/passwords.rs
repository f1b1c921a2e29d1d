//! Password hashing (argon2id) and the sign-up password rules (fields-9: NIST SP 800-63B §3.1.1.2).
//!
//! Each hashing slot owns one argon2 memory buffer, allocated once and reused for every hash
//! (`hash_password_into_with_memory`): resident memory stays at slots × m_cost however long the
//! login load lasts, instead of growing with every 19 MiB block the allocator keeps.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::Semaphore;

use crate::problem::{Code, FieldError, Problem};

/// Hashes and verifies on the blocking pool, at most `max_concurrent` at once. A request that
/// would wait longer than `queue_timeout` for a slot (judged from the queue's length and the
/// recent time per hash) is refused at once with 503 and a spread-out Retry-After; one that
/// still waits that long is refused then.
#[derive(Clone)]
pub struct Hasher {
    inner: Arc<Inner>,
}

struct Inner {
    params: Params,
    slots: Arc<Semaphore>,
    slot_count: usize,
    queue_timeout: Duration,
    /// One memory buffer per slot, taken by the slot's holder and put back after.
    buffers: Mutex<Vec<Vec<Block>>>,
    /// Requests waiting for a slot.
    waiting: AtomicUsize,
    /// Recent time per hash in microseconds (moving average).
    hash_micros: AtomicU64,
    /// Refusals so far (spreads the Retry-After hints).
    refusals: AtomicU64,
    /// A hash of a random password with the same parameters, verified for unknown emails so
    /// they take as long as a wrong password (errors-14).
    dummy_hash: String,
}

/// A slot's buffer, returned to the pool when dropped.
struct Buffer<'a> {
    pool: &'a Mutex<Vec<Vec<Block>>>,
    blocks: Vec<Block>,
}

impl Drop for Buffer<'_> {
    fn drop(&mut self) {
        let blocks = std::mem::take(&mut self.blocks);
        self.pool
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(blocks);
    }
}

fn argon2_error(e: impl std::fmt::Display) -> String {
    format!("argon2: {e}")
}

/// Hashes `password` with a fresh random salt into a PHC string, using `blocks` as memory.
fn hash_into(params: &Params, blocks: &mut [Block], password: &[u8]) -> Result<String, String> {
    let mut salt = [0u8; Salt::RECOMMENDED_LENGTH];
    getrandom::fill(&mut salt).map_err(|e| format!("no OS randomness: {e}"))?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    argon2
        .hash_password_into_with_memory(
            password,
            &salt,
            &mut out,
            &mut blocks[..params.block_count()],
        )
        .map_err(argon2_error)?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.into(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params).map_err(argon2_error)?,
        salt: Some(Salt::new(&salt).map_err(argon2_error)?),
        hash: Some(Output::new(&out).map_err(argon2_error)?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the PHC string `stored`, using `blocks` as memory when the stored
/// parameters fit in it (a hash made with a larger m_cost gets memory of its own).
fn verify_into(blocks: &mut [Block], password: &[u8], stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm.as_str()) else {
        return false;
    };
    let Ok(version) = parsed.version.map_or(Ok(Version::V0x13), Version::try_from) else {
        return false;
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let argon2 = Argon2::new(algorithm, version, params.clone());
    let mut out = vec![0u8; expected.len()];
    let needed = params.block_count();
    let done = if needed <= blocks.len() {
        argon2.hash_password_into_with_memory(password, salt, &mut out, &mut blocks[..needed])
    } else {
        argon2.hash_password_into(password, salt, &mut out)
    };
    // `Output`'s equality is constant-time.
    done.is_ok() && Output::new(&out).is_ok_and(|o| &o == expected)
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
        let mut random = [0u8; 24];
        getrandom::fill(&mut random).map_err(|e| anyhow::anyhow!("no OS randomness: {e}"))?;
        let mut blocks = vec![Block::default(); params.block_count()];
        let started = Instant::now();
        let dummy_hash = hash_into(&params, &mut blocks, &random).map_err(anyhow::Error::msg)?;
        let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        Ok(Hasher {
            inner: Arc::new(Inner {
                params,
                slots: Arc::new(Semaphore::new(max_concurrent as usize)),
                slot_count: max_concurrent as usize,
                queue_timeout,
                buffers: Mutex::new(vec![blocks]),
                waiting: AtomicUsize::new(0),
                hash_micros: AtomicU64::new(micros.max(1)),
                refusals: AtomicU64::new(0),
                dummy_hash,
            }),
        })
    }

    /// 503 with a Retry-After of about `wait`, spread over three consecutive seconds so the
    /// refused clients do not all come back at the same moment.
    fn refuse(&self, wait: Duration) -> Problem {
        let n = self.inner.refusals.fetch_add(1, Ordering::Relaxed);
        let base = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        Problem::new(Code::ServiceUnavailable)
            .detail("The service is overloaded.")
            .retry_after(base.max(1) + n % 3)
    }

    /// Expected wait for a slot if one more request queued now.
    fn expected_wait(&self) -> Duration {
        let waiting = self.inner.waiting.load(Ordering::Relaxed) as u64 + 1;
        let per_hash = self.inner.hash_micros.load(Ordering::Relaxed);
        let slots = self.inner.slot_count.max(1) as u64;
        Duration::from_micros(waiting.saturating_mul(per_hash) / slots)
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut [Block]) -> T + Send + 'static,
    ) -> Result<T, Problem> {
        let permit = match self.inner.slots.clone().try_acquire_owned() {
            Ok(p) => p,
            Err(_) => {
                let expected = self.expected_wait();
                if expected > self.inner.queue_timeout {
                    return Err(self.refuse(expected));
                }
                self.inner.waiting.fetch_add(1, Ordering::Relaxed);
                let acquired = tokio::time::timeout(
                    self.inner.queue_timeout,
                    self.inner.slots.clone().acquire_owned(),
                )
                .await;
                self.inner.waiting.fetch_sub(1, Ordering::Relaxed);
                acquired
                    .map_err(|_| self.refuse(self.expected_wait()))?
                    .map_err(Problem::internal)?
            }
        };
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let taken = inner
                .buffers
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .pop();
            let blocks =
                taken.unwrap_or_else(|| vec![Block::default(); inner.params.block_count()]);
            let mut buffer = Buffer {
                pool: &inner.buffers,
                blocks,
            };
            let started = Instant::now();
            let out = f(&mut buffer.blocks);
            let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
            let old = inner.hash_micros.load(Ordering::Relaxed);
            inner
                .hash_micros
                .store((old * 7 + micros) / 8, Ordering::Relaxed);
            drop(buffer);
            drop(permit);
            out
        })
        .await
        .map_err(Problem::internal)
    }

    pub async fn hash(&self, password: String) -> Result<String, Problem> {
        let params = self.inner.params.clone();
        self.run(move |blocks| hash_into(&params, blocks, password.as_bytes()))
            .await?
            .map_err(Problem::internal)
    }

    /// Verifies `password` against `stored`, or against the dummy hash when `stored` is None
    /// (always false then, but it costs the same).
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool, Problem> {
        let real = stored.is_some();
        let hash = stored.unwrap_or_else(|| self.inner.dummy_hash.clone());
        let ok = self
            .run(move |blocks| verify_into(blocks, password.as_bytes(), &hash))
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
