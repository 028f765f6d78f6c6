"""Container shapes are decided per line, not from the first one: a JSON-lines file may hold plain events
and ``{"Records": [...]}`` envelopes (a shipper re-emitting S3 delivery files line by line among single
events). The sample's lines are CloudTrail events of ``samples/cloudtrail/events.jsonl``: line 1 plain,
line 2 an envelope of two, line 3 plain."""

from __future__ import annotations

from pathlib import Path

from tests.loaders.helpers import SAMPLES, load, rows

MIXED = SAMPLES / "containers" / "cloudtrail-plain-and-envelope-lines.jsonl"


def test_envelope_lines_after_plain_ones_are_unwrapped(tmp_path: Path) -> None:
    case, summary = load(tmp_path, MIXED)
    assert (summary.read, summary.loaded, summary.quarantined) == (4, 4, 0)
    got = [(r["evidence_offset"], r["evidence_path"], r["operation"]) for r in rows(case)]
    assert sorted(got) == [
        (1, "$", "Decrypt"),
        (2, "$.Records[0]", "GetSecretValue"),
        (2, "$.Records[1]", "DescribeInstances"),
        (3, "$", "AssumeRoleWithWebIdentity"),
    ]
