-- The events named by $uids (a control path), with their delegation and credential facts.
-- Binds: $uids. Uses: events.
SELECT event_uid, time, actor_uid, operation, delegations, credentials
FROM events WHERE list_contains($uids, event_uid)
ORDER BY time, event_uid
