-- What did each identity use between $since and $until? One row per (identity, dimension, item):
-- tools called (tool_call requests), downstream systems, and data touched by container (S3 bucket,
-- Kubernetes namespace/resource type, else the target uid; tools, agents, models, MCP servers and IAM
-- roles/users are not data). Compared with the inventory's granted scope in :func:`irkit.revocation.over_privilege`.
-- Binds: $since, $until (either may be NULL), $identities (NULL: every identity). Uses: events, actors.
WITH e AS (
    SELECT a.identity_id, e.* FROM events e JOIN actors a USING (actor_uid)
    WHERE ($since IS NULL OR e.time >= $since) AND ($until IS NULL OR e.time <= $until)
      AND ($identities IS NULL OR list_contains($identities, a.identity_id))
      AND irkit_acts(e.operation, e.target_type)
),
used AS (
    SELECT identity_id, 'tool' AS dimension, tool_name AS item, time, event_uid FROM e
    WHERE class_name = 'tool_call' AND tool_name IS NOT NULL
    UNION ALL
    SELECT identity_id, 'system', target_system, time, event_uid FROM e WHERE target_system IS NOT NULL
    UNION ALL
    SELECT identity_id, 'data',
           CASE WHEN target_uid LIKE 'arn:aws:s3:::%' THEN regexp_extract(target_uid, '^arn:aws:s3:::[^/]+')
                WHEN target_uid LIKE 'namespaces/%/%' THEN regexp_extract(target_uid, '^namespaces/[^/]+/[^/]+')
                ELSE target_uid END, time, event_uid
    FROM e
    WHERE target_uid IS NOT NULL AND coalesce(target_type, '') NOT IN ('tool', 'mcp_tool', 'agent', 'mcp_server', 'iam_role', 'iam_user')
)
SELECT identity_id AS identity, dimension, item, count(*) AS events, min(time) AS first_used, max(time) AS last_used,
       arg_min(event_uid, (time, event_uid)) AS first_event_uid
FROM used GROUP BY ALL
ORDER BY identity, dimension, item
