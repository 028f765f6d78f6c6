"""Generic JSON-lines loader: mapping validation, the bound parameters, whole rows through two mappings."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from irkit import loaders
from irkit.errors import UsageError
from irkit.evidence import discover, sample_records
from irkit.loaders import jsonl
from irkit.loaders.jsonl import KEYS, mapping_options
from tests.loaders.helpers import SAMPLES, load, one, quarantine, subset

SAMPLE_DIR = SAMPLES / "jsonl"


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def mapping(name: str) -> dict[str, Any]:
    return yaml.safe_load((SAMPLE_DIR / name).read_text())


def ingest(tmp_path: Path, data: str, mapping_file: str):
    return load(tmp_path, SAMPLE_DIR / data, source="jsonl", options=mapping_options(mapping(mapping_file)))


# -- the mapping --------------------------------------------------------------------------------


def test_options_bind_exactly_the_parameters_the_query_uses() -> None:
    """DuckDB refuses a missing parameter and an unused one: the two sets must be equal."""
    sql = "\n".join(line.split("--", 1)[0] for line in loaders.get("jsonl").sql.splitlines())
    referenced = set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", sql))
    options = mapping_options({"source_label": "x", "time": "$.ts"})
    assert set(options) == referenced == set(KEYS)


def test_defaults_fill_every_parameter() -> None:
    options = mapping_options({"source_label": "acme", "time": "$.ts", "actor_type": "agent", "status": "$.ok"})
    assert options["time_format"] is None and options["actor_uid"] is None
    assert options["actor_type"] == "agent" and options["status"] == "$.ok"
    assert options["failure_values"] == list(jsonl.DEFAULT_FAILURE_VALUES)


def test_failure_values_are_lower_case_text() -> None:
    options = mapping_options({"source_label": "p", "time": "$.t", "failure_values": [403, "DENIED", False]})
    assert options["failure_values"] == ["403", "denied", "false"]
    assert mapping_options({"source_label": "p", "time": "$.t", "failure_values": "error"})["failure_values"] == ["error"]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"source_label": "a", "time": "$.ts", "actor_id": "$.who"}, "unknown key 'actor_id' (did you mean 'actor_uid'?)"),
        ({"time": "$.ts"}, "'source_label' is required"),
        ({"source_label": "has spaces", "time": "$.ts"}, "'source_label' is required"),
        ({"source_label": "a"}, "'time' is required"),
        ({"source_label": "a", "time": "ts"}, "'time' must be a JSON path"),
        ({"source_label": "a", "time": "$.ts", "event_uid": "constant"}, "'event_uid' must be a JSON path"),
        ({"source_label": "a", "time": "$.ts", "target_uid": "$.items[*].id"}, "'target_uid': '$.items[*].id' selects several"),
        ({"source_label": "a", "time": "$..ts"}, "'time': '$..ts' selects several"),
        ({"source_label": "a", "time": "$.ts", "operation": ["$.a"]}, "'operation' must be a JSON path"),
        ({"source_label": "a", "time": "$.ts", "operation": "  "}, "'operation' is empty"),
        ({"source_label": "a", "time": "$.ts", "time_format": "dd/mm/yyyy"}, "'time_format' must be a strptime format"),
        ({"source_label": "a", "time": "$.ts", "failure_values": {"x": 1}}, "'failure_values' must be a list"),
        (["time", "$.ts"], "a jsonl mapping is a set of key: value pairs"),
    ],
)
def test_bad_mappings_name_the_key(bad: Any, message: str) -> None:
    with pytest.raises(UsageError) as error:
        mapping_options(bad)
    assert message in str(error.value)


def test_never_detected() -> None:
    loader = loaders.get("jsonl")
    assert loader.detectable is False
    records = [r for item in discover([SAMPLE_DIR / "gateway.jsonl"]) for r in sample_records(item)]
    assert not jsonl.sniff(records)
    detected = loaders.detect(records)
    assert detected is None or detected.name != "jsonl"


# -- loading ------------------------------------------------------------------------------------

GATEWAY = {"source": "jsonl", "class_name": "api_activity", "target_system": "acme_gateway", "evidence_path": "$",
           "trace_uid": None, "span_uid": None, "parent_span_uid": None, "tool_name": None, "account_uid": None}

GATEWAY_ROWS: dict[str, tuple[int, dict[str, Any]]] = {
    "service reads a secret": (
        1, {**GATEWAY, "event_uid": "acme_gateway:req-7f3a91", "time": t("2025-03-14T09:30:12.481"),
            "operation": "secrets.read", "status": "success", "status_detail": None,
            "actor_uid": "deploy-bot@acme.example", "actor_type": "service", "actor_name": "Deploy Bot",
            "session_uid": "s-55c1", "credential_uid": "tok_9QxV", "delegator_uid": None,
            "target_uid": "prod/db/password", "target_type": "secret", "target_name": "prod/db/password",
            "resources": [{"uid": "prod/db/password", "type": "secret", "system": "acme_gateway"}],
            "src_ip": "10.4.2.17", "user_agent": "acme-cli/3.2.0"},
    ),
    "epoch-millisecond time, a failure value in another case, its reason": (
        2, {**GATEWAY, "event_uid": "acme_gateway:req-7f3a92", "time": t("2025-03-14T09:30:15.123"),
            "operation": "secrets.delete", "status": "failure", "status_detail": "missing role secrets-admin",
            "actor_uid": "alice@acme.example", "actor_type": "human", "actor_name": "Alice",
            "session_uid": "s-9a0b", "credential_uid": None, "delegator_uid": None,
            "src_ip": "203.0.113.9", "user_agent": "Mozilla/5.0"},
    ),
    "agent acting on behalf of a person; time without zone read as UTC": (
        3, {**GATEWAY, "event_uid": "acme_gateway:req-7f3a93", "time": t("2025-03-14T09:31:40"),
            "operation": "deploy.start", "status": "success", "actor_uid": "agent-ops@acme.example",
            "actor_type": "agent", "actor_name": None, "delegator_uid": "alice@acme.example",
            "target_uid": "svc/payments", "target_type": "service",
            "resources": [{"uid": "svc/payments", "type": "service", "system": "acme_gateway"}],
            "src_ip": None, "user_agent": None},
    ),
}


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory):
    return ingest(tmp_path_factory.mktemp("gateway"), "gateway.jsonl", "gateway.mapping.yaml")


def test_gateway_counts(gateway) -> None:
    case, summary = gateway
    assert (summary.read, summary.loaded, summary.quarantined, summary.duplicates) == (3, 3, 0, 0)
    assert quarantine(case) == []
    assert [f.source for f in summary.files] == ["jsonl"]


@pytest.mark.parametrize("name", list(GATEWAY_ROWS))
def test_gateway_rows(gateway, name: str) -> None:
    case, _ = gateway
    line, expected = GATEWAY_ROWS[name]
    row = one(case, "evidence_offset = $line", line=line)
    assert subset(row, expected) == expected
    assert row["raw"] == (SAMPLE_DIR / "gateway.jsonl").read_text().splitlines()[line - 1]


def test_constants_time_format_and_numeric_status(tmp_path: Path) -> None:
    case, summary = ingest(tmp_path, "llm_proxy.jsonl", "llm_proxy.mapping.yaml")
    assert (summary.read, summary.loaded, summary.quarantined) == (2, 2, 0)
    lines = (SAMPLE_DIR / "llm_proxy.jsonl").read_text().splitlines()
    first = {"event_uid": hashlib.sha256(lines[0].encode()).hexdigest(),
             "time": t("2025-03-14T09:15:02"), "class_name": "api_activity", "operation": "/v1/chat/completions",
             "status": "success", "status_detail": None, "actor_uid": "agent-support-7", "actor_type": "agent",
             "credential_uid": "sha256:9f2c51", "target_uid": "gpt-4o", "target_type": "model",
             "target_system": "api.openai.com", "src_ip": "10.9.0.4",
             "resources": [{"uid": "gpt-4o", "type": "model", "system": "api.openai.com"}],
             "trace_uid": "4bf92f3577b34da6a3ce929d0e0e4736", "span_uid": "00f067aa0ba902b7"}
    assert subset(one(case, "evidence_offset = 1"), first) == first
    second = {"time": t("2025-03-14T09:15:09"), "status": "failure", "status_detail": "429", "trace_uid": None}
    assert subset(one(case, "evidence_offset = 2"), second) == second


def test_records_without_a_readable_time_are_quarantined(tmp_path: Path) -> None:
    case, summary = ingest(tmp_path, "gateway_bad.jsonl", "gateway.mapping.yaml")
    assert (summary.read, summary.loaded, summary.quarantined) == (3, 0, 3)
    reasons = [(q["evidence_offset"], q["reason"]) for q in quarantine(case)]
    assert reasons[:2] == [(1, "no timestamp at $.ts"), (2, "unreadable timestamp at $.ts: yesterday afternoon")]
    assert reasons[2][0] == 3 and reasons[2][1].startswith("not valid JSON: ")


def test_the_documented_example_mapping_is_valid() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "jsonl_mapping.md").read_text()
    block = re.search(r"```yaml\n(.*?)```", doc, re.DOTALL)
    assert block, "docs/jsonl_mapping.md has a ```yaml example"
    options = mapping_options(yaml.safe_load(block.group(1)))
    assert set(options) == set(KEYS)
