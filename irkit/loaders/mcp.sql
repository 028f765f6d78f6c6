-- MCP JSON-RPC traffic -> normalized events, one row per message.
-- Input: records(file_id, evidence_offset, evidence_path, raw). Binds nothing.
-- One fixed struct reads both shapes: a gateway record (timestamp, direction, type or event,
-- server_id, session_id, method, payload = the JSON-RPC message) and a bare JSON-RPC message (the
-- same message fields at the top level). `error` is JSON because it is the gateway's error string in
-- one shape and the JSON-RPC error object in the other. From results: tool, resource and prompt names;
-- the first text of a failed tool call (its error); and the text a tool returned, first 4096 characters,
-- as a `tool_result` resource (what the agent read: where an injected instruction is looked for).
-- The client's identity comes from the message itself (2026 `_meta` clientInfo) or from the last
-- `initialize` before it in the same file, server and session: found within one ingest flush (a file
-- is split into flushes only past ~96 MB). The same holds for the two other cross-record facts: the
-- server a log without server_id names in its initialize response, and a request's end (the response
-- carrying its JSON-RPC id).

CREATE OR REPLACE TEMP MACRO mcp_parse(txt) AS TRY(json_transform(txt, '{
    "timestamp": "VARCHAR", "direction": "VARCHAR", "type": "VARCHAR", "event": "VARCHAR",
    "server_id": "VARCHAR", "session_id": "VARCHAR",
    "tool_name": "VARCHAR", "reason": "VARCHAR", "author_login": "VARCHAR", "html_url": "VARCHAR",
    "path": "VARCHAR", "action": "VARCHAR",
    "payload": {"jsonrpc": "VARCHAR", "id": "JSON", "method": "VARCHAR",
        "params": {"name": "VARCHAR", "uri": "VARCHAR", "protocolVersion": "VARCHAR",
            "clientInfo": {"name": "VARCHAR", "version": "VARCHAR"},
            "arguments": "JSON",
            "_meta": {"io.modelcontextprotocol/clientInfo": {"name": "VARCHAR", "version": "VARCHAR"},
                      "traceparent": "VARCHAR", "tracestate": "VARCHAR"}},
        "result": {"isError": "BOOLEAN", "content": [{"type": "VARCHAR", "text": "VARCHAR"}],
            "tools": [{"name": "VARCHAR"}], "resources": [{"uri": "VARCHAR"}], "contents": [{"uri": "VARCHAR"}],
            "prompts": [{"name": "VARCHAR"}], "messages": [{"role": "VARCHAR"}],
            "serverInfo": {"name": "VARCHAR", "version": "VARCHAR"}},
        "error": "JSON"},
    "jsonrpc": "VARCHAR", "id": "JSON", "method": "VARCHAR",
    "params": {"name": "VARCHAR", "uri": "VARCHAR", "protocolVersion": "VARCHAR",
        "clientInfo": {"name": "VARCHAR", "version": "VARCHAR"}, "arguments": "JSON",
        "_meta": {"io.modelcontextprotocol/clientInfo": {"name": "VARCHAR", "version": "VARCHAR"},
                  "traceparent": "VARCHAR", "tracestate": "VARCHAR"}},
    "result": {"isError": "BOOLEAN", "content": [{"type": "VARCHAR", "text": "VARCHAR"}],
        "tools": [{"name": "VARCHAR"}], "resources": [{"uri": "VARCHAR"}], "contents": [{"uri": "VARCHAR"}],
        "prompts": [{"name": "VARCHAR"}], "messages": [{"role": "VARCHAR"}],
        "serverInfo": {"name": "VARCHAR", "version": "VARCHAR"}},
    "error": "JSON"
}'));

WITH parsed AS (
    SELECT r.*, mcp_parse(r.raw) AS o FROM records r
),
messages AS (
    SELECT file_id, evidence_offset, evidence_path, raw, o,
        upper(coalesce(o.type, o.event)) AS gw_type,
        o.payload IS NOT NULL OR coalesce(o.type, o.event) IS NOT NULL AS gateway,
        CASE WHEN o.payload IS NOT NULL THEN o.payload
             WHEN o.jsonrpc IS NOT NULL
                 THEN struct_pack(jsonrpc := o.jsonrpc, id := o.id, method := o.method, params := o.params,
                                  result := o.result, error := o.error)
        END AS m,
        irkit_nz(o.server_id) AS gateway_server,
        irkit_nz(o.session_id) AS session,
        irkit_ts(o.timestamp) AS ts
    FROM parsed
),
-- A log without a gateway's server_id (bare JSON-RPC, a proxy's transcript) still names its server:
-- the serverInfo of the initialize response. Each message takes the last one named before it in the
-- same file and session, else the first one after it (read from the few records mentioning serverInfo).
named_servers AS (
    SELECT file_id, coalesce(irkit_nz(c.session_id), '') AS session_key, evidence_offset,
        irkit_nz(coalesce(c.payload.result.serverInfo.name, c.result.serverInfo.name)) AS named_server
    FROM (
        SELECT file_id, evidence_offset, TRY(json_transform(raw, '{
            "server_id": "VARCHAR", "session_id": "VARCHAR",
            "result": {"serverInfo": {"name": "VARCHAR"}}, "payload": {"result": {"serverInfo": {"name": "VARCHAR"}}}
        }')) AS c
        FROM records
        WHERE contains(raw, 'serverInfo')
    )
    WHERE irkit_nz(c.server_id) IS NULL
      AND irkit_nz(coalesce(c.payload.result.serverInfo.name, c.result.serverInfo.name)) IS NOT NULL
    QUALIFY named_server IS DISTINCT FROM lag(named_server) OVER (PARTITION BY file_id, session_key ORDER BY evidence_offset)
),
server_intervals AS (
    SELECT file_id, session_key, named_server,
        CASE WHEN row_number() OVER w = 1 THEN -1 ELSE evidence_offset END AS from_offset,
        coalesce(lead(evidence_offset) OVER w, 9223372036854775807) AS to_offset
    FROM named_servers
    WINDOW w AS (PARTITION BY file_id, session_key ORDER BY evidence_offset)
),
served AS (
    SELECT m.*, coalesce(m.gateway_server, si.named_server) AS server
    FROM messages m
    LEFT JOIN server_intervals si
        ON m.gateway_server IS NULL AND si.file_id = m.file_id AND si.session_key = coalesce(m.session, '')
       AND m.evidence_offset >= si.from_offset AND m.evidence_offset < si.to_offset
),
kinds AS (
    SELECT *,
        coalesce(m.method, CASE WHEN gateway THEN o.method END) AS method,
        CASE
            WHEN gw_type = 'DIFC_FILTERED' THEN 'difc_filtered'
            WHEN m.method IS NOT NULL AND m.method LIKE 'notifications/%' THEN 'notification'
            WHEN m.method IS NOT NULL THEN 'request'
            WHEN m.result IS NOT NULL OR m.error IS NOT NULL THEN 'response'
            WHEN gw_type IN ('REQUEST', 'RPC_REQUEST') THEN 'request'
            WHEN gw_type IN ('RESPONSE', 'RPC_RESPONSE') THEN 'response'
            WHEN gw_type IS NOT NULL THEN 'gateway_event'
        END AS kind,
        CASE WHEN gateway AND json_type(o.error) = 'VARCHAR' THEN irkit_nz(o.error ->> '$') END AS gateway_error,
        CASE WHEN m.error IS NOT NULL AND json_type(m.error) = 'OBJECT'
             THEN concat_ws(': ', m.error ->> '$.code', m.error ->> '$.message') END AS rpc_error,
        coalesce(m.params._meta."io.modelcontextprotocol/clientInfo",
                 CASE WHEN m.method = 'initialize' THEN m.params.clientInfo END) AS own_client,
        -- the JSON-RPC id as text (a string id without its quotes); null and absent ids are no id
        CASE WHEN m.id IS NULL OR json_type(m.id) = 'NULL' THEN NULL
             WHEN json_type(m.id) = 'VARCHAR' THEN m.id ->> '$'
             ELSE CAST(m.id AS VARCHAR) END AS rpc_id
    FROM served
),
-- The client of each message: its own, else the last one named before it in the same file, server
-- and session, else the first one named after it there. Only the messages whose text mentions
-- clientInfo are read for this (a second, small parse of those few); each run of messages naming the
-- same client becomes one interval of lines, and messages join the interval they fall in. (Deriving it
-- from the main parse instead would make DuckDB materialize every parsed message, raw text included,
-- and a window or ASOF join over every message would sort them all: either costs 2-3x the load time.)
named AS (
    SELECT file_id, coalesce(irkit_nz(c.server_id), '') AS server_key,
        coalesce(irkit_nz(c.session_id), '') AS session_key, evidence_offset,
        coalesce(c.payload.params._meta."io.modelcontextprotocol/clientInfo",
                 CASE WHEN c.payload.method = 'initialize' THEN c.payload.params.clientInfo END,
                 CASE WHEN c.payload IS NULL THEN c.params._meta."io.modelcontextprotocol/clientInfo" END,
                 CASE WHEN c.payload IS NULL AND c.method = 'initialize' THEN c.params.clientInfo END) AS named_client
    FROM (
        SELECT file_id, evidence_offset, TRY(json_transform(raw, '{
            "server_id": "VARCHAR", "session_id": "VARCHAR", "method": "VARCHAR",
            "params": {"clientInfo": {"name": "VARCHAR", "version": "VARCHAR"},
                "_meta": {"io.modelcontextprotocol/clientInfo": {"name": "VARCHAR", "version": "VARCHAR"}}},
            "payload": {"method": "VARCHAR",
                "params": {"clientInfo": {"name": "VARCHAR", "version": "VARCHAR"},
                    "_meta": {"io.modelcontextprotocol/clientInfo": {"name": "VARCHAR", "version": "VARCHAR"}}}}
        }')) AS c
        FROM records
        WHERE contains(raw, 'clientInfo')
    )
    WHERE named_client IS NOT NULL
    QUALIFY named_client IS DISTINCT FROM lag(named_client) OVER (
        PARTITION BY file_id, server_key, session_key ORDER BY evidence_offset)
),
intervals AS (
    SELECT file_id, server_key, session_key, named_client AS interval_client,
        CASE WHEN row_number() OVER w = 1 THEN -1 ELSE evidence_offset END AS from_offset,
        coalesce(lead(evidence_offset) OVER w, 9223372036854775807) AS to_offset
    FROM named
    WINDOW w AS (PARTITION BY file_id, server_key, session_key ORDER BY evidence_offset)
),
clients AS (
    SELECT k.*,
        coalesce(k.own_client, i.interval_client) AS client,
        CASE
            WHEN kind <> 'response' THEN method
            WHEN m.result.content IS NOT NULL OR m.result.isError IS NOT NULL THEN 'tools/call response'
            WHEN m.result.tools IS NOT NULL THEN 'tools/list response'
            WHEN m.result.serverInfo IS NOT NULL THEN 'initialize response'
            WHEN m.result.resources IS NOT NULL THEN 'resources/list response'
            WHEN m.result.contents IS NOT NULL THEN 'resources/read response'
            WHEN m.result.prompts IS NOT NULL THEN 'prompts/list response'
            WHEN m.result.messages IS NOT NULL THEN 'prompts/get response'
            ELSE 'response'
        END AS rpc_operation,
        CASE
            WHEN kind = 'difc_filtered' THEN struct_pack(uid := irkit_nz(o.tool_name), type := 'mcp_tool')
            WHEN method = 'tools/call' AND kind = 'request' THEN struct_pack(uid := irkit_nz(m.params.name), type := 'mcp_tool')
            WHEN method IN ('resources/read', 'resources/subscribe', 'resources/unsubscribe') AND kind = 'request'
                THEN struct_pack(uid := irkit_nz(m.params.uri), type := 'mcp_resource')
            WHEN method = 'prompts/get' AND kind = 'request' THEN struct_pack(uid := irkit_nz(m.params.name), type := 'mcp_prompt')
            WHEN kind = 'gateway_event' AND o.path IS NOT NULL THEN struct_pack(uid := o.path, type := 'url_path')
            WHEN server IS NOT NULL THEN struct_pack(uid := server, type := 'mcp_server')
        END AS t,
        'mcp' || coalesce(':' || k.server, '') AS system,
        -- W3C traceparent: version-traceid-parentid-flags, lower-case hex, all-zero ids invalid
        CASE WHEN regexp_full_match(lower(trim(m.params._meta.traceparent)), '[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}([-].*)?')
                  AND lower(trim(m.params._meta.traceparent)) NOT LIKE 'ff-%'
                  AND split_part(m.params._meta.traceparent, '-', 2) <> repeat('0', 32)
                  AND split_part(m.params._meta.traceparent, '-', 3) <> repeat('0', 16)
             THEN lower(trim(m.params._meta.traceparent)) END AS traceparent
    FROM kinds k
    LEFT JOIN intervals i
        ON i.file_id = k.file_id AND i.server_key = coalesce(k.gateway_server, '') AND i.session_key = coalesce(k.session, '')
       AND k.evidence_offset >= i.from_offset AND k.evidence_offset < i.to_offset
)
,
-- A request's end: the response carrying its JSON-RPC id in the same file, server and session (the
-- n-th request with id X takes the n-th response with id X: clients reuse ids after a reconnect).
numbered AS (
    SELECT file_id, evidence_offset, evidence_path, kind, ts,
        row_number() OVER (PARTITION BY file_id, coalesce(server, ''), coalesce(session, ''), rpc_id, kind
                           ORDER BY evidence_offset, evidence_path) AS n,
        coalesce(server, '') AS server_key, coalesce(session, '') AS session_key, rpc_id
    FROM clients
    WHERE rpc_id IS NOT NULL AND kind IN ('request', 'response')
),
ends AS (
    SELECT q.file_id, q.evidence_offset, q.evidence_path, p.ts AS end_ts
    FROM numbered q
    JOIN numbered p ON p.kind = 'response' AND p.file_id = q.file_id AND p.server_key = q.server_key
                   AND p.session_key = q.session_key AND p.rpc_id = q.rpc_id AND p.n = q.n
    WHERE q.kind = 'request'
),
located AS (
    SELECT c.*, e.end_ts FROM clients c
    LEFT JOIN ends e USING (file_id, evidence_offset, evidence_path)
)
SELECT
    file_id, evidence_offset, evidence_path, raw,
    'mcp' AS source,
    sha256(raw) AS event_uid,
    ts AS time,
    CASE WHEN end_ts >= ts THEN end_ts END AS end_time,
    CASE WHEN kind IN ('difc_filtered', 'gateway_event') THEN 'other' ELSE irkit_mcp_activity(rpc_operation) END AS activity,
    CASE
        WHEN rpc_operation IN ('tools/call', 'tools/call response') THEN 'tool_call'
        WHEN kind = 'difc_filtered' THEN 'authorization'
        ELSE 'api_activity'
    END AS class_name,
    CASE WHEN kind IN ('difc_filtered', 'gateway_event') THEN lower(gw_type) ELSE rpc_operation END AS operation,
    CASE
        WHEN gateway_error IS NOT NULL OR rpc_error IS NOT NULL THEN 'failure'
        WHEN kind = 'difc_filtered' THEN 'failure'
        WHEN kind = 'response' AND m.result.isError THEN 'failure'
        WHEN kind = 'response' THEN 'success'
        WHEN kind = 'gateway_event' AND o.action LIKE 'passthrough%' THEN 'success'
        ELSE 'unknown'
    END AS status,
    CASE
        WHEN gateway_error IS NOT NULL OR rpc_error IS NOT NULL THEN concat_ws('; ', rpc_error, gateway_error)
        WHEN kind = 'difc_filtered' THEN irkit_nz(o.reason)
        WHEN kind = 'response' AND m.result.isError
            THEN coalesce(left([c.text FOR c IN m.result.content IF c.text IS NOT NULL][1], 500), 'isError')
        WHEN kind = 'gateway_event' THEN o.action
    END AS status_detail,
    irkit_nz(client.name) AS actor_uid,
    CASE WHEN irkit_nz(client.name) IS NOT NULL THEN 'agent' END AS actor_type,
    irkit_nz(client.name) AS actor_name,
    CAST(NULL AS VARCHAR) AS account_uid,
    session AS session_uid,
    CAST(NULL AS VARCHAR) AS credential_uid,
    CAST(NULL AS VARCHAR) AS delegator_uid,
    t.uid AS target_uid,
    CASE WHEN t.uid IS NOT NULL THEN t.type END AS target_type,
    t.uid AS target_name,
    system AS target_system,
    list_concat(
        [struct_pack(uid := t.uid, type := t.type, system := system) FOR x IN [1] IF t.uid IS NOT NULL],
        [struct_pack(uid := tool.name, type := 'mcp_tool', system := system)
            FOR tool IN coalesce(m.result.tools, []) IF tool.name IS NOT NULL],
        [struct_pack(uid := r.uri, type := 'mcp_resource', system := system)
            FOR r IN coalesce(m.result.resources, []) IF r.uri IS NOT NULL],
        [struct_pack(uid := p.name, type := 'mcp_prompt', system := system)
            FOR p IN coalesce(m.result.prompts, []) IF p.name IS NOT NULL],
        [struct_pack(uid := u, type := 'url', system := CASE WHEN u LIKE 'https://github.com/%' THEN 'github' END)
            FOR u IN [irkit_nz(o.html_url)] IF u IS NOT NULL],
        [struct_pack(uid := a, type := 'github_user', system := 'github')
            FOR a IN [irkit_nz(o.author_login)] IF a IS NOT NULL],
        -- what pairs the message with its answer, what a tool was asked, the caller's trace state
        [struct_pack(uid := rpc_id, type := 'jsonrpc_id', system := system) FOR x IN [1] IF rpc_id IS NOT NULL],
        [struct_pack(uid := a, type := 'tool_arguments', system := system)
            FOR a IN [CAST(m.params.arguments AS VARCHAR)] IF a IS NOT NULL AND kind = 'request' AND method = 'tools/call'],
        [struct_pack(uid := txt, type := 'tool_result', system := system)
            FOR txt IN [left(array_to_string([c.text FOR c IN coalesce(m.result.content, []) IF c.text IS NOT NULL], chr(10)), 4096)]
            IF kind = 'response' AND txt <> ''],
        [struct_pack(uid := s, type := 'tracestate', system := system)
            FOR s IN [irkit_nz(m.params._meta.tracestate)] IF s IS NOT NULL AND traceparent IS NOT NULL]
    ) AS resources,
    CAST(NULL AS VARCHAR) AS src_ip,
    irkit_nz(client.name) || coalesce('/' || irkit_nz(client.version), '') AS user_agent,
    split_part(traceparent, '-', 2) AS trace_uid,
    CAST(NULL AS VARCHAR) AS span_uid,
    split_part(traceparent, '-', 3) AS parent_span_uid,
    CASE WHEN kind = 'difc_filtered' THEN irkit_nz(o.tool_name)
         WHEN method = 'tools/call' AND kind = 'request' THEN irkit_nz(m.params.name) END AS tool_name,
    CASE
        WHEN o IS NULL THEN 'not valid JSON'
        WHEN kind IS NULL THEN 'not an MCP JSON-RPC message or gateway record'
        WHEN ts IS NULL AND NOT gateway AND o.timestamp IS NULL THEN 'no timestamp: a bare JSON-RPC message'
        WHEN ts IS NULL THEN 'no readable timestamp: ' || coalesce(o.timestamp, 'absent')
    END AS quarantine_reason
FROM located
