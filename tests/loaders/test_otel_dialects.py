"""OTel GenAI spans in the current conventions and the older dialects still in use
(``samples/otel_dialects/dialects.jsonl``, OTLP/JSON spans written from the OpenTelemetry GenAI semantic
conventions, the OpenInference semantic conventions and OpenLLMetry's ``traceloop.*`` attributes):

1. a chat span with ``gen_ai.input.messages`` (a tool result fed back) and ``gen_ai.output.messages`` (a tool
   call requested): both tool-call ids are resources, pairing the model call with the tools around it;
2. an ``apply_guardrail`` span: the guardian is the target, its decision the status detail;
3. an OpenInference TOOL span (``tool.name``, arguments in ``input.value``);
4. an OpenInference LLM span (``llm.model_name``, ``llm.provider``);
5. an OpenLLMetry tool span (``traceloop.span.kind`` tool, ``traceloop.entity.name``).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.loaders.helpers import SAMPLES, blank_row, load, one, res, subset
from tests.loaders.helpers import utc as t

FILE = SAMPLES / "otel_dialects" / "dialects.jsonl"
TRACE = "5b8efff798038103d269b633813fc60c"


def _span(line: int, span: str, parent: str, start: Any, end: Any, service: str, **fields: Any) -> dict[str, Any]:
    return blank_row() | {
        "event_uid": f"{TRACE}:{span}", "time": start, "end_time": end, "source": "otel_genai", "status": "success",
        "actor_uid": service, "actor_type": "service", "actor_name": service, "trace_uid": TRACE, "span_uid": span,
        "parent_span_uid": parent, "evidence_file": str(FILE), "evidence_offset": line, "evidence_path": "$",
    } | fields


EXPECTED = {
    "chat with input and output messages": _span(
        1, "a1b2c3d4e5f60001", "a1b2c3d4e5f60000", t(2024, 5, 2, 10, 0), t(2024, 5, 2, 10, 0, 0, 800000), "support-agent",
        class_name="api_activity", operation="chat", activity="invoke", session_uid="conv-42",
        target_uid="gpt-4o", target_type="model", target_name="gpt-4o", target_system="genai:openai",
        resources=[res("gpt-4o", "model", "genai:openai"), res("conv-42", "conversation", "genai"),
                   # asked for (output messages) first, then the results it was given (input messages)
                   res("call_export_2", "tool_call", "genai"), res("call_ticket_1", "tool_call", "genai")],
    ),
    "guardrail": _span(
        2, "a1b2c3d4e5f60002", "a1b2c3d4e5f60001", t(2024, 5, 2, 10, 0, 0, 810000), t(2024, 5, 2, 10, 0, 0, 900000),
        "support-agent", class_name="guardrail", operation="apply_guardrail", activity="invoke",
        status_detail="deny: indirect prompt injection", session_uid="conv-42",
        target_uid="acs-prompt-shield", target_type="guardrail", target_name="Azure Content Safety", target_system="genai",
        resources=[res("conv-42", "conversation", "genai")],
    ),
    "OpenInference TOOL": _span(
        3, "b1b2c3d4e5f60003", "b1b2c3d4e5f60000", t(2024, 5, 2, 10, 0, 1), t(2024, 5, 2, 10, 0, 1, 200000), "triage-bot",
        class_name="tool_call", operation="execute_tool", activity="invoke", session_uid="sess-oi-7",
        delegator_uid="dana.reyes@example.com", target_uid="lookup_ticket", target_type="tool", target_name="lookup_ticket",
        target_system="genai", tool_name="lookup_ticket",
        resources=[res("lookup_ticket", "tool", "genai"), res('{"ticket_id": "T-1001"}', "tool_arguments", "genai")],
    ),
    "OpenInference LLM": _span(
        4, "b1b2c3d4e5f60004", "b1b2c3d4e5f60000", t(2024, 5, 2, 10, 0, 1, 300000), t(2024, 5, 2, 10, 0, 1, 900000),
        "triage-bot", class_name="api_activity", operation="chat", activity="invoke", session_uid="sess-oi-7",
        target_uid="claude-3-5-sonnet-20240620", target_type="model", target_name="claude-3-5-sonnet-20240620",
        target_system="genai:anthropic", resources=[res("claude-3-5-sonnet-20240620", "model", "genai:anthropic")],
    ),
    "OpenLLMetry tool": _span(
        5, "c1b2c3d4e5f60005", "c1b2c3d4e5f60000", t(2024, 5, 2, 10, 0, 2), t(2024, 5, 2, 10, 0, 2, 100000), "reporting-agent",
        class_name="tool_call", operation="execute_tool", activity="invoke", target_uid="run_sql", target_type="tool",
        target_name="run_sql", target_system="genai", tool_name="run_sql",
        resources=[res("run_sql", "tool", "genai"), res('{"query": "SELECT * FROM customers"}', "tool_arguments", "genai")],
    ),
}


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return load(tmp_path_factory.mktemp("otel_dialects"), FILE)


def test_all_load(ingested: Any) -> None:
    assert (ingested[1].read, ingested[1].loaded, ingested[1].quarantined) == (5, 5, 0)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_whole_row(ingested: Any, name: str) -> None:
    expected = EXPECTED[name]
    got = one(ingested[0], "event_uid = $id", id=expected["event_uid"])
    assert subset(got, expected) == expected
