"""What the report shows, gathered from the case's analyses in one place.

Nothing here decides a finding: each section is the result of a Case method (identity card, sessions,
timeline, attribution, triggers, blast radius, revocation checklist, ownership, manifest). This module
only chooses the incident window they are asked about and counts what a manager reads first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import polars as pl

from irkit import __version__
from irkit.coverage import case_coverage
from irkit.identity import IdentityCard
from irkit.incident import Incident, Revocation

if TYPE_CHECKING:
    from irkit.case import Case
    from irkit.graph import BlastRadius


@dataclass
class Findings:
    """Every section of the report, as tables and records computed by the library."""

    suspect: str
    card: IdentityCard
    incident: Incident
    since: datetime
    until: datetime | None
    generated_at: datetime
    events_total: int
    sources: pl.DataFrame
    sessions: pl.DataFrame
    timeline: pl.DataFrame
    delegation: list[dict[str, Any]]
    attribution: pl.DataFrame
    triggers: pl.DataFrame
    blast: BlastRadius
    checklist: pl.DataFrame
    revocations: pl.DataFrame
    over_privilege: pl.DataFrame
    ownership: pl.DataFrame
    manifest: pl.DataFrame
    verification: dict[str, Any]
    quarantined: int
    version: str = __version__
    notes: list[str] = field(default_factory=list)
    scope: Any = None  # the irkit.scope.Scope every section was computed over
    coverage: pl.DataFrame | None = None  # irkit.coverage: which logs the suspect's systems have, until when

    @property
    def detected_at(self) -> datetime | None:
        return self.incident.detected_at

    @property
    def revoked_at(self) -> datetime | None:
        return self.incident.revoked_at

    @property
    def ownership_gaps(self) -> pl.DataFrame:
        """Identities active in the window with at least one ownership gap."""
        if self.ownership.is_empty():
            return self.ownership
        return self.ownership.filter(pl.col("gaps").list.len() > 0)


def incident_window(sessions: pl.DataFrame, detected_at: datetime | None, gap: timedelta = timedelta(minutes=30)) -> datetime | None:
    """Start of the suspect's burst of activity that the detection is about (:func:`irkit.scope.burst_start`,
    the scope's default window)."""
    from irkit.scope import burst_start

    return burst_start(sessions, detected_at, gap)


def gather(
    case: Case,
    suspect: str | None = None,
    *,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    detected_at: str | datetime | None = None,
    revocations: Sequence[Revocation | str] = (),
    progress: Callable[[str], None] | None = None,
) -> Findings:
    """Run every analysis the report shows for ``suspect`` (default: the incident file's).

    ``since`` defaults to the start of the suspect's burst of activity before detection (see
    :func:`incident_window`); ``revocations`` add to the incident file's (``TARGET=TIME`` text or
    :class:`~irkit.incident.Revocation`); ``progress`` is called with the name of each step."""
    step = progress or (lambda _label: None)
    step("identity card and scope")
    scope = case.scope(suspect, since=since, until=until, detected_at=detected_at, revocations=revocations)
    incident, extra = scope.incident, list(scope.revocations[len(case.incident.revocations):])
    card = case.identity(scope.suspect)
    ident, start, end = card.id, scope.since, scope.until
    step("sessions and timeline")
    sessions = case.sessions(ident, since=start, until=end, reach=True)
    timeline = case.timeline(ident, since=start, until=end)
    step("triggers")
    triggers = case.triggers(ident, since=start, until=end, revocations=extra)
    step("attribution")
    # The chain is asked about the first sign of trouble (the first trigger), not the window start: the
    # window opens a few hundred milliseconds before the conversation that the chain starts from.
    first_trigger: datetime | None = triggers["time"].min() if triggers.height else None  # type: ignore[assignment]
    delegation = case.delegation_chain(ident, since=first_trigger or start)
    attribution = case.attribute(ident).filter(pl.col("api_time") >= start)
    if end is not None:
        attribution = attribution.filter(pl.col("api_time") <= end)
    step("blast radius")
    blast = case.blast_radius(ident, since=start, until=end)
    step("revocation checklist")
    checklist = case.revocation_checklist(ident, since=start, until=end, revocations=extra)
    confirmed = case.revocations(revocations=extra)
    over = case.over_privilege(ident, since=start, until=end)
    step("ownership and evidence")
    ownership = case.ownership(since=start, until=end)
    sources = case.sql("SELECT source, count(*) AS events, min(time) AS first, max(time) AS last "
                       "FROM events GROUP BY source ORDER BY source")
    quarantined = int(case.sql("SELECT count(*) AS n FROM quarantine")["n"][0])
    step("log coverage")
    coverage = case_coverage(case, ident, since=start, until=end)
    verification = case.verify()
    return Findings(
        suspect=ident, card=card, incident=incident, since=start, until=end,
        generated_at=datetime.now().astimezone(), events_total=int(sources["events"].sum() or 0),
        sources=sources, sessions=sessions, timeline=timeline, delegation=delegation, attribution=attribution,
        triggers=triggers, blast=blast, checklist=checklist, revocations=confirmed, over_privilege=over,
        ownership=ownership, manifest=case.manifest, verification=verification, quarantined=quarantined,
        scope=scope, coverage=coverage,
    )
