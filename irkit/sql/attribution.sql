-- Which agent tool call caused each cloud API call made with the agent's credentials?
-- Binds: $identities (canonical ids of the agent and every identity it reached by delegation),
--        $credentials (credentials those identities created), $window_s (seconds an API call may follow
--        its tool call). Uses: events, actors, identity_edges.
-- A tool call is an OpenTelemetry execute_tool span (corroborated by the MCP tools/call request of the
-- same tool within 2 s) or, where no span exists, the MCP request alone. The nearest preceding tool
-- call within the window wins, unless exactly the tool call whose arguments name the API operation or
-- the resource's last path segment (aws_cli "sts assume-role" for AssumeRole) is a candidate; either
-- way every candidate is listed, so ambiguity is reported, not hidden.
WITH agent_actors AS (
    SELECT actor_uid, identity_id FROM actors WHERE list_contains($identities, identity_id)
),
agent_events AS MATERIALIZED (  -- read once, without raw (decompressing raw for every row dominates);
                                -- two branches, so that each filter is applied before the join
    SELECT e.event_uid, e.time, e.source, e.class_name, e.operation, e.actor_uid, e.session_uid,
           e.credential_uid, e.target_uid, e.target_system, e.trace_uid, e.tool_name, a.identity_id
    FROM events e JOIN agent_actors a USING (actor_uid)
    UNION ALL
    SELECT e.event_uid, e.time, e.source, e.class_name, e.operation, e.actor_uid, e.session_uid,
           e.credential_uid, e.target_uid, e.target_system, e.trace_uid, e.tool_name, a.identity_id
    FROM events e JOIN actors a USING (actor_uid)
    WHERE list_contains($credentials, e.credential_uid) AND NOT list_contains($identities, a.identity_id)
),
spans AS (
    SELECT event_uid, time, identity_id AS agent_id, tool_name, session_uid, trace_uid
    FROM agent_events WHERE source = 'otel_genai' AND class_name = 'tool_call'
),
mcp_requests AS MATERIALIZED (  -- the arguments come from the raw request, read for these requests only
    SELECT a.event_uid, a.time, a.identity_id AS agent_id, a.tool_name, a.session_uid,
        lower(regexp_replace(CAST(coalesce(json_extract(m.raw, '$.payload.params.arguments'),
                                           json_extract(m.raw, '$.params.arguments')) AS VARCHAR),
                             '[^A-Za-z0-9]', '', 'g')) AS args_key
    FROM agent_events a
    JOIN events m ON m.source = 'mcp' AND m.operation = 'tools/call' AND m.event_uid = a.event_uid
    WHERE a.source = 'mcp' AND a.operation = 'tools/call'
),
span_mcp AS (
    SELECT s.event_uid AS span_uid, m.event_uid AS mcp_uid
    FROM spans s JOIN mcp_requests m
      ON m.tool_name = s.tool_name AND abs(epoch(m.time) - epoch(s.time)) <= 2
    QUALIFY row_number() OVER (PARTITION BY s.event_uid ORDER BY abs(epoch(m.time) - epoch(s.time))) = 1
),
calls AS (
    SELECT s.event_uid AS call_uid, sm.mcp_uid, s.time, s.agent_id, s.tool_name, s.session_uid, s.trace_uid, m.args_key
    FROM spans s LEFT JOIN span_mcp sm ON sm.span_uid = s.event_uid
    LEFT JOIN mcp_requests m ON m.event_uid = sm.mcp_uid
    UNION ALL
    SELECT m.event_uid, m.event_uid, m.time, m.agent_id, m.tool_name, m.session_uid, NULL, m.args_key
    FROM mcp_requests m WHERE m.event_uid NOT IN (SELECT mcp_uid FROM span_mcp)
),
trace_humans AS (
    SELECT trace_uid, arg_min(delegator_uid, time) AS human, arg_min(event_uid, time) AS human_event_uid
    FROM events
    WHERE source = 'otel_genai' AND operation = 'invoke_agent' AND delegator_uid IS NOT NULL
    GROUP BY trace_uid
),
spawns AS (
    SELECT dst_identity AS child, arg_min(src_identity, first_time) AS parent, arg_min(event_uid, first_time) AS spawn_event_uid
    FROM identity_edges WHERE kind = 'spawned' GROUP BY dst_identity
),
api AS (
    SELECT * FROM agent_events
    WHERE source NOT IN ('otel_genai', 'mcp') AND class_name NOT IN ('tool_call', 'agent_invocation')
),
candidates AS (
    SELECT a.event_uid AS api_event_uid, c.*, epoch(a.time) - epoch(c.time) AS delta_s,
        coalesce(contains(c.args_key, lower(regexp_replace(a.operation, '[^A-Za-z0-9]', '', 'g')))
              OR contains(c.args_key, lower(regexp_replace(split_part(a.target_uid, '/', -1), '[^A-Za-z0-9]', '', 'g'))), false)
            AS named_in_arguments
    FROM api a JOIN calls c ON c.time <= a.time AND a.time <= c.time + to_microseconds(CAST($window_s * 1000000 AS BIGINT))
),
ranked AS (
    SELECT *,
        row_number() OVER (PARTITION BY api_event_uid ORDER BY named_in_arguments DESC, delta_s, call_uid) AS rank,
        count(*) OVER (PARTITION BY api_event_uid) AS n_candidates,
        list(call_uid) OVER (PARTITION BY api_event_uid ORDER BY delta_s, call_uid
                             ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS candidate_uids
    FROM candidates
)
SELECT a.event_uid AS api_event_uid, a.time AS api_time, a.source AS api_source, a.operation,
       a.target_uid AS resource, a.target_system AS system, a.credential_uid, a.actor_uid,
       a.identity_id AS acting_identity,
       r.call_uid AS tool_call_uid, r.mcp_uid AS mcp_call_uid, r.tool_name, r.time AS tool_call_time,
       r.delta_s, r.session_uid AS tool_session_uid,
       r.agent_id AS agent, sp.parent AS parent_agent, sp.spawn_event_uid,
       th.human, th.human_event_uid,
       coalesce(r.n_candidates, 0) AS candidates,
       coalesce(r.n_candidates, 0) > 1 AS ambiguous,
       CASE WHEN r.n_candidates > 1 THEN CASE WHEN r.named_in_arguments THEN 'arguments' ELSE 'nearest' END END AS resolved_by,
       coalesce(r.candidate_uids, []) AS candidate_uids
FROM api a
LEFT JOIN ranked r ON r.api_event_uid = a.event_uid AND r.rank = 1
LEFT JOIN spawns sp ON sp.child = r.agent_id
LEFT JOIN trace_humans th ON th.trace_uid = r.trace_uid
ORDER BY a.time, a.event_uid
