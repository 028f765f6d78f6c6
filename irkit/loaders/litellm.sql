-- LiteLLM StandardLoggingPayload records -> normalized events.
-- Answers: every call the LiteLLM proxy logged, its MCP gateway tool calls as tool calls on
-- mcp:<server>, by the virtual key's user, for its end user. The text a tool returned is kept (first
-- 4096 characters) as a `tool_result` resource.
-- Input: records(file_id, evidence_offset, evidence_path, raw). Binds nothing.

CREATE OR REPLACE TEMP MACRO litellm_parse(txt) AS TRY(json_transform(txt, '{
    "id": "VARCHAR", "session_id": "VARCHAR", "call_type": "VARCHAR", "status": "VARCHAR",
    "startTime": "VARCHAR", "endTime": "VARCHAR", "model": "VARCHAR", "custom_llm_provider": "VARCHAR",
    "end_user": "VARCHAR", "requester_ip_address": "VARCHAR", "user_agent": "VARCHAR", "error_str": "VARCHAR",
    "error_information": {"error_code": "VARCHAR", "error_class": "VARCHAR", "error_message": "VARCHAR"},
    "response": "JSON",
    "metadata": {
        "user_api_key_hash": "VARCHAR", "user_api_key_alias": "VARCHAR", "user_api_key_user_id": "VARCHAR",
        "user_api_key_user_email": "VARCHAR", "user_api_key_team_id": "VARCHAR", "user_api_key_org_id": "VARCHAR",
        "user_api_key_end_user_id": "VARCHAR", "requester_ip_address": "VARCHAR", "user_agent": "VARCHAR",
        "mcp_tool_call_metadata": {"name": "VARCHAR", "arguments": "JSON", "result": "JSON",
            "mcp_server_name": "VARCHAR", "namespaced_tool_name": "VARCHAR", "mcp_session_id": "VARCHAR",
            "mcp_server_resource": "VARCHAR"}
    }
}'));

-- The text contents of an MCP tool result as LiteLLM logs it: a list of content items, or a
-- CallToolResult object with `content`.
CREATE OR REPLACE TEMP MACRO litellm_result_text(j) AS (
    CASE WHEN TRY(json_type(j)) = 'ARRAY' THEN TRY(json_extract_string(j, '$[*].text'))
         WHEN TRY(json_type(j)) = 'OBJECT' THEN TRY(json_extract_string(j, '$.content[*].text'))
    END
);

WITH parsed AS (
    SELECT r.*, litellm_parse(r.raw) AS e FROM records r
),
fields AS (
    SELECT *,
        e.metadata AS m,
        e.metadata.mcp_tool_call_metadata AS tc,
        e.call_type AS ct,
        coalesce(irkit_nz(e.metadata.user_api_key_user_id), irkit_nz(e.metadata.user_api_key_alias),
                 irkit_nz(e.metadata.user_api_key_hash)) AS actor,
        coalesce(irkit_nz(e.end_user), irkit_nz(e.metadata.user_api_key_end_user_id)) AS end_user,
        irkit_nz(e.metadata.user_api_key_hash) AS key_hash,
        irkit_nz(e.error_information.error_code) AS error_code,
        lower(coalesce(e.status, '')) AS outcome
    FROM parsed
),
shaped AS (
    SELECT *,
        ct IN ('call_mcp_tool', 'list_mcp_tools') AS is_mcp,
        coalesce('mcp:' || coalesce(irkit_nz(tc.mcp_server_name),
                                    irkit_nz(regexp_extract(tc.namespaced_tool_name, '^([^/]+)/', 1)),
                                    irkit_nz(e.custom_llm_provider)), 'mcp') AS mcp_system,
        irkit_nz(tc.name) AS tool,
        left(array_to_string(list_filter(coalesce(litellm_result_text(e.response), litellm_result_text(tc.result), []),
                                         lambda x: x IS NOT NULL), chr(10)), 4096) AS result_text
    FROM fields
)
SELECT
    file_id, evidence_offset, evidence_path, raw,
    'litellm' AS source,
    coalesce(irkit_nz(e.id), sha256(raw)) AS event_uid,
    irkit_ts(e.startTime) AS time,
    irkit_ts(e.endTime) AS end_time,
    CASE WHEN error_code IN ('401', '403') THEN 'authorization'
         WHEN ct = 'call_mcp_tool' THEN 'tool_call'
         WHEN ct = 'list_mcp_tools' THEN 'api_activity'
         ELSE 'model_invocation' END AS class_name,
    CASE ct WHEN 'call_mcp_tool' THEN 'tools/call' WHEN 'list_mcp_tools' THEN 'tools/list' ELSE ct END AS operation,
    CASE WHEN ct = 'list_mcp_tools' THEN 'list' ELSE 'invoke' END AS activity,
    CASE outcome WHEN 'success' THEN 'success' WHEN 'failure' THEN 'failure' ELSE 'unknown' END AS status,
    CASE WHEN outcome = 'failure' THEN coalesce(
        CASE WHEN error_code IS NOT NULL THEN error_code || coalesce(': ' || irkit_nz(e.error_information.error_message), '') END,
        irkit_nz(e.error_str)) END AS status_detail,
    actor AS actor_uid,
    CASE WHEN actor IS NOT NULL THEN 'unknown' END AS actor_type,
    coalesce(irkit_nz(m.user_api_key_user_email), irkit_nz(m.user_api_key_alias), actor) AS actor_name,
    irkit_nz(m.user_api_key_org_id) AS account_uid,
    coalesce(irkit_nz(tc.mcp_session_id), irkit_nz(e.session_id)) AS session_uid,
    key_hash AS credential_uid,
    CASE WHEN key_hash IS NOT NULL
         THEN [irkit_cred(key_hash, 'api_token', 'used', actor, irkit_nz(m.user_api_key_alias))] ELSE [] END AS credentials,
    end_user AS delegator_uid,
    CASE WHEN end_user IS NOT NULL AND actor IS NOT NULL AND end_user <> actor
         THEN [irkit_hop('on_behalf_of', end_user, actor, key_hash, 'event', NULL)] ELSE [] END AS delegations,
    CASE WHEN ct = 'call_mcp_tool' THEN tool WHEN NOT is_mcp THEN irkit_nz(e.model) END AS target_uid,
    CASE WHEN ct = 'call_mcp_tool' AND tool IS NOT NULL THEN 'mcp_tool'
         WHEN NOT is_mcp AND irkit_nz(e.model) IS NOT NULL THEN 'model' END AS target_type,
    CASE WHEN ct = 'call_mcp_tool' THEN tool WHEN NOT is_mcp THEN irkit_nz(e.model) END AS target_name,
    CASE WHEN is_mcp THEN mcp_system ELSE 'genai:' || irkit_nz(e.custom_llm_provider) END AS target_system,
    CASE WHEN is_mcp THEN
        [x FOR x IN [struct_pack(uid := CAST(tc.arguments AS VARCHAR), type := 'tool_arguments', system := mcp_system),
                     struct_pack(uid := nullif(result_text, ''), type := 'tool_result', system := mcp_system),
                     struct_pack(uid := irkit_nz(tc.mcp_server_resource), type := 'mcp_server', system := mcp_system)]
         IF x.uid IS NOT NULL]
    ELSE [] END AS resources,
    irkit_ip(coalesce(irkit_nz(e.requester_ip_address), irkit_nz(m.requester_ip_address))) AS src_ip,
    coalesce(irkit_nz(e.user_agent), irkit_nz(m.user_agent)) AS user_agent,
    CASE WHEN ct = 'call_mcp_tool' THEN tool END AS tool_name,
    CASE
        WHEN e IS NULL THEN 'not valid JSON'
        WHEN irkit_nz(ct) IS NULL THEN 'not a LiteLLM StandardLoggingPayload (no call_type)'
        WHEN irkit_ts(e.startTime) IS NULL THEN 'no readable startTime: ' || coalesce(e.startTime, 'absent')
    END AS quarantine_reason
FROM shaped
