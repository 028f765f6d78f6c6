"""Blast radius: the sample incident's touched sets against ground_truth.json, time-respecting reach,
cycles, and the GraphML / JSON / OpenGraph exports."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import networkx as nx
import polars as pl
import pytest

import irkit
from irkit.graph import BlastRadius, build_graph, reach
from irkit.graphio import read_graphml, read_json, to_opengraph, write_graphml
from tests.analysis_fixtures import COMPROMISE, analysis_case, ground_truth, lake_uid, truth_rows, ts  # noqa: F401


def _tokens_the_truth_forgot(case: irkit.Case) -> dict[str, tuple[datetime, str]]:
    """Access tokens minted by the token grants the truth lists (as the authorization server touched)
    that the truth's touches leave out: story.py lists the ledger grant's token but not the okta_users
    grant's. Expected = truth + these; once the generator lists it, the union is unchanged."""
    truth = ground_truth()["touched"]["resources"]
    listed = {r["uid"] for r in truth}
    out = {}
    for r in truth:
        if r["type"] == "AuthorizationServer":
            minted = case.sql("SELECT r.uid FROM events e, unnest(e.resources) t(r) WHERE e.event_uid = $e "
                              "AND r.type = 'credential'", e=lake_uid(case, r["event_uid"]))["uid"].to_list()
            out.update({uid: (ts(r["first_touch"]), lake_uid(case, r["event_uid"])) for uid in minted if uid not in listed})
    return out


@pytest.fixture(scope="module")
def radius(analysis_case: irkit.Case) -> BlastRadius:  # noqa: F811
    return analysis_case.blast_radius("invoice-agent", since=COMPROMISE)


def _mine(frame: pl.DataFrame) -> dict[str, tuple[datetime, str]]:
    return {r["uid"]: (r["first_touch"], r["event_uid"]) for r in frame.iter_rows(named=True)}


def test_identities_touched_are_exactly_the_truth(analysis_case: irkit.Case, radius: BlastRadius) -> None:  # noqa: F811
    truth = truth_rows(analysis_case, ground_truth()["touched"]["identities"])
    assert _mine(radius.identities) == {uid: (r["first_touch"], r["event_uid"]) for uid, r in truth.items()}


def test_resources_touched_are_exactly_the_truth(analysis_case: irkit.Case, radius: BlastRadius) -> None:  # noqa: F811
    truth = truth_rows(analysis_case, ground_truth()["touched"]["resources"])
    expected = {uid: (r["first_touch"], r["event_uid"]) for uid, r in truth.items()}
    expected.update(_tokens_the_truth_forgot(analysis_case))
    assert _mine(radius.resources) == expected


def test_systems_touched_are_exactly_the_truth(analysis_case: irkit.Case, radius: BlastRadius) -> None:  # noqa: F811
    truth = truth_rows(analysis_case, ground_truth()["touched"]["systems"])
    assert _mine(radius.systems) == {uid: (r["first_touch"], r["event_uid"]) for uid, r in truth.items()}


def test_every_node_has_an_evidence_path_from_the_suspect(analysis_case: irkit.Case, radius: BlastRadius) -> None:  # noqa: F811
    for table in (radius.identities, radius.credentials, radius.resources, radius.systems):
        for row in table.iter_rows(named=True):
            assert row["path"] and row["path"][-1] == row["event_uid"] and len(row["path"]) == row["hops"], row
    # The last export was read with the key the sub-agent created through ops-admin: 3 hops.
    truth = ground_truth()
    last = truth["touched"]["resources"][-1]
    row = radius.resources.filter(pl.col("uid") == last["uid"]).row(0, named=True)
    role = next(r for r in truth["touched"]["identities"] if r["type"] == "iam_role")
    assert row["path"] == [lake_uid(analysis_case, e) for e in
                           (role["event_uid"], truth["persistence"][0]["created_by_event"], last["event_uid"])]


def test_reach_respects_time_on_the_sample(analysis_case: irkit.Case, radius: BlastRadius) -> None:  # noqa: F811
    uids = set(radius.resources["uid"].to_list())
    # Read at 14:02:13.000, before the injection at 14:02:13.538: not part of the incident.
    assert "arn:aws:s3:::acme-invoices-inbox/2026/11/INV-261110417.pdf" not in uids
    # backup-svc was only *touched* (its key created): its own nightly job with its own key is not followed.
    assert not any(u.startswith("arn:aws:s3:::acme-prod-orders") for u in uids)
    earlier = analysis_case.blast_radius("invoice-agent", since=COMPROMISE - timedelta(seconds=1))
    assert "arn:aws:s3:::acme-invoices-inbox/2026/11/INV-261110417.pdf" in set(earlier.resources["uid"].to_list())


def _graph(edges: list[tuple[str, str, str, int, int, str]], kinds: dict[str, str]) -> nx.MultiDiGraph:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    frame = pl.DataFrame(
        [{"src": s, "dst": d, "kind": k, "first_time": t0 + timedelta(seconds=f), "last_time": t0 + timedelta(seconds=la),
          "event_uid": e, "events": 1, "operations": ["op"]} for s, d, k, f, la, e in edges])
    nodes = pl.DataFrame([{"uid": u, "kind": k, "type": None, "system": None, "identity": None} for u, k in kinds.items()],
                         schema={"uid": pl.String, "kind": pl.String, "type": pl.String, "system": pl.String, "identity": pl.String})
    return build_graph(frame, nodes)


T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_an_edge_before_its_source_was_reached_is_not_followed() -> None:
    kinds = {"S": "identity", "X": "identity", "R1": "resource", "R2": "resource", "U": "identity", "R3": "resource"}
    g = _graph([("S", "X", "assumed", 10, 10, "e10"),      # the suspect opens session X at t=10
                ("X", "R1", "acted_on", 5, 5, "e5"),       # X touched R1 only before: not the suspect's doing
                ("X", "R2", "acted_on", 5, 20, "e5b"),     # before and after: reached at its next occurrence
                ("S", "U", "acted_on", 1, 1, "e1"),        # U is only touched ...
                ("U", "R3", "acted_on", 2, 2, "e2")],      # ... so what U does is not followed
               kinds)
    arrivals = reach(g, ["S"], T0, lambda s, d, k, t: (T0 + timedelta(seconds=15), "e15") if (s, d) == ("X", "R2") else None)
    assert ("R1", False) not in arrivals and ("R3", False) not in arrivals
    assert arrivals[("R2", False)].time == T0 + timedelta(seconds=15) and arrivals[("R2", False)].event_uid == "e15"
    assert arrivals[("U", False)].hops == 1 and ("U", True) not in arrivals
    # Without a way to look the later occurrence up, the edge is not followed (never guessed).
    assert ("R2", False) not in reach(g, ["S"], T0)


def test_reach_terminates_on_cycles_with_the_fewest_hops() -> None:
    kinds = {"S": "identity", "A": "identity", "B": "identity", "R": "resource"}
    g = _graph([("S", "A", "assumed", 1, 1, "a"), ("A", "B", "assumed", 2, 2, "b"), ("B", "A", "assumed", 3, 3, "c"),
                ("B", "S", "assumed", 4, 4, "d"), ("A", "R", "acted_on", 5, 9, "r"), ("B", "R", "acted_on", 5, 5, "r2")],
               kinds)
    arrivals = reach(g, ["S"], T0)
    assert arrivals[("A", True)].hops == 1 and arrivals[("B", True)].hops == 2
    assert arrivals[("R", False)].event_uid == "r" and arrivals[("R", False)].hops == 2
    assert arrivals[("S", True)].hops == 0  # the cycle back to the suspect does not move its start


def test_graphml_round_trips(radius: BlastRadius, tmp_path: Path) -> None:
    path = tmp_path / "radius.graphml"
    write_graphml(radius.graph, path)
    back = read_graphml(path)
    assert dict(back.nodes(data=True)) == dict(radius.graph.nodes(data=True))
    assert sorted(back.edges(keys=True, data=True), key=str) == sorted(radius.graph.edges(keys=True, data=True), key=str)


def test_json_round_trips(radius: BlastRadius, tmp_path: Path) -> None:
    path = radius.export(tmp_path / "radius.json")
    back = read_json(path)
    assert dict(back.nodes(data=True)) == dict(radius.graph.nodes(data=True))
    assert sorted(back.edges(keys=True, data=True), key=str) == sorted(radius.graph.edges(keys=True, data=True), key=str)
    assert back.graph == radius.graph.graph


def test_opengraph_export_is_well_formed(radius: BlastRadius, tmp_path: Path) -> None:
    data = json.loads(radius.export(tmp_path / "radius.opengraph.json").read_text())
    assert data == json.loads(json.dumps(to_opengraph(radius.graph)))
    kind = re.compile(r"^[A-Za-z0-9_]+$")
    ids = {n["id"] for n in data["graph"]["nodes"]}
    assert len(ids) == radius.graph.number_of_nodes()
    for node in data["graph"]["nodes"]:
        assert node["kinds"] and all(kind.match(k) for k in node["kinds"])
        assert all(v is not None and not isinstance(v, dict) for v in node["properties"].values())
    assert len(data["graph"]["edges"]) == radius.graph.number_of_edges()
    for edge in data["graph"]["edges"]:
        assert kind.match(edge["kind"]), edge["kind"]
        assert edge["start"]["value"] in ids and edge["end"]["value"] in ids


def test_potential_reach_layer(radius: BlastRadius) -> None:
    inbox = radius.potential.filter((pl.col("identity") == "invoice-agent") & (pl.col("pattern") == "arn:aws:s3:::acme-invoices-inbox/*"))
    assert inbox["touched"].to_list() == [2]  # the bucket and the second invoice
    layer = [d for _, d in radius.graph.nodes(data=True) if d.get("layer") == "potential"]
    assert len(layer) == radius.potential.height
    assert all(k == "may_reach" for _, v, k in radius.graph.edges(keys=True) if v.startswith("scope::"))


def test_edges_are_aggregated_once_per_src_dst_kind(analysis_case: irkit.Case) -> None:  # noqa: F811
    from irkit.graph import aggregate_edges

    edges = aggregate_edges(analysis_case.con, "invoice-agent", COMPROMISE, None)
    assert edges.select("src", "dst", "kind").is_duplicated().sum() == 0
    assert (edges["first_time"] <= edges["last_time"]).all() and (edges["events"] >= 1).all()
