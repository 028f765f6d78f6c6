"""An agent conversation, written at once to the two places that see it: the GenAI spans (OTLP)
and the MCP gateway log. Background and incident conversations are both built with this, so the
incident's records have exactly the shape of the agent's ordinary days.

A tool call is: ``execute_tool`` span starts at T; the gateway forwards ``tools/call`` a few ms later;
whatever the tool does in the cloud happens between T+0.2 s and T+3 s (the caller writes those
records, using `ToolCall.start_ns`); the gateway logs the response; the span ends.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from . import mcp, otel
from ._util import MS, SECOND, Ids, dumps, sha256_hex
from .sinks import Sinks

JsonObj = dict[str, Any]

PROVIDER = "anthropic"
MODEL = "claude-sonnet-4-5"

# tool -> (description, input properties)
TOOLS: dict[str, dict[str, tuple[str, JsonObj]]] = {
    "docs": {
        "read_document": ("Read a document from the invoice inbox.", {"uri": {"type": "string"}}),
        "extract_invoice": ("Extract vendor, amount and due date from an invoice.",
                            {"document_uri": {"type": "string"}}),
    },
    "ledger": {
        "post_to_ledger": ("Post an approved invoice to the accounts-payable ledger.",
                           {"invoice_id": {"type": "string"}, "vendor": {"type": "string"},
                            "amount": {"type": "string"}, "currency": {"type": "string"}}),
    },
    "tickets": {
        "search_tickets": ("Search support tickets.", {"query": {"type": "string"}}),
        "get_ticket": ("Fetch a ticket with its attachments.", {"ticket_id": {"type": "string"}}),
        "update_ticket": ("Set a ticket's status and add an internal note.",
                          {"ticket_id": {"type": "string"}, "status": {"type": "string"},
                           "note": {"type": "string"}}),
    },
    "kb": {
        "search_kb": ("Search the internal knowledge base.", {"query": {"type": "string"}}),
        "summarize": ("Summarize a knowledge-base article.", {"query": {"type": "string"}}),
    },
    "devtools": {
        "run_shell": ("Run a shell command in the agent sandbox.", {"command": {"type": "string"}}),
        "aws_cli": ("Run the AWS CLI with the given arguments.", {"args": {"type": "array"}}),
        "kubectl": ("Run kubectl with the given arguments.", {"args": {"type": "array"}}),
        "http_request": ("Send an HTTP request.", {"method": {"type": "string"}, "url": {"type": "string"}}),
    },
}
SERVER_VERSIONS = {"docs": "0.9.1", "ledger": "1.2.0", "tickets": "2.0.3", "devtools": "0.3.0", "kb": "1.0.0"}


@dataclass
class ToolCall:
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


@dataclass
class AgentRun:
    """One agent's part of a conversation: its invoke_agent span, chats, MCP session and tools."""

    sinks: Sinks
    ids: Ids
    agent: str
    version: str
    conversation: str
    trace_id: str
    session: str
    start_ns: int
    user_id: str | None = None
    parent_span: str | None = None
    description: str = ""
    spans: list[JsonObj] = field(default_factory=list)
    root_span: str = ""
    _rpc: dict[str, int] = field(default_factory=dict)
    calls: list[ToolCall] = field(default_factory=list)
    mcp_uids: list[tuple[int, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.root_span = self.ids.span_id()
        self._root_index = len(self.spans)
        self.spans.append({})  # placeholder: the invoke_agent span is written when it ends

    @property
    def root_uid(self) -> str:
        return f"{self.trace_id}:{self.root_span}"

    def _common(self) -> dict[str, str | int | bool | list[str]]:
        return {"gen_ai.conversation.id": self.conversation, "gen_ai.agent.id": self.agent,
                "gen_ai.agent.name": self.agent}

    def _mcp(self, rec: JsonObj, ns: int) -> str:
        line = self.sinks.put("mcp", ns, dumps(rec))
        uid = sha256_hex(line)
        self.mcp_uids.append((ns, uid))
        return uid

    def _next_id(self, server: str) -> int:
        n = self._rpc.get(server, -1) + 1
        self._rpc[server] = n
        return n

    # ------------------------------------------------------------ MCP plumbing
    def open_server(self, ns: int, server: str) -> int:
        """initialize + notifications/initialized + tools/list; returns the time it is done."""
        rid = self._next_id(server)
        self._mcp(mcp.request(ns, server, self.session, "initialize",
                              mcp.initialize_params(self.agent, self.version), rid), ns)
        ns += self.ids.rng.randint(8, 40) * MS + self.ids.rng.randint(0, 999_999)
        self._mcp(mcp.response(ns, server, self.session, rid,
                               result=mcp.initialize_result(server, SERVER_VERSIONS[server])), ns)
        ns += self.ids.rng.randint(1, 5) * MS + self.ids.rng.randint(0, 999_999)
        self._mcp(mcp.request(ns, server, self.session, "notifications/initialized", None, None), ns)
        ns += self.ids.rng.randint(1, 5) * MS + self.ids.rng.randint(0, 999_999)
        rid = self._next_id(server)
        self._mcp(mcp.request(ns, server, self.session, "tools/list", None, rid), ns)
        ns += self.ids.rng.randint(5, 30) * MS + self.ids.rng.randint(0, 999_999)
        self._mcp(mcp.response(ns, server, self.session, rid, result=mcp.tools_result(TOOLS[server])), ns)
        return ns

    # ------------------------------------------------------------ spans
    def chat(self, ns: int, duration_ns: int) -> int:
        rng = self.ids.rng
        attrs: dict[str, str | int | bool | list[str]] = {
            "gen_ai.operation.name": "chat", "gen_ai.provider.name": PROVIDER, "gen_ai.request.model": MODEL,
            "gen_ai.response.model": MODEL, "gen_ai.usage.input_tokens": rng.randint(900, 6000),
            "gen_ai.usage.output_tokens": rng.randint(40, 700), "gen_ai.response.finish_reasons": ["tool_use"],
            **self._common()}
        self.spans.append(otel.span(self.trace_id, self.ids.span_id(), self.root_span, f"chat {MODEL}",
                                    otel.CLIENT, ns, ns + duration_ns, attrs))
        return ns + duration_ns

    def tool(self, ns: int, server: str, tool: str, args: JsonObj, result: str, latency_ns: int, *,
             is_error: bool = False, rpc_error: JsonObj | None = None) -> ToolCall:
        rng = self.ids.rng
        span_id = self.ids.span_id()
        call_id = "toolu_01" + self.ids.b62(22)
        rid = self._next_id(server)
        req_ns = ns + rng.randint(2, 12) * MS + rng.randint(0, 999_999)
        params = {"name": tool, "arguments": args,
                  "_meta": {"traceparent": f"00-{self.trace_id}-{span_id}-01"}}
        req_uid = self._mcp(mcp.request(req_ns, server, self.session, "tools/call", params, rid), req_ns)
        resp_ns = ns + latency_ns
        if rpc_error is not None:
            resp = mcp.response(resp_ns, server, self.session, rid, error=rpc_error)
        else:
            resp = mcp.response(resp_ns, server, self.session, rid, result=mcp.call_result(result, is_error))
        resp_uid = self._mcp(resp, resp_ns)
        end_ns = resp_ns + rng.randint(1, 9) * MS + rng.randint(0, 999_999)
        attrs: dict[str, str | int | bool | list[str]] = {
            "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": tool, "gen_ai.tool.type": "function",
            "gen_ai.tool.call.id": call_id, "gen_ai.tool.call.arguments": json.dumps(args),
            **self._common(), "mcp.method.name": "tools/call", "mcp.session.id": self.session,
            "mcp.server.name": server, "jsonrpc.request.id": str(rid)}
        error = None
        if rpc_error is not None:
            attrs["error.type"] = str(rpc_error["code"])
            error = rpc_error["message"]
        elif is_error:
            attrs["error.type"] = "tool_error"
            error = result[:120]
        self.spans.append(otel.span(self.trace_id, span_id, self.root_span, f"execute_tool {tool}",
                                    otel.INTERNAL, ns, end_ns, attrs, error))
        call = ToolCall(tool, server, self.agent, self.session, ns, end_ns, req_ns, resp_ns,
                        f"{self.trace_id}:{span_id}", req_uid, resp_uid)
        self.calls.append(call)
        return call

    def spawn(self, ns: int, agent: str, version: str, session: str, description: str) -> AgentRun:
        """A sub-agent in the same trace and conversation, its invoke_agent span under this agent's."""
        return AgentRun(self.sinks, self.ids, agent, version, self.conversation, self.trace_id, session, ns,
                        parent_span=self.root_span, description=description, spans=self.spans)

    def finish(self, end_ns: int) -> None:
        attrs: dict[str, str | int | bool | list[str]] = {
            "gen_ai.operation.name": "invoke_agent", "gen_ai.provider.name": PROVIDER,
            "gen_ai.request.model": MODEL, **self._common()}
        if self.description:
            attrs["gen_ai.agent.description"] = self.description
        if self.user_id:
            attrs["user.id"] = self.user_id
        self.spans[self._root_index] = otel.span(
            self.trace_id, self.root_span, self.parent_span, f"invoke_agent {self.agent}", otel.INTERNAL,
            self.start_ns, end_ns, attrs)


def emit_trace(sinks: Sinks, root: AgentRun, service: str, resource: dict[str, str]) -> None:
    """Write the conversation's spans as one OTLP batch, filed at the conversation's start."""
    sinks.put("otel", root.start_ns, dumps(otel.batch(service, root.version, resource, root.spans)))


def api_time(rng: Any, tool_start_ns: int, *, whole_seconds: bool, lo: float = 0.25, hi: float = 2.9) -> int:
    """A time inside the attribution window [T+0.2 s, T+3 s] of a tool call. CloudTrail keeps whole
    seconds only, so for it we pick a whole second that is itself inside the window."""
    if whole_seconds:
        first = -(-(tool_start_ns + int(lo * SECOND)) // SECOND)  # ceil
        last = (tool_start_ns + int(hi * SECOND)) // SECOND
        return rng.randint(first, last) * SECOND
    return tool_start_ns + int(rng.uniform(lo, hi) * SECOND)
