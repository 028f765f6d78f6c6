-- Amazon Bedrock model invocation logs (ModelInvocationLog records) -> normalized events.
-- Input: records(file_id, evidence_offset, evidence_path, raw). Binds nothing.
-- Each record is parsed once against a fixed struct; the request and response bodies stay JSON and
-- only the tool-use ids are read from them.

CREATE OR REPLACE TEMP MACRO bedrock_parse(txt) AS TRY(json_transform(txt, '{
    "schemaType": "VARCHAR", "timestamp": "VARCHAR", "accountId": "VARCHAR", "region": "VARCHAR",
    "requestId": "VARCHAR", "operation": "VARCHAR", "modelId": "VARCHAR", "errorCode": "VARCHAR",
    "errorMessage": "VARCHAR", "identity": {"arn": "VARCHAR"},
    "input": {"inputBodyJson": "JSON"}, "output": {"outputBodyJson": "JSON"}
}'));

WITH parsed AS (
    SELECT r.*, bedrock_parse(r.raw) AS e FROM records r
),
fields AS (
    SELECT *,
        irkit_nz(e.identity.arn) AS actor,
        irkit_nz(e.modelId) AS model,
        coalesce(irkit_nz(e.region), '') AS region,
        CASE WHEN e.region LIKE 'cn-%' THEN 'aws-cn' WHEN e.region LIKE 'us-gov-%' THEN 'aws-us-gov' ELSE 'aws' END AS part,
        [x FOR x IN coalesce(TRY(json_extract_string(e.output.outputBodyJson, '$.output.message.content[*].toolUse.toolUseId')), [])
            || coalesce(TRY(json_extract_string(e.input.inputBodyJson, '$.messages[*].content[*].toolResult.toolUseId')), [])
            IF x IS NOT NULL] AS tool_calls,
        irkit_nz(TRY(json_extract_string(e.input.inputBodyJson, '$.guardrailConfig.guardrailIdentifier'))) AS guardrail
    FROM parsed
),
modeled AS (
    SELECT *,
        -- the model's ARN as CloudTrail's targets table builds it for the same call
        CASE WHEN model LIKE 'arn:%' THEN model
             WHEN regexp_matches(model, '^(us|eu|apac|jp|au|ca|us-gov|global)\.') THEN
                 'arn:' || part || ':bedrock:' || region || ':' || coalesce(e.accountId, '') || ':inference-profile/' || model
             WHEN model IS NOT NULL THEN 'arn:' || part || ':bedrock:' || region || '::foundation-model/' || model
        END AS model_uid
    FROM fields
)
SELECT
    file_id, evidence_offset, evidence_path, raw,
    'bedrock_invocation' AS source,
    coalesce(irkit_nz(e.requestId), sha256(raw)) AS event_uid,
    irkit_ts(e.timestamp) AS time,
    'model_invocation' AS class_name,
    e.operation AS operation,
    'invoke' AS activity,
    CASE WHEN irkit_nz(e.errorCode) IS NOT NULL THEN 'failure' ELSE 'success' END AS status,
    CASE WHEN irkit_nz(e.errorCode) IS NOT NULL THEN e.errorCode || coalesce(': ' || irkit_nz(e.errorMessage), '') END AS status_detail,
    actor AS actor_uid,
    CASE WHEN actor IS NOT NULL THEN 'unknown' END AS actor_type,
    CASE WHEN actor LIKE '%/%' THEN split_part(actor, '/', -1) END AS actor_name,
    irkit_nz(e.accountId) AS account_uid,
    CASE WHEN irkit_session_role(actor) IS NOT NULL
         THEN [irkit_hop('session_of', irkit_session_role(actor), actor, NULL, 'standing', NULL)] ELSE [] END AS delegations,
    model_uid AS target_uid,
    CASE WHEN model_uid IS NOT NULL THEN 'model' END AS target_type,
    model AS target_name,
    'aws:bedrock' AS target_system,
    [struct_pack(uid := x, type := 'tool_call', system := 'aws:bedrock') FOR x, i IN tool_calls IF NOT list_contains(tool_calls[:i - 1], x)]
        || CASE WHEN guardrail IS NOT NULL THEN [struct_pack(uid := guardrail, type := 'bedrock_guardrail', system := 'aws:bedrock')]
                ELSE [] END AS resources,
    CASE
        WHEN e IS NULL THEN 'not valid JSON'
        WHEN e.schemaType IS DISTINCT FROM 'ModelInvocationLog' THEN 'not a Bedrock model invocation log record (schemaType)'
        WHEN irkit_ts(e.timestamp) IS NULL THEN 'no readable timestamp: ' || coalesce(e.timestamp, 'absent')
        WHEN e.operation IS NULL THEN 'no operation'
    END AS quarantine_reason
FROM modeled
