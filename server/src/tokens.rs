//! Session tokens: HS256 JWTs with `kid` key rotation and strict validation (sessions-23).

use std::collections::HashMap;
use std::sync::RwLock;

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::cli::JwtKey;

/// The only algorithms a token may use. Everything else, `none` included, is refused.
pub const ALLOWED_ALGORITHMS: [Algorithm; 1] = [Algorithm::HS256];

/// Claims of a session token.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// User id.
    pub sub: String,
    /// Session id (server-side row; revoked on logout).
    pub sid: String,
    pub iat: u64,
    pub nbf: u64,
    pub exp: u64,
}

/// Why a token was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenError {
    /// Past `exp` (plus leeway): `session_expired`.
    Expired,
    /// Anything else: `session_invalid`. The reason is logged, never sent.
    Invalid(&'static str),
}

struct VerifyKey {
    key: DecodingKey,
    /// Unix time after which this (rotated-out) key no longer verifies.
    retire_at: Option<u64>,
}

struct Keys {
    current_kid: String,
    current: EncodingKey,
    verify: HashMap<String, VerifyKey>,
}

/// Signing and verifying keys, rotated at runtime.
pub struct Keyring {
    keys: RwLock<Keys>,
    issuer: String,
    audience: String,
    ttl: u64,
    leeway: u64,
}

pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// [`now`] as the database stores times.
pub fn now_i64() -> i64 {
    i64::try_from(now()).unwrap_or(i64::MAX)
}

/// A fresh key: 256 random bits written as 64 hex digits (text, so it fits a key file line).
pub fn random_key() -> anyhow::Result<JwtKey> {
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|e| anyhow::anyhow!("no OS randomness: {e}"))?;
    let mut id = [0u8; 4];
    getrandom::fill(&mut id).map_err(|e| anyhow::anyhow!("no OS randomness: {e}"))?;
    Ok(JwtKey {
        kid: format!("k-{}", hex(&id)),
        secret: hex(&secret).into_bytes(),
    })
}

impl Keyring {
    /// `keys[0]` signs; the others only verify. Empty: one random key.
    pub fn new(
        keys: &[JwtKey],
        issuer: &str,
        audience: &str,
        ttl: u64,
        leeway: u64,
    ) -> anyhow::Result<Keyring> {
        let keys = if keys.is_empty() {
            vec![random_key()?]
        } else {
            keys.to_vec()
        };
        let verify = keys
            .iter()
            .map(|k| {
                let v = VerifyKey {
                    key: DecodingKey::from_secret(&k.secret),
                    retire_at: None,
                };
                (k.kid.clone(), v)
            })
            .collect();
        Ok(Keyring {
            keys: RwLock::new(Keys {
                current_kid: keys[0].kid.clone(),
                current: EncodingKey::from_secret(&keys[0].secret),
                verify,
            }),
            issuer: issuer.to_string(),
            audience: audience.to_string(),
            ttl,
            leeway,
        })
    }

    pub fn ttl(&self) -> u64 {
        self.ttl
    }

    pub fn leeway(&self) -> u64 {
        self.leeway
    }

    pub fn current_kid(&self) -> String {
        self.keys
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .current_kid
            .clone()
    }

    /// Starts signing with `next` (random if None). The previous signing key keeps verifying
    /// until every token it signed has expired (ttl + leeway from now). Returns the new kid.
    pub fn rotate(&self, next: Option<JwtKey>) -> anyhow::Result<String> {
        let next = match next {
            Some(k) => k,
            None => random_key()?,
        };
        let retire_at = now() + self.ttl + self.leeway;
        let mut keys = self.keys.write().unwrap_or_else(|e| e.into_inner());
        let old = keys.current_kid.clone();
        if let Some(v) = keys.verify.get_mut(&old) {
            v.retire_at = Some(retire_at);
        }
        keys.verify
            .retain(|_, v| v.retire_at.is_none_or(|t| t > now()));
        keys.verify.insert(
            next.kid.clone(),
            VerifyKey {
                key: DecodingKey::from_secret(&next.secret),
                retire_at: None,
            },
        );
        keys.current = EncodingKey::from_secret(&next.secret);
        keys.current_kid = next.kid.clone();
        Ok(next.kid)
    }

    /// Issues a token for a new session.
    pub fn issue(&self, user_id: &str, session_id: &str) -> anyhow::Result<(String, Claims)> {
        let iat = now();
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: user_id.to_string(),
            sid: session_id.to_string(),
            iat,
            nbf: iat,
            exp: iat + self.ttl,
        };
        let keys = self.keys.read().unwrap_or_else(|e| e.into_inner());
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(keys.current_kid.clone());
        let token = jsonwebtoken::encode(&header, &claims, &keys.current)?;
        Ok((token, claims))
    }

    /// Validates signature, algorithm, kid, `exp`, `nbf`, `iat`, `aud`, `iss` (leeway applies to
    /// the time claims). Does not look at revocation: the caller checks the session row.
    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        if token.len() > 4096 {
            return Err(TokenError::Invalid("too_long"));
        }
        let header =
            jsonwebtoken::decode_header(token).map_err(|_| TokenError::Invalid("bad_header"))?;
        if !ALLOWED_ALGORITHMS.contains(&header.alg) {
            return Err(TokenError::Invalid("algorithm_not_allowed"));
        }
        let kid = header.kid.ok_or(TokenError::Invalid("no_kid"))?;
        let keys = self.keys.read().unwrap_or_else(|e| e.into_inner());
        let key = keys
            .verify
            .get(&kid)
            .ok_or(TokenError::Invalid("unknown_kid"))?;
        if key.retire_at.is_some_and(|t| now() > t) {
            return Err(TokenError::Invalid("retired_kid"));
        }
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = ALLOWED_ALGORITHMS.to_vec();
        validation.leeway = self.leeway;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.validate_aud = true;
        validation.set_audience(&[&self.audience]);
        validation.set_issuer(&[&self.issuer]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        let data =
            jsonwebtoken::decode::<Claims>(token, &key.key, &validation).map_err(|e| {
                match e.kind() {
                    ErrorKind::ExpiredSignature => TokenError::Expired,
                    ErrorKind::ImmatureSignature => TokenError::Invalid("not_yet_valid"),
                    ErrorKind::InvalidAudience => TokenError::Invalid("audience"),
                    ErrorKind::InvalidIssuer => TokenError::Invalid("issuer"),
                    ErrorKind::InvalidSignature => TokenError::Invalid("signature"),
                    ErrorKind::InvalidAlgorithm => TokenError::Invalid("algorithm_not_allowed"),
                    ErrorKind::MissingRequiredClaim(_) => TokenError::Invalid("missing_claim"),
                    _ => TokenError::Invalid("malformed"),
                }
            })?;
        // jsonwebtoken does not check `iat`: a token issued in the future is forged or from a
        // badly wrong clock.
        if data.claims.iat > now() + self.leeway {
            return Err(TokenError::Invalid("issued_in_future"));
        }
        Ok(data.claims)
    }
}
