"""Running the collector and ingesting what it saved, for the tests."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import irkit
from irkit.cli import main


def collect(*argv: str) -> int:
    return main(["collect", *argv, "--no-progress"])


def log_lines(case: Path) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = []
    for log in sorted((case / "collection").glob("*/log.jsonl")):
        lines += [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    return lines


def saved_pages(case: Path) -> list[Path]:
    return sorted(p for p in (case / "evidence").rglob("*") if p.is_file())


def ingest_evidence(case: Path) -> tuple[irkit.Case, Any]:
    """Ingest CASE/evidence into the case itself, as the README says; the summary must balance."""
    opened = irkit.open_case(case)
    summary = opened.ingest([case / "evidence"], progress=False)
    assert summary.balanced, str(summary)
    assert summary.read == summary.loaded + summary.quarantined + summary.duplicates + summary.conflicts
    assert not summary.warning_lines(), summary.warning_lines()
    return opened, summary


def page_records(path: Path) -> list[Any]:
    data = json.loads(gzip.decompress(path.read_bytes()))
    if isinstance(data, list):
        return data
    for key in ("value", "entries", "Events"):
        if key in data:
            return data[key]
    raise AssertionError(f"{path}: no records")
