"""ToolHive MCP proxy audit logs (Stacklok ToolHive ``audit`` middleware, JSON lines).

Shape (detected by content): one slog JSON line per audited request, ``msg`` ``audit_event`` with
``audit_id``, ``type`` (``mcp_tool_call``, ``mcp_tools_list``, ``mcp_resource_read``, ``mcp_initialize``,
...), ``logged_at``, ``outcome`` (success, failure, error, denied, application_error), ``component`` (the
MCP server's name), ``source`` ``{type, value, extra: {user_agent, request_id, session_id}}``,
``subjects`` ``{user, user_id, client_name, client_version}``, ``target`` ``{endpoint, method, name,
type, uri}``, ``metadata.extra`` (``duration_ms``, ``transport``) and, when the proxy is configured to,
``data`` ``{request, response}`` (the JSON-RPC messages). Format: ToolHive's ``pkg/audit`` (event types,
target and subject keys, ``AuditEvent.LogTo``).

Mapping (see docs/normalization.md; the same conventions as the ``mcp`` loader):

=================  ==========================================================================
event_uid          ``audit_id``; else SHA-256 of raw
time               ``logged_at``, else the log line's ``time``
class_name         ``mcp_tool_call`` tool_call; ``denied`` outcomes authorization; else api_activity
operation          ``target.method`` (``tools/call``), else the event ``type``
status             outcome success → success; denied, failure, error, application_error → failure
                   (detail: the outcome)
actor              ``subjects.client_name`` (type agent), else the user; ``delegator_uid`` and an
                   ``on_behalf_of`` user → client hop (event): the authenticated user (``user_id``,
                   else ``user``) the client called for
session_uid        ``source.extra.session_id`` (the ``Mcp-Session-Id``)
target             tools: ``target.name`` (``mcp_tool``); resources: ``target.uri`` (``mcp_resource``);
                   prompts: ``target.name`` (``prompt``); system ``mcp:<component>``
resources          ``jsonrpc_id`` and ``tool_arguments`` of ``data.request`` when logged
src_ip/user_agent  ``source.value`` (network sources) / ``source.extra.user_agent``
=================  ==========================================================================
"""

from __future__ import annotations

from collections.abc import Sequence

NAME = "toolhive_audit"
VERSION = "1.0"
DESCRIPTION = "ToolHive MCP proxy audit logs (audit_event JSON lines)"


def sniff(records: Sequence[object]) -> bool:
    return any(isinstance(r, dict) and r.get("msg") == "audit_event" and "audit_id" in r
               and isinstance(r.get("type"), str) for r in records)
