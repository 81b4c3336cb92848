-- The reading side (issue 15): indexes for the filtered list, the change feed.

-- Each filter of GET /customers walks its own index in code order, so a page
-- reads about `limit` entries whatever the size of the project.
-- isActive=true keeps most customers: the primary key serves it; the index
-- holds only the inactive ones.
CREATE INDEX customers_inactive ON customers (project_id, code) WHERE is_active = 0;
-- unresolved=true: only the customers with a place kept as sent (the same
-- expression as padron/store/listing.py, which the planner must see verbatim).
CREATE INDEX customers_unresolved ON customers (project_id, code) WHERE ((state IS NOT NULL AND NOT (state GLOB '[A-Z][A-Z]-[A-Z0-9]*' AND length(state) <= 6 AND substr(state, 4) NOT GLOB '*[^A-Z0-9]*')) OR (city IS NOT NULL AND NOT (city GLOB 'Q[1-9]*' AND substr(city, 2) NOT GLOB '*[^0-9]*')));
CREATE INDEX customers_country ON customers (project_id, country, code);
CREATE INDEX customers_state ON customers (project_id, state, code);
CREATE INDEX customers_city ON customers (project_id, city, code);
CREATE INDEX customers_updated ON customers (project_id, updated_at, code);

-- Secrets made once per database (the key that signs cursors).
CREATE TABLE padron_secrets (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
INSERT INTO padron_secrets VALUES ('cursor', randomblob(32));

-- One row per project: the position of its last change, and the position up
-- to which changes were pruned. The writer updates `seq` inside each write
-- transaction that records changes.
CREATE TABLE change_heads (
    project_id TEXT PRIMARY KEY REFERENCES projects (id),
    seq INTEGER NOT NULL DEFAULT 0,
    pruned_through INTEGER NOT NULL DEFAULT 0
);
INSERT INTO change_heads (project_id) SELECT id FROM projects;

-- Every committed create, update and delete: the customer as it was after the
-- change (all columns NULL but id and code for a delete).
CREATE TABLE customer_changes (
    project_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    kind INTEGER NOT NULL,
    at INTEGER NOT NULL,
    id TEXT NOT NULL,
    code TEXT NOT NULL,
    created_at INTEGER,
    updated_at INTEGER,
    is_active INTEGER,
    country TEXT,
    state TEXT,
    city TEXT,
    year_born INTEGER,
    gender INTEGER,
    metadata TEXT,
    PRIMARY KEY (project_id, seq)
) WITHOUT ROWID;
