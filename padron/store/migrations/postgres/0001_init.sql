-- Text that padron sorts or pages on is COLLATE "C": byte order of UTF-8, i.e.
-- code point order, the order SQLite's BINARY collation gives, whatever the
-- server's default collation is.
CREATE TABLE projects (
    id TEXT PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    reject_unresolved_cities BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE api_keys (
    id TEXT COLLATE "C" PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects (id),
    key_hash BYTEA NOT NULL UNIQUE,
    permissions TEXT NOT NULL,
    label TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE customers (
    project_id TEXT NOT NULL,
    code TEXT COLLATE "C" NOT NULL,
    id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    is_active BOOLEAN NOT NULL,
    country TEXT,
    state TEXT,
    city TEXT,
    year_born INTEGER,
    gender SMALLINT,
    -- The compact JSON text as sent: kept as text, not jsonb, so that it comes
    -- back byte for byte and a "\u0000" inside a string is stored as sent.
    metadata TEXT,
    PRIMARY KEY (project_id, code)
);

CREATE UNIQUE INDEX customers_id ON customers (id);
