-- Per file of this flush: rows read, quarantined, in conflict and newly loaded (the rest are duplicates).
-- Uses: normalized, kept. Binds nothing.
SELECT n.file_id, count(*) AS read,
       count(n.quarantine_reason) - count_if(n.conflict) AS quarantined,
       count_if(n.conflict) AS conflicts,
       count(k.rid) AS loaded
FROM normalized n
LEFT JOIN kept k ON n.rowid = k.rid
GROUP BY n.file_id
