"""ToolHive MCP proxy audit logs (``samples/toolhive_audit/audit.jsonl``, written from ToolHive's
``pkg/audit``: ``AuditEvent.LogTo`` field names, the MCP event types, target, subject, source and metadata
keys): a tool call by Claude Code for an authenticated user, with the JSON-RPC request logged, and a call
the proxy's policy denied."""

from __future__ import annotations

from typing import Any

import pytest

from irkit import loaders
from irkit.evidence import discover, sample_records
from tests.loaders.helpers import SAMPLES, blank_row, hop, load, one, res, subset
from tests.loaders.helpers import utc as t

FILE = SAMPLES / "toolhive_audit" / "audit.jsonl"
USER = "dana.reyes@example.com"
SESSION = "9b2c3d4e-5f60-4718-8a9b-0c1d2e3f4a5b"


def _row(line: int, **fields: Any) -> dict[str, Any]:
    return blank_row() | {
        "source": "toolhive_audit", "operation": "tools/call", "activity": "invoke", "actor_uid": "claude-code",
        "actor_type": "agent", "actor_name": "claude-code", "session_uid": SESSION, "delegator_uid": USER,
        "delegations": [hop("on_behalf_of", USER, "claude-code", "event")], "target_type": "mcp_tool",
        "target_system": "mcp:github", "src_ip": "10.0.40.9", "user_agent": "claude-code/1.0.31",
        "evidence_file": str(FILE), "evidence_offset": line, "evidence_path": "$",
    } | fields


EXPECTED = {
    "tool call": _row(
        1, event_uid="8f1e2d3c-4b5a-4697-8a8b-9c0d1e2f3a41", time=t(2025, 3, 12, 10, 6, 2, 117934),
        class_name="tool_call", status="success", target_uid="create_pull_request", target_name="create_pull_request",
        tool_name="create_pull_request",
        resources=[res("7", "jsonrpc_id", "mcp:github"),
                   res('{"owner":"acme","repo":"payments","title":"Add export job"}', "tool_arguments", "mcp:github")],
    ),
    "denied by policy": _row(
        2, event_uid="8f1e2d3c-4b5a-4697-8a8b-9c0d1e2f3a42", time=t(2025, 3, 12, 10, 6, 9, 500112),
        class_name="authorization", status="failure", status_detail="denied", target_uid="delete_repository",
        target_name="delete_repository", tool_name="delete_repository", resources=[],
    ),
}


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return load(tmp_path_factory.mktemp("toolhive"), FILE)


def test_detected_and_loaded(ingested: Any) -> None:
    case, summary = ingested
    assert (summary.read, summary.loaded, summary.quarantined) == (2, 2, 0)
    assert case.sql("SELECT source FROM manifest")["source"].to_list() == ["toolhive_audit"]
    records = sample_records(discover([FILE])[0])
    assert [lo.name for lo in loaders.available() if lo.detectable and lo.sniff(records)] == ["toolhive_audit"]


@pytest.mark.parametrize("name", list(EXPECTED))
def test_whole_row(ingested: Any, name: str) -> None:
    expected = EXPECTED[name]
    assert subset(one(ingested[0], "event_uid = $id", id=expected["event_uid"]), expected) == expected
