-- Which standing identity facts do the records prove? One row per (kind, from_uid, to_uid) of the
-- delegation hops with scope 'standing' (same_as: one principal under two uids; session_of: to_uid is a
-- session acting as from_uid; consent: from_uid granted app to_uid), with the first proving event.
-- Every call of a session repeats its hops: the distinct lists are unnested, not every record's.
-- Uses: events. Binds nothing.
WITH lists AS (
    SELECT delegations, min(time) AS time, arg_min(event_uid, (time, event_uid)) AS event_uid
    FROM events WHERE len(delegations) > 0
    GROUP BY delegations
)
SELECT h.kind, h.from_uid, h.to_uid,
       arg_min(l.event_uid, (l.time, l.event_uid)) AS event_uid, min(l.time) AS first_time
FROM lists AS l, unnest(l.delegations) AS t(h)
WHERE h.scope = 'standing' AND h.from_uid IS NOT NULL AND h.to_uid IS NOT NULL AND h.from_uid <> h.to_uid
GROUP BY h.kind, h.from_uid, h.to_uid
