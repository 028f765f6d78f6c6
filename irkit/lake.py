"""The evidence lake of one case: Parquet files, the manifest that commits them, and verification.

Layout of a case folder::

    case.json                                  case settings (irkit version, remembered inventory, ...)
    manifest.jsonl                             the commit log: one JSON line per committed ingest batch
    lake/events/source=<s>/day=<d>/*.parquet   normalized events (zstd), hive-partitioned
    lake/quarantine/*.parquet                  records that could not be normalized, with reasons
    .staging/                                  work in progress; never read

The manifest is the only source of truth: a Parquet file counts only once a manifest line names it,
and a line is appended (and fsync'd) only after its files are in place. An ingest killed at any point
therefore leaves the case readable and consistent; the next ingest removes orphans and redoes the
uncommitted files. A torn last line (a kill during the append) is ignored and cut off.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from irkit.errors import CaseError

MANIFEST = "manifest.jsonl"
EVENTS_DIR = Path("lake") / "events"
QUARANTINE_DIR = Path("lake") / "quarantine"
STAGING = ".staging"


@dataclass
class Manifest:
    """The committed state of a case, read from ``manifest.jsonl``."""

    root: Path
    commits: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def read(cls, root: Path) -> Manifest:
        path = root / MANIFEST
        commits: list[dict[str, Any]] = []
        if path.exists():
            lines = path.read_text(encoding="utf-8").splitlines()
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    commits.append(json.loads(line))
                except ValueError as exc:
                    if number == len(lines):
                        break  # torn last line from an interrupted append: not committed
                    raise CaseError(f"damaged manifest line: {exc}", path=path, line=number) from exc
        return cls(root, commits)

    def evidence(self) -> list[dict[str, Any]]:
        return [entry for commit in self.commits for entry in commit["evidence"]]

    def outputs(self, kind: str | None = None) -> list[dict[str, Any]]:
        return [o for c in self.commits for o in c["outputs"] if kind is None or o["kind"] == kind]

    def ingested_hashes(self) -> set[str]:
        return {entry["sha256"] for entry in self.evidence()}

    def event_files(self, source: str | None = None) -> list[str]:
        return [
            str(self.root / o["path"])
            for o in self.outputs("events")
            if source is None or o.get("source") == source
        ]

    def quarantine_files(self) -> list[str]:
        return [str(self.root / o["path"]) for o in self.outputs("quarantine")]


def append_commit(root: Path, commit: dict[str, Any]) -> None:
    """Append one commit line durably, first cutting off a torn last line if there is one."""
    path = root / MANIFEST
    _cut_torn_tail(path)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(commit, sort_keys=True) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def _cut_torn_tail(path: Path) -> None:
    if not path.exists():
        return
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        keep = data.rfind(b"\n") + 1
        with open(path, "r+b") as fh:
            fh.truncate(keep)


def recover(root: Path) -> list[Path]:
    """Remove staging leftovers and lake files no commit names; return what was removed."""
    manifest = Manifest.read(root)
    committed = {(root / o["path"]).resolve() for o in manifest.outputs()}
    removed: list[Path] = []
    shutil.rmtree(root / STAGING, ignore_errors=True)
    for folder in (root / EVENTS_DIR, root / QUARANTINE_DIR):
        if not folder.exists():
            continue
        for file in folder.rglob("*.parquet"):
            if file.resolve() not in committed:
                file.unlink()
                removed.append(file)
    return removed


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(4 * 1024**2):
            digest.update(block)
    return digest.hexdigest()


def verify(root: Path) -> dict[str, Any]:
    """Re-hash every evidence and lake file the manifest names; report exactly what differs."""
    manifest = Manifest.read(root)
    problems: list[dict[str, str]] = []
    checked = 0
    for entry in manifest.evidence():
        checked += 1
        path = Path(entry["path"])
        if not path.exists():
            problems.append({"kind": "evidence", "path": entry["file"], "problem": "missing"})
            continue
        from irkit.evidence import EvidenceItem

        actual = EvidenceItem(path, entry.get("member")).sha256()
        if actual != entry["sha256"]:
            problems.append(
                {"kind": "evidence", "path": entry["file"], "problem": "changed",
                 "expected": entry["sha256"], "actual": actual}
            )
    for output in manifest.outputs():
        checked += 1
        path = root / output["path"]
        if not path.exists():
            problems.append({"kind": output["kind"], "path": output["path"], "problem": "missing"})
        elif (actual := sha256_file(path)) != output["sha256"]:
            problems.append(
                {"kind": output["kind"], "path": output["path"], "problem": "changed",
                 "expected": output["sha256"], "actual": actual}
            )
    return {"ok": not problems, "checked": checked, "problems": problems}


def parquet_files_under(folder: Path) -> Iterator[Path]:
    yield from sorted(folder.rglob("*.parquet")) if folder.exists() else iter(())
