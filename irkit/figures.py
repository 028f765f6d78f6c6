"""Plotly figures of results computed elsewhere: they draw, they never decide.

Every function takes frames or objects the analyses returned (``case.timeline``, ``case.sessions``,
``case.triggers``, ``case.blast_radius``) and returns a ``plotly.graph_objects.Figure``.

Log text is attacker-controlled. Plotly renders a subset of HTML in text, hover text and annotations
(``<a href>``, ``<span style>``, ``<br>``), so every value that came from evidence goes through
:func:`safe` (``<``, ``>`` and ``&`` as entities, which plotly shows literally) and is passed as data,
never spliced into a hover template.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any

import plotly.graph_objects as go
import polars as pl

from irkit.incident import Incident

#: Colour per node kind in the blast-radius graph, per severity for triggers.
KIND_COLOURS = {"identity": "#d62728", "credential": "#ff7f0e", "resource": "#1f77b4", "system": "#2ca02c",
                "potential": "#bbbbbb"}
SEVERITY_COLOURS = {"critical": "#7f0000", "high": "#d62728", "medium": "#ff7f0e", "low": "#bcbd22"}
_TRIGGER_SYMBOLS = {"new_production_data": "diamond", "tool_expansion": "square", "downstream_reach": "star",
                    "privilege_change": "triangle-up", "ownership_gap": "hexagon", "activity_after_revocation": "x"}
_MAX_SVG_POINTS = 5000


def safe(value: Any, limit: int = 200) -> str:
    """Text from evidence, safe for plotly's HTML-like text rendering (and shortened to ``limit``)."""
    if value is None:
        return "—"
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return escape(text, quote=False)


def _hover(rows: list[dict[str, Any]], fields: list[tuple[str, str]]) -> list[str]:
    """One hover text per row: 'label: value' lines, every value escaped."""
    return ["<br>".join(f"{label}: {safe(row.get(key))}" for label, key in fields) for row in rows]


def _scatter(n: int) -> type:
    return go.Scattergl if n > _MAX_SVG_POINTS else go.Scatter


def _incident_lines(fig: go.Figure, incident: Incident | None) -> None:
    if incident is None:
        return
    if incident.detected_at is not None:
        fig.add_vline(x=incident.detected_at, line={"color": "#d62728", "dash": "dash"})
        fig.add_annotation(x=incident.detected_at, y=1.02, yref="paper", text="detected", showarrow=False,
                           font={"color": "#d62728"})
    for r in incident.revocations:
        fig.add_vline(x=r.at, line={"color": "#2ca02c", "dash": "dot", "width": 1})
    if incident.revocations:
        fig.add_annotation(x=max(r.at for r in incident.revocations), y=1.06, yref="paper", showarrow=False,
                           text=f"{len(incident.revocations)} revocation(s)", font={"color": "#2ca02c"})


def timeline(events: pl.DataFrame, triggers: pl.DataFrame | None = None, incident: Incident | None = None,
             *, lanes: str = "source", title: str = "Activity of the suspect and what it reached") -> go.Figure:
    """Swimlanes of ``case.timeline(...)`` events, one lane per source (``lanes='source'``) or per native
    session (``lanes='session'``); failures drawn as crosses; triggers on their own lane, one marker per
    trigger at its first evidence event; detection and revocation times as vertical lines."""
    fig = go.Figure()
    if lanes == "session":
        lane = pl.coalesce(pl.col("session_uid"), pl.lit("(no session) ") + pl.col("source"))
    else:
        lane = pl.col("source")
    ev = events.with_columns(lane.alias("_lane")).sort("time")
    fields = [("time", "time"), ("source", "source"), ("identity", "identity_id"), ("operation", "operation"),
              ("status", "status"), ("tool", "tool_name"), ("target", "target_uid"), ("system", "target_system"),
              ("session", "session_uid"), ("event", "event_uid")]
    for (name,), group in ev.group_by("_lane", maintain_order=True):
        rows = group.to_dicts()
        fig.add_trace(_scatter(len(rows))(
            x=[r["time"] for r in rows], y=[safe(name, 60)] * len(rows), mode="markers", name=safe(name, 60),
            marker={"symbol": ["x" if r.get("status") == "failure" else "circle" for r in rows], "size": 7},
            hovertext=_hover(rows, fields), hoverinfo="text"))
    if triggers is not None and triggers.height:
        rows = triggers.sort("time").to_dicts()
        fig.add_trace(go.Scatter(
            x=[r["time"] for r in rows], y=["triggers"] * len(rows), mode="markers", name="triggers",
            marker={"symbol": [_TRIGGER_SYMBOLS.get(r["kind"], "circle") for r in rows], "size": 13,
                    "color": [SEVERITY_COLOURS.get(r["severity"], "#555") for r in rows],
                    "line": {"width": 1, "color": "black"}},
            hovertext=_hover(rows, [("trigger", "kind"), ("severity", "severity"), ("identity", "identity"),
                                    ("subject", "subject"), ("time", "time"), ("why", "reason")]),
            hoverinfo="text"))
    _incident_lines(fig, incident)
    fig.update_layout(title=safe(title), xaxis_title="time (UTC)", yaxis={"type": "category", "title": lanes},
                      hovermode="closest", height=max(320, 60 * (len(fig.data) + 1)), legend_title_text=lanes)
    return fig


def session_overview(sessions: pl.DataFrame, triggers: pl.DataFrame | None = None,
                     incident: Incident | None = None, *, title: str = "Sessions") -> go.Figure:
    """One bar per session of ``case.sessions(...)`` from its start to its end, coloured by identity;
    a session holding a trigger's evidence is outlined in red."""
    fig = go.Figure()
    flagged = set(triggers["session"].drop_nulls().to_list()) if triggers is not None and triggers.height else set()
    fields = [("session", "session_id"), ("identity", "identity_id"), ("identities", "identities"),
              ("sources", "sources"), ("start", "start"), ("end", "end"), ("events", "events"),
              ("failures", "failures"), ("tools", "tools"), ("systems", "systems"), ("first seen", "first_seen")]
    ordered = sessions.sort("start")
    for (identity,), group in ordered.group_by("identity_id", maintain_order=True):
        rows = group.to_dicts()
        fig.add_trace(go.Bar(
            base=[r["start"] for r in rows], y=[safe(r["session_id"], 48) for r in rows], orientation="h",
            x=[max((r["end"] - r["start"]).total_seconds() * 1000, 1000) for r in rows], name=safe(identity, 60),
            marker={"line": {"color": ["#d62728" if r["session_id"] in flagged else "rgba(0,0,0,0)" for r in rows],
                             "width": 3}},
            hovertext=_hover(rows, fields), hoverinfo="text"))
    _incident_lines(fig, incident)
    fig.update_layout(title=safe(title), barmode="overlay", xaxis={"type": "date", "title": "time (UTC)"},
                      yaxis={"type": "category", "autorange": "reversed", "title": "session"},
                      height=max(320, 22 * sessions.height + 120), legend_title_text="identity")
    return fig


def blast_radius_graph(result: Any, *, show_potential: bool = True, title: str | None = None) -> go.Figure:
    """The reached graph of a :class:`irkit.graph.BlastRadius`, layered left to right by hop count,
    coloured by node kind; within a layer nodes are ordered by first touch. The potential-reach layer
    (inventory scope) sits in grey to the right. Hover: first touch, via, evidence path."""
    g = result.graph
    nodes = [(n, d) for n, d in g.nodes(data=True) if show_potential or d.get("layer") != "potential"]
    max_hop = max((d.get("hops", 0) for _, d in nodes if d.get("layer") != "potential"), default=0)
    layers: dict[int, list[tuple[str, dict[str, Any]]]] = {}
    for n, d in nodes:
        layer = max_hop + 1 if d.get("layer") == "potential" else int(d.get("hops", 0))
        layers.setdefault(layer, []).append((n, d))
    pos: dict[str, tuple[float, float]] = {}
    for layer, members in layers.items():
        members.sort(key=lambda nd: (str(nd[1].get("first_touch") or ""), nd[1].get("kind", ""), nd[0]))
        for i, (n, _) in enumerate(members):
            pos[n] = (float(layer), -(i - (len(members) - 1) / 2))
    fig = go.Figure()
    for dashed in (False, True):
        xs: list[float | None] = []
        ys: list[float | None] = []
        for u, v, k in g.edges(keys=True):
            if u in pos and v in pos and (k == "may_reach") == dashed:
                xs += [pos[u][0], pos[v][0], None]
                ys += [pos[u][1], pos[v][1], None]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", hoverinfo="skip", showlegend=False,
                                 line={"width": 1, "color": "#cccccc" if dashed else "#888888",
                                       "dash": "dot" if dashed else "solid"}))
    fields = [("node", "uid"), ("kind", "kind"), ("type", "type"), ("identity", "identity"), ("system", "system"),
              ("first touch", "first_touch"), ("hops", "hops"), ("via", "via"), ("first event", "event_uid"),
              ("evidence path", "path"), ("declared pattern", "pattern"), ("reached inside it", "touched")]
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for n, d in nodes:
        by_kind.setdefault(d.get("kind", "resource"), []).append({**d, "uid": n, "path": " → ".join(d.get("path") or [])})
    for kind, rows in by_kind.items():
        fig.add_trace(go.Scatter(
            x=[pos[r["uid"]][0] for r in rows], y=[pos[r["uid"]][1] for r in rows], mode="markers+text",
            name=safe(kind), text=[safe(r.get("pattern") or r["uid"], 40) for r in rows], textposition="middle right",
            marker={"size": 14, "color": KIND_COLOURS.get(kind, "#9467bd"),
                    "line": {"width": [3 if r.get("layer") == "suspect" else 0 for r in rows], "color": "black"}},
            hovertext=_hover(rows, fields), hoverinfo="text"))
    ticks = sorted(layers)
    fig.update_layout(
        title=safe(title or f"Blast radius of {result.suspect} since {result.since}"),
        xaxis={"tickvals": ticks, "ticktext": ["potential" if t == max_hop + 1 and show_potential else f"hop {t}"
                                               for t in ticks], "zeroline": False},
        yaxis={"visible": False}, hovermode="closest", legend_title_text="node kind",
        height=max(400, 28 * max((len(m) for m in layers.values()), default=1) + 150))
    return fig
