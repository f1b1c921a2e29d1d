//! Passkeys: real WebAuthn ceremonies against the server, with a software authenticator made
//! here (P-256 keys and ECDSA signatures from OpenSSL, the attestation object in CBOR, "none"
//! attestation), that does what a browser and a platform authenticator do together: it makes
//! discoverable credentials, refuses the ones the options exclude, and signs assertions with
//! its user handle and a counter that grows.

mod common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::*;
use openssl::bn::BigNumContext;
use openssl::ec::{EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private};
use openssl::sign::Signer;
use serde_json::{Value, json};
use sqlx::Row;

const PASSWORD: &str = "a long enough passphrase 7";
/// The origin the server trusts by default (`--webauthn-origin`) and its relying party id.
const ORIGIN: &str = "http://localhost:8080";
const RP_ID: &str = "localhost";

fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64url(s: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(s).expect("base64url")
}

/// A CBOR item head (RFC 8949 section 3).
fn cbor_head(major: u8, n: usize) -> Vec<u8> {
    match n {
        0..24 => vec![major << 5 | n as u8],
        24..256 => vec![major << 5 | 24, n as u8],
        _ => [vec![major << 5 | 25], (n as u16).to_be_bytes().to_vec()].concat(),
    }
}

fn cbor_int(n: i64) -> Vec<u8> {
    if n >= 0 {
        cbor_head(0, n as usize)
    } else {
        cbor_head(1, (-1 - n) as usize)
    }
}

fn cbor_bytes(b: &[u8]) -> Vec<u8> {
    [cbor_head(2, b.len()), b.to_vec()].concat()
}

fn cbor_text(s: &str) -> Vec<u8> {
    [cbor_head(3, s.len()), s.as_bytes().to_vec()].concat()
}

fn sha256(data: &[u8]) -> [u8; 32] {
    openssl::sha::sha256(data)
}

/// A discoverable credential held by the authenticator.
struct Credential {
    id: Vec<u8>,
    key: PKey<Private>,
    /// `user.id` of the registration, returned as `userHandle` at sign-in.
    user_handle: String,
    counter: u32,
}

/// A browser and its authenticator: `origin` is the page's, as the browser reports it.
struct Authenticator {
    origin: String,
    rp_id: String,
    credentials: Vec<Credential>,
}

/// Why the authenticator made nothing (the browser's `DOMException` name).
#[derive(Debug, PartialEq)]
enum Refusal {
    InvalidStateError,
    NotAllowedError,
}

impl Authenticator {
    fn new() -> Self {
        Authenticator {
            origin: ORIGIN.into(),
            rp_id: RP_ID.into(),
            credentials: Vec::new(),
        }
    }

    fn client_data(&self, kind: &str, challenge: &str) -> Vec<u8> {
        serde_json::to_vec(&json!({
            "type": kind,
            "challenge": challenge,
            "origin": self.origin,
            "crossOrigin": false,
        }))
        .unwrap()
    }

    /// `navigator.credentials.create({publicKey})` with the server's options; `reuse` makes
    /// the credential under the id (and key) of an earlier one, as a broken client that
    /// ignores the exclusion list might.
    fn create(&mut self, options: &Value, reuse: Option<usize>) -> Result<Value, Refusal> {
        let pk = &options["publicKey"];
        assert_eq!(pk["rp"]["id"], self.rp_id.as_str());
        let excluded: Vec<Vec<u8>> = pk["excludeCredentials"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|c| unb64url(c["id"].as_str().unwrap()))
                    .collect()
            })
            .unwrap_or_default();
        if reuse.is_none() && self.credentials.iter().any(|c| excluded.contains(&c.id)) {
            return Err(Refusal::InvalidStateError);
        }
        let (id, key) = match reuse {
            Some(i) => (
                self.credentials[i].id.clone(),
                self.credentials[i].key.clone(),
            ),
            None => {
                let mut id = vec![0u8; 32];
                openssl::rand::rand_bytes(&mut id).unwrap();
                let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
                (
                    id,
                    PKey::from_ec_key(EcKey::generate(&group).unwrap()).unwrap(),
                )
            }
        };
        let ec = key.ec_key().unwrap();
        let mut ctx = BigNumContext::new().unwrap();
        let (mut x, mut y) = (
            openssl::bn::BigNum::new().unwrap(),
            openssl::bn::BigNum::new().unwrap(),
        );
        ec.public_key()
            .affine_coordinates(ec.group(), &mut x, &mut y, &mut ctx)
            .unwrap();
        // COSE_Key (RFC 9053): kty EC2, alg ES256, crv P-256, x, y.
        let cose = [
            cbor_head(5, 5),
            cbor_int(1),
            cbor_int(2),
            cbor_int(3),
            cbor_int(-7),
            cbor_int(-1),
            cbor_int(1),
            cbor_int(-2),
            cbor_bytes(&x.to_vec_padded(32).unwrap()),
            cbor_int(-3),
            cbor_bytes(&y.to_vec_padded(32).unwrap()),
        ]
        .concat();
        // Flags: user present, user verified, attested credential data.
        let auth_data = [
            sha256(self.rp_id.as_bytes()).to_vec(),
            vec![0x01 | 0x04 | 0x40],
            0u32.to_be_bytes().to_vec(),
            vec![0u8; 16],
            (id.len() as u16).to_be_bytes().to_vec(),
            id.clone(),
            cose,
        ]
        .concat();
        let attestation = [
            cbor_head(5, 3),
            cbor_text("fmt"),
            cbor_text("none"),
            cbor_text("attStmt"),
            cbor_head(5, 0),
            cbor_text("authData"),
            cbor_bytes(&auth_data),
        ]
        .concat();
        let client_data = self.client_data("webauthn.create", pk["challenge"].as_str().unwrap());
        if reuse.is_none() {
            self.credentials.push(Credential {
                id: id.clone(),
                key,
                user_handle: pk["user"]["id"].as_str().unwrap().to_string(),
                counter: 0,
            });
        }
        Ok(json!({
            "id": b64url(&id),
            "rawId": b64url(&id),
            "type": "public-key",
            "response": {
                "attestationObject": b64url(&attestation),
                "clientDataJSON": b64url(&client_data),
            },
            "clientExtensionResults": {},
        }))
    }

    /// `navigator.credentials.get({publicKey})` with the server's options: the person picks
    /// credential `which` (no list is sent: the credentials are discoverable).
    fn get(&mut self, options: &Value, which: usize) -> Result<Value, Refusal> {
        let pk = &options["publicKey"];
        assert_eq!(pk["rpId"], self.rp_id.as_str());
        let client_data = self.client_data("webauthn.get", pk["challenge"].as_str().unwrap());
        let rp_hash = sha256(self.rp_id.as_bytes());
        let cred = self
            .credentials
            .get_mut(which)
            .ok_or(Refusal::NotAllowedError)?;
        cred.counter += 1;
        let auth_data = [
            rp_hash.to_vec(),
            vec![0x01 | 0x04],
            cred.counter.to_be_bytes().to_vec(),
        ]
        .concat();
        let signed = [auth_data.clone(), sha256(&client_data).to_vec()].concat();
        let mut signer = Signer::new(MessageDigest::sha256(), &cred.key).unwrap();
        let signature = signer.sign_oneshot_to_vec(&signed).unwrap();
        Ok(json!({
            "id": b64url(&cred.id),
            "rawId": b64url(&cred.id),
            "type": "public-key",
            "response": {
                "authenticatorData": b64url(&auth_data),
                "clientDataJSON": b64url(&client_data),
                "signature": b64url(&signature),
                "userHandle": cred.user_handle,
            },
            "clientExtensionResults": {},
        }))
    }
}

/// A new account, signed in: its email and session token.
async fn account(s: &Server, what: &str) -> (String, String) {
    let email = format!("{what}@example.com");
    let a = s.signup(&email, PASSWORD).await;
    assert_eq!(a.status, 201, "{}", a.text);
    (email, a.cookie_token().expect("signed in"))
}

/// `register/start` for the signed-in account: the options and the challenge id.
async fn register_start(s: &Server, session: &str) -> (Value, String) {
    let a = s
        .post_with_cookie("/auth/passkeys/register/start", session, &json!({}))
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.header("cache-control").as_deref(), Some("no-store"));
    let body = a.json();
    (
        body["options"].clone(),
        body["challenge"].as_str().unwrap().to_string(),
    )
}

async fn register_finish(s: &Server, session: &str, challenge: &str, cred: &Value) -> Answer {
    s.post_with_cookie(
        "/auth/passkeys/register/finish",
        session,
        &json!({"challenge": challenge, "credential": cred}),
    )
    .await
}

/// Registers a new passkey of `auth` for the signed-in account.
async fn register(s: &Server, session: &str, auth: &mut Authenticator) {
    let (options, challenge) = register_start(s, session).await;
    let cred = auth.create(&options, None).expect("a new credential");
    let done = register_finish(s, session, &challenge, &cred).await;
    assert_eq!(done.status, 201, "{}", done.text);
    assert_eq!(done.json()["id"], cred["id"]);
}

async fn login_start(s: &Server) -> (Value, String) {
    let a = s.post_json("/auth/passkeys/login/start", &json!({})).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.header("cache-control").as_deref(), Some("no-store"));
    let body = a.json();
    (
        body["options"].clone(),
        body["challenge"].as_str().unwrap().to_string(),
    )
}

async fn login_finish(s: &Server, challenge: &str, assertion: &Value) -> Answer {
    s.post_json(
        "/auth/passkeys/login/finish",
        &json!({"challenge": challenge, "credential": assertion}),
    )
    .await
}

/// A whole passkey sign-in with credential `which` of `auth`.
async fn sign_in(s: &Server, auth: &mut Authenticator, which: usize) -> Answer {
    let (options, challenge) = login_start(s).await;
    let assertion = auth.get(&options, which).expect("an assertion");
    login_finish(s, &challenge, &assertion).await
}

/// The stored signature counter of the account's only passkey.
async fn stored_counter(s: &Server, email: &str) -> u64 {
    let row = sqlx::query(
        "SELECT passkey FROM passkeys WHERE user_id = (SELECT id FROM users WHERE email = $1)",
    )
    .bind(email)
    .fetch_one(&s.running.state.db)
    .await
    .unwrap();
    let passkey: Value = serde_json::from_str(&row.try_get::<String, _>(0).unwrap()).unwrap();
    passkey["cred"]["counter"].as_u64().expect("a counter")
}

#[tokio::test]
async fn a_registered_passkey_signs_in_without_an_email_and_the_session_works() {
    let s = server(&[]).await;
    let (email, session) = account(&s, "passkey-first").await;
    let (options, challenge) = register_start(&s, &session).await;
    let pk = &options["publicKey"];
    // Discoverable (it signs in without an email), verified by the device, nothing excluded
    // yet, bound to the relying party.
    assert_eq!(pk["authenticatorSelection"]["residentKey"], "required");
    assert_eq!(pk["authenticatorSelection"]["requireResidentKey"], true);
    assert_eq!(pk["authenticatorSelection"]["userVerification"], "required");
    assert_eq!(pk["rp"]["id"], RP_ID);
    assert_eq!(pk["user"]["name"], email.as_str());
    assert!(
        pk["excludeCredentials"]
            .as_array()
            .is_none_or(|a| a.is_empty())
    );
    // The challenge id is not the WebAuthn challenge, and only its hash is stored.
    assert_ne!(pk["challenge"], challenge.as_str());
    assert_eq!(
        s.count_sql("SELECT COUNT(*) FROM webauthn_challenges")
            .await,
        1
    );
    let stored: String = sqlx::query("SELECT id_hash FROM webauthn_challenges")
        .fetch_one(&s.running.state.db)
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    assert_ne!(stored, challenge);

    let mut auth = Authenticator::new();
    let cred = auth.create(&options, None).unwrap();
    let done = register_finish(&s, &session, &challenge, &cred).await;
    assert_eq!(done.status, 201, "{}", done.text);
    assert_eq!(
        s.count_sql("SELECT COUNT(*) FROM webauthn_challenges")
            .await,
        0,
        "a finished ceremony is gone"
    );

    let (options, _) = login_start(&s).await;
    let pk = &options["publicKey"];
    assert_eq!(pk["rpId"], RP_ID);
    assert_eq!(pk["userVerification"], "required");
    assert!(
        pk["allowCredentials"]
            .as_array()
            .is_none_or(|a| a.is_empty()),
        "no email asked, so no list: the browser offers what it holds"
    );
    assert!(options.get("mediation").is_none(), "a modal request");

    let signed_in = sign_in(&s, &mut auth, 0).await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.text);
    assert_eq!(signed_in.json()["user"]["email"], email.as_str());
    let token = signed_in.cookie_token().expect("a session cookie");
    assert_ne!(token, session, "a new session");
    let check = s.session_with_cookie(&token).await;
    assert_eq!(check.status, 200, "{}", check.text);
    assert_eq!(check.json()["user"]["email"], email.as_str());
}

#[tokio::test]
async fn a_passkey_sign_in_asks_no_one_time_code_and_registration_needs_a_session() {
    use totp_rs::{Algorithm, Secret, TOTP};
    let s = server(&[]).await;
    let (email, session) = account(&s, "passkey-totp").await;
    let mut auth = Authenticator::new();
    register(&s, &session, &mut auth).await;
    // One-time codes on: a password now needs a code, a passkey does not.
    let setup = s
        .post_with_cookie("/auth/totp/setup", &session, &json!({}))
        .await;
    let secret = setup.json()["secret"].as_str().unwrap().to_string();
    let bytes = Secret::Encoded(secret).to_bytes().unwrap();
    let code = TOTP::new(Algorithm::SHA1, 6, 0, 30, bytes, None, "x".into())
        .unwrap()
        .generate_current()
        .unwrap();
    let on = s
        .post_with_cookie("/auth/totp/confirm", &session, &json!({"code": code}))
        .await;
    assert_eq!(on.status, 200, "{}", on.text);
    assert_eq!(s.login(&email, PASSWORD).await.status, 202);
    let signed_in = sign_in(&s, &mut auth, 0).await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.text);
    assert!(signed_in.cookie_token().is_some());

    // Registering needs a session, like setting up codes.
    s.post_json("/auth/passkeys/register/start", &json!({}))
        .await
        .problem(401, "session_invalid");
    let (options, challenge) = register_start(&s, &session).await;
    let cred = Authenticator::new().create(&options, None).unwrap();
    s.post_json(
        "/auth/passkeys/register/finish",
        &json!({"challenge": challenge, "credential": cred}),
    )
    .await
    .problem(401, "session_invalid");
    // A ceremony started by one account cannot be finished by another.
    let (_, other) = account(&s, "passkey-other").await;
    let (options, challenge) = register_start(&s, &session).await;
    let cred = Authenticator::new().create(&options, None).unwrap();
    register_finish(&s, &other, &challenge, &cred)
        .await
        .problem(410, "challenge_expired");
}

#[tokio::test]
async fn a_challenge_works_once_and_for_five_minutes_then_housekeeping_forgets_it() {
    let s = server(&[]).await;
    let (_, session) = account(&s, "passkey-once").await;
    let mut auth = Authenticator::new();
    // Registration: the same answer twice.
    let (options, challenge) = register_start(&s, &session).await;
    let cred = auth.create(&options, None).unwrap();
    assert_eq!(
        register_finish(&s, &session, &challenge, &cred)
            .await
            .status,
        201
    );
    register_finish(&s, &session, &challenge, &cred)
        .await
        .problem(410, "challenge_expired");

    // Sign-in: the same assertion twice.
    let (options, challenge) = login_start(&s).await;
    let assertion = auth.get(&options, 0).unwrap();
    assert_eq!(login_finish(&s, &challenge, &assertion).await.status, 200);
    login_finish(&s, &challenge, &assertion)
        .await
        .problem(410, "challenge_expired");
    // A challenge id never issued, and one of the other ceremony.
    login_finish(&s, "never-issued", &assertion)
        .await
        .problem(410, "challenge_expired");
    let (_, register_challenge) = register_start(&s, &session).await;
    let (options, _) = login_start(&s).await;
    let assertion = auth.get(&options, 0).unwrap();
    login_finish(&s, &register_challenge, &assertion)
        .await
        .problem(410, "challenge_expired");

    // Past its five minutes.
    let (options, challenge) = login_start(&s).await;
    sqlx::query("UPDATE webauthn_challenges SET expires_at = expires_at - 301")
        .execute(&s.running.state.db)
        .await
        .unwrap();
    let assertion = auth.get(&options, 0).unwrap();
    login_finish(&s, &challenge, &assertion)
        .await
        .problem(410, "challenge_expired");

    // Housekeeping deletes expired ceremonies and keeps open ones.
    let (_, open) = login_start(&s).await;
    let (_, _stale) = login_start(&s).await;
    sqlx::query("UPDATE webauthn_challenges SET expires_at = 0 WHERE id_hash <> $1")
        .bind(auth_server::links::token_hash(&open))
        .execute(&s.running.state.db)
        .await
        .unwrap();
    let before = s
        .count_sql("SELECT COUNT(*) FROM webauthn_challenges")
        .await;
    assert!(before >= 2, "{before}");
    let now = auth_server::tokens::now() as i64;
    auth_server::db::purge(&s.running.state.db, now, 0)
        .await
        .unwrap();
    assert_eq!(
        s.count_sql("SELECT COUNT(*) FROM webauthn_challenges")
            .await,
        1
    );
}

#[tokio::test]
async fn the_same_passkey_cannot_be_registered_twice() {
    let s = server(&[]).await;
    let (_, session) = account(&s, "passkey-twice").await;
    let mut auth = Authenticator::new();
    register(&s, &session, &mut auth).await;
    // The options exclude the account's passkey: the browser refuses to make a second one
    // on the same authenticator.
    let (options, challenge) = register_start(&s, &session).await;
    let excluded = options["publicKey"]["excludeCredentials"]
        .as_array()
        .unwrap();
    assert_eq!(excluded.len(), 1);
    assert_eq!(auth.create(&options, None), Err(Refusal::InvalidStateError));
    // A client that ignores the list is refused by the server.
    let again = auth.create(&options, Some(0)).unwrap();
    register_finish(&s, &session, &challenge, &again)
        .await
        .problem(409, "passkey_registered");
    // Nor can another account take the credential.
    let (_, other) = account(&s, "passkey-taker").await;
    let (options, challenge) = register_start(&s, &other).await;
    let taken = auth.create(&options, Some(0)).unwrap();
    register_finish(&s, &other, &challenge, &taken)
        .await
        .problem(409, "passkey_registered");
    assert_eq!(s.count_sql("SELECT COUNT(*) FROM passkeys").await, 1);
    // A second authenticator is welcome.
    let mut second = Authenticator::new();
    register(&s, &session, &mut second).await;
    assert_eq!(s.count_sql("SELECT COUNT(*) FROM passkeys").await, 2);
}

#[tokio::test]
async fn unknown_passkeys_and_those_of_deleted_or_disabled_accounts_do_not_sign_in() {
    let s = server(&[]).await;
    // A passkey this service never registered.
    let (_, session) = account(&s, "passkey-stranger").await;
    let (options, _) = register_start(&s, &session).await;
    let mut stranger = Authenticator::new();
    stranger.create(&options, None).unwrap();
    sign_in(&s, &mut stranger, 0)
        .await
        .problem(401, "passkey_unknown");

    // The passkey of an account that was deleted.
    let (email, session) = account(&s, "passkey-deleted").await;
    let mut auth = Authenticator::new();
    register(&s, &session, &mut auth).await;
    assert_eq!(sign_in(&s, &mut auth, 0).await.status, 200);
    sqlx::query("DELETE FROM users WHERE email = $1")
        .bind(&email)
        .execute(&s.running.state.db)
        .await
        .unwrap();
    sign_in(&s, &mut auth, 0)
        .await
        .problem(401, "passkey_unknown");

    // The passkey of a disabled account.
    let (email, session) = account(&s, "passkey-disabled").await;
    let mut auth = Authenticator::new();
    register(&s, &session, &mut auth).await;
    let off = s
        .admin_put("/_admin/users", &json!({"email": email, "disabled": true}))
        .await;
    assert_eq!(off.status, 200, "{}", off.text);
    sign_in(&s, &mut auth, 0)
        .await
        .problem(403, "account_disabled");
}

#[tokio::test]
async fn answers_for_another_site_or_another_account_or_a_cloned_key_are_refused() {
    // Many calls from one client: no rate limit in the way.
    let s = server(&["--rate-limit-per-minute", "0"]).await;
    let (email, session) = account(&s, "passkey-checks").await;
    let mut auth = Authenticator::new();
    register(&s, &session, &mut auth).await;

    // A page of another origin (phishing) and another relying party.
    auth.origin = "http://localhost.example:8080".into();
    sign_in(&s, &mut auth, 0)
        .await
        .problem(401, "passkey_invalid");
    auth.origin = ORIGIN.into();
    let (options, challenge) = login_start(&s).await;
    let mut assertion = auth.get(&options, 0).unwrap();
    let mut data = unb64url(assertion["response"]["authenticatorData"].as_str().unwrap());
    data[..32].copy_from_slice(&sha256(b"example.com"));
    assertion["response"]["authenticatorData"] = b64url(&data).into();
    login_finish(&s, &challenge, &assertion)
        .await
        .problem(401, "passkey_invalid");
    // A registration from another origin.
    let (options, challenge) = register_start(&s, &session).await;
    let mut elsewhere = Authenticator::new();
    elsewhere.origin = "http://localhost:9999".into();
    let cred = elsewhere.create(&options, None).unwrap();
    register_finish(&s, &session, &challenge, &cred)
        .await
        .problem(401, "passkey_invalid");

    // The signature over other data.
    let (options, challenge) = login_start(&s).await;
    let mut assertion = auth.get(&options, 0).unwrap();
    let (other_options, _) = login_start(&s).await;
    let other = auth.get(&other_options, 0).unwrap();
    assertion["response"]["signature"] = other["response"]["signature"].clone();
    login_finish(&s, &challenge, &assertion)
        .await
        .problem(401, "passkey_invalid");

    // Another account's user handle with this credential.
    let (_, other_session) = account(&s, "passkey-handle").await;
    let (other_options, _) = register_start(&s, &other_session).await;
    let (options, challenge) = login_start(&s).await;
    let mut assertion = auth.get(&options, 0).unwrap();
    assertion["response"]["userHandle"] = other_options["publicKey"]["user"]["id"].clone();
    login_finish(&s, &challenge, &assertion)
        .await
        .problem(401, "passkey_invalid");
    // No user handle at all: a discoverable sign-in cannot tell whose it is.
    let (options, challenge) = login_start(&s).await;
    let mut assertion = auth.get(&options, 0).unwrap();
    assertion["response"]["userHandle"] = Value::Null;
    login_finish(&s, &challenge, &assertion)
        .await
        .problem(401, "passkey_invalid");

    // The counter: kept up to date, and a key whose counter goes back (a clone) is refused.
    let ok = sign_in(&s, &mut auth, 0).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    let counter = stored_counter(&s, &email).await;
    assert_eq!(u64::from(auth.credentials[0].counter), counter);
    assert!(counter >= 2, "{counter}");
    assert_eq!(sign_in(&s, &mut auth, 0).await.status, 200);
    assert_eq!(stored_counter(&s, &email).await, counter + 1);
    auth.credentials[0].counter = 0;
    sign_in(&s, &mut auth, 0)
        .await
        .problem(401, "passkey_invalid");
    assert_eq!(stored_counter(&s, &email).await, counter + 1);
}

#[tokio::test]
async fn malformed_finishes_are_validation_failures() {
    let s = server(&[]).await;
    let (_, challenge) = login_start(&s).await;
    let missing = s
        .post_json(
            "/auth/passkeys/login/finish",
            &json!({"challenge": challenge}),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(missing["errors"][0]["field"], "credential");
    assert_eq!(missing["errors"][0]["code"], "missing");
    let garbage = s
        .post_json(
            "/auth/passkeys/login/finish",
            &json!({"challenge": challenge, "credential": {"id": 7}}),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(garbage["errors"][0]["code"], "malformed");
    s.post_json(
        "/auth/passkeys/login/start",
        &json!({"email": "a@example.com"}),
    )
    .await
    .problem(400, "malformed_request");
}

#[test]
fn the_relying_party_refuses_ip_addresses() {
    use auth_server::Cli;
    for flags in [
        ["--webauthn-rp-id", "127.0.0.1"],
        ["--webauthn-origin", "http://127.0.0.1:8080"],
        ["--webauthn-origin", "http://[::1]:8080"],
    ] {
        let err = Cli::try_parse_args(&flags).expect_err("refused");
        assert!(err.to_string().contains("IP address"), "{err}");
    }
    let cli = Cli::try_parse_args(&[]).unwrap();
    assert_eq!(cli.webauthn_rp_id, "localhost");
    assert_eq!(cli.webauthn_origins, ["http://localhost:8080"]);
}
