-- A project whose customers were written before padron recorded the place index
-- that resolved them (places_index NULL, migration 0003) may hold answers of an
-- older index, copied city ids among them (issue 10): it is marked as resolved
-- with an index that is not the one loaded, so that `padron serve` says so and
-- `padron geo reresolve` brings it in line. A project without customers has
-- nothing to catch up: it stays NULL (taken as the index seen at the next start).
UPDATE projects SET places_index = 'unrecorded'
WHERE places_index IS NULL AND EXISTS (SELECT 1 FROM customers WHERE customers.project_id = projects.id);
