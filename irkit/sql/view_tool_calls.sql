-- tool_calls: one row per MCP `tools/call` request, paired with the response that answered it.
-- Uses: events, call_agents (MCP messages: records of an MCP system, target_system 'mcp' or 'mcp:<server>', that
-- are not spans; one row per JSON-RPC message). Binds nothing. Reads normalized columns only: the
-- JSON-RPC id and the arguments are the `jsonrpc_id` and `tool_arguments` resources the MCP loader
-- lists; a response's operation is '<method> response' (or 'response'), a notification's
-- 'notifications/...'.
--
-- Pairing happens within a conversation: the same server (target_system) and the same session
-- (session_uid), or, when the log names no session, the same evidence file. In it:
--   * a request that carries a JSON-RPC id takes the response with that id (the n-th request with
--     id X takes the n-th response with id X, since clients may reuse ids after a reconnect);
--   * the rest are matched by order: requests logged without an id (some gateways strip it) or whose
--     id no response carries, against responses whose id no request carries or that carry none (a
--     gateway-side failure): the n-th such request gets the n-th such response. Every request method
--     counts in that order (tools/list, initialize, ...); notifications do not (they get no response).
-- Columns: call_uid and response_uid (event_uid of each message), time, end_time, latency_ms,
-- session_uid, actor_uid, server, tool_name, arguments (JSON text of params.arguments), status
-- (success / failure from the response; no_response when none was logged; failure when the gateway
-- failed the request itself), status_detail, paired_by (id / order), evidence_files, request_offset,
-- response_offset, trace_uid and caller_span_uid (the W3C traceparent the request carried: the trace
-- and the span that sent it), agent and parent_agent (the agent whose invocation encloses that span,
-- and the one that started it: sql/view_call_agents.sql; null without trace context).

WITH mcp AS (
    SELECT e.event_uid, e.time, e.operation, e.class_name, e.status, e.status_detail, e.session_uid, e.actor_uid,
        e.target_system AS server, e.tool_name, e.evidence_file, e.evidence_offset, e.evidence_path,
        e.trace_uid, e.parent_span_uid,
        list_filter(e.resources, lambda r: r.type = 'jsonrpc_id')[1].uid AS rpc_id,
        list_filter(e.resources, lambda r: r.type = 'tool_arguments')[1].uid AS arguments
    FROM events e
    WHERE (e.target_system || ':') LIKE 'mcp:%' AND e.span_uid IS NULL  -- system mcp or mcp:<server>
),
messages AS (
    SELECT *,
        CASE
            WHEN operation = 'response' OR operation LIKE '% response' THEN 'response'
            WHEN operation LIKE 'notifications/%' THEN 'notification'
            WHEN class_name IN ('tool_call', 'api_activity') AND (operation LIKE '%/%' OR operation IN ('initialize', 'ping'))
                THEN 'request'
        END AS kind,
        coalesce('session:' || session_uid, 'file:' || evidence_file) AS conversation
    FROM mcp
),
requests AS (
    SELECT *,
        row_number() OVER (PARTITION BY conversation, server, rpc_id
                           ORDER BY time, evidence_file, evidence_offset, evidence_path) AS n
    FROM messages
    WHERE kind = 'request'
),
claimed_ids AS (
    SELECT DISTINCT conversation, server, rpc_id FROM requests WHERE rpc_id IS NOT NULL
),
responses AS (
    SELECT m.*, c.rpc_id IS NOT NULL AS claimed,
        row_number() OVER (PARTITION BY m.conversation, m.server, m.rpc_id
                           ORDER BY m.time, m.evidence_file, m.evidence_offset, m.evidence_path) AS n
    FROM messages m
    LEFT JOIN claimed_ids c ON c.conversation = m.conversation AND c.server = m.server AND c.rpc_id = m.rpc_id
    WHERE m.kind = 'response'
),
by_id AS (
    SELECT r.event_uid AS call_uid, p.event_uid AS response_uid
    FROM requests r
    JOIN responses p ON p.conversation = r.conversation AND p.server = r.server AND p.rpc_id = r.rpc_id AND p.n = r.n
),
-- Whatever the ids did not pair: requests without an id (or whose id no response carries) and
-- responses whose id no request carries (or that carry none), matched by their order.
leftover_requests AS (
    SELECT r.event_uid, r.conversation, r.server,
        row_number() OVER (PARTITION BY r.conversation, r.server
                           ORDER BY r.time, r.evidence_file, r.evidence_offset, r.evidence_path) AS k
    FROM requests r ANTI JOIN by_id b ON b.call_uid = r.event_uid
),
leftover_responses AS (
    SELECT p.event_uid, p.conversation, p.server,
        row_number() OVER (PARTITION BY p.conversation, p.server
                           ORDER BY p.time, p.evidence_file, p.evidence_offset, p.evidence_path) AS k
    FROM responses p
    WHERE NOT p.claimed
),
by_order AS (
    SELECT q.event_uid AS call_uid, p.event_uid AS response_uid
    FROM leftover_requests q
    JOIN leftover_responses p ON p.conversation = q.conversation AND p.server = q.server AND p.k = q.k
),
pairs AS (
    SELECT call_uid, response_uid, 'id' AS paired_by FROM by_id
    UNION ALL
    SELECT call_uid, response_uid, 'order' AS paired_by FROM by_order
),
paired AS (
    SELECT r.*, x.response_uid, x.paired_by, p.time AS end_time, p.status AS response_status,
        p.status_detail AS response_detail, p.evidence_file AS response_file, p.evidence_offset AS response_offset,
        ca.agent, ca.parent_agent
    FROM requests r
    LEFT JOIN call_agents ca ON ca.event_uid = r.event_uid
    LEFT JOIN pairs x ON x.call_uid = r.event_uid
    LEFT JOIN responses p ON p.event_uid = x.response_uid
)
SELECT
    event_uid AS call_uid,
    response_uid,
    time,
    end_time,
    date_diff('microsecond', time, end_time) / 1000.0 AS latency_ms,
    session_uid,
    actor_uid,
    server,
    tool_name,
    arguments,
    CASE WHEN response_uid IS NOT NULL THEN response_status
         WHEN status = 'failure' THEN 'failure'
         ELSE 'no_response' END AS status,
    CASE WHEN response_uid IS NOT NULL THEN response_detail ELSE status_detail END AS status_detail,
    paired_by,
    list_distinct([f FOR f IN [evidence_file, response_file] IF f IS NOT NULL]) AS evidence_files,
    evidence_offset AS request_offset,
    response_offset,
    trace_uid,
    parent_span_uid AS caller_span_uid,
    agent,
    parent_agent
FROM paired
WHERE operation = 'tools/call'
