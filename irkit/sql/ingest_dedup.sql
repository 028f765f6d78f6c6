-- Which good rows are new, which repeat an event already seen with the same content (duplicates:
-- stored once) and which repeat its id with different content (conflicts: kept whole in the
-- quarantine, never dropped)? Uses: normalized, ingest_firsts and ingest_stored_keys (ingest_keys.sql).
-- /*existing*/ is replaced by a relation of the events already stored for the same sources and days
-- (an empty one when ingest_stored_keys is empty, so that the lake's wide columns are read only when
-- a key repeats), /*content n*/ and /*content e*/ by the fingerprint of a row's core normalized
-- fields. Binds nothing.
--
-- Two rows with one (source, event_uid) are the same event when their core normalized fields (time,
-- class, operation, status, actor, target) are equal and their JSON text is too (white space aside),
-- or one text holds the other, as JSON or as a JSON string: an envelope around the same event
-- (EventBridge's detail, lookup-events' CloudTrailEvent around an S3-delivered CloudTrail event).
-- The reference for a key is the stored row when the lake has one, else the first row of this
-- flush. The work touches only the keys that occur more than once; the wide rows are never sorted.

CREATE OR REPLACE TEMP MACRO ingest_text(raw) AS coalesce(CAST(TRY(json(raw)) AS VARCHAR), raw);

-- Whether text a holds text b, as JSON or as a JSON string (lookup-events' CloudTrailEvent).
CREATE OR REPLACE TEMP MACRO ingest_holds(a, b) AS contains(a, b) OR contains(replace(a, '\"', '"'), b);

CREATE OR REPLACE TEMP MACRO ingest_same(fp_a, raw_a, fp_b, raw_b) AS
    fp_a = fp_b AND (raw_a = raw_b OR ingest_holds(ingest_text(raw_a), ingest_text(raw_b))
                     OR ingest_holds(ingest_text(raw_b), ingest_text(raw_a)));

CREATE OR REPLACE TEMP TABLE ingest_stored AS
SELECT e.source, e.event_uid, any_value(/*content e*/) AS fp, any_value(e.raw) AS raw
FROM /*existing*/ e
SEMI JOIN ingest_stored_keys k ON k.source = e.source AND k.event_uid = e.event_uid
GROUP BY e.source, e.event_uid;

CREATE OR REPLACE TEMP TABLE ingest_repeats AS
WITH refs AS (
    SELECT f.source, f.event_uid, f.rid, s.event_uid IS NOT NULL AS in_lake,
           CASE WHEN s.event_uid IS NOT NULL THEN s.fp ELSE /*content n*/ END AS fp,
           CASE WHEN s.event_uid IS NOT NULL THEN s.raw ELSE n.raw END AS raw
    FROM ingest_firsts f
    LEFT JOIN ingest_stored s ON s.source = f.source AND s.event_uid = f.event_uid
    JOIN normalized n ON n.rowid = f.rid
    WHERE f.copies > 1 OR s.event_uid IS NOT NULL
)
SELECT n.rowid AS rid, r.in_lake, ingest_same(/*content n*/, n.raw, r.fp, r.raw) AS same
FROM normalized n
JOIN refs r ON n.source = r.source AND n.event_uid = r.event_uid
WHERE n.quarantine_reason IS NULL AND (r.in_lake OR n.rowid <> r.rid);

UPDATE normalized
SET conflict = true,
    quarantine_reason = 'conflict: event id ' || normalized.event_uid || ' is '
        || CASE WHEN r.in_lake THEN 'already stored' ELSE 'used by an earlier record of this ingest' END
        || ' with different content; this record is kept here whole'
FROM ingest_repeats r
WHERE normalized.rowid = r.rid AND NOT r.same;

CREATE OR REPLACE TEMP TABLE kept AS
SELECT f.rid
FROM ingest_firsts f
ANTI JOIN ingest_repeats r ON r.rid = f.rid
