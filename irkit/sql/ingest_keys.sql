-- The first good row of each (source, event_uid) of this flush, how many rows share it, and which
-- keys the lake already holds. Reads only the key columns of the lake's files. Uses: normalized;
-- /*existing*/ is replaced by a relation of (at least) source and event_uid of the events already
-- stored for the same sources and days. Binds nothing.
CREATE OR REPLACE TEMP TABLE ingest_firsts AS
SELECT n.source, n.event_uid, min(n.rowid) AS rid, count(*) AS copies
FROM normalized n
WHERE n.quarantine_reason IS NULL
GROUP BY n.source, n.event_uid;

CREATE OR REPLACE TEMP TABLE ingest_stored_keys AS
SELECT DISTINCT e.source, e.event_uid
FROM (SELECT source, event_uid FROM /*existing*/) e
SEMI JOIN ingest_firsts f ON f.source = e.source AND f.event_uid = e.event_uid
