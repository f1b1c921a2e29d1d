-- One-time codes (factors-33 to factors-35). The TOTP secret is needed to check codes, so it is
-- stored as it is (base32) (encrypting it needs a key the operator manages; left for later). A row with
-- confirmed_at NULL is a setup not yet proven by a first code: it does not ask for codes.
CREATE TABLE totp_factors (
    user_id        TEXT PRIMARY KEY NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    secret         TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    confirmed_at   BIGINT,
    -- The last 30-second step a code was accepted for: a code of that step or an earlier one
    -- is refused (replay, RFC 6238 section 5.2).
    last_step      BIGINT NOT NULL DEFAULT 0,
    -- Wrong codes in a row, and until when codes are paused (NIST SP 800-63B 5.2.2).
    failures       BIGINT NOT NULL DEFAULT 0,
    paused_until   BIGINT NOT NULL DEFAULT 0
);

-- Recovery codes: ten per setup, each usable once, stored as a SHA-256 hash of the account
-- id and the code (factors-34).
CREATE TABLE recovery_codes (
    code_hash  TEXT PRIMARY KEY NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    used_at    BIGINT
);
CREATE INDEX recovery_codes_user ON recovery_codes(user_id);

-- The second step of a sign-in: a short-lived, single-use token (its SHA-256 hash) that stands
-- for a correct password, never a session.
CREATE TABLE login_steps (
    token_hash  TEXT PRIMARY KEY NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX login_steps_expires_at ON login_steps(expires_at);
