"""Scale mode: the requested volume across all sources, deterministic, the incident embedded once."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import yaml

from irkit.synth import generate_sample, generate_scale


def digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def count_records(out: Path) -> dict[str, int]:
    root = out / "evidence"
    ct = sum(len(json.loads(gzip.decompress(f.read_bytes()))["Records"]) for f in (root / "aws").rglob("*.gz"))
    lines = {name: sum(1 for _ in path.open("rb")) for name, path in (
        ("okta", root / "okta" / "system_log.jsonl"), ("github", root / "github" / "audit_log.jsonl"),
        ("k8s", root / "k8s" / "prod-use1" / "audit.log"), ("mcp", root / "mcp" / "gateway.jsonl"))}
    spans = sum(f.read_bytes().count(b'"spanId"') for f in (root / "otel").glob("*.json"))
    return {"cloudtrail": ct, **lines, "otel": spans}


def test_scale_volume_and_determinism(tmp_path: Path) -> None:
    a = generate_scale(tmp_path / "a", events=20_000)
    assert 19_000 <= a["events"] <= 21_000
    on_disk = count_records(tmp_path / "a")
    on_disk["cloudtrail"] -= a["duplicates"]["cloudtrail"]  # re-delivered copies, as CloudTrail does
    assert a["counts"] == on_disk  # what it reports is what it wrote
    assert all(n > 500 for n in a["counts"].values()), a["counts"]
    b = generate_scale(tmp_path / "b", events=20_000, workers=2)  # a second process changes nothing
    assert a == b
    assert digest(tmp_path / "a") == digest(tmp_path / "b")


def test_scale_embeds_the_same_incident(tmp_path: Path) -> None:
    generate_scale(tmp_path / "scale", events=30_000, seed=7)
    sample = generate_sample(tmp_path / "sample", seed=7)
    gt_scale = json.loads((tmp_path / "scale" / "ground_truth.json").read_text())
    gt_sample = json.loads((sample / "ground_truth.json").read_text())
    assert gt_scale == gt_sample
    inv = yaml.safe_load((tmp_path / "scale" / "inventory.yaml").read_text())
    ids = [i["id"] for i in inv["identities"]]
    assert len(ids) == len(set(ids)) and "invoice-agent" in ids and "recon-subagent" not in ids
    # noise never touches production: no noise bucket, namespace or repository matches the globs
    text = (tmp_path / "scale" / "evidence" / "k8s" / "prod-use1" / "audit.log").read_text()
    assert text.count('"namespace":"payments"') == (sample / "evidence" / "k8s" / "prod-use1" / "audit.log").read_text(
    ).count('"namespace":"payments"')
    # the noise adds no Okta event of the human who starts the conversation: his sign-in stays the story's
    human = '"alternateId":"dave@acme.example"'
    assert [line for line in (tmp_path / "scale" / "evidence" / "okta" / "system_log.jsonl").read_text().splitlines()
            if human in line] == [line for line in (sample / "evidence" / "okta" / "system_log.jsonl").read_text(
            ).splitlines() if human in line]
    assert sorted(p.name for p in (tmp_path / "scale").iterdir()) == ["evidence", "ground_truth.json", "incident.yaml",
                                                                     "inventory.yaml"]
