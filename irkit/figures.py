"""Plotly figures of results computed elsewhere: they draw, they never decide.

Every function takes frames or objects the analyses returned (``case.timeline``, ``case.sessions``,
``case.triggers``, ``case.blast_radius``) and returns a ``plotly.graph_objects.Figure``.

Log text is attacker-controlled. Plotly renders a subset of HTML in text, hover text and annotations
(``<a href>``, ``<span style>``, ``<br>``), so every value that came from evidence goes through
:func:`safe` (``<``, ``>`` and ``&`` as entities, which plotly shows literally) and is passed as data,
never spliced into a hover template.
"""

from __future__ import annotations

from datetime import datetime, timedelta
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


def _hover(rows: list[dict[str, Any]], fields: list[tuple[str, str]], limit: int = 200) -> list[str]:
    """One hover text per row: 'label: value' lines, every value escaped (and cut at ``limit``)."""
    return ["<br>".join(f"{label}: {safe(row.get(key), limit)}" for label, key in fields) for row in rows]


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


def incident_range(events: pl.DataFrame, triggers: pl.DataFrame | None, incident: Incident | None) -> tuple[datetime, datetime] | None:
    """The span the timeline opens on: from the first trigger (else the first event; up to two minutes
    earlier when events show the lead-up, e.g. the content that steered the agent) to the last trigger at
    or before detection (else the last event before it), padded by 5 % (at least 20 s). The whole
    evidence stays in the overview strip below the plot."""
    detected = incident.detected_at if incident is not None else None
    times = triggers["time"].to_list() if triggers is not None and triggers.height else []
    if detected is not None:
        times = [t for t in times if t <= detected] or times
    if not times:
        times = [t for t in events["time"].to_list() if detected is None or t <= detected] or events["time"].to_list()
    if not times:
        return None
    start, end = min(times), max(times)
    before = [t for t in events["time"].to_list() if start - timedelta(minutes=2) <= t < start] if events.height else []
    start = min(before, default=start)
    pad = max((end - start) * 0.05, timedelta(seconds=20))
    return start - pad, end + pad


def _grouped(rows: list[dict[str, Any]], bucket: timedelta) -> list[list[dict[str, Any]]]:
    """Triggers whose markers would coincide (within ``bucket`` of the group's first) as one group."""
    groups: list[list[dict[str, Any]]] = []
    for r in sorted(rows, key=lambda r: r["time"]):
        if groups and r["time"] - groups[-1][0]["time"] <= bucket:
            groups[-1].append(r)
        else:
            groups.append([r])
    return groups


_SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def timeline(events: pl.DataFrame, triggers: pl.DataFrame | None = None, incident: Incident | None = None,
             *, lanes: str = "source", title: str = "Activity of the suspect and what it reached") -> go.Figure:
    """Swimlanes of ``case.timeline(...)`` events, one lane per source (``lanes='source'``) or per native
    session (``lanes='session'``); failures drawn as crosses; triggers on their own lane, markers that
    would coincide grouped into one with their count; detection and revocation times as vertical lines.
    The view opens on the incident (:func:`incident_range`) with an overview strip of all the evidence."""
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
    view = incident_range(events, triggers, incident)
    if triggers is not None and triggers.height:
        rows = triggers.sort("time").to_dicts()
        span = (view[1] - view[0]) if view else timedelta(minutes=10)
        groups = _grouped(rows, max(span / 150, timedelta(milliseconds=500)))
        tfields = [("trigger", "kind"), ("severity", "severity"), ("identity", "identity"), ("subject", "subject"),
                   ("time", "time"), ("why", "reason")]
        hover = ["<br>".join([f"{len(g)} triggers" if len(g) > 1 else ""] + _hover(g, tfields)).removeprefix("<br>")
                 for g in groups]
        worst = [min(g, key=lambda r: _SEVERITY_ORDER.get(r["severity"], 9))["severity"] for g in groups]
        fig.add_trace(go.Scatter(
            x=[g[0]["time"] for g in groups], y=["triggers"] * len(groups), mode="markers+text", name="triggers",
            text=[str(len(g)) if len(g) > 1 else "" for g in groups], textposition="top center",
            textfont={"size": 11, "color": "#333"},
            customdata=[len(g) for g in groups],
            marker={"symbol": [_TRIGGER_SYMBOLS.get(g[0]["kind"], "circle") if len(g) == 1 else "circle" for g in groups],
                    "size": [13 if len(g) == 1 else 15 + min(len(g), 6) for g in groups],
                    "color": [SEVERITY_COLOURS.get(w, "#555") for w in worst], "line": {"width": 1, "color": "black"}},
            hovertext=hover, hoverinfo="text"))
    _incident_lines(fig, incident)
    xaxis: dict[str, Any] = {"title": "time (UTC)", "type": "date",
                             "rangeslider": {"visible": True, "thickness": 0.1, "bgcolor": "#f3f4f6"}}
    if view is not None:
        xaxis["range"] = [view[0], view[1]]
        xaxis["autorange"] = False
    fig.update_layout(title=safe(title), xaxis=xaxis, yaxis={"type": "category", "title": lanes},
                      hovermode="closest", height=max(380, 60 * (len(fig.data) + 1) + 90), legend_title_text=lanes,
                      margin={"t": 80})
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
    xaxis: dict[str, Any] = {"type": "date", "title": "time (UTC)",
                             "rangeslider": {"visible": True, "thickness": 0.1, "bgcolor": "#f3f4f6"}}
    view = incident_range(sessions.select(pl.col("start").alias("time")), triggers, incident) if sessions.height else None
    if view is not None:  # open on the incident, like the timeline; the strip shows every session
        xaxis.update(range=[view[0], view[1]], autorange=False)
    fig.update_layout(title=safe(title), barmode="overlay", xaxis=xaxis,
                      yaxis={"type": "category", "autorange": "reversed", "title": "session"},
                      height=max(320, 22 * sessions.height + 120), legend_title_text="identity")
    return fig


#: Edge kinds whose every edge carries its label on the graph (how authority moved); the others are
#: told apart by colour and named in the legend.
_LABELLED_EDGES = {"assumed_role", "assumed", "spawned", "created", "acted_as", "on_behalf_of",
                   "impersonated", "federated", "granted", "consented"}
EDGE_COLOURS = {"acted_on": "#8c96a8", "called": "#9ab7d3", "in_system": "#d5d9e0", "may_reach": "#cccccc",
                "created": "#d62728", "issued": "#ff7f0e", "uses": "#ff7f0e", "spawned": "#9467bd",
                "assumed_role": "#8c564b", "assumed": "#8c564b", "acted_as": "#8c564b", "on_behalf_of": "#17becf"}
CRITICAL_COLOUR = "#b00020"


def _fold(g: Any) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    """node -> drawn node (an identity's aliases and sessions fold into one node named by the identity),
    and the drawn nodes' data (the earliest member's, with its members listed)."""
    drawn: dict[str, str] = {}
    data: dict[str, dict[str, Any]] = {}
    for n, d in g.nodes(data=True):
        key = f"identity:{d['identity']}" if d.get("kind") == "identity" and d.get("identity") else n
        drawn[n] = key
        item = data.setdefault(key, {**d, "uid": d.get("identity") if key != n else n, "members": []})
        item["members"].append(n)
        if d.get("layer") == "suspect":
            item["layer"] = "suspect"
        if d.get("hops", 0) < item.get("hops", 0) or (d.get("first_touch") and item.get("first_touch")
                                                      and d["first_touch"] < item["first_touch"]):
            item.update({k: d[k] for k in ("hops", "first_touch", "via", "event_uid", "path") if k in d})
    return drawn, data


def _label(uid: str, kind: str) -> str:
    """A node's label that fits: identities by name, others by their last path parts."""
    if kind in ("identity", "potential"):
        return uid
    text = uid.removeprefix("system::")
    parts = [p for p in text.replace(":::", "/").replace(":", "/").split("/") if p]
    short = "/".join(parts[-2:]) if len(text) > 30 and len(parts) > 1 else text
    return short if len(short) <= 32 else "…" + short[-31:]


def blast_radius_graph(result: Any, *, show_potential: bool = True, title: str | None = None,
                       critical: set[str] | None = None) -> go.Figure:
    """The reached graph of a :class:`irkit.graph.BlastRadius`: one node per identity (its aliases and
    sessions folded in, listed on hover), credentials, resources and systems, layered left to right by
    hop count and ordered by first touch; edges coloured and named by kind (delegation edges labelled
    on the graph). The critical paths, from the suspect to each of ``critical`` (production data the
    triggers named) and to every credential created during the incident, are drawn in red. The
    potential layer (what the inventory lets it reach, untouched) sits in grey on the right."""
    import networkx as nx

    g = result.graph
    drawn, data = _fold(g)
    data = {k: v for k, v in data.items() if show_potential or v.get("layer") != "potential"}
    edges: dict[tuple[str, str, str], int] = {}
    for u, v, k in g.edges(keys=True):
        a, b = drawn[u], drawn[v]
        if a != b and a in data and b in data and k != "alias_of":
            edges[(a, b, k)] = edges.get((a, b, k), 0) + 1
    simple = nx.DiGraph()
    simple.add_edges_from((a, b) for a, b, k in edges if k != "may_reach")
    suspects = [k for k, v in data.items() if v.get("layer") == "suspect"]
    targets = {drawn[n] for n in (critical or set()) if n in drawn}
    targets |= {b for a, b, k in edges if k == "created"}
    hot: set[tuple[str, str]] = set()
    for t in targets:
        for s in suspects:
            if s in simple and t in simple and nx.has_path(simple, s, t):
                path = nx.shortest_path(simple, s, t)
                hot |= set(zip(path, path[1:]))
                break
    hot_nodes = {n for e in hot for n in e} | targets
    max_hop = max((int(d.get("hops", 0)) for d in data.values() if d.get("layer") != "potential"), default=0)
    layers: dict[int, list[str]] = {}
    for key, d in data.items():
        layer = max_hop + 1 if d.get("layer") == "potential" else int(d.get("hops", 0))
        layers.setdefault(layer, []).append(key)
    order = {"identity": 0, "credential": 1, "resource": 2, "system": 3, "potential": 4}
    pos: dict[str, tuple[float, float]] = {}
    for layer, members in layers.items():
        members.sort(key=lambda k: (k not in hot_nodes, order.get(data[k].get("kind", ""), 5),
                                    str(data[k].get("first_touch") or ""), k))
        for i, key in enumerate(members):
            pos[key] = (float(layer) * 1.6, -(i - (len(members) - 1) / 2))
    fig = go.Figure()
    for kind in sorted({k for _, _, k in edges}, key=lambda k: (k in _LABELLED_EDGES, k)):
        xs: list[float | None] = []
        ys: list[float | None] = []
        for (a, b, k), _n in edges.items():
            if k == kind and (a, b) not in hot:
                xs += [pos[a][0], pos[b][0], None]
                ys += [pos[a][1], pos[b][1], None]
        if xs:
            fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", hoverinfo="skip", name=f"edge: {kind.replace('_', ' ')}",
                                     legendgroup="edges", line={"width": 1.2, "color": EDGE_COLOURS.get(kind, "#999"),
                                                                "dash": "dot" if kind == "may_reach" else "solid"}))
    if hot:
        xs, ys = [], []
        for a, b in hot:
            xs += [pos[a][0], pos[b][0], None]
            ys += [pos[a][1], pos[b][1], None]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", hoverinfo="skip",
                                 name="critical path (to production data, created credentials)",
                                 line={"width": 3.5, "color": CRITICAL_COLOUR}))
    for (a, b, k), n in edges.items():  # labels for how authority moved
        if k in _LABELLED_EDGES:
            fig.add_annotation(x=0.35 * pos[a][0] + 0.65 * pos[b][0], y=0.35 * pos[a][1] + 0.65 * pos[b][1],
                               text=k.replace("_", " ") + (f" ×{n}" if n > 1 else ""), showarrow=False,
                               font={"size": 10, "color": EDGE_COLOURS.get(k, "#555")}, bgcolor="rgba(255,255,255,0.8)")
    fields = [("node", "uid"), ("kind", "kind"), ("type", "type"), ("identity", "identity"), ("system", "system"),
              ("first touch", "first_touch"), ("hops", "hops"), ("via", "via"), ("first event", "event_uid"),
              ("evidence path", "path"), ("declared pattern", "pattern"), ("reached inside it", "touched"),
              ("aliases and sessions", "members")]
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for key, d in data.items():
        members = d["members"] if len(d["members"]) > 1 else []
        by_kind.setdefault(d.get("kind", "resource"), []).append(
            {**d, "key": key, "path": " → ".join(d.get("path") or []), "members": ", ".join(members)})
    names = {"potential": "potential reach (inventory scope, not touched)"}
    for kind, rows in sorted(by_kind.items(), key=lambda kv: order.get(kv[0], 5)):
        fig.add_trace(go.Scatter(
            x=[pos[r["key"]][0] for r in rows], y=[pos[r["key"]][1] for r in rows], mode="markers+text",
            name=safe(names.get(kind, kind)), text=[safe(_label(str(r.get("pattern") or r["uid"]), kind), 40) for r in rows],
            textposition="middle right", textfont={"size": 11},
            marker={"size": 14, "color": KIND_COLOURS.get(kind, "#9467bd"),
                    "line": {"width": [3 if r.get("layer") == "suspect" or r["key"] in hot_nodes else 0 for r in rows],
                             "color": [("black" if r.get("layer") == "suspect" else CRITICAL_COLOUR) for r in rows]}},
            hovertext=_hover(rows, fields, 800), hoverinfo="text"))
    ticks = sorted(layers)
    tallest = max((len(m) for m in layers.values()), default=1)
    fig.update_layout(
        title=safe(title or f"Blast radius of {result.suspect} since {result.since}"),
        xaxis={"tickvals": [t * 1.6 for t in ticks], "range": [-0.4, max(ticks, default=0) * 1.6 + 1.5],
               "ticktext": ["potential" if t == max_hop + 1 and show_potential else f"hop {t}" for t in ticks],
               "zeroline": False, "showgrid": False},
        yaxis={"visible": False}, hovermode="closest", legend_title_text="nodes and edges",
        plot_bgcolor="white", height=max(420, 26 * tallest + 160))
    return fig
