"""Scenario entra-okta-agent: reproducible byte for byte, in the vendors' documented shapes, loads without
unexpected quarantine (the re-pulled sign-in page shows as duplicates), and every event its answer key names
exists at the time the key says, in the raw files (read with json only) and in the lake. The answer key is
checked against the evidence, never against irkit's analyses."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from irkit.synth.scenarios import SCENARIOS, generate

REPO = Path(__file__).resolve().parents[2]
COMMITTED = REPO / "sample_data" / "entra-okta-agent"
NAME = "entra-okta-agent"
NS = 10**9
UID_KEYS = ("event_uid", "span_event_uid", "mcp_event_uid", "created_by_event")


def ns_of(iso: str) -> int:
    base, _, frac = iso.rstrip("Z").partition(".")
    d = dt.datetime.fromisoformat(base).replace(tzinfo=dt.UTC)
    return int(d.timestamp()) * NS + int((frac + "000000000")[:9])


def us(ns: int) -> int:
    return ns // 1000


def hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def spans(root: Path) -> list[dict[str, Any]]:
    out = []
    for f in sorted((root / "otel").glob("traces-*.json")):
        for line in f.read_bytes().splitlines():
            for rs in json.loads(line)["resourceSpans"]:
                for ss in rs["scopeSpans"]:
                    for s in ss["spans"]:
                        s = dict(s, attrs={a["key"]: next(iter(a["value"].values())) for a in s["attributes"]})
                        out.append(s)
    return out


def graph_records(root: Path, pattern: str) -> list[tuple[Path, dict[str, Any]]]:
    return [(f, r) for f in sorted(root.glob(pattern)) for r in json.loads(f.read_text())["value"]]


def evidence(root: Path) -> tuple[dict[str, tuple[str, int]], int]:
    """uid -> (source, time ns) for every record, by docs/normalization.md; and the sign-ins delivered twice."""
    out: dict[str, tuple[str, int]] = {}
    dupes = 0
    for _, r in graph_records(root, "entra/signins/*.json"):
        dupes += r["id"] in out
        out[r["id"]] = ("entra_signin", ns_of(r["createdDateTime"]))
    for _, r in graph_records(root, "entra/directoryAudits.json"):
        out[r["id"]] = ("entra_audit", ns_of(r["activityDateTime"]))
    for r in json.loads((root / "azure" / "activity-log.json").read_text()):
        out[r["eventDataId"]] = ("azure_activity", ns_of(r["eventTimestamp"]))
    for f in sorted((root / "azure" / "diagnostics").rglob("PT1H.json")):
        for line in f.read_bytes().splitlines():
            out[hashlib.sha256(line).hexdigest()] = ("azure_activity", ns_of(json.loads(line)["time"]))
    for line in (root / "okta" / "system_log.jsonl").read_bytes().splitlines():
        e = json.loads(line)
        out[e["uuid"]] = ("okta", ns_of(e["published"]))
    for line in (root / "mcp" / "gateway.jsonl").read_bytes().splitlines():
        out[hashlib.sha256(line).hexdigest()] = ("mcp", ns_of(json.loads(line)["timestamp"]))
    for s in spans(root):
        out[f"{s['traceId'].lower()}:{s['spanId'].lower()}"] = ("otel_genai", int(s["startTimeUnixNano"]))
    return out, dupes


def truth_events(node: Any) -> list[tuple[str, str | None]]:
    """Every (event uid, time or None) the answer key names."""
    found: list[tuple[str, str | None]] = []
    if isinstance(node, dict):
        t = node.get("time") if isinstance(node.get("time"), str) else None
        for k, v in node.items():
            if k in UID_KEYS and isinstance(v, str):
                found.append((v, t if k == "event_uid" else None))
            elif k == "events" and isinstance(v, list):
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
    assert SCENARIOS[NAME] == "irkit.synth.scenarios.entra_okta_agent"


def test_regenerates_byte_for_byte_quickly_and_small(tmp_path: Path) -> None:
    start = time.perf_counter()
    generate(NAME, tmp_path / "out")
    assert time.perf_counter() - start < 20
    assert hashes(tmp_path / "out") == hashes(COMMITTED)
    assert sum(p.stat().st_size for p in COMMITTED.rglob("*") if p.is_file()) < 3_000_000


def test_truth_agrees_with_raw_evidence(truth: dict[str, Any]) -> None:
    ev, dupes = evidence(COMMITTED / "evidence")
    assert 500 <= len(ev) <= 5000
    assert dupes == truth["duplicates"]["entra_signin"] > 0
    named = truth_events(truth)
    assert len(named) > 80
    for uid, when in named:
        assert uid in ev, uid
        if when is not None:
            assert us(ev[uid][1]) == us(ns_of(when)), (uid, when)
    assert not [p for p in (COMMITTED / "evidence").rglob("*") if "aws" in p.name.lower()]
    times = truth["times"]
    assert times["compromise"] < times["detected"] < times["revoked"]
    for item in truth["used_after_revocation"]:
        assert item["first_use"] > times["revoked"]
    kinds = {t["kind"] for t in truth["triggers"]}
    assert kinds == {"new_production_data", "tool_expansion", "downstream_reach", "privilege_change",
                     "ownership_gap", "activity_after_revocation"}


def test_entra_records_in_the_documented_shape(truth: dict[str, Any]) -> None:
    root = COMMITTED / "evidence"
    signins = [r for _, r in graph_records(root, "entra/signins/signIns-2026-11-1?.json")]
    sp = [r for r in signins if r["signInEventTypes"] == ["servicePrincipal"]]
    users = [r for r in signins if r["signInEventTypes"] != ["servicePrincipal"]]
    assert sp and users
    assert all(r["servicePrincipalId"] and r["clientCredentialType"] in ("clientSecret", "certificate") for r in sp)
    assert all(r["servicePrincipalId"] == "" and r["userId"] and r["status"]["errorCode"] == 0 for r in users)
    key_b = truth["persistence"][0]["credential"]
    assert key_b == key_b.lower()
    uses_b = [r for r in sp if r["servicePrincipalCredentialKeyId"] == key_b]
    assert {r["servicePrincipalName"] for r in uses_b} == {"payroll-sync"}
    assert any(r["createdDateTime"] > truth["times"]["revoked"] for r in uses_b)
    audits = {r["id"]: r for _, r in graph_records(root, "entra/directoryAudits.json")}
    created = audits[truth["persistence"][0]["created_by_event"]]
    assert created["activityDisplayName"] == "Update application \u2013 Certificates and secrets management"
    (kd,) = [p for p in created["targetResources"][0]["modifiedProperties"] if p["displayName"] == "KeyDescription"]
    assert f"KeyIdentifier={key_b}," in kd["newValue"] and key_b not in kd["oldValue"]
    assert "app" in created["initiatedBy"] and created["initiatedBy"]["app"]["displayName"] == "expense-agent"
    # payroll-sync's own runs after the compromise use its legitimate secret, not B
    benign = {b["event_uid"] for b in truth["benign_shared"]}
    own = [r for r in sp if r["id"] in benign]
    assert own and all(r["servicePrincipalCredentialKeyId"] != key_b for r in own)


def test_spans_in_strict_genai_shape(truth: dict[str, Any]) -> None:
    root = COMMITTED / "evidence"
    all_spans = spans(root)
    by_id = {s["spanId"]: s for s in all_spans}
    for s in all_spans:
        op = s["attrs"]["gen_ai.operation.name"]
        has_agent = any(k.startswith("gen_ai.agent.") for k in s["attrs"])
        assert has_agent == (op == "invoke_agent"), s["name"]
        if op in ("execute_tool", "chat"):
            assert by_id[s["parentSpanId"]]["attrs"]["gen_ai.operation.name"] == "invoke_agent"
    (sub,) = [s for s in all_spans if s["attrs"].get("gen_ai.agent.id") == "graph-admin-helper"]
    assert by_id[sub["parentSpanId"]]["attrs"]["gen_ai.agent.id"] == "expense-agent"
    tool_spans = {s["spanId"] for s in all_spans if s["attrs"]["gen_ai.operation.name"] == "execute_tool"}
    calls = [json.loads(line) for line in (root / "mcp" / "gateway.jsonl").read_bytes().splitlines()]
    calls = [c for c in calls if c.get("method") == "tools/call"]
    assert calls and all(c["payload"]["params"]["_meta"]["traceparent"].split("-")[2] in tool_spans for c in calls)
    assert {a["tool_call"]["via"] for a in truth["attribution"]} == {"parent", "sub-agent"}


def test_benign_shared_is_not_the_suspects(truth: dict[str, Any]) -> None:
    attributed = {a["event_uid"] for a in truth["attribution"]}
    triggered = {t["event_uid"] for t in truth["triggers"]}
    touched = {x["event_uid"] for k in ("identities", "resources", "systems") for x in truth["touched"][k]}
    benign = {b["event_uid"] for b in truth["benign_shared"]}
    assert benign and not benign & (attributed | triggered | touched)
    assert all(b["time"] > truth["times"]["compromise"] for b in truth["benign_shared"])
    assert {b["identity"] for b in truth["benign_shared"]} == {"payroll-sync", "priya.raman", "maya.lindqvist"}


def test_inventory_and_incident_parse(truth: dict[str, Any]) -> None:
    from irkit.incident import load_incident
    from irkit.inventory import load_inventory

    inv = load_inventory(COMMITTED / "inventory.yaml")
    assert "expense-agent" in inv.identities and "payroll-sync" in inv.identities
    assert "graph-admin-helper" not in inv.identities  # the story's ownership gap
    incident = load_incident(COMMITTED / "incident.yaml")
    assert incident.suspect == truth["suspect"]["id"]
    doc = yaml.safe_load((COMMITTED / "incident.yaml").read_text())
    assert [r["target"] for r in doc["revocations"]] == [r["target"] for r in truth["revocations"]]


def test_loads_into_the_lake(tmp_path: Path, truth: dict[str, Any]) -> None:
    import irkit

    case = irkit.open_case(tmp_path / "case")
    summary = case.ingest([COMMITTED / "evidence"])
    assert summary.quarantined == 0
    assert summary.duplicates == truth["duplicates"]["entra_signin"]
    lake = case.sql("SELECT event_uid, epoch_us(time) AS us, actor_uid, target_uid, credential_uid, tool_name, "
                    "list_transform(resources, lambda r: r.uid) AS res FROM events")
    rows = lake.to_dicts()
    have = {r["event_uid"]: r["us"] for r in rows}
    for uid, when in truth_events(truth):
        assert uid in have, uid
        if when is not None:
            assert have[uid] == us(ns_of(when)), (uid, when)
    # every touched item is named by the event the key gives for it
    named = {r["event_uid"]: {r["actor_uid"], r["target_uid"], r["credential_uid"], r["tool_name"], *(r["res"] or [])}
             for r in rows}
    for kind in ("identities", "resources"):
        for item in truth["touched"][kind]:
            assert item["uid"] in named[item["event_uid"]], item
