-- Which production data did each analysed identity touch in the window that it never touched in the
-- baseline? Production = the inventory's glob patterns ($patterns) over the target and every resource
-- an event names. Compared per container (S3 bucket, Kubernetes namespace/resource type, else the uid
-- itself), so a nightly job reading today's new object in its usual bucket is not "new".
-- One row per (identity, container), with every window event on it (first 50 as evidence).
-- Binds: $patterns. Uses: trigger_events (triggers_scope.sql, materialized).
WITH uids AS (  -- each named uid once: the globs are the costly part and most uids recur in many records
    SELECT DISTINCT target_uid AS uid FROM trigger_events WHERE target_uid IS NOT NULL
    UNION
    SELECT DISTINCT r.uid FROM (SELECT unnest(resources) AS r FROM trigger_events WHERE len(resources) > 0)
    WHERE r.uid IS NOT NULL AND NOT irkit_context_type(r.type)
),
production_uids AS (
    SELECT * FROM (SELECT uid, list_filter($patterns, lambda p: uid ~~~ p) AS matched FROM uids) WHERE len(matched) > 0
),
touched AS (
    SELECT identity, actor_identity, period, event_uid, time, session_uid, via, attributed_to, target_uid AS uid
    FROM trigger_events WHERE target_uid IN (SELECT uid FROM production_uids)
    UNION ALL
    SELECT identity, actor_identity, period, event_uid, time, session_uid, via, attributed_to, r.uid
    FROM (SELECT * FROM trigger_events WHERE len(resources) > 0) AS e, unnest(e.resources) AS t(r)
    WHERE r.uid IN (SELECT uid FROM production_uids) AND NOT irkit_context_type(r.type)
      AND r.uid IS DISTINCT FROM e.target_uid
),
production AS (
    SELECT t.*, pu.matched,
           CASE WHEN t.uid LIKE 'arn:aws:s3:::%' THEN regexp_extract(t.uid, '^arn:aws:s3:::[^/]+')
                WHEN t.uid LIKE 'namespaces/%/%' THEN regexp_extract(t.uid, '^namespaces/[^/]+/[^/]+')
                ELSE t.uid END AS container
    FROM touched t JOIN production_uids pu USING (uid)
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
