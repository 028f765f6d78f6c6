-- Which production data did each analysed identity touch in the window that it never touched in the
-- baseline? Production = the inventory's glob patterns ($patterns) over the target and every resource
-- an event names. Compared per container (S3 bucket, Kubernetes namespace/resource type, else the uid
-- itself), so a nightly job reading today's new object in its usual bucket is not "new".
-- One row per (identity, container), with every window event on it (first 50 as evidence).
-- Binds: $patterns. Uses: trigger_events (triggers_scope.sql, materialized).
WITH touched AS (  -- match the globs before unnesting: most records touch no production data
    SELECT identity, actor_identity, period, event_uid, time, session_uid, via, attributed_to, target_uid AS uid
    FROM trigger_events WHERE target_uid IS NOT NULL AND len(list_filter($patterns, lambda p: target_uid ~~~ p)) > 0
    UNION ALL
    SELECT identity, actor_identity, period, event_uid, time, session_uid, via, attributed_to, r.uid
    FROM (SELECT *, list_filter(resources, lambda x: x.uid IS NOT NULL AND len(list_filter($patterns, lambda p: x.uid ~~~ p)) > 0
                       AND NOT irkit_context_type(x.type))
                 AS prod
          FROM trigger_events WHERE len(resources) > 0) AS e, unnest(e.prod) AS t(r)
    WHERE r.uid IS DISTINCT FROM e.target_uid
),
production AS (
    SELECT *,
           CASE WHEN uid LIKE 'arn:aws:s3:::%' THEN regexp_extract(uid, '^arn:aws:s3:::[^/]+')
                WHEN uid LIKE 'namespaces/%/%' THEN regexp_extract(uid, '^namespaces/[^/]+/[^/]+')
                ELSE uid END AS container,
           list_filter($patterns, lambda p: uid ~~~ p) AS matched
    FROM touched
),
known AS (SELECT DISTINCT identity, container FROM production WHERE period = 'baseline')
SELECT p.identity, p.container AS subject,
       min(p.time) AS time, max(p.time) AS last_time,
       list_slice(list(p.event_uid ORDER BY p.time, p.event_uid), 1, 50) AS evidence,
       count(DISTINCT p.event_uid) AS evidence_count,
       arg_min(p.session_uid, p.time) AS session,
       list(DISTINCT p.actor_identity ORDER BY p.actor_identity) AS acted_as,
       arg_min(p.via, p.time) AS via, arg_min(p.attributed_to, p.time) AS attributed_to,
       list(DISTINCT m ORDER BY m) AS detail
FROM production p, unnest(p.matched) AS u(m)
WHERE p.period = 'window' AND NOT EXISTS (SELECT 1 FROM known k WHERE k.identity = p.identity AND k.container = p.container)
GROUP BY p.identity, p.container
