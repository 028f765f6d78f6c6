"""Model Context Protocol traffic: JSON-RPC 2.0 messages as MCP gateways and proxies record them.

Shapes (all detected by content): gateway logs with one record per line — ``timestamp``,
``direction`` (``IN``/``OUT``), ``type`` (``REQUEST``/``RESPONSE``; the newer ``event``
``rpc_request``/``rpc_response`` form too), ``server_id``, ``method`` on requests, optional
``session_id`` (the ``Mcp-Session-Id`` the gateway saw) and ``error`` (the gateway's own failure),
``payload`` = the JSON-RPC message — plus the gateway's policy records (``DIFC_FILTERED``: an item a
tool returned that the gateway withheld); and bare JSON-RPC messages (``{"jsonrpc": "2.0", ...}``).

Every message is its own row, so loss accounting stays exact; ``irkit/sql/view_tool_calls.sql`` pairs
each ``tools/call`` with its response.

Mapping (see docs/normalization.md):

=================  ==========================================================================
event_uid          SHA-256 of the raw record (messages have no id of their own; JSON-RPC ids repeat)
time               the gateway's ``timestamp`` (a bare message's own ``timestamp``). A bare message has none: it is quarantined
                   (``no timestamp: a bare JSON-RPC message``) rather than placed on a timeline at a
                   made-up time; its raw text stays in quarantine
operation          requests and notifications: the method (``tools/call``, ``initialize``,
                   ``notifications/initialized``); responses: named from the result's shape
                   (``tools/call response`` for a CallToolResult, ``tools/list response``,
                   ``initialize response``, ...; ``response`` when the shape says nothing, e.g. an
                   error); gateway records: their type in lower case (``difc_filtered``)
class_name         tool_call for tools/call requests and results; authorization for DIFC_FILTERED;
                   api_activity otherwise
status             responses: failure on a JSON-RPC ``error`` (``code: message``), on
                   ``result.isError`` (the first text content, 500 characters) or on a gateway
                   ``error``; else success. Requests and notifications: unknown (their outcome is the
                   response's; a gateway ``error`` on a request is a failure). DIFC_FILTERED: failure
actor_uid          the client: ``params._meta["io.modelcontextprotocol/clientInfo"].name`` (2026
                   stateless requests), else ``clientInfo.name`` of the last ``initialize`` before the
                   message in the same file, server and session; else NULL. actor_type ``agent``;
                   user_agent ``name/version``
session_uid        the gateway's ``session_id``
tool_name          ``params.name`` of tools/call requests; DIFC_FILTERED ``tool_name``
target             tools/call: the tool (``mcp_tool``); resources/read|subscribe: the URI
                   (``mcp_resource``); prompts/get: the prompt (``mcp_prompt``); otherwise the server
                   (``mcp_server``); system ``mcp:<server_id>`` (``mcp`` when no server is named)
resources          the target; every tool, resource and prompt a list result names; DIFC_FILTERED's
                   ``html_url`` and ``author_login``
end_time           of a request: the time of the response carrying its JSON-RPC id in the same file,
                   server and session (n-th request with id X, n-th response with id X)
activity           invoke (tools/call and its response), read (resources/read, prompts/get), list
                   (``*/list``), update (resources/subscribe), else other
trace_uid          from a valid W3C ``params._meta.traceparent``; parent_span_uid = its span id (the
                   caller's span: its execute_tool or MCP client span); span_uid stays null
target_system      ``mcp:<server_id>``; a log without server_id (bare JSON-RPC): ``mcp:<serverInfo.name>``
                   of the file's initialize response (the last before the message in the same
                   session, else the first after it); else ``mcp``
resources          also the JSON-RPC id (``jsonrpc_id``, text), a tools/call request's
                   ``params.arguments`` (``tool_arguments``, JSON text), the text a tool result
                   returned (``tool_result``, its ``content`` texts joined, first 4096 characters) and
                   the ``tracestate`` (``tracestate``)
=================  ==========================================================================
"""

from __future__ import annotations

from collections.abc import Sequence

NAME = "mcp"
VERSION = "1.2"
DESCRIPTION = "MCP JSON-RPC traffic: gateway/proxy message logs, bare JSON-RPC messages"

METHOD_PREFIXES = (
    "tools/", "resources/", "prompts/", "notifications/", "completion/", "logging/", "sampling/",
    "roots/", "elicitation/", "tasks/", "server/",
)
METHODS = ("initialize", "ping")
RESULT_KEYS = frozenset(
    {"content", "isError", "structuredContent", "tools", "serverInfo", "resources", "resourceTemplates",
     "contents", "prompts", "messages"}
)


def _is_mcp_message(message: object) -> bool:
    if not isinstance(message, dict) or message.get("jsonrpc") != "2.0":
        return False
    method = message.get("method")
    if isinstance(method, str):
        return method in METHODS or method.startswith(METHOD_PREFIXES)
    result = message.get("result")
    if isinstance(result, dict):
        return bool(RESULT_KEYS & result.keys())
    return isinstance(message.get("error"), dict) and "id" in message


def _is_gateway_record(record: dict) -> bool:
    kind = record.get("type", record.get("event"))
    if "server_id" in record and isinstance(kind, str) and kind.upper() == "DIFC_FILTERED":
        return True
    payload = record.get("payload")
    return (
        isinstance(payload, dict)
        and payload.get("jsonrpc") == "2.0"
        and ("server_id" in record or "direction" in record)
    )


def sniff(records: Sequence[object]) -> bool:
    return any(
        isinstance(r, dict) and (_is_gateway_record(r) or _is_mcp_message(r)) for r in records
    )
