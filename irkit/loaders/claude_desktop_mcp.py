"""Claude Desktop's MCP logs: ``mcp.log`` and ``mcp-server-<name>.log`` (``~/Library/Logs/Claude`` on
macOS, ``%APPDATA%\\Claude\\logs`` on Windows), text lines the client writes about each MCP server it
runs, with the JSON-RPC messages it exchanges with them.

Documented shape (MCP debugging guide, modelcontextprotocol.io/docs/tools/debugging: ``mcp.log`` holds
"general logging about MCP connections and connection failures", ``mcp-server-SERVERNAME.log`` the named
server's stderr as well); the line shape is taken from real logs quoted in public issues::

    2026-03-01T09:44:53.641Z [filesystem] [info] Message from client: {"method":"tools/call",...,"id":2} { metadata: undefined }
    2025-04-08T07:54:28.421Z [info] [browsermcp] Message from server: {"jsonrpc":"2.0","id":612,"error":{...}}
    2024-11-28T09:27:43.731Z [info] Connected to MCP server sqlite!

* an ISO-8601 UTC timestamp with milliseconds, then ``[server] [level]`` (server logs; mcp.log since
  mid 2025) or ``[level] [server]`` (mcp.log before), or ``[level]`` alone (mcp.log, 2024);
* the message: ``Message from client: <JSON-RPC>`` / ``Message from server: <JSON-RPC>`` (the client
  writes its own messages as ``method, params, jsonrpc, id``), or connection news (``Initializing
  server...``, ``Using MCP server command: ...``, ``Server started and connected successfully``,
  ``Client transport closed``, ``Server disconnected. ...`` at level error);
* since mid 2025 a `` { metadata: ... }`` tail; long payloads cut as ``...[N chars truncated]...``;
  newer clients may log only ``method="tools/list" id=1 params`` / ``id=1 result``;
* between entries, lines without the prefix: the server's own stderr and the continuation lines of a
  multi-line entry (the command's arguments and paths).

Mapping (see docs/normalization.md):

=================  ==========================================================================
event_uid          SHA-256 of the line (messages have no id of their own; JSON-RPC ids repeat)
time               the line's timestamp
operation          requests and notifications: the method; responses: ``<method> response`` of the
                   request they answer, else named from the result's shape (as the ``mcp`` loader);
                   connection news and other entries: ``log``
class_name         tool_call for tools/call and its response; api_activity otherwise
status             responses: failure on a JSON-RPC ``error`` (``code: message``) or ``result.isError``
                   (the first text, 500 characters), else success; entries at level error: failure
                   (the message, 1000 characters, in status_detail; warnings keep it too); else unknown
actor_uid          the client: ``clientInfo.name`` of the connection's initialize request; without one
                   ``claude-ai`` (the name this client gives in every initialize it logs); actor_type
                   ``agent``; user_agent ``name/version`` when the initialize is in the file
session_uid        the connection: ``<server>@<timestamp>`` of the ``Initializing server...`` line
                   (else the initialize request) that opened it, the same in mcp.log and the server's
                   log; null before the first one in the file
target             tools/call: the tool (``mcp_tool``); resources/read|subscribe: the URI; prompts/get:
                   the prompt; other messages: the server (``mcp_server``); entries: none
target_system      ``mcp:<server>`` (the bracket that is not the level); ``mcp`` when none is named
end_time           of a request: the time of the response with its id from the other side, in the same
                   file, server and connection (n-th request with id X, n-th response with id X)
activity           invoke (tools/call and its response), read, list, update, else other
resources          the target; every tool, resource and prompt a list result names; the JSON-RPC id
                   (``jsonrpc_id``); a tools/call's ``params.arguments`` (``tool_arguments``); the text a
                   tool returned (``tool_result``, 4096 characters); an entry's server (``mcp_server``)
quarantined        lines without the prefix (stderr, continuation lines), with their line number;
                   a Message line naming no method, id or result
=================  ==========================================================================

The same message appears in both mcp.log and the server's log: each file's line is its own record
(the raw text differs), both stay. Detection reads the first lines (``sniff_lines``): a prefix with a
lower-case level and one of the client's own phrases; plain JSON-RPC logs stay with the ``mcp`` loader
and other timestamped text logs are not taken.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

NAME = "claude_desktop_mcp"
VERSION = "1.0"
DESCRIPTION = "Claude Desktop MCP logs (mcp.log, mcp-server-<name>.log): JSON-RPC messages and connection news"

_PREFIX = (
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z "
    r"(?:\[[^\]]+\] \[(?:info|warn|error|debug)\]|\[(?:info|warn|error|debug)\](?: \[[^\]]+\])?) "
)
_PHRASES = (
    r'Message from (?:client|server): (?:\{.*"jsonrpc":"2\.0"|method="|id=)',
    r"Initializing server\.\.\.",
    r"Using MCP server command: ",
    r"Server started and connected successfully",
    r"(?:Client|Server) transport closed",
    r"Shutting down server\.\.\.",
    r"Server disconnected\. ",
    r"Attempting to connect to MCP server ",
    r"Connected to MCP server ",
)
_LINE = re.compile(_PREFIX + "(?:" + "|".join(_PHRASES) + ")")


def sniff(records: Sequence[object]) -> bool:
    """Never from JSON records: the log's lines are text (see :func:`sniff_lines`)."""
    return False


def sniff_lines(lines: Sequence[str]) -> bool:
    """Whether a file's first lines are this client's MCP log: one entry with its prefix and phrase."""
    return any(_LINE.match(line) for line in lines)
