"""Vendor record shapes for the GCP / GKE / GitHub scenarios, built from each vendor's documentation.

- GCP: a Cloud Logging ``LogEntry`` whose ``protoPayload`` is a ``google.cloud.audit.AuditLog``
  (``authenticationInfo.principalEmail`` / ``principalSubject`` / ``serviceAccountDelegationInfo`` /
  ``serviceAccountKeyName``; ``authorizationInfo[]``; ``requestMetadata``), timestamps in RFC 3339 with
  nanoseconds, ``insertId`` a short lower-case id. IAM admin request/response bodies use the proto
  field names (``private_key_type``, ``valid_after_time``) as the IAM audit examples show.
- Kubernetes: ``audit.k8s.io/v1`` ``Event`` objects in the API server's field order, ``impersonatedUser``
  when the caller used ``--as``, the service-account token id in
  ``user.extra["authentication.kubernetes.io/credential-id"]`` (``JTI=<uuid>``).
- GenAI spans: OTLP/JSON, strict semantic conventions: ``gen_ai.agent.*`` only on ``invoke_agent``
  spans; ``execute_tool`` spans carry ``gen_ai.tool.name`` / ``gen_ai.tool.call.id`` and the MCP client
  attributes (``mcp.method.name``, ``mcp.session.id``, ``jsonrpc.request.id``, ``server.address``);
  the MCP ``tools/call`` request names the span in ``params._meta.traceparent`` (W3C trace context).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .. import mcp, otel
from .._util import MS, NS, US, Ids, _hms, dumps, iso_us, ns_of, sha256_hex

JsonObj = dict[str, Any]
Attrs = dict[str, str | int | bool | list[str]]

AUDIT_LOG = "type.googleapis.com/google.cloud.audit.AuditLog"
_INSERT_ID = "abcdefghijklmnopqrstuvwxyz0123456789"


# ---------------------------------------------------------------- GCP Cloud Audit Logs
def iso_ns(ns: int) -> str:
    """Cloud Logging: 2026-11-17T10:06:05.123456789Z (nanoseconds)."""
    return f"{_hms(ns // NS)}.{ns % NS:09d}Z"


def insert_id(ids: Ids) -> str:
    return ("-" if ids.rng.random() < 0.15 else "") + "".join(ids.rng.choices(_INSERT_ID, k=12))


@dataclass(frozen=True)
class Caller:
    """Who called, as authenticationInfo records it."""

    email: str | None = None
    subject: str | None = None
    delegation: tuple[JsonObj, ...] = ()
    key_name: str | None = None

    def auth(self) -> JsonObj:
        a: JsonObj = {}
        if self.email:
            a["principalEmail"] = self.email
        if self.subject:
            a["principalSubject"] = self.subject
        if self.key_name:
            a["serviceAccountKeyName"] = self.key_name
        if self.delegation:
            a["serviceAccountDelegationInfo"] = list(self.delegation)
        return a


def via_first_party(email: str) -> JsonObj:
    """A delegation authority that is a Google identity (impersonation by a user or service account)."""
    return {"firstPartyPrincipal": {"principalEmail": email}}


def via_subject(subject: str) -> JsonObj:
    """A delegation authority without an e-mail (a workload-identity pool principal)."""
    return {"principalSubject": subject}


def gcp_entry(ids: Ids, ns: int, *, project: str, log: str, service: str, method: str, resource_name: str,
              caller: Caller, authz: list[JsonObj], resource: JsonObj, ip: str, ua: str,
              request: JsonObj | None = None, response: JsonObj | None = None, metadata: JsonObj | None = None,
              status: JsonObj | None = None, request_attrs: JsonObj | None = None,
              num_items: int | None = None) -> JsonObj:
    """One LogEntry. `log` is ``activity`` or ``data_access``; keys sorted (gcloud's JSON printer)."""
    rng = ids.rng
    req_meta: JsonObj = {"callerIp": ip, "callerSuppliedUserAgent": ua,
                         "destinationAttributes": {},
                         "requestAttributes": {**(request_attrs or {}), "auth": {},
                                               "time": iso_ns(ns + rng.randint(50, 900) * US)}}
    payload: JsonObj = {"@type": AUDIT_LOG, "authenticationInfo": caller.auth(), "authorizationInfo": authz,
                        "methodName": method, "requestMetadata": req_meta, "resourceName": resource_name,
                        "serviceName": service, "status": status or {}}
    if request is not None:
        payload["request"] = request
    if response is not None:
        payload["response"] = response
    if metadata is not None:
        payload["metadata"] = metadata
    if num_items is not None:
        payload["numResponseItems"] = str(num_items)
    entry: JsonObj = {
        "insertId": insert_id(ids),
        "logName": f"projects/{project}/logs/cloudaudit.googleapis.com%2F{log}",
        "protoPayload": payload,
        "receiveTimestamp": iso_ns(ns + rng.randint(200, 1500) * MS + rng.randint(0, 999_999)),
        "resource": resource,
        "severity": "ERROR" if status else ("NOTICE" if log == "activity" else "INFO"),
        "timestamp": iso_ns(ns),
    }
    return _sorted(entry)


def _sorted(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _sorted(obj[k]) for k in sorted(obj)}
    if isinstance(obj, list):
        return [_sorted(x) for x in obj]
    return obj


def authz(resource: str, permission: str, *, granted: bool = True, attrs: JsonObj | None = None,
          ptype: str | None = None) -> JsonObj:
    a: JsonObj = {"granted": granted, "permission": permission, "resource": resource,
                  "resourceAttributes": attrs or {}}
    if ptype:
        a["permissionType"] = ptype
    return a


def sa_resource(project: str, email: str, unique_id: str) -> JsonObj:
    return {"labels": {"email_id": email, "project_id": project, "unique_id": unique_id}, "type": "service_account"}


def bucket_resource(project: str, bucket: str) -> JsonObj:
    return {"labels": {"bucket_name": bucket, "location": "us-central1", "project_id": project}, "type": "gcs_bucket"}


def gcs_object(bucket: str, obj: str) -> str:
    return f"projects/_/buckets/{bucket}/objects/{obj}"


def gcp_uid(rec: JsonObj) -> str:
    return str(rec["insertId"])


def gcp_ns(rec: JsonObj) -> int:
    return ns_of(rec["timestamp"])


# ---------------------------------------------------------------- Kubernetes audit
def k8s_user(username: str, uid: str, groups: list[str], *, jti: str | None = None,
             pod: tuple[str, str, str] | None = None) -> JsonObj:
    """`pod` = (node, pod name, pod uid) for a projected service-account token."""
    u: JsonObj = {"username": username, "uid": uid, "groups": groups}
    if jti:
        extra: JsonObj = {"authentication.kubernetes.io/credential-id": [f"JTI={jti}"]}
        if pod:
            extra.update({"authentication.kubernetes.io/node-name": [pod[0]],
                          "authentication.kubernetes.io/pod-name": [pod[1]],
                          "authentication.kubernetes.io/pod-uid": [pod[2]]})
        u["extra"] = extra
    return u


_GROUP_OF = {"deployments": "apps", "replicasets": "apps", "leases": "coordination.k8s.io",
             "rolebindings": "rbac.authorization.k8s.io", "selfsubjectrulesreviews": "authorization.k8s.io",
             "cronjobs": "batch", "jobs": "batch"}


def k8s_event(ids: Ids, ns: int, *, user: JsonObj, verb: str, resource: str, namespace: str | None,
              name: str | None, ip: str, ua: str, reason: str, code: int = 200,
              impersonated: JsonObj | None = None, latency_ns: int = 6 * MS,
              response_name: str | None = None) -> JsonObj:
    group = _GROUP_OF.get(resource, "")
    base = f"/apis/{group}/v1" if group else "/api/v1"
    uri = base + (f"/namespaces/{namespace}" if namespace else "") + f"/{resource}" + (f"/{name}" if name else "")
    ref: JsonObj = {"resource": resource}
    if namespace:
        ref["namespace"] = namespace
    if name:
        ref["name"] = name
    if group:
        ref["apiGroup"] = group
    ref["apiVersion"] = "v1"
    rec: JsonObj = {"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": ids.uuid4(),
                    "stage": "ResponseComplete", "requestURI": uri, "verb": verb, "user": user}
    if impersonated is not None:
        rec["impersonatedUser"] = impersonated
    status: JsonObj = {"metadata": {}, "code": code}
    if code >= 400:
        status = {"metadata": {}, "status": "Failure", "message": reason, "reason": "Forbidden", "code": code}
    rec.update(sourceIPs=[ip], userAgent=ua, objectRef=ref, responseStatus=status,
               requestReceivedTimestamp=iso_us(ns), stageTimestamp=iso_us(ns + latency_ns),
               annotations={"authorization.k8s.io/decision": "allow" if code < 400 else "forbid",
                            "authorization.k8s.io/reason": reason if code < 400 else ""})
    return rec


def k8s_uid(rec: JsonObj) -> str:
    return f"{rec['auditID']}:{rec['stage']}:{iso_us(ns_of(rec['requestReceivedTimestamp']))}"


def k8s_ns(rec: JsonObj) -> int:
    return ns_of(rec["requestReceivedTimestamp"])


# ---------------------------------------------------------------- GenAI spans + MCP gateway
PROVIDER = "anthropic"
MODEL = "claude-sonnet-4-5"
MCP_PROTOCOL = mcp.PROTOCOL


@dataclass
class Call:
    """One tool call as the story needs it: its span, its MCP request, its times."""

    tool: str
    server: str
    agent: str
    session: str
    start_ns: int
    end_ns: int
    req_ns: int
    resp_ns: int
    span_uid: str
    mcp_request_uid: str | None


@dataclass
class Conversation:
    """Spans and MCP records of one conversation (one OTLP export request, one trace)."""

    ids: Ids
    trace_id: str
    conversation: str
    spans: list[JsonObj] = field(default_factory=list)
    mcp: list[tuple[int, bytes]] = field(default_factory=list)


@dataclass
class Run:
    """One agent's part of a conversation: its invoke_agent span, chats, MCP session, tools."""

    conv: Conversation
    agent_id: str
    agent_name: str
    version: str
    session: str
    start_ns: int
    tools: dict[str, dict[str, tuple[str, JsonObj]]]
    user_id: str | None = None
    parent_span: str | None = None
    description: str = ""
    root_span: str = ""
    calls: list[Call] = field(default_factory=list)
    mcp_uids: list[tuple[int, str]] = field(default_factory=list)
    _rpc: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.root_span = self.conv.ids.span_id()
        self._slot = len(self.conv.spans)
        self.conv.spans.append({})  # the invoke_agent span, written by finish()

    @property
    def root_uid(self) -> str:
        return f"{self.conv.trace_id}:{self.root_span}"

    def _put_mcp(self, ns: int, rec: JsonObj) -> str:
        line = dumps(rec)
        self.conv.mcp.append((ns, line))
        uid = sha256_hex(line)
        self.mcp_uids.append((ns, uid))
        return uid

    def _rid(self, server: str) -> int:
        self._rpc[server] = self._rpc.get(server, 0) + 1
        return self._rpc[server]

    def open_server(self, ns: int, server: str, server_version: str = "1.0.0") -> int:
        rng = self.conv.ids.rng
        rid = self._rid(server)
        self._put_mcp(ns, mcp.request(ns, server, self.session, "initialize",
                                      mcp.initialize_params(self.agent_name, self.version), rid))
        ns += rng.randint(8, 40) * MS + rng.randint(0, 999_999)
        self._put_mcp(ns, mcp.response(ns, server, self.session, rid, result={
            "protocolVersion": MCP_PROTOCOL, "capabilities": {"tools": {"listChanged": False}},
            "serverInfo": {"name": server, "version": server_version}}))
        ns += rng.randint(1, 5) * MS + rng.randint(0, 999_999)
        self._put_mcp(ns, mcp.request(ns, server, self.session, "notifications/initialized", None, None))
        ns += rng.randint(1, 5) * MS + rng.randint(0, 999_999)
        rid = self._rid(server)
        self._put_mcp(ns, mcp.request(ns, server, self.session, "tools/list", None, rid))
        ns += rng.randint(5, 30) * MS + rng.randint(0, 999_999)
        self._put_mcp(ns, mcp.response(ns, server, self.session, rid, result=mcp.tools_result(self.tools[server])))
        return ns

    def chat(self, ns: int, duration_ns: int) -> int:
        rng = self.conv.ids.rng
        attrs: Attrs = {"gen_ai.operation.name": "chat", "gen_ai.provider.name": PROVIDER,
                        "gen_ai.request.model": MODEL, "gen_ai.response.model": MODEL,
                        "gen_ai.conversation.id": self.conv.conversation,
                        "gen_ai.usage.input_tokens": rng.randint(1200, 9000),
                        "gen_ai.usage.output_tokens": rng.randint(40, 900),
                        "gen_ai.response.finish_reasons": ["tool_use"]}
        self.conv.spans.append(otel.span(self.conv.trace_id, self.conv.ids.span_id(), self.root_span,
                                         f"chat {MODEL}", otel.CLIENT, ns, ns + duration_ns, attrs))
        return ns + duration_ns

    def tool(self, ns: int, server: str, tool: str, args: JsonObj, result: str, latency_ns: int, *,
             is_error: bool = False) -> Call:
        ids = self.conv.ids
        rng = ids.rng
        span_id = ids.span_id()
        rid = self._rid(server)
        req_ns = ns + rng.randint(2, 12) * MS + rng.randint(0, 999_999)
        params = {"name": tool, "arguments": args,
                  "_meta": {"traceparent": f"00-{self.conv.trace_id}-{span_id}-01"}}
        req_uid = self._put_mcp(req_ns, mcp.request(req_ns, server, self.session, "tools/call", params, rid))
        resp_ns = ns + latency_ns
        self._put_mcp(resp_ns, mcp.response(resp_ns, server, self.session, rid,
                                            result=mcp.call_result(result, is_error)))
        end_ns = resp_ns + rng.randint(1, 9) * MS + rng.randint(0, 999_999)
        attrs: Attrs = {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": tool,
                        "gen_ai.tool.type": "function", "gen_ai.tool.call.id": "toolu_01" + ids.b62(22),
                        "gen_ai.tool.call.arguments": json.dumps(args), "mcp.method.name": "tools/call",
                        "mcp.session.id": self.session, "mcp.protocol.version": MCP_PROTOCOL,
                        "jsonrpc.request.id": str(rid), "server.address": server, "network.transport": "tcp"}
        if is_error:
            attrs["error.type"] = "tool_error"
        self.conv.spans.append(otel.span(self.conv.trace_id, span_id, self.root_span, f"execute_tool {tool}",
                                         otel.INTERNAL, ns, end_ns, attrs, result[:120] if is_error else None))
        call = Call(tool, server, self.agent_id, self.session, ns, end_ns, req_ns, resp_ns,
                    f"{self.conv.trace_id}:{span_id}", req_uid)
        self.calls.append(call)
        return call

    def spawn(self, ns: int, agent_id: str, version: str, session: str, description: str,
              tools: dict[str, dict[str, tuple[str, JsonObj]]]) -> Run:
        """A sub-agent: its invoke_agent span is a child of this agent's invoke_agent span."""
        return Run(self.conv, agent_id, agent_id, version, session, ns, tools, parent_span=self.root_span,
                   description=description)

    def finish(self, end_ns: int) -> None:
        attrs: Attrs = {"gen_ai.operation.name": "invoke_agent", "gen_ai.provider.name": PROVIDER,
                        "gen_ai.agent.id": self.agent_id, "gen_ai.agent.name": self.agent_name,
                        "gen_ai.conversation.id": self.conv.conversation, "gen_ai.request.model": MODEL}
        if self.description:
            attrs["gen_ai.agent.description"] = self.description
        if self.user_id:
            attrs["user.id"] = self.user_id
        self.conv.spans[self._slot] = otel.span(self.conv.trace_id, self.root_span, self.parent_span,
                                                f"invoke_agent {self.agent_name}", otel.INTERNAL,
                                                self.start_ns, end_ns, attrs)


def otlp_line(service: str, version: str, resource: dict[str, str], spans: list[JsonObj]) -> bytes:
    return dumps(otel.batch(service, version, resource, spans))
