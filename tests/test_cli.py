"""The command line: output formats, exit codes, help on every command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from irkit.cli import build_parser, main
from tests.test_ingest import ct_event, write_lines


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_ingest_json_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write_lines(tmp_path / "ev" / "trail.jsonl", [ct_event(0), ct_event(1), ct_event(1), "{oops"])
    other = write_lines(tmp_path / "ev" / "other.jsonl", [{"hello": "world"}])
    code, out, err = run(capsys, "ingest", str(tmp_path / "case"), str(tmp_path / "ev"), "--format", "json")
    assert code == 1 and err.count("\n") == 1 and "other.jsonl" in err  # no loader recognises other.jsonl
    report = json.loads(out)
    assert {k: report[k] for k in ("read", "loaded", "quarantined", "duplicates")} == {
        "read": 5, "loaded": 2, "quarantined": 2, "duplicates": 1}
    files = {Path(f["path"]).name: f for f in report["files"]}
    assert files["other.jsonl"]["source"] is None and files["other.jsonl"]["quarantined"] == 1
    assert files["trail.jsonl"]["source"] == "cloudtrail"
    assert set(files["trail.jsonl"]) >= {"path", "sha256", "source", "read", "loaded", "quarantined", "duplicates"}
    assert good.exists() and other.exists()


def test_sql_formats_and_bound_params(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_lines(tmp_path / "ev" / "t.jsonl", [ct_event(0), ct_event(1, eventName="RunInstances")])
    run(capsys, "ingest", str(tmp_path / "case"), str(tmp_path / "ev"), "--no-progress")
    query = "SELECT operation, actor_uid FROM events WHERE operation = $op"
    code, out, _ = run(capsys, "sql", str(tmp_path / "case"), query, "--param", "op=RunInstances", "--format", "json")
    assert code == 0
    assert json.loads(out) == [{"operation": "RunInstances", "actor_uid": "arn:aws:iam::123456789012:user/Alice"}]
    code, out, _ = run(capsys, "sql", str(tmp_path / "case"), "SELECT count(*) AS n FROM events", "--format", "csv")
    assert out.splitlines() == ["n", "2"]
    code, out, err = run(capsys, "sql", str(tmp_path / "case"), "SELECT * FROM nowhere")
    assert code == 2 and "query failed" in err


def test_verify_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = write_lines(tmp_path / "ev" / "t.jsonl", [ct_event(0)])
    run(capsys, "ingest", str(tmp_path / "case"), str(file))
    code, out, _ = run(capsys, "verify", str(tmp_path / "case"), "--format", "json")
    assert code == 0 and json.loads(out)["ok"] is True
    file.write_text(file.read_text().replace("Alice", "Alicf"))
    code, out, _ = run(capsys, "verify", str(tmp_path / "case"))
    assert code == 1 and "changed" in out


def test_input_errors_exit_2_with_one_line_naming_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.jsonl"
    code, _, err = run(capsys, "ingest", str(tmp_path / "case"), str(missing))
    assert code == 2
    assert err.strip().count("\n") == 0 and str(missing) in err
    code, _, err = run(capsys, "verify", str(tmp_path / "not-a-case"))
    assert code == 2 and "not an irkit case" in err


def test_every_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    for name in commands:
        with pytest.raises(SystemExit) as info:
            main([name, "--help"])
        assert info.value.code == 0
        assert "usage: irkit " + name in capsys.readouterr().out


def test_sources_lists_loaders(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "sources", "--format", "json")
    assert code == 0
    assert "cloudtrail" in {row["source"] for row in json.loads(out)}
