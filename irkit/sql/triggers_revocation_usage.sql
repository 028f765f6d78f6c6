-- When was each checklist item (a credential, or a principal acting as itself) used, and was it used
-- after its reference time (its revocation, or the suspect's containment for what the suspect created)?
-- Binds: $since, $until (either may be NULL). Uses: events, revocation_items(uid, after) (registered).
WITH hits AS (
    SELECT i.uid, i.after, e.time, e.event_uid FROM revocation_items i JOIN events e ON e.credential_uid = i.uid
    WHERE ($since IS NULL OR e.time >= $since) AND ($until IS NULL OR e.time <= $until)
    UNION
    SELECT i.uid, i.after, e.time, e.event_uid FROM revocation_items i JOIN events e ON e.actor_uid = i.uid
    WHERE ($since IS NULL OR e.time >= $since) AND ($until IS NULL OR e.time <= $until)
)
SELECT uid, min(time) AS first_use, max(time) AS last_use, count(DISTINCT event_uid) AS uses,
       min(time) FILTER (WHERE time > after) AS first_after, max(time) FILTER (WHERE time > after) AS last_after,
       count(DISTINCT event_uid) FILTER (WHERE time > after) AS uses_after,
       arg_min(event_uid, (time, event_uid)) FILTER (WHERE time > after) AS first_after_event
FROM hits GROUP BY uid
