-- ToolHive MCP proxy audit events -> normalized events.
-- Input: records(file_id, evidence_offset, evidence_path, raw). Binds nothing.

CREATE OR REPLACE TEMP MACRO toolhive_parse(txt) AS TRY(json_transform(txt, '{
    "time": "VARCHAR", "msg": "VARCHAR", "audit_id": "VARCHAR", "type": "VARCHAR", "logged_at": "VARCHAR",
    "outcome": "VARCHAR", "component": "VARCHAR",
    "source": {"type": "VARCHAR", "value": "VARCHAR",
        "extra": {"user_agent": "VARCHAR", "request_id": "VARCHAR", "session_id": "VARCHAR"}},
    "subjects": {"user": "VARCHAR", "user_id": "VARCHAR", "client_name": "VARCHAR", "client_version": "VARCHAR"},
    "target": {"endpoint": "VARCHAR", "method": "VARCHAR", "name": "VARCHAR", "type": "VARCHAR", "uri": "VARCHAR"},
    "data": {"request": "JSON"}
}'));

WITH parsed AS (
    SELECT r.*, toolhive_parse(r.raw) AS e FROM records r
),
fields AS (
    SELECT *,
        irkit_nz(e.subjects.client_name) AS client,
        coalesce(irkit_nz(e.subjects.user_id), irkit_nz(e.subjects.user)) AS usr,
        'mcp:' || coalesce(irkit_nz(e.component), 'unknown') AS system,
        coalesce(irkit_nz(e.target.method), e.type) AS method,
        TRY(json_extract_string(e.data.request, '$.id')) AS rpc_id,
        TRY(CAST(json_extract(e.data.request, '$.params.arguments') AS VARCHAR)) AS arguments,
        lower(coalesce(e.outcome, '')) AS outcome
    FROM parsed
),
targets AS (
    SELECT *,
        CASE WHEN e.target.type = 'tool' OR e.type = 'mcp_tool_call' THEN struct_pack(uid := irkit_nz(e.target.name), type := 'mcp_tool')
             WHEN e.target.type = 'resource' OR e.type = 'mcp_resource_read' THEN struct_pack(uid := coalesce(irkit_nz(e.target.uri), irkit_nz(e.target.name)), type := 'mcp_resource')
             WHEN e.target.type = 'prompt' OR e.type = 'mcp_prompt_get' THEN struct_pack(uid := irkit_nz(e.target.name), type := 'prompt')
        END AS t
    FROM fields
)
SELECT
    file_id, evidence_offset, evidence_path, raw,
    'toolhive_audit' AS source,
    coalesce(irkit_nz(e.audit_id), sha256(raw)) AS event_uid,
    coalesce(irkit_ts(e.logged_at), irkit_ts(e.time)) AS time,
    CASE WHEN outcome = 'denied' THEN 'authorization' WHEN e.type = 'mcp_tool_call' THEN 'tool_call' ELSE 'api_activity' END AS class_name,
    method AS operation,
    CASE WHEN e.type = 'mcp_tool_call' THEN 'invoke'
         WHEN e.type IN ('mcp_resource_read', 'mcp_prompt_get') THEN 'read'
         WHEN e.type LIKE 'mcp_%_list' THEN 'list'
         WHEN e.type = 'mcp_initialize' THEN 'authenticate'
         ELSE 'other' END AS activity,
    CASE WHEN outcome = 'success' THEN 'success' WHEN outcome = '' THEN 'unknown' ELSE 'failure' END AS status,
    CASE WHEN outcome NOT IN ('success', '') THEN e.outcome END AS status_detail,
    coalesce(client, usr) AS actor_uid,
    CASE WHEN client IS NOT NULL THEN 'agent' WHEN usr IS NOT NULL THEN 'human' END AS actor_type,
    coalesce(client, irkit_nz(e.subjects.user)) AS actor_name,
    irkit_nz(e.source.extra.session_id) AS session_uid,
    CASE WHEN client IS NOT NULL THEN usr END AS delegator_uid,
    CASE WHEN client IS NOT NULL AND usr IS NOT NULL AND client <> usr
         THEN [irkit_hop('on_behalf_of', usr, client, NULL, 'event', NULL)] ELSE [] END AS delegations,
    t.uid AS target_uid,
    CASE WHEN t.uid IS NOT NULL THEN t.type END AS target_type,
    t.uid AS target_name,
    system AS target_system,
    [x FOR x IN [struct_pack(uid := rpc_id, type := 'jsonrpc_id', system := system),
                 struct_pack(uid := arguments, type := 'tool_arguments', system := system)] IF x.uid IS NOT NULL] AS resources,
    CASE WHEN e.source.type = 'network' THEN irkit_ip(e.source.value) END AS src_ip,
    irkit_nz(e.source.extra.user_agent) AS user_agent,
    CASE WHEN e.type = 'mcp_tool_call' THEN irkit_nz(e.target.name) END AS tool_name,
    CASE
        WHEN e IS NULL THEN 'not valid JSON'
        WHEN e.msg IS DISTINCT FROM 'audit_event' THEN 'not a ToolHive audit event (msg is not audit_event)'
        WHEN coalesce(irkit_ts(e.logged_at), irkit_ts(e.time)) IS NULL THEN 'no readable logged_at: ' || coalesce(e.logged_at, 'absent')
    END AS quarantine_reason
FROM targets
