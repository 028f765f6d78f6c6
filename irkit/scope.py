"""The investigation scope: one suspect, one window, one set of revocations, resolved once.

Every command, library call, notebook and the report compute over a :class:`Scope`, and say which. It
is resolved from, in order: what the caller gives (``--suspect``/``--actor``, ``--since``, ``--until``,
``--detected-at``, ``--revoked-at``), what the case remembers from earlier commands (``scope`` in
``case.json``), and the incident file (suspect, detection time, revocations).

**The default window** (docs/incident.md): it starts with the suspect's burst of activity that was
under way at detection, its sessions merged while they overlap or follow each other within
:data:`BURST_GAP` (the last burst when no detection time is known), and runs to the end of the
evidence. A responder does not know the instant of compromise: the whole burst is the safe bound,
and it holds the first anomalous event of the suspect's chain. Only when the suspect has no activity
at all does the window fall back to :data:`FALLBACK` before detection (else before the last event).

The suspect may be named by any alias (role ARN, service-account email, app id, bot login): it is
resolved to its canonical identity first, so every alias gives the same answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import polars as pl

from irkit.errors import UsageError
from irkit.incident import Incident, Revocation, parse_revocation
from irkit.timeutil import parse_time

if TYPE_CHECKING:
    from irkit.case import Case

BURST_GAP = timedelta(minutes=30)
FALLBACK = timedelta(hours=24)
#: The keys of ``scope`` in case.json: what was given, never what was derived from it.
REMEMBERED = ("suspect", "since", "until", "detected_at", "revoked_at")


@dataclass(frozen=True)
class Scope:
    """Suspect, window and revocations every analysis of one investigation shares."""

    suspect: str
    named_as: str
    since: datetime
    until: datetime | None
    since_reason: str
    detected_at: datetime | None
    revocations: tuple[Revocation, ...] = ()
    incident: Incident = field(default_factory=Incident)
    basis: str = ""

    @property
    def revoked_at(self) -> datetime | None:
        return max((r.at for r in self.revocations), default=None)

    def describe(self) -> str:
        """One line: what every result of this scope was computed over."""
        from irkit.report.builder import when

        named = f" (named {self.named_as})" if self.named_as != self.suspect else ""
        end = when(self.until) if self.until else "the end of the evidence"
        return (f"scope: {self.suspect}{named}, {when(self.since)} to {end} ({self.since_reason}); "
                f"{len(self.revocations)} revocation(s); {self.basis}")

    def to_dict(self) -> dict[str, Any]:
        return {"suspect": self.suspect, "named_as": self.named_as, "since": self.since, "until": self.until,
                "since_reason": self.since_reason, "detected_at": self.detected_at,
                "revocations": [{"target": r.target, "at": r.at, "action": r.action} for r in self.revocations],
                "basis": self.basis}

    def _repr_html_(self) -> str:
        from html import escape

        return f"<b>irkit scope</b> {escape(self.describe())}"


def burst_start(sessions: pl.DataFrame, detected_at: datetime | None, gap: timedelta = BURST_GAP) -> datetime | None:
    """Start of the suspect's burst of activity the detection is about: sessions merged while they
    overlap or follow within ``gap``; the last burst that began before detection (the last burst when
    no detection time is known)."""
    if sessions.is_empty():
        return None
    bursts: list[list[datetime]] = []
    for start, end in sessions.select("start", "end").sort("start").iter_rows():
        if bursts and start <= bursts[-1][1] + gap:
            bursts[-1][1] = max(bursts[-1][1], end)
        else:
            bursts.append([start, end])
    if detected_at is not None:
        before = [b for b in bursts if b[0] <= detected_at]
        if before:
            return before[-1][0]
    return bursts[-1][0]


def basis(case: Case) -> str:
    """Which answers rest on an inventory and which on heuristics."""
    inv = case.inventory
    if not inv.learned:
        return f"identities, owners, scope and production data from the inventory {inv.path}"
    merged = sum(1 for i in inv.identities.values() if len(i.aliases) > 1)
    return (f"no inventory: aliases learned from the logs ({merged} identities with several uids) and "
            f"{len(inv.production)} production/sensitive-data patterns guessed by heuristics "
            "(docs/inventory.md); owners and revocation paths unknown")


def resolve(
    case: Case,
    suspect: str | None = None,
    *,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    detected_at: str | datetime | None = None,
    revocations: list[Any] | tuple[Any, ...] = (),
    remembered: bool = True,
) -> Scope:
    """The scope for these arguments; what they leave out comes from the case's remembered scope
    (``remembered``), then the incident file, then the documented defaults (module docstring)."""
    memory: dict[str, Any] = dict(case.settings.get("scope") or {}) if remembered else {}
    given = {"since": since, "until": until, "detected_at": detected_at}
    for key, value in given.items():  # "auto": the default, whatever the case remembers
        if value == "auto":
            memory.pop(key, None)
    since, until, detected_at = (None if v == "auto" else v for v in given.values())
    incident = case.incident
    extra = [r if isinstance(r, Revocation) else parse_revocation(str(r))
             for r in (list(revocations) or list(memory.get("revoked_at") or []))]
    incident = incident.with_revocations(extra) if extra else incident
    detected = parse_time(detected_at if detected_at is not None else memory.get("detected_at"), "detected_at")
    if detected is not None:
        incident = replace(incident, detected_at=detected)
    name = suspect or memory.get("suspect") or incident.suspect
    if not name:
        raise UsageError("no suspect: name one (--suspect / --actor), or give an incident file that does")
    ident = case.identity_id(name)
    start = parse_time(since if since is not None else memory.get("since"), "since")
    end = parse_time(until if until is not None else memory.get("until"), "until")
    if start is not None:
        reason = "given" if since is not None else "remembered by the case"
    else:
        start = burst_start(case.sessions(ident), incident.detected_at)
        when = incident.detected_at
        if start is not None:
            reason = (f"default: start of {ident}'s burst of activity under way at detection"
                      if when is not None and start <= when else f"default: start of {ident}'s last burst of activity")
        else:
            if when is None:
                last = case.con.execute("SELECT max(time) FROM events").fetchall()[0][0]
                when = last or datetime.now().astimezone()
            start = when - FALLBACK
            reason = f"default: {ident} has no activity; {FALLBACK} before detection or the last event"
    return Scope(suspect=ident, named_as=name, since=start, until=end, since_reason=reason,
                 detected_at=incident.detected_at, revocations=tuple(incident.revocations), incident=incident,
                 basis=basis(case))


def remember(case: Case, **given: Any) -> None:
    """Store the scope arguments given explicitly (None: not given) in case.json; ``auto`` forgets one."""
    memory = dict(case.settings.get("scope") or {})
    changed = False
    for key, value in given.items():
        if key not in REMEMBERED or value in (None, [], ()):
            continue
        changed = True
        if value == "auto":
            memory.pop(key, None)
        else:
            memory[key] = [str(v) for v in value] if key == "revoked_at" else str(value)
    if changed:
        case.remember(scope=memory)
