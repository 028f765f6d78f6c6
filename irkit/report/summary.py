"""The manager's page: what happened, what was touched, what is still open, in sentences and counts.

Every statement is read off a finding (a trigger, a blast-radius table, a checklist row); nothing is
decided here. The sentences are plain text: the template escapes them like any other value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from irkit.report.findings import Findings


@dataclass
class ManagerSummary:
    happened: list[str] = field(default_factory=list)
    touched: list[str] = field(default_factory=list)
    touched_counts: dict[str, int] = field(default_factory=dict)
    still_open: list[str] = field(default_factory=list)
    trigger_counts: dict[str, int] = field(default_factory=dict)


#: Hops of the delegation chain the summary names (the attribution section lists them all).
CHAIN_HOPS = 10


def _when(value: Any) -> str:
    from irkit.report.builder import when

    return when(value)


def manager_summary(f: Findings) -> ManagerSummary:
    s = ManagerSummary()
    who = f.card.identity
    last = f.timeline["time"].max() if f.timeline.height else None
    sources = ", ".join(sorted(set(f.timeline["source"].to_list()))) or "no source"
    s.happened.append(
        f"{f.suspect} ({who.kind}; business owner: {who.business_owner or 'none on record'}) acted in "
        f"{f.sessions.height} sessions from {_when(f.since)} to {_when(last)}: {f.timeline.height} events "
        f"in {sources}.")
    if f.scope is not None:
        s.happened.append(f"Every answer below was computed over one {f.scope.describe()}.")
    if f.incident.summary:
        s.happened.append(f"Incident file: {f.incident.summary}")
    if f.delegation:
        shown = [str(h["uid"]) for h in f.delegation[:CHAIN_HOPS]]
        more = len(f.delegation) - len(shown)
        s.happened.append("Authority chain: " + " → ".join(shown)
                          + (f" → … ({more} more hops in the attribution chain)." if more else "."))
    if f.triggers.height:
        counts = f.triggers.group_by("kind").len().sort("kind")
        s.trigger_counts = {k: n for k, n in counts.iter_rows()}
        s.happened.append(f"{f.triggers.height} containment triggers fired: "
                          + ", ".join(f"{k.replace('_', ' ')} ×{n}" for k, n in counts.iter_rows()) + ".")
    else:
        s.happened.append("No containment trigger fired.")
    if f.detected_at is not None:
        done = (f"containment finished at {_when(f.revoked_at)} ({len(f.incident.revocations)} revocations)"
                if f.revoked_at else "no revocation recorded")
        s.happened.append(f"Detected at {_when(f.detected_at)}; {done}.")

    b = f.blast
    s.touched_counts = {"identities": b.identities.height, "credentials": b.credentials.height,
                        "resources": b.resources.height, "systems": b.systems.height}
    s.touched.append(f"{b.identities.height} other identities, {b.credentials.height} credentials and "
                     f"{b.resources.height} resources in {b.systems.height} systems.")
    if b.systems.height:
        s.touched.append("Systems: " + ", ".join(b.systems["uid"].to_list()) + ".")
    if b.identities.height:
        s.touched.append("Identities: " + ", ".join(b.identities["uid"].to_list()) + ".")
    learned = f.scope is not None and f.scope.basis.startswith("no inventory")
    production = "Production data (recognised by heuristics, no inventory)" if learned else "Production data"
    for kind, label in (("new_production_data", production), ("privilege_change", "Privileges gained or created")):
        subjects = f.triggers.filter(pl.col("kind") == kind)["subject"].unique(maintain_order=True).to_list()
        if subjects:
            s.touched.append(f"{label}: " + ", ".join(subjects) + ".")
    s.still_open.extend(_open_items(f))
    return s


def _open_items(f: Findings) -> list[str]:
    items: list[str] = []
    for r in f.triggers.filter(pl.col("kind") == "activity_after_revocation").iter_rows(named=True):
        items.append(f"STILL ACTIVE after revocation: {r['subject']} (acting as {', '.join(r['acted_as'])}), "
                     f"{r['evidence_count']} events from {_when(r['time'])} to {_when(r['last_time'])}.")
    for r in f.checklist.filter(pl.col("status") == "NOT REVOKED").iter_rows(named=True):
        items.append(f"Not revoked: {r['kind']} {r['item']} ({r['via']}); revocation path: {r['revocation_path'] or 'none'}.")
    quiet = f.checklist.filter((pl.col("status") == "not revoked, quiet") & ~pl.col("revoked").fill_null(False))
    revoked = _revoked_names(f)
    quiet = quiet.filter(~pl.col("item").str.to_lowercase().is_in(list(revoked)))  # never contradict the incident file
    if quiet.height:
        items.append(f"Never revoked explicitly, quiet since containment: {', '.join(quiet['item'].to_list())}.")
    for r in f.revocations.filter(~pl.col("confirmed").fill_null(False)).iter_rows(named=True):
        items.append(f"Revocation of {r['target']} at {_when(r['at'])} is not confirmed by any logged event.")
    gaps = f.ownership_gaps
    learned = f.scope is not None and f.scope.basis.startswith("no inventory")
    if gaps.height and learned:
        items.append(f"No inventory was given: owners and revocation paths of the {gaps.height} active identities are "
                     "unknown (`irkit inventory draft` writes one to complete).")
    elif gaps.height:
        items.append(f"{gaps.height} active {'identity' if gaps.height == 1 else 'identities'} with ownership gaps: "
                     + ", ".join(f"{r['identity_id']} ({', '.join(r['gaps'])})" for r in gaps.iter_rows(named=True)) + ".")
    if not f.verification.get("ok", False):
        items.append(f"Evidence verification FAILED: {len(f.verification.get('problems', []))} files changed or missing.")
    return items


def _revoked_names(f: Findings) -> set[str]:
    """Lower-cased uids the incident file revokes, and the identities they resolve to on the checklist."""
    targets = {r.target.lower() for r in f.incident.revocations}
    owners = {str(r["identity"]).lower() for r in f.checklist.iter_rows(named=True)
              if r["item"] and r["item"].lower() in targets and r["identity"]}
    return targets | owners
