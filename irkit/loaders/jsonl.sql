-- Generic JSON lines -> normalized events, following an analyst's field mapping (docs/jsonl_mapping.md).
-- Input: records(file_id, evidence_offset, evidence_path, raw).
-- Binds (every one, always; irkit.loaders.jsonl.mapping_options fills the defaults):
--   $source_label  constant naming the log; prefixes event_uid
--   $time          JSON path of the timestamp;  $time_format  strptime format, or NULL for any ISO/epoch form
--   $event_uid $class_name $operation $status $status_detail $actor_uid $actor_type $actor_name
--   $account_uid $session_uid $credential_uid $delegator_uid $target_uid $target_type $target_name
--   $target_system $src_ip $user_agent $trace_uid $span_uid $parent_span_uid $tool_name
--                  each a JSON path ('$.actor.email'), a constant (any text not starting with '$'), or NULL
--   $failure_values  lower-case status values that mean failure (VARCHAR[])
-- Each record is parsed once: json_extract_string with the list of every path.

-- The path to extract for a mapping value: itself when it is a path, else one that matches nothing.
CREATE OR REPLACE TEMP MACRO jsonl_path(p) AS CASE WHEN starts_with(p, '$') THEN p ELSE '$."irkit: not mapped"' END;

-- The field's value: the extracted text for a path, the constant itself otherwise.
CREATE OR REPLACE TEMP MACRO jsonl_value(p, extracted) AS
    irkit_nz(CASE WHEN starts_with(p, '$') THEN extracted ELSE CAST(p AS VARCHAR) END);

WITH extracted AS (
    SELECT r.*, TRY(json_extract_string(r.raw, [
        jsonl_path($time), jsonl_path($event_uid), jsonl_path($class_name), jsonl_path($operation),
        jsonl_path($status), jsonl_path($status_detail), jsonl_path($actor_uid), jsonl_path($actor_type),
        jsonl_path($actor_name), jsonl_path($account_uid), jsonl_path($session_uid), jsonl_path($credential_uid),
        jsonl_path($delegator_uid), jsonl_path($target_uid), jsonl_path($target_type), jsonl_path($target_name),
        jsonl_path($target_system), jsonl_path($src_ip), jsonl_path($user_agent), jsonl_path($trace_uid),
        jsonl_path($span_uid), jsonl_path($parent_span_uid), jsonl_path($tool_name)
    ])) AS v
    FROM records r
),
fields AS (
    SELECT file_id, evidence_offset, evidence_path, raw, v,
        v[1] AS time_text,
        CASE WHEN $time_format IS NULL THEN irkit_ts(v[1])
             ELSE CAST(try_strptime(trim(v[1]), $time_format) AS TIMESTAMPTZ) END AS ts,
        jsonl_value($event_uid, v[2]) AS uid,
        jsonl_value($class_name, v[3]) AS class_value,
        jsonl_value($operation, v[4]) AS operation,
        jsonl_value($status, v[5]) AS status_value,
        jsonl_value($status_detail, v[6]) AS status_detail,
        jsonl_value($actor_uid, v[7]) AS actor_uid,
        lower(jsonl_value($actor_type, v[8])) AS actor_type_value,
        jsonl_value($actor_name, v[9]) AS actor_name,
        jsonl_value($account_uid, v[10]) AS account_uid,
        jsonl_value($session_uid, v[11]) AS session_uid,
        jsonl_value($credential_uid, v[12]) AS credential_uid,
        jsonl_value($delegator_uid, v[13]) AS delegator_uid,
        jsonl_value($target_uid, v[14]) AS target_uid,
        jsonl_value($target_type, v[15]) AS target_type,
        jsonl_value($target_name, v[16]) AS target_name,
        coalesce(jsonl_value($target_system, v[17]), $source_label) AS target_system,
        jsonl_value($src_ip, v[18]) AS src_ip,
        jsonl_value($user_agent, v[19]) AS user_agent,
        lower(jsonl_value($trace_uid, v[20])) AS trace_uid,
        lower(jsonl_value($span_uid, v[21])) AS span_uid,
        lower(jsonl_value($parent_span_uid, v[22])) AS parent_span_uid,
        jsonl_value($tool_name, v[23]) AS tool_name
    FROM extracted
)
SELECT
    file_id, evidence_offset, evidence_path, raw,
    'jsonl' AS source,
    coalesce($source_label || ':' || uid, sha256(raw)) AS event_uid,
    ts AS time,
    coalesce(class_value, 'api_activity') AS class_name,
    operation,
    CASE WHEN status_value IS NULL THEN 'unknown'
         WHEN list_contains($failure_values, lower(trim(status_value))) THEN 'failure'
         ELSE 'success' END AS status,
    coalesce(status_detail, CASE WHEN list_contains($failure_values, lower(trim(status_value))) THEN status_value END) AS status_detail,
    actor_uid,
    CASE
        WHEN actor_type_value IN ('human', 'user', 'person') THEN 'human'
        WHEN actor_type_value IN ('service', 'service_account', 'serviceaccount', 'application', 'app', 'system') THEN 'service'
        WHEN actor_type_value IN ('agent', 'ai_agent', 'bot', 'assistant') THEN 'agent'
        WHEN actor_type_value IS NOT NULL OR actor_uid IS NOT NULL THEN 'unknown'
    END AS actor_type,
    actor_name,
    account_uid,
    session_uid,
    credential_uid,
    delegator_uid,
    target_uid,
    target_type,
    coalesce(target_name, target_uid) AS target_name,
    target_system,
    CASE WHEN target_uid IS NOT NULL THEN [struct_pack(uid := target_uid, type := target_type, system := target_system)]
         ELSE [] END AS resources,
    src_ip,
    user_agent,
    trace_uid,
    span_uid,
    parent_span_uid,
    tool_name,
    CASE
        WHEN v IS NULL THEN 'not valid JSON'
        WHEN ts IS NULL AND time_text IS NULL THEN 'no timestamp at ' || $time
        WHEN ts IS NULL THEN 'unreadable timestamp at ' || $time || ': ' || time_text
    END AS quarantine_reason
FROM fields
