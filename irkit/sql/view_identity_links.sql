-- Which identity links do the logs prove? One row per (src, dst, kind) with the first proving event.
-- kinds: role_session (role -> its session), impersonated (real user -> impersonated principal),
--        on_behalf_of (human/user -> the agent or client acting for them), delegated (other sources),
--        assumed_role (caller -> role it assumed), source_identity (sourceIdentity -> new role session),
--        spawned (parent agent -> sub-agent it invoked), uses_credential (principal -> credential),
--        created_credential (principal -> credential it created), issued_credential (session -> its temp key).
-- Uses: events. Binds nothing.
WITH assume_role AS (
    SELECT * FROM events
    WHERE source = 'cloudtrail' AND operation LIKE 'AssumeRole%'
),
with_credentials AS (  -- filtered before the unnest: at scale, unnesting every event dominates
    SELECT * FROM events
    WHERE actor_uid IS NOT NULL AND status = 'success'
      AND len(list_filter(resources, lambda x: x.type = 'credential')) > 0
      AND NOT (source = 'cloudtrail' AND operation LIKE 'AssumeRole%')
),
raw_links AS (
    SELECT delegator_uid AS src, actor_uid AS dst,
        CASE source
            WHEN 'cloudtrail' THEN 'role_session'
            WHEN 'k8s_audit' THEN 'impersonated'
            WHEN 'gcp_audit' THEN 'impersonated'
            WHEN 'otel_genai' THEN 'on_behalf_of'
            WHEN 'okta' THEN 'on_behalf_of'
            ELSE 'delegated'
        END AS kind, event_uid, time, source
    FROM events
    WHERE delegator_uid IS NOT NULL AND actor_uid IS NOT NULL AND delegator_uid <> actor_uid
    UNION ALL
    SELECT actor_uid, target_uid, 'assumed_role', event_uid, time, source
    FROM assume_role
    WHERE status = 'success'
      AND actor_uid IS NOT NULL AND target_uid IS NOT NULL
    UNION ALL
    SELECT e.target_uid, r.uid, 'role_session', e.event_uid, e.time, e.source
    FROM assume_role e, unnest(e.resources) AS t(r)
    WHERE r.type = 'iam_role_session'
    UNION ALL
    SELECT s.uid, c.uid, 'issued_credential', e.event_uid, e.time, e.source
    FROM assume_role e, unnest(e.resources) AS t(s), unnest(e.resources) AS u(c)
    WHERE s.type = 'iam_role_session' AND c.type = 'credential'
    UNION ALL
    SELECT json_extract_string(e.raw, '$.requestParameters.sourceIdentity'), r.uid, 'source_identity', e.event_uid, e.time, e.source
    FROM assume_role e, unnest(e.resources) AS t(r)
    WHERE r.type = 'iam_role_session'
      AND json_extract_string(e.raw, '$.requestParameters.sourceIdentity') IS NOT NULL
    UNION ALL
    SELECT actor_uid, credential_uid, 'uses_credential', event_uid, time, source
    FROM events
    WHERE actor_uid IS NOT NULL AND credential_uid IS NOT NULL AND credential_uid <> actor_uid
    UNION ALL
    SELECT e.actor_uid, r.uid, 'created_credential', e.event_uid, e.time, e.source
    FROM with_credentials e, unnest(e.resources) AS t(r)
    WHERE r.type = 'credential'
    UNION ALL
    SELECT p.actor_uid, c.actor_uid, 'spawned', c.event_uid, c.time, c.source
    FROM events c
    JOIN events p ON p.source = 'otel_genai' AND p.trace_uid = c.trace_uid AND p.span_uid = c.parent_span_uid
    WHERE c.source = 'otel_genai' AND c.operation IN ('invoke_agent', 'create_agent')
      AND c.actor_uid IS NOT NULL AND p.actor_uid IS NOT NULL AND p.actor_uid <> c.actor_uid
)
SELECT src, dst, kind,
       arg_min(event_uid, time) AS event_uid,
       min(time) AS first_time, max(time) AS last_time, count(*) AS events,
       arg_min(source, time) AS source
FROM raw_links
WHERE src IS NOT NULL AND dst IS NOT NULL
GROUP BY src, dst, kind
