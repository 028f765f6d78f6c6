"""Loss accounting: what ingest did with every evidence file, and the proof that nothing was lost."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from html import escape
from typing import Any

_COUNTS = ("read", "loaded", "quarantined", "duplicates")


@dataclass
class FileResult:
    """What ingest did with one evidence item."""

    path: str
    sha256: str
    size: int
    source: str | None
    loader_version: str | None = None
    read: int = 0
    loaded: int = 0
    quarantined: int = 0
    duplicates: int = 0
    status: str = "ingested"
    member: str | None = None
    abspath: str = ""

    def manifest_entry(self) -> dict[str, Any]:
        entry = asdict(self)
        entry["file"] = entry.pop("path")
        entry["path"] = entry.pop("abspath")
        return entry


@dataclass
class IngestSummary:
    """Loss accounting of one ingest: for every file and in total, read = loaded + quarantined + duplicates."""

    files: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0

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
    def balanced(self) -> bool:
        return all(f.read == f.loaded + f.quarantined + f.duplicates for f in self.files)

    def to_dict(self) -> dict[str, Any]:
        keys = ("path", "sha256", "source", "read", "loaded", "quarantined", "duplicates", "status")
        return {
            "read": self.read,
            "loaded": self.loaded,
            "quarantined": self.quarantined,
            "duplicates": self.duplicates,
            "files": [{k: getattr(f, k) for k in keys} for f in self.files],
        }

    def by_source(self) -> list[dict[str, Any]]:
        """One row per source (unrecognised files together) with file count and the four counts."""
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
        skipped = sum(1 for f in self.files if f.status != "ingested")
        if skipped:
            lines.append(f"{skipped} file(s) already ingested: nothing to do for them")
        lines.append(f"read = loaded + quarantined + duplicates: {'yes' if self.balanced else 'NO'}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{escape(h)}</th>" for h in ("source", "files", *_COUNTS))
        body = "".join("<tr>" + "".join(f"<td>{escape(v)}</td>" for v in row) + "</tr>" for row in self._rows())
        check = "balanced" if self.balanced else "NOT balanced"
        return f"<table><tr>{head}</tr>{body}</table><p>read = loaded + quarantined + duplicates: <b>{check}</b></p>"
