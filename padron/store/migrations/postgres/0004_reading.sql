-- The reading side (issue 15): indexes for the filtered list, the change feed.

-- Each filter of GET /customers walks its own index in code order, so a page
-- reads about `limit` entries whatever the size of the project.
-- isActive=true keeps most customers: the primary key serves it; the index
-- holds only the inactive ones.
CREATE INDEX customers_inactive ON customers (project_id, code) WHERE NOT is_active;
-- unresolved=true: only the customers with a place kept as sent (the same
-- expression as padron/store/listing.py, which the planner must see verbatim).
CREATE INDEX customers_unresolved ON customers (project_id, code) WHERE ((state IS NOT NULL AND state !~ '^[A-Z]{2}-[A-Z0-9]{1,3}$') OR (city IS NOT NULL AND city !~ '^Q[1-9][0-9]*$'));
CREATE INDEX customers_country ON customers (project_id, country, code);
CREATE INDEX customers_state ON customers (project_id, state, code);
CREATE INDEX customers_city ON customers (project_id, city, code);
CREATE INDEX customers_updated ON customers (project_id, updated_at, code);

-- Secrets made once per database (the key that signs cursors): 244 random
-- bits from two version-4 UUIDs (gen_random_uuid uses the server's strong
-- random source).
CREATE TABLE padron_secrets (
    name TEXT PRIMARY KEY,
    value BYTEA NOT NULL
);
INSERT INTO padron_secrets VALUES
    ('cursor', decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'));

-- One row per project: the position of its last change, and the position up
-- to which changes were pruned. Each write transaction that records changes
-- updates `seq` as its last statement before COMMIT: the row lock it takes
-- orders the project's writers, so positions follow commit order
-- (docs/change-feed.md).
CREATE TABLE change_heads (
    project_id TEXT PRIMARY KEY REFERENCES projects (id),
    seq BIGINT NOT NULL DEFAULT 0,
    pruned_through BIGINT NOT NULL DEFAULT 0
);
INSERT INTO change_heads (project_id) SELECT id FROM projects;

-- Every committed create, update and delete: the customer as it was after the
-- change (all columns NULL but id and code for a delete).
CREATE TABLE customer_changes (
    project_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    kind SMALLINT NOT NULL,
    at BIGINT NOT NULL,
    id TEXT NOT NULL,
    code TEXT COLLATE "C" NOT NULL,
    created_at BIGINT,
    updated_at BIGINT,
    is_active BOOLEAN,
    country TEXT,
    state TEXT,
    city TEXT,
    year_born INTEGER,
    gender SMALLINT,
    metadata TEXT,
    PRIMARY KEY (project_id, seq)
);
