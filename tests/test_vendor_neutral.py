"""Analyses read only the normalized model: no analysis SQL or Python names a log source or reads raw.

Vendor knowledge lives in the loaders (irkit/loaders/), which state delegation, credentials and activity
in normalized columns; everything downstream must hold on any vendor. This test reads the analysis
files as text, so a new ``source = 'okta'`` or ``json_extract(raw, ...)`` fails here, not on an
incident in another vendor's shapes.
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import pytest

from irkit import loaders

PACKAGE = Path(__file__).resolve().parent.parent / "irkit"
#: Not analyses: the loaders themselves, the ingest (it writes raw and provenance), the generator, the
#: collectors (acquisition: they fetch vendors' APIs and never read the lake) and the exporters' raw
#: passthrough, which hand evidence on untouched.
NOT_ANALYSES = ("loaders/", "synth/", "collect/", "ingest.py", "evidence.py", "jsonscan.py", "accounting.py", "lake.py",
                "sql/ingest_", "cli/", "schema.py")
#: The places raw may be selected outside the loaders: exports that carry the evidence along, and the
#: report's appendix, which shows each cited record as it stands in its file (escaped, never parsed).
RAW_PASSTHROUGH = {"sql/export_events.sql", "export.py", "case.py", "sql/report_evidence.sql", "report/builder.py"}
#: Presentation metadata per source (the OCSF export's product names), not a rule of any analysis.
SOURCE_METADATA = {"export.py"}

SOURCE_NAMES = sorted({loaders.get(n).name for n in loaders.REGISTRY} | {"entra_signin", "entra_audit", "azure_activity"})
_QUOTED_SOURCE = re.compile(r"""['"]({})['"]""".format("|".join(map(re.escape, SOURCE_NAMES))))
_RAW = re.compile(r"\braw\b")


def _analysis_files() -> list[Path]:
    files = sorted([*PACKAGE.rglob("*.py"), *PACKAGE.rglob("*.sql")])
    return [f for f in files if not any(f.relative_to(PACKAGE).as_posix().startswith(p) for p in NOT_ANALYSES)]


def _code(path: Path) -> str:
    """What could query the lake: SQL without its comments; of Python, the string literals that are not
    docstrings (SQL lives in strings; comments and docstrings may name sources to explain a rule)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".sql":
        return "\n".join(line.split("--", 1)[0] for line in text.splitlines())
    strings, previous = [], tokenize.NEWLINE
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.STRING and previous not in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
                                                               tokenize.NL):
            strings.append(token.string)
        if token.type not in (tokenize.COMMENT, tokenize.NL):
            previous = token.type
    return "\n".join(strings)


@pytest.mark.parametrize("path", _analysis_files(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_no_vendor_source_named(path: Path) -> None:
    if path.relative_to(PACKAGE).as_posix() in SOURCE_METADATA:
        return
    found = _QUOTED_SOURCE.findall(_code(path))
    assert not found, f"{path.relative_to(PACKAGE)} names log sources {sorted(set(found))}: state the fact in the loaders' model"


@pytest.mark.parametrize("path", _analysis_files(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_no_raw_parsing(path: Path) -> None:
    if path.relative_to(PACKAGE).as_posix() in RAW_PASSTHROUGH:
        return
    assert not _RAW.search(_code(path)), f"{path.relative_to(PACKAGE)} reads raw: analyses read normalized columns"


def test_the_check_sees_analyses() -> None:
    names = {p.relative_to(PACKAGE).as_posix() for p in _analysis_files()}
    assert {"control.py", "graph.py", "triggers.py", "sql/control_step.sql", "sql/triggers_scope.sql"} <= names
    assert _QUOTED_SOURCE.search("WHERE source = 'cloudtrail'") and _RAW.search("json_extract(e.raw, '$.x')")
    sample = 'def f():\n    """Reads raw CloudTrail."""\n    raw = 1  # raw\n    return con.sql("SELECT raw FROM events")\n'
    probe = PACKAGE.parent / "tests" / ".vendor_neutral_probe.py"
    probe.write_text(sample, encoding="utf-8")
    try:
        assert _code(probe).strip() == '"SELECT raw FROM events"'
    finally:
        probe.unlink()
