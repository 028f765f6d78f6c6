-- What did the suspect, and everything it reached, do between $since and $until, across every source?
-- Binds: $identities (canonical ids), $credentials (credentials they created), $since, $until
-- (either may be NULL). Uses: events, actors.
SELECT e.time, e.source, a.identity_id, e.actor_uid, e.session_uid, e.class_name, e.operation,
       e.status, e.tool_name, e.target_uid, e.target_system, e.credential_uid, e.src_ip, e.user_agent,
       e.event_uid, e.evidence_file, e.evidence_offset
FROM events e
JOIN actors a USING (actor_uid)
WHERE (list_contains($identities, a.identity_id) OR list_contains($credentials, e.credential_uid))
  AND ($since IS NULL OR e.time >= $since)
  AND ($until IS NULL OR e.time <= $until)
ORDER BY e.time, e.event_uid
