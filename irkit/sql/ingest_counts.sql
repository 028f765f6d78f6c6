-- Per file of this flush: rows read, quarantined and newly loaded (the rest are duplicates).
-- Uses: normalized, kept. Binds nothing.
SELECT n.file_id, count(*) AS read, count(n.quarantine_reason) AS quarantined,
       coalesce(any_value(k.loaded), 0) AS loaded
FROM normalized n
LEFT JOIN (SELECT file_id, count(*) AS loaded FROM kept GROUP BY file_id) k USING (file_id)
GROUP BY n.file_id
