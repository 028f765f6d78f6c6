"""Loss accounting: what ingest did with every evidence file, and the proof that nothing was lost.

Per file, ``read = loaded + quarantined + duplicates + conflicts``: every record read is an event in
the lake, a quarantined record (with its reason and raw text), a repeat of an event already stored
with the same content, or a **conflict** (its event id already stored with different content; the
record is kept whole in the quarantine with reason ``conflict: ...``). A file that could not be read
as a whole carries an ``error`` (and status ``failed`` when part of it was read or it holds no
records, ``refused`` when it was not opened at all: links, special files, unsafe archive members).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from html import escape
from typing import Any

_COUNTS = ("read", "loaded", "quarantined", "duplicates", "conflicts")


@dataclass
class FileResult:
    """What ingest did with one evidence item."""

    path: str
    sha256: str | None
    size: int | None
    source: str | None
    loader_version: str | None = None
    read: int = 0
    loaded: int = 0
    quarantined: int = 0
    duplicates: int = 0
    conflicts: int = 0
    status: str = "ingested"
    error: str | None = None
    member: str | None = None
    member_index: int | None = None
    abspath: str = ""

    @property
    def balanced(self) -> bool:
        return self.read == self.loaded + self.quarantined + self.duplicates + self.conflicts

    def manifest_entry(self) -> dict[str, Any]:
        entry = asdict(self)
        entry["file"] = entry.pop("path")
        entry["path"] = entry.pop("abspath")
        return entry


@dataclass
class IngestSummary:
    """Loss accounting of one ingest: for every file and in total,
    read = loaded + quarantined + duplicates + conflicts; plus the files that could not be read
    (``problems``) and what else is worth a warning (``warnings``: evidence changed since its ingest)."""

    files: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    @property
    def read(self) -> int:
        return sum(f.read for f in self.files)

    @property
    def loaded(self) -> int:
        return sum(f.loaded for f in self.files)

    @property
    def quarantined(self) -> int:
        return sum(f.quarantined for f in self.files)

    @property
    def duplicates(self) -> int:
        return sum(f.duplicates for f in self.files)

    @property
    def conflicts(self) -> int:
        return sum(f.conflicts for f in self.files)

    @property
    def balanced(self) -> bool:
        return all(f.balanced for f in self.files)

    @property
    def problems(self) -> list[FileResult]:
        """Files with a file-level problem: refused, failed part-way, unknown format, empty."""
        return [f for f in self.files if f.error]

    def warning_lines(self) -> list[str]:
        """One line per file-level problem and per warning, for a terminal's stderr."""
        return [f"{f.path}: {f.status}: {f.error}" for f in self.problems] + list(self.warnings)

    def to_dict(self) -> dict[str, Any]:
        keys = ("path", "sha256", "source", *_COUNTS, "status", "error")
        return {
            **{k: getattr(self, k) for k in _COUNTS},
            "balanced": self.balanced,
            "files": [{k: getattr(f, k) for k in keys} for f in self.files],
            "warnings": self.warning_lines(),
        }

    def by_source(self) -> list[dict[str, Any]]:
        """One row per source (unrecognised files together) with file count and the counts."""
        rows: dict[str, dict[str, Any]] = {}
        for f in self.files:
            name = f.source or "(unrecognised)"
            row = rows.setdefault(name, {"source": name, "files": 0, **dict.fromkeys(_COUNTS, 0)})
            row["files"] += 1
            for k in _COUNTS:
                row[k] += getattr(f, k)
        return list(rows.values())

    def _rows(self) -> list[list[str]]:
        total = {"source": "total", "files": len(self.files), **{k: getattr(self, k) for k in _COUNTS}}
        return [[str(r[k]) for k in ("source", "files", *_COUNTS)] for r in [*self.by_source(), total]]

    def __str__(self) -> str:
        lines = [f"{'source':<16}{'files':>7}" + "".join(f"{k:>13}" for k in _COUNTS)]
        lines += [f"{r[0]:<16}{r[1]:>7}" + "".join(f"{v:>13}" for v in r[2:]) for r in self._rows()]
        skipped = sum(1 for f in self.files if f.status == "already ingested")
        if skipped:
            lines.append(f"{skipped} file(s) already ingested: nothing to do for them")
        if self.problems:
            lines.append(f"{len(self.problems)} file(s) with a problem (refused, failed or unrecognised): see the warnings")
        lines.append(f"read = loaded + quarantined + duplicates + conflicts: {'yes' if self.balanced else 'NO'}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{escape(h)}</th>" for h in ("source", "files", *_COUNTS))
        body = "".join("<tr>" + "".join(f"<td>{escape(v)}</td>" for v in row) + "</tr>" for row in self._rows())
        check = "balanced" if self.balanced else "NOT balanced"
        problems = "".join(f"<li>{escape(line)}</li>" for line in self.warning_lines())
        return (f"<table><tr>{head}</tr>{body}</table><p>read = loaded + quarantined + duplicates + conflicts: "
                f"<b>{check}</b></p>" + (f"<ul>{problems}</ul>" if problems else ""))
