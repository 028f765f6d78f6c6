-- The records behind the evidence ids a report shows: where each lies (file, line, JSON path) and its
-- raw text, for the report's appendix. Binds: $uids (event ids). Uses: events.
SELECT event_uid, arg_min(source, time) AS source, min(time) AS time, arg_min(evidence_file, time) AS evidence_file,
       arg_min(evidence_offset, time) AS evidence_offset, arg_min(evidence_path, time) AS evidence_path,
       arg_min(evidence_sha256, time) AS evidence_sha256, arg_min(raw, time) AS raw
FROM events
WHERE list_contains($uids, event_uid)
GROUP BY event_uid
