-- Every principal the lake shows acting, with what it used: one row per principal (a role session
-- counts as its role), its kind as the records say (the most frequent actor_type other than unknown),
-- its display name, first and last record, and its observed scope: the tools it called, the systems and
-- the data containers (the target and every named resource, cut to the container as in
-- triggers_new_production_data.sql; principals, credentials and types matching $not_data left out) it
-- touched before $until (NULL: the whole lake).
-- Binds: $until, $not_data. Uses: events, principal_hops, credentials_seen, macros (irkit_context_type).
WITH parent AS (
    SELECT to_uid AS uid, min(from_uid) AS parent FROM principal_hops WHERE kind = 'session_of' GROUP BY to_uid
),
acts AS (
    SELECT coalesce(p.parent, e.actor_uid) AS principal, e.*
    FROM events e LEFT JOIN parent p ON p.uid = e.actor_uid
    WHERE e.actor_uid IS NOT NULL
),
data AS (  -- principals and credentials are not data (as in inventory_draft_production.sql)
    SELECT principal, uid FROM (
        SELECT principal, target_uid AS uid, target_type AS type FROM acts
        WHERE target_uid IS NOT NULL AND NOT irkit_context_type(target_type) AND ($until IS NULL OR time < $until)
        UNION ALL
        SELECT a.principal, r.uid, r.type FROM acts a, unnest(a.resources) AS t(r)
        WHERE r.uid IS NOT NULL AND NOT irkit_context_type(r.type) AND ($until IS NULL OR a.time < $until)
    )
    WHERE NOT regexp_matches(coalesce(type, ''), $not_data)
      AND uid NOT IN (SELECT actor_uid FROM events WHERE actor_uid IS NOT NULL
                      UNION ALL SELECT from_uid FROM principal_hops UNION ALL SELECT to_uid FROM principal_hops
                      UNION ALL SELECT uid FROM credentials_seen WHERE uid IS NOT NULL)
),
containers AS (
    SELECT principal, list(DISTINCT c ORDER BY c) AS data FROM (
        SELECT principal,
               CASE WHEN uid LIKE 'arn:aws:s3:::%' THEN regexp_extract(uid, '^arn:aws:s3:::[^/]+')
                    WHEN uid LIKE 'namespaces/%/%' THEN regexp_extract(uid, '^namespaces/[^/]+/[^/]+')
                    ELSE uid END AS c
        FROM data)
    GROUP BY principal
)
SELECT a.principal,
       coalesce(mode(a.actor_type) FILTER (WHERE a.actor_type IS NOT NULL AND a.actor_type <> 'unknown'), 'unknown') AS actor_type,
       arg_min(a.actor_name, (a.time, a.event_uid)) FILTER (WHERE a.actor_name IS NOT NULL) AS name,
       min(a.time) AS first_seen, max(a.time) AS last_seen, count(*) AS events,
       arg_min(a.event_uid, (a.time, a.event_uid)) AS first_event,
       list(DISTINCT a.tool_name ORDER BY a.tool_name) FILTER (WHERE a.tool_name IS NOT NULL AND ($until IS NULL OR a.time < $until)) AS tools,
       list(DISTINCT a.target_system ORDER BY a.target_system) FILTER (WHERE a.target_system IS NOT NULL AND ($until IS NULL OR a.time < $until)) AS systems,
       any_value(c.data) AS data
FROM acts a LEFT JOIN containers c USING (principal)
GROUP BY a.principal
ORDER BY a.principal
