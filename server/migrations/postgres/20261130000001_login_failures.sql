-- Failure counters per email tried, registered or not, so that an unregistered email locks
-- exactly like a registered one; shared by every instance on this database.
CREATE TABLE login_failures (
    email           TEXT PRIMARY KEY NOT NULL,
    failures        BIGINT NOT NULL,
    locked_until    BIGINT,
    last_failure_at BIGINT NOT NULL
);
CREATE INDEX login_failures_last_failure_at ON login_failures(last_failure_at);

INSERT INTO login_failures (email, failures, locked_until, last_failure_at)
    SELECT email, failed_attempts, locked_until, created_at FROM users
    WHERE failed_attempts > 0 OR locked_until IS NOT NULL;

-- The periodic purge deletes by expiry.
CREATE INDEX sessions_expires_at ON sessions(expires_at);
CREATE INDEX password_resets_expires_at ON password_resets(expires_at);
