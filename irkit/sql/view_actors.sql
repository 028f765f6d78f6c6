-- Which canonical identity is each actor_uid seen in the lake? An inventory alias of the actor, else an
-- inventory alias of a uid a record proves to be the same principal (same_as), else of the principal it
-- is a session of (session_of: a role session acts as its role), else that principal itself (sessions
-- change, roles do not), else the actor uid unchanged.
-- Uses: events, principal_hops, inventory_aliases(alias, identity_id). Binds nothing.
WITH seen AS (
    SELECT actor_uid,
           min(time) AS first_seen, max(time) AS last_seen, count(*) AS events,
           list(DISTINCT source ORDER BY source) AS sources,
           arg_min(actor_type, (time, event_uid)) FILTER (WHERE actor_type IS NOT NULL) AS actor_type  -- deterministic: verify recomputes this table
    FROM events
    WHERE actor_uid IS NOT NULL
    GROUP BY actor_uid
),
parent AS (
    SELECT to_uid AS uid, min(from_uid) AS parent FROM principal_hops WHERE kind = 'session_of' GROUP BY to_uid
),
same AS (
    SELECT from_uid AS uid, to_uid AS other FROM principal_hops WHERE kind = 'same_as'
    UNION
    SELECT to_uid, from_uid FROM principal_hops WHERE kind = 'same_as'
),
same_alias AS (
    SELECT s.uid, min(a.identity_id) AS identity_id
    FROM same s JOIN inventory_aliases a ON a.alias = lower(s.other)
    GROUP BY s.uid
)
SELECT s.actor_uid,
       coalesce(a.identity_id, sa.identity_id, r.identity_id, rs.identity_id, p.parent, s.actor_uid) AS identity_id,
       (a.identity_id IS NOT NULL OR sa.identity_id IS NOT NULL OR r.identity_id IS NOT NULL OR rs.identity_id IS NOT NULL) AS declared,
       p.parent AS session_of,
       s.actor_type, s.sources, s.first_seen, s.last_seen, s.events
FROM seen s
LEFT JOIN parent p ON p.uid = s.actor_uid
LEFT JOIN inventory_aliases a ON a.alias = lower(s.actor_uid)
LEFT JOIN same_alias sa ON sa.uid = s.actor_uid
LEFT JOIN inventory_aliases r ON r.alias = lower(p.parent)
LEFT JOIN same_alias rs ON rs.uid = p.parent
