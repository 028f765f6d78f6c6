"""LiteLLM StandardLoggingPayload records (``samples/litellm/standard_logging_payloads.jsonl``, written
from LiteLLM's ``StandardLoggingPayload`` / ``StandardLoggingMetadata`` / ``StandardLoggingMCPToolCall``
types and what its MCP gateway logs for a tool call): a tools/list and a tool call through the MCP
gateway by a virtual key's user for an end user, a tool call the upstream MCP server failed, one the
proxy refused, and a model call on the same key."""

from __future__ import annotations

from typing import Any

import pytest

from irkit import loaders
from irkit.evidence import discover, sample_records
from tests.loaders.helpers import SAMPLES, blank_row, cred, hop, load, one, res, subset
from tests.loaders.helpers import utc as t

FILE = SAMPLES / "litellm" / "standard_logging_payloads.jsonl"
USER = "7c0b7c9e-2f55-4d8e-9a8e-51d6b0e3a0c1"
END_USER = "customer-4412"
KEY = "88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b"
SESSION = "mcp-sess-5f0c2a7e9d3b4c61"


def _row(line: int, **fields: Any) -> dict[str, Any]:
    return blank_row() | {
        "source": "litellm", "operation": "tools/call", "activity": "invoke", "actor_uid": USER,
        "actor_type": "unknown", "actor_name": "dana.reyes@example.com", "account_uid": "org-acme",
        "session_uid": SESSION, "credential_uid": KEY, "delegator_uid": END_USER,
        "delegations": [hop("on_behalf_of", END_USER, USER, "event", KEY)],
        "credentials": [cred(KEY, "api_token", "used", USER, "claude-code-dana")],
        "target_type": "mcp_tool", "target_system": "mcp:github", "src_ip": "10.0.40.9",
        "user_agent": "claude-code/1.0.31", "evidence_file": str(FILE), "evidence_offset": line, "evidence_path": "$",
    } | fields


EXPECTED = {
    "tool call": _row(
        2, event_uid="a3f1c2d4-5b6e-4f70-8a9b-0c1d2e3f4a02", time=t(2025, 3, 12, 10, 6, 42, 500000),
        end_time=t(2025, 3, 12, 10, 6, 43), class_name="tool_call", status="success",
        target_uid="create_pull_request", target_name="create_pull_request", tool_name="create_pull_request",
        resources=[res('{"owner":"acme","repo":"payments","title":"Add export job"}', "tool_arguments", "mcp:github"),
                   res("Created pull request acme/payments#812", "tool_result", "mcp:github"),
                   res("https://api.githubcopilot.com", "mcp_server", "mcp:github")],
    ),
    "failed tool call": _row(
        3, event_uid="a3f1c2d4-5b6e-4f70-8a9b-0c1d2e3f4a03", time=t(2025, 3, 12, 10, 6, 49),
        end_time=t(2025, 3, 12, 10, 6, 49, 125000), class_name="tool_call", status="failure",
        status_detail="500: Error calling tool execute_sql: permission denied for table invoices",
        target_uid="execute_sql", target_name="execute_sql", tool_name="execute_sql", target_system="mcp:postgres",
        resources=[res('{"query":"DROP TABLE invoices"}', "tool_arguments", "mcp:postgres")],
    ),
    "call the proxy refused (before the tool is resolved)": _row(
        5, event_uid="a3f1c2d4-5b6e-4f70-8a9b-0c1d2e3f4a05", time=t(2025, 3, 12, 10, 6, 55, 500000),
        end_time=t(2025, 3, 12, 10, 6, 55, 507812), class_name="authorization", status="failure",
        status_detail="403: User not allowed to call this tool. Allowed MCP servers: ['github']",
        session_uid=None, target_type=None, target_system="mcp", resources=[],
    ),
    "tools/list in the session": _row(
        1, event_uid="a3f1c2d4-5b6e-4f70-8a9b-0c1d2e3f4a01", time=t(2025, 3, 12, 10, 6, 41, 250000),
        end_time=t(2025, 3, 12, 10, 6, 41, 750000), class_name="api_activity", operation="tools/list",
        activity="list", status="success", target_type=None,
        resources=[res('{"requested_mcp_servers":["github"]}', "tool_arguments", "mcp:github")],
    ),
    "model call on the same key": _row(
        4, event_uid="chatcmpl-4b1e9a6f-2d3c-4e5f-8a7b-9c0d1e2f3a04", time=t(2025, 3, 12, 10, 6, 50),
        end_time=t(2025, 3, 12, 10, 6, 52, 500000), class_name="model_invocation", operation="acompletion",
        status="success", session_uid=None, target_uid="claude-sonnet-4-5", target_name="claude-sonnet-4-5",
        target_type="model", target_system="genai:anthropic", resources=[],
    ),
}


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return load(tmp_path_factory.mktemp("litellm"), FILE)


def test_detected_and_accounted(ingested: Any) -> None:
    case, summary = ingested
    assert (summary.read, summary.loaded, summary.quarantined, summary.duplicates) == (5, 5, 0, 0)
    assert case.sql("SELECT source FROM manifest")["source"].to_list() == ["litellm"]
    records = sample_records(discover([FILE])[0])
    assert [lo.name for lo in loaders.available() if lo.detectable and lo.sniff(records)] == ["litellm"]


@pytest.mark.parametrize("name", list(EXPECTED))
def test_whole_row(ingested: Any, name: str) -> None:
    expected = EXPECTED[name]
    assert subset(one(ingested[0], "event_uid = $id", id=expected["event_uid"]), expected) == expected
