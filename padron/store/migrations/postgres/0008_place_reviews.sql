-- The places padron chose for a customer (issue 16): a city resolved with a
-- `chosen` (the most prominent of namesakes) or `state_mismatch` (found only in
-- another state) warning stores the id it chose, not the text sent. For the
-- dashboard's "places to review" to list such values, and for a person's
-- decision (a place alias) to re-resolve the customers that carry them, the
-- sent text is kept here, one row per such customer, written in the same
-- transaction as the customer. A later write of the customer's place, a
-- re-resolution that gives no such warning, or the customer's deletion removes
-- its row. Databases written before this migration start with none: their
-- customers' sent text was never kept.
-- key: the sent value folded as the resolver folds names; country / state:
-- the context as the resolver answered what was sent (state '' for none);
-- place_id: the city padron stored; candidates: the other places in question,
-- ids separated by spaces.
CREATE TABLE place_reviews (
    customer_id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    code TEXT NOT NULL,
    field TEXT NOT NULL,
    warning TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    country TEXT NOT NULL,
    state TEXT NOT NULL,
    place_id TEXT NOT NULL,
    candidates TEXT NOT NULL
);
CREATE INDEX place_reviews_value ON place_reviews (project_id, field, key, country, state);
