-- Which event last handed principal $to to $owner before $at? The latest successful record acting as
-- $owner's identity (or controlled by it) with a grant hop into $to, at or before $at.
-- Binds: $owner, $to, $at. Uses: events, actors, control_events.
SELECT e.event_uid
FROM (SELECT event_uid, time, actor_uid, delegations FROM events
      WHERE len(delegations) > 0 AND time <= $at AND status IS DISTINCT FROM 'failure') AS e
LEFT JOIN actors a USING (actor_uid)
WHERE (a.identity_id = $owner OR e.event_uid IN (SELECT event_uid FROM control_events WHERE owner = $owner))
  AND len(list_filter(e.delegations, lambda h: h.scope = 'grant' AND h.to_uid = $to)) > 0
ORDER BY e.time DESC, e.event_uid
LIMIT 1
