"""agentgateway access logs (``samples/agentgateway/access.jsonl``, written from agentgateway's
``telemetry/log.rs`` field list and the JSON access-log examples of its docs): a tools/list and a tool
call by an authenticated (JWT) user in one MCP session, a call the gateway's authorization denied, a
call from an older release (``mcp.resource``, no ``jwt.sub``), an LLM request, and a readiness line that is not an
access-log record."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from irkit import loaders
from irkit.evidence import discover, sample_records
from tests.loaders.helpers import SAMPLES, blank_row, load, one, quarantine, subset
from tests.loaders.helpers import utc as t

FILE = SAMPLES / "agentgateway" / "access.jsonl"
USER = "dana.reyes@example.com"
SESSION = "6499251e-4e2f-4c8b-83ba-f8b6f6f769fc"
TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
LINES = FILE.read_text(encoding="utf-8").splitlines()


def _row(line: int, **fields: Any) -> dict[str, Any]:
    return blank_row() | {
        "event_uid": hashlib.sha256(LINES[line - 1].encode()).hexdigest(), "source": "agentgateway", "operation": "tools/call", "activity": "invoke", "actor_uid": USER,
        "actor_type": "unknown", "actor_name": USER, "session_uid": SESSION, "target_type": "mcp_tool",
        "target_system": "mcp:github", "src_ip": "10.42.0.17", "trace_uid": TRACE, "resources": [],
        "evidence_file": str(FILE), "evidence_offset": line, "evidence_path": "$",
    } | fields


EXPECTED = {
    "tool call": _row(
        3, time=t(2025, 11, 4, 23, 47, 15, 765036), end_time=t(2025, 11, 4, 23, 47, 16, 481036),
        class_name="tool_call", status="success", target_uid="create_pull_request",
        target_name="create_pull_request", tool_name="create_pull_request", span_uid="53995c3f42cd8ad8",
    ),
    "denied by authorization": _row(
        4, time=t(2025, 11, 4, 23, 47, 19, 275), end_time=t(2025, 11, 4, 23, 47, 19, 2275),
        class_name="authorization", status="failure", status_detail="Authorization: authorization failed",
        target_uid="delete_repository", target_name="delete_repository", tool_name="delete_repository",
        span_uid="a3ce929d0e0e4736",
    ),
    "list in the session (ids lower-cased)": _row(
        2, time=t(2025, 11, 4, 23, 47, 14, 994118), end_time=t(2025, 11, 4, 23, 47, 15, 32118),
        class_name="api_activity", operation="tools/list", activity="list", status="success",
        target_uid="github", target_name="github", target_type="mcp_server", span_uid="00f067aa0ba902b7",
    ),
    "LLM request through the gateway": _row(
        6, time=t(2025, 11, 4, 23, 47, 20, 714204), end_time=t(2025, 11, 4, 23, 47, 21, 918204),
        class_name="model_invocation", operation="chat", status="success", session_uid=None,
        target_uid="gpt-4o-mini", target_name="gpt-4o-mini", target_type="model", target_system="genai:openai",
        span_uid="7a085853722dc6d2",
    ),
    "older release, no authenticated user": _row(
        5, time=t(2025, 11, 11, 18, 11, 19, 271638), end_time=t(2025, 11, 11, 18, 11, 19, 747638),
        class_name="tool_call", status="success", actor_uid=None, actor_type=None, actor_name=None,
        session_uid=None, target_uid="fetch", target_name="fetch", tool_name="fetch",
        target_system="mcp:mcp-target", src_ip="10.42.0.1", trace_uid="ba8e0e8c4138978666eecdc5d494f00a",
        span_uid="b9a6ff1a457183f3",
    ),
}


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return load(tmp_path_factory.mktemp("agentgateway"), FILE)


def test_detected_and_accounted(ingested: Any) -> None:
    case, summary = ingested
    assert (summary.read, summary.loaded, summary.quarantined, summary.duplicates) == (6, 5, 1, 0)
    assert case.sql("SELECT source FROM manifest")["source"].to_list() == ["agentgateway"]
    records = sample_records(discover([FILE])[0])
    assert [lo.name for lo in loaders.available() if lo.detectable and lo.sniff(records)] == ["agentgateway"]


def test_a_line_that_is_not_a_request_log_is_quarantined_with_what_it_is(ingested: Any) -> None:
    [q] = quarantine(ingested[0])
    assert (q["evidence_offset"], q["reason"]) == (
        1, "not an agentgateway request log line (scope is agent_core::readiness, not request)")


@pytest.mark.parametrize("name", list(EXPECTED))
def test_whole_row(ingested: Any, name: str) -> None:
    expected = EXPECTED[name]
    found = one(ingested[0], "evidence_offset = $line", line=expected["evidence_offset"])
    assert subset(found, expected) == expected
