-- The dashboard's overview (issue 16): running counts of each project's
-- customers by facet and value, kept by every write (padron/store/tallies.py),
-- so that the overview reads a few thousand small rows instead of scanning the
-- customers once per figure. Here: the table, and the counts of the customers
-- already stored.

CREATE TABLE customer_tallies (
    project_id TEXT NOT NULL,
    facet TEXT NOT NULL,
    value TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (project_id, facet, value)
) WITHOUT ROWID;

-- The counts of the customers already stored (the same values as tallies.values).
INSERT INTO customer_tallies (project_id, facet, value, n)
SELECT project_id, 'profile', CASE WHEN is_active THEN '1' ELSE '0' END || '|' || coalesce(CAST(gender AS TEXT), '') || '|' || coalesce(CAST(year_born AS TEXT), ''), count(*)
FROM customers GROUP BY 1, 2, 3;

INSERT INTO customer_tallies (project_id, facet, value, n)
SELECT project_id, 'country', coalesce(country, ''), count(*) FROM customers GROUP BY 1, 2, 3;

INSERT INTO customer_tallies (project_id, facet, value, n)
SELECT project_id, 'state', state, count(*) FROM customers WHERE state IS NOT NULL GROUP BY 1, 2, 3;

INSERT INTO customer_tallies (project_id, facet, value, n)
SELECT project_id, 'city', city, count(*) FROM customers WHERE city IS NOT NULL GROUP BY 1, 2, 3;

INSERT INTO customer_tallies (project_id, facet, value, n)
SELECT project_id, 'created', CAST(created_at / 86400 AS TEXT), count(*) FROM customers GROUP BY 1, 2, 3;

INSERT INTO customer_tallies (project_id, facet, value, n)
SELECT project_id, 'updated', CAST(updated_at / 86400 AS TEXT), count(*) FROM customers
WHERE updated_at > created_at GROUP BY 1, 2, 3;

INSERT INTO customer_tallies (project_id, facet, value, n)
SELECT project_id, 'kept', '', count(*) FROM customers
WHERE ((state IS NOT NULL AND NOT (state GLOB '[A-Z][A-Z]-[A-Z0-9]*' AND length(state) <= 6 AND substr(state, 4) NOT GLOB '*[^A-Z0-9]*')) OR (city IS NOT NULL AND NOT (city GLOB 'Q[1-9]*' AND substr(city, 2) NOT GLOB '*[^0-9]*')))
GROUP BY 1, 2, 3;
