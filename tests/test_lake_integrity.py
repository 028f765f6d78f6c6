"""Tampering with the lake is visible: the manifest's hash chain and head, the lake files it names,
the counts, the derived cache; a damaged manifest never makes an ingest delete anything; a missing or
damaged lake file is one clear error naming it."""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

import duckdb
import pytest

import irkit
from irkit import derived, lake
from irkit.cli import main
from irkit.errors import CaseError
from tests.test_ingest import ct_event, write_lines

ALICE = "arn:aws:iam::123456789012:user/Alice"
BOB = {"type": "IAMUser", "principalId": "AIDAEXAMPLEBOB", "arn": "arn:aws:iam::123456789012:user/Bob",
       "accountId": "123456789012", "accessKeyId": "AKIAEXAMPLEBOBKEY", "userName": "Bob"}


@pytest.fixture
def case(tmp_path: Path) -> irkit.Case:
    """A case of three commits (three files ingested one by one), 3 + 4 + 5 events."""
    case = irkit.open_case(tmp_path / "case")
    start = 0
    for n, size in enumerate((3, 4, 5)):
        file = write_lines(tmp_path / "ev" / f"f{n}.jsonl", [ct_event(start + i) for i in range(size)])
        case.ingest(file, progress=False)
        start += size
    assert case.verify()["ok"]
    return case


def manifest_lines(case: irkit.Case) -> list[str]:
    return (case.root / lake.MANIFEST).read_text().splitlines()


def write_manifest(case: irkit.Case, lines: list[str]) -> None:
    (case.root / lake.MANIFEST).write_text("".join(line + "\n" for line in lines))


def problems(case: irkit.Case) -> set[tuple[str, str]]:
    report = irkit.open_case(case.root, create=False).verify()
    assert not report["ok"]
    return {(p["kind"], p["problem"]) for p in report["problems"]}


def events(case: irkit.Case) -> int:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lake.IntegrityWarning)
        return int(irkit.open_case(case.root, create=False).sql("SELECT count(*) FROM events").item())


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_deleted_middle_line_breaks_the_chain(case: irkit.Case) -> None:
    lines = manifest_lines(case)
    write_manifest(case, [lines[0], lines[2]])
    assert ("manifest", "out of place") in problems(case)
    with pytest.warns(lake.IntegrityWarning, match="run `irkit verify`"):
        irkit.open_case(case.root, create=False).sql("SELECT count(*) FROM events")


def test_a_deleted_last_line_disagrees_with_the_head(case: irkit.Case) -> None:
    write_manifest(case, manifest_lines(case)[:2])
    assert ("manifest", "mismatch") in problems(case)


def test_an_edited_line_breaks_the_chain(case: irkit.Case) -> None:
    lines = manifest_lines(case)
    lines[0] = lines[0].replace('"irkit": "', '"irkit": "0', 1)  # still valid JSON, another text
    write_manifest(case, lines)
    assert ("manifest", "chain broken") in problems(case)


def test_reordered_lines_are_caught(case: irkit.Case) -> None:
    lines = manifest_lines(case)
    write_manifest(case, [lines[1], lines[0], lines[2]])
    assert ("manifest", "out of place") in problems(case)


def test_a_duplicated_line_is_caught_and_never_doubles_events(case: irkit.Case) -> None:
    lines = manifest_lines(case)
    write_manifest(case, [*lines, lines[1]])
    found = problems(case)
    assert {("manifest", "out of place"), ("manifest", "mismatch"), ("events", "twice")} <= found
    assert events(case) == 12


def test_an_appended_forged_commit_naming_a_planted_file_with_its_true_hash(case: irkit.Case) -> None:
    source = next((case.root / lake.EVENTS_DIR).rglob("*.parquet"))
    planted = source.with_name("planted.parquet")
    shutil.copy(source, planted)
    lines = manifest_lines(case)
    last = json.loads(lines[-1])
    forged = {**last, "commit": "forged", "seq": len(lines) + 1, "prev": lake.line_hash(lines[-1].encode()),
              "evidence": [],
              "outputs": [{"kind": "events", "path": str(planted.relative_to(case.root)),
                           "sha256": lake.sha256_file(planted), "rows": 3, "source": "cloudtrail", "day": None}]}
    write_manifest(case, [*lines, json.dumps(forged, sort_keys=True)])
    assert ("manifest", "mismatch") in problems(case)  # the head records three lines


def test_a_planted_parquet_file_is_named_and_never_read(case: irkit.Case) -> None:
    source = next((case.root / lake.EVENTS_DIR).rglob("*.parquet"))
    shutil.copy(source, source.with_name("planted.parquet"))
    report = irkit.open_case(case.root, create=False).verify()
    assert [(p["kind"], p["problem"], Path(p["path"]).name) for p in report["problems"]] == [
        ("lake", "unnamed", "planted.parquet")]
    assert events(case) == 12


def test_a_missing_lake_file_is_caught_and_one_clear_error(case: irkit.Case, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    victim = next((case.root / lake.EVENTS_DIR).rglob("*.parquet"))
    victim.unlink()
    assert ("events", "missing") in problems(case)
    for argv in (["sql", str(case.root), "SELECT count(*) FROM events"],
                 ["report", str(case.root), "--suspect", ALICE, "--out", str(tmp_path / "r.html"), "--no-progress"],
                 ["timeline", str(case.root), "--actor", ALICE]):
        code, _, err = cli(capsys, *argv)
        assert code == 2, argv
        assert err.count("\n") == 1 and victim.name in err and "Traceback" not in err, err


def test_a_changed_lake_file_is_caught_and_one_clear_error(case: irkit.Case, capsys: pytest.CaptureFixture[str]) -> None:
    victim = next((case.root / lake.EVENTS_DIR).rglob("*.parquet"))
    victim.write_bytes(victim.read_bytes()[:-20])  # truncated: no Parquet footer
    assert ("events", "changed") in problems(case)
    code, _, err = cli(capsys, "sql", str(case.root), "SELECT count(*) FROM events")
    assert code == 2 and err.count("\n") == 1 and victim.name in err and "irkit verify" in err, err
    with pytest.raises(CaseError, match="lake file damaged") as info:  # the library too, any reader
        irkit.open_case(case.root, create=False).sessions()
    assert victim.name in str(info.value)


def test_forged_counts_are_caught_even_with_the_chain_rewritten(case: irkit.Case) -> None:
    lines = manifest_lines(case)
    last = json.loads(lines[-1])
    entry = last["evidence"][0]
    entry["loaded"] += 100
    entry["read"] += 100  # read = loaded + quarantined + duplicates still holds
    line = json.dumps(last, sort_keys=True)
    write_manifest(case, [*lines[:-1], line])
    head = {"lines": len(lines), "sha256": lake.line_hash(line.encode())}
    (case.root / lake.HEAD).write_text(json.dumps(head))
    assert problems(case) == {("manifest", "counts")}


def test_an_edited_derived_cache_is_never_used_and_verify_catches_it(tmp_path: Path) -> None:
    write_lines(tmp_path / "ct.json", [ct_event(1), ct_event(2, userIdentity=BOB)])
    case = irkit.open_case(tmp_path / "case")
    case.ingest(tmp_path / "ct.json", progress=False)
    assert case.sql("SELECT count(*) FROM actors").item() == 2
    (folder,) = [p for p in (case.root / derived.CACHE_DIR).iterdir() if not p.name.startswith(".")]
    actors = folder / "actors.parquet"
    con = duckdb.connect()
    con.execute(f"COPY (SELECT * FROM read_parquet('{actors}') LIMIT 0) TO '{actors}.new' (FORMAT parquet)")
    Path(f"{actors}.new").replace(actors)
    # the cache no longer matches its hashes: set aside, recomputed from the lake
    with pytest.warns(derived.CacheWarning, match="does not match its recorded hash"):
        assert irkit.open_case(case.root, create=False).sql("SELECT count(*) FROM actors").item() == 2
    assert irkit.open_case(case.root, create=False).verify()["ok"]
    # the same edit with the hashes rewritten: verify recomputes the tables and compares
    con.execute(f"COPY (SELECT * FROM read_parquet('{actors}') LIMIT 0) TO '{actors}.new' (FORMAT parquet)")
    Path(f"{actors}.new").replace(actors)
    hashes = json.loads((folder / derived.HASHES).read_text())
    hashes["actors"] = lake.sha256_file(actors)
    (folder / derived.HASHES).write_text(json.dumps(hashes))
    report = irkit.open_case(case.root, create=False).verify()
    assert [(p["kind"], p["problem"], Path(p["path"]).name) for p in report["problems"]] == [
        ("derived", "changed", "actors.parquet")]


def test_a_corrupted_last_line_then_an_ingest_deletes_nothing(case: irkit.Case, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    lines = manifest_lines(case)
    write_manifest(case, [*lines[:-1], lines[-1][:40] + "garbage"])
    before = sorted((case.root / "lake").rglob("*.parquet"))
    more = write_lines(tmp_path / "ev" / "more.jsonl", [ct_event(100 + i) for i in range(2)])
    code, _, err = cli(capsys, "ingest", str(case.root), str(more), "--no-progress")
    assert code == 2 and err.count("\n") == 1 and "manifest.jsonl:3" in err and "nothing deleted" in err, err
    assert sorted((case.root / "lake").rglob("*.parquet")) == before
    assert manifest_lines(case)[:-1] == lines[:-1]
    assert events(case) == 7  # still usable: the two intact commits
    code, out, _ = cli(capsys, "verify", str(case.root))
    assert code == 1 and "manifest.jsonl:3" in out


def test_a_torn_last_line_from_a_crash_is_no_problem(case: irkit.Case, tmp_path: Path) -> None:
    with open(case.root / lake.MANIFEST, "a") as fh:
        fh.write('{"commit": "torn')
    assert irkit.open_case(case.root, create=False).verify()["ok"]
    more = write_lines(tmp_path / "ev" / "more.jsonl", [ct_event(100)])
    irkit.open_case(case.root, create=False).ingest(more, progress=False)
    assert events(case) == 13
    assert irkit.open_case(case.root, create=False).verify()["ok"]


def test_a_manifest_from_before_the_chain_is_accepted_with_a_warning(case: irkit.Case) -> None:
    lines = []
    for line in manifest_lines(case):
        commit = json.loads(line)
        commit.pop("prev"), commit.pop("seq")
        lines.append(json.dumps(commit, sort_keys=True))
    write_manifest(case, lines)
    (case.root / lake.HEAD).unlink()
    report = irkit.open_case(case.root, create=False).verify()
    assert report["ok"] and "before the hash chain" in report["warnings"][0]


HEAD_CRASH = """
import os, signal, sys
import irkit, irkit.lake as lake
mode = sys.argv[2]
original = lake._write_head
calls = {"n": 0}
def write_head(root, head):
    calls["n"] += 1
    if mode == "after-pending" and calls["n"] == 3:   # second commit: pending head written, line not appended
        original(root, head)
        os.kill(os.getpid(), signal.SIGKILL)
    if mode == "after-append" and calls["n"] == 4:    # second commit: line appended, head not yet updated
        os.kill(os.getpid(), signal.SIGKILL)
    original(root, head)
lake._write_head = write_head
case = irkit.open_case(sys.argv[1])
for path in sys.argv[3:]:
    case.ingest(path, progress=False)
"""


@pytest.mark.parametrize("mode,committed", [("after-pending", 3), ("after-append", 7)])
def test_a_kill_between_head_and_append_leaves_a_consistent_case(tmp_path: Path, mode: str, committed: int) -> None:
    import subprocess
    import sys

    files = [write_lines(tmp_path / "ev" / f"f{n}.jsonl", [ct_event(n * 10 + i) for i in range(3 + n)])
             for n in range(3)]
    run = subprocess.run([sys.executable, "-c", HEAD_CRASH, str(tmp_path / "case"), mode, *map(str, files)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == -9, run.stderr
    case = irkit.open_case(tmp_path / "case", create=False)
    assert case.verify()["ok"]
    assert case.sql("SELECT count(*) FROM events").item() == committed
    case.ingest([str(f) for f in files], progress=False)
    assert case.sql("SELECT count(*), count(DISTINCT event_uid) FROM events").row(0) == (12, 12)
    assert case.verify()["ok"]


# -- the optional signature over the head -----------------------------------------------------------------
def rewrite_chain(case: irkit.Case, lines: list[str]) -> None:
    """Rebuild seq, prev and the head over edited lines: what a careful forger does."""
    out, prev = [], lake.GENESIS
    for n, line in enumerate(lines, 1):
        commit = {**json.loads(line), "seq": n, "prev": prev}
        text = json.dumps(commit, sort_keys=True)
        out.append(text)
        prev = lake.line_hash(text.encode())
    write_manifest(case, out)
    (case.root / lake.HEAD).write_text(json.dumps({"lines": len(out), "sha256": prev}))


def test_a_signed_head_catches_a_consistently_rewritten_chain(case: irkit.Case, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("cryptography")
    key = tmp_path / "keys" / "ir"
    key.parent.mkdir()
    assert cli(capsys, "keygen", str(key))[0] == 0
    assert (key.stat().st_mode & 0o777) == 0o600
    assert cli(capsys, "sign", str(case.root), "--key", str(key))[0] == 0
    code, out, _ = cli(capsys, "verify", str(case.root), "--public-key", f"{key}.pub")
    assert code == 0, out
    lines = manifest_lines(case)
    rewrite_chain(case, [lines[0], lines[2]])  # the second commit removed, chain and head rebuilt
    plain = irkit.open_case(case.root, create=False).verify()
    assert {(p["kind"], p["problem"]) for p in plain["problems"]} >= {("signature", "rewritten")}
    code, out, _ = cli(capsys, "verify", str(case.root), "--public-key", f"{key}.pub")
    assert code == 1 and "signature" in out and "rewritten" in out


def test_a_signature_by_another_key_or_none_fails_with_the_key_given(case: irkit.Case, tmp_path: Path) -> None:
    pytest.importorskip("cryptography")
    from irkit import signing

    ours = signing.generate_key(tmp_path / "ours")
    signing.generate_key(tmp_path / "theirs")
    assert [p["problem"] for p in case.verify(public_key=ours)["problems"]] == ["missing"]
    signing.sign(case.root, tmp_path / "theirs")
    assert case.verify()["ok"]  # consistent, but whose?
    assert [p["problem"] for p in case.verify(public_key=ours)["problems"]] == ["other key"]
    signing.sign(case.root, tmp_path / "ours")
    assert case.verify(public_key=ours)["ok"]
