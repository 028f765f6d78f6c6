"""Session reconstruction: which bursts of activity belong together, per canonical identity.

Native session ids come first: a CloudTrail temporary access key, an Okta ``externalSessionId``, an
MCP session, a GenAI conversation (the loaders put them in ``session_uid``). Events without one are
cut into sessions by an inactivity gap (30 minutes by default), keyed by canonical identity AND
account, so that an AWS service acting in many accounts never becomes one endless session.

The work is a polars window (``diff().over()`` + ``cum_sum().over()``): measured about 3x faster than
the equivalent DuckDB window query on 2 cores.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb
import polars as pl

from irkit.db import frame
from irkit.sql import query

#: Columns of :func:`sessions`' result.
SESSION_COLUMNS = {
    "session_id": "native session id, or identity|account|start for gap-cut sessions",
    "session_kind": "native or gap",
    "identity_id": "canonical identity (inventory id, role, or the actor uid when unknown); the most active one",
    "identities": "every canonical identity acting in the session (a conversation may hold several agents)",
    "sources": "log sources seen in the session",
    "accounts": "accounts / tenants seen",
    "start": "first event (UTC)",
    "end": "last event (UTC)",
    "duration_s": "end - start in seconds",
    "events": "number of events",
    "failures": "events with status failure",
    "operations": "distinct operations",
    "tools": "tools invoked",
    "targets": "distinct targets",
    "systems": "downstream systems reached",
    "first_seen": "items (system:/tool:/operation:/target:) this identity had never used before the session",
}


def session_events(con: duckdb.DuckDBPyConnection, identities: list[str] | None = None,
                   controlled_by: str | None = None) -> pl.DataFrame:
    """Every event with an actor; or (``identities`` given) just the events of the sessions they acted
    in; or (``controlled_by``) the sessions of the events that owner controls (the ``control_events``
    table :func:`irkit.control.control_events` left on the connection)."""
    if controlled_by is not None:
        return frame(con, query("session_events_controlled"), {"owner": controlled_by})
    if identities is None:
        return frame(con, query("session_events"))
    return frame(con, query("session_events_of"), {"identities": identities})


def assign_sessions(events: pl.DataFrame, gap: timedelta = timedelta(minutes=30)) -> pl.DataFrame:
    """Add ``session_id`` and ``session_kind`` to every event.

    Events without a native id are sorted by (identity, account) and time, and a new session starts
    where the key changes or the gap is exceeded. The key is the integer code of the pair (a
    categorical), so the sort and the cut are numeric; the session id is built once per session."""
    native = events.filter(pl.col("session_uid").is_not_null()).with_columns(
        pl.col("session_uid").alias("session_id"), pl.lit("native").alias("session_kind")
    )
    rest = events.filter(pl.col("session_uid").is_null())
    key = pl.concat_str(["identity_id", "account_uid"], separator="\x1f").cast(pl.Categorical).to_physical()
    rest = rest.with_columns(key.alias("_key")).sort("_key", "time")
    starts = (pl.col("_key") != pl.col("_key").shift()) | (pl.col("time").diff() > gap)
    rest = rest.with_columns(starts.fill_null(True).cum_sum().alias("_n"))
    ids = rest.group_by("_n").agg(
        pl.col("identity_id").first(), pl.col("account_uid").first(), pl.col("time").min().alias("_start")
    ).select(
        "_n",
        pl.concat_str(
            [pl.col("identity_id"), pl.col("account_uid"), pl.col("_start").dt.strftime("%Y-%m-%dT%H:%M:%SZ")],
            separator="|",
        ).alias("session_id"),
    )
    rest = rest.join(ids, on="_n", how="left").with_columns(pl.lit("gap").alias("session_kind")).drop("_key", "_n")
    return pl.concat([native, rest.select(native.columns)], how="vertical")


def _first_use(events: pl.DataFrame) -> pl.DataFrame:
    """Per session, the items (``system:``/``tool:``/``operation:``/``target:``) that an identity acting in
    it used there for the first time. Each column is grouped on its own and labelled only once grouped,
    so no per-event strings are built."""
    items = []
    for column, label in (("target_system", "system"), ("tool_name", "tool"), ("operation", "operation"), ("target_uid", "target")):
        items.append(
            events.filter(pl.col(column).is_not_null())
            .group_by("identity_id", column)
            .agg(pl.col("session_id").get(pl.col("time").arg_min()))
            .select("session_id", (pl.lit(label + ":") + pl.col(column)).alias("item"))
        )
    return pl.concat(items).group_by("session_id").agg(pl.col("item").sort().alias("first_seen"))


def summarize(events: pl.DataFrame) -> pl.DataFrame:
    """One row per session (see :data:`SESSION_COLUMNS`)."""
    if events.is_empty():
        return pl.DataFrame(schema={"session_id": pl.String})
    summary = events.group_by("session_id").agg(
        pl.col("session_kind").first(),
        pl.col("identity_id").mode().sort().first(),
        pl.col("identity_id").unique().sort().alias("identities"),
        pl.col("source").unique().sort().alias("sources"),
        pl.col("account_uid").filter(pl.col("account_uid") != "").unique().sort().alias("accounts"),
        pl.col("time").min().alias("start"),
        pl.col("time").max().alias("end"),
        pl.len().alias("events"),
        (pl.col("status") == "failure").sum().alias("failures"),
        pl.col("operation").n_unique().alias("operations"),
        pl.col("tool_name").drop_nulls().unique().sort().alias("tools"),
        pl.col("target_uid").drop_nulls().n_unique().alias("targets"),
        pl.col("target_system").drop_nulls().unique().sort().alias("systems"),
    )
    # An identity's first session has no history to compare with: nothing in it counts as first seen.
    history_start = events.group_by("identity_id").agg(pl.col("time").min().alias("_history"))
    summary = (
        summary.join(_first_use(events), on="session_id", how="left")
        .join(history_start, on="identity_id", how="left")
        .with_columns(
            pl.when(pl.col("start") > pl.col("_history"))
            .then(pl.col("first_seen").fill_null([]))
            .otherwise(pl.lit([], dtype=pl.List(pl.String)))
            .alias("first_seen"),
            (pl.col("end") - pl.col("start")).dt.total_seconds().alias("duration_s"),
        )
        .drop("_history")
    )
    return summary.select(list(SESSION_COLUMNS)).sort("start", "session_id")


def sessions(
    con: duckdb.DuckDBPyConnection,
    identities: list[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    gap: timedelta = timedelta(minutes=30),
    controlled_by: str | None = None,
) -> pl.DataFrame:
    """Sessions in which any of ``identities`` (or anyone; or, with ``controlled_by``, the events that
    owner controls) acted, overlapping [since, until].

    A native session is summarized over every record that carries its id, whoever acted in it. Only
    the events of the wanted sessions are read (the lake's other events never reach polars); first-seen
    items are judged against each analysed identity's whole history, not only the window."""
    result = summarize(assign_sessions(session_events(con, identities, controlled_by), gap))
    if result.is_empty():
        return result
    if since is not None:
        result = result.filter(pl.col("end") >= since)
    if until is not None:
        result = result.filter(pl.col("start") <= until)
    return result
