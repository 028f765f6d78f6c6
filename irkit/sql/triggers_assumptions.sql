-- Which temporary keys did each AssumeRole* hand out, and to whom? One row per successful AssumeRole*
-- event up to $until: the issued key, the caller (actor uid, its canonical identity, the key it called
-- with), time and event. Triggers use it to hand a role session's actions to the identity that opened
-- it (CloudTrail records the session, not who asked for it). Binds: $until (may be NULL).
-- Uses: events, actors.
SELECT c.uid AS issued_key, e.actor_uid AS caller, a.identity_id AS caller_identity,
       e.credential_uid AS caller_key, e.time, e.event_uid
FROM (SELECT *, list_filter(resources, lambda r: r.type = 'credential') AS keys FROM events
      WHERE source = 'cloudtrail' AND operation LIKE 'AssumeRole%' AND status = 'success'
        AND ($until IS NULL OR time <= $until)) AS e, unnest(e.keys) AS t(c)
LEFT JOIN actors a ON a.actor_uid = e.actor_uid
ORDER BY e.time, e.event_uid
