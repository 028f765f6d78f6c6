"""Look-alikes: records shaped like a supported format but not it are rejected, with a reason naming
what they likely are. Samples written from AWS's documented S3 event notification structure and
CodeCommit trigger event (both say ``eventSource: aws:<service>``; a CloudTrail record always says
``<service>.amazonaws.com``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from irkit import loaders
from irkit.evidence import discover, sample_records
from tests.loaders.helpers import SAMPLES, load, quarantine, rows

HERE = SAMPLES / "lookalikes"


def test_no_loader_claims_an_s3_notification_or_a_codecommit_trigger() -> None:
    for name in ("s3-event-notification.json", "codecommit-trigger.json"):
        item = discover([HERE / name])[0]
        assert loaders.detect(sample_records(item)) is None, name


def test_the_quarantine_names_the_likely_format(tmp_path: Path) -> None:
    case, summary = load(tmp_path, HERE / "s3-event-notification.json", HERE / "codecommit-trigger.json")
    assert (summary.read, summary.loaded, summary.quarantined) == (2, 0, 2)
    reasons = {Path(q["evidence_file"]).name: q["reason"] for q in quarantine(case)}
    assert reasons == {
        "s3-event-notification.json": "no loader recognises this file: these look like Amazon S3 event notifications "
        "(eventSource aws:<service>), not CloudTrail (<service>.amazonaws.com)",
        "codecommit-trigger.json": "no loader recognises this file: these look like AWS CodeCommit trigger events "
        "(eventSource aws:<service>), not CloudTrail (<service>.amazonaws.com)",
    }
    errors = sorted(f.error or "" for f in summary.files)
    assert all("these look like" in e for e in errors), errors


def test_a_notification_among_cloudtrail_records_is_quarantined_alone(tmp_path: Path) -> None:
    case, summary = load(tmp_path, HERE / "cloudtrail-with-notification.jsonl")
    assert (summary.read, summary.loaded, summary.quarantined) == (2, 1, 1)
    assert [r["source"] for r in rows(case)] == ["cloudtrail"]
    [q] = quarantine(case)
    assert (q["evidence_offset"], q["reason"]) == (
        2, "not a CloudTrail event (eventSource aws:s3, CloudTrail writes <service>.amazonaws.com): "
        "an Amazon S3 event notification")


# ------------------------------------------------------------------------------------------------
# MCP gateway logs: every gateway's records go to its own loader, and no MCP gateway loader takes
# another's (an agentgateway access line names mcp.* keys like an OTel attribute map; a LiteLLM payload
# carries a model and metadata like a span's attributes).

_MCP_SAMPLES = {
    "toolhive_audit": ["toolhive_audit/audit.jsonl"],
    "mcp": ["mcp/bare-jsonrpc.json", "mcp/gateway-no-ids.jsonl", "mcp/gateway-sessions.jsonl", "mcp/gateway-v2.jsonl"],
    "otel_genai": ["otel_genai/attribute_map_spans.jsonl", "otel_genai/otlp_agent_trace.jsonl",
                   "otel_genai/otlp_pretty.json", "otel_genai/python_console_spans.json",
                   "otel_genai/vercel_ai_spans.json", "otel_dialects/dialects.jsonl"],
    "agentgateway": ["agentgateway/access.jsonl"],
    "litellm": ["litellm/standard_logging_payloads.jsonl"],
}


@pytest.mark.parametrize("owner", list(_MCP_SAMPLES))
def test_mcp_gateway_formats_are_read_by_their_own_loader_only(owner: str) -> None:
    claimants = ("toolhive_audit", "mcp", "otel_genai", "agentgateway", "litellm")
    for name in _MCP_SAMPLES[owner]:
        records = sample_records(discover([SAMPLES / name])[0])
        claimed = [c for c in claimants if loaders.get(c).sniff(records)]
        assert claimed == [owner], f"{name}: claimed by {claimed}"
        assert loaders.detect(records).name == owner, name


def test_timestamped_text_logs_are_not_taken_for_a_clients_mcp_log(tmp_path: Path) -> None:
    """Other apps' text logs with a timestamp and bracketed level and tag (lines from public READMEs),
    and Claude Desktop lines copied without their timestamps, are no loader's; JSON-RPC stays ``mcp``."""
    from irkit.evidence import sample_lines

    for name in ("app-bracketed.log", "claude-log-without-timestamps.log"):
        item = discover([HERE / name])[0]
        assert loaders.detect(sample_records(item)) is None, name
        assert loaders.detect_lines(sample_lines(item)) is None, name
    bare = discover([SAMPLES / "mcp" / "bare-jsonrpc.json"])[0]
    assert loaders.detect(sample_records(bare)).name == "mcp"
    assert not loaders.get("claude_desktop_mcp").sniff_lines(sample_lines(bare))
    case, summary = load(tmp_path, HERE / "app-bracketed.log")
    assert (summary.read, summary.loaded, summary.quarantined, summary.files[0].source) == (4, 0, 4, None)
    assert {q["reason"] for q in quarantine(case)} == {"no loader recognises this file"}
