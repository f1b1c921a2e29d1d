-- The per-client request limit shared by every instance on this database (GCRA, the algorithm
-- of the in-memory limiter in front of it): one row per client address holding its theoretical
-- arrival time in microseconds since the Unix epoch. A row whose time has passed says nothing
-- the absence of a row would not, and the periodic purge deletes it.
CREATE TABLE rate_limits (
    client TEXT PRIMARY KEY NOT NULL,
    tat_us BIGINT NOT NULL
);
CREATE INDEX rate_limits_tat_us ON rate_limits(tat_us);
