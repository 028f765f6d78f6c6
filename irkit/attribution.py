"""Attribution: which agent tool call caused each cloud API call made with the agent's credentials.

No other tool joins an agent's own telemetry (MCP tool calls, GenAI spans) to the cloud audit trail
of the credentials it used. irkit does it by identity and time: an API call made by the agent or by
anything it reached (sub-agents, assumed roles, credentials it created) is paired with the nearest
tool call that preceded it within a window (default 5 s). Several candidates within the window make
the pairing *ambiguous*: the row says so and lists them all.

Each row is one hop chain: human → agent → sub-agent → tool call → credential → API call → resource,
every hop with the event that proves it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb
import polars as pl

from irkit.db import frame
from irkit.identity import _delegation_edges, walk
from irkit.sql import query


def reached_identities(con: duckdb.DuckDBPyConnection, identity: str) -> list[str]:
    """The identity and every identity downstream of it by delegation (sub-agents, roles, sessions)."""
    edges = _delegation_edges(con)
    return [identity, *sorted({hop.dst for hop in walk(edges, identity, upstream=False)})]


def created_credentials(con: duckdb.DuckDBPyConnection, identities: list[str]) -> list[str]:
    rows = con.execute(
        "SELECT DISTINCT dst FROM identity_edges WHERE kind = 'created_credential' AND list_contains($ids, src_identity)",
        {"ids": identities},
    ).fetchall()
    return sorted(r[0] for r in rows)


def attribute(
    con: duckdb.DuckDBPyConnection, identity: str, window: timedelta = timedelta(seconds=5)
) -> pl.DataFrame:
    """One row per API call made with ``identity``'s credentials (or those of what it reached), with
    the tool call that caused it (null when none preceded it within ``window``) and the full chain."""
    identities = reached_identities(con, identity)
    credentials = created_credentials(con, identities)
    result = frame(
        con,
        query("attribution"),
        {"identities": identities, "credentials": credentials, "window_s": window.total_seconds()},
    )
    return result.with_columns(
        pl.when(pl.col("tool_call_uid").is_null()).then(pl.lit("unattributed"))
        .when(pl.col("ambiguous")).then(pl.lit("ambiguous"))
        .otherwise(pl.lit("attributed")).alias("attribution")
    )


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


def delegation_chain(
    con: duckdb.DuckDBPyConnection, identity: str, since: datetime, window: timedelta = timedelta(seconds=5)
) -> list[dict[str, object]]:
    """How authority flowed into the incident, hop by hop, each hop with the event that proves it:
    the human who started the conversation (their last sign-in before it), the agent (the
    ``invoke_agent`` span carrying the human's user id), a sub-agent it spawned, and — following the
    first role assumption attributed to their tool calls since ``since`` — the principal that assumed
    the role and the role it assumed."""
    chain_rows: list[dict[str, object]] = []
    conversation = frame(con, query("chain_conversation"), {"identity": identity, "since": since})
    if not conversation.is_empty():
        conv = conversation.row(0, named=True)
        if conv["human_event_uid"]:
            chain_rows.append({"uid": conv["human"], "event_uid": conv["human_event_uid"],
                               "link": "the human signed in"})
        chain_rows.append({"uid": identity, "event_uid": conv["event_uid"],
                           "link": f"{conv['human']} invoked the agent"})
    calls = attribute(con, identity, window).filter(
        (pl.col("api_time") >= since) & pl.col("operation").str.starts_with("AssumeRole") & pl.col("tool_call_uid").is_not_null()
    )
    if calls.is_empty():
        return chain_rows
    first = calls.row(0, named=True)
    if first["parent_agent"]:
        chain_rows.append({"uid": first["agent"], "event_uid": first["spawn_event_uid"],
                           "link": f"{first['parent_agent']} spawned it"})
    chain_rows.append({"uid": first["actor_uid"], "event_uid": first["api_event_uid"],
                       "link": f"its {first['tool_name']} tool call ran with this principal"})
    chain_rows.append({"uid": first["resource"], "event_uid": first["api_event_uid"],
                       "link": f"{first['operation']} into this role"})
    return chain_rows
