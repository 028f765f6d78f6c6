"""Log text is hostile: it never reaches a terminal raw, never runs as a spreadsheet formula, never
reverses a name in the report; command options and YAML files fail with one line naming the problem."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

import irkit
from irkit.cli import main
from irkit.errors import InventoryError, UsageError
from irkit.incident import load_incident
from irkit.inventory import load_inventory
from tests.test_ingest import ct_event, write_lines

#: An OSC 52 clipboard write, a clear-screen, a right-to-left override and a C1 CSI.
EVIL = "\x1b]52;c;SGVsbG8=\x07\x1b[2J\u202e\x9b"
EVE = "arn:aws:iam::123456789012:user/Eve" + EVIL
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
ESCAPED = r"\x1b]52;c;SGVsbG8=\x07\x1b[2J\u202e\x9b"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A case whose CloudTrail records carry the payload in the user, the user agent, the operation
    and the bucket; the user agent also starts like a spreadsheet formula."""
    tmp = tmp_path_factory.mktemp("hostile")
    eve = {"type": "IAMUser", "principalId": "AIDAEVE", "arn": EVE, "accountId": "123456789012",
           "accessKeyId": "AKIAEVE", "userName": "Eve" + EVIL}
    records = [ct_event(i, userIdentity=eve, userAgent="=cmd|' /C calc'!A0" + EVIL, eventName="GetObject" + EVIL,
                        eventSource="s3.amazonaws.com", requestParameters={"bucketName": "b" + EVIL, "key": "-k"})
               for i in range(5)]
    write_lines(tmp / "ct.jsonl", records)
    irkit.open_case(tmp / "case").ingest(tmp / "ct.jsonl", progress=False)
    return tmp / "case"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("argv", [
    ["sql", "{case}", "SELECT user_agent, operation, actor_uid FROM events"],
    ["timeline", "{case}", "--actor", EVE],
    ["sessions", "{case}", "--actor", EVE],
    ["attribute", "{case}", "--actor", EVE],
    ["triggers", "{case}", "--actor", EVE],
    ["blast-radius", "{case}", "--actor", EVE],
    ["identity", "{case}", EVE],
    ["revocation", "{case}", "--actor", EVE],
], ids=lambda argv: argv[0])
def test_tables_and_text_escape_control_characters(hostile: Path, capsys: pytest.CaptureFixture[str],
                                                   argv: list[str]) -> None:
    code, out, err = run(capsys, *[a.replace("{case}", str(hostile)) for a in argv])
    assert code in (0, 1), err
    assert not RAW_CONTROL.search(out + err), repr(RAW_CONTROL.search(out + err))
    assert r"\x1b]52;c;" in out  # shown, as text


def test_errors_are_one_escaped_line(hostile: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "timeline", str(hostile), "--actor", "nobody\n" + EVIL)
    assert code == 2 and err.count("\n") == 1 and not RAW_CONTROL.search(err)


def test_json_stays_valid_json(hostile: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "sql", str(hostile), "SELECT user_agent FROM events LIMIT 1", "--format", "json")
    assert code == 0 and not RAW_CONTROL.search(out)
    assert json.loads(out) == [{"user_agent": "=cmd|' /C calc'!A0" + EVIL}]


def test_sql_csv_neutralises_formulas_unless_raw(hostile: Path, capsys: pytest.CaptureFixture[str]) -> None:
    query = "SELECT user_agent, '-1+2' AS minus, '@SUM(A1)' AS at, '+x' AS plus, chr(9) || 'tab' AS tab, " \
            "chr(13) || 'cr' AS cr, 'plain' AS plain, -5 AS number FROM events LIMIT 1"
    _, out, _ = run(capsys, "sql", str(hostile), query, "--format", "csv")
    _, row = list(csv.reader(io.StringIO(out)))
    assert row == ["'=cmd|' /C calc'!A0" + EVIL, "'-1+2", "'@SUM(A1)", "'+x", "'\ttab", "'\rcr", "plain", "-5"]
    _, out, _ = run(capsys, "sql", str(hostile), query, "--format", "csv", "--raw-csv")
    assert list(csv.reader(io.StringIO(out)))[1][:2] == ["=cmd|' /C calc'!A0" + EVIL, "-1+2"]


def test_timesketch_csv_neutralises_formulas_unless_raw(hostile: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "t.csv"
    code, _, err = run(capsys, "export", str(hostile), "--suspect", EVE, "--format", "timesketch-csv", "--out", str(out))
    assert code == 0, err
    rows = list(csv.DictReader(out.open(newline="")))
    assert rows and {r["user_agent"] for r in rows} == {"'=cmd|' /C calc'!A0" + EVIL}
    assert not any(v.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for v in r.values())
    run(capsys, "export", str(hostile), "--suspect", EVE, "--format", "timesketch-csv", "--out", str(out), "--raw-csv")
    assert {r["user_agent"] for r in csv.DictReader(out.open(newline=""))} == {"=cmd|' /C calc'!A0" + EVIL}


def test_report_shows_bidi_controls_instead_of_applying_them(hostile: Path, tmp_path: Path) -> None:
    html = irkit.open_case(hostile, create=False).report(EVE, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "\u202e" not in html
    assert "Eve\x1b]52;c;SGVsbG8=\x07\x1b[2J\u27e8U+202E\u27e9" in html.replace("&#39;", "'")
    start = html.rfind("Plotly.newPlot")
    figure_data = html[start:html.index("</script>", start)]  # the appendix after it shows raw JSON escapes as text
    assert "\\u202e" not in figure_data.lower()


# -- options and YAML -----------------------------------------------------------------------------------
@pytest.mark.parametrize("argv", [
    ["attribute", "{case}", "--actor", EVE, "--window", "1e30"],
    ["attribute", "{case}", "--actor", EVE, "--window", "nan"],
    ["attribute", "{case}", "--actor", EVE, "--window", "-5s"],
    ["sessions", "{case}", "--gap", "inf"],
    ["triggers", "{case}", "--baseline-days", "99999999999999"],
    ["triggers", "{case}", "--reach-factor", "nan"],
    ["ingest", "{case}", "x", "--max-bytes", "-1"],
], ids=lambda argv: " ".join(argv[-2:]))
def test_bad_option_values_are_one_line_usage_errors(hostile: Path, capsys: pytest.CaptureFixture[str],
                                                     argv: list[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main([a.replace("{case}", str(hostile)) for a in argv])
    err = capsys.readouterr().err
    assert info.value.code == 2
    assert "Traceback" not in err and err.strip().splitlines()[-1].startswith("irkit")


def test_library_durations_are_bounded(hostile: Path) -> None:
    with pytest.raises(UsageError, match="out of range"):
        irkit.open_case(hostile, create=False).attribute(EVE, window="1e30")


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def bomb(levels: int = 8, width: int = 9) -> str:
    lines = ["a0: &a0 [" + ", ".join(["x"] * width) + "]"]
    for n in range(1, levels):
        lines.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def test_incident_suspect_must_be_text(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"i\.yaml:2: suspect must be text, not a list"):
        load_incident(write(tmp_path / "i.yaml", "detected_at: 2026-11-10T14:41:00Z\nsuspect: [a, b]\n"))


def test_incident_revocation_fields_are_checked_with_their_line(tmp_path: Path) -> None:
    text = "suspect: x\nrevocations:\n  - target: a\n    at: 2026-11-10T15:00:00Z\n  - target: {b: 1}\n    at: now\n"
    with pytest.raises(UsageError, match=r"i\.yaml:5: revocation 2: target must be text"):
        load_incident(write(tmp_path / "i.yaml", text))


def test_incident_alias_bomb_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="alias bomb"):
        load_incident(write(tmp_path / "i.yaml", bomb() + "suspect: *a7\n"))


def test_inventory_alias_bomb_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InventoryError, match="alias bomb"):
        load_inventory(write(tmp_path / "inv.yaml", bomb() + "identities: []\n"))


def test_too_many_aliases_are_refused(tmp_path: Path) -> None:
    text = "a: &a x\nsuspect: x\nlist: [" + ", ".join(["*a"] * 101) + "]\n"
    with pytest.raises(UsageError, match=r"i\.yaml:3: .*more than 100 aliases"):
        load_incident(write(tmp_path / "i.yaml", text))


@pytest.mark.parametrize("loader,error", [(load_inventory, InventoryError), (load_incident, UsageError)])
def test_deeply_nested_yaml_is_refused_with_its_line(tmp_path: Path, loader: object, error: type) -> None:
    text = "identities:\n  - id: a\n    kind: agent\n    aliases: " + "[" * 10_000 + "]" * 10_000 + "\n"
    with pytest.raises(error, match=r"y\.yaml:4: .*nested deeper than 64"):
        loader(write(tmp_path / "y.yaml", text))  # type: ignore[operator]


def test_yaml_errors_are_one_line_from_the_cli(hostile: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    incident = write(tmp_path / "i.yaml", "suspect: [a, b]\n")
    code, _, err = run(capsys, "triggers", str(hostile), "--incident", str(incident))
    assert code == 2 and err.count("\n") == 1 and "i.yaml:1: suspect must be text" in err
    inventory = write(tmp_path / "inv.yaml", "identities: " + "[" * 5000 + "]" * 5000 + "\n")
    code, _, err = run(capsys, "sessions", str(hostile), "--inventory", str(inventory))
    assert code == 2 and err.count("\n") == 1 and "nested deeper" in err


def test_disk_full_is_one_line(hostile: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                               monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from irkit.report import builder

    def full(html: str, out: str | Path) -> Path:
        raise OSError(errno.ENOSPC, "No space left on device", str(out))

    monkeypatch.setattr(builder, "write", full)
    code, _, err = run(capsys, "report", str(hostile), "--suspect", EVE, "--out", str(tmp_path / "r.html"),
                       "--no-progress")
    assert code == 2 and err.count("\n") == 1 and "r.html: No space left on device" in err, err
