-- The events sessions are built from: every event with an actor, with its canonical identity.
-- Binds nothing. Uses: events, actors.
SELECT e.time, e.source, e.session_uid, coalesce(e.account_uid, '') AS account_uid,
       e.actor_uid, a.identity_id, e.status, e.operation, e.tool_name, e.target_uid, e.target_system
FROM events e
JOIN actors a USING (actor_uid)
