-- The events $owner controls from $since on (control_events: irkit.control), with what the delegation
-- chain reads of them. Binds: $owner, $since. Uses: control_events, events.
SELECT c.event_uid, c.via, c.proof_event_uid, c.path, e.time, e.actor_uid, e.operation, e.activity,
       e.credential_uid, e.target_uid, e.resources, e.delegations, e.credentials
FROM control_events c JOIN events e USING (event_uid)
WHERE c.owner = $owner AND e.time >= $since
ORDER BY e.time, e.event_uid
