-- One-time links sent by email (recovery-28): email verification and password reset. Only the
-- SHA-256 hash of a link's token is stored. A row stays after use or expiry (until the purge,
-- a week past expiry) so that a used or expired link is told apart from one never issued.
CREATE TABLE account_links (
    token_hash    TEXT PRIMARY KEY NOT NULL,
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose       TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    used_at       BIGINT,
    superseded_at BIGINT
);
CREATE INDEX account_links_user_purpose ON account_links(user_id, purpose);
CREATE INDEX account_links_expires_at ON account_links(expires_at);

-- When a link email last went to an address, per purpose, registered or not: the pace of
-- link emails (a resend within the interval is refused alike for every address).
CREATE TABLE link_mail_pace (
    email        TEXT NOT NULL,
    purpose      TEXT NOT NULL,
    last_sent_at BIGINT NOT NULL,
    PRIMARY KEY (email, purpose)
);
CREATE INDEX link_mail_pace_last_sent_at ON link_mail_pace(last_sent_at);

-- Reset requests were recorded without a token before links were sent; they never led anywhere.
DROP TABLE password_resets;
