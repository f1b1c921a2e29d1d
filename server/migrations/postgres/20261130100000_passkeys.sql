-- Passkeys (WebAuthn, https://www.w3.org/TR/webauthn-3/): discoverable credentials that sign in
-- without an email or a password. `passkey` is the credential as webauthn-rs keeps it (JSON: its
-- public key, signature counter and backup flags); the id is the credential id in hex. A
-- credential id belongs to one account only (WebAuthn section 7.1, step 22).
CREATE TABLE passkeys (
    credential_id  TEXT PRIMARY KEY NOT NULL,
    user_id        TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    passkey        TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    last_used_at   BIGINT
);
CREATE INDEX passkeys_user ON passkeys(user_id);

-- A ceremony between its two calls: the state webauthn-rs needs to finish it (the challenge
-- it sent), under the SHA-256 hash of a random id the client holds. Single use: finishing
-- deletes the row. Lives five minutes; housekeeping deletes what has expired. `user_id` is
-- the signed-in account of a registration, NULL for a sign-in (no one is known yet).
CREATE TABLE webauthn_challenges (
    id_hash     TEXT PRIMARY KEY NOT NULL,
    purpose     TEXT NOT NULL,
    user_id     TEXT REFERENCES users(id) ON DELETE CASCADE,
    state       TEXT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX webauthn_challenges_expires_at ON webauthn_challenges(expires_at);
