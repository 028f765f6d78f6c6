-- Which good rows are new? The first of each (source, event_uid) in this flush, unless already stored.
-- Works on the light columns only and returns row ids of `normalized`, so the wide rows (raw text)
-- are never sorted or copied. Uses: normalized; /*existing*/ is replaced by a relation of
-- (source, event_uid) over the case's own Parquet files for the same sources and days. Binds nothing.
CREATE OR REPLACE TEMP TABLE kept AS
SELECT min(n.rowid) AS rid
FROM normalized n
ANTI JOIN /*existing*/ e ON e.source = n.source AND e.event_uid = n.event_uid
WHERE n.quarantine_reason IS NULL
GROUP BY n.source, n.event_uid
