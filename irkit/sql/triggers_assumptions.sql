-- Which temporary keys did each AssumeRole* hand out, and to whom? One row per successful AssumeRole*
-- event up to $until: the issued key, the caller (actor uid, its canonical identity, the key it called
-- with), time and event. Triggers use it to hand a role session's actions to the identity that opened
-- it (CloudTrail records the session, not who asked for it). Binds: $until (may be NULL).
-- Uses: events, actors.
SELECT c.uid AS issued_key, e.actor_uid AS caller, a.identity_id AS caller_identity,
       e.credential_uid AS caller_key, e.time, e.event_uid
FROM events e, unnest(e.resources) AS t(c)
LEFT JOIN actors a ON a.actor_uid = e.actor_uid
WHERE e.source = 'cloudtrail' AND e.operation LIKE 'AssumeRole%' AND e.status = 'success'
  AND c.type = 'credential' AND ($until IS NULL OR e.time <= $until)
ORDER BY e.time, e.event_uid
