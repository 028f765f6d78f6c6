"""Attribution: which agent tool call caused each cloud API call made with the agent's credentials.

No other tool joins an agent's own telemetry (MCP tool calls, GenAI spans) to the cloud audit trail
of the credentials it used. irkit does it by identity, trace and time:

* a tool call belongs to the agent whose ``invoke_agent`` span encloses it in its trace (the
  OpenTelemetry GenAI conventions put the agent there only; ``sql/view_call_agents.sql``), so a
  sub-agent's calls are the sub-agent's; an MCP request pairs with the span that sent it by its
  W3C ``traceparent``, else by tool, server and time (``sql/attribution_calls.sql``);
* an API call made by the agent or by anything it reached (the scope, :func:`_scope`) is a candidate
  of every tool call whose [start, end] plus a window (default 5 s) holds it, once the API source's
  clock offset is allowed for (estimated per source: the offset that puts the most of its API calls
  inside a tool call near them, those a call's arguments name inside that call, :func:`clock_offsets`;
  overridable);
* the credential chain separates concurrent agents: a credential handed to one agent's tool call
  (a role it assumed, a key it created) is used by that agent or its sub-agents, never its parent;
* then the call whose arguments name the API call, one that encloses it, the nearest start. Several
  candidates make the pairing *ambiguous*: the row says so, says what decided, and lists them all.

Each row is one hop chain: human → agent → sub-agent → tool call → credential → API call → resource,
every hop with the event that proves it. Analyses here read normalized columns only.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

import duckdb
import polars as pl

from irkit.control import compute_control
from irkit.db import frame, run_script
from irkit.sql import query

#: Tool calls within this distance of an API call may name it, for the clock estimate.
MAX_SKEW = timedelta(seconds=30)
#: API calls an offset must fit (put inside a tool call) before it is estimated (else 0).
MIN_PAIRS = 2


def _scope(con: duckdb.DuckDBPyConnection, identity: str, since: datetime | None,
           until: datetime | None) -> str:
    """The events whose API calls are to be explained, as the temp table ``attribution_scope(event_uid)``
    (returned by name): the events ``identity`` controls (:mod:`irkit.control`: its own, its
    sub-agents' within their invocation, those made with credentials it created or was handed, those
    carrying its delegation), never the whole life of a principal it touched. The one place the scope
    is decided."""
    compute_control(con, [identity], since, until)
    con.execute("CREATE OR REPLACE TEMP TABLE attribution_scope AS " + query("attribution_scope"),
                {"owner": identity}).fetchall()
    return "attribution_scope"


def _prepare(con: duckdb.DuckDBPyConnection, identity: str, since: datetime | None, until: datetime | None) -> None:
    """The temp tables the attribution queries read: the scope, its API calls, the tool calls."""
    ensure_call_agents(con)
    _scope(con, identity, since, until)
    con.execute("CREATE OR REPLACE TEMP TABLE attribution_api AS " + query("attribution_api")).fetchall()
    reach: dict[str, list[str]] = {"trace": [], "actor": []}
    for kind, uid in con.execute(query("attribution_scope_reach")).fetchall():
        reach[kind].append(uid)
    con.execute("CREATE OR REPLACE TEMP TABLE attribution_records AS " + query("attribution_records"),
                {"traces": reach["trace"], "actors": reach["actor"]}).fetchall()
    con.execute("CREATE OR REPLACE TEMP TABLE attribution_calls AS " + query("attribution_calls")).fetchall()


def ensure_call_agents(con: duckdb.DuckDBPyConnection) -> None:
    """The ``call_agents`` view and the ``call_agents_of`` macro (sql/view_call_agents.sql) on ``con``,
    created when a case has not."""
    found = con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name = 'call_agents'").fetchall()
    if not found[0][0]:
        con.execute("CREATE OR REPLACE TEMP VIEW call_agents AS " + run_script(con, query("view_call_agents"))).fetchall()


def _estimate(con: duckdb.DuckDBPyConnection, max_skew: timedelta, min_pairs: int) -> pl.DataFrame:
    return frame(con, query("attribution_clock"), {"max_skew_s": max_skew.total_seconds(), "min_pairs": min_pairs})


def clock_offsets(
    con: duckdb.DuckDBPyConnection, identity: str, *, since: datetime | None = None, until: datetime | None = None,
    max_skew: timedelta = MAX_SKEW, min_pairs: int = MIN_PAIRS,
) -> pl.DataFrame:
    """How far each API source's clock runs ahead of the agent telemetry, for the API calls in
    ``identity``'s scope: one row per source (``offset_s``, positive when its clock is fast; ``pairs``:
    API calls one tool call's arguments name; ``outside``: such pairs outside their tool call as logged;
    ``fitted``: API calls the offset puts inside a tool call; ``estimated``: enough fitted; an example
    pair). See ``sql/attribution_clock.sql``."""
    _prepare(con, identity, since, until)
    return _estimate(con, max_skew, min_pairs)


def attribute(
    con: duckdb.DuckDBPyConnection, identity: str, window: timedelta = timedelta(seconds=5), *,
    offsets: Mapping[str, timedelta | float] | None = None, estimate_clock: bool = True,
    since: datetime | None = None, until: datetime | None = None,
) -> pl.DataFrame:
    """One row per API call made with ``identity``'s credentials (or those of what it reached), with
    the tool call that caused it (null when none held it within ``window`` after its end) and the
    full chain. Clock offsets per API source are estimated (``estimate_clock``) and ``offsets`` (source
    → seconds or timedelta, positive when the source is fast) override them; the applied offset is
    the row's ``clock_offset_s``, the time compared ``api_time_corrected``."""
    _prepare(con, identity, since, until)
    applied: dict[str, float] = {}
    if estimate_clock:
        for row in _estimate(con, MAX_SKEW, MIN_PAIRS).iter_rows(named=True):
            if row["estimated"] and row["offset_s"]:
                applied[row["source"]] = float(row["offset_s"])
    for source, value in (offsets or {}).items():
        applied[source] = value.total_seconds() if isinstance(value, timedelta) else float(value)
    # each list starts with a row matching nothing, so that an empty one still binds with its type
    params = {"window_s": window.total_seconds(),
              "offsets": [{"source": None, "offset_s": 0.0}, *({"source": k, "offset_s": v} for k, v in sorted(applied.items()))],
              "owners": _NO_OWNER}
    sql = query("attribution")
    first = frame(con, sql, params)
    owners = _credential_owners(first)
    result = frame(con, sql, {**params, "owners": _NO_OWNER + owners}) if owners else first
    return result.with_columns(
        pl.when(pl.col("tool_call_uid").is_null()).then(pl.lit("unattributed"))
        .when(pl.col("ambiguous")).then(pl.lit("ambiguous"))
        .otherwise(pl.lit("attributed")).alias("attribution")
    )


_NO_OWNER: list[dict[str, str | None]] = [{"credential": None, "agent_id": None}]


def _credential_owners(rows: pl.DataFrame) -> list[dict[str, str]]:
    """Credentials an API call issued or created within one agent's tool call (attributed without
    doubt, or by its arguments): that agent holds them from then on. A credential two agents were
    handed belongs to neither."""
    sure = rows.filter(pl.col("tool_call_uid").is_not_null() & pl.col("agent").is_not_null()
                       & (~pl.col("ambiguous") | pl.col("resolved_by").is_in(["arguments", "credential"])))
    found: dict[str, set[str]] = {}
    for row in sure.select("agent", "issued_credentials").iter_rows(named=True):
        for uid in row["issued_credentials"] or []:
            found.setdefault(uid, set()).add(row["agent"])
    return [{"credential": uid, "agent_id": next(iter(agents))} for uid, agents in sorted(found.items()) if len(agents) == 1]


def chain(row: dict[str, object]) -> list[dict[str, object]]:
    """The hops of one attribution row, in order, each with the event that proves it."""
    hops: list[dict[str, object]] = []
    if row.get("human"):
        hops.append({"hop": "human", "uid": row["human"], "event_uid": row.get("human_event_uid")})
    if row.get("parent_agent"):
        hops.append({"hop": "agent", "uid": row["parent_agent"], "event_uid": row.get("human_event_uid")})
        hops.append({"hop": "sub-agent", "uid": row["agent"], "event_uid": row.get("spawn_event_uid")})
    elif row.get("agent"):
        hops.append({"hop": "agent", "uid": row["agent"], "event_uid": row.get("human_event_uid")})
    if row.get("tool_call_uid"):
        hops.append({"hop": "tool call", "uid": row["tool_name"], "event_uid": row["tool_call_uid"],
                     "mcp_event_uid": row.get("mcp_call_uid")})
    hops.append({"hop": "credential", "uid": row.get("credential_uid"), "event_uid": row["api_event_uid"]})
    hops.append({"hop": "API call", "uid": row["operation"], "event_uid": row["api_event_uid"]})
    if row.get("resource"):
        hops.append({"hop": "resource", "uid": row["resource"], "event_uid": row["api_event_uid"]})
    return hops
