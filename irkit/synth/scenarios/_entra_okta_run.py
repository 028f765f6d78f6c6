"""An agent conversation in strict OpenTelemetry GenAI shape, and the MCP gateway lines it causes.

Unlike the invoice sample's spans, only ``invoke_agent`` spans name the agent (``gen_ai.agent.id`` /
``gen_ai.agent.name``): ``chat`` and ``execute_tool`` spans carry no agent attribute and belong to the
agent whose ``invoke_agent`` span encloses them (their parent). A sub-agent's ``invoke_agent`` span is a
child of its parent's ``invoke_agent`` span, in the same trace and conversation. Tool spans follow the MCP
client conventions: name ``tools/call <tool>``, kind CLIENT, ``mcp.method.name``, ``mcp.session.id``,
``mcp.protocol.version``, ``jsonrpc.request.id``, ``server.address`` / ``server.port`` (the MCP server's
in-cluster host name, which the gateway logs as its ``server_id``). The ``tools/call`` request carries the
tool span's context in ``params._meta.traceparent``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .. import mcp, otel
from .._util import MS, Ids, dumps, sha256_hex

JsonObj = dict[str, Any]
Attrs = dict[str, str | int | bool | list[str]]

PROVIDER = "anthropic"
MODEL = "claude-sonnet-4-5"
PORT = 8080


@dataclass
class Call:
    tool: str
    server: str
    agent: str
    session: str
    start_ns: int
    end_ns: int
    req_ns: int
    resp_ns: int
    span_uid: str
    mcp_request_uid: str
    mcp_response_uid: str


class Lines:
    """Serialized records of one JSON-lines source, sorted by time when written."""

    def __init__(self) -> None:
        self.items: list[tuple[int, int, bytes]] = []

    def put(self, ns: int, rec: JsonObj) -> bytes:
        line = dumps(rec)
        self.items.append((ns, len(self.items), line))
        return line

    def sorted_bytes(self) -> bytes:
        return b"".join(line + b"\n" for _, _, line in sorted(self.items))


@dataclass
class Run:
    """One agent's part of a conversation: its invoke_agent span, its chats, its MCP session and tools."""

    mcp_log: Lines
    ids: Ids
    agent: str
    version: str
    conversation: str
    trace_id: str
    session: str
    start_ns: int
    tools: dict[str, dict[str, tuple[str, JsonObj]]]
    user_id: str | None = None
    parent_span: str | None = None
    description: str = ""
    spans: list[JsonObj] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    mcp_uids: list[tuple[int, str]] = field(default_factory=list)
    end_ns: int = 0

    def __post_init__(self) -> None:
        self.root_span = self.ids.span_id()
        self._root_index = len(self.spans)
        self.spans.append({})  # the invoke_agent span, written when the run ends
        self._rpc: dict[str, int] = {}

    @property
    def root_uid(self) -> str:
        return f"{self.trace_id}:{self.root_span}"

    def _mcp(self, ns: int, rec: JsonObj) -> str:
        uid = sha256_hex(self.mcp_log.put(ns, rec))
        self.mcp_uids.append((ns, uid))
        return uid

    def _next_id(self, server: str) -> int:
        n = self._rpc.get(server, -1) + 1
        self._rpc[server] = n
        return n

    def _jitter(self, lo_ms: int, hi_ms: int) -> int:
        return self.ids.rng.randint(lo_ms, hi_ms) * MS + self.ids.rng.randint(0, 999_999)

    def open(self, ns: int, server: str) -> int:
        """initialize, notifications/initialized, tools/list; the time the session is ready."""
        rid = self._next_id(server)
        self._mcp(ns, mcp.request(ns, server, self.session, "initialize",
                                  mcp.initialize_params(self.agent, self.version), rid))
        ns += self._jitter(8, 40)
        self._mcp(ns, mcp.response(ns, server, self.session, rid, result=mcp.initialize_result(server, "1.4.2")))
        ns += self._jitter(1, 5)
        self._mcp(ns, mcp.request(ns, server, self.session, "notifications/initialized", None, None))
        ns += self._jitter(1, 5)
        rid = self._next_id(server)
        self._mcp(ns, mcp.request(ns, server, self.session, "tools/list", None, rid))
        ns += self._jitter(5, 30)
        self._mcp(ns, mcp.response(ns, server, self.session, rid, result=mcp.tools_result(self.tools[server])))
        return ns

    def chat(self, ns: int, duration_ns: int, finish: str = "tool_use") -> int:
        rng = self.ids.rng
        attrs: Attrs = {"gen_ai.operation.name": "chat", "gen_ai.provider.name": PROVIDER,
                        "gen_ai.request.model": MODEL, "gen_ai.response.model": MODEL,
                        "gen_ai.response.id": "msg_01" + self.ids.b62(22),
                        "gen_ai.usage.input_tokens": rng.randint(1200, 9000),
                        "gen_ai.usage.output_tokens": rng.randint(40, 800),
                        "gen_ai.response.finish_reasons": [finish], "gen_ai.conversation.id": self.conversation}
        self.spans.append(otel.span(self.trace_id, self.ids.span_id(), self.root_span, f"chat {MODEL}",
                                    otel.CLIENT, ns, ns + duration_ns, attrs))
        return ns + duration_ns

    def tool(self, ns: int, server: str, tool: str, args: JsonObj, result: str, latency_ns: int, *,
             is_error: bool = False) -> Call:
        span_id = self.ids.span_id()
        rid = self._next_id(server)
        req_ns = ns + self._jitter(2, 12)
        params = {"name": tool, "arguments": args, "_meta": {"traceparent": f"00-{self.trace_id}-{span_id}-01"}}
        req_uid = self._mcp(req_ns, mcp.request(req_ns, server, self.session, "tools/call", params, rid))
        resp_ns = ns + latency_ns
        resp_uid = self._mcp(resp_ns, mcp.response(resp_ns, server, self.session, rid,
                                                   result=mcp.call_result(result, is_error)))
        end_ns = resp_ns + self._jitter(1, 9)
        attrs: Attrs = {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": tool,
                        "gen_ai.tool.type": "function", "gen_ai.tool.call.id": "toolu_01" + self.ids.b62(22),
                        "gen_ai.tool.call.arguments": json.dumps(args), "gen_ai.conversation.id": self.conversation,
                        "mcp.method.name": "tools/call", "mcp.session.id": self.session,
                        "mcp.protocol.version": mcp.PROTOCOL, "jsonrpc.request.id": str(rid),
                        "server.address": server, "server.port": PORT, "network.transport": "tcp",
                        "network.protocol.name": "http"}
        error = None
        if is_error:
            attrs["error.type"] = "tool_error"
            error = result[:120]
        self.spans.append(otel.span(self.trace_id, span_id, self.root_span, f"tools/call {tool}", otel.CLIENT,
                                    ns, end_ns, attrs, error))
        call = Call(tool, server, self.agent, self.session, ns, end_ns, req_ns, resp_ns,
                    f"{self.trace_id}:{span_id}", req_uid, resp_uid)
        self.calls.append(call)
        return call

    def spawn(self, ns: int, agent: str, version: str, session: str, description: str) -> Run:
        """A sub-agent: its invoke_agent span is a child of this agent's, in the same trace."""
        return Run(self.mcp_log, self.ids, agent, version, self.conversation, self.trace_id, session, ns,
                   self.tools, parent_span=self.root_span, description=description, spans=self.spans)

    def finish(self, end_ns: int) -> None:
        self.end_ns = end_ns
        attrs: Attrs = {"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.id": self.agent,
                        "gen_ai.agent.name": self.agent, "gen_ai.provider.name": PROVIDER,
                        "gen_ai.request.model": MODEL, "gen_ai.conversation.id": self.conversation}
        if self.description:
            attrs["gen_ai.agent.description"] = self.description
        if self.user_id:
            attrs["user.id"] = self.user_id
        self.spans[self._root_index] = otel.span(self.trace_id, self.root_span, self.parent_span,
                                                 f"invoke_agent {self.agent}", otel.INTERNAL, self.start_ns,
                                                 end_ns, attrs)

    def span_start(self, span_uid: str) -> int:
        sid = span_uid.split(":")[1]
        return int(next(s for s in self.spans if s.get("spanId") == sid)["startTimeUnixNano"])


def otlp_line(run: Run, service: str, resource: dict[str, str]) -> bytes:
    """The conversation's spans as one OTLP/JSON export request (one line)."""
    return dumps(otel.batch(service, run.version, resource, run.spans))
