"""Hostile evidence: every break of issue 18's adversarial run (values, splitting, files, archives, bombs,
links), each reproduced and held to: no traceback, nothing silently lost, raw byte-exact, the rest loads."""

from __future__ import annotations

import gzip
import io
import json
import os
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import pytest

import irkit
from irkit import evidence
from irkit.errors import EvidenceError
from irkit.ingest import IngestSummary
from tests.test_ingest import ct_event, write_lines


def balanced(summary: IngestSummary) -> None:
    assert summary.balanced, str(summary)
    for f in summary.files:
        assert f.read == f.loaded + f.quarantined + f.duplicates + f.conflicts, f


def quarantine(case: irkit.Case) -> list[dict]:
    return case.sql("SELECT evidence_offset, evidence_path, reason, raw FROM quarantine ORDER BY evidence_offset").to_dicts()


def line(record: dict) -> str:
    return json.dumps(record)


# -- 1. values -----------------------------------------------------------------------------------


def test_an_epoch_no_timestamp_can_hold_quarantines_its_record_only(tmp_path: Path) -> None:
    bad = line(ct_event(1)).replace('"2026-11-10T12:00:01Z"', "1e30")
    file = write_lines(tmp_path / "ev" / "t.jsonl", [ct_event(0), bad, ct_event(2)])
    case = irkit.open_case(tmp_path / "case")
    summary = case.ingest(file, progress=False)
    balanced(summary)
    assert (summary.loaded, summary.quarantined) == (2, 1)
    assert quarantine(case)[0]["raw"] == bad


def test_a_loader_sql_error_is_isolated_to_its_record(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever value makes a loader's SQL fail, the flush is halved until the record stands alone."""
    import pyarrow as pa

    from irkit import loaders
    from irkit.db import connect
    from irkit.ingest import _normalize

    loader = loaders.get("cloudtrail")
    sql = loader.sql.replace("irkit_ts(e.eventTime)", "make_timestamptz(CAST(e.eventTime AS BIGINT) * 1000000000000)")
    assert sql != loader.sql
    failing = loaders.Loader(loader.name, loader.version, loader.description, loader.sniff, sql, tables=loader.tables)
    times = ["1", "99999999999", "2", "3", "99999999999"]
    records = pa.table({"file_id": [0] * 5, "evidence_offset": [1, 2, 3, 4, 5], "evidence_path": ["$"] * 5,
                        "raw": pa.array([line(ct_event(i, eventTime=t)) for i, t in enumerate(times)], pa.large_string())})
    con = connect()
    _normalize(con, failing, records, None)
    rows = dict(con.execute("SELECT evidence_offset, quarantine_reason FROM normalized").fetchall())
    assert sorted(rows) == [1, 2, 3, 4, 5]
    assert [rows[n] for n in (1, 3, 4)] == [None, None, None]
    assert all(rows[n].startswith("a value the cloudtrail loader cannot convert: Out of Range Error") for n in (2, 5))
    # A flush full of such values: the search is bounded, what it cannot isolate is quarantined whole.
    many = pa.table({"file_id": [0] * 2000, "evidence_offset": list(range(1, 2001)), "evidence_path": ["$"] * 2000,
                     "raw": pa.array([line(ct_event(i, eventTime="99999999999" if i % 10 == 3 else "1"))
                                      for i in range(2000)], pa.large_string())})
    from irkit import ingest

    runs = []
    real_run = ingest._run_loader
    monkeypatch.setattr(ingest, "_run_loader", lambda *a, **k: (runs.append(1), real_run(*a, **k))[1])
    _normalize(con, failing, many, None)
    assert len(runs) <= ingest.ISOLATION_RUNS + 2  # the first try, the empty table, then the budget
    reasons = [r for (r,) in con.execute("SELECT quarantine_reason FROM normalized ORDER BY evidence_offset").fetchall()]
    assert len(reasons) == 2000 and all(reasons[i] for i in range(3, 2000, 10)), "every bad record is quarantined"
    assert any(r and r.startswith("one of ") for r in reasons)


@pytest.mark.parametrize("value", ["9.2e21", '"9999-12-31T00:00:00Z"', "-9.2e21", '"1969-12-31T23:59:59Z"'])
def test_an_implausible_time_is_quarantined_and_readers_do_not_crash(tmp_path: Path, value: str) -> None:
    bad = line(ct_event(1)).replace('"2026-11-10T12:00:01Z"', value)
    file = write_lines(tmp_path / "ev" / "t.jsonl", [ct_event(0), bad])
    case = irkit.open_case(tmp_path / "case")
    summary = case.ingest(file, progress=False)
    balanced(summary)
    assert (summary.loaded, summary.quarantined) == (1, 1)
    assert "outside the plausible range 1970-01-01 .. 2100-01-01" in quarantine(case)[0]["reason"]
    assert case.sql("SELECT * FROM events").height == 1  # a reader: used to panic on the year 293,000


def test_records_nested_ten_thousand_deep_are_quarantined_without_recursion(tmp_path: Path) -> None:
    deep = '{"eventVersion": "1.09", "x": ' + "[" * 10_000 + "]" * 10_000 + "}"
    folder = tmp_path / "ev"
    write_lines(folder / "first.jsonl", [deep, ct_event(0)])  # sniffing meets it first
    document = folder / "doc.json"
    document.write_text('{"Records": [' + line(ct_event(1)) + ", " + deep + "]}")
    broken = folder / "broken.json"  # not valid JSON, so the exact scanner splits it
    broken.write_text('{"Records": [' + line(ct_event(2)) + ", " + deep + ', {"bad": tru}]}')
    case = irkit.open_case(tmp_path / "case")
    summary = case.ingest(folder, progress=False)
    balanced(summary)
    assert summary.loaded == 3
    reasons = [q["reason"] for q in quarantine(case)]
    assert sum("nested 10001 levels deep" in r for r in reasons) >= 2, reasons
    raws = set(case.sql("SELECT raw FROM quarantine")["raw"])
    assert deep in raws


def test_a_huge_record_is_quarantined_unparsed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(evidence, "MAX_RECORD_BYTES", 100_000)
    big = line(ct_event(1, requestParameters={"blob": "x" * 200_000}))
    file = write_lines(tmp_path / "ev" / "t.jsonl", [ct_event(0), big, ct_event(2)])
    case = irkit.open_case(tmp_path / "case")
    summary = case.ingest(file, progress=False)
    balanced(summary)
    assert (summary.loaded, summary.quarantined) == (2, 1)
    q = quarantine(case)[0]
    assert q["raw"] == big and "over the 100000-byte bound" in q["reason"]


def test_a_line_too_long_to_hold_is_skipped_in_bounded_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(evidence, "MAX_RECORD_BYTES", 2 * 1024**2)
    monkeypatch.setattr(evidence, "CHUNK_BYTES", 1024**2)
    file = tmp_path / "t.jsonl"
    first = line(ct_event(0)) + "\n"
    long_line = '{"x": "' + "y" * (5 * 1024**2 - 1 - len(first) - 9) + '"}'  # its newline ends a read exactly
    file.write_text(first + long_line + "\n" + line(ct_event(2)) + "\n")
    case = irkit.open_case(tmp_path / "case")
    summary = case.ingest(file, progress=False)
    balanced(summary)
    assert (summary.loaded, summary.quarantined) == (2, 1)
    q = quarantine(case)[0]
    assert q["evidence_offset"] == 2 and len(q["raw"]) == evidence.KEPT_PREFIX_BYTES
    assert f"a line of {len(long_line)} bytes" in q["reason"]
    assert case.sql("SELECT evidence_offset FROM events ORDER BY 1")["evidence_offset"].to_list() == [1, 3]


# -- 2. splitting --------------------------------------------------------------------------------


def test_a_truncated_first_line_does_not_swallow_the_file(tmp_path: Path) -> None:
    lines = [line(ct_event(i)) for i in range(6)]
    lines[0] = lines[0][:57]
    file = tmp_path / "t.jsonl"
    file.write_text("\n".join(lines) + "\n")
    case = irkit.open_case(tmp_path / "case")
    summary = case.ingest(file, progress=False)
    balanced(summary)
    assert (summary.read, summary.loaded, summary.quarantined) == (6, 5, 1)
    assert quarantine(case)[0]["raw"] == lines[0]


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_line_endings_and_a_bad_record_among_its_siblings(tmp_path: Path, ending: str) -> None:
    lines = [line(ct_event(i)) for i in range(5)]
    lines[2] = '{"eventVersion": "1.09", "eventName": tru}'
    file = tmp_path / "t.jsonl"
    file.write_bytes(ending.join(lines).encode() + ending.encode())
    case = irkit.open_case(tmp_path / "case")
    summary = case.ingest(file, progress=False)
    balanced(summary)
    assert (summary.read, summary.loaded, summary.quarantined) == (5, 4, 1)
    assert quarantine(case)[0]["evidence_offset"] == 3 and quarantine(case)[0]["raw"] == lines[2]
    stored = case.sql("SELECT evidence_offset, raw FROM events ORDER BY 1").rows()
    assert stored == [(n + 1, lines[n]) for n in (0, 1, 3, 4)]


def test_trailing_archive_bytes_after_json_lines_are_quarantined_as_such(tmp_path: Path) -> None:
    eocd = b"PK\x05\x06" + b"\x00" * 8 + struct.pack("<IIH", 0x10, 0x2A0, 0)
    file = tmp_path / "t.jsonl"
    file.write_bytes(("\n".join(line(ct_event(i)) for i in range(3)) + "\n").encode() + eocd)
    case = irkit.open_case(tmp_path / "case")
    summary = case.ingest(file, progress=False)
    balanced(summary)
    assert (summary.loaded, summary.quarantined) == (3, 1)
    q = quarantine(case)[0]
    assert q["evidence_offset"] == 4 and q["reason"].startswith("binary bytes, not a JSON record")


def test_two_zip_members_with_one_name_are_each_read(tmp_path: Path) -> None:
    archive = tmp_path / "dup.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("logs/trail.jsonl", line(ct_event(0)) + "\n")
        with pytest.warns(UserWarning, match="Duplicate name"):
            zf.writestr("logs/trail.jsonl", line(ct_event(1)) + "\n")
    case = irkit.open_case(tmp_path / "case")
    summary = case.ingest(archive, progress=False)
    balanced(summary)
    assert summary.loaded == 2
    assert sorted(f.path for f in summary.files) == [f"{archive}!logs/trail.jsonl", f"{archive}!logs/trail.jsonl#2"]
    assert case.verify()["ok"], "each member is re-hashed as itself"


def test_an_id_repeated_with_different_content_is_a_conflict_kept_whole(tmp_path: Path) -> None:
    same = ct_event(0)
    forged = line(ct_event(0, eventName="DeleteTrail"))
    a = write_lines(tmp_path / "ev" / "a.jsonl", [same, same, forged])
    case = irkit.open_case(tmp_path / "case")
    summary = case.ingest(a, progress=False)
    balanced(summary)
    assert (summary.read, summary.loaded, summary.duplicates, summary.conflicts, summary.quarantined) == (3, 1, 1, 1, 0)
    q = quarantine(case)[0]
    assert q["raw"] == forged and q["reason"].startswith("conflict: event id 00000000-0000-4000-8000-000000000000")
    b = write_lines(tmp_path / "ev2" / "b.jsonl", [ct_event(0, requestParameters={"x": 1}), same])
    later = case.ingest(b, progress=False)
    balanced(later)
    assert (later.loaded, later.duplicates, later.conflicts) == (0, 1, 1)
    assert any("already stored" in q["reason"] for q in quarantine(case))
    assert case.sql("SELECT conflicts FROM manifest ORDER BY file")["conflicts"].to_list() == [1, 1]
    assert "conflicts" in str(later)


@pytest.mark.parametrize("tail", ["]}", "], \"extra\": tru}"])  # the vectorized scan, then the exact scanner
def test_a_record_that_is_not_utf8_in_a_delivery_file_is_quarantined_alone(tmp_path: Path, tail: str) -> None:
    good = [line(ct_event(i)) for i in range(3)]
    bad = good[1].replace("DescribeInstances", "Describe\udcffInstances").encode("utf-8", "surrogateescape")
    file = tmp_path / "delivery.json"
    file.write_bytes(b'{"Records": [' + good[0].encode() + b", " + bad + b", " + good[2].encode() + tail.encode())
    case = irkit.open_case(tmp_path / "case")
    summary = case.ingest(file, source="cloudtrail", progress=False)
    balanced(summary)
    if tail == "]}":
        assert (summary.loaded, summary.quarantined) == (2, 1)
        reason, raw = case.sql("SELECT reason, raw FROM quarantine").row(0)
        assert reason.startswith("not UTF-8 text") and raw == good[1].replace("DescribeInstances", "Describe\\xffInstances")
    else:  # not valid JSON as a whole: still no file-level failure, nothing lost
        assert summary.files[0].error is None and summary.read >= 1


def test_a_span_given_as_null_is_quarantined_with_its_record_text(tmp_path: Path) -> None:
    span = {"traceId": "a" * 32, "spanId": "b" * 16, "name": "execute_tool x", "startTimeUnixNano": "1762783200000000000",
            "endTimeUnixNano": "1762783201000000000",
            "attributes": [{"key": "gen_ai.operation.name", "value": {"stringValue": "execute_tool"}}]}
    text = json.dumps({"resourceSpans": [{"resource": {"attributes": []}, "scopeSpans": [{"scope": {"name": "x"},
                                                                                     "spans": [None, span]}]}]})
    file = tmp_path / "traces.json"
    file.write_text(text)
    case = irkit.open_case(tmp_path / "case")
    summary = case.ingest(file, source="otel_genai", progress=False)
    balanced(summary)
    assert (summary.loaded, summary.quarantined) == (1, 1)
    assert quarantine(case)[0]["raw"] == text


# -- 3. files ------------------------------------------------------------------------------------


def _evidence_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "ev"
    write_lines(folder / "good.jsonl", [ct_event(i) for i in range(3)])
    (folder / "binary.bin").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (folder / "latin1.json").write_bytes(b'{"Records": [' + line(ct_event(5)).encode() + b', {"eventName": "caf\xe9"}]}')
    (folder / "empty.jsonl").write_bytes(b"")
    (folder / "notes.jsonl").write_text('{"level": "info", "msg": "hello"}\n')
    return folder


def test_files_that_cannot_be_read_are_recorded_and_the_rest_loads(tmp_path: Path) -> None:
    folder = _evidence_folder(tmp_path)
    case = irkit.open_case(tmp_path / "case")
    summary = case.ingest(folder, progress=False)
    balanced(summary)
    assert summary.loaded == 4
    errors = {Path(f.path).name: f.error for f in summary.problems}
    assert set(errors) == {"binary.bin", "empty.jsonl", "notes.jsonl"}
    assert errors["binary.bin"].startswith("binary content")
    reason, raw = case.sql("SELECT reason, raw FROM quarantine WHERE evidence_file LIKE '%latin1.json'").row(0)
    assert reason.startswith("not UTF-8 text (byte 19 of the record)") and raw == '{"eventName": "caf\\xe9"}'
    assert errors["empty.jsonl"].startswith("empty file")
    assert errors["notes.jsonl"].startswith("unknown format")
    manifest = case.sql("SELECT file, error FROM manifest WHERE error IS NOT NULL").rows()
    assert {Path(f).name for f, _ in manifest} == set(errors)
    assert case.verify()["ok"]
    again = case.ingest(folder, progress=False)
    assert {f.status for f in again.files} == {"already ingested"}


IRKIT = [sys.executable, "-c", "import sys; from irkit.cli import main; sys.exit(main(sys.argv[1:]))"]


def test_cli_warns_one_line_per_file_and_strict_stops_at_the_first(tmp_path: Path) -> None:
    folder = _evidence_folder(tmp_path)
    run = subprocess.run([*IRKIT, "ingest", str(tmp_path / "case"), str(folder), "--no-progress"],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 1, run.stderr
    warnings = run.stderr.strip().splitlines()
    assert len(warnings) == 3 and all(w.startswith("irkit: warning: ") for w in warnings), run.stderr
    assert "Traceback" not in run.stderr
    strict = subprocess.run([*IRKIT, "ingest", str(tmp_path / "strict"), str(folder), "--no-progress",
                             "--strict"], capture_output=True, text=True, check=False)
    assert strict.returncode == 2 and len(strict.stderr.strip().splitlines()) == 1, strict.stderr
    assert "binary.bin" in strict.stderr


def _zip_bytes(members: list[tuple[str, bytes]], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return buf.getvalue()


def test_corrupt_and_encrypted_zip_members_are_recorded_not_raised(tmp_path: Path) -> None:
    good = (line(ct_event(0)) + "\n").encode()
    payload = ("\n".join(line(ct_event(i)) for i in range(1, 40)) + "\n").encode()
    data = bytearray(_zip_bytes([("a/good.jsonl", good), ("b/corrupt.jsonl", payload), ("c/secret.jsonl", good)]))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        corrupt, secret = zf.getinfo("b/corrupt.jsonl"), zf.getinfo("c/secret.jsonl")
    start = corrupt.header_offset + 30 + len(corrupt.filename)
    for i in range(start + 20, start + 60):
        data[i] ^= 0x5A
    data[secret.header_offset + 6] |= 0x01  # the local header's flag: encrypted
    position = bytes(data).find(b"c/secret.jsonl", bytes(data).find(b"PK\x01\x02"))
    data[position - 46 + 8] |= 0x01  # and the central directory's
    archive = tmp_path / "export.zip"
    archive.write_bytes(bytes(data))
    case = irkit.open_case(tmp_path / "case")
    summary = case.ingest(archive, progress=False)
    balanced(summary)
    by_member = {f.member: f for f in summary.files}
    assert by_member["a/good.jsonl"].loaded == 1
    assert by_member["b/corrupt.jsonl"].status == "failed" and by_member["b/corrupt.jsonl"].error
    assert by_member["c/secret.jsonl"].status == "refused" and "encrypted" in by_member["c/secret.jsonl"].error


def test_the_readable_part_of_a_truncated_gzip_is_kept(tmp_path: Path) -> None:
    lines = "".join(line(ct_event(i)) + "\n" for i in range(2000)).encode()
    whole = gzip.compress(lines)
    file = tmp_path / "cut.jsonl.gz"
    file.write_bytes(whole[: len(whole) // 2])
    case = irkit.open_case(tmp_path / "case")
    summary = case.ingest(file, progress=False)
    balanced(summary)
    result = summary.files[0]
    assert result.status == "failed" and result.error.startswith("truncated gzip data")
    assert 500 < result.loaded < 2000
    assert result.read == result.loaded + result.quarantined  # the cut line is quarantined, nothing lost


def test_a_path_whose_content_changed_since_its_ingest_is_warned_about(tmp_path: Path) -> None:
    file = write_lines(tmp_path / "ev" / "a.jsonl", [ct_event(0)])
    case = irkit.open_case(tmp_path / "case")
    assert not case.ingest(file, progress=False).warnings
    write_lines(file, [ct_event(0), ct_event(1)])
    summary = case.ingest(file, progress=False)
    assert len(summary.warnings) == 1 and "changed since it was ingested" in summary.warnings[0]
    assert summary.loaded == 1 and summary.duplicates == 1


# -- 4. decompression ------------------------------------------------------------------------------


def test_a_bomb_is_refused_past_the_ratio_bound_quickly(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.jsonl.gz"
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    with open(bomb, "wb") as fh:
        fh.write(c.compress((line(ct_event(0)) + "\n").encode()))
        block = b" " * (8 * 1024**2)
        fh.writelines(c.compress(block) for _ in range(64))  # 512 MiB of spaces in about 0.5 MB
        fh.write(c.flush())
    started = time.perf_counter()
    case = irkit.open_case(tmp_path / "case")
    summary = case.ingest(bomb, progress=False)
    assert time.perf_counter() - started < 30
    result = summary.files[0]
    assert result.status == "failed" and "bound (100x its" in result.error
    assert result.loaded == 1, "what came before the bound is kept"


def test_nested_archives_are_refused_as_such_and_nested_gzip_read(tmp_path: Path) -> None:
    inner = _zip_bytes([("trail.jsonl", (line(ct_event(0)) + "\n").encode())])
    outer = tmp_path / "outer.zip"
    outer.write_bytes(_zip_bytes([("inner.zip", inner), ("twice.jsonl.gz", gzip.compress(gzip.compress(
        (line(ct_event(1)) + "\n").encode())))]))
    case = irkit.open_case(tmp_path / "case")
    summary = case.ingest(outer, progress=False)
    by_member = {f.member: f for f in summary.files}
    assert "a zip archive inside an archive member" in by_member["inner.zip"].error
    assert "UTF-8" not in by_member["inner.zip"].error
    assert by_member["twice.jsonl.gz"].loaded == 1


def test_thousands_of_zip_members_are_read_in_linear_time(tmp_path: Path) -> None:
    members = [(f"m/{i:05d}.json", (line(ct_event(i)) + "\n").encode()) for i in range(4000)]
    archive = tmp_path / "many.zip"
    archive.write_bytes(_zip_bytes(members))
    started = time.perf_counter()
    summary = irkit.open_case(tmp_path / "case").ingest(archive, progress=False)
    elapsed = time.perf_counter() - started
    balanced(summary)
    assert summary.loaded == 4000
    assert elapsed < 45, f"{elapsed:.1f} s for 4,000 members (was 318 s)"


#: The child's own peak RSS: ru_maxrss keeps the parent's high-water mark across fork + exec.
PEAK_RSS = '''
def peak_rss():  # this process's own high-water mark: ru_maxrss keeps the parent's across fork + exec
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
'''

BOMB_SCRIPT = """
import json, resource, sys, time, zlib
import irkit
{PEAK_RSS}
folder, kind = sys.argv[1], sys.argv[2]
record = json.dumps({"eventVersion": "1.09", "eventTime": "2026-11-10T12:00:00Z", "eventSource": "s3.amazonaws.com",
                     "eventName": "GetObject", "awsRegion": "us-east-1", "eventID": "x"}) + "\\n"
c = zlib.compressobj(9, zlib.DEFLATED, 31)
with open(folder + "/bomb.jsonl.gz", "wb") as fh:
    fh.write(c.compress(record.encode()))
    if kind == "zeros":  # records enough that the head reads as text, then one 2 GiB line of NUL bytes
        fh.write(c.compress("".join(record.replace('"x"', f'"x{i}"') for i in range(40)).encode()))
    block = (b"\\n" if kind == "newlines" else b"\\x00") * (16 * 1024**2)
    for _ in range(128):  # 2 GiB
        fh.write(c.compress(block))
    fh.write(c.compress(record.replace('"x"', '"y"').encode()))
    fh.write(c.flush())
started = time.perf_counter()
summary = irkit.open_case(folder + "/case").ingest(folder + "/bomb.jsonl.gz", progress=False, max_ratio=None)
f = summary.files[0]
print(json.dumps({"seconds": time.perf_counter() - started, "loaded": f.loaded, "quarantined": f.quarantined,
                  "error": f.error, "rss": peak_rss()}))
"""


@pytest.mark.parametrize("kind", ["newlines", "zeros"])
def test_a_two_gigabyte_bomb_streams_in_bounded_memory(tmp_path: Path, kind: str) -> None:
    """With the ratio bound off, the whole 2 GiB is read: peak RSS (the child's own) stays under 1 GB
    and a newline bomb takes seconds (it took 257 s)."""
    run = subprocess.run([sys.executable, "-c", BOMB_SCRIPT.replace("{PEAK_RSS}", PEAK_RSS), str(tmp_path), kind], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["rss"] < 1024**3, result
    assert result["seconds"] < 90, result
    if kind == "newlines":
        assert (result["loaded"], result["quarantined"]) == (2, 0), result
    else:  # one line of 2 GiB of zeros: quarantined with its length, the records before it loaded
        assert (result["loaded"], result["quarantined"]) == (41, 1), result


TINY_SCRIPT = """
import gzip, json, resource, sys
import irkit
{PEAK_RSS}
folder = sys.argv[1]
with open(folder + "/tiny.jsonl.gz", "wb") as fh:  # 2,000,000 records in 0.1 MB
    fh.write(gzip.compress(b'{"a":1}\\n' * 2_000_000, 9))
summary = irkit.open_case(folder + "/case").ingest(folder + "/tiny.jsonl.gz", progress=False)
print(json.dumps({"read": summary.read, "balanced": summary.balanced,
                  "rss": peak_rss()}))
"""


def test_a_small_gzip_of_millions_of_tiny_records_stays_in_bounded_memory(tmp_path: Path) -> None:
    """A 294 KB .gz of tiny records once reached 7.6 GB: flushes are bounded by record count too."""
    run = subprocess.run([sys.executable, "-c", TINY_SCRIPT.replace("{PEAK_RSS}", PEAK_RSS), str(tmp_path)], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["read"] == 2_000_000 and result["balanced"], result
    assert result["rss"] < 1024**3, result


# -- 5. links and special files --------------------------------------------------------------------


def test_links_and_special_files_are_refused_by_default(tmp_path: Path) -> None:
    folder = tmp_path / "ev"
    write_lines(folder / "good.jsonl", [ct_event(0)])
    outside = write_lines(tmp_path / "elsewhere" / "other.jsonl", [ct_event(1)])
    write_lines(folder / "sub" / "inside.jsonl", [ct_event(2)])
    (folder / "environ").symlink_to("/proc/self/environ")
    (folder / "out.jsonl").symlink_to(outside)
    (folder / "in.jsonl").symlink_to(folder / "sub" / "inside.jsonl")
    (folder / "linked-dir").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    os.mkfifo(folder / "pipe")
    case = irkit.open_case(tmp_path / "case")
    summary = case.ingest(folder, progress=False)
    refused = {Path(f.path).name: f.error for f in summary.files if f.status == "refused"}
    assert set(refused) == {"environ", "out.jsonl", "in.jsonl", "linked-dir", "pipe"}
    assert "FIFO" in refused["pipe"]
    assert summary.loaded == 2
    assert case.sql("SELECT count(*) FROM quarantine").item() == 0, "nothing of the host reached the lake"
    manifest = [json.loads(x) for x in (tmp_path / "case" / "manifest.jsonl").read_text().splitlines()]
    assert {Path(e["file"]).name for c in manifest for e in c.get("refused", [])} == set(refused)
    followed = irkit.open_case(tmp_path / "case2").ingest(folder, progress=False, follow_symlinks=True)
    refused = {Path(f.path).name for f in followed.files if f.status == "refused"}
    assert refused == {"environ", "out.jsonl", "linked-dir", "pipe"}, "only the link inside is followed"
    assert followed.loaded == 2
    pair = sorted(f.status for f in followed.files if f.path.endswith(("in.jsonl", "inside.jsonl")))
    assert pair == ["already ingested", "ingested"], "the link and its target are the same bytes"


def test_a_special_file_named_directly_is_not_read(tmp_path: Path) -> None:
    summary = irkit.open_case(tmp_path / "case").ingest("/proc/self/environ", progress=False)
    assert summary.files[0].status == "refused" and summary.read == 0
    with pytest.raises(EvidenceError, match="system file"):
        irkit.open_case(tmp_path / "case2").ingest("/proc/self/environ", progress=False, strict=True)
