-- Which canonical identity is each actor_uid seen in the lake? An inventory alias of the actor, else of
-- the role behind an assumed-role session, else the role itself (sessions change, roles do not), else
-- the actor uid unchanged. Uses: events, inventory_aliases(alias, identity_id). Binds nothing.
WITH seen AS (
    SELECT actor_uid,
           any_value(CASE WHEN source = 'cloudtrail' AND actor_uid LIKE 'arn:aws:sts::%:assumed-role/%'
                          THEN delegator_uid END) AS role_arn,
           min(time) AS first_seen, max(time) AS last_seen, count(*) AS events,
           list(DISTINCT source ORDER BY source) AS sources,
           any_value(actor_type) AS actor_type
    FROM events
    WHERE actor_uid IS NOT NULL
    GROUP BY actor_uid
)
SELECT s.actor_uid,
       coalesce(a.identity_id, r.identity_id, s.role_arn, s.actor_uid) AS identity_id,
       (a.identity_id IS NOT NULL OR r.identity_id IS NOT NULL) AS declared,
       s.actor_type, s.sources, s.first_seen, s.last_seen, s.events
FROM seen s
LEFT JOIN inventory_aliases a ON a.alias = lower(s.actor_uid)
LEFT JOIN inventory_aliases r ON r.alias = lower(s.role_arn)
