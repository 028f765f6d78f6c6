"""Blast radius: what a suspect touched, through whom, and when, as a time-respecting graph.

Only the events the suspect controls make edges (:mod:`irkit.control`: its own, those made with
credentials it created or was handed, those carrying its delegation, its sub-agents' within their
invocation), so a shared service account it impersonated once contributes that event, never its own
jobs. Edges are aggregated in DuckDB (``sql/graph_*_edges.sql``: one row per (src, dst, kind), never one
Python object per event) and loaded into a NetworkX ``MultiDiGraph``. Reach is *time-respecting*: starting from
the suspect's principals at ``since``, an edge is followed only if it happened at or after the moment its
source was reached, so a role assumed by someone else before the suspect got there, or a key used before
it was stolen, does not count.

Two kinds of arrival matter. *Control* edges (assumed a role, opened a role session, spawned a
sub-agent, used or created a credential, impersonated) hand the suspect a principal or credential it can
act with: its later actions are followed. *Touch* edges (acted on a resource, called a system) only mark
what was reached: an IAM user whose access key the suspect created is touched, but that user's own
nightly job with its own key is not the suspect's doing; the created key, a control edge, is.

Every reached node carries its first-touch time, hop count and the path of evidence events from the
suspect. Exports: GraphML, JSON (node-link, round-trips) and BloodHound OpenGraph JSON (:mod:`irkit.graphio`).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any

import duckdb
import networkx as nx
import polars as pl

from irkit.control import compute_control
from irkit.db import frame
from irkit.inventory import Identity, Inventory
from irkit.sql import query

SYSTEM = "system::"
#: Edges that hand over something the suspect can act with: their destination's actions are followed.
CONTROL_KINDS = frozenset({"assumed_role", "assumed", "issued", "uses", "created", "acted_as", "spawned",
                           "impersonated", "on_behalf_of", "delegated"})
#: Edges that only mark what was reached.
TOUCH_KINDS = frozenset({"acted_on", "called"})

NextOccurrence = Callable[[str, str, str, datetime], "tuple[datetime, str] | None"]


@dataclass
class BlastRadius:
    """What ``suspect`` reached since ``since``: tables per node kind, the potential reach declared by the
    inventory, and the reached subgraph (``graph``) for analysts."""

    suspect: str
    since: datetime | None
    until: datetime | None
    identities: pl.DataFrame
    credentials: pl.DataFrame
    resources: pl.DataFrame
    systems: pl.DataFrame
    potential: pl.DataFrame
    graph: nx.MultiDiGraph = field(repr=False)

    def export(self, path: str | Path) -> Path:
        """Write the graph as GraphML (``.graphml``), BloodHound OpenGraph (``.opengraph.json``) or
        node-link JSON (``.json``)."""
        from irkit.graphio import export

        return export(self.graph, path)

    def summary(self) -> pl.DataFrame:
        """One row per reached node of every kind, first touched first (the CLI's table)."""
        cols = ["kind", "uid", "type", "system", "first_touch", "hops", "via", "event_uid"]
        parts = [
            self.identities.with_columns(pl.lit("identity").alias("kind"), pl.lit(None, pl.String).alias("system")),
            self.credentials.with_columns(pl.lit("credential").alias("kind")),
            self.resources.with_columns(pl.lit("resource").alias("kind")),
            self.systems.with_columns(pl.lit("system").alias("kind"), pl.lit(None, pl.String).alias("type"),
                                      pl.lit(None, pl.String).alias("system")),
        ]
        return pl.concat([p.select(cols) for p in parts], how="vertical_relaxed").sort("first_touch", "kind", "uid")

    def _repr_html_(self) -> str:
        rows = "".join(
            "<tr>" + "".join(f"<td>{escape('' if v is None else str(v))}</td>" for v in row) + "</tr>"
            for row in self.summary().select("kind", "uid", "first_touch", "hops", "via").iter_rows()
        )
        return (f"<b>Blast radius of {escape(self.suspect)}</b> since {escape(str(self.since))}: "
                f"{self.identities.height} identities, {self.credentials.height} credentials, "
                f"{self.resources.height} resources, {self.systems.height} systems"
                f"<table><tr><th>kind</th><th>uid</th><th>first touch</th><th>hops</th><th>via</th></tr>{rows}</table>")


# -- edges and the full graph -------------------------------------------------------------------------
def define_macros(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(query("graph_edge_events")).fetchall()


def _control(con: duckdb.DuckDBPyConnection, suspect: str, since: datetime | None, until: datetime | None) -> None:
    """Register graph_control: the events the suspect controls in the window (:mod:`irkit.control`)."""
    compute_control(con, [suspect], since, until)
    con.execute("CREATE OR REPLACE TEMP TABLE graph_control AS SELECT event_uid, via, proof_event_uid "
                "FROM control_events WHERE owner = $s", {"s": suspect}).fetchall()
    define_macros(con)


def aggregate_edges(con: duckdb.DuckDBPyConnection, suspect: str, since: datetime | None,
                    until: datetime | None) -> pl.DataFrame:
    """The control and touch edges of the events ``suspect`` controls between ``since`` and ``until``,
    aggregated in DuckDB (``sql/graph_control_edges.sql``, ``sql/graph_touch_edges.sql``)."""
    _control(con, suspect, since, until)
    params = {"since": since, "until": until}
    return pl.concat([frame(con, query("graph_control_edges"), params), frame(con, query("graph_touch_edges"), params)],
                     how="vertical_relaxed")


def node_table(con: duckdb.DuckDBPyConnection, edges: pl.DataFrame) -> pl.DataFrame:
    """``uid, kind, type, system, identity`` for every node of ``edges``. A uid that acts in the logs or
    that the inventory knows is an identity; else a credential if it is used, created or issued as one;
    else a resource. Systems are the ``system::`` nodes."""
    src = edges.select(pl.col("src").alias("uid"), pl.lit(None, pl.String).alias("type"),
                       pl.lit(None, pl.String).alias("system"), pl.lit(False).alias("cred"))
    dst = edges.select(pl.col("dst").alias("uid"), pl.col("dst_type").alias("type"), pl.col("dst_system").alias("system"),
                       (pl.col("kind").is_in(["uses", "created", "issued"]) | (pl.col("dst_type") == "credential")).alias("cred"))
    nodes = (pl.concat([dst, src]).group_by("uid", maintain_order=True)
             .agg(pl.col("type").drop_nulls().first(), pl.col("system").drop_nulls().first(), pl.col("cred").any()))
    plain = nodes.filter(~pl.col("uid").str.starts_with(SYSTEM))
    who = frame(con, query("graph_nodes"), {"uids": plain["uid"].to_list()}) if plain.height else \
        pl.DataFrame(schema={"uid": pl.String, "is_principal": pl.Boolean, "identity_id": pl.String})
    nodes = nodes.join(who, on="uid", how="left")
    return nodes.select(
        "uid",
        pl.when(pl.col("uid").str.starts_with(SYSTEM)).then(pl.lit("system"))
        .when(pl.col("is_principal").fill_null(False)).then(pl.lit("identity"))
        .when(pl.col("cred")).then(pl.lit("credential"))
        .otherwise(pl.lit("resource")).alias("kind"),
        pl.when(pl.col("uid").str.starts_with(SYSTEM)).then(pl.lit("system")).otherwise(pl.col("type")).alias("type"),
        pl.when(pl.col("uid").str.starts_with(SYSTEM)).then(pl.col("uid").str.slice(len(SYSTEM)))
        .otherwise(pl.col("system")).alias("system"),
        pl.col("identity_id").alias("identity"),
    )


def build_graph(edges: pl.DataFrame, nodes: pl.DataFrame) -> nx.MultiDiGraph:
    """The full graph: one node per uid (attributes from :func:`node_table`), one edge per (src, dst, kind)
    keyed by kind, with first/last time, first evidence event, count and operations."""
    g = nx.MultiDiGraph()
    g.add_nodes_from((row["uid"], {k: v for k, v in row.items() if k != "uid" and v is not None})
                     for row in nodes.iter_rows(named=True))
    cols = ["src", "dst", "kind", "first_time", "last_time", "event_uid", "events", "operations"]
    g.add_edges_from(
        (s, d, k, {"kind": k, "first_time": f, "last_time": la, "event_uid": e, "events": n, "operations": ops or []})
        for s, d, k, f, la, e, n, ops in edges.select(cols).iter_rows()
    )
    return g


# -- time-respecting reach ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Arrival:
    """How a node was first reached in one state (controlled or only touched)."""

    time: datetime
    hops: int
    event_uid: str | None
    prev: tuple[str, bool] | None
    via: str


def reach(
    g: nx.MultiDiGraph, starts: list[str], since: datetime, next_occurrence: NextOccurrence | None = None
) -> dict[tuple[str, bool], Arrival]:
    """Earliest-arrival search over (node, controlled) states from ``starts`` at ``since``.

    An edge leaves a node only from its *controlled* state and only if it happened at or after that
    state's arrival; ``next_occurrence(src, dst, kind, t)`` answers when an edge whose first time is
    before ``t`` but whose last time is not happened next (None: the edge is not followed then). Ties are
    broken by fewer hops, then the smaller event id, so the answer is deterministic."""
    best: dict[tuple[str, bool], Arrival] = {}
    heap: list[tuple[datetime, int, str, str, bool]] = []
    for s in starts:
        if s in g:
            best[(s, True)] = Arrival(since, 0, None, None, "start")
            heapq.heappush(heap, (since, 0, "", s, True))
    while heap:
        t, hops, ev, node, ctrl = heapq.heappop(heap)
        current = best[(node, ctrl)]
        if (current.time, current.hops, current.event_uid or "") != (t, hops, ev) or not ctrl:
            continue
        for _, dst, kind, data in g.out_edges(node, keys=True, data=True):
            if kind not in CONTROL_KINDS and kind not in TOUCH_KINDS:
                continue
            if data["first_time"] >= t:
                when: tuple[datetime, str] | None = (data["first_time"], data["event_uid"])
            elif data["last_time"] < t or next_occurrence is None:
                when = None
            else:
                when = next_occurrence(node, dst, kind, t)
            if when is None:
                continue
            state = (dst, kind in CONTROL_KINDS)
            label = (when[0], hops + 1, when[1])
            old = best.get(state)
            if old is None or label < (old.time, old.hops, old.event_uid or ""):
                best[state] = Arrival(when[0], hops + 1, when[1], (node, ctrl), kind)
                heapq.heappush(heap, (when[0], hops + 1, when[1], dst, state[1]))
    return best


def evidence_path(arrivals: dict[tuple[str, bool], Arrival], state: tuple[str, bool]) -> list[str]:
    """The evidence events from the suspect to ``state``, in order."""
    path: list[str] = []
    current: tuple[str, bool] | None = state
    while current is not None:
        arrival = arrivals[current]
        if arrival.event_uid is not None:
            path.append(arrival.event_uid)
        current = arrival.prev
    return path[::-1]


# -- the analysis -------------------------------------------------------------------------------------
def suspect_principals(con: duckdb.DuckDBPyConnection, inventory: Inventory, suspect: str) -> list[str]:
    """Every uid the suspect acts as: actors resolving to it and its inventory aliases."""
    rows = con.execute("SELECT actor_uid FROM actors WHERE identity_id = $i", {"i": suspect}).fetchall()
    declared = inventory.identities.get(suspect)
    return sorted({r[0] for r in rows} | set(declared.aliases if declared else ()) | {suspect})


def blast_radius(
    con: duckdb.DuckDBPyConnection,
    inventory: Inventory,
    suspect: str,
    since: datetime | None,
    until: datetime | None = None,
) -> BlastRadius:
    """Time-respecting reach of ``suspect`` (a canonical identity id) from ``since`` (None: from the start
    of the lake). See the module docstring for the rules."""
    starts = suspect_principals(con, inventory, suspect)
    start_time = since or con.execute("SELECT min(time) FROM events").fetchall()[0][0] or datetime.min
    cache: dict[tuple[str, str, str, datetime], tuple[datetime, str] | None] = {}

    def next_occurrence(src: str, dst: str, kind: str, after: datetime) -> tuple[datetime, str] | None:
        key = (src, dst, kind, after)
        if key not in cache:
            rows = con.execute(query("graph_edge_next"),
                               {"src": src, "dst": dst, "kind": kind, "after": after, "until": until}).fetchall()
            cache[key] = (rows[0][0], rows[0][1]) if rows else None
        return cache[key]

    # Only the events the suspect controls make edges (irkit.control): a principal it acted as once
    # contributes that event, not its whole life.
    edges = aggregate_edges(con, suspect, since, until)
    g = build_graph(edges, node_table(con, edges))
    arrivals = reach(g, starts, start_time, next_occurrence)
    tables = _tables(g, arrivals, suspect, set(starts))
    potential = potential_reach(inventory, suspect, tables)
    sub = _reached_subgraph(g, arrivals, suspect, set(starts), potential)
    return BlastRadius(suspect, since, until, *tables, potential=potential, graph=sub)


_TABLE_SCHEMA: dict[str, Any] = {"uid": pl.String, "identity": pl.String, "type": pl.String, "system": pl.String,
                 "first_touch": pl.Datetime("us", "UTC"), "hops": pl.Int64, "via": pl.String,
                 "event_uid": pl.String, "path": pl.List(pl.String), "controlled": pl.Boolean,
                 "operations": pl.List(pl.String)}


def _tables(
    g: nx.MultiDiGraph, arrivals: dict[tuple[str, bool], Arrival], suspect: str, starts: set[str]
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    rows: dict[str, list[dict[str, Any]]] = {"identity": [], "credential": [], "resource": [], "system": []}
    for node in {n for n, _ in arrivals}:
        attrs = g.nodes[node]
        own = node in starts or attrs.get("identity") == suspect
        states = [(node, c) for c in (True, False) if (node, c) in arrivals]
        first = min(states, key=lambda s: (arrivals[s].time, arrivals[s].hops, arrivals[s].event_uid or ""))
        kind = attrs.get("kind", "resource")
        if kind == "system":
            rows["system"].append(_row(g, arrivals, node, first, attrs["system"]))
            continue
        if (node, False) in arrivals and not own:
            rows["resource"].append(_row(g, arrivals, node, (node, False)))
        if kind == "identity" and not own:
            rows["identity"].append(_row(g, arrivals, node, first))
        elif kind == "credential":
            rows["credential"].append(_row(g, arrivals, node, first))
    out = []
    for kind in ("identity", "credential", "resource", "system"):
        table = pl.DataFrame(rows[kind], schema=_TABLE_SCHEMA).sort("first_touch", "uid")
        out.append(table.drop("operations") if kind != "resource" else table)
    return out[0], out[1], out[2], out[3].drop("identity", "type", "system", "controlled")


def _row(g: nx.MultiDiGraph, arrivals: dict[tuple[str, bool], Arrival], node: str, state: tuple[str, bool],
         uid: str | None = None) -> dict[str, Any]:
    a, attrs = arrivals[state], g.nodes[node]
    operations = sorted({op for src, _, kind, d in g.in_edges(node, keys=True, data=True)
                         if kind == "acted_on" and (src, True) in arrivals and d["last_time"] >= arrivals[(src, True)].time
                         for op in d["operations"]})
    return {"uid": uid or node, "identity": attrs.get("identity"), "type": attrs.get("type"),
            "system": attrs.get("system"), "first_touch": a.time, "hops": a.hops, "via": a.via,
            "event_uid": a.event_uid, "path": evidence_path(arrivals, state),
            "controlled": (node, True) in arrivals, "operations": operations}


def potential_reach(inventory: Inventory, suspect: str, tables: tuple[pl.DataFrame, ...]) -> pl.DataFrame:
    """What the inventory says the suspect and every identity it reached may touch (``scope``), next to
    how many reached nodes fall inside each declared pattern."""
    identities, _, resources, systems = tables
    names = [suspect, *sorted(set(identities["identity"].drop_nulls().to_list()) - {suspect})]
    touched_data = resources["uid"].to_list()
    touched_tools = resources.filter(pl.col("type").is_in(["tool", "mcp_tool"]))["uid"].to_list()
    touched_systems = systems["uid"].to_list()
    rows = []
    for name in names:
        ident = inventory.identities.get(name)
        if ident is None:
            continue
        for dimension, patterns, items in (("system", ident.systems, touched_systems),
                                           ("data", ident.data, touched_data), ("tool", ident.tools, touched_tools)):
            for pattern in patterns:
                probe = Identity(id=name, systems=(pattern,), data=(pattern,), tools=(pattern,))
                inside = _inside(probe, dimension)
                rows.append({"identity": name, "dimension": dimension, "pattern": pattern,
                             "touched": sum(1 for item in items if inside(item))})
    return pl.DataFrame(rows, schema={"identity": pl.String, "dimension": pl.String, "pattern": pl.String,
                                      "touched": pl.Int64})


def _inside(probe: Identity, dimension: str) -> Callable[[str], bool]:
    """Whether a reached uid falls inside the probe's one declared pattern (a bucket is inside "bucket/*")."""
    if dimension == "system":
        return probe.may_reach_system
    if dimension == "tool":
        return probe.may_use_tool
    return lambda uid: probe.may_touch(uid) or probe.may_touch(uid + "/")


def _reached_subgraph(g: nx.MultiDiGraph, arrivals: dict[tuple[str, bool], Arrival], suspect: str,
                      starts: set[str], potential: pl.DataFrame) -> nx.MultiDiGraph:
    """The reached nodes with their reach attributes, the edges that happened after their source was
    reached, a root node for the suspect and the potential-reach layer."""
    sub = nx.MultiDiGraph(suspect=suspect)
    reached = {n for n, _ in arrivals}
    for node in reached:
        states = [(node, c) for c in (True, False) if (node, c) in arrivals]
        first = min(states, key=lambda s: (arrivals[s].time, arrivals[s].hops, arrivals[s].event_uid or ""))
        a = arrivals[first]
        layer = "suspect" if node in starts else "touched"
        attrs = {**g.nodes[node], "first_touch": a.time, "hops": a.hops, "via": a.via, "event_uid": a.event_uid,
                 "path": evidence_path(arrivals, first), "layer": layer, "controlled": (node, True) in arrivals}
        sub.add_node(node, **{k: v for k, v in attrs.items() if v is not None})
    for src in reached:
        ctrl = arrivals.get((src, True))
        for _, dst, kind, data in g.out_edges(src, keys=True, data=True):
            if dst not in reached:
                continue
            if kind == "in_system" or (ctrl is not None and data["last_time"] >= ctrl.time):
                sub.add_edge(src, dst, key=kind, **data)
    root = f"identity::{suspect}"
    sub.add_node(root, kind="identity", type="suspect", identity=suspect, hops=0, layer="suspect")
    for node in starts & reached:
        sub.add_edge(root, node, key="alias_of", kind="alias_of")
    for row in potential.iter_rows(named=True):
        pid = f"scope::{row['identity']}::{row['dimension']}::{row['pattern']}"
        sub.add_node(pid, kind="potential", type=row["dimension"], identity=row["identity"],
                     pattern=row["pattern"], touched=row["touched"], layer="potential")
        anchor = root if row["identity"] == suspect else next(
            (n for n, d in sub.nodes(data=True) if d.get("identity") == row["identity"] and d.get("kind") == "identity"), root)
        sub.add_edge(anchor, pid, key="may_reach", kind="may_reach")
    return sub
