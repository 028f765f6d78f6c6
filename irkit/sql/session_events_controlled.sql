-- The events of the sessions an owner's controlled events belong to (control_events: irkit.control):
-- the controlled events without a native session id (a created key's uses, cut into gap sessions
-- with nothing else of the principal that used it), and every event of the native sessions in which a
-- controlled event happened, whoever acted. Same columns as session_events.sql.
-- Binds: $owner. Uses: events, actors, control_events.
WITH c AS (SELECT event_uid FROM control_events WHERE owner = $owner),
theirs AS (
    SELECT DISTINCT e.session_uid FROM events e SEMI JOIN c USING (event_uid) WHERE e.session_uid IS NOT NULL
)
SELECT e.time, e.source, e.session_uid, coalesce(e.account_uid, '') AS account_uid,
       e.actor_uid, a.identity_id, e.status, e.operation, e.tool_name, e.target_uid, e.target_system
FROM events e
JOIN actors a USING (actor_uid)
WHERE (e.session_uid IS NULL AND e.event_uid IN (SELECT event_uid FROM c))
   OR e.session_uid IN (SELECT session_uid FROM theirs)
