-- The dashboard's overview (issue 16): running counts of each project's
-- customers by facet and value, kept by every write (padron/store/tallies.py),
-- so that the overview reads a few thousand small rows instead of scanning the
-- customers once per figure. Here: the table, and the counts of the customers
-- already stored.

CREATE TABLE customer_tallies (
    project_id TEXT NOT NULL,
    facet TEXT COLLATE "C" NOT NULL,
    value TEXT COLLATE "C" NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (project_id, facet, value)
);

-- The counts of the customers already stored (the same values as tallies.values).
INSERT INTO customer_tallies (project_id, facet, value, n)
SELECT project_id, 'profile', CASE WHEN is_active THEN '1' ELSE '0' END || '|' || coalesce(gender::text, '') || '|' || coalesce(year_born::text, ''), count(*)
FROM customers GROUP BY 1, 2, 3;

INSERT INTO customer_tallies (project_id, facet, value, n)
SELECT project_id, 'country', coalesce(country, ''), count(*) FROM customers GROUP BY 1, 2, 3;

INSERT INTO customer_tallies (project_id, facet, value, n)
SELECT project_id, 'state', state, count(*) FROM customers WHERE state IS NOT NULL GROUP BY 1, 2, 3;

INSERT INTO customer_tallies (project_id, facet, value, n)
SELECT project_id, 'city', city, count(*) FROM customers WHERE city IS NOT NULL GROUP BY 1, 2, 3;

INSERT INTO customer_tallies (project_id, facet, value, n)
SELECT project_id, 'created', (created_at / 86400)::text, count(*) FROM customers GROUP BY 1, 2, 3;

INSERT INTO customer_tallies (project_id, facet, value, n)
SELECT project_id, 'updated', (updated_at / 86400)::text, count(*) FROM customers
WHERE updated_at > created_at GROUP BY 1, 2, 3;

INSERT INTO customer_tallies (project_id, facet, value, n)
SELECT project_id, 'kept', '', count(*) FROM customers
WHERE ((state IS NOT NULL AND state !~ '^[A-Z]{2}-[A-Z0-9]{1,3}$') OR (city IS NOT NULL AND city !~ '^Q[1-9][0-9]*$'))
GROUP BY 1, 2, 3;
