"""Control: which events an identity is responsible for, bounded in time and by event.

Every containment answer (blast radius, attribution scope, sessions with reach, triggers, the
revocation checklist) starts from one question: which events did the suspect make, directly or
through something it obtained? This module answers it once, from the vendor-neutral model the
loaders write (``delegations``, ``credentials``; docs/normalization.md), never from a vendor's fields.

An owner controls an event when (``sql/control_step.sql``):

* the event acts as the owner's own identity (its aliases, its role sessions);
* it was made with a credential that one of the owner's controlled events created or was issued
  (an access key it created for another user, the temporary key of a role it assumed, a token it was
  handed), from that moment on;
* it carries an event-scope delegation hop from the owner: the impersonation recorded in the event
  itself (GCP ``serviceAccountDelegationInfo``, Kubernetes ``--as``) — that event and nothing else;
* it acts as a sub-agent one of the owner's agent invocations started, within that invocation's span;
* it acts as a principal that signed in with such a credential, from the same address, until the
  token that sign-in issued expires (else :data:`SESSION_SECONDS`): many token consumers (Key Vault,
  Storage, Graph) log the principal and its client, never the token, and the principal's own jobs
  sign in with their own credential from their own hosts.

A principal is never controlled as such. A shared service account the agent impersonated once keeps
its own jobs; a human who assumes a role the agent once used is not the agent. The rules are applied
until nothing new is handed over (a role assumed with a key the agent created, a sub-agent's
sub-agent), at most :data:`MAX_ROUNDS` times.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import duckdb
import polars as pl
import pyarrow as pa

from irkit.db import frame
from irkit.sql import query

MAX_ROUNDS = 12

#: Columns of :func:`control_events`.
CONTROL_COLUMNS = {
    "owner": "the identity responsible",
    "event_uid": "the controlled event",
    "via": "self, sub-agent, role session, created credential, issued credential, impersonation token, "
           "federated token, or the delegation hop kind carried by the event (impersonate, on_behalf_of, ...)",
    "proof_event_uid": "the event that handed the owner this control (null for its own events)",
    "path": "the events that led from the owner to this control, in order (the proof's own path first)",
}

_PRINCIPALS = pa.schema([("owner", pa.string()), ("identity", pa.string()),
                         ("from_time", pa.timestamp("us", tz="UTC")), ("to_time", pa.timestamp("us", tz="UTC")),
                         ("via", pa.string()), ("proof_event_uid", pa.string()), ("path", pa.list_(pa.string()))])
_CREDENTIALS = pa.schema([("owner", pa.string()), ("uid", pa.string()), ("from_time", pa.timestamp("us", tz="UTC")),
                          ("via", pa.string()), ("proof_event_uid", pa.string()), ("path", pa.list_(pa.string()))])
_SESSIONS = pa.schema([("owner", pa.string()), ("uid", pa.string()), ("src_ip", pa.string()),
                       ("from_time", pa.timestamp("us", tz="UTC")), ("to_time", pa.timestamp("us", tz="UTC")),
                       ("via", pa.string()), ("proof_event_uid", pa.string()), ("path", pa.list_(pa.string()))])
#: How long a sign-in's session lasts when its record gives no token expiry (an hour: the default
#: lifetime of Entra, Okta and Google access tokens).
SESSION_SECONDS = 3600


def control_events(con: duckdb.DuckDBPyConnection, owners: Sequence[str], since: datetime | None,
                   until: datetime | None) -> pl.DataFrame:
    """One row per (owner, event) the owners control in [since, until] (see the module docstring and
    :data:`CONTROL_COLUMNS`), as :func:`compute_control` leaves them in ``control_events``."""
    compute_control(con, owners, since, until)
    return frame(con, "SELECT * FROM control_events ORDER BY owner, event_uid")


def compute_control(con: duckdb.DuckDBPyConnection, owners: Sequence[str], since: datetime | None,
                    until: datetime | None) -> None:
    """Compute what the owners control in [since, until] into the temp view ``control_events`` of
    ``con`` (:data:`CONTROL_COLUMNS`; over the tables ``control_self`` and ``control_other``), the credentials handed over into ``control_credentials`` and the
    sub-agent invocations (with the invocation enclosing each) into ``control_spawns``."""
    con.register("control_owners_arrow", pa.table({"owner": pa.array(sorted(set(owners)), pa.string())}))
    con.execute("CREATE OR REPLACE TEMP TABLE control_owners AS SELECT owner FROM control_owners_arrow").fetchall()
    con.unregister("control_owners_arrow")
    window = {"since": since, "until": until}
    con.execute(query("control_source")).fetchall()
    actors = [r[0] for r in con.execute(query("control_own_actors")).fetchall()]
    con.execute("CREATE OR REPLACE TEMP TABLE control_candidates AS " + query("control_candidates"),
                {**window, "actors": actors}).fetchall()
    con.execute("CREATE OR REPLACE TEMP TABLE control_self AS " + query("control_self")).fetchall()
    con.execute("CREATE OR REPLACE TEMP TABLE control_spawns AS " + query("control_spawns")).fetchall()
    spawns = frame(con, "SELECT * FROM control_spawns")
    principals = pa.Table.from_pylist([], schema=_PRINCIPALS)
    credentials = pa.Table.from_pylist([], schema=_CREDENTIALS)
    sessions = pa.Table.from_pylist([], schema=_SESSIONS)
    scanned = (0, 0)  # the credentials and sessions the candidates were last extended with
    for _ in range(MAX_ROUNDS):
        _set(con, "control_principals", principals)
        _set(con, "control_credentials", credentials)
        _set(con, "control_sessions", sessions)
        if (credentials.num_rows or sessions.num_rows) and (credentials.num_rows, sessions.num_rows) != scanned:
            con.execute(query("control_more"), {**window, "credentials": credentials.column("uid").to_pylist(),
                                                "principals": sessions.column("uid").to_pylist()}).fetchall()
            scanned = (credentials.num_rows, sessions.num_rows)
        con.execute("CREATE OR REPLACE TEMP TABLE control_other AS " + query("control_step")).fetchall()
        con.execute(_CONTROL_EVENTS).fetchall()
        grants = frame(con, query("control_grants"), {"session_s": SESSION_SECONDS})
        new_principals = _spawned(con, spawns, principals)
        new_credentials = _new_credentials(grants.filter(pl.col("what") == "credential"), credentials)
        new_sessions = _new_sessions(grants.filter(pl.col("what") == "session"), sessions)
        if (new_principals.num_rows, new_credentials.num_rows, new_sessions.num_rows) == (
                principals.num_rows, credentials.num_rows, sessions.num_rows):
            break
        principals, credentials, sessions = new_principals, new_credentials, new_sessions


_CONTROL_EVENTS = ("CREATE OR REPLACE TEMP VIEW control_events AS "
                   "SELECT * FROM control_self UNION ALL SELECT * FROM control_other")


def _set(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
    con.register(f"{name}_arrow", table)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}_arrow").fetchall()
    con.unregister(f"{name}_arrow")


def _new_credentials(grants: pl.DataFrame, known: pa.Table) -> pa.Table:
    """Every credential handed over so far, first handing kept (grants are recomputed each round)."""
    rows = grants.select("owner", "uid", "from_time", "via", "proof_event_uid", "path")
    merged = pl.concat([pl.from_arrow(known), rows], how="vertical_relaxed") if known.num_rows else rows
    merged = merged.sort("from_time", "proof_event_uid").unique(["owner", "uid"], keep="first", maintain_order=True)
    return merged.to_arrow().cast(_CREDENTIALS)


def _new_sessions(grants: pl.DataFrame, known: pa.Table) -> pa.Table:
    """Every sign-in session opened so far (grants are recomputed each round)."""
    rows = grants.select("owner", "uid", "src_ip", "from_time", "to_time", "via", "proof_event_uid", "path")
    merged = pl.concat([pl.from_arrow(known), rows], how="vertical_relaxed") if known.num_rows else rows
    merged = merged.unique(["owner", "proof_event_uid"], keep="first", maintain_order=True)
    return merged.to_arrow().cast(_SESSIONS)


def _spawned(con: duckdb.DuckDBPyConnection, spawns: pl.DataFrame, known: pa.Table) -> pa.Table:
    """The sub-agent invocations whose enclosing invocation is a controlled event, as time-bounded
    principals of that event's owner (a sub-agent's own sub-agents follow in the next round)."""
    if spawns.is_empty():
        return known
    controlled = _controlled_parents(con, spawns)
    rows = (spawns.join(controlled, on="parent_event_uid", how="inner")
            .filter(pl.col("identity") != pl.col("owner"))
            .select("owner", "identity", "from_time", "to_time", pl.lit("sub-agent").alias("via"),
                    pl.col("event_uid").alias("proof_event_uid"),
                    pl.col("path").list.concat(pl.concat_list(pl.col("event_uid"))).alias("path")))
    merged = pl.concat([pl.from_arrow(known), rows], how="vertical_relaxed") if known.num_rows else rows
    merged = merged.unique(["owner", "identity", "proof_event_uid"], keep="first", maintain_order=True)
    return merged.to_arrow().cast(_PRINCIPALS)


def _controlled_parents(con: duckdb.DuckDBPyConnection, spawns: pl.DataFrame) -> pl.DataFrame:
    con.register("control_spawn_parents", pa.table({"uid": pa.array(spawns["parent_event_uid"].unique().to_list(), pa.string())}))
    try:
        return frame(con, "SELECT owner, event_uid AS parent_event_uid, path FROM control_events "
                          "WHERE event_uid IN (SELECT uid FROM control_spawn_parents)")
    finally:
        con.unregister("control_spawn_parents")
