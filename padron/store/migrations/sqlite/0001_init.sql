CREATE TABLE projects (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    reject_unresolved_cities INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects (id),
    key_hash BLOB NOT NULL UNIQUE,
    permissions TEXT NOT NULL,
    label TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);

-- Rows live in the (project_id, code) b-tree: the lookup every write does.
CREATE TABLE customers (
    project_id TEXT NOT NULL,
    code TEXT NOT NULL,
    id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    is_active INTEGER NOT NULL,
    country TEXT,
    state TEXT,
    city TEXT,
    year_born INTEGER,
    gender INTEGER,
    metadata TEXT,
    PRIMARY KEY (project_id, code)
) WITHOUT ROWID;

CREATE UNIQUE INDEX customers_id ON customers (id);
