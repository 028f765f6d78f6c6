-- Which records did the loader return no row for? They are quarantined, so nothing is silently lost.
-- Uses: records (this flush's input), normalized (the loader's output). Binds nothing.
INSERT INTO normalized BY NAME
SELECT r.file_id, r.evidence_offset, r.evidence_path, r.raw,
       'the loader returned no row for this record' AS quarantine_reason
FROM records r
WHERE NOT EXISTS (
    SELECT 1 FROM normalized n
    WHERE n.file_id = r.file_id AND n.evidence_offset = r.evidence_offset
      AND starts_with(n.evidence_path, r.evidence_path)
)
