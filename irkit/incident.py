"""What the responder was told: the suspect, when it was detected, what was revoked and when.

A YAML case file (``sample_data/invoice-agent-incident/incident.yaml``)::

    suspect: invoice-agent
    detected_at: 2026-11-10T14:41:00Z
    revocations:
      - {target: arn:aws:iam::111122223333:role/invoice-agent, action: Revoke role sessions, at: 2026-11-10T15:05:12Z}

Revocations can also come from the command line (``--revoked-at``) or from the inventory's revocation
steps; they all become rows of :func:`revocation_table`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import yaml

from irkit.errors import UsageError
from irkit.timeutil import parse_time


@dataclass(frozen=True)
class Revocation:
    target: str
    at: datetime
    action: str = ""


@dataclass
class Incident:
    suspect: str | None = None
    detected_at: datetime | None = None
    revocations: list[Revocation] = field(default_factory=list)
    summary: str | None = None

    @property
    def revoked_at(self) -> datetime | None:
        """When containment finished: the last revocation."""
        return max((r.at for r in self.revocations), default=None)

    def with_revocations(self, extra: list[Revocation]) -> Incident:
        return Incident(self.suspect, self.detected_at, [*self.revocations, *extra], self.summary)


def load_incident(path: str | Path) -> Incident:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise UsageError(f"cannot read the incident file: {exc}", path=path) from exc
    if not isinstance(data, dict):
        raise UsageError("the incident file must be a mapping", path=path)
    revocations = []
    for number, item in enumerate(data.get("revocations") or [], 1):
        if not isinstance(item, dict) or "target" not in item or "at" not in item:
            raise UsageError(f"revocation {number} needs a target and an at time", path=path)
        at = parse_time(str(item["at"]), f"revocation {number}")
        assert at is not None
        revocations.append(Revocation(str(item["target"]), at, str(item.get("action") or "")))
    return Incident(
        suspect=data.get("suspect"),
        detected_at=parse_time(str(data["detected_at"]), "detected_at") if data.get("detected_at") else None,
        revocations=revocations,
        summary=data.get("summary"),
    )


def parse_revocation(text: str) -> Revocation:
    """``TARGET=TIME`` (one revocation) or ``TIME`` (everything of the suspect revoked then)."""
    target, sep, when = text.rpartition("=") if "=" in text else ("*", "=", text)
    at = parse_time(when, "--revoked-at")
    if not sep or at is None:
        raise UsageError(f"--revoked-at takes TIME or TARGET=TIME, got {text!r}")
    return Revocation(target or "*", at, "given on the command line")


def revocation_table(revocations: list[Revocation]) -> pa.Table:
    rows: list[dict[str, Any]] = [{"target": r.target, "at": r.at, "action": r.action} for r in revocations]
    return pa.Table.from_pylist(
        rows, schema=pa.schema([("target", pa.string()), ("at", pa.timestamp("us", tz="UTC")), ("action", pa.string())])
    )
