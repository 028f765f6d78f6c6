"""Figures draw what the analyses computed, and never let log text become markup."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import plotly.graph_objects as go
import polars as pl
import pytest

import irkit
from irkit import figures
from irkit.incident import Incident, Revocation
from tests.analysis_fixtures import COMPROMISE, analysis_case  # noqa: F401

HOSTILE = '<a href="javascript:alert(1)">click</a><script>alert(2)</script><img src=x onerror=alert(3)>'


def _figure_text(fig: go.Figure) -> str:
    return json.dumps(fig.to_plotly_json(), default=str)


def _assert_inert(fig: go.Figure) -> None:
    text = _figure_text(fig)
    assert "<a " not in text and "<script" not in text and "<img" not in text
    assert "&lt;script&gt;" in text


def test_timeline_of_the_suspect(analysis_case: irkit.Case) -> None:  # noqa: F811
    case = analysis_case
    events = case.timeline("invoice-agent", since=COMPROMISE - timedelta(minutes=5))
    fired = case.triggers("invoice-agent")
    fig = figures.timeline(events, fired, case.incident)
    lanes = {t.name for t in fig.data}
    assert set(events["source"].unique()) | {"triggers"} == lanes
    drawn = sum(len(t.x) for t in fig.data if t.name != "triggers")
    assert drawn == events.height
    trig = next(t for t in fig.data if t.name == "triggers")
    assert sum(trig.customdata) == fired.height  # coinciding markers grouped, each with its count
    assert len(trig.x) < fired.height and any(n > 1 for n in trig.customdata)
    # it opens on the incident: from the lead-up to the last trigger before detection, the rest in the strip
    lo, hi = fig.layout.xaxis.range
    assert COMPROMISE - timedelta(minutes=5) <= lo and hi <= case.incident.detected_at
    assert fig.layout.xaxis.rangeslider.visible
    # detection + one line per revocation
    assert len(fig.layout.shapes) == 1 + len(case.incident.revocations)
    by_session = figures.timeline(events, fired, case.incident, lanes="session")
    assert sum(len(t.x) for t in by_session.data if t.name != "triggers") == events.height


def test_session_overview(analysis_case: irkit.Case) -> None:  # noqa: F811
    case = analysis_case
    sessions = case.sessions("invoice-agent", since=COMPROMISE - timedelta(hours=1), reach=True)
    fig = figures.session_overview(sessions, case.triggers("invoice-agent"), case.incident)
    assert sum(len(t.y) for t in fig.data) == sessions.height
    outlined = {y for t in fig.data for y, c in zip(t.y, t.marker.line.color) if c == "#d62728"}
    flagged = set(case.triggers("invoice-agent")["session"].drop_nulls()) & set(sessions["session_id"])
    assert flagged and outlined == {figures.safe(s, 48) for s in flagged}


def test_blast_radius_graph_is_layered_by_hop(analysis_case: irkit.Case) -> None:  # noqa: F811
    radius = analysis_case.blast_radius("invoice-agent", since=COMPROMISE)
    fig = figures.blast_radius_graph(radius, critical={"arn:aws:s3:::acme-prod-customer-data"})
    node_traces = [t for t in fig.data if t.mode == "markers+text"]
    assert {t.name for t in node_traces} >= {"identity", "credential", "resource", "system",
                                             "potential reach (inventory scope, not touched)"}
    g = radius.graph
    identities = {d["identity"] for _, d in g.nodes(data=True) if d.get("kind") == "identity"}
    others = sum(1 for _, d in g.nodes(data=True) if d.get("kind") != "identity")
    assert sum(len(t.x) for t in node_traces) == len(identities) + others  # one node per identity
    drawn = next(t for t in node_traces if t.name == "identity")
    assert sorted(drawn.text) == sorted(figures.safe(i, 40) for i in identities)
    suspect = next(h for h in drawn.hovertext if h.startswith("node: invoice-agent<br>"))
    assert "aliases and sessions: " in suspect and "assumed-role/invoice-agent/" in suspect
    edge_names = {t.name for t in fig.data if t.mode == "lines"}
    assert {"edge: acted on", "edge: spawned", "critical path (to production data, created credentials)"} <= edge_names
    labels = {a.text.split(" ×")[0] for a in fig.layout.annotations}
    assert {"spawned", "created"} <= labels
    hops = {n: d.get("hops", 0) for n, d in radius.graph.nodes(data=True) if d.get("layer") != "potential"}
    identity_trace = next(t for t in node_traces if t.name == "identity")
    assert set(identity_trace.x) <= {float(h) * 1.6 for h in hops.values()}
    assert any("first touch: 2026-11-10" in h for h in identity_trace.hovertext)
    potential = next(t for t in node_traces if t.name.startswith("potential"))
    assert set(potential.x) == {float(max(hops.values()) + 1) * 1.6}


def test_log_text_is_never_markup() -> None:
    t0 = datetime(2026, 11, 10, 14, 0, tzinfo=UTC)
    events = pl.DataFrame([{"time": t0, "source": HOSTILE, "identity_id": HOSTILE, "actor_uid": HOSTILE, "session_uid": HOSTILE,
                            "class_name": "api_activity", "operation": HOSTILE, "status": "success", "tool_name": HOSTILE,
                            "target_uid": HOSTILE, "target_system": HOSTILE, "credential_uid": None, "src_ip": None,
                            "user_agent": HOSTILE, "event_uid": HOSTILE, "evidence_file": "f", "evidence_offset": 1}])
    fired = pl.DataFrame([{"kind": "tool_expansion", "severity": "high", "identity": HOSTILE, "subject": HOSTILE,
                           "time": t0, "reason": HOSTILE, "session": HOSTILE}])
    incident = Incident(suspect=HOSTILE, detected_at=t0, revocations=[Revocation(HOSTILE, t0 + timedelta(hours=1), HOSTILE)])
    _assert_inert(figures.timeline(events, fired, incident, title=HOSTILE))
    sessions = pl.DataFrame([{"session_id": HOSTILE, "identity_id": HOSTILE, "identities": [HOSTILE], "sources": [HOSTILE],
                              "start": t0, "end": t0 + timedelta(minutes=3), "events": 3, "failures": 0,
                              "tools": [HOSTILE], "systems": [HOSTILE], "first_seen": [HOSTILE]}])
    _assert_inert(figures.session_overview(sessions, fired, incident))


def test_blast_radius_graph_escapes_node_names(analysis_case: irkit.Case) -> None:  # noqa: F811
    radius = analysis_case.blast_radius("invoice-agent", since=COMPROMISE)
    radius.graph.add_node(HOSTILE, kind="resource", type=HOSTILE, hops=1, first_touch=COMPROMISE, path=[HOSTILE])
    try:
        _assert_inert(figures.blast_radius_graph(radius))
    finally:
        radius.graph.remove_node(HOSTILE)


@pytest.mark.parametrize("value,expected", [("a<b>&c", "a&lt;b&gt;&amp;c"), (None, "—"), ("x" * 300, "x" * 199 + "…")])
def test_safe(value: object, expected: str) -> None:
    assert figures.safe(value) == expected
