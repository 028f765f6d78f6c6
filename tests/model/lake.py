"""A lake of normalized events written by hand, for testing analyses on the vendor-neutral model alone.

Analyses read only the normalized columns (never a source's fields), so they can be tested on events
stated directly in that model: each test states the story's records as the loaders would normalize
them, and the expected answer from the story. Rows name only the columns they need; the rest are null.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb
import pyarrow as pa

from irkit.db import connect, run_script
from irkit.derived import DERIVED_TABLES
from irkit.inventory import Identity, Inventory
from irkit.schema import EVENT_SCHEMA
from irkit.sql import query

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def hop(kind: str, frm: str, to: str, scope: str, credential: str | None = None,
        expires: datetime | None = None) -> dict[str, Any]:
    return {"kind": kind, "from_uid": frm, "to_uid": to, "credential_uid": credential, "scope": scope, "expires": expires}


def cred(uid: str, action: str, kind: str = "other", principal: str | None = None, name: str | None = None) -> dict[str, Any]:
    return {"uid": uid, "kind": kind, "action": action, "principal_uid": principal, "name": name, "expires": None}


def event(uid: str, minutes: float, actor: str, operation: str = "op", **fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = {name: None for name in EVENT_SCHEMA.names}
    row.update({"event_uid": uid, "time": at(minutes), "source": "model", "class_name": "api_activity",
                "operation": operation, "status": "success", "actor_uid": actor, "delegations": [],
                "credentials": [], "resources": [], "raw": "{}", "evidence_file": "model", "evidence_offset": 1})
    if "credential_uid" in fields and fields["credential_uid"] and not any(
            c["action"] == "used" for c in fields.get("credentials", [])):
        fields.setdefault("credentials", []).append(cred(fields["credential_uid"], "used"))
    row.update(fields)
    return row


def lake(rows: list[dict[str, Any]], identities: Sequence[Identity] = (),
         production: tuple[str, ...] = ()) -> duckdb.DuckDBPyConnection:
    """A connection whose ``events`` view holds ``rows``, with the inventory and the derived tables."""
    con = connect()
    table = pa.Table.from_pylist(rows, schema=EVENT_SCHEMA)
    con.register("events_arrow", table)
    con.execute("CREATE TEMP TABLE events_table AS SELECT *, CAST(time AS DATE) AS day FROM events_arrow")
    con.execute("CREATE VIEW events AS SELECT * FROM events_table")
    inventory = Inventory(identities={i.id: i for i in identities}, production=production)
    con.register("inventory_aliases", inventory.alias_table())
    con.register("inventory_identities", inventory.identity_table())
    for name in DERIVED_TABLES:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS " + run_script(con, query(f"view_{name}")))
    return con
