-- Which agent made each tool call, and who started that agent? One row per tool call (a tool-call
-- span, an MCP request) and per agent invocation, with the agent whose invocation encloses it in its
-- trace: the OpenTelemetry GenAI conventions put the agent on the invoke_agent span only; a tool,
-- model or MCP client span belongs to the nearest agent-invocation span above it (walking up
-- parent_span_uid within trace_uid), an MCP request to the agent of the span that sent it (the span
-- id of its W3C traceparent). So a sub-agent's tool calls are the sub-agent's, and an agent's parent
-- is whoever's invocation encloses its own invocation.
-- Records are told apart by normalized columns only: spans carry span_uid; tool calls are class
-- tool_call (an MCP request names its tool_name, its response does not); invocations are class
-- agent_invocation. Binds nothing. Uses: events, or the relation named.
-- Defines the table macro call_agents_of(relation) over any relation with the events' columns (attribution
-- passes the records of the traces in its scope), and answers for the whole lake.
-- Columns: event_uid; kind (span / request / invocation); time, end_time; trace_uid, span_uid;
-- caller_event_uid (a request: the span that sent it, its execute_tool or MCP client span);
-- agent (the enclosing invocation's agent; an invocation's own agent; where the trace holds no
-- invocation above it, the agent the span itself names, or the sending span names) and agent_event_uid
-- (the invocation; null for an agent only the span names); agent_from (trace / span);
-- parent_agent and parent_event_uid (the invocation enclosing the agent's invocation); human and
-- human_event_uid (the user the agent acts for: the on_behalf_of hop of the agent's invocation, else
-- of its parent's, else the first one in the trace); nested_in (a tool-call span directly under a
-- tool-call span of the same tool: the same call seen from further in, such as the MCP server's span
-- under the client's, names the outer one).
CREATE OR REPLACE TEMP MACRO call_agents_of(relation) AS TABLE
WITH spans AS (
    SELECT event_uid, time, end_time, trace_uid, span_uid, parent_span_uid, class_name, tool_name,
        CASE WHEN class_name = 'agent_invocation'
             THEN coalesce(CASE WHEN target_type = 'agent' THEN target_uid END, actor_uid) END AS invoked,
        list_filter(delegations, lambda h: h.kind = 'on_behalf_of')[1].from_uid AS human,
        CASE WHEN actor_type = 'agent' THEN actor_uid END AS own_agent
    FROM query_table(relation)
    WHERE trace_uid IS NOT NULL AND span_uid IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY trace_uid, span_uid ORDER BY time, event_uid) = 1
),
requests AS (
    SELECT event_uid, time, end_time, trace_uid, parent_span_uid FROM query_table(relation)
    WHERE class_name = 'tool_call' AND span_uid IS NULL AND tool_name IS NOT NULL
),
calls AS (  -- self_agent: an invocation's own agent, walked past (a remote agent's client and
            -- internal invoke_agent spans are one agent, not a parent and its child)
    SELECT event_uid, 'span' AS kind, time, end_time, trace_uid, span_uid, parent_span_uid AS walk_from,
        CAST(NULL AS VARCHAR) AS self_agent
    FROM spans WHERE class_name = 'tool_call'
    UNION ALL
    SELECT event_uid, 'invocation', time, end_time, trace_uid, span_uid, parent_span_uid, invoked
    FROM spans WHERE invoked IS NOT NULL
    UNION ALL  -- the sending span itself may be the invocation (an agent calling MCP directly)
    SELECT event_uid, 'request', time, end_time, trace_uid, NULL, parent_span_uid, NULL FROM requests
),
up AS (
    WITH RECURSIVE walk(start_uid, self_agent, trace_uid, at_span, depth) AS (
        SELECT event_uid, self_agent, trace_uid, walk_from, 1 FROM calls
        WHERE trace_uid IS NOT NULL AND walk_from IS NOT NULL
        UNION ALL
        SELECT w.start_uid, w.self_agent, w.trace_uid, s.parent_span_uid, w.depth + 1
        FROM walk w JOIN spans s ON s.trace_uid = w.trace_uid AND s.span_uid = w.at_span
        WHERE (s.invoked IS NULL OR s.invoked = w.self_agent) AND s.parent_span_uid IS NOT NULL AND w.depth < 64
    )
    SELECT w.start_uid, arg_min(s.event_uid, w.depth) AS invocation_uid
    FROM walk w JOIN spans s ON s.trace_uid = w.trace_uid AND s.span_uid = w.at_span
    WHERE s.invoked IS NOT NULL AND s.invoked IS DISTINCT FROM w.self_agent
    GROUP BY w.start_uid
),
invocations AS (  -- each invocation with the invocation enclosing it
    SELECT s.event_uid, s.invoked, s.human, u.invocation_uid AS parent_uid
    FROM spans s LEFT JOIN up u ON u.start_uid = s.event_uid
    WHERE s.invoked IS NOT NULL
),
trace_humans AS (
    SELECT trace_uid, arg_min(human, (time, event_uid)) AS human, arg_min(event_uid, (time, event_uid)) AS human_event_uid
    FROM spans WHERE human IS NOT NULL GROUP BY trace_uid
),
nested AS (
    SELECT c.event_uid, p.event_uid AS nested_in
    FROM spans c JOIN spans p ON p.trace_uid = c.trace_uid AND p.span_uid = c.parent_span_uid
    WHERE c.class_name = 'tool_call' AND p.class_name = 'tool_call' AND p.tool_name = c.tool_name
),
callers AS (
    SELECT r.event_uid, s.event_uid AS caller_event_uid, s.own_agent
    FROM requests r JOIN spans s ON s.trace_uid = r.trace_uid AND s.span_uid = r.parent_span_uid
)
SELECT c.event_uid, c.kind, c.time, c.end_time, c.trace_uid, c.span_uid, cl.caller_event_uid,
       coalesce(a.invoked, so.own_agent, cl.own_agent) AS agent, a.event_uid AS agent_event_uid,
       CASE WHEN a.invoked IS NOT NULL THEN 'trace' WHEN coalesce(so.own_agent, cl.own_agent) IS NOT NULL THEN 'span' END AS agent_from,
       p.invoked AS parent_agent, p.event_uid AS parent_event_uid,
       coalesce(a.human, p.human, th.human) AS human,
       CASE WHEN a.human IS NOT NULL THEN a.event_uid WHEN p.human IS NOT NULL THEN p.event_uid
            ELSE th.human_event_uid END AS human_event_uid,
       n.nested_in
FROM calls c
LEFT JOIN nested n ON n.event_uid = c.event_uid AND c.kind = 'span'
LEFT JOIN up u ON u.start_uid = c.event_uid AND c.kind <> 'invocation'
LEFT JOIN callers cl ON cl.event_uid = c.event_uid
LEFT JOIN spans so ON so.event_uid = c.event_uid AND c.kind = 'span'
-- a tool call's agent: the invocation found above it; an invocation's agent: itself
LEFT JOIN invocations a ON a.event_uid = CASE WHEN c.kind = 'invocation' THEN c.event_uid ELSE u.invocation_uid END
LEFT JOIN invocations p ON p.event_uid = a.parent_uid
LEFT JOIN trace_humans th ON th.trace_uid = c.trace_uid;

SELECT * FROM call_agents_of('events')
