-- Which principals the suspect acted as do humans also act as? A role, service account or app that
-- people use, held by an agent, is a human-grade grant: a mis-scoped deployment. A hop into one of the
-- principal's uids is any delegation a record proves (events.delegations: assume role, impersonate,
-- act on behalf of, ...); who took it is its from_uid's identity: the actors view's, else the inventory
-- alias it is (a human named only as the source identity of a role session is still that human).
-- Binds: $principals (identity ids the suspect acted as), $suspect. Uses: events, actors,
-- inventory_aliases, inventory_identities.
WITH targets AS (
    SELECT actor_uid AS uid, identity_id FROM actors WHERE list_contains($principals, identity_id)
),
hops AS (
    SELECT e.event_uid, e.time, x.kind, x.from_uid, t.identity_id AS to_identity
    FROM events e, unnest(e.delegations) AS d(x)
    JOIN targets t ON t.uid = x.to_uid
    WHERE len(e.delegations) > 0 AND x.kind NOT IN ('same_as', 'spawn_agent')
),
named AS (
    SELECT h.*, coalesce(f.identity_id, al.identity_id) AS from_identity
    FROM hops h
    LEFT JOIN actors f ON f.actor_uid = h.from_uid
    LEFT JOIN inventory_aliases al ON al.alias = lower(h.from_uid)
)
SELECT n.to_identity AS principal, n.from_identity AS human, min(n.time) AS first_time,
       arg_min(n.event_uid, n.time) AS event_uid, count(*) AS hops
FROM named n
JOIN inventory_identities i ON i.identity_id = n.from_identity
WHERE i.kind = 'human' AND n.from_identity <> n.to_identity AND n.from_identity <> $suspect
GROUP BY 1, 2
ORDER BY 1, 2
