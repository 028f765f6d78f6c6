"""agentgateway access logs (the ``request`` log of agentgateway, solo.io / Linux Foundation), JSON lines.

Shape (detected by content): with ``logging.format: json`` every proxied request writes one line when it
completes, ``level``, ``time`` (RFC 3339, UTC, when the line was written: the end of the request),
``scope`` ``request``, then the fields it knows, each left out when empty: ``gateway``, ``listener``,
``route``, ``route_rule``, ``endpoint``, ``src.addr`` (``ip:port``), ``http.method``, ``http.host``,
``http.path``, ``http.version``, ``http.status``, ``trace.id``, ``span.id``, ``jwt.sub`` (the subject of
the validated JWT), ``protocol``, ``a2a.method``, the MCP fields ``mcp.method`` (the JSON-RPC method),
``mcp.target`` (the MCP target, i.e. upstream server, the request went to), ``mcp.resource.type``
(``tool``, ``prompt``, ``resource``; ``mcp.resource`` in older releases), ``mcp.resource.name``,
``mcp.session.id``, the ``gen_ai.*`` fields of LLM requests, ``retry.attempt``, ``error``, ``reason`` (why
the proxy answered itself: ``Authorization``, ``JwtAuth``, ``ExtAuth``, ``RateLimit``, ``MCP``,
``UpstreamFailure``, ...; absent for an upstream response) and ``duration`` (``<n>ms``); fields an
operator adds by CEL (``rq.headers.all``, ...) stay in raw. Format: agentgateway
``crates/agentgateway/src/telemetry/log.rs`` (``DropOnLog``: the field list) and ``proxy/mod.rs``
(``ProxyResponseReason``); the docs' access-log examples. The default text format is not read.

Mapping (see docs/normalization.md; the same conventions as the ``mcp`` loader):

=================  ==========================================================================
event_uid          SHA-256 of raw (the log has no id of its own)
time / end_time    ``time`` minus ``duration`` (the request's start) / ``time`` (its end)
class_name         a ``reason`` of authentication or authorization (``Authorization``, ``JwtAuth``,
                   ``BasicAuth``, ``APIKeyAuth``, ``ExtAuth``, ``Oidc``): authorization;
                   ``tools/call`` tool_call; an LLM request (``gen_ai.operation.name``)
                   model_invocation; else api_activity
operation          ``mcp.method``, else ``a2a.method``, else ``gen_ai.operation.name``, else
                   ``<http.method> <http.path>``
activity           invoke (tools/call, LLM and A2A requests), read (resources/read, prompts/get),
                   list (``*/list``), update (resources/subscribe), else other
status             failure on ``http.status`` >= 400, an ``error`` or a ``reason``; success on a
                   status below 400; else unknown. status_detail: ``reason: error``, else the
                   HTTP status
actor              ``jwt.sub`` (type unknown); the log names no client, so no delegation
session_uid        ``mcp.session.id``
target             ``mcp.resource.type`` tool: ``mcp.resource.name`` (``mcp_tool``); prompt
                   (``mcp_prompt``); resource (``mcp_resource``); other MCP requests the target
                   (``mcp_server``); LLM requests the model (``model``, system
                   ``genai:<gen_ai.provider.name>``);
                   system ``mcp:<mcp.target>`` (``mcp`` when no target is named)
tool_name          ``mcp.resource.name`` of tools
src_ip             ``src.addr`` without its port
trace_uid/span_uid ``trace.id`` / ``span.id`` (the gateway's span), lower-cased
=================  ==========================================================================
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

NAME = "agentgateway"
VERSION = "1.0"
DESCRIPTION = "agentgateway access logs (JSON request log lines with mcp.* fields)"


def is_access_record(record: object) -> bool:
    """Whether a parsed record is an agentgateway request log line (also used by look-alike checks)."""
    return (
        isinstance(record, Mapping)
        and record.get("scope") == "request"
        and isinstance(record.get("time"), str)
        and ("src.addr" in record or "http.method" in record or "mcp.method" in record)
    )


def sniff(records: Sequence[object]) -> bool:
    return any(is_access_record(r) for r in records)
