"""Seeded fuzzing of the ingest with real records: thousands of mutations per loader, one ingest each.

Real records come from the shared conformance corpus (``IRKIT_CONFORMANCE_DIR``) and the sample
incident's evidence. Each is mutated (byte flips, truncation, key drops, type swaps, deep nesting,
huge values, implausible times, repeated ids with other content, stray line breaks and control
bytes) and written as JSON lines (LF, CRLF, CR) and as an envelope document. Every run must hold:

* no exception out of the ingest, and the lake stays readable (``events`` and ``quarantine`` load
  into polars, which fails on times Python cannot hold);
* per file, ``read = loaded + quarantined + duplicates + conflicts``;
* ``raw`` of every loaded and quarantined record is byte-exact: the very bytes at its line of the
  file (except where the reader says it could not be: bytes that are not UTF-8 are shown as ``\\xNN``;
  and the OTel loader gives each span of a multi-span document a one-span document rebuilt from it).

``IRKIT_FUZZ_SEED`` changes the seed, ``IRKIT_FUZZ_MUTATIONS`` the number of mutations per loader.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

import irkit
from irkit.evidence import SNIFF_BYTES, container_of, discover, read_records
from tests.loaders.helpers import PROJECT_ROOT, conformance_corpus

SEED = int(os.environ.get("IRKIT_FUZZ_SEED", "18"))
MUTATIONS = int(os.environ.get("IRKIT_FUZZ_MUTATIONS", "2500"))
SAMPLE = PROJECT_ROOT / "sample_data" / "invoice-agent-incident" / "evidence"

#: loader -> (conformance folder, sample evidence folder or None)
CORPORA = {
    "cloudtrail": ("cloudtrail", "aws"),
    "entra": ("entra_azure", None),
    "gcp_audit": ("gcp_audit", None),
    "github_audit": ("github_audit", "github"),
    "k8s_audit": ("k8s_audit", "k8s"),
    "mcp": ("mcp", "mcp"),
    "okta": ("okta", "okta"),
    "otel_genai": ("otel_genai", "otel"),
}

TIME_KEYS = ("eventTime", "published", "timestamp", "receiveTimestamp", "createdDateTime", "activityDateTime",
             "time", "@timestamp", "created_at", "requestReceivedTimestamp", "stageTimestamp",
             "startTimeUnixNano", "endTimeUnixNano", "eventTimestamp")
ID_KEYS = ("eventID", "uuid", "id", "insertId", "auditID", "_document_id", "correlationId", "spanId")
ODD_VALUES: list[Any] = [1e30, 9.2e21, -9.2e21, -1, 0, "", None, [], {}, True, "9999-12-31T23:59:59Z", 10**30,
                         "1e30", "NaN", "-Infinity", [[[[]]]], {"a": {"b": {"c": None}}}, "\u202e\u0000\x1b[31m",
                         18446744073709551616, 1.7976931348623157e308, "0001-01-01T00:00:00Z", [1, "2", None]]
BAD_TIMES: list[Any] = [1e30, 9.2e21, -9.2e21, 9223372036854775807, "99999-01-01T00:00:00Z", "1e30", -1, 0,
                        "1900-01-01T00:00:00Z", "2200-01-01T00:00:00Z", "not a time", [1e30, 1], 1e19]


def real_records(loader: str) -> list[str]:
    """The raw text of the real records of one loader's corpora (conformance and sample)."""
    folder, sample = CORPORA[loader]
    roots = [conformance_corpus(folder)]
    if sample:
        roots.append(SAMPLE / sample)
    texts: list[str] = []
    for item in discover(roots):
        for table in read_records(item):
            for raw, reject in zip(table.column("raw").to_pylist(), table.column("reject").to_pylist(), strict=True):
                if reject is None and raw.lstrip().startswith("{"):
                    texts.append(raw)
    rng = random.Random(SEED)
    rng.shuffle(texts)
    return texts[:400]


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every (container, key) path into a parsed record."""
    out: list[tuple] = []
    if isinstance(value, dict):
        for k, v in value.items():
            out.append((*prefix, k))
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.append((*prefix, i))
            out.extend(_paths(v, (*prefix, i)))
    return out


def _parent(root: Any, path: tuple) -> Any:
    node = root
    for step in path[:-1]:
        node = node[step]
    return node


def _with_key(record: Any, keys: tuple[str, ...]) -> list[tuple]:
    return [p for p in _paths(record) if isinstance(p[-1], str) and p[-1] in keys]


def mutate(rng: random.Random, text: str, others: list[str]) -> bytes:
    """One mutation of one real record's text, as the bytes of one line (or several, when it breaks)."""
    kind = rng.choices(
        ["keep", "flip", "truncate", "drop", "swap", "deep", "huge", "time", "conflict", "duplicate", "control",
         "pretty", "garbage"],
        weights=[8, 14, 10, 10, 14, 4, 2, 10, 8, 5, 6, 4, 5])[0]
    data = text.encode("utf-8")
    if kind == "keep":
        return data
    if kind == "flip":
        out = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            i = rng.randrange(len(out))
            out[i] ^= 1 << rng.randrange(8)
        return bytes(out)
    if kind == "truncate":
        return data[: rng.randrange(1, max(2, len(data)))]
    if kind == "garbage":
        return bytes(rng.randrange(256) for _ in range(rng.randint(1, 40)))
    if kind == "control":
        i = rng.randrange(len(data))
        return data[:i] + rng.choice([b"\r", b"\x00", b"\x1b[2J", "\u2028".encode(), b"\n", b"\t", b"\xef\xbb\xbf"]) + data[i:]
    record = json.loads(text)
    paths = _paths(record)
    if kind == "drop" and paths:
        path = rng.choice(paths)
        parent = _parent(record, path)
        del parent[path[-1]]
    elif kind == "swap" and paths:
        path = rng.choice(paths)
        _parent(record, path)[path[-1]] = rng.choice(ODD_VALUES)
    elif kind == "time":
        targets = _with_key(record, TIME_KEYS) or paths[:1]
        for path in rng.sample(targets, min(len(targets), rng.randint(1, 2))):
            _parent(record, path)[path[-1]] = rng.choice(BAD_TIMES)
    elif kind == "deep" and paths:
        path = rng.choice(paths)
        depth = rng.choice([150, 250, 1000, 10_000])
        _parent(record, path)[path[-1]] = json.loads("[" * depth + "]" * depth) if depth < 900 else None
        if depth >= 900:  # too deep for Python's encoder: spliced in as text
            marker = '"__deep__"'
            _parent(record, path)[path[-1]] = "__deep__"
            return json.dumps(record).replace(marker, "[" * depth + "]" * depth, 1).encode()
    elif kind == "huge" and paths:
        path = rng.choice(paths)
        _parent(record, path)[path[-1]] = rng.choice(["x" * rng.randint(100_000, 600_000), int("9" * 4000)
                                                      if False else "9" * 5000, [0] * 50_000])
    elif kind == "conflict":
        other = json.loads(rng.choice(others))
        ids = _with_key(other, ID_KEYS)
        mine = _with_key(record, ID_KEYS)
        if ids and mine:  # another record's id on this record's content
            _parent(record, mine[0])[mine[0][-1]] = _parent(other, ids[0])[ids[0][-1]]
        elif paths:
            _parent(record, paths[-1])[paths[-1][-1]] = "changed"
    elif kind == "duplicate":
        return rng.choice(others).encode()
    elif kind == "pretty":
        return json.dumps(record, indent=rng.choice([None, 1])).replace("\n", " ").encode()
    return json.dumps(record, ensure_ascii=rng.random() < 0.5).encode()


def write_corpus(folder: Path, loader: str, rng: random.Random) -> list[Path]:
    records = real_records(loader)
    assert records, f"no real records for {loader}"
    folder.mkdir(parents=True)
    mutated = [mutate(rng, rng.choice(records), records) for _ in range(MUTATIONS)]
    cut1, cut2 = int(MUTATIONS * 0.7), int(MUTATIONS * 0.85)
    lf = folder / "mutated.jsonl"
    lf.write_bytes(b"\n".join(mutated[:cut1]) + b"\n")
    crlf = folder / "mutated-crlf.jsonl"
    crlf.write_bytes(b"\r\n".join(mutated[cut1:cut2]))
    cr = folder / "mutated-cr.jsonl"
    cr.write_bytes(b"\r".join(mutated[cut2:]) + b"\r")
    document = folder / "delivery.json"  # an envelope document of real records, some mutated
    elements = [r.encode() if rng.random() < 0.8 else mutate(rng, r, records) for r in records[:120]]
    document.write_bytes(b'{"Records": [' + b",\n".join(elements) + b"]}")
    return [lf, crlf, cr, document]


_TERMINATOR = re.compile(rb"\r\n|\r|\n")
#: Reasons under which raw is not the file's bytes, as documented in irkit.evidence.
EXEMPT = ("not UTF-8", "binary bytes", "a line of ")


def _line_starts(data: bytes, any_terminator: bool) -> list[int]:
    if any_terminator:
        return [0] + [m.end() for m in _TERMINATOR.finditer(data)]
    return [0] + [m.end() for m in re.finditer(rb"\n", data)]


def check_raw(rows: list[dict[str, Any]], files: dict[str, bytes]) -> list[str]:
    """Rows whose raw is not the exact bytes found at their line of their file."""
    starts = {name: (_line_starts(data, True), _line_starts(data, False)) for name, data in files.items()}
    wrong: list[str] = []
    for row in rows:
        if any((row.get("reason") or "").startswith(e) for e in EXEMPT):
            continue
        if ".resourceSpans[" in row["evidence_path"]:
            continue  # the OTel loader's documented choice: a span of a document gets a one-span document as raw
        data = files[row["evidence_file"]]
        raw = row["raw"].encode("utf-8")
        line = row["evidence_offset"]
        found = False
        for table in starts[row["evidence_file"]]:
            if line - 1 >= len(table):
                continue
            start = table[line - 1]
            end = table[line] if line < len(table) else len(data)
            window = data[start:max(end, start + len(raw) + 1) if row["evidence_path"] != "$" else len(data)]
            at = window.find(raw)
            if at >= 0 and (row["evidence_path"] != "$" or not window[:at].strip(b" \t\xef\xbb\xbf")
                            or row["evidence_file"].endswith(".json")):
                found = True
                break
        if not found:
            wrong.append(f"{Path(row['evidence_file']).name}:{line} {row['evidence_path']} {row.get('reason')!r}: "
                         f"{row['raw'][:80]!r}")
    return wrong


@pytest.mark.parametrize("loader", sorted(CORPORA))
def test_fuzzed_real_records_never_crash_lose_or_alter_anything(tmp_path: Path, loader: str) -> None:
    rng = random.Random(f"{SEED}-{loader}")
    paths = write_corpus(tmp_path / "ev", loader, rng)
    case = irkit.open_case(tmp_path / "case")
    summary = case.ingest(paths, source=loader, progress=False)  # must not raise
    unbalanced = [f for f in summary.files if not f.balanced]
    assert not unbalanced, str(summary)
    assert summary.read >= MUTATIONS, str(summary)
    files = {str(p): p.read_bytes() for p in paths}
    for result in summary.files:  # read as JSON lines, every non-blank line is at least one record
        data = files[result.path]
        if container_of(data[:SNIFF_BYTES]) == "lines":
            lines = [x for x in _TERMINATOR.split(data.removeprefix(b"\xef\xbb\xbf")) if x.strip(b" \t")]
            assert result.read >= len(lines), (result.path, result.read, len(lines))
    events = case.sql("SELECT * FROM events")  # polars: fails on times Python cannot hold
    quarantined = case.sql("SELECT * FROM quarantine")
    manifest = case.sql("SELECT file, read, loaded, quarantined, duplicates, conflicts FROM manifest").to_dicts()
    assert all(m["read"] == m["loaded"] + m["quarantined"] + m["duplicates"] + m["conflicts"] for m in manifest)
    assert events.height == summary.loaded
    assert quarantined.height == summary.quarantined + summary.conflicts
    wrong = check_raw(events.select("evidence_file", "evidence_offset", "evidence_path", "raw").to_dicts()
                      + quarantined.select("evidence_file", "evidence_offset", "evidence_path", "raw", "reason").to_dicts(),
                      files)
    assert not wrong, f"{len(wrong)} rows whose raw is not byte-exact, e.g. {wrong[:5]}"
    problems = [p for p in case.verify()["problems"] if p["kind"] != "derived"]  # the identity cache is not ingest's
    assert not problems, problems[:5]


@pytest.mark.parametrize("loader", sorted(CORPORA))
def test_fuzzed_records_in_archives_with_detection(tmp_path: Path, loader: str) -> None:
    """The same mutations inside a zip (one member plain, one gzip'd), the loader left to detection."""
    rng = random.Random(f"{SEED}-{loader}-archive")
    lf, crlf, _cr, document = write_corpus(tmp_path / "ev", loader, rng)
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a/mutated.jsonl", lf.read_bytes())
        zf.writestr("b/mutated-crlf.jsonl.gz", gzip.compress(crlf.read_bytes()))
        zf.writestr("c/delivery.json", document.read_bytes())
    case = irkit.open_case(tmp_path / "case")
    summary = case.ingest(archive, progress=False)
    assert all(f.balanced for f in summary.files), str(summary)
    files = {f"{archive}!a/mutated.jsonl": lf.read_bytes(), f"{archive}!b/mutated-crlf.jsonl.gz": crlf.read_bytes(),
             f"{archive}!c/delivery.json": document.read_bytes()}
    events, quarantined = case.sql("SELECT * FROM events"), case.sql("SELECT * FROM quarantine")
    wrong = check_raw(events.select("evidence_file", "evidence_offset", "evidence_path", "raw").to_dicts()
                      + quarantined.select("evidence_file", "evidence_offset", "evidence_path", "raw", "reason").to_dicts(),
                      files)
    assert not wrong, f"{len(wrong)} rows whose raw is not byte-exact, e.g. {wrong[:5]}"
