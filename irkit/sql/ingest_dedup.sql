-- Which good rows are new? The first of each (source, event_uid) in this flush, unless already stored.
-- Uses: normalized; /*existing*/ is replaced by a relation of (source, event_uid) over the case's own
-- Parquet files for the same sources and days. Binds nothing.
CREATE OR REPLACE TEMP TABLE kept AS
SELECT n.* EXCLUDE (quarantine_reason), CAST(n.time AS DATE) AS day
FROM normalized n
ANTI JOIN /*existing*/ e ON e.source = n.source AND e.event_uid = n.event_uid
WHERE n.quarantine_reason IS NULL
QUALIFY row_number() OVER (
    PARTITION BY n.source, n.event_uid ORDER BY n.file_id, n.evidence_offset, n.evidence_path
) = 1
