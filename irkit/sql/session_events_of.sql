-- The events of the sessions in which any of $identities acted: their own events without a native
-- session id (the gap sessions are cut per identity, so these hold them whole) and every event of the
-- native sessions they took part in, whoever acted. Same columns as session_events.sql.
-- Binds: $identities. Uses: events, actors.
WITH theirs AS (
    SELECT DISTINCT e.session_uid
    FROM events e JOIN actors a USING (actor_uid)
    WHERE list_contains($identities, a.identity_id) AND e.session_uid IS NOT NULL
)
SELECT e.time, e.source, e.session_uid, coalesce(e.account_uid, '') AS account_uid,
       e.actor_uid, a.identity_id, e.status, e.operation, e.tool_name, e.target_uid, e.target_system
FROM events e
JOIN actors a USING (actor_uid)
WHERE (e.session_uid IS NULL AND list_contains($identities, a.identity_id))
   OR e.session_uid IN (SELECT session_uid FROM theirs)
