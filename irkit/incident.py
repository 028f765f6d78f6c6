"""What the responder was told: the suspect, when it was detected, what was revoked and when.

A YAML case file (``sample_data/invoice-agent-incident/incident.yaml``)::

    suspect: invoice-agent
    detected_at: 2026-11-10T14:41:00Z
    revocations:
      - {target: arn:aws:iam::111122223333:role/invoice-agent, action: Revoke role sessions, at: 2026-11-10T15:05:12Z}

Revocations can also come from the command line (``--revoked-at``) or from the inventory's revocation
steps; they all become rows of :func:`revocation_table`. The file is read with limits on size, aliases
and depth (:mod:`irkit.safeyaml`), every field is type-checked, an unknown field is an error (a typo
would otherwise drop a revocation silently), and errors name the file and line. Every field:
docs/incident.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from irkit import safeyaml
from irkit.errors import UsageError
from irkit.timeutil import parse_time


#: The fields of an incident file and of one of its revocations (docs/incident.md).
FIELDS = ("suspect", "detected_at", "revocations", "summary")
REVOCATION_FIELDS = ("target", "at", "action")


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
    """Read and validate an incident file; errors name the file and line (:class:`UsageError`)."""
    path = Path(path)
    data, root = safeyaml.load(path, "the incident file")
    data = {} if data is None else data

    def fail(message: str, *keys: str | int) -> UsageError:
        return UsageError(message, path=path, line=safeyaml.line_of(root, *keys))

    if not isinstance(data, dict):
        raise fail("the incident file must be a mapping (suspect, detected_at, revocations, summary)")
    for key in data:
        if key not in FIELDS:
            raise fail(f"unknown field {key!r} (expected {', '.join(FIELDS)}; docs/incident.md)", key)

    def text(value: Any, what: str, *keys: str | int) -> str | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float, datetime, date)):
            raise fail(f"{what} must be text, not a {_kind(value)}", *keys)
        return str(value)

    def time(value: Any, what: str, *keys: str | int) -> datetime | None:
        raw = text(value, what, *keys)
        try:
            return parse_time(raw, what)
        except UsageError as exc:
            raise fail(exc.message, *keys) from None

    items = data.get("revocations") or []
    if not isinstance(items, list):
        raise fail("revocations must be a list", "revocations")
    revocations = []
    for number, item in enumerate(items, 1):
        if not isinstance(item, dict) or "target" not in item or "at" not in item:
            raise fail(f"revocation {number} needs a target and an at time", "revocations", number - 1)
        for key in item:
            if key not in REVOCATION_FIELDS:
                raise fail(f"revocation {number}: unknown field {key!r} (expected {', '.join(REVOCATION_FIELDS)})",
                           "revocations", number - 1, key)
        target = text(item["target"], f"revocation {number}: target", "revocations", number - 1, "target")
        at = time(item["at"], f"revocation {number}: at", "revocations", number - 1, "at")
        if not target or at is None:
            raise fail(f"revocation {number} needs a target and an at time", "revocations", number - 1)
        action = text(item.get("action"), f"revocation {number}: action", "revocations", number - 1, "action")
        revocations.append(Revocation(target, at, action or ""))
    return Incident(
        suspect=text(data.get("suspect"), "suspect", "suspect") or None,
        detected_at=time(data.get("detected_at"), "detected_at", "detected_at"),
        revocations=revocations,
        summary=text(data.get("summary"), "summary", "summary"),
    )


def _kind(value: Any) -> str:
    return {dict: "mapping", list: "list", bool: "true/false"}.get(type(value), type(value).__name__)


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
