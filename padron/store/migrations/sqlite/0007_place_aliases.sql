-- Project place aliases (issue 16): what a person decided a sent state or city
-- means in one project. key: the sent value folded as the resolver folds names;
-- country / state: the context (state '' for a state alias or a city without
-- one); place_id NULL: keep as sent.
CREATE TABLE place_aliases (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects (id),
    field TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    country TEXT NOT NULL,
    state TEXT NOT NULL,
    place_id TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (project_id, field, key, country, state)
);
