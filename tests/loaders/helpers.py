"""Shared helpers for loader tests: ingest a sample into a fresh case and look at the rows."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import irkit
from irkit.ingest import IngestSummary
from irkit.schema import EVENT_COLUMNS, EVENT_SCHEMA

SAMPLES = Path(__file__).parent / "samples"
PROJECT_ROOT = Path(__file__).resolve().parents[2]

#: Every normalized column but the raw text and the file hash (checked separately).
CHECKED = tuple(c for c in EVENT_COLUMNS if c not in {"raw", "evidence_sha256"})
#: Columns the ingest fills with an empty list when a loader does not state them.
LIST_COLUMNS = frozenset(c for c in CHECKED if pa.types.is_list(EVENT_SCHEMA.field(c).type) and c != "resources")


def blank_row() -> dict[str, Any]:
    """Every checked column at its empty value (null; an empty list for list columns), for building a
    whole expected row from the fields a test sets."""
    return {c: [] if c in LIST_COLUMNS else None for c in CHECKED}


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)


def res(uid: str, type_: str, system: str) -> dict[str, str]:
    """One entry of the ``resources`` column."""
    return {"uid": uid, "type": type_, "system": system}


def conformance_corpus(fmt: str | None = None) -> Path:
    """The shared conformance corpus (or one format's folder in it), from IRKIT_CONFORMANCE_DIR (a
    relative value is taken from the project root). Skips, saying why, when the variable is unset;
    fails when it is set and the folder is missing, so CI can never pass without the corpus."""
    value = os.environ.get("IRKIT_CONFORMANCE_DIR")
    if not value:
        pytest.skip(
            "IRKIT_CONFORMANCE_DIR is not set: point it at the shared conformance corpus "
            "(.ci/run sets ../shared/conformance) to check the loaders against real-world records"
        )
    root = Path(value) if Path(value).is_absolute() else PROJECT_ROOT / value
    folder = root / fmt if fmt else root
    if not folder.is_dir():
        pytest.fail(f"IRKIT_CONFORMANCE_DIR={value} but {folder} is not a folder")
    return folder


def load(tmp_path: Path, *paths: Path | str, **kwargs: Any) -> tuple[irkit.Case, IngestSummary]:
    """Ingest the given files into a new case under tmp_path; check the loss accounting balances."""
    case = irkit.open_case(tmp_path / "case")
    summary = case.ingest([Path(p) for p in paths], progress=False, **kwargs)
    assert summary.balanced, str(summary)
    return case, summary


def rows(case: irkit.Case, where: str = "true", **params: Any) -> list[dict[str, Any]]:
    """Events as dicts (ordered by time, file, position); ``where`` is a SQL condition with bound params."""
    return case.sql(
        f"SELECT * EXCLUDE (day) FROM events WHERE {where} ORDER BY time, evidence_file, evidence_offset, evidence_path",
        **params,
    ).to_dicts()


def one(case: irkit.Case, where: str, **params: Any) -> dict[str, Any]:
    """The single event matching ``where``."""
    found = rows(case, where, **params)
    assert len(found) == 1, f"expected one row for {where}, got {len(found)}"
    return found[0]


def quarantine(case: irkit.Case) -> list[dict[str, Any]]:
    return case.sql("SELECT * FROM quarantine ORDER BY evidence_file, evidence_offset, evidence_path").to_dicts()


def subset(row: dict[str, Any], expected: dict[str, Any]) -> dict[str, Any]:
    """The keys of ``expected`` taken from ``row``, to compare whole expected rows in one assert."""
    return {k: row.get(k) for k in expected}


def hop(kind: str, from_uid: str, to_uid: str, scope: str, credential: str | None = None,
        expires: datetime | None = None) -> dict[str, Any]:
    """One entry of the ``delegations`` column."""
    return {"kind": kind, "from_uid": from_uid, "to_uid": to_uid, "credential_uid": credential, "scope": scope,
            "expires": expires}


def cred(uid: str | None, kind: str, action: str, principal: str | None, name: str | None = None,
         expires: datetime | None = None) -> dict[str, Any]:
    """One entry of the ``credentials`` column."""
    return {"uid": uid, "kind": kind, "action": action, "principal_uid": principal, "name": name, "expires": expires}
