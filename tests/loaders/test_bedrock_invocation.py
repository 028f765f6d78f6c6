"""Bedrock model invocation logs (``samples/bedrock_invocation/invocations.jsonl``, written from AWS's
documented ModelInvocationLog record: ``schemaType``, ``identity.arn``, ``requestId``, ``operation``,
``modelId``, ``input.inputBodyJson`` / ``output.outputBodyJson`` with Converse messages):

1. an agent's role session calls Converse with a guardrail: a tool result fed back (whose text carries an
   injection) and a new tool call asked for are both listed, pairing the call with the tools around it;
2. an IAM user calls InvokeModel through a cross-region inference profile.
"""

from __future__ import annotations

from typing import Any

import pytest

from irkit import loaders
from tests.loaders.helpers import SAMPLES, blank_row, hop, load, one, res, subset
from tests.loaders.helpers import utc as t

FILE = SAMPLES / "bedrock_invocation" / "invocations.jsonl"
ACCT = "111122223333"
AGENT = f"arn:aws:sts::{ACCT}:assumed-role/agent-runner/agent-7f3c"


def _row(line: int, **fields: Any) -> dict[str, Any]:
    return blank_row() | {"source": "bedrock_invocation", "class_name": "model_invocation", "activity": "invoke",
                          "status": "success", "actor_type": "unknown", "account_uid": ACCT, "target_type": "model",
                          "target_system": "aws:bedrock", "evidence_file": str(FILE), "evidence_offset": line,
                          "evidence_path": "$"} | fields


EXPECTED = {
    "Converse by a role session": _row(
        1, event_uid="3f1c9a2e-6b7d-4e8f-9a0b-1c2d3e4f5a61", time=t(2025, 3, 12, 10, 6, 1), operation="Converse",
        actor_uid=AGENT, actor_name="agent-7f3c",
        delegations=[hop("session_of", f"arn:aws:iam::{ACCT}:role/agent-runner", AGENT, "standing")],
        target_uid="arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0",
        target_name="anthropic.claude-3-5-sonnet-20240620-v1:0",
        resources=[res("tooluse_Q2w3E4r5T6y7U8i9O0p1Aa", "tool_call", "aws:bedrock"),
                   res("tooluse_kZJMlvQmRJ6eAyJE5GIl7Q", "tool_call", "aws:bedrock"),
                   res("gr1a2b3c4d5e", "bedrock_guardrail", "aws:bedrock")],
    ),
    "InvokeModel through an inference profile": _row(
        2, event_uid="3f1c9a2e-6b7d-4e8f-9a0b-1c2d3e4f5a62", time=t(2025, 3, 12, 10, 7, 15), operation="InvokeModel",
        actor_uid=f"arn:aws:iam::{ACCT}:user/deploy-bot", actor_name="deploy-bot",
        target_uid=f"arn:aws:bedrock:us-east-1:{ACCT}:inference-profile/us.anthropic.claude-3-7-sonnet-20250219-v1:0",
        target_name="us.anthropic.claude-3-7-sonnet-20250219-v1:0", resources=[],
    ),
}


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return load(tmp_path_factory.mktemp("bedrock"), FILE)


def test_detected_and_all_load(ingested: Any) -> None:
    case, summary = ingested
    assert (summary.read, summary.loaded, summary.quarantined) == (2, 2, 0)
    assert case.sql("SELECT DISTINCT source FROM manifest")["source"].to_list() == ["bedrock_invocation"]


@pytest.mark.parametrize("name", list(EXPECTED))
def test_whole_row(ingested: Any, name: str) -> None:
    expected = EXPECTED[name]
    assert subset(one(ingested[0], "event_uid = $id", id=expected["event_uid"]), expected) == expected


def test_no_other_loader_claims_it() -> None:
    from irkit.evidence import discover, sample_records

    records = sample_records(discover([FILE])[0])
    assert [lo.name for lo in loaders.available() if lo.detectable and lo.sniff(records)] == ["bedrock_invocation"]
