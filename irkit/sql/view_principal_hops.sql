-- Which standing identity facts do the records prove? One row per (kind, from_uid, to_uid) of the
-- delegation hops with scope 'standing' (same_as: one principal under two uids; session_of: to_uid is a
-- session acting as from_uid; consent: from_uid granted app to_uid), with the first proving event.
-- Uses: events. Binds nothing.
SELECT h.kind, h.from_uid, h.to_uid,
       arg_min(e.event_uid, (e.time, e.event_uid)) AS event_uid, min(e.time) AS first_time
FROM (SELECT event_uid, time, delegations FROM events WHERE len(delegations) > 0) AS e, unnest(e.delegations) AS t(h)
WHERE h.scope = 'standing' AND h.from_uid IS NOT NULL AND h.to_uid IS NOT NULL AND h.from_uid <> h.to_uid
GROUP BY h.kind, h.from_uid, h.to_uid
