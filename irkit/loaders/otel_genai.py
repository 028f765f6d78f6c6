"""OpenTelemetry spans of AI agents (GenAI and MCP semantic conventions), in the shapes they are saved in.

Shapes (all detected by content):

* OTLP/JSON ``ExportTraceServiceRequest`` documents ``{"resourceSpans": [...]}``: one per line (the
  collector's file exporter) or pretty-printed. Attributes are typed ``[{key, value: {stringValue |
  intValue | boolValue | doubleValue | arrayValue | kvlistValue}}]``, ids hex in either case (base64 ids
  from exporters that use protobuf's own JSON mapping are decoded), times as unix-nanosecond strings
  or numbers. A document yields **one row per span**, ``evidence_path`` =
  ``<record path>.resourceSpans[i].scopeSpans[j].spans[k]``; a document holding no span is quarantined
  (``OTLP document holds no spans``).
* One span on its own: an OTLP span outside its envelope, an OTel JS ``ReadableSpan`` dump (Vercel AI
  SDK: ``spanContext``, ``attributes`` as an object, ``startTime`` ``[sec, nanos]``), the Python SDK's
  console exporter form (``context.trace_id`` ``0x…``, ``start_time`` ISO), or a bare attribute map
  whose keys are the attribute names.

``raw``: the record byte for byte, except for a document holding several spans, where each row's raw is
a one-span OTLP document ``{"resourceSpans":[{"resource":…,"scopeSpans":[{"scope":…,"spans":[<span>]}]}]}``
rebuilt from that span's JSON, its resource and its scope as DuckDB re-serializes them (same keys in
the same order and the same values; whitespace dropped, string escapes decoded, numbers in DuckDB's
spelling). It can be ingested again as it is; ``evidence_file`` + ``evidence_offset`` +
``evidence_path`` locate the exact original bytes.

Mapping (see docs/normalization.md); an attribute is looked up on the span first, then its resource:

=================  ==========================================================================
event_uid          lower(traceId) ``:`` lower(spanId); else SHA-256 of raw
time               span start: ``startTimeUnixNano`` / ``startTime`` / ``start_time``, UTC
end_time           span end: ``endTimeUnixNano`` / ``endTime`` / ``end_time`` (null before the start)
class_name         ``gen_ai.operation.name`` invoke_agent/create_agent → agent_invocation;
                   execute_tool (or, without an operation name, MCP ``tools/call`` or a Vercel
                   ``ai.toolCall`` span) → tool_call; everything else (chat, embeddings, spans
                   without GenAI attributes) → api_activity
operation          ``gen_ai.operation.name``, else ``mcp.method.name``, else the span name
status             failure when ``error.type`` is set or status code is ERROR (2); detail
                   ``error.type: status message``
actor              ``gen_ai.agent.id`` (else ``gen_ai.agent.name``), type agent, only where the
                   conventions name an agent: invoke_agent / create_agent / plan (the invoked or
                   created agent) and execute_tool (the agent executing it, agent-as-a-tool); else
                   ``service.name``, type service. A tool, model or MCP span belongs to the agent
                   whose invoke_agent span encloses it: ``irkit/sql/view_call_agents.sql`` derives it
activity           invoke (tool, agent and model calls), create (create_agent), read
                   (resources/read, prompts/get), list (``*/list``), else other
delegations        invoke_agent with ``user.id``/``enduser.id``: on_behalf_of user → agent, scope
                   event; a spawn one span proves alone, scope grant: an invoke_agent/create_agent
                   span naming its calling agent (``gen_ai.caller.name``, type agent) caller →
                   agent, an execute_tool transfer (``gen_ai.transfer.target.name``) agent → target.
                   A sub-agent seen only in the trace tree is left to the analyses
session_uid        ``gen_ai.conversation.id``, else ``mcp.session.id``, else ``session.id``
delegator_uid      ``user.id`` (else ``enduser.id``): on whose behalf the agent acts
target             execute_tool: the tool (``tool``, ``mcp:<mcp.server.name or server.address>``,
                   on an MCP server-side span ``mcp:<service.name>``, else ``genai``);
                   invoke_agent/create_agent: the agent id (``agent``, ``genai``); MCP resources and
                   prompts: ``mcp.resource.uri`` (``mcp_resource``) / ``gen_ai.prompt.name``
                   (``prompt``); model calls: ``gen_ai.request.model`` (``model``,
                   ``genai:<gen_ai.provider.name or gen_ai.system>``)
resources          tool, tool call id, agent, model, conversation, MCP session (``mcp_session``,
                   so attribution can join spans to MCP gateway records), MCP resource, prompt,
                   data source, ``jsonrpc.request.id`` (``jsonrpc_id``), ``gen_ai.tool.call.arguments``
                   (``tool_arguments``: JSON text; an OTLP kvlistValue as a plain object)
src_ip/user_agent  ``client.address`` / ``user_agent.original`` (Vercel: the request user-agent)
trace/span ids     lower-case hex, ``0x`` dropped; parent from ``parentSpanId`` /
                   ``parentSpanContext.spanId`` / ``parent_id``
=================  ==========================================================================

A span without any start time (bare attribute maps saved by instrumentation tests) cannot be placed
on a timeline: it is quarantined with that reason, not loaded with a NULL time. Message contents and
tool results are not mapped; they stay in ``raw``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from irkit.loaders.agentgateway import is_access_record

NAME = "otel_genai"
VERSION = "1.2"
DESCRIPTION = "OpenTelemetry GenAI/MCP spans: OTLP/JSON documents, JS/Python span dumps, attribute maps"

_ATTRIBUTE_PREFIXES = ("gen_ai.", "mcp.", "openinference.", "traceloop.")


def sniff(records: Sequence[object]) -> bool:
    return any(isinstance(record, Mapping) and _is_span_record(record) for record in records)


def _is_span_record(record: Mapping[str, object]) -> bool:
    spans = record.get("resourceSpans")
    if isinstance(spans, list):
        return True
    context = record.get("spanContext") or record.get("context")
    if isinstance(context, Mapping) and ({"traceId", "spanId"} <= context.keys() or {"trace_id", "span_id"} <= context.keys()):
        return True
    if "traceId" in record and "spanId" in record and ("startTimeUnixNano" in record or "attributes" in record):
        return True
    if is_access_record(record):  # a gateway's access log line also names mcp.* / gen_ai.* keys: not a span
        return False
    return any(isinstance(key, str) and key.startswith(_ATTRIBUTE_PREFIXES) for key in record)
