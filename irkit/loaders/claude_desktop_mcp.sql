-- Claude Desktop's MCP logs (mcp.log, mcp-server-<name>.log) -> normalized events, one row per line.
-- Input: records(file_id, evidence_offset, evidence_path, raw): each line of the file, its text as is.
-- Binds nothing.
-- Answers, per line: when, which server (the bracket that is not the level), which connection (the
-- session: from the last 'Initializing server...' line or initialize request of that server in the
-- file), which client (clientInfo of that connection's initialize request), and for a JSON-RPC line
-- ('Message from client|server: ...') what was asked or answered; a request's end is the response with
-- its id in the same file, server and connection. Lines without the log's prefix (the server's own
-- stderr, the continuation lines of a multi-line entry) are quarantined with their line number.
-- A payload the client cut short ('...[N chars truncated]...') may not parse: its method, id, kind and
-- tool name are then read from the fixed order the client writes them in (method, params, jsonrpc, id
-- for its own messages; jsonrpc, id, result|error for responses).

CREATE OR REPLACE TEMP MACRO cdm_parse(txt) AS TRY(json_transform(txt, '{
    "jsonrpc": "VARCHAR", "id": "JSON", "method": "VARCHAR",
    "params": {"name": "VARCHAR", "uri": "VARCHAR", "protocolVersion": "VARCHAR",
        "clientInfo": {"name": "VARCHAR", "version": "VARCHAR"}, "arguments": "JSON"},
    "result": {"isError": "BOOLEAN", "content": [{"type": "VARCHAR", "text": "VARCHAR"}],
        "tools": [{"name": "VARCHAR"}], "resources": [{"uri": "VARCHAR"}], "contents": [{"uri": "VARCHAR"}],
        "prompts": [{"name": "VARCHAR"}], "messages": [{"role": "VARCHAR"}],
        "serverInfo": {"name": "VARCHAR", "version": "VARCHAR"}},
    "error": "JSON"
}'));

WITH split AS (
    SELECT r.*,
        regexp_extract(raw, '^([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?Z) \[([^\]]+)\] (?:\[([^\]]+)\] )?(.*)$',
                       ['ts', 'b1', 'b2', 'rest']) AS p
    FROM records r
),
prefixed AS (
    SELECT *,
        p.ts <> '' AS has_prefix,
        CASE WHEN lower(p.b2) IN ('info', 'warn', 'warning', 'error', 'debug') THEN lower(p.b2)
             WHEN lower(p.b1) IN ('info', 'warn', 'warning', 'error', 'debug') THEN lower(p.b1) END AS level,
        CASE WHEN lower(p.b2) IN ('info', 'warn', 'warning', 'error', 'debug') THEN irkit_nz(p.b1)
             WHEN lower(p.b1) IN ('info', 'warn', 'warning', 'error', 'debug') THEN irkit_nz(p.b2) END AS server,
        -- the client appends '{ metadata: ... }' (util.inspect of the entry's metadata) to each entry
        regexp_replace(p.rest, ' \{ metadata: (undefined|\{[^{}]*\}) \}$', '') AS msg,
        irkit_ts(nullif(p.ts, '')) AS ts
    FROM split
),
messages AS (
    SELECT *,
        regexp_extract(msg, '^Message from (client|server): (.*)$', ['dir', 'payload']) AS mp
    FROM prefixed
),
parsed AS (
    SELECT file_id, evidence_offset, evidence_path, raw, has_prefix, level, server, msg, ts, p.ts AS ts_text,
        nullif(mp.dir, '') AS dir, mp.payload AS payload,
        CASE WHEN mp.dir <> '' AND starts_with(mp.payload, '{') THEN cdm_parse(mp.payload) END AS o
    FROM messages
),
fields AS (
    SELECT *,
        starts_with(payload, '{') AS json_form,
        coalesce(o.method,
            nullif(regexp_extract(payload, '^\{(?:"jsonrpc":"2\.0",)?"method":"([^"]+)"', 1), ''),
            CASE WHEN NOT starts_with(payload, '{') THEN nullif(regexp_extract(payload, '^method="([^"]*)"', 1), '') END
        ) AS method,
        CASE
            WHEN o IS NOT NULL THEN
                CASE WHEN o.id IS NULL OR json_type(o.id) = 'NULL' THEN NULL
                     WHEN json_type(o.id) = 'VARCHAR' THEN o.id ->> '$' ELSE CAST(o.id AS VARCHAR) END
            WHEN starts_with(payload, '{') THEN trim(coalesce(
                nullif(regexp_extract(payload, '^\{"jsonrpc":"2\.0","id":(-?[0-9]+|"[^"]*")', 1), ''),
                nullif(regexp_extract(payload, '"jsonrpc":"2\.0","id":(-?[0-9]+|"[^"]*")\}$', 1), '')), '"')
            ELSE trim(nullif(regexp_extract(payload, '(?:^| )id=("[^"]*"|[^ ]+)', 1), ''), '"')
        END AS rpc_id,
        CASE
            WHEN o IS NOT NULL THEN CASE WHEN o.error IS NOT NULL THEN 'error' WHEN o.result IS NOT NULL THEN 'result' END
            WHEN starts_with(payload, '{') THEN nullif(regexp_extract(payload, '^\{"jsonrpc":"2\.0","id":(?:-?[0-9]+|"[^"]*"),"(result|error)"', 1), '')
            ELSE nullif(regexp_extract(payload, '(?:^| )(result|error)(?: |$)', 1), '')
        END AS answer,
        coalesce(o.params.name,
            nullif(regexp_extract(payload, '^\{"method":"tools/call","params":\{"name":"([^"]*)"', 1), '')) AS call_name,
        CASE WHEN o.error IS NOT NULL AND json_type(o.error) = 'OBJECT'
             THEN concat_ws(': ', o.error ->> '$.code', o.error ->> '$.message') END AS rpc_error
    FROM parsed
),
kinds AS (
    SELECT *,
        CASE
            WHEN dir IS NULL THEN CASE WHEN has_prefix AND level IS NOT NULL THEN 'log' END
            WHEN method LIKE 'notifications/%' THEN 'notification'
            WHEN method IS NOT NULL THEN 'request'
            WHEN answer IS NOT NULL THEN 'response'
        END AS kind
    FROM fields
),
-- Connections: each 'Initializing server...' line starts one; so does an initialize request not
-- preceded by one (a log that begins mid-way, or a client that re-initializes).
marks AS (
    SELECT file_id, server, evidence_offset, ts_text,
        CASE WHEN kind = 'log' THEN 'init' ELSE 'req' END AS mark
    FROM kinds
    WHERE server IS NOT NULL AND ts IS NOT NULL
      AND ((kind = 'log' AND msg = 'Initializing server...') OR (kind = 'request' AND dir = 'client' AND method = 'initialize'))
),
starts AS (
    SELECT file_id, server, evidence_offset AS start_offset, server || '@' || ts_text AS session
    FROM marks
    QUALIFY mark = 'init' OR lag(mark) OVER (PARTITION BY file_id, server ORDER BY evidence_offset) IS DISTINCT FROM 'init'
),
sessioned AS (
    SELECT k.*, s.start_offset, s.session
    FROM kinds k
    ASOF LEFT JOIN starts s ON k.file_id = s.file_id AND k.server = s.server AND k.evidence_offset >= s.start_offset
),
clients AS (
    SELECT file_id, server, start_offset,
        arg_min(o.params.clientInfo, evidence_offset) AS client
    FROM sessioned
    WHERE kind = 'request' AND dir = 'client' AND method = 'initialize' AND o.params.clientInfo.name IS NOT NULL
      AND session IS NOT NULL
    GROUP BY ALL
),
-- A request and its response: the n-th request with id X from one side and the n-th response with
-- id X from the other, in the same file, server and connection.
numbered AS (
    SELECT file_id, evidence_offset, evidence_path, kind, ts, method,
        row_number() OVER (
            PARTITION BY file_id, coalesce(server, ''), coalesce(session, ''), rpc_id, kind,
                CASE WHEN kind = 'request' THEN dir WHEN dir = 'client' THEN 'server' ELSE 'client' END
            ORDER BY evidence_offset) AS n,
        coalesce(server, '') AS server_key, coalesce(session, '') AS session_key, rpc_id,
        CASE WHEN kind = 'request' THEN dir WHEN dir = 'client' THEN 'server' ELSE 'client' END AS asker
    FROM sessioned
    WHERE rpc_id IS NOT NULL AND kind IN ('request', 'response')
),
pairs AS (
    SELECT q.file_id, q.evidence_offset AS request_offset, p.evidence_offset AS response_offset,
        p.ts AS response_ts, q.method AS request_method
    FROM numbered q
    JOIN numbered p ON p.kind = 'response' AND q.kind = 'request' AND p.file_id = q.file_id
        AND p.server_key = q.server_key AND p.session_key = q.session_key AND p.rpc_id = q.rpc_id
        AND p.asker = q.asker AND p.n = q.n
),
located AS (
    SELECT s.*, c.client, e.response_ts AS end_ts, a.request_method,
        'mcp' || coalesce(':' || s.server, '') AS system
    FROM sessioned s
    LEFT JOIN clients c ON c.file_id = s.file_id AND c.server = s.server AND c.start_offset = s.start_offset
    LEFT JOIN pairs e ON e.file_id = s.file_id AND e.request_offset = s.evidence_offset AND s.kind = 'request'
    LEFT JOIN pairs a ON a.file_id = s.file_id AND a.response_offset = s.evidence_offset AND s.kind = 'response'
),
named AS (
    SELECT *,
        CASE
            WHEN kind = 'log' THEN 'log'
            WHEN kind <> 'response' THEN method
            WHEN request_method IS NOT NULL THEN request_method || ' response'
            WHEN o.result.content IS NOT NULL OR o.result.isError IS NOT NULL THEN 'tools/call response'
            WHEN o.result.tools IS NOT NULL THEN 'tools/list response'
            WHEN o.result.serverInfo IS NOT NULL THEN 'initialize response'
            WHEN o.result.resources IS NOT NULL THEN 'resources/list response'
            WHEN o.result.contents IS NOT NULL THEN 'resources/read response'
            WHEN o.result.prompts IS NOT NULL THEN 'prompts/list response'
            WHEN o.result.messages IS NOT NULL THEN 'prompts/get response'
            ELSE 'response'
        END AS operation,
        CASE
            WHEN kind = 'request' AND method = 'tools/call' THEN struct_pack(uid := irkit_nz(call_name), type := 'mcp_tool')
            WHEN kind = 'request' AND method IN ('resources/read', 'resources/subscribe', 'resources/unsubscribe')
                THEN struct_pack(uid := irkit_nz(o.params.uri), type := 'mcp_resource')
            WHEN kind = 'request' AND method = 'prompts/get' THEN struct_pack(uid := irkit_nz(o.params.name), type := 'mcp_prompt')
            WHEN kind IN ('request', 'response', 'notification') AND server IS NOT NULL
                THEN struct_pack(uid := server, type := 'mcp_server')
        END AS t,
        coalesce(irkit_nz(client.name), 'claude-ai') AS actor
    FROM located
)
SELECT
    file_id, evidence_offset, evidence_path, raw,
    'claude_desktop_mcp' AS source,
    sha256(raw) AS event_uid,
    ts AS time,
    CASE WHEN end_ts >= ts THEN end_ts END AS end_time,
    irkit_mcp_activity(operation) AS activity,
    CASE WHEN operation IN ('tools/call', 'tools/call response') THEN 'tool_call' ELSE 'api_activity' END AS class_name,
    operation,
    CASE
        WHEN kind = 'log' AND level = 'error' THEN 'failure'
        WHEN kind = 'response' AND (answer = 'error' OR o.result.isError) THEN 'failure'
        WHEN kind = 'response' THEN 'success'
        ELSE 'unknown'
    END AS status,
    CASE
        WHEN kind = 'log' AND level IN ('error', 'warn', 'warning') THEN left(msg, 1000)
        WHEN kind = 'response' AND answer = 'error' THEN coalesce(rpc_error, 'error')
        WHEN kind = 'response' AND o.result.isError
            THEN coalesce(left([c.text FOR c IN o.result.content IF c.text IS NOT NULL][1], 500), 'isError')
    END AS status_detail,
    actor AS actor_uid,
    'agent' AS actor_type,
    actor AS actor_name,
    session AS session_uid,
    t.uid AS target_uid,
    CASE WHEN t.uid IS NOT NULL THEN t.type END AS target_type,
    t.uid AS target_name,
    system AS target_system,
    list_concat(
        [struct_pack(uid := t.uid, type := t.type, system := system) FOR x IN [1] IF t.uid IS NOT NULL],
        [struct_pack(uid := server, type := 'mcp_server', system := system) FOR x IN [1] IF kind = 'log' AND server IS NOT NULL],
        [struct_pack(uid := tool.name, type := 'mcp_tool', system := system)
            FOR tool IN coalesce(o.result.tools, []) IF tool.name IS NOT NULL],
        [struct_pack(uid := r.uri, type := 'mcp_resource', system := system)
            FOR r IN coalesce(o.result.resources, []) IF r.uri IS NOT NULL],
        [struct_pack(uid := p.name, type := 'mcp_prompt', system := system)
            FOR p IN coalesce(o.result.prompts, []) IF p.name IS NOT NULL],
        [struct_pack(uid := rpc_id, type := 'jsonrpc_id', system := system) FOR x IN [1] IF rpc_id IS NOT NULL],
        [struct_pack(uid := a, type := 'tool_arguments', system := system)
            FOR a IN [CAST(o.params.arguments AS VARCHAR)] IF a IS NOT NULL AND kind = 'request' AND method = 'tools/call'],
        [struct_pack(uid := txt, type := 'tool_result', system := system)
            FOR txt IN [left(array_to_string([c.text FOR c IN coalesce(o.result.content, []) IF c.text IS NOT NULL], chr(10)), 4096)]
            IF kind = 'response' AND txt <> '']
    ) AS resources,
    irkit_nz(client.name) || coalesce('/' || irkit_nz(client.version), '') AS user_agent,
    CASE WHEN kind = 'request' AND method = 'tools/call' THEN irkit_nz(call_name) END AS tool_name,
    CASE
        WHEN NOT has_prefix OR level IS NULL
            THEN 'not a Claude Desktop MCP log entry (no timestamp, level and server prefix): the server''s own output, or a continuation line of the entry above'
        WHEN ts IS NULL THEN 'no readable timestamp: ' || ts_text
        WHEN kind IS NULL THEN 'a Message line whose payload names no JSON-RPC method, id or result'
    END AS quarantine_reason
FROM named
