"""Ingest guarantees: nothing lost, nothing doubled, evidence untouched, crashes survivable."""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import irkit
from irkit.errors import UnsafeArchiveError
from irkit.ingest import IngestSummary


def ct_event(i: int, **extra: object) -> dict:
    """A CloudTrail management event shaped as AWS documents it (IAMUser calling DescribeInstances)."""
    event = {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "IAMUser",
            "principalId": "AIDAJ45Q7YFFAREXAMPLE",
            "arn": "arn:aws:iam::123456789012:user/Alice",
            "accountId": "123456789012",
            "accessKeyId": "AKIAIOSFODNN7EXAMPLE",
            "userName": "Alice",
        },
        "eventTime": f"2026-11-10T12:{i // 60 % 60:02d}:{i % 60:02d}Z",
        "eventSource": "ec2.amazonaws.com",
        "eventName": "DescribeInstances",
        "awsRegion": "us-east-1",
        "sourceIPAddress": "198.51.100.7",
        "userAgent": "aws-cli/2.15.0 Python/3.11.6",
        "requestParameters": {"instancesSet": {}, "filterSet": {}},
        "responseElements": None,
        "requestID": f"req-{i:08d}",
        "eventID": f"00000000-0000-4000-8000-{i:012d}",
        "readOnly": True,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": "123456789012",
        "eventCategory": "Management",
    }
    event.update(extra)
    return event


def write_lines(path: Path, records: list[object]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records))
    return path


def accounted(summary: IngestSummary) -> None:
    assert summary.balanced, str(summary)
    assert summary.read == summary.loaded + summary.quarantined + summary.duplicates + summary.conflicts


def test_loss_accounting_with_bad_lines(tmp_path: Path) -> None:
    good = [ct_event(i) for i in range(5)]
    file = write_lines(tmp_path / "ev" / "trail.jsonl", [good[0], good[1], '{"eventVersion": "1.09", "eventName"', good[2], ["not", "an", "object"], good[3], good[4]])
    case = irkit.open_case(tmp_path / "case")
    summary = case.ingest(file, progress=False)
    accounted(summary)
    assert (summary.read, summary.loaded, summary.quarantined, summary.duplicates) == (7, 5, 2, 0)
    q = case.sql("SELECT evidence_file, evidence_offset, reason, raw FROM quarantine ORDER BY evidence_offset").to_dicts()
    assert [r["evidence_offset"] for r in q] == [3, 5]
    assert q[0]["evidence_file"] == str(file)
    assert q[0]["reason"].startswith("not valid JSON: ")
    assert q[0]["raw"] == '{"eventVersion": "1.09", "eventName"'
    assert "eventName" in q[1]["reason"]
    stored = case.sql("SELECT evidence_offset, raw FROM events ORDER BY evidence_offset").to_dicts()
    lines = file.read_text().splitlines()
    assert all(row["raw"] == lines[row["evidence_offset"] - 1] for row in stored)


def test_blank_lines_crlf_and_indented_records_keep_their_line_numbers(tmp_path: Path) -> None:
    from irkit.evidence import discover, read_records

    one, two, three = (json.dumps(ct_event(i)) for i in range(3))
    file = tmp_path / "trail.jsonl"
    file.write_bytes(("\ufeff" + one + "\r\n\r\n   \t \n" + "  " + two + "\n\n" + three).encode())
    rows = [r for table in read_records(discover([file])[0]) for r in table.to_pylist()]
    assert [(r["evidence_offset"], r["raw"]) for r in rows] == [(1, one), (4, "  " + two), (6, three)]


def test_duplicates_within_and_across_files_are_stored_once(tmp_path: Path) -> None:
    a = write_lines(tmp_path / "ev" / "a.jsonl", [ct_event(i) for i in range(4)] + [ct_event(1)])
    b = write_lines(tmp_path / "ev" / "b.jsonl", [ct_event(i) for i in range(2, 6)])
    case = irkit.open_case(tmp_path / "case")
    summary = case.ingest([a, b], progress=False)
    accounted(summary)
    assert (summary.read, summary.loaded, summary.duplicates) == (9, 6, 3)
    assert case.sql("SELECT count(*) AS n, count(DISTINCT event_uid) AS d FROM events").row(0) == (6, 6)
    c = write_lines(tmp_path / "ev2" / "c.jsonl", [ct_event(5), ct_event(6)])
    later = case.ingest(c, progress=False)
    assert (later.loaded, later.duplicates) == (1, 1)


def test_same_file_again_is_a_no_op(tmp_path: Path) -> None:
    file = write_lines(tmp_path / "ev" / "a.jsonl", [ct_event(i) for i in range(3)])
    case = irkit.open_case(tmp_path / "case")
    case.ingest(file, progress=False)
    manifest_before = (tmp_path / "case" / "manifest.jsonl").read_text()
    again = case.ingest(file, progress=False)
    assert again.read == 0 and [f.status for f in again.files] == ["already ingested"]
    assert (tmp_path / "case" / "manifest.jsonl").read_text() == manifest_before
    assert case.sql("SELECT count(*) FROM events").item() == 3


def test_gzip_zip_and_records_envelope(tmp_path: Path) -> None:
    records = [ct_event(i) for i in range(6)]
    folder = tmp_path / "ev"
    folder.mkdir()
    (folder / "delivery.json.gz").write_bytes(gzip.compress(json.dumps({"Records": records[:3]}).encode()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("logs/part.jsonl", "\n".join(json.dumps(r) for r in records[3:]))
    (folder / "export.zip").write_bytes(buf.getvalue())
    case = irkit.open_case(tmp_path / "case")
    summary = case.ingest(folder, progress=False)
    accounted(summary)
    assert summary.loaded == 6 and summary.quarantined == 0
    paths = case.sql("SELECT evidence_file, evidence_path FROM events ORDER BY time").rows()
    assert paths[0] == (str(folder / "delivery.json.gz"), "$.Records[0]")
    assert paths[3] == (f"{folder / 'export.zip'}!logs/part.jsonl", "$")


@pytest.mark.parametrize("member", ["../escape.jsonl", "/etc/passwd", "a/../../b.jsonl", "C:\\evil.jsonl"])
def test_zip_member_escaping_its_folder_is_refused(tmp_path: Path, member: str) -> None:
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(member, json.dumps(ct_event(0)))
        zf.writestr("fine.jsonl", json.dumps(ct_event(1)))
    case = irkit.open_case(tmp_path / "case")
    summary = case.ingest(archive, progress=False)
    refused = [f for f in summary.files if f.status == "refused"]
    assert [f.member for f in refused] == [member] and "escape" in (refused[0].error or "")
    assert summary.loaded == 1, "the archive's other members load"
    with pytest.raises(UnsafeArchiveError, match="escape"):
        irkit.open_case(tmp_path / "strict").ingest(archive, progress=False, strict=True)
    assert irkit.open_case(tmp_path / "strict").sql("SELECT count(*) FROM events").item() == 0


def test_oversize_decompression_is_bounded(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.jsonl.gz"
    bomb.write_bytes(gzip.compress(b" " * 5_000_000 + json.dumps(ct_event(0)).encode()))
    case = irkit.open_case(tmp_path / "case")
    summary = case.ingest(bomb, max_bytes=1_000_000, progress=False)
    assert summary.files[0].status == "failed" and "bound" in (summary.files[0].error or "")
    with pytest.raises(UnsafeArchiveError, match="bound") as info:
        irkit.open_case(tmp_path / "strict").ingest(bomb, max_bytes=1_000_000, progress=False, strict=True)
    assert str(bomb) in str(info.value)
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("big.jsonl", b" " * 5_000_000)
    with pytest.raises(UnsafeArchiveError, match="bound"):
        irkit.open_case(tmp_path / "strict2").ingest(archive, max_bytes=1_000_000, progress=False, strict=True)


def test_unrecognised_file_is_quarantined_with_reason(tmp_path: Path) -> None:
    file = write_lines(tmp_path / "ev" / "app.jsonl", [{"level": "info", "msg": "hello"}, {"level": "warn", "msg": "x"}])
    case = irkit.open_case(tmp_path / "case")
    summary = case.ingest(file, progress=False)
    accounted(summary)
    assert summary.to_dict()["files"][0]["source"] is None
    assert (summary.read, summary.quarantined) == (2, 2)
    reasons = case.sql("SELECT DISTINCT reason FROM quarantine").to_series().to_list()
    assert reasons == ["no loader recognises this file"]


def test_a_line_that_is_not_utf8_is_quarantined_alone(tmp_path: Path) -> None:
    file = tmp_path / "bad.jsonl"
    file.write_bytes(json.dumps(ct_event(0)).encode() + b"\n" + b'{"eventName": "\xff\xfe"}\n' + json.dumps(ct_event(1)).encode())
    case = irkit.open_case(tmp_path / "case")
    summary = case.ingest(file, progress=False)
    accounted(summary)
    assert (summary.read, summary.loaded, summary.quarantined) == (3, 2, 1)
    line, reason, raw = case.sql("SELECT evidence_offset, reason, raw FROM quarantine").row(0)
    assert (line, raw) == (2, '{"eventName": "\\xff\\xfe"}') and reason.startswith("not UTF-8 text (byte 16")


def test_verify_detects_a_changed_byte(tmp_path: Path) -> None:
    file = write_lines(tmp_path / "ev" / "a.jsonl", [ct_event(i) for i in range(3)])
    case = irkit.open_case(tmp_path / "case")
    case.ingest(file, progress=False)
    assert case.verify()["ok"]
    data = bytearray(file.read_bytes())
    data[10] ^= 0x01
    file.write_bytes(bytes(data))
    report = case.verify()
    assert not report["ok"]
    assert [(p["kind"], p["problem"], p["path"]) for p in report["problems"]] == [("evidence", "changed", str(file))]
    lake_file = next((tmp_path / "case" / "lake" / "events").rglob("*.parquet"))
    lake_file.write_bytes(lake_file.read_bytes() + b"x")
    kinds = {(p["kind"], p["problem"]) for p in case.verify()["problems"]}
    assert kinds == {("evidence", "changed"), ("events", "changed")}


def test_partitioned_by_source_and_day(tmp_path: Path) -> None:
    events = [ct_event(0), ct_event(1, eventTime="2026-11-11T00:00:01Z")]
    file = write_lines(tmp_path / "ev" / "a.jsonl", events)
    case = irkit.open_case(tmp_path / "case")
    case.ingest(file, progress=False)
    parts = sorted(p.parent.relative_to(tmp_path / "case" / "lake" / "events").as_posix()
                   for p in (tmp_path / "case" / "lake" / "events").rglob("*.parquet"))
    assert parts == ["source=cloudtrail/day=2026-11-10", "source=cloudtrail/day=2026-11-11"]


CRASH_SCRIPT = """
import os, signal, sys
import irkit, irkit.ingest as ingest, irkit.lake as lake
ingest.BATCH_FILES = 1
point, after = sys.argv[2], int(sys.argv[3])
calls = {"n": 0}
def die():
    os.kill(os.getpid(), signal.SIGKILL)
if point == "before-manifest":
    original = lake.append_commit
    def append_commit(root, commit):
        calls["n"] += 1
        if calls["n"] > after:
            die()
        original(root, commit)
    lake.append_commit = append_commit
elif point == "mid-manifest-line":
    original = lake.append_commit
    def append_commit(root, commit):
        calls["n"] += 1
        if calls["n"] > after:
            with open(root / lake.MANIFEST, "a") as fh:
                fh.write('{"commit": "torn')
            die()
        original(root, commit)
    lake.append_commit = append_commit
elif point == "mid-flush":
    original = ingest._commit
    def commit(*a, **k):
        calls["n"] += 1
        if calls["n"] > after:
            die()
        original(*a, **k)
    ingest._commit = commit
irkit.open_case(sys.argv[1]).ingest(sys.argv[4:], progress=False)
"""


@pytest.mark.parametrize("point", ["mid-flush", "before-manifest", "mid-manifest-line"])
def test_killed_ingest_leaves_case_consistent_and_resumes(tmp_path: Path, point: str) -> None:
    files = [write_lines(tmp_path / "ev" / f"f{n}.jsonl", [ct_event(n * 10 + i) for i in range(10)] + [ct_event(0)])
             for n in range(4)]
    case_dir = tmp_path / "case"
    irkit.open_case(case_dir)
    run = subprocess.run([sys.executable, "-c", CRASH_SCRIPT, str(case_dir), point, "2", *map(str, files)],
                         capture_output=True, text=True)
    assert run.returncode == -9, run.stderr
    case = irkit.open_case(case_dir)
    committed = case.sql("SELECT coalesce(sum(loaded), 0) FROM manifest").item()
    assert case.sql("SELECT count(*) FROM events").item() == committed == 20
    assert case.verify()["ok"]
    summary = case.ingest([str(f) for f in files], progress=False)
    accounted(summary)
    assert case.sql("SELECT count(*), count(DISTINCT event_uid) FROM events").row(0) == (40, 40)
    assert case.sql("SELECT sum(loaded) + sum(duplicates) FROM manifest").item() == 44
    assert case.verify()["ok"]


def test_large_one_line_delivery_file_is_detected_from_its_head(tmp_path: Path) -> None:
    from irkit.evidence import SNIFF_BYTES, container_of, discover, sample_records

    events = [ct_event(i, requestParameters={"padding": "x" * 2000}) for i in range(1200)]
    file = tmp_path / "111122223333_CloudTrail_us-east-1_20261110T1200Z_abc.json.gz"
    file.write_bytes(gzip.compress(json.dumps({"Records": events}, separators=(",", ":")).encode()))
    item = discover([file])[0]
    with item.open() as fh:
        head = fh.read(SNIFF_BYTES)
    assert b"\n" not in head and container_of(head) == "document"
    sample = sample_records(item)
    assert [r["eventID"] for r in sample] == [e["eventID"] for e in events[:20]]
    case = irkit.open_case(tmp_path / "case")
    summary = case.ingest(file, progress=False)
    assert (summary.files[0].source, summary.loaded, summary.quarantined) == ("cloudtrail", 1200, 0)
    paths = case.sql("SELECT evidence_offset, evidence_path FROM events ORDER BY event_uid")
    assert set(paths["evidence_offset"]) == {1}
    assert sorted(paths["evidence_path"]) == sorted(f"$.Records[{i}]" for i in range(1200))
