-- The quarantined records of this flush with file, position, reason and raw text. Uses: normalized, batch_files.
SELECT f.evidence_file, f.evidence_sha256, n.evidence_offset, n.evidence_path, n.source,
       n.quarantine_reason AS reason, CAST(n.raw AS VARCHAR) AS raw
FROM normalized n JOIN batch_files f USING (file_id)
WHERE n.quarantine_reason IS NOT NULL
ORDER BY n.file_id, n.evidence_offset, n.evidence_path
