-- The project setting that rejects unresolved cities covers states too (issue 10):
-- renamed, its stored value kept. places_index: the place index (its data
-- versions) that the project's stored places were last re-resolved with.
ALTER TABLE projects RENAME COLUMN reject_unresolved_cities TO reject_unresolved_places;
ALTER TABLE projects ADD COLUMN places_index TEXT;
