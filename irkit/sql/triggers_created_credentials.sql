-- Which long-lived credentials did the analysed identities create in the window, and when? One row per
-- credential (its first creation): a minted credential with action 'created' of a successful event the
-- identity controls (trigger_control; handover_events holds every event that minted one). Short-lived
-- credentials handed to the caller (action 'issued': role sessions, OAuth tokens, token requests) are
-- not persistence.
-- Binds: $since. Uses: handover_events, trigger_control(owner, event_uid, via, proof_event_uid).
SELECT c.uid AS credential_uid, arg_min(t.owner, (e.time, e.event_uid)) AS creator_identity,
       arg_min(e.actor_uid, (e.time, e.event_uid)) AS creator, min(e.time) AS time,
       arg_min(e.event_uid, (e.time, e.event_uid)) AS event_uid, arg_min(e.operation, (e.time, e.event_uid)) AS operation,
       arg_min(coalesce(c.principal_uid, e.target_uid), (e.time, e.event_uid)) AS target_uid,
       arg_min(c.kind, (e.time, e.event_uid)) AS kind, arg_min(c.name, (e.time, e.event_uid)) AS name,
       arg_min(e.target_system, (e.time, e.event_uid)) AS system
FROM trigger_control t
JOIN (SELECT event_uid, time, actor_uid, operation, target_uid, target_system, minted FROM handover_events
      WHERE status = 'success' AND time >= $since) AS e USING (event_uid),
     unnest(e.minted) AS u(c)
WHERE c.action = 'created'
GROUP BY c.uid
ORDER BY time, event_uid
