"""OpenTelemetry GenAI loader: OTLP/JSON documents (lines and pretty-printed), JS/Python span dumps,
attribute maps; one whole expected row per span, raw faithfulness, detection, the conformance corpus."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from irkit.evidence import discover, sample_records
from irkit.loaders import otel_genai
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

SAMPLE_DIR = SAMPLES / "otel_genai"

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CONVERSATION = "conv_5j66UpCpwteGg4YSxUnt"
FLIGHTS_SESSION = "8267461134f24305af708e66b8eda71a"


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory):
    return load(tmp_path_factory.mktemp("otel"), SAMPLE_DIR)


def test_every_span_is_accounted_for(loaded) -> None:
    case, summary = loaded
    assert (summary.read, summary.loaded, summary.quarantined, summary.duplicates) == (19, 16, 3, 0)
    assert {f.source for f in summary.files} == {"otel_genai"}
    reasons = [(Path(q["evidence_file"]).name, q["evidence_offset"], q["evidence_path"], q["reason"]) for q in quarantine(case)]
    assert reasons[:2] == [
        ("attribute_map_no_time.json", 1, "$", "span has no start time (startTimeUnixNano, startTime or start_time)"),
        ("otlp_bad.jsonl", 1, "$", "OTLP document holds no spans"),
    ]
    assert reasons[2][:3] == ("otlp_bad.jsonl", 2, "$") and reasons[2][3].startswith("not valid JSON: ")
    assert len(reasons) == 3


ORCHESTRATOR = {"source": "otel_genai", "trace_uid": TRACE, "account_uid": "123456789012", "credential_uid": None,
                "src_ip": None, "user_agent": None, "evidence_offset": 1}

EXPECTED: dict[str, tuple[str, str, dict[str, Any]]] = {
    "invoke_agent: the agent acts for its user; nanoseconds truncated, not rounded": (
        "otlp_agent_trace.jsonl", f"{TRACE}:00f067aa0ba902b7",
        {**ORCHESTRATOR, "time": t("2025-03-14T09:26:53.589793"), "class_name": "agent_invocation",
         "operation": "invoke_agent", "status": "success", "status_detail": None,
         "actor_uid": "asst_trip_planner_01", "actor_type": "agent", "actor_name": "Trip Planner",
         "session_uid": CONVERSATION, "delegator_uid": "alice@example.com",
         "target_uid": "asst_trip_planner_01", "target_type": "agent", "target_name": "Trip Planner", "target_system": "genai",
         "resources": [{"uid": "asst_trip_planner_01", "type": "agent", "system": "genai"},
                       {"uid": "gpt-4o", "type": "model", "system": "genai:openai"},
                       {"uid": CONVERSATION, "type": "conversation", "system": "genai"}],
         "span_uid": "00f067aa0ba902b7", "parent_span_uid": None, "tool_name": None,
         "evidence_path": "$.resourceSpans[0].scopeSpans[0].spans[0]"},
    ),
    "chat without agent attributes: the resource's service acts, the model is the target": (
        "otlp_agent_trace.jsonl", f"{TRACE}:b7ad6b7169203331",
        {**ORCHESTRATOR, "time": t("2025-03-14T09:26:54.1"), "class_name": "api_activity", "operation": "chat",
         "status": "success", "actor_uid": "trip-orchestrator", "actor_type": "service", "actor_name": "trip-orchestrator",
         "session_uid": CONVERSATION, "delegator_uid": None,
         "target_uid": "gpt-4o", "target_type": "model", "target_name": "gpt-4o", "target_system": "genai:openai",
         "resources": [{"uid": "gpt-4o", "type": "model", "system": "genai:openai"},
                       {"uid": CONVERSATION, "type": "conversation", "system": "genai"}],
         "span_uid": "b7ad6b7169203331", "parent_span_uid": "00f067aa0ba902b7", "tool_name": None,
         "evidence_path": "$.resourceSpans[0].scopeSpans[0].spans[1]"},
    ),
    "execute_tool over MCP (client side): target system from server.address, MCP session a resource": (
        "otlp_agent_trace.jsonl", f"{TRACE}:e457b5a2e4d86bd1",
        {**ORCHESTRATOR, "time": t("2025-03-14T09:26:55.25"), "class_name": "tool_call", "operation": "execute_tool",
         "status": "success", "actor_uid": "trip-orchestrator", "actor_type": "service", "session_uid": CONVERSATION,
         "target_uid": "search_flights", "target_type": "tool", "target_name": "search_flights",
         "target_system": "mcp:flights.mcp.example.com",
         "resources": [{"uid": "search_flights", "type": "tool", "system": "mcp:flights.mcp.example.com"},
                       {"uid": "call_VSPygqKTWdrhaFErNvMV18Yl", "type": "tool_call", "system": "mcp:flights.mcp.example.com"},
                       {"uid": CONVERSATION, "type": "conversation", "system": "genai"},
                       {"uid": FLIGHTS_SESSION, "type": "mcp_session", "system": "mcp:flights.mcp.example.com"},
                       {"uid": "3", "type": "jsonrpc_id", "system": "mcp:flights.mcp.example.com"},
                       {"uid": '{"origin":"SFO","destination":"CDG"}', "type": "tool_arguments",
                        "system": "mcp:flights.mcp.example.com"}],
         "end_time": t("2025-03-14T09:26:56"), "activity": "invoke",
         "span_uid": "e457b5a2e4d86bd1", "parent_span_uid": "00f067aa0ba902b7", "tool_name": "search_flights",
         "evidence_path": "$.resourceSpans[0].scopeSpans[0].spans[2]"},
    ),
    "sub-agent in another service: upper-case ids lowered, parent is the orchestrator's span": (
        "otlp_agent_trace.jsonl", f"{TRACE}:5fb397be34d26b51",
        {"time": t("2025-03-14T09:26:56.5"), "class_name": "agent_invocation", "operation": "invoke_agent",
         "status": "success", "actor_uid": "asst_flight_booker_07", "actor_type": "agent", "actor_name": "Flight Booker",
         "account_uid": None, "session_uid": CONVERSATION, "delegator_uid": "alice@example.com",
         "target_uid": "asst_flight_booker_07", "target_type": "agent", "target_system": "genai",
         "trace_uid": TRACE, "span_uid": "5fb397be34d26b51", "parent_span_uid": "00f067aa0ba902b7",
         "evidence_offset": 2, "evidence_path": "$.resourceSpans[0].scopeSpans[0].spans[0]"},
    ),
    "failed MCP tool call: error.type and status code 2; no conversation, so the MCP session": (
        "otlp_agent_trace.jsonl", f"{TRACE}:a3ce929d0e0e4736",
        {"time": t("2025-03-14T09:27:01"), "class_name": "tool_call", "operation": "execute_tool", "status": "failure",
         "status_detail": "tool_error: seat 14C is no longer available",
         "actor_uid": "flight-booker", "actor_type": "service", "actor_name": "flight-booker",
         "session_uid": "c2a1f0e4b7d94c5e8f6a1b2c3d4e5f60", "delegator_uid": None,
         "target_uid": "book_flight", "target_type": "tool", "target_system": "mcp:travel-bookings",
         "resources": [{"uid": "book_flight", "type": "tool", "system": "mcp:travel-bookings"},
                       {"uid": "call_q3Jmc0PB1rLkz8tWs2yN", "type": "tool_call", "system": "mcp:travel-bookings"},
                       {"uid": "c2a1f0e4b7d94c5e8f6a1b2c3d4e5f60", "type": "mcp_session", "system": "mcp:travel-bookings"}],
         "span_uid": "a3ce929d0e0e4736", "parent_span_uid": "5fb397be34d26b51", "tool_name": "book_flight",
         "evidence_offset": 2, "evidence_path": "$.resourceSpans[0].scopeSpans[0].spans[1]"},
    ),
    "MCP server side: the server is the service; caller address and user agent": (
        "otlp_agent_trace.jsonl", f"{TRACE}:2f6a1c0d9e8b7a65",
        {"time": t("2025-03-14T09:26:55.3"), "class_name": "tool_call", "operation": "execute_tool", "status": "success",
         "actor_uid": "flights-mcp-server", "actor_type": "service", "session_uid": FLIGHTS_SESSION,
         "target_uid": "search_flights", "target_type": "tool", "target_system": "mcp:flights-mcp-server",
         "resources": [{"uid": "search_flights", "type": "tool", "system": "mcp:flights-mcp-server"},
                       {"uid": FLIGHTS_SESSION, "type": "mcp_session", "system": "mcp:flights-mcp-server"},
                       {"uid": "3", "type": "jsonrpc_id", "system": "mcp:flights-mcp-server"}],
         "end_time": t("2025-03-14T09:26:55.9"),
         "src_ip": "10.20.30.40", "user_agent": "openai-mcp/1.6.0 (python 3.12)",
         "span_uid": "2f6a1c0d9e8b7a65", "parent_span_uid": "e457b5a2e4d86bd1", "tool_name": "search_flights",
         "evidence_offset": 3, "evidence_path": "$.resourceSpans[0].scopeSpans[0].spans[0]"},
    ),
    "pretty-printed document: create_agent": (
        "otlp_pretty.json", "0af7651916cd43dd8448eb211c80319c:b9c7c989f97918e1",
        {"time": t("2025-03-14T11:00:00"), "class_name": "agent_invocation", "operation": "create_agent",
         "status": "success", "actor_uid": "agent_support_v2", "actor_type": "agent", "actor_name": "Support Assistant",
         "session_uid": None, "target_uid": "agent_support_v2", "target_type": "agent", "target_system": "genai",
         "resources": [{"uid": "agent_support_v2", "type": "agent", "system": "genai"},
                       {"uid": "gpt-4o-mini", "type": "model", "system": "genai:azure.ai.inference"}],
         "parent_span_uid": None, "evidence_offset": 1, "evidence_path": "$.resourceSpans[0].scopeSpans[0].spans[0]"},
    ),
    "embeddings over a data source": (
        "otlp_pretty.json", "0af7651916cd43dd8448eb211c80319c:6e0c63257de34c92",
        {"time": t("2025-03-14T11:00:01"), "class_name": "api_activity", "operation": "embeddings", "status": "success",
         "actor_uid": "support-bot", "actor_type": "service", "target_uid": "text-embedding-3-small",
         "target_type": "model", "target_system": "genai:openai",
         "resources": [{"uid": "text-embedding-3-small", "type": "model", "system": "genai:openai"},
                       {"uid": "kb-articles-prod", "type": "data_source", "system": "genai"}],
         "parent_span_uid": "b9c7c989f97918e1", "evidence_path": "$.resourceSpans[0].scopeSpans[0].spans[1]"},
    ),
    "span without GenAI attributes (second resource): api_activity by its service": (
        "otlp_pretty.json", "0af7651916cd43dd8448eb211c80319c:1d3b5c7e9f0a2b4c",
        {"time": t("2025-03-14T11:00:02"), "class_name": "api_activity", "operation": "GET /invoices/{id}",
         "status": "success", "actor_uid": "billing-api", "actor_type": "service", "session_uid": None,
         "target_uid": None, "target_type": None, "target_system": None, "resources": [],
         "src_ip": "10.1.4.22", "user_agent": "python-httpx/0.27.0", "tool_name": None,
         "parent_span_uid": "6e0c63257de34c92", "evidence_path": "$.resourceSpans[1].scopeSpans[0].spans[0]"},
    ),
    "base64 ids (protobuf JSON mapping) decoded to hex": (
        "otlp_protobuf_json_ids.jsonl", "a1b2c3d4e5f60718293a4b5c6d7e8f90:0123456789abcdef",
        {"time": t("2025-03-14T16:33:20"), "class_name": "tool_call", "operation": "execute_tool", "status": "success",
         "actor_uid": "ledger-agent-3", "actor_type": "agent", "actor_name": None, "delegator_uid": "bob@example.com",
         "target_uid": "export_ledger", "target_type": "tool", "target_system": "genai",
         "trace_uid": "a1b2c3d4e5f60718293a4b5c6d7e8f90", "span_uid": "0123456789abcdef",
         "parent_span_uid": "fedcba9876543210", "tool_name": "export_ledger"},
    ),
    "Vercel AI SDK ai.toolCall span (attributes object, [sec, nanos] time)": (
        "vercel_ai_spans.json", "7d1a6c0b2e3f4a5b8c9d0e1f2a3b4c5d:9a8b7c6d5e4f3a2b",
        {"time": t("2025-03-14T09:27:10.125"), "class_name": "tool_call", "operation": "ai.toolCall", "status": "success",
         "actor_uid": None, "actor_type": "unknown", "target_uid": "getWeather", "target_type": "tool",
         "target_system": "genai",
         "resources": [{"uid": "getWeather", "type": "tool", "system": "genai"},
                       {"uid": "call_8d2JpZ0wq7", "type": "tool_call", "system": "genai"},
                       {"uid": '{"city":"Paris"}', "type": "tool_arguments", "system": "genai"}],
         "end_time": t("2025-03-14T09:27:10.48"),
         "parent_span_uid": "1a2b3c4d5e6f7a8b", "tool_name": "getWeather", "evidence_offset": 2, "evidence_path": "$[0]"},
    ),
    "Vercel AI SDK model call failing (JS status code 2, parentSpanContext)": (
        "vercel_ai_spans.json", "7d1a6c0b2e3f4a5b8c9d0e1f2a3b4c5d:4c5d6e7f8a9b0c1d",
        {"time": t("2025-03-14T09:27:11.005"), "class_name": "api_activity", "operation": "ai.generateText.doGenerate",
         "status": "failure", "status_detail": "Rate limit reached for gpt-4o-mini",
         "target_uid": "gpt-4o-mini", "target_type": "model", "target_system": "genai:openai.chat",
         "user_agent": "ai/4.3.16", "parent_span_uid": "1a2b3c4d5e6f7a8b", "evidence_path": "$[1]"},
    ),
    "Python console exporter: 0x ids, ISO start_time, agent known by name only": (
        "python_console_spans.json", "3e1b0f6a7c2d4e5f9a8b7c6d5e4f3a2b:51c2d3e4f5a6b7c8",
        {"time": t("2025-03-14T10:02:11.25"), "class_name": "agent_invocation", "operation": "invoke_agent",
         "status": "success", "actor_uid": "ops-assistant", "actor_type": "agent", "actor_name": "ops-assistant",
         "delegator_uid": "u-1842", "target_uid": "ops-assistant", "target_type": "agent",
         "resources": [{"uid": "ops-assistant", "type": "agent", "system": "genai"},
                       {"uid": "claude-sonnet-4-20250514", "type": "model", "system": "genai:anthropic"}],
         "parent_span_uid": None, "evidence_offset": 1, "evidence_path": "$"},
    ),
    "Python console exporter: ERROR status over stdio MCP": (
        "python_console_spans.json", "3e1b0f6a7c2d4e5f9a8b7c6d5e4f3a2b:6d7e8f90a1b2c3d4",
        {"time": t("2025-03-14T10:02:15"), "class_name": "tool_call", "operation": "execute_tool", "status": "failure",
         "status_detail": "-32602: Invalid params: unknown service 'payments-db'",
         "actor_uid": "ops-assistant-worker", "actor_type": "service", "session_uid": "f3b0c44298fc1c149afbf4c8996fb924",
         "target_uid": "restart_service", "target_type": "tool", "target_system": "genai",
         "resources": [{"uid": "restart_service", "type": "tool", "system": "genai"},
                       {"uid": "toolu_01A09q90qw90lq917835lq9", "type": "tool_call", "system": "genai"},
                       {"uid": "f3b0c44298fc1c149afbf4c8996fb924", "type": "mcp_session", "system": "mcp"}],
         "parent_span_uid": "51c2d3e4f5a6b7c8", "tool_name": "restart_service", "evidence_offset": 34},
    ),
    "flat attribute map with span context: mcp.server.name": (
        "attribute_map_spans.jsonl", "c0ffee00c0ffee00c0ffee00c0ffee00:1111aaaa2222bbbb",
        {"time": t("2025-03-14T13:46:40.5"), "class_name": "tool_call", "operation": "execute_tool", "status": "success",
         "actor_uid": "agent-crm-analyst", "actor_type": "agent", "session_uid": "sess-77a1",
         "target_uid": "query_customers", "target_type": "tool", "target_system": "mcp:crm-postgres",
         "resources": [{"uid": "query_customers", "type": "tool", "system": "mcp:crm-postgres"},
                       {"uid": "call_0x9Qm2", "type": "tool_call", "system": "mcp:crm-postgres"},
                       {"uid": "agent-crm-analyst", "type": "agent", "system": "genai"},
                       {"uid": "sess-77a1", "type": "mcp_session", "system": "mcp:crm-postgres"},
                       {"uid": '{"sql":"select email from customers"}', "type": "tool_arguments", "system": "mcp:crm-postgres"}],
         "parent_span_uid": "3333cccc4444dddd", "tool_name": "query_customers", "evidence_path": "$"},
    ),
    "flat attribute map: MCP resources/read targets the resource; an MCP span names no agent (its enclosing invocation does)": (
        "attribute_map_spans.jsonl", "c0ffee00c0ffee00c0ffee00c0ffee00:5555eeee6666ffff",
        {"time": t("2025-03-14T13:46:42"), "class_name": "api_activity", "operation": "resources/read",
         "activity": "read", "actor_uid": None, "actor_type": "unknown", "target_uid": "postgres://crm/customers/schema", "target_type": "mcp_resource",
         "target_system": "mcp:crm-postgres", "tool_name": None, "evidence_offset": 2},
    ),
}


@pytest.mark.parametrize("case_name", list(EXPECTED))
def test_expected_row(loaded, case_name: str) -> None:
    case, _ = loaded
    file, event_uid, expected = EXPECTED[case_name]
    row = one(case, "event_uid = $uid", uid=event_uid)
    assert Path(row["evidence_file"]).name == file
    assert subset(row, expected) == expected


def test_every_loaded_span_has_an_expected_row(loaded) -> None:
    case, _ = loaded
    assert sorted(r["event_uid"] for r in rows(case)) == sorted(uid for _, uid, _ in EXPECTED.values())


def test_sub_agent_delegation_joins_on_parent_span(loaded) -> None:
    """What the identity module does later: invoke_agent whose parent span is another agent's."""
    case, _ = loaded
    links = case.sql(
        """SELECT p.actor_uid AS parent, c.actor_uid AS child FROM events c JOIN events p
           ON p.trace_uid = c.trace_uid AND p.span_uid = c.parent_span_uid
           WHERE c.operation = 'invoke_agent' AND p.actor_type = 'agent' AND p.actor_uid <> c.actor_uid"""
    ).to_dicts()
    assert links == [{"parent": "asst_trip_planner_01", "child": "asst_flight_booker_07"}]


def test_raw_of_a_one_span_record_is_the_record(loaded) -> None:
    case, _ = loaded
    lines = (SAMPLE_DIR / "otlp_protobuf_json_ids.jsonl").read_text().splitlines()
    row = one(case, "event_uid = $uid", uid="a1b2c3d4e5f60718293a4b5c6d7e8f90:0123456789abcdef")
    assert row["raw"] == lines[0]
    flat = one(case, "event_uid = $uid", uid="c0ffee00c0ffee00c0ffee00c0ffee00:1111aaaa2222bbbb")
    assert flat["raw"] == (SAMPLE_DIR / "attribute_map_spans.jsonl").read_text().splitlines()[0]


def test_raw_of_a_span_in_a_larger_document_is_a_one_span_document(loaded) -> None:
    case, _ = loaded
    document = json.loads((SAMPLE_DIR / "otlp_pretty.json").read_text())
    for row in rows(case, "evidence_file LIKE '%otlp_pretty.json'"):
        i, j, k = (int(part.split("]")[0]) for part in row["evidence_path"].split("[")[1:])
        resource_spans = document["resourceSpans"][i]
        scope_spans = resource_spans["scopeSpans"][j]
        rebuilt = json.loads(row["raw"])
        assert rebuilt == {"resourceSpans": [{
            "resource": resource_spans["resource"],
            "scopeSpans": [{"scope": scope_spans["scope"], "spans": [scope_spans["spans"][k]]}],
        }]}


def test_a_rebuilt_raw_loads_as_the_same_span(loaded, tmp_path: Path) -> None:
    case, _ = loaded
    row = one(case, "event_uid = $uid", uid=f"{TRACE}:e457b5a2e4d86bd1")
    (tmp_path / "one.json").write_text(row["raw"] + "\n")
    again, summary = load(tmp_path, tmp_path / "one.json")
    assert (summary.loaded, summary.quarantined) == (1, 0)
    reloaded = rows(again)[0]
    keep = ("event_uid", "time", "class_name", "actor_uid", "session_uid", "target_system", "resources", "parent_span_uid")
    assert subset(reloaded, dict.fromkeys(keep)) == subset(row, dict.fromkeys(keep))


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLE_DIR.iterdir() if p.name != "otlp_bad.jsonl"))
def test_sniff_accepts_each_shape(name: str) -> None:
    records = [r for item in discover([SAMPLE_DIR / name]) for r in sample_records(item)]
    assert otel_genai.sniff(records)


CLOUDTRAIL_RECORD = {
    "eventVersion": "1.09", "eventTime": "2025-03-14T09:00:00Z", "eventSource": "s3.amazonaws.com",
    "eventName": "GetObject", "awsRegion": "us-east-1", "eventID": "a1b2", "traceId": "not-otel",
    "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::123456789012:assumed-role/agent/session"},
}
GCP_RECORD = {"insertId": "x1", "trace": "projects/p/traces/abc", "spanId": "000000000000004a",
              "protoPayload": {"methodName": "storage.objects.get"}, "timestamp": "2025-03-14T09:00:00Z"}


def test_sniff_rejects_other_formats() -> None:
    assert not otel_genai.sniff([CLOUDTRAIL_RECORD])
    assert not otel_genai.sniff([GCP_RECORD])
    assert not otel_genai.sniff([{"resourceLogs": []}])


def test_conformance_corpus(tmp_path: Path) -> None:
    folder = conformance_corpus("otel_genai")
    case, summary = load(tmp_path, folder)
    assert {f.source for f in summary.files} == {"otel_genai"}
    assert (summary.read, summary.loaded, summary.quarantined) == (13, 11, 2)
    assert {q["reason"] for q in quarantine(case)} == {"span has no start time (startTimeUnixNano, startTime or start_time)"}
    spec = one(case, "evidence_file LIKE '%opentelemetry-proto__trace.json'")
    expected = {"event_uid": "5b8efff798038103d269b633813fc60c:eee19b7ec3c1b174", "time": t("2018-12-13T14:51:00"),
                "class_name": "api_activity", "operation": "I'm a server span", "status": "success",
                "actor_uid": "my.service", "actor_type": "service", "trace_uid": "5b8efff798038103d269b633813fc60c",
                "span_uid": "eee19b7ec3c1b174", "parent_span_uid": "eee19b7ec3c1b173",
                "evidence_path": "$.resourceSpans[0].scopeSpans[0].spans[0]"}
    assert subset(spec, expected) == expected
    vercel = rows(case, "evidence_file LIKE '%all-spans.json'")
    assert len(vercel) == 10 and all(r["time"] is not None and r["trace_uid"] and r["span_uid"] for r in vercel)


# -- strict semantic-convention shape: the agent on invoke_agent spans only -----------------------------
STRICT = SAMPLES / "semconv" / "otlp_strict.jsonl"
STRICT_TRACE = "5b8efff798038103d269b633813fc60c"


def strict_row(span: str, index: int, **fields: Any) -> dict[str, Any]:
    row = {**blank_row(), "event_uid": f"{STRICT_TRACE}:{span}", "source": "otel_genai", "status": "success",
           "trace_uid": STRICT_TRACE, "span_uid": span, "parent_span_uid": "eee19b7ec3c1b174",
           "evidence_file": str(STRICT), "evidence_offset": 1,
           "evidence_path": f"$.resourceSpans[0].scopeSpans[0].spans[{index}]",
           "actor_uid": "ops-runtime", "actor_type": "service", "actor_name": "ops-runtime", "activity": "invoke"}
    row.update(fields)
    return row


STRICT_ROWS = [
    strict_row("eee19b7ec3c1b174", 0, parent_span_uid=None, time=t("2025-03-05T10:00:00"), end_time=t("2025-03-05T10:02:00"),
               class_name="agent_invocation", operation="invoke_agent", actor_uid="asst_ops_orchestrator",
               actor_type="agent", actor_name="Ops Orchestrator", session_uid="conv_ops_1",
               delegator_uid="alice@example.com",
               delegations=[{"kind": "on_behalf_of", "from_uid": "alice@example.com", "to_uid": "asst_ops_orchestrator",
                             "credential_uid": None, "scope": "event", "expires": None}],
               target_uid="asst_ops_orchestrator", target_type="agent", target_name="Ops Orchestrator", target_system="genai",
               resources=[res("asst_ops_orchestrator", "agent", "genai"), res("conv_ops_1", "conversation", "genai")]),
    # a model call naming the agent by name: not where the conventions put it; the enclosing span says
    strict_row("eee19b7ec3c1b175", 1, time=t("2025-03-05T10:00:01"), end_time=t("2025-03-05T10:00:03.5"),
               class_name="api_activity", operation="chat", target_uid="claude-sonnet-4-5", target_type="model",
               target_name="claude-sonnet-4-5", target_system="genai:anthropic",
               resources=[res("claude-sonnet-4-5", "model", "genai:anthropic")]),
    # execute_tool without agent attributes, 80 s long: its end is kept
    strict_row("eee19b7ec3c1b176", 2, time=t("2025-03-05T10:00:04"), end_time=t("2025-03-05T10:01:24"),
               class_name="tool_call", operation="execute_tool", target_uid="run_migration", target_type="tool",
               target_name="run_migration", target_system="genai", tool_name="run_migration",
               resources=[res("run_migration", "tool", "genai"), res("toolu_01MigrAtE", "tool_call", "genai"),
                          res('{"database": "billing"}', "tool_arguments", "genai")]),
    # an invoke_agent client span naming its calling agent: one span proves the spawn
    strict_row("eee19b7ec3c1b177", 3, time=t("2025-03-05T10:01:30"), end_time=t("2025-03-05T10:01:50"),
               class_name="agent_invocation", operation="invoke_agent", actor_uid="asst_researcher", actor_type="agent",
               actor_name="Researcher",
               delegations=[{"kind": "spawn_agent", "from_uid": "asst_ops_orchestrator", "to_uid": "asst_researcher",
                             "credential_uid": None, "scope": "grant", "expires": None}],
               target_uid="asst_researcher", target_type="agent", target_name="Researcher", target_system="genai",
               resources=[res("asst_researcher", "agent", "genai")]),
    # the sub-agent's MCP client span: JSON-RPC id kept to pair it with the gateway's request
    strict_row("eee19b7ec3c1b178", 4, parent_span_uid="eee19b7ec3c1b177", time=t("2025-03-05T10:01:35"),
               end_time=t("2025-03-05T10:01:36.25"), class_name="tool_call", operation="execute_tool",
               session_uid="191c4850af6c49e08843a3f6c80e5046", target_uid="kubectl", target_type="tool",
               target_name="kubectl", target_system="mcp:k8s-mcp.internal", tool_name="kubectl",
               resources=[res("kubectl", "tool", "mcp:k8s-mcp.internal"),
                          res("191c4850af6c49e08843a3f6c80e5046", "mcp_session", "mcp:k8s-mcp.internal"),
                          res("2", "jsonrpc_id", "mcp:k8s-mcp.internal")]),
]


def test_strict_semconv_spans_whole_rows(tmp_path: Path) -> None:
    case, summary = load(tmp_path, STRICT)
    assert (summary.read, summary.loaded, summary.quarantined) == (5, 5, 0)
    assert [subset(r, STRICT_ROWS[0]) for r in rows(case)] == STRICT_ROWS
