-- agentgateway access log lines (scope "request", JSON format) -> normalized events.
-- Answers: every proxied request the gateway logged, MCP requests as tool calls on mcp:<target>.
-- Input: records(file_id, evidence_offset, evidence_path, raw). Binds nothing.

CREATE OR REPLACE TEMP MACRO agentgateway_parse(txt) AS TRY(json_transform(txt, '{
    "time": "VARCHAR", "scope": "VARCHAR", "src.addr": "VARCHAR",
    "http.method": "VARCHAR", "http.path": "VARCHAR", "http.status": "VARCHAR",
    "trace.id": "VARCHAR", "span.id": "VARCHAR", "jwt.sub": "VARCHAR", "a2a.method": "VARCHAR",
    "mcp.method": "VARCHAR", "mcp.target": "VARCHAR", "mcp.resource.type": "VARCHAR", "mcp.resource": "VARCHAR",
    "mcp.resource.name": "VARCHAR", "mcp.session.id": "VARCHAR",
    "gen_ai.operation.name": "VARCHAR", "gen_ai.provider.name": "VARCHAR", "gen_ai.request.model": "VARCHAR",
    "error": "VARCHAR", "reason": "VARCHAR", "duration": "VARCHAR"
}'));

WITH parsed AS (
    SELECT r.*, agentgateway_parse(r.raw) AS e FROM records r
),
fields AS (
    SELECT *,
        irkit_ts(e."time") AS logged,
        TRY_CAST(regexp_extract(e.duration, '^([0-9]+)ms$', 1) AS BIGINT) AS duration_ms,
        irkit_nz(e."mcp.method") AS method,
        irkit_nz(e."mcp.target") AS mcp_target,
        lower(coalesce(irkit_nz(e."mcp.resource.type"), irkit_nz(e."mcp.resource"), '')) AS kind,
        irkit_nz(e."mcp.resource.name") AS res_name,
        irkit_nz(e."gen_ai.operation.name") AS llm_op,
        TRY_CAST(e."http.status" AS INTEGER) AS http_status,
        irkit_nz(e.error) AS err,
        irkit_nz(e.reason) AS reason
    FROM parsed
),
shaped AS (
    SELECT *,
        coalesce(method, irkit_nz(e."a2a.method"), llm_op,
                 CASE WHEN e."http.method" IS NOT NULL THEN e."http.method" || ' ' || coalesce(e."http.path", '') END) AS op,
        CASE WHEN method IS NOT NULL OR mcp_target IS NOT NULL THEN coalesce('mcp:' || mcp_target, 'mcp') END AS system,
        reason IN ('Authorization', 'JwtAuth', 'BasicAuth', 'APIKeyAuth', 'ExtAuth', 'Oidc') AS denied,
        (coalesce(http_status, 0) >= 400 OR err IS NOT NULL OR reason IS NOT NULL) AS failed
    FROM fields
),
targets AS (
    SELECT *,
        CASE WHEN kind = 'tool' THEN struct_pack(uid := res_name, type := 'mcp_tool', system := system)
             WHEN kind = 'prompt' THEN struct_pack(uid := res_name, type := 'mcp_prompt', system := system)
             WHEN kind = 'resource' THEN struct_pack(uid := res_name, type := 'mcp_resource', system := system)
             WHEN system IS NOT NULL THEN struct_pack(uid := mcp_target, type := 'mcp_server', system := system)
             WHEN llm_op IS NOT NULL THEN struct_pack(uid := irkit_nz(e."gen_ai.request.model"), type := 'model',
                                                      system := 'genai:' || irkit_nz(e."gen_ai.provider.name"))
        END AS t
    FROM shaped
)
SELECT
    file_id, evidence_offset, evidence_path, raw,
    'agentgateway' AS source,
    sha256(raw) AS event_uid,
    logged - to_milliseconds(coalesce(duration_ms, 0)) AS time,
    CASE WHEN duration_ms IS NOT NULL THEN logged END AS end_time,
    CASE WHEN denied THEN 'authorization'
         WHEN op = 'tools/call' THEN 'tool_call'
         WHEN method IS NULL AND llm_op IS NOT NULL THEN 'model_invocation'
         ELSE 'api_activity' END AS class_name,
    op AS operation,
    CASE WHEN op = 'tools/call' OR (method IS NULL AND (llm_op IS NOT NULL OR irkit_nz(e."a2a.method") IS NOT NULL)) THEN 'invoke'
         WHEN op IN ('resources/read', 'prompts/get') THEN 'read'
         WHEN op LIKE '%/list' THEN 'list'
         WHEN op = 'resources/subscribe' THEN 'update'
         ELSE 'other' END AS activity,
    CASE WHEN failed THEN 'failure' WHEN http_status IS NOT NULL THEN 'success' ELSE 'unknown' END AS status,
    CASE WHEN failed THEN coalesce(nullif(concat_ws(': ', reason, err), ''), 'HTTP ' || http_status) END AS status_detail,
    irkit_nz(e."jwt.sub") AS actor_uid,
    CASE WHEN irkit_nz(e."jwt.sub") IS NOT NULL THEN 'unknown' END AS actor_type,
    irkit_nz(e."jwt.sub") AS actor_name,
    irkit_nz(e."mcp.session.id") AS session_uid,
    t.uid AS target_uid,
    CASE WHEN t.uid IS NOT NULL THEN t.type END AS target_type,
    t.uid AS target_name,
    coalesce(t.system, system) AS target_system,
    irkit_ip(regexp_extract(e."src.addr", '^\[?([^\]]*?)\]?(:[0-9]+)?$', 1)) AS src_ip,
    lower(irkit_nz(e."trace.id")) AS trace_uid,
    lower(irkit_nz(e."span.id")) AS span_uid,
    CASE WHEN kind = 'tool' THEN res_name END AS tool_name,
    CASE
        WHEN e IS NULL THEN 'not valid JSON'
        WHEN e.scope IS DISTINCT FROM 'request' THEN 'not an agentgateway request log line (scope is '
                                                      || coalesce(e.scope, 'absent') || ', not request)'
        WHEN logged IS NULL THEN 'no readable time: ' || coalesce(e."time", 'absent')
        WHEN op IS NULL THEN 'an agentgateway request log line naming no method (mcp.method, http.method)'
    END AS quarantine_reason
FROM targets
