"""Blast-radius graph files: GraphML, node-link JSON and BloodHound OpenGraph JSON.

The in-memory graph keeps Python values (aware datetimes, lists). GraphML only holds scalars, so times
are written as ISO-8601 text and lists as JSON text; :func:`read_graphml` and :func:`read_json` restore
them, so a graph written and read back is equal to the one written. OpenGraph (BloodHound's generic
ingest format) wants ``{"graph": {"nodes": [{id, kinds, properties}], "edges": [{start, end, kind}]}}``
with kinds made of ``[A-Za-z0-9_]`` and flat, non-null property values.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import networkx as nx

from irkit import __version__
from irkit.errors import UsageError

#: Attributes that hold times and lists in memory (text in GraphML).
TIME_ATTRS = frozenset({"first_time", "last_time", "first_touch"})
LIST_ATTRS = frozenset({"path", "operations"})
_KIND_CHARS = re.compile(r"[^A-Za-z0-9_]+")


def export(graph: nx.MultiDiGraph, path: str | Path) -> Path:
    """Write ``graph`` in the format named by the file's suffix: ``.graphml``, ``.opengraph.json``, ``.json``."""
    path = Path(path)
    name = path.name.lower()
    if name.endswith(".graphml"):
        write_graphml(graph, path)
    elif name.endswith(".opengraph.json"):
        path.write_text(json.dumps(to_opengraph(graph), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    elif name.endswith(".json"):
        path.write_text(json.dumps(to_json(graph), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    else:
        raise UsageError(f"--export: unknown graph format for {path.name!r} (use .graphml, .json or .opengraph.json)")
    return path


# -- value encoding -----------------------------------------------------------------------------------
def _encode(key: str, value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return json.dumps(list(value), ensure_ascii=False)
    return value


def _decode(key: str, value: Any) -> Any:
    if key in TIME_ATTRS and isinstance(value, str):
        return datetime.fromisoformat(value)
    if key in LIST_ATTRS and isinstance(value, str):
        return json.loads(value)
    return value


def _encoded(attrs: dict[str, Any]) -> dict[str, Any]:
    return {k: _encode(k, v) for k, v in attrs.items() if v is not None}


def _decoded(attrs: dict[str, Any]) -> dict[str, Any]:
    return {k: _decode(k, v) for k, v in attrs.items()}


# -- GraphML ------------------------------------------------------------------------------------------
def write_graphml(graph: nx.MultiDiGraph, path: str | Path) -> None:
    out = nx.MultiDiGraph(**_encoded(dict(graph.graph)))
    out.add_nodes_from((n, _encoded(d)) for n, d in graph.nodes(data=True))
    out.add_edges_from((u, v, k, _encoded(d)) for u, v, k, d in graph.edges(keys=True, data=True))
    nx.write_graphml(out, path)


def read_graphml(path: str | Path) -> nx.MultiDiGraph:
    raw = nx.read_graphml(path, force_multigraph=True)
    graph = nx.MultiDiGraph(**_decoded(dict(raw.graph)))
    graph.add_nodes_from((n, _decoded(d)) for n, d in raw.nodes(data=True))
    graph.add_edges_from((u, v, k, _decoded(d)) for u, v, k, d in raw.edges(keys=True, data=True))
    return graph


# -- node-link JSON -----------------------------------------------------------------------------------
def to_json(graph: nx.MultiDiGraph) -> dict[str, Any]:
    """``{"graph": {...}, "nodes": [{"id", ...attrs}], "edges": [{"source", "target", "key", ...attrs}]}``."""
    return {
        "irkit": __version__,
        "directed": True,
        "multigraph": True,
        "graph": _encoded(dict(graph.graph)),
        "nodes": [{"id": n, **_json_attrs(d)} for n, d in graph.nodes(data=True)],
        "edges": [{"source": u, "target": v, "key": k, **_json_attrs(d)} for u, v, k, d in graph.edges(keys=True, data=True)],
    }


def _json_attrs(attrs: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime) else list(v) if isinstance(v, tuple) else v)
            for k, v in attrs.items() if v is not None}


def read_json(path_or_data: str | Path | dict[str, Any]) -> nx.MultiDiGraph:
    data = path_or_data if isinstance(path_or_data, dict) else json.loads(Path(path_or_data).read_text(encoding="utf-8"))
    graph = nx.MultiDiGraph(**_decoded(data.get("graph", {})))
    for node in data["nodes"]:
        graph.add_node(node["id"], **_decoded({k: v for k, v in node.items() if k != "id"}))
    for edge in data["edges"]:
        attrs = {k: v for k, v in edge.items() if k not in ("source", "target", "key")}
        graph.add_edge(edge["source"], edge["target"], key=edge["key"], **_decoded(attrs))
    return graph


# -- BloodHound OpenGraph -----------------------------------------------------------------------------
def opengraph_kind(text: str) -> str:
    """``assumed_role`` -> ``AssumedRole``; anything outside ``[A-Za-z0-9_]`` dropped."""
    parts = [p for p in _KIND_CHARS.sub("_", text).split("_") if p]
    return "".join(p[:1].upper() + p[1:] for p in parts) or "Unknown"


def _flat(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    if isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def to_opengraph(graph: nx.MultiDiGraph) -> dict[str, Any]:
    """The graph as BloodHound OpenGraph JSON; node kinds ``IRKit<Kind>`` plus the record type, edge kinds
    ``IRKit<EdgeKind>`` (CamelCase of the edge kind)."""
    nodes = []
    for n, d in graph.nodes(data=True):
        kinds = ["IRKit" + opengraph_kind(d.get("kind", "node"))]
        if d.get("type"):
            kinds.append("IRKit_" + _KIND_CHARS.sub("_", str(d["type"])).strip("_"))
        props = {k: _flat(v) for k, v in d.items() if v is not None}
        props.setdefault("name", str(n))
        props["objectid"] = str(n)
        nodes.append({"id": str(n), "kinds": list(dict.fromkeys(kinds)), "properties": props})
    edges = [
        {"start": {"value": str(u), "match_by": "id"}, "end": {"value": str(v), "match_by": "id"},
         "kind": "IRKit" + opengraph_kind(str(k)),
         "properties": {key: _flat(val) for key, val in d.items() if val is not None}}
        for u, v, k, d in graph.edges(keys=True, data=True)
    ]
    return {"metadata": {"source_kind": "IRKit"}, "graph": {"nodes": nodes, "edges": edges}}
