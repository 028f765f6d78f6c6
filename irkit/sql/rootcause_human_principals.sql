-- Which principals the suspect acted as do humans also act as? A role, service account or app that
-- people use, held by an agent, is a human-grade grant: a mis-scoped deployment.
-- Binds: $principals (identity ids the suspect acted as), $suspect. Uses: principal_hops, actors,
-- inventory_identities.
SELECT t.identity_id AS principal, f.identity_id AS human, min(h.first_time) AS first_time,
       arg_min(h.event_uid, h.first_time) AS event_uid, count(*) AS hops
FROM principal_hops h
JOIN actors f ON f.actor_uid = h.from_uid
JOIN actors t ON t.actor_uid = h.to_uid
JOIN inventory_identities i ON i.identity_id = f.identity_id
WHERE i.kind = 'human' AND list_contains($principals, t.identity_id)
  AND t.identity_id <> f.identity_id AND f.identity_id <> $suspect AND h.kind NOT IN ('same_as', 'session_of')
GROUP BY 1, 2
ORDER BY 1, 2
