-- OpenTelemetry GenAI spans -> normalized events, one row per span.
-- Input: records(file_id, evidence_offset, evidence_path, raw). Binds nothing.
--
-- A record is either an OTLP/JSON document ({"resourceSpans": [...]}, one span per output row,
-- evidence_path '<record path>.resourceSpans[i].scopeSpans[j].spans[k]') or one span dumped on its
-- own: a ReadableSpan-like object (Vercel AI SDK / OTel JS: spanContext, startTime [sec, nanos]), the
-- Python SDK's console form (context.trace_id '0x…', start_time ISO), an OTLP span outside its
-- envelope, or a bare attribute map ({"gen_ai.operation.name": …}).
-- Parsing: the record once (a document's spans kept as JSON text), each span once more against a
-- fixed struct (so a span of a document is read twice: the price of keeping its own JSON as raw); the
-- attribute maps of the loose forms once more as MAP(VARCHAR, VARCHAR). Attributes of every form become
-- one list of (key, value) text pairs, the span's before its resource's, and each mapped attribute is the
-- first pair with its key. A document's raw text is never copied to its spans: each span's raw is a
-- one-span document rebuilt from its resource, scope and span (the record itself when it holds one span).

CREATE OR REPLACE TEMP MACRO otel_doc(txt) AS TRY(json_transform(txt, '{
    "resourceSpans": [{"resource": "JSON", "schemaUrl": "VARCHAR",
        "scopeSpans": [{"scope": "JSON", "schemaUrl": "VARCHAR", "spans": ["JSON"]}]}]
}'));

-- A span of an OTLP document (lean: every key more costs time on every span).
CREATE OR REPLACE TEMP MACRO otel_span(txt) AS TRY(json_transform(txt, '{
    "traceId": "VARCHAR", "spanId": "VARCHAR", "parentSpanId": "VARCHAR", "name": "VARCHAR", "kind": "VARCHAR",
    "startTimeUnixNano": "VARCHAR", "endTimeUnixNano": "VARCHAR", "status": {"code": "VARCHAR", "message": "VARCHAR"},
    "attributes": [{"key": "VARCHAR", "value": {"stringValue": "VARCHAR", "intValue": "VARCHAR",
        "boolValue": "VARCHAR", "doubleValue": "VARCHAR", "bytesValue": "VARCHAR",
        "arrayValue": "JSON", "kvlistValue": "JSON"}}]
}'));

-- A span saved on its own, in any of the shapes above (attributes as an OTLP list or an object).
CREATE OR REPLACE TEMP MACRO otel_loose_span(txt) AS TRY(json_transform(txt, '{
    "traceId": "VARCHAR", "spanId": "VARCHAR", "parentSpanId": "VARCHAR", "name": "VARCHAR", "kind": "VARCHAR",
    "startTimeUnixNano": "VARCHAR", "startTime": "VARCHAR", "start_time": "VARCHAR",
    "endTimeUnixNano": "VARCHAR", "endTime": "VARCHAR", "end_time": "VARCHAR",
    "status": {"code": "VARCHAR", "message": "VARCHAR", "status_code": "VARCHAR", "description": "VARCHAR"},
    "attributes": [{"key": "VARCHAR", "value": {"stringValue": "VARCHAR", "intValue": "VARCHAR",
        "boolValue": "VARCHAR", "doubleValue": "VARCHAR", "bytesValue": "VARCHAR",
        "arrayValue": "JSON", "kvlistValue": "JSON"}}],
    "spanContext": {"traceId": "VARCHAR", "spanId": "VARCHAR"},
    "parentSpanContext": {"spanId": "VARCHAR"},
    "context": {"trace_id": "VARCHAR", "span_id": "VARCHAR"},
    "parent_id": "VARCHAR"
}'));

-- The attribute maps of the loose forms: span attributes as an object, resource attributes.
CREATE OR REPLACE TEMP MACRO otel_loose_maps(txt) AS TRY(json_transform(txt, '{
    "attributes": "MAP(VARCHAR, VARCHAR)", "resource": {"attributes": "MAP(VARCHAR, VARCHAR)"}
}'));

-- OTLP attributes [{key, value: {stringValue|intValue|...}}] as (key, value text) pairs.
CREATE OR REPLACE TEMP MACRO otel_kv(attrs) AS list_transform(coalesce(attrs, []), lambda a: struct_pack(
    key := a.key,
    value := coalesce(a.value.stringValue, a.value.intValue, a.value.boolValue, a.value.doubleValue,
                      a.value.bytesValue, CAST(a.value.arrayValue AS VARCHAR), CAST(a.value.kvlistValue AS VARCHAR))));

-- OTLP resource (JSON text) -> its attribute pairs.
CREATE OR REPLACE TEMP MACRO otel_resource_kv(res) AS otel_kv(TRY(json_transform(res, '{
    "attributes": [{"key": "VARCHAR", "value": {"stringValue": "VARCHAR", "intValue": "VARCHAR",
        "boolValue": "VARCHAR", "doubleValue": "VARCHAR", "bytesValue": "VARCHAR",
        "arrayValue": "JSON", "kvlistValue": "JSON"}}]
}')).attributes);

-- A structured attribute given as an OTLP kvlistValue (its JSON text) as a plain JSON object of its
-- scalar values (tool-call arguments); any other text unchanged.
CREATE OR REPLACE TEMP MACRO otel_plain_json(x) AS (
    CASE WHEN starts_with(x, '{"values":[{"key"') THEN coalesce(CAST(to_json(map_from_entries(list_transform(
            TRY(json_transform(x, '{"values": [{"key": "VARCHAR", "value": {"stringValue": "VARCHAR", "intValue": "VARCHAR",
                "boolValue": "VARCHAR", "doubleValue": "VARCHAR", "arrayValue": "JSON", "kvlistValue": "JSON"}}]}')).values,
            lambda a: struct_pack(k := a.key, v := coalesce(a.value.stringValue, a.value.intValue, a.value.boolValue,
                a.value.doubleValue, CAST(a.value.arrayValue AS VARCHAR), CAST(a.value.kvlistValue AS VARCHAR)))))) AS VARCHAR), x)
         ELSE x END
);

-- First value of attribute k, given the pairs kv and their keys (list_position: no lambda per lookup).
CREATE OR REPLACE TEMP MACRO otel_attr(kv, keys, k) AS nullif(kv[list_position(keys, k)].value, '');

-- A trace or span id as lower-case hex: '0x' prefixes dropped, base64 ids (12 or 24 characters, from
-- exporters using protobuf's own JSON mapping; hex ids are 16 or 32) decoded, the all-zero (invalid) id
-- and empty values NULL.
CREATE OR REPLACE TEMP MACRO otel_id(x) AS (
    CASE
        WHEN x IS NULL OR x = '' THEN NULL
        WHEN length(x) IN (16, 32) THEN CASE WHEN ltrim(x, '0') = '' THEN NULL ELSE lower(x) END
        WHEN starts_with(x, '0x') OR starts_with(x, '0X') THEN CASE WHEN ltrim(x[3:], '0') = '' THEN NULL ELSE lower(x[3:]) END
        WHEN length(x) IN (12, 24) THEN CASE WHEN ltrim(x, 'A') IN ('', '=', '==') THEN NULL
                                             ELSE coalesce(lower(hex(TRY(from_base64(x)))), lower(x)) END
        ELSE nullif(lower(trim(x)), '')
    END
);

-- OTLP unix nanoseconds (string or number), in integer arithmetic so that no precision is lost.
CREATE OR REPLACE TEMP MACRO otel_nanos(nanos) AS (
    CASE WHEN TRY_CAST(nanos AS BIGINT) > 0 THEN make_timestamptz(TRY_CAST(nanos AS BIGINT) // 1000)
         WHEN TRY_CAST(nanos AS DOUBLE) > 0 THEN irkit_epoch(TRY_CAST(nanos AS DOUBLE)) END
);

-- OTel JS HrTime [seconds, nanoseconds], as its JSON text (a bracketed pair), else an ISO time or unix nanos.
CREATE OR REPLACE TEMP MACRO otel_any_time(x) AS (
    CASE WHEN x IS NULL THEN NULL
         WHEN starts_with(ltrim(x), '[') THEN otel_hrtime(TRY_CAST(string_split(trim(x, '[] '), ',') AS BIGINT[]))
         ELSE irkit_ts(x) END
);

-- OTel JS HrTime [seconds, nanoseconds].
CREATE OR REPLACE TEMP MACRO otel_hrtime(h) AS (
    CASE WHEN len(h) = 2 AND h[1] > 0 THEN make_timestamptz(h[1] * 1000000 + h[2] // 1000) END
);

-- One span, whatever its shape, as the fields the mapping needs. kv: (key, value) attribute pairs,
-- the span's before its resource's, so that a lookup finds the span's value first.
CREATE OR REPLACE TEMP MACRO otel_core(trace, span, parent, name, server, ts, te, code, message, kv) AS
    struct_pack(trace := otel_id(trace), span := otel_id(span), parent := otel_id(parent), name := irkit_nz(name),
                server := server, ts := ts, te := te, error := code IN ('2', 'STATUS_CODE_ERROR', 'ERROR'),
                message := irkit_nz(message), kv := kv);


-- The ids of the message parts of one type ('tool_call', 'tool_call_response') in gen_ai.input.messages /
-- gen_ai.output.messages (JSON text: [{"role": ..., "parts": [{"type": ..., "id": ...}]}]).
CREATE OR REPLACE TEMP MACRO otel_message_tool_calls(msgs, part_type) AS coalesce(
    [json_extract_string(x, '$.id') FOR x IN TRY(json_extract(msgs, '$[*].parts[*]'))
        IF json_extract_string(x, '$.type') = part_type], CAST([] AS VARCHAR[]));

WITH docs AS (  -- a document's spans as one flat list of units, each with its resource and scope
    SELECT *, coalesce(len(units), 0) AS n_spans
    FROM (
        SELECT r.*, d IS NOT NULL AND d.resourceSpans IS NOT NULL AS is_doc,
            -- per resource: its attribute pairs, parsed once; per scope: the text a one-span document
            -- of it starts with; then one unit per span
            flatten(flatten(list_transform(
                list_transform(d.resourceSpans, lambda rs, i: struct_pack(i := i - 1, rs := rs, kv := otel_resource_kv(rs.resource))),
                lambda r: list_transform(
                    list_transform(coalesce(r.rs.scopeSpans, []), lambda ss, j: struct_pack(
                        path := '.resourceSpans[' || r.i || '].scopeSpans[' || (j - 1) || '].spans[',
                        head := '{"resourceSpans":[{' || coalesce('"resource":' || CAST(r.rs.resource AS VARCHAR) || ',', '')
                            || coalesce('"schemaUrl":' || to_json(r.rs.schemaUrl) || ',', '')
                            || '"scopeSpans":[{' || coalesce('"scope":' || CAST(ss.scope AS VARCHAR) || ',', '')
                            || coalesce('"schemaUrl":' || to_json(ss.schemaUrl) || ',', '') || '"spans":[',
                        spans := ss.spans)),
                    lambda sc: list_transform(coalesce(sc.spans, []), lambda sp, k: struct_pack(
                        path := sc.path || (k - 1) || ']', head := sc.head, span := CAST(sp AS VARCHAR), resource_kv := r.kv)))))) AS units
        FROM (SELECT r.*, otel_doc(r.raw) AS d FROM records r) r
    )
),
units AS (  -- one row per span of a document; one per other record (a loose span, or a problem)
    SELECT file_id, evidence_offset, evidence_path, is_doc, n_spans,
        CASE WHEN d IS NULL THEN 'not valid JSON' WHEN is_doc AND n_spans = 0 THEN 'OTLP document holds no spans' END AS problem,
        CASE WHEN n_spans <= 1 THEN raw END AS record_raw,  -- never copied to every span of a document
        unnest(CASE WHEN n_spans > 0 THEN units ELSE [NULL] END) AS u
    FROM docs
),
parsed AS (
    SELECT file_id, evidence_offset, evidence_path || coalesce(u.path, '') AS evidence_path, problem,
        CASE
            WHEN u IS NULL THEN record_raw
            WHEN n_spans = 1 THEN record_raw
            ELSE u.head || u.span || ']}]}]}'
        END AS raw,
        u.resource_kv,
        CASE WHEN is_doc AND u IS NOT NULL THEN otel_span(u.span) END AS s,
        CASE WHEN problem IS NULL AND NOT is_doc THEN otel_loose_span(record_raw) END AS l,
        CASE WHEN problem IS NULL AND NOT is_doc THEN otel_loose_maps(record_raw) END AS m
    FROM units
),
spans AS (
    SELECT file_id, evidence_offset, evidence_path, raw, problem,
        CASE WHEN s IS NOT NULL THEN otel_core(s.traceId, s.spanId, s.parentSpanId, s.name,
                s.kind IN ('2', 'SPAN_KIND_SERVER'), otel_nanos(s.startTimeUnixNano), otel_nanos(s.endTimeUnixNano),
                s.status.code, s.status.message,
                list_concat(otel_kv(s.attributes), resource_kv))
             WHEN l IS NOT NULL THEN otel_core(
                coalesce(l.traceId, l.spanContext.traceId, l.context.trace_id),
                coalesce(l.spanId, l.spanContext.spanId, l.context.span_id),
                coalesce(l.parentSpanId, l.parentSpanContext.spanId, l.parent_id), l.name,
                -- OTel JS (spanContext) numbers SERVER 1; OTLP 2; the Python SDK writes SpanKind.SERVER
                CASE WHEN l.spanContext IS NOT NULL THEN l.kind = '1' ELSE l.kind IN ('2', 'SPAN_KIND_SERVER', 'SpanKind.SERVER') END,
                coalesce(otel_nanos(l.startTimeUnixNano), otel_any_time(l.startTime), irkit_ts(l.start_time)),
                coalesce(otel_nanos(l.endTimeUnixNano), otel_any_time(l.endTime), irkit_ts(l.end_time)),
                coalesce(l.status.code, l.status.status_code), coalesce(l.status.message, l.status.description),
                list_concat(otel_kv(l.attributes), map_entries(m.attributes),
                            -- a bare attribute map: the record's own keys are the attributes
                            CASE WHEN l.attributes IS NULL AND m.attributes IS NULL
                                 THEN map_entries(TRY(json_transform(raw, '"MAP(VARCHAR, VARCHAR)"'))) END,
                            map_entries(m.resource.attributes)))
        END AS c
    FROM parsed
),
attrs AS (
    SELECT file_id, evidence_offset, evidence_path, raw, problem, c, c.kv AS kv,
        list_transform(c.kv, lambda a: a.key) AS keys
    FROM spans
),
fields AS (
    SELECT file_id, evidence_offset, evidence_path, raw, problem, c, kv,
        -- the operation: the current conventions' name, else the older dialects' span kinds (OpenInference
        -- openinference.span.kind, OpenLLMetry traceloop.span.kind / llm.request.type) in its terms
        coalesce(otel_attr(kv, keys, 'gen_ai.operation.name'),
                 CASE upper(otel_attr(kv, keys, 'openinference.span.kind'))
                     WHEN 'LLM' THEN 'chat' WHEN 'TOOL' THEN 'execute_tool' WHEN 'AGENT' THEN 'invoke_agent'
                     WHEN 'EMBEDDING' THEN 'embeddings' WHEN 'RETRIEVER' THEN 'retrieval'
                     WHEN 'GUARDRAIL' THEN 'apply_guardrail' WHEN 'RERANKER' THEN 'rerank' END,
                 CASE lower(otel_attr(kv, keys, 'traceloop.span.kind'))
                     WHEN 'tool' THEN 'execute_tool' WHEN 'agent' THEN 'invoke_agent' END,
                 CASE lower(otel_attr(kv, keys, 'llm.request.type'))
                     WHEN 'chat' THEN 'chat' WHEN 'completion' THEN 'text_completion' WHEN 'embedding' THEN 'embeddings' END) AS op,
        otel_attr(kv, keys, 'traceloop.span.kind') AS tl_kind,
        otel_attr(kv, keys, 'traceloop.entity.name') AS tl_name,
        upper(otel_attr(kv, keys, 'openinference.span.kind')) AS oi_kind,
        -- apply_guardrail spans: the guardian that judged, and what it decided
        coalesce(otel_attr(kv, keys, 'gen_ai.guardian.id'), otel_attr(kv, keys, 'gen_ai.guardian.name')) AS guardian,
        otel_attr(kv, keys, 'gen_ai.guardian.name') AS guardian_name,
        nullif(concat_ws(': ', otel_attr(kv, keys, 'gen_ai.security.decision.type'),
                         otel_attr(kv, keys, 'gen_ai.security.decision.reason')), '') AS guard_decision,
        -- tool calls the model asked for (output messages) and tool results it was given (input messages):
        -- their ids pair a model call with the execute_tool spans around it
        otel_message_tool_calls(otel_attr(kv, keys, 'gen_ai.output.messages'), 'tool_call')
            || otel_message_tool_calls(otel_attr(kv, keys, 'gen_ai.input.messages'), 'tool_call_response') AS message_calls,
        otel_attr(kv, keys, 'mcp.method.name') AS mcp_method,
        coalesce(otel_attr(kv, keys, 'gen_ai.agent.id'), otel_attr(kv, keys, 'gen_ai.agent.name'),
                 CASE WHEN upper(otel_attr(kv, keys, 'openinference.span.kind')) = 'AGENT' THEN otel_attr(kv, keys, 'agent.name') END,
                 CASE WHEN lower(otel_attr(kv, keys, 'traceloop.span.kind')) = 'agent' THEN otel_attr(kv, keys, 'traceloop.entity.name') END) AS named_agent,
        coalesce(otel_attr(kv, keys, 'gen_ai.agent.name'),
                 CASE WHEN upper(otel_attr(kv, keys, 'openinference.span.kind')) = 'AGENT' THEN otel_attr(kv, keys, 'agent.name') END,
                 CASE WHEN lower(otel_attr(kv, keys, 'traceloop.span.kind')) = 'agent' THEN otel_attr(kv, keys, 'traceloop.entity.name') END) AS named_agent_name,
        otel_attr(kv, keys, 'gen_ai.caller.name') AS caller_name,
        otel_attr(kv, keys, 'gen_ai.caller.type') AS caller_type,
        otel_attr(kv, keys, 'gen_ai.transfer.target.name') AS transfer_target,
        otel_attr(kv, keys, 'jsonrpc.request.id') AS rpc_id,
        otel_plain_json(coalesce(otel_attr(kv, keys, 'gen_ai.tool.call.arguments'), otel_attr(kv, keys, 'ai.toolCall.args'),
                                 -- OpenInference TOOL spans: the arguments are the span's input
                                 CASE WHEN upper(otel_attr(kv, keys, 'openinference.span.kind')) = 'TOOL' THEN otel_attr(kv, keys, 'input.value') END,
                                 CASE WHEN lower(otel_attr(kv, keys, 'traceloop.span.kind')) = 'tool' THEN otel_attr(kv, keys, 'traceloop.entity.input') END)) AS tool_arguments,
        otel_attr(kv, keys, 'service.name') AS service,
        otel_attr(kv, keys, 'gen_ai.conversation.id') AS conversation,
        otel_attr(kv, keys, 'mcp.session.id') AS mcp_session,
        coalesce(otel_attr(kv, keys, 'gen_ai.tool.name'), otel_attr(kv, keys, 'ai.toolCall.name'), otel_attr(kv, keys, 'tool.name'),
                 CASE WHEN lower(otel_attr(kv, keys, 'traceloop.span.kind')) = 'tool' THEN otel_attr(kv, keys, 'traceloop.entity.name') END) AS tool,
        coalesce(otel_attr(kv, keys, 'gen_ai.tool.call.id'), otel_attr(kv, keys, 'ai.toolCall.id'), otel_attr(kv, keys, 'tool_call.id')) AS tool_call,
        coalesce(otel_attr(kv, keys, 'gen_ai.provider.name'), otel_attr(kv, keys, 'gen_ai.system'), otel_attr(kv, keys, 'ai.model.provider'),
                 otel_attr(kv, keys, 'llm.provider'), otel_attr(kv, keys, 'llm.system')) AS provider,
        coalesce(otel_attr(kv, keys, 'gen_ai.request.model'), otel_attr(kv, keys, 'gen_ai.response.model'), otel_attr(kv, keys, 'ai.model.id'),
                 otel_attr(kv, keys, 'llm.model_name'), otel_attr(kv, keys, 'llm.request.model'), otel_attr(kv, keys, 'llm.model')) AS model,
        otel_attr(kv, keys, 'gen_ai.data_source.id') AS data_source,
        otel_attr(kv, keys, 'gen_ai.prompt.name') AS prompt,
        otel_attr(kv, keys, 'mcp.resource.uri') AS mcp_resource,
        -- the MCP server: named, else the address a client span called, else (server side) the service itself
        coalesce(otel_attr(kv, keys, 'mcp.server.name'),
                 CASE WHEN otel_attr(kv, keys, 'mcp.method.name') IS NOT NULL OR otel_attr(kv, keys, 'gen_ai.operation.name') = 'execute_tool'
                      THEN coalesce(otel_attr(kv, keys, 'server.address'),
                                    CASE WHEN otel_attr(kv, keys, 'mcp.method.name') IS NOT NULL AND c.server
                                         THEN otel_attr(kv, keys, 'service.name') END) END) AS mcp_server,
        coalesce(otel_attr(kv, keys, 'user.id'), otel_attr(kv, keys, 'enduser.id')) AS on_behalf_of,
        otel_attr(kv, keys, 'session.id') AS other_session,
        otel_attr(kv, keys, 'error.type') AS error_type,
        otel_attr(kv, keys, 'client.address') AS client_address,
        coalesce(otel_attr(kv, keys, 'user_agent.original'), otel_attr(kv, keys, 'ai.request.headers.user-agent')) AS agent_string,
        otel_attr(kv, keys, 'cloud.account.id') AS account,
        c.trace AS trace_id, c.span AS span_id, c.parent AS parent_id, c.ts AS ts, c.te AS te, c.error AS status_error
    FROM attrs
),
classified AS (
    SELECT *,
        -- the agent, only where the conventions name one: agent operations (the invoked or created
        -- agent), and a tool execution that names the agent executing it (agent-as-a-tool); every other
        -- span (model calls, MCP client spans, tools of instrumentations that follow the base
        -- execute_tool span) belongs to the agent whose invocation encloses it (sql/view_call_agents.sql)
        CASE WHEN op IN ('invoke_agent', 'create_agent', 'plan', 'execute_tool') THEN named_agent END AS agent_uid,
        CASE WHEN op IN ('invoke_agent', 'create_agent', 'plan', 'execute_tool') THEN named_agent_name END AS agent_name,
        CASE
            WHEN op IN ('invoke_agent', 'create_agent') THEN 'agent_invocation'
            WHEN op = 'apply_guardrail' THEN 'guardrail'
            WHEN op = 'execute_tool' OR (op IS NULL AND (mcp_method = 'tools/call' OR tool IS NOT NULL)) THEN 'tool_call'
            ELSE 'api_activity'
        END AS class_name,
        CASE WHEN mcp_server IS NOT NULL THEN 'mcp:' || mcp_server END AS mcp_system,
        CASE WHEN provider IS NOT NULL THEN 'genai:' || provider ELSE 'genai' END AS model_system
    FROM fields
),
targets AS (
    SELECT *,
        CASE
            WHEN class_name = 'tool_call' AND tool IS NOT NULL
                THEN struct_pack(uid := tool, type := 'tool', name := tool, system := coalesce(mcp_system, 'genai'))
            WHEN class_name = 'agent_invocation' AND agent_uid IS NOT NULL
                THEN struct_pack(uid := agent_uid, type := 'agent', name := agent_name, system := 'genai')
            WHEN class_name = 'guardrail' AND guardian IS NOT NULL
                THEN struct_pack(uid := guardian, type := 'guardrail', name := coalesce(guardian_name, guardian), system := 'genai')
            WHEN mcp_resource IS NOT NULL
                THEN struct_pack(uid := mcp_resource, type := 'mcp_resource', name := mcp_resource, system := coalesce(mcp_system, 'mcp'))
            WHEN prompt IS NOT NULL AND mcp_method IS NOT NULL
                THEN struct_pack(uid := prompt, type := 'prompt', name := prompt, system := coalesce(mcp_system, 'mcp'))
            WHEN model IS NOT NULL AND mcp_method IS NULL
                THEN struct_pack(uid := model, type := 'model', name := model, system := model_system)
        END AS t
    FROM classified
)
SELECT
    file_id, evidence_offset, evidence_path, raw,
    'otel_genai' AS source,
    coalesce(trace_id || ':' || span_id, sha256(raw)) AS event_uid,
    ts AS time,
    CASE WHEN te >= ts THEN te END AS end_time,
    class_name,
    coalesce(op, mcp_method, c.name) AS operation,
    CASE
        WHEN op = 'create_agent' THEN 'create'
        WHEN class_name IN ('tool_call', 'agent_invocation', 'guardrail') OR t.type = 'model' THEN 'invoke'
        WHEN mcp_method IN ('resources/read', 'prompts/get') THEN 'read'
        WHEN mcp_method LIKE '%/list' THEN 'list'
        ELSE 'other'
    END AS activity,
    CASE WHEN status_error OR error_type IS NOT NULL THEN 'failure' ELSE 'success' END AS status,
    coalesce(nullif(concat_ws(': ', error_type, c.message), ''), guard_decision) AS status_detail,
    coalesce(agent_uid, service) AS actor_uid,
    CASE WHEN agent_uid IS NOT NULL THEN 'agent' WHEN service IS NOT NULL THEN 'service' ELSE 'unknown' END AS actor_type,
    CASE WHEN agent_uid IS NOT NULL THEN agent_name ELSE service END AS actor_name,
    account AS account_uid,
    coalesce(conversation, mcp_session, other_session) AS session_uid,
    CAST(NULL AS VARCHAR) AS credential_uid,
    on_behalf_of AS delegator_uid,
    -- hops one span proves on its own: the user an agent invocation acts for (this span only); a
    -- sub-agent started by an agent that the same span names (an invoke_agent client span naming its
    -- calling agent, an agent-as-a-tool transfer naming its target). A sub-agent known only from the
    -- trace tree is the analyses' to find (trace_uid, span_uid, parent_span_uid).
    [h FOR h IN [
        CASE WHEN op = 'invoke_agent' AND on_behalf_of IS NOT NULL AND agent_uid IS NOT NULL
             THEN struct_pack(kind := 'on_behalf_of', from_uid := on_behalf_of, to_uid := agent_uid,
                              credential_uid := CAST(NULL AS VARCHAR), scope := 'event',
                              expires := CAST(NULL AS TIMESTAMPTZ)) END,
        CASE WHEN op IN ('invoke_agent', 'create_agent') AND caller_name IS NOT NULL AND agent_uid IS NOT NULL
                  AND coalesce(caller_type, 'agent') = 'agent' AND caller_name <> agent_uid
             THEN struct_pack(kind := 'spawn_agent', from_uid := caller_name, to_uid := agent_uid,
                              credential_uid := CAST(NULL AS VARCHAR), scope := 'grant',
                              expires := CAST(NULL AS TIMESTAMPTZ)) END,
        CASE WHEN op = 'execute_tool' AND transfer_target IS NOT NULL AND agent_uid IS NOT NULL AND transfer_target <> agent_uid
             THEN struct_pack(kind := 'spawn_agent', from_uid := agent_uid, to_uid := transfer_target,
                              credential_uid := CAST(NULL AS VARCHAR), scope := 'grant',
                              expires := CAST(NULL AS TIMESTAMPTZ)) END
    ] IF h IS NOT NULL] AS delegations,
    t.uid AS target_uid,
    t.type AS target_type,
    t.name AS target_name,
    t.system AS target_system,
    [struct_pack(uid := r.uid, type := r.type, system := r.system) FOR r IN [
        struct_pack(uid := tool, type := 'tool', system := coalesce(mcp_system, 'genai')),
        struct_pack(uid := tool_call, type := 'tool_call', system := coalesce(mcp_system, 'genai')),
        struct_pack(uid := agent_uid, type := 'agent', system := 'genai'),
        struct_pack(uid := model, type := 'model', system := model_system),
        struct_pack(uid := conversation, type := 'conversation', system := 'genai'),
        struct_pack(uid := mcp_session, type := 'mcp_session', system := coalesce(mcp_system, 'mcp')),
        struct_pack(uid := mcp_resource, type := 'mcp_resource', system := coalesce(mcp_system, 'mcp')),
        struct_pack(uid := prompt, type := 'prompt', system := coalesce(mcp_system, 'genai')),
        struct_pack(uid := data_source, type := 'data_source', system := 'genai'),
        struct_pack(uid := rpc_id, type := 'jsonrpc_id', system := coalesce(mcp_system, 'mcp')),
        struct_pack(uid := tool_arguments, type := 'tool_arguments', system := coalesce(mcp_system, 'genai'))
    ] IF r.uid IS NOT NULL]
    || [struct_pack(uid := x, type := 'tool_call', system := coalesce(mcp_system, 'genai'))
        FOR x, i IN coalesce(message_calls, [])
        IF x IS NOT NULL AND x IS DISTINCT FROM tool_call AND NOT list_contains(message_calls[:i - 1], x)] AS resources,
    irkit_ip(client_address) AS src_ip,
    agent_string AS user_agent,
    trace_id AS trace_uid,
    span_id AS span_uid,
    parent_id AS parent_span_uid,
    tool AS tool_name,
    CASE
        WHEN problem IS NOT NULL THEN problem
        WHEN NOT starts_with(ltrim(raw), '{') THEN 'not a span: the record is not a JSON object'
        WHEN ts IS NULL AND trace_id IS NULL AND span_id IS NULL AND coalesce(len(kv), 0) = 0
            THEN 'not a span: no trace or span id, start time or GenAI/MCP attribute'
        WHEN ts IS NULL THEN 'span has no start time (startTimeUnixNano, startTime or start_time)'
    END AS quarantine_reason
FROM targets
