-- Which records did the loader return no row for? They are quarantined, so nothing is silently lost.
-- Uses: records (this flush's input), normalized (the loader's output). Binds nothing.
-- Most rows carry their record's own JSON path, so the exact match goes first; only the records left
-- over are checked for rows below them (several rows per record, e.g. one per OTLP span). Matching on
-- the path prefix alone would pair every record of a one-line delivery file with every other.
WITH unmatched AS (
    SELECT r.file_id, r.evidence_offset, r.evidence_path
    FROM records r
    ANTI JOIN normalized n
      ON n.file_id = r.file_id AND n.evidence_offset = r.evidence_offset AND n.evidence_path = r.evidence_path
),
missing AS (
    SELECT u.* FROM unmatched u
    WHERE NOT EXISTS (
        SELECT 1 FROM normalized n
        WHERE n.file_id = u.file_id AND n.evidence_offset = u.evidence_offset
          AND starts_with(n.evidence_path, u.evidence_path)
    )
)
INSERT INTO normalized BY NAME
SELECT r.file_id, r.evidence_offset, r.evidence_path, r.raw,
       'the loader returned no row for this record' AS quarantine_reason
FROM records r
SEMI JOIN missing m
  ON m.file_id = r.file_id AND m.evidence_offset = r.evidence_offset AND m.evidence_path = r.evidence_path
