-- The dashboard (issue 16): when each key was last used, and sign-in sessions.

-- Epoch seconds of the key's last use, written at most once a minute per key
-- (padron/access): NULL until it is used.
ALTER TABLE api_keys ADD COLUMN last_used_at BIGINT;

-- One row per signed-in browser. The cookie holds a random token; only its
-- SHA-256 is kept, so a copy of the database signs nobody in. A session ends
-- when it is idle too long, when it is too old, at sign-out, and when its key
-- is revoked (the key's row is read with every session lookup).
CREATE TABLE dashboard_sessions (
    token_hash BYTEA PRIMARY KEY,
    key_id TEXT COLLATE "C" NOT NULL REFERENCES api_keys (id),
    created_at BIGINT NOT NULL,
    seen_at BIGINT NOT NULL
);
CREATE INDEX dashboard_sessions_key ON dashboard_sessions (key_id);
