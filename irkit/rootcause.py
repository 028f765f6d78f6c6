"""Root cause: did the anomaly come from over-privilege, unsafe tool use or a mis-scoped deployment?

Each category is a :class:`Finding` with a verdict and the events behind it, built from the analyses
that already prove each fact (triggers, granted versus used, shared credentials, identity hops), never
from a source's fields:

- **unsafe tool use**: the suspect's agents called tools outside their declared or observed scope
  (the ``tool_expansion`` trigger), with their arguments and the API calls each led to.
- **over-privilege**: the permissions the suspect held or could take let it do what its job never
  needed: privilege changes that succeeded (a role assumed, an account impersonated, a key or secret
  created, a role granted) and production data reached; beside them, grants declared but unused.
- **mis-scoped deployment**: sub-agents and identities outside the inventory or without owners or a
  revocation path (``ownership_gap``), credentials shared with other identities, and principals the
  suspect acted as that humans also use (a human-grade role held by an agent).

Verdicts: ``supported`` (events show it), ``not supported`` (the records that would show it are there
and show nothing), ``no evidence available`` (no such records: e.g. no agent telemetry for tool use).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from typing import Any

import duckdb
import polars as pl

from irkit.attribution import attribute
from irkit.db import frame
from irkit.incident import Incident
from irkit.inventory import Inventory
from irkit.provenance import LOOKBACK, Provenance, provenance, terms_of
from irkit.revocation import over_privilege
from irkit.sql import query
from irkit.triggers import default_window, triggers

SUPPORTED, NOT_SUPPORTED, NO_EVIDENCE = "supported", "not supported", "no evidence available"
CATEGORIES = ("over_privilege", "unsafe_tool_use", "mis_scoped_deployment")
TITLES = {"over_privilege": "Over-privilege", "unsafe_tool_use": "Unsafe tool use",
          "mis_scoped_deployment": "Mis-scoped deployment"}
#: Evidence events kept per trigger row (the first is the one that fired it).
PER_ROW = 3


@dataclass(frozen=True)
class Finding:
    """One root-cause category: its verdict, why, the events behind it and the rows that explain them."""

    category: str
    verdict: str
    summary: str
    evidence: list[str]
    details: pl.DataFrame = field(repr=False)

    @property
    def title(self) -> str:
        return TITLES[self.category]


@dataclass(frozen=True)
class RootCause:
    """Verdicts for the three categories and the injection's provenance (None when no content read
    before the compromise point was logged)."""

    suspect: str
    since: datetime
    until: datetime | None
    findings: dict[str, Finding]
    provenance: Provenance | None

    def table(self) -> pl.DataFrame:
        """One row per category: verdict, summary, evidence ids."""
        return pl.DataFrame([{"category": f.category, "verdict": f.verdict, "summary": f.summary,
                              "evidence": f.evidence} for f in self.findings.values()],
                            schema={"category": pl.String, "verdict": pl.String, "summary": pl.String,
                                    "evidence": pl.List(pl.String)})

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><td>{escape(f.title)}</td><td><b>{escape(f.verdict)}</b></td><td>{escape(f.summary)}</td>"
                       f"<td>{len(f.evidence)}</td></tr>" for f in self.findings.values())
        src = (f"<p><b>Injection</b>: {escape(self.provenance.summary())}</p><pre style='white-space:pre-wrap'>"
               f"{escape(self.provenance.excerpt)}</pre>") if self.provenance else ""
        return (f"<b>Root cause for {escape(self.suspect)}</b><table style='text-align:left'><tr><th>category</th>"
                f"<th>verdict</th><th>why</th><th>events</th></tr>{rows}</table>{src}")


def _evidence(rows: pl.DataFrame) -> list[str]:
    out: list[str] = []
    for ev in rows["evidence"].to_list() if not rows.is_empty() else []:
        for uid in (ev or [])[:PER_ROW]:
            if uid not in out:
                out.append(uid)
    return out


def _mine(fired: pl.DataFrame, suspect: str) -> pl.DataFrame:
    """Trigger rows the suspect is responsible for: its own, or made with a credential it created
    before it was contained."""
    return fired.filter((pl.col("identity") == suspect)
                        | ((pl.col("attributed_to") == suspect) & (pl.col("kind") != "activity_after_revocation")))


def root_cause(con: duckdb.DuckDBPyConnection, inventory: Inventory, incident: Incident, suspect: str,
               since: datetime | None = None, until: datetime | None = None) -> RootCause:
    """The three verdicts and the injection's provenance for ``suspect`` in the window (default: the
    triggers' window, 24 h before detection)."""
    since, until = default_window(con, incident, since, until)
    fired = triggers(con, inventory, incident, [suspect], since, until)
    activity = con.execute(query("rootcause_activity")).fetchone() or (0, 0, 0)
    tool_calls, api_calls = int(activity[0] or 0), int(activity[1] or 0)
    mine = _mine(fired, suspect)
    acted_as = sorted({a for r in mine["acted_as"].to_list() for a in (r or [])} | {suspect})
    attribution = attribute(con, suspect, since=since - LOOKBACK, until=until)  # the injected read may predate since

    unsafe = _unsafe_tool_use(con, mine, tool_calls, attribution)
    privilege = _over_privilege(con, inventory, mine, api_calls, suspect, since, until)
    deployment = _mis_scoped(con, fired, acted_as, suspect)
    findings = {f.category: f for f in (privilege, unsafe, deployment)}

    expansion = mine.filter(pl.col("kind") == "tool_expansion").sort("time")
    prov = None
    if not expansion.is_empty():
        first_call = _first_call(con, expansion)
        if first_call is not None:
            agents = sorted(set(acted_as) | {suspect})
            later = mine.filter(pl.col("time") >= first_call["time"])
            names = [t for r in later.iter_rows(named=True) for t in [r["subject"], *(r["acted_as"] or [])]]
            calls = unsafe.details
            names += [v for c in calls.iter_rows(named=True) for v in (c["tool"], c["server"])]
            terms = [t for t in terms_of(names) if t.lower() != suspect.lower()]
            prov = provenance(con, agents, since, until, first_call, terms, attribution)
    return RootCause(suspect, since, until, findings, prov)


def _first_call(con: duckdb.DuckDBPyConnection, expansion: pl.DataFrame) -> dict[str, Any] | None:
    """The earliest out-of-scope MCP tool call among the tool_expansion evidence."""
    uids = [u for ev in expansion["evidence"].to_list() for u in (ev or [])]
    rows = frame(con, "SELECT call_uid, time, tool_name, trace_uid, session_uid FROM tool_calls "
                      "WHERE list_contains($uids, call_uid) ORDER BY time, call_uid LIMIT 1", {"uids": uids})
    return rows.row(0, named=True) if not rows.is_empty() else None


def _unsafe_tool_use(con: duckdb.DuckDBPyConnection, mine: pl.DataFrame, tool_calls: int,
                     attribution: pl.DataFrame) -> Finding:
    rows = mine.filter(pl.col("kind") == "tool_expansion").sort("time")
    uids = [u for ev in rows["evidence"].to_list() for u in (ev or [])]
    calls = frame(con, "SELECT call_uid, time, server, tool_name AS tool, arguments, status, agent FROM tool_calls "
                       "WHERE list_contains($uids, call_uid) ORDER BY time, call_uid", {"uids": uids})
    led: dict[str, list[str]] = {}
    if not attribution.is_empty():
        for r in attribution.filter(pl.col("mcp_call_uid").is_not_null()).iter_rows(named=True):
            led.setdefault(r["mcp_call_uid"], []).append(f"{r['operation']} {r['resource'] or ''}".strip())
    calls = calls.with_columns(pl.col("call_uid").map_elements(lambda u: led.get(u, []), return_dtype=pl.List(pl.String))
                               .alias("led_to"))
    if not rows.is_empty():
        tools = ", ".join(dict.fromkeys(rows["subject"].to_list()))
        api = sum(len(v) for v in calls["led_to"].to_list())
        summary = (f"{len(rows)} tool(s) called outside declared or observed scope ({tools}); "
                   f"{calls.height} such call(s) logged with their arguments, leading to {api} API call(s).")
        return Finding("unsafe_tool_use", SUPPORTED, summary, _evidence(rows) + [u for u in calls["call_uid"].to_list()
                                                                                  if u not in _evidence(rows)], calls)
    if tool_calls:
        return Finding("unsafe_tool_use", NOT_SUPPORTED,
                       f"{tool_calls} tool call(s) in the window, none outside declared or observed scope.", [], calls)
    return Finding("unsafe_tool_use", NO_EVIDENCE, "no agent tool-call telemetry (MCP or GenAI spans) in the window.",
                   [], calls)


def _over_privilege(con: duckdb.DuckDBPyConnection, inventory: Inventory, mine: pl.DataFrame, api_calls: int,
                    suspect: str, since: datetime, until: datetime | None) -> Finding:
    rows = mine.filter(pl.col("kind").is_in(["privilege_change", "new_production_data"])).sort("time")
    granted = over_privilege(con, inventory, since, until, [suspect])
    unused = granted.filter(pl.col("status") == "granted, unused")
    beyond = granted.filter(pl.col("status") == "USED, NOT GRANTED")
    details = rows.select("time", "kind", "identity", "acted_as", "subject", "reason", "evidence")
    if not rows.is_empty():
        changes = rows.filter(pl.col("kind") == "privilege_change").height
        data = rows.filter(pl.col("kind") == "new_production_data").height
        summary = (f"the suspect's standing permissions let it take {changes} privilege change(s) (roles assumed, "
                   f"identities impersonated, keys or secrets created, roles granted) and reach production data "
                   f"{data} time(s), none of which its job needed")
        if beyond.height:
            summary += f"; {beyond.height} item(s) used outside its declared scope"
        if unused.height:
            summary += f"; {unused.height} declared grant(s) unused"
        return Finding("over_privilege", SUPPORTED, summary + ".", _evidence(rows), details)
    if api_calls:
        return Finding("over_privilege", NOT_SUPPORTED,
                       f"{api_calls} API call(s) in the window: no privilege change and no production data reached.",
                       [], details)
    return Finding("over_privilege", NO_EVIDENCE, "no API activity of the suspect in the window.", [], details)


def _mis_scoped(con: duckdb.DuckDBPyConnection, fired: pl.DataFrame, acted_as: list[str], suspect: str) -> Finding:
    gaps = fired.filter((pl.col("kind") == "ownership_gap")
                        & (pl.col("identity").is_in(acted_as) | pl.col("reason").str.contains(f"for {suspect}",
                                                                                                literal=True)))
    shared = frame(con, query("shared_credentials"))
    shared = shared.filter(pl.col("identities").list.eval(pl.element().is_in(acted_as)).list.any())
    humans = frame(con, query("rootcause_human_principals"),
                   {"principals": [a for a in acted_as if a != suspect], "suspect": suspect})
    parts, evidence = [], _evidence(gaps)
    details: list[dict[str, Any]] = [{"what": "ownership gap", "subject": r["identity"], "reason": r["reason"],
                                      "event_uid": (r["evidence"] or [None])[0]} for r in gaps.iter_rows(named=True)]
    if gaps.height:
        parts.append(f"{gaps.height} identity gap(s) ({', '.join(dict.fromkeys(gaps['identity'].to_list()))}: "
                     "outside the inventory or without owner or revocation path)")
    for r in shared.iter_rows(named=True):
        details.append({"what": "shared credential", "subject": r["credential"],
                        "reason": f"used by {', '.join(r['identities'])}", "event_uid": r["event_uid"]})
        evidence.append(r["event_uid"])
    if shared.height:
        parts.append(f"{shared.height} credential(s) shared with other identities")
    for r in humans.iter_rows(named=True):
        details.append({"what": "human-grade principal", "subject": r["principal"],
                        "reason": f"{r['human']} (a person) also acts as it", "event_uid": r["event_uid"]})
        evidence.append(r["event_uid"])
    if humans.height:
        names = ", ".join(dict.fromkeys(humans["principal"].to_list()))
        parts.append(f"the agent acted as {names}, which people also use")
    table = pl.DataFrame(details, schema={"what": pl.String, "subject": pl.String, "reason": pl.String,
                                          "event_uid": pl.String})
    evidence = list(dict.fromkeys(e for e in evidence if e))
    if parts:
        return Finding("mis_scoped_deployment", SUPPORTED, "; ".join(parts) + ".", evidence, table)
    return Finding("mis_scoped_deployment", NOT_SUPPORTED,
                   "every identity it used is in the inventory with owners and a revocation path; no shared "
                   "credential; no principal people also use.", [], table)
