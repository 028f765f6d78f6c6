"""Scenario coding-agent-gcp: reproducible byte for byte, loads without unexpected quarantine, and every
event its answer key names exists, at the time the key says, both in the raw files (read with json only)
and in the lake. This checks the answer key against the evidence, never against irkit's analyses."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from irkit.errors import UsageError
from irkit.synth.scenarios import SCENARIOS, generate

REPO = Path(__file__).resolve().parents[2]
COMMITTED = REPO / "sample_data" / "coding-agent-gcp"
NS = 10**9
UID_KEYS = ("event_uid", "span_event_uid", "mcp_event_uid", "created_by_event", "issued_by_event")


def ns_of(iso: str) -> int:
    base, _, frac = iso.rstrip("Z").partition(".")
    d = dt.datetime.fromisoformat(base).replace(tzinfo=dt.UTC)
    return int(d.timestamp()) * NS + int((frac + "000000000")[:9])


def us(ns: int) -> int:
    return ns // 1000


def hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def evidence(root: Path) -> tuple[dict[str, tuple[str, int]], int]:
    """uid -> (source, time ns) for every record, by the conventions of docs/normalization.md; and the
    number of GCP entries delivered twice."""
    out: dict[str, tuple[str, int]] = {}
    dupes = 0
    for f in sorted((root / "gcp").glob("*.json")):
        for e in json.loads(f.read_text()):
            if e["insertId"] in out:
                dupes += 1
            out[e["insertId"]] = ("gcp", ns_of(e["timestamp"]))
    for line in next((root / "k8s").glob("*/audit.log")).read_bytes().splitlines():
        e = json.loads(line)
        received = dt.datetime.fromisoformat(e["requestReceivedTimestamp"]).astimezone(dt.UTC)
        out[f"{e['auditID']}:{e['stage']}:{received.strftime('%Y-%m-%dT%H:%M:%S.%fZ')}"] = (
            "k8s", ns_of(e["requestReceivedTimestamp"]))
    for line in (root / "github" / "audit_log.jsonl").read_bytes().splitlines():
        e = json.loads(line)
        out[e["_document_id"]] = ("github", e["@timestamp"] * 10**6)
    for line in (root / "mcp" / "gateway.jsonl").read_bytes().splitlines():
        out[hashlib.sha256(line).hexdigest()] = ("mcp", ns_of(json.loads(line)["timestamp"]))
    for f in sorted((root / "otel").glob("traces-*.json")):
        for line in f.read_bytes().splitlines():
            for rs in json.loads(line)["resourceSpans"]:
                for ss in rs["scopeSpans"]:
                    for s in ss["spans"]:
                        out[f"{s['traceId'].lower()}:{s['spanId'].lower()}"] = ("otel", int(s["startTimeUnixNano"]))
    return out, dupes


def truth_events(node: Any) -> list[tuple[str, str | None]]:
    """Every (event uid, time or None) the answer key names."""
    found: list[tuple[str, str | None]] = []
    if isinstance(node, dict):
        t = node.get("time") if isinstance(node.get("time"), str) else None
        for k, v in node.items():
            if k in UID_KEYS and isinstance(v, str):
                found.append((v, t if k == "event_uid" else None))
            elif k in ("events", "event_uids") and isinstance(v, list):
                found.extend((x, None) for x in v)
            else:
                found.extend(truth_events(v))
    elif isinstance(node, list):
        for x in node:
            found.extend(truth_events(x))
    return found


@pytest.fixture(scope="module")
def truth() -> dict[str, Any]:
    return json.loads((COMMITTED / "ground_truth.json").read_text())


def test_registered() -> None:
    assert "coding-agent-gcp" in SCENARIOS
    with pytest.raises(UsageError):
        generate("no-such-scenario", Path("/nonexistent"))


def test_regenerates_byte_for_byte_quickly_and_small(tmp_path: Path) -> None:
    start = time.perf_counter()
    generate("coding-agent-gcp", tmp_path / "out")
    assert time.perf_counter() - start < 20
    assert hashes(tmp_path / "out") == hashes(COMMITTED)
    assert sum(p.stat().st_size for p in COMMITTED.rglob("*") if p.is_file()) < 3_000_000


def test_truth_agrees_with_raw_evidence(truth: dict[str, Any]) -> None:
    ev, dupes = evidence(COMMITTED / "evidence")
    assert 500 <= len(ev) <= 5000
    assert dupes == truth["duplicates"]["gcp_audit"] > 0
    named = truth_events(truth)
    assert len(named) > 60
    for uid, when in named:
        assert uid in ev, uid
        if when is not None:
            assert us(ev[uid][1]) == us(ns_of(when)), (uid, when)
    # no AWS anywhere; the story's shapes are there
    assert not list((COMMITTED / "evidence").rglob("*aws*"))
    assert truth["times"]["compromise"] < truth["times"]["detected"] < truth["times"]["revoked"]
    for item in truth["used_after_revocation"]:
        assert item["first_use"] > truth["times"]["revoked"]


def test_benign_shared_is_not_the_suspects(truth: dict[str, Any]) -> None:
    attributed = {a["event_uid"] for a in truth["attribution"]}
    triggered = {t["event_uid"] for t in truth["triggers"]}
    benign = {b["event_uid"] for b in truth["benign_shared"]}
    assert benign and not benign & (attributed | triggered)
    assert any(b["time"] > truth["times"]["compromise"] for b in truth["benign_shared"])
    assert {a["tool_call"]["via"] for a in truth["attribution"]} == {"parent", "sub-agent"}


def test_inventory_and_incident_parse(truth: dict[str, Any]) -> None:
    from irkit.incident import load_incident
    from irkit.inventory import load_inventory

    inv = load_inventory(COMMITTED / "inventory.yaml")
    assert "coder-agent" in inv.identities
    assert "infra-helper" not in inv.identities  # the story's ownership gap
    incident = load_incident(COMMITTED / "incident.yaml")
    assert incident.suspect == truth["suspect"]["id"]
    doc = yaml.safe_load((COMMITTED / "incident.yaml").read_text())
    assert [r["target"] for r in doc["revocations"]] == [r["target"] for r in truth["revocations"]]


def test_loads_into_the_lake(tmp_path: Path, truth: dict[str, Any]) -> None:
    import irkit

    case = irkit.open_case(tmp_path / "case")
    summary = case.ingest([COMMITTED / "evidence"])
    assert summary.quarantined == 0
    assert summary.duplicates == truth["duplicates"]["gcp_audit"]
    by_source = {f.source: f for f in summary.files}
    assert set(by_source) == {"gcp_audit", "k8s_audit", "github_audit", "mcp", "otel_genai"}
    lake = case.sql("SELECT event_uid, epoch_us(time) AS us FROM events")
    have = dict(zip(lake["event_uid"].to_list(), lake["us"].to_list(), strict=True))
    for uid, when in truth_events(truth):
        assert uid in have, uid
        if when is not None:
            assert have[uid] == us(ns_of(when)), (uid, when)


def test_cli_writes_the_scenario(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from irkit.cli import main

    assert main(["synth", str(tmp_path / "out"), "--scenario", "coding-agent-gcp"]) == 0
    assert hashes(tmp_path / "out") == hashes(COMMITTED)
    assert main(["synth", str(tmp_path / "bad"), "--scenario", "no-such-scenario"]) == 2
    assert "unknown scenario" in capsys.readouterr().err
