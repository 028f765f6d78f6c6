"""The vectorized record scan must find exactly what the exact scanner finds, or step aside."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

import irkit
from irkit import jsonscan
from irkit.evidence import ENVELOPE_KEYS, scan_document
from tests.test_ingest import ct_event


def fast(data: bytes) -> list[tuple[int, str, str]] | None:
    found = jsonscan.records(data, ENVELOPE_KEYS)
    if found is None:
        return None
    starts, ends, paths = found
    lines = jsonscan.line_numbers(data, starts)
    return [(int(n), p, data[s:e].decode()) for n, p, s, e in zip(lines, paths, starts, ends, strict=True)]


def exact(data: bytes) -> list[tuple[int, str, str]]:
    return list(scan_document(data.decode()))


@pytest.mark.parametrize("text", [
    '{"Records":[]}',
    "[]",
    '{"Records":[{"a":"x\\\\"},{"b":"\\\\\\"}]{["}]}',  # escaped backslash, then an escaped quote
    '\ufeff{"value":[{"x":1}\n,\n {"y":[2]}]}',
    '{"a":1,"b":2,"c":3,"Records":[{"z":1}]}',  # four keys: not an envelope, one record
    '[{"a":1},{"b":2}]\n\n[{"c":3}]',
    '{"a":"}"}\n{"b":"{"}',
    '{"records":[{"a":1}],"x":{"value":[{"q":1}]}}',
    '{"Events": [\n  {"e": 1},\n  {"e": [2, {"f": "]"}]}\n]}',
    '{"entries":[{"a":1}],"Records":[{"b":2}]}',  # the first envelope key in ENVELOPE_KEYS order wins
])
def test_same_records_as_the_exact_scanner(text: str) -> None:
    data = text.encode()
    assert fast(data) == exact(data)


@pytest.mark.parametrize("text", [
    "[1,2]",  # scalar elements
    '{"Records":[{"a":1}, 3]}',
    '{"Records":[{"a":1}] trailing text',
    '{"Rec\\u006frds":[{"a":1}]}',  # an escaped key: only a decoder knows it spells Records
    '{"Records":[{"a":1},]}',
    '[{"a":[}]',
    '{"a":"unterminated}',
    '"a string"',
    "  \n",
    '{"Records":[{"a":1} {"b":2}]}',  # missing comma
])
def test_steps_aside_where_it_cannot_vouch(text: str) -> None:
    assert fast(text.encode()) is None


def _value(rng: random.Random, depth: int) -> object:
    kind = rng.randrange(7 if depth < 4 else 4)
    if kind == 0:
        return rng.choice([None, True, False, rng.randrange(-10**6, 10**6), rng.random() * 1e6])
    if kind in (1, 2, 3):
        alphabet = 'ab{}[],:"\\/\n\t é€😀'
        return "".join(rng.choice(alphabet) for _ in range(rng.randrange(12)))
    if kind in (4, 5):
        return {f"k{i}" + rng.choice(["", '"', "}", "\\"]): _value(rng, depth + 1) for i in range(rng.randrange(5))}
    return [_value(rng, depth + 1) for _ in range(rng.randrange(4))]


def _document(rng: random.Random) -> bytes:
    records = [{"eventID": str(i), "v": _value(rng, 1)} for i in range(rng.randrange(1, 6))]
    indent = rng.choice([None, 2])
    ensure_ascii = rng.random() < 0.5
    shape = rng.randrange(4)
    if shape == 0:
        doc: object = {rng.choice(ENVELOPE_KEYS): records}
    elif shape == 1:
        doc = records
    elif shape == 2:
        doc = {"Records": records, "meta": {"value": [1]}}
    else:
        return "\n".join(json.dumps(r, indent=indent, ensure_ascii=ensure_ascii) for r in records).encode()
    return json.dumps(doc, indent=indent, ensure_ascii=ensure_ascii).encode()


@pytest.mark.parametrize("seed", range(300))
def test_random_documents_agree(seed: int) -> None:
    data = _document(random.Random(seed))
    assert fast(data) == exact(data)


def test_a_bad_record_in_a_delivery_file_is_quarantined_alone(tmp_path: Path) -> None:
    good = [json.dumps(ct_event(i)) for i in range(3)]
    file = tmp_path / "delivery.json"
    file.write_text('{"Records": [' + good[0] + ", " + '{"eventVersion": tru}' + ", " + good[1] + ", " + good[2] + "]}")
    case = irkit.open_case(tmp_path / "case")
    summary = case.ingest(file, progress=False)
    assert (summary.read, summary.loaded, summary.quarantined) == (4, 3, 1)
    reason, path = case.sql("SELECT reason, evidence_path FROM quarantine").row(0)
    assert reason.startswith("not valid JSON") and path == "$.Records[1]"
    assert case.sql("SELECT raw FROM events ORDER BY evidence_path")["raw"].to_list() == [good[0], good[1], good[2]]
