-- What is each credential, in the normalized model's words? Its kind, name or title, the principal it
-- authenticates as, and the system of the records that name it (first seen first).
-- Binds: $uids (credential uids). Uses: events.
SELECT c.uid, arg_min(c.kind, e.time) AS kind, arg_min(c.name, e.time) FILTER (WHERE c.name IS NOT NULL) AS name,
       arg_min(c.principal_uid, e.time) FILTER (WHERE c.principal_uid IS NOT NULL) AS principal_uid,
       arg_min(e.target_system, e.time) FILTER (WHERE c.action IN ('created', 'issued')) AS created_in,
       arg_min(e.target_system, e.time) AS seen_in
FROM events e, unnest(e.credentials) AS t(c)
WHERE list_contains($uids, c.uid)
GROUP BY c.uid
