"""An MCP gateway's JSON-RPC message log: one object per line with the gateway's Go timestamp
(RFC3339Nano, trailing zeros trimmed), direction ``OUT`` (to the server) / ``IN``, type
``REQUEST``/``RESPONSE``, the backend ``server_id``, the ``session_id`` (Mcp-Session-Id) and the
JSON-RPC message itself as ``payload``. Records have no id of their own: irkit's event uid is
the SHA-256 of the line.
"""

from __future__ import annotations

from typing import Any

from ._util import iso_go

JsonObj = dict[str, Any]

PROTOCOL = "2025-06-18"


def request(ns: int, server: str, session: str, method: str, params: JsonObj | None,
            rpc_id: int | None) -> JsonObj:
    payload: JsonObj = {"jsonrpc": "2.0"}
    if rpc_id is not None:
        payload["id"] = rpc_id
    payload["method"] = method
    payload["params"] = params
    return {"timestamp": iso_go(ns), "direction": "OUT", "type": "REQUEST", "server_id": server,
            "session_id": session, "method": method, "payload": payload}


def response(ns: int, server: str, session: str, rpc_id: int, *, result: JsonObj | None = None,
             error: JsonObj | None = None) -> JsonObj:
    payload: JsonObj = {"jsonrpc": "2.0", "id": rpc_id}
    if error is not None:
        payload["error"] = error
    else:
        payload["result"] = result
    return {"timestamp": iso_go(ns), "direction": "IN", "type": "RESPONSE", "server_id": server,
            "session_id": session, "payload": payload}


def initialize_params(client: str, version: str) -> JsonObj:
    return {"protocolVersion": PROTOCOL, "capabilities": {"roots": {"listChanged": False}},
            "clientInfo": {"name": client, "version": version}}


def initialize_result(server: str, version: str) -> JsonObj:
    return {"protocolVersion": PROTOCOL, "capabilities": {"tools": {"listChanged": False}},
            "serverInfo": {"name": f"{server}-mcp", "version": version}}


def tools_result(tools: dict[str, tuple[str, JsonObj]]) -> JsonObj:
    return {"tools": [{"name": name, "description": desc,
                       "inputSchema": {"type": "object", "properties": props, "required": sorted(props)}}
                      for name, (desc, props) in tools.items()]}


def call_result(text: str, is_error: bool) -> JsonObj:
    return {"content": [{"type": "text", "text": text}], "isError": is_error}
