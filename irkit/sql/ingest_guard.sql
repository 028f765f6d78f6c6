-- Rows the lake cannot hold are quarantined whatever the loader said: no time (no day partition, no
-- place on a timeline) or no event id (no dedup key). Uses: normalized. Binds nothing.
UPDATE normalized
SET quarantine_reason = CASE WHEN time IS NULL THEN 'the loader found no timestamp' ELSE 'the loader found no event id' END
WHERE quarantine_reason IS NULL AND (time IS NULL OR event_uid IS NULL)
