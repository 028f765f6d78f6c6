"""The sample incident: reproducible byte for byte, and its ground truth agrees with the raw files.

The evidence is parsed here with json/gzip only (not with irkit's loaders), so the answer key is
checked against the files exactly as a third party would read them.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import itertools
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from irkit.errors import UsageError
from irkit.synth import _util, generate_sample

REPO = Path(__file__).resolve().parents[2]
COMMITTED = REPO / "sample_data" / "invoice-agent-incident"
NS = 10**9


def ns_of(iso: str) -> int:
    base, _, frac = iso.rstrip("Z").partition(".")
    d = dt.datetime.fromisoformat(base).replace(tzinfo=dt.UTC)
    return int(d.timestamp()) * NS + int((frac + "000000000")[:9])


def hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def k8s_uid(r: dict[str, Any]) -> str:
    """docs/normalization.md: auditID:stage:requestReceivedTimestamp (UTC, exactly 6 fraction digits, Z)."""
    received = dt.datetime.fromisoformat(r["requestReceivedTimestamp"]).astimezone(dt.UTC)
    return f"{r['auditID']}:{r['stage']}:{received.strftime('%Y-%m-%dT%H:%M:%S.%fZ')}"


class Evidence:
    """Every record of the sample: uid -> (source, time ns, record)."""

    def __init__(self, sample: Path) -> None:
        root = sample / "evidence"
        self.by_uid: dict[str, tuple[str, int, dict[str, Any]]] = {}
        self.dupes = 0
        for f in sorted((root / "aws").rglob("*.json.gz")):
            for r in json.loads(gzip.decompress(f.read_bytes()))["Records"]:
                if r["eventID"] in self.by_uid:
                    self.dupes += 1
                self.by_uid[r["eventID"]] = ("cloudtrail", ns_of(r["eventTime"]), r)
        for line in (root / "okta" / "system_log.jsonl").read_bytes().splitlines():
            r = json.loads(line)
            self._add(r["uuid"], "okta", ns_of(r["published"]), r)
        for line in (root / "github" / "audit_log.jsonl").read_bytes().splitlines():
            r = json.loads(line)
            self._add(r["_document_id"], "github", r["@timestamp"] * 10**6, r)
        for line in (root / "k8s" / "prod-use1" / "audit.log").read_bytes().splitlines():
            r = json.loads(line)
            self._add(k8s_uid(r), "k8s", ns_of(r["requestReceivedTimestamp"]), r)
        for line in (root / "mcp" / "gateway.jsonl").read_bytes().splitlines():
            r = json.loads(line)
            self._add(hashlib.sha256(line).hexdigest(), "mcp", ns_of(r["timestamp"]), r)
        for f in sorted((root / "otel").glob("traces-*.json")):
            for line in f.read_bytes().splitlines():
                for rs in json.loads(line)["resourceSpans"]:
                    for ss in rs["scopeSpans"]:
                        for s in ss["spans"]:
                            s["attrs"] = {a["key"]: next(iter(a["value"].values())) for a in s["attributes"]}
                            self._add(f"{s['traceId']}:{s['spanId']}", "otel", int(s["startTimeUnixNano"]), s)

    def _add(self, uid: str, source: str, ns: int, rec: dict[str, Any]) -> None:
        assert uid not in self.by_uid, f"duplicate {source} uid {uid}"
        self.by_uid[uid] = (source, ns, rec)

    def of(self, source: str) -> list[tuple[int, dict[str, Any]]]:
        return [(ns, r) for s, ns, r in self.by_uid.values() if s == source]


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_sample(tmp_path_factory.mktemp("sample") / "invoice-agent-incident")


@pytest.fixture(scope="module")
def ev(sample: Path) -> Evidence:
    return Evidence(sample)


@pytest.fixture(scope="module")
def gt(sample: Path) -> dict[str, Any]:
    return json.loads((sample / "ground_truth.json").read_text())


def test_same_seed_same_bytes(sample: Path, tmp_path: Path) -> None:
    again = generate_sample(tmp_path / "again")
    assert hashes(again) == hashes(sample)


def test_stdlib_json_writes_the_same_bytes(sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Machines without orjson must write the identical sample."""
    monkeypatch.setattr(_util, "_orjson", None)
    assert hashes(generate_sample(tmp_path / "stdlib")) == hashes(sample)


def content_hashes(root: Path) -> dict[str, str]:
    """Like `hashes`, but over the decompressed CloudTrail files: another zlib build may pack the
    same records into different gzip bytes."""
    return {str(p.relative_to(root)): hashlib.sha256(
        gzip.decompress(p.read_bytes()) if p.suffix == ".gz" else p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*")) if p.is_file()}


def test_committed_sample_is_current(sample: Path) -> None:
    assert content_hashes(COMMITTED) == content_hashes(sample), "regenerate: python -m irkit.synth.sample"


def test_other_seed_differs(sample: Path, tmp_path: Path) -> None:
    other = generate_sample(tmp_path / "other", seed=8)
    assert hashes(other)["ground_truth.json"] != hashes(sample)["ground_truth.json"]


def test_size_and_volume(sample: Path, ev: Evidence) -> None:
    size = sum(p.stat().st_size for p in sample.rglob("*") if p.is_file())
    assert size < 3_000_000
    counts = {s: len(ev.of(s)) for s in ("cloudtrail", "okta", "github", "k8s", "mcp", "otel")}
    assert all(n > 100 for n in counts.values()), counts
    assert 3000 < sum(counts.values()) < 20000, counts
    assert ev.dupes >= 1  # CloudTrail's at-least-once delivery is represented


def all_event_uids(gt: dict[str, Any]) -> list[str]:
    out = [c["event_uid"] for c in gt["delegation_chain"]]
    out += [t["event_uid"] for t in gt["triggers"]] + [t.get("span_event_uid") for t in gt["triggers"]]
    out += [u["event_uid"] for u in gt["used_after_revocation"]]
    out += [x["event_uid"] for v in gt["touched"].values() for x in v]
    out += [r["event_uid"] for r in gt["revocations"]]
    for a in gt["attribution"]:
        out += [a["event_uid"], a["tool_call"]["mcp_event_uid"], a["tool_call"]["span_event_uid"]]
    amb = gt["ambiguous_attribution"]
    out += [c["mcp_event_uid"] for c in amb["tool_calls"]] + [c["span_event_uid"] for c in amb["tool_calls"]]
    out += [c["event_uid"] for c in amb["api_calls"]] + [c["belongs_to"] for c in amb["api_calls"]]
    return [u for u in out if u]


def test_ground_truth_shape(gt: dict[str, Any]) -> None:
    for key in ("suspect", "times", "sessions", "delegation_chain", "touched", "triggers", "used_after_revocation"):
        assert key in gt
    assert set(gt["times"]) == {"compromise", "detected", "revoked"}
    assert set(gt["touched"]) == {"identities", "resources", "systems"}
    kinds = {t["kind"] for t in gt["triggers"]}
    assert kinds == {"new_production_data", "tool_expansion", "downstream_reach", "privilege_change",
                     "ownership_gap", "activity_after_revocation"}
    assert [c["uid"] for c in gt["delegation_chain"]][:3] == ["dave@acme.example", "invoice-agent", "recon-subagent"]


def test_every_proving_event_exists(gt: dict[str, Any], ev: Evidence) -> None:
    missing = [u for u in all_event_uids(gt) if u not in ev.by_uid]
    assert not missing


def test_times_are_ordered(gt: dict[str, Any], ev: Evidence) -> None:
    t = {k: ns_of(v) for k, v in gt["times"].items()}
    assert t["compromise"] < t["detected"] < t["revoked"]
    for use in gt["used_after_revocation"]:
        assert ns_of(use["first_use"]) > t["revoked"]
        assert ev.by_uid[use["event_uid"]][1] == ns_of(use["first_use"])
        assert ev.by_uid[use["event_uid"]][2]["userIdentity"]["accessKeyId"] == use["credential"]
    for r in gt["revocations"]:
        assert ev.by_uid[r["event_uid"]][1] == ns_of(r["at"])
    assert max(ns_of(r["at"]) for r in gt["revocations"]) == t["revoked"]
    for x in (x for v in gt["touched"].values() for x in v):
        assert ns_of(x["first_touch"]) >= t["compromise"]


def test_compromise_is_the_injected_tool_result(gt: dict[str, Any], ev: Evidence) -> None:
    hits = [(ns, r) for ns, r in ev.of("mcp") if "NOTE FOR THE AI ASSISTANT" in json.dumps(r["payload"])]
    assert len(hits) == 1
    assert hits[0][1]["type"] == "RESPONSE"
    assert hits[0][0] // 1000 * 1000 == ns_of(gt["times"]["compromise"])


def test_incident_yaml_matches(sample: Path, gt: dict[str, Any]) -> None:
    inc = yaml.safe_load((sample / "incident.yaml").read_text())
    assert inc["suspect"] == gt["suspect"]["id"]
    assert inc["detected_at"] == gt["times"]["detected"]
    assert [(r["target"], r["at"]) for r in inc["revocations"]] == [(r["target"], r["at"]) for r in gt["revocations"]]


def session_times(ev: Evidence, source: str, sid: str) -> list[int]:
    if source == "cloudtrail":
        return [ns for ns, r in ev.of("cloudtrail") if r.get("userIdentity", {}).get("accessKeyId") == sid]
    if source == "mcp":
        return [ns for ns, r in ev.of("mcp") if r["session_id"] == sid]
    if source == "otel_genai":
        return [ns for ns, r in ev.of("otel") if r["attrs"].get("gen_ai.conversation.id") == sid]
    assert source == "okta"
    return [ns for ns, r in ev.of("okta") if r["authenticationContext"]["externalSessionId"] == sid]


def test_session_bounds_match_records(gt: dict[str, Any], ev: Evidence) -> None:
    assert {s["source"] for s in gt["sessions"]} == {"cloudtrail", "mcp", "otel_genai", "okta"}
    for s in gt["sessions"]:
        times = session_times(ev, s["source"], s["id"])
        assert times, s
        assert (min(times) // 1000 * 1000, max(times) // 1000 * 1000) == (ns_of(s["start"]), ns_of(s["end"])), s


def test_attribution_windows(gt: dict[str, Any], ev: Evidence) -> None:
    assert len(gt["attribution"]) >= 12
    for a in gt["attribution"]:
        _source, t_api, _ = ev.by_uid[a["event_uid"]]
        _, t_span, span = ev.by_uid[a["tool_call"]["span_event_uid"]]
        _, t_req, req = ev.by_uid[a["tool_call"]["mcp_event_uid"]]
        assert 0.2 * NS <= t_api - t_span <= 3 * NS, a
        assert t_span < t_req < t_api
        assert span["attrs"]["mcp.session.id"] == req["session_id"] == a["tool_call"]["mcp_session"]
        assert req["payload"]["params"]["name"] == span["attrs"]["gen_ai.tool.name"] == a["tool_call"]["tool"]


def test_tool_calls_are_apart_except_the_ambiguous_pair(gt: dict[str, Any], ev: Evidence) -> None:
    conv = next(s["id"] for s in gt["sessions"] if s["source"] == "otel_genai")
    starts = sorted((ns, uid) for uid, (src, ns, r) in ev.by_uid.items()
                    if src == "otel" and r["attrs"].get("gen_ai.conversation.id") == conv
                    and r["attrs"]["gen_ai.operation.name"] == "execute_tool")
    close = [(a[1], b[1]) for a, b in itertools.pairwise(starts) if b[0] - a[0] < 10 * NS]
    pair = [c["span_event_uid"] for c in gt["ambiguous_attribution"]["tool_calls"]]
    assert close == [tuple(pair)]
    for api in gt["ambiguous_attribution"]["api_calls"]:
        t_api = ev.by_uid[api["event_uid"]][1]
        for uid in pair:
            assert 0.2 * NS <= t_api - ev.by_uid[uid][1] <= 3 * NS


def test_revoked_credentials_go_quiet(gt: dict[str, Any], ev: Evidence) -> None:
    revoked = ns_of(gt["times"]["revoked"])
    suspect = set(gt["suspect"]["aliases"])
    for ns, r in ev.of("cloudtrail"):
        ui = r.get("userIdentity", {})
        issuer = ui.get("sessionContext", {}).get("sessionIssuer", {}).get("arn")
        if ns > revoked:
            assert issuer not in suspect and ui.get("sessionContext", {}).get("sourceIdentity") != "invoice-agent"
    late = [r for ns, r in ev.of("okta") if ns > revoked and r["actor"]["id"] in suspect]
    late += [r for ns, r in ev.of("github") if ns > revoked and r["actor"] in suspect]
    late += [r for ns, r in ev.of("k8s") if ns > revoked and r["user"]["username"] in suspect]
    late += [r for ns, r in ev.of("otel") if ns > revoked and r["attrs"].get("gen_ai.agent.id") in suspect]
    assert not late
    after = [r for ns, r in ev.of("cloudtrail") if ns > revoked
             and r.get("userIdentity", {}).get("accessKeyId") == gt["used_after_revocation"][0]["credential"]]
    assert len(after) == len([t for t in gt["triggers"] if t["kind"] == "activity_after_revocation"])


def actors(ev: Evidence) -> set[str]:
    """The principals each source names, in the forms the inventory's aliases use."""
    out: set[str] = set()
    for _, r in ev.of("cloudtrail"):
        ui = r["userIdentity"]
        if ui.get("type") == "AssumedRole":
            issuer = ui["sessionContext"]["sessionIssuer"]["arn"]
            out.add(issuer if "AWSReservedSSO" not in issuer else ui["arn"])
        elif ui.get("type") == "IAMUser":
            out.add(ui["arn"])
        elif ui.get("type") == "WebIdentityUser":
            out.add(ui["userName"])
        else:
            out.add(ui["invokedBy"])
    out |= {r["actor"]["id"] for _, r in ev.of("okta")}
    out |= {r["actor"] for _, r in ev.of("github")}
    out |= {r["user"]["username"] for _, r in ev.of("k8s")}
    out |= {r["payload"]["params"]["clientInfo"]["name"] for _, r in ev.of("mcp")
            if r.get("method") == "initialize"}
    for _, r in ev.of("otel"):
        out.add(r["attrs"]["gen_ai.agent.id"])
        if "user.id" in r["attrs"]:
            out.add(r["attrs"]["user.id"])
    return out


def test_inventory_covers_everyone_but_the_subagent(sample: Path, ev: Evidence) -> None:
    inv = yaml.safe_load((sample / "inventory.yaml").read_text())
    known = {a for i in inv["identities"] for a in i["aliases"]} | {i["id"] for i in inv["identities"]}
    assert actors(ev) - known == {"recon-subagent"}
    for i in inv["identities"]:
        assert i["kind"] in ("human", "service", "agent")
        assert i["business_owner"] and i["technical_owner"] and i["revocation_path"]
    agent = next(i for i in inv["identities"] if i["id"] == "invoice-agent")
    assert agent["scope"]["tools"] == ["read_document", "extract_invoice", "post_to_ledger"]


def test_layout_keeps_the_answer_key_out_of_the_evidence(sample: Path) -> None:
    """A responder ingests evidence/; the inventory, incident file and answer key are beside it."""
    assert sorted(p.name for p in sample.iterdir()) == ["README.md", "evidence", "ground_truth.json", "incident.yaml",
                                                       "inventory.yaml"]
    assert sorted(p.name for p in (sample / "evidence").iterdir()) == ["aws", "github", "k8s", "mcp", "okta", "otel"]
    assert not [p for p in (sample / "evidence").rglob("*") if p.suffix in (".yaml", ".md")
                or p.name == "ground_truth.json"]
    readme = (sample / "README.md").read_text()
    for path in ("evidence/aws/AWSLogs/", "evidence/okta/system_log.jsonl", "evidence/github/audit_log.jsonl",
                 "evidence/k8s/prod-use1/audit.log", "evidence/mcp/gateway.jsonl", "evidence/otel/traces-*.json"):
        assert f"`{path}" in readme, path


def test_kubernetes_system_and_event_ids(sample: Path, gt: dict[str, Any], ev: Evidence) -> None:
    """A raw audit.k8s.io log does not name its cluster: its system is plain `k8s` everywhere."""
    text = json.dumps(gt) + (sample / "inventory.yaml").read_text()
    assert "k8s:" not in text
    k8s_systems = [x["system"] for x in gt["touched"]["resources"] if x["type"] in ("configmaps", "secrets",
                                                                                    "selfsubjectrulesreviews")]
    assert k8s_systems and set(k8s_systems) == {"k8s"}
    assert "k8s" in {x["uid"] for x in gt["touched"]["systems"]}
    assert [r["system"] for r in gt["revocations"] if ev.by_uid[r["event_uid"]][0] == "k8s"] == ["k8s"]
    inv = yaml.safe_load((sample / "inventory.yaml").read_text())
    agent = next(i for i in inv["identities"] if i["id"] == "invoice-agent")
    assert "k8s" in agent["scope"]["systems"]
    assert {s["system"] for s in agent["revocation_steps"]} >= {"k8s"}
    k8s_uids = [u for u in all_event_uids(gt) if u in ev.by_uid and ev.by_uid[u][0] == "k8s"]
    assert len(k8s_uids) >= 4
    for uid in k8s_uids:
        audit_id, stage, received = uid.split(":", 2)
        rec = ev.by_uid[uid][2]
        assert (audit_id, stage) == (rec["auditID"], rec["stage"]) and stage == "ResponseComplete"
        assert len(received) == len("2026-11-10T14:02:33.557323Z") and received.endswith("Z"), uid
        assert ns_of(received) == ev.by_uid[uid][1]


SIGN_IN_EVENTS = ("user.session.start", "user.authentication.auth_via_mfa", "user.authentication.sso")


def test_the_human_hop_is_his_last_sign_in_before_the_conversation(gt: dict[str, Any], ev: Evidence) -> None:
    """The chain's first hop must be what an analysis finds: the human's last successful Okta
    authentication before the conversation's invoke_agent span, with nothing of his in the 30 minutes
    before it but the story's session."""
    human, agent = gt["delegation_chain"][0], gt["delegation_chain"][1]
    source, conversation_ns, span = ev.by_uid[agent["event_uid"]]
    assert source == "otel" and span["attrs"]["user.id"] == human["uid"]
    dave = sorted((ns, r) for ns, r in ev.of("okta") if r["actor"]["alternateId"] == human["uid"])
    sign_ins = [(ns, r) for ns, r in dave if ns <= conversation_ns and r["eventType"] in SIGN_IN_EVENTS
                and r["outcome"]["result"] == "SUCCESS"]
    last_ns, last = sign_ins[-1]
    assert last["uuid"] == human["event_uid"]
    session = next(s for s in gt["sessions"] if s["source"] == "okta")
    assert last["authenticationContext"]["externalSessionId"] == session["id"]
    assert ns_of(session["start"]) <= last_ns // 1000 * 1000 == ns_of(session["end"]) < conversation_ns
    window = [r for ns, r in dave if conversation_ns - 30 * 60 * NS <= ns <= conversation_ns]
    assert {r["authenticationContext"]["externalSessionId"] for r in window} == {session["id"]}


def test_refuses_a_folder_that_is_not_a_sample(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("someone's notes")
    with pytest.raises(UsageError):
        generate_sample(tmp_path)
    assert (tmp_path / "README.md").read_text() == "someone's notes"
