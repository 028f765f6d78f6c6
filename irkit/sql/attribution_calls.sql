-- Which tool calls could have caused the in-scope API calls? One row per tool call of an agent in
-- scope (or a sub-agent of one): an execute_tool / MCP client span, joined to the MCP request it sent, or an MCP request no
-- span accounts for. Agents come from the trace tree (call_agents), never from a span's own attributes.
-- Binds nothing. Uses: attribution_records (attribution_records.sql), call_agents_of (macro,
-- view_call_agents.sql), actors, control_candidates, attribution_scope(event_uid).
-- A span and a request pair by trace context first (the request's traceparent names the span), then,
-- for those left, by tool, server and session (when both name them) within 2 s, nearest first.
-- Columns: call_uid (the span, else the request), mcp_uid, time, end_time, tool_name, session_uid,
-- trace_uid, agent / agent_id (uid and identity of the agent whose invocation encloses the call; the
-- actor's when no trace says), parent_agent, parent_id, spawn_event_uid (the agent's invocation),
-- human, human_event_uid, args_key (the arguments, lower-case letters and digits only), paired_by
-- (trace / time / null).
WITH scope_identities AS (
    SELECT DISTINCT c.acting_identity AS identity_id FROM attribution_scope s JOIN control_candidates c USING (event_uid)
    WHERE c.acting_identity IS NOT NULL
),
tools AS MATERIALIZED (
    SELECT c.event_uid, c.kind, c.time, c.end_time, c.trace_uid, c.caller_event_uid, c.agent, c.parent_agent,
        c.agent_event_uid, c.human, c.human_event_uid, e.tool_name, e.session_uid, e.target_system,
        list_filter(e.resources, lambda r: r.type = 'mcp_session')[1].uid AS mcp_session,
        lower(regexp_replace(coalesce(list_filter(e.resources, lambda r: r.type = 'tool_arguments')[1].uid, ''),
                             '[^A-Za-z0-9]', '', 'g')) AS args_key,
        coalesce(ag.identity_id, c.agent, ac.identity_id, e.actor_uid) AS agent_id,
        coalesce(pg.identity_id, c.parent_agent) AS parent_id
    FROM call_agents_of('attribution_records') c
    JOIN attribution_records e USING (event_uid)
    LEFT JOIN actors ag ON ag.actor_uid = c.agent
    LEFT JOIN actors pg ON pg.actor_uid = c.parent_agent
    LEFT JOIN actors ac ON ac.actor_uid = e.actor_uid
    WHERE c.kind IN ('span', 'request') AND c.nested_in IS NULL  -- a call seen twice counts once
),
scoped AS MATERIALIZED (
    SELECT t.* FROM tools t
    WHERE t.agent_id IN (SELECT identity_id FROM scope_identities)
       OR t.parent_id IN (SELECT identity_id FROM scope_identities)  -- a sub-agent of an agent in scope
       OR t.event_uid IN (SELECT event_uid FROM attribution_scope)
),
spans AS (SELECT * FROM scoped WHERE kind = 'span'),
requests AS (SELECT * FROM scoped WHERE kind = 'request'),
by_trace AS (
    SELECT s.event_uid AS span_uid, r.event_uid AS mcp_uid
    FROM spans s JOIN requests r ON r.caller_event_uid = s.event_uid
    QUALIFY row_number() OVER (PARTITION BY s.event_uid ORDER BY abs(epoch(r.time) - epoch(s.time)), r.event_uid) = 1
),
by_time AS (
    SELECT s.event_uid AS span_uid, r.event_uid AS mcp_uid
    FROM spans s JOIN requests r
      ON r.tool_name = s.tool_name AND abs(epoch(r.time) - epoch(s.time)) <= 2
     AND (s.target_system NOT LIKE 'mcp:%' OR s.target_system = r.target_system)
     AND (s.mcp_session IS NULL OR r.session_uid IS NULL OR s.mcp_session = r.session_uid)
    WHERE s.event_uid NOT IN (SELECT span_uid FROM by_trace)
      AND r.caller_event_uid IS NULL AND r.event_uid NOT IN (SELECT mcp_uid FROM by_trace)
    QUALIFY row_number() OVER (PARTITION BY s.event_uid ORDER BY abs(epoch(r.time) - epoch(s.time)), r.event_uid) = 1
),
paired AS (  -- one request per span and one span per request, trace context first
    SELECT * FROM (
        SELECT span_uid, mcp_uid, 'trace' AS paired_by FROM by_trace
        UNION ALL
        SELECT span_uid, mcp_uid, 'time' FROM by_time
    )
    QUALIFY row_number() OVER (PARTITION BY mcp_uid ORDER BY paired_by, span_uid) = 1
)
SELECT s.event_uid AS call_uid, p.mcp_uid, s.time, coalesce(s.end_time, r.end_time) AS end_time, s.tool_name,
       coalesce(r.session_uid, s.mcp_session, s.session_uid) AS session_uid, s.trace_uid,
       s.agent, s.agent_id, s.parent_agent, s.parent_id, s.agent_event_uid AS spawn_event_uid,
       s.human, s.human_event_uid,
       CASE WHEN s.args_key <> '' THEN s.args_key ELSE r.args_key END AS args_key, p.paired_by
FROM spans s
LEFT JOIN paired p ON p.span_uid = s.event_uid
LEFT JOIN requests r ON r.event_uid = p.mcp_uid
UNION ALL
SELECT r.event_uid, r.event_uid, r.time, r.end_time, r.tool_name, r.session_uid, r.trace_uid,
       r.agent, r.agent_id, r.parent_agent, r.parent_id, r.agent_event_uid, r.human, r.human_event_uid,
       r.args_key, NULL
FROM requests r
WHERE r.event_uid NOT IN (SELECT mcp_uid FROM paired)
