"""Revocation verification and over-privilege: prove that everything the suspect could use was cut off
and went quiet, and show what it was granted against what it used.

Revocations come from the incident file (``revocations:``) or the command line (``--revoked-at``). A
target is a principal or credential uid (revoked from its time on), a role ARN (revoking a role's
sessions kills those issued before, not later ones a legitimate admin opens), a canonical identity id
or ``*`` (every principal of the suspect). Once the suspect is contained (its last revocation), a
credential it created during the incident counts as its own: still using it afterwards is activity
after revocation even though nobody revoked that key, which is exactly the persistence a responder misses.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb
import polars as pl
import pyarrow as pa

from irkit.db import frame
from irkit.errors import UsageError
from irkit.identity import resolve_name
from irkit.incident import Incident
from irkit.inventory import Identity, Inventory
from irkit.sql import query
from irkit.triggers import Scope, TriggerRules, build_scope, default_window

_REVOKED_SCHEMA = pa.schema([("uid", pa.string()), ("match", pa.string()), ("revoked_at", pa.timestamp("us", tz="UTC")),
                             ("target", pa.string()), ("action", pa.string()), ("reason", pa.string())])


def _identity_of(con: duckdb.DuckDBPyConnection, inventory: Inventory, uid: str) -> str | None:
    try:
        return resolve_name(con, inventory, uid).id
    except UsageError:
        return None


def containment(con: duckdb.DuckDBPyConnection, inventory: Inventory, incident: Incident) -> dict[str, datetime]:
    """identity -> when its last revocation happened (``*`` counts for the suspect)."""
    out: dict[str, datetime] = {}
    for r in incident.revocations:
        ident = incident.suspect if r.target == "*" else _identity_of(con, inventory, r.target)
        if ident:
            ident = _identity_of(con, inventory, ident) or ident
            out[ident] = max(out.get(ident, r.at), r.at)
    return out


def revoked_table(con: duckdb.DuckDBPyConnection, inventory: Inventory, incident: Incident,
                  created: pl.DataFrame) -> pa.Table:
    """``trigger_revoked``: what counts as revoked from when (see the module docstring)."""
    rows: list[dict[str, Any]] = []
    contained = containment(con, inventory, incident)
    suspect = _identity_of(con, inventory, incident.suspect) if incident.suspect else None
    expand = {suspect} if suspect in contained else set()
    for r in incident.revocations:
        if r.target == "*" or r.target in inventory.identities:  # the whole identity, not one of its uids
            expand.add((suspect if r.target == "*" else r.target) or "")
            continue
        reason = f"{r.target} revoked"
        rows.append({"uid": r.target, "match": "principal", "revoked_at": r.at,
                     "target": r.target, "action": r.action, "reason": reason})
    for ident in sorted(i for i in expand if i):
        at = contained.get(ident)
        if at is None:
            continue
        for uid in _principals(con, inventory, ident):
            rows.append({"uid": uid, "match": "principal", "revoked_at": at,
                         "target": ident, "action": f"{ident} contained", "reason": f"{ident} contained"})
    for cred, creator, event in created.select("credential_uid", "creator_identity", "event_uid").iter_rows():
        at = contained.get(creator)
        if at is not None:
            rows.append({"uid": cred, "match": "principal", "revoked_at": at, "target": creator,
                         "action": f"{creator} contained",
                         "reason": f"created by {creator} during the incident (event {event}), never revoked"})
    return pa.Table.from_pylist(rows, schema=_REVOKED_SCHEMA)


def _principals(con: duckdb.DuckDBPyConnection, inventory: Inventory, ident: str) -> list[str]:
    """Every uid acting as ``ident`` except sessions of another principal (their keys are judged through
    the principal they are sessions of: revoking a role's sessions kills those opened before)."""
    rows = con.execute("SELECT actor_uid FROM actors WHERE identity_id = $i AND session_of IS NULL",
                       {"i": ident}).fetchall()
    declared = inventory.identities.get(ident)
    return sorted({r[0] for r in rows} | set(declared.aliases if declared else ()))


def after_revocation(con: duckdb.DuckDBPyConnection, inventory: Inventory, incident: Incident, scope: Scope) -> pl.DataFrame:
    """Rows of the ``activity_after_revocation`` trigger (``sql/triggers_after_revocation.sql``)."""
    table = revoked_table(con, inventory, incident, scope.created)
    empty = pl.DataFrame(schema={"identity": pl.String, "subject": pl.String, "time": pl.Datetime("us", "UTC"),
                                 "evidence": pl.List(pl.String)})
    if table.num_rows == 0:
        return empty
    con.register("trigger_revoked", table)
    rows = frame(con, query("triggers_after_revocation"), {"until": scope.until})
    attributed = dict(scope.created.select("credential_uid", "creator_identity").iter_rows())
    return rows.with_columns(
        pl.col("subject").replace_strict(attributed, default=None).alias("attributed_to"),
        pl.when(pl.col("subject").is_in(list(attributed))).then(pl.lit("created credential"))
        .otherwise(pl.lit("self")).alias("via"),
    )


# -- the checklist -----------------------------------------------------------------------------------
CHECKLIST_COLUMNS = {
    "item": "credential or identity uid", "kind": "credential or identity",
    "identity": "whose it is (the identity acting with it)", "via": "how the suspect had it",
    "created_by_event": "for credentials created during the incident: the event that created them",
    "first_use": "first use in the window", "last_use": "last use up to the end of the window",
    "uses": "events in the window", "revocation_path": "how to revoke it (inventory)",
    "revoked": "whether a revocation covers it", "revoked_at": "when", "revoked_by": "the revocation",
    "reference_time": "revocation, else the suspect's containment", "uses_after": "events after reference_time",
    "first_after": "first such event time", "first_after_event": "its id", "last_after": "last such event time",
    "status": "quiet | USED AFTER REVOCATION | NOT REVOKED | not revoked, quiet",
}


def revocation_checklist(con: duckdb.DuckDBPyConnection, inventory: Inventory, incident: Incident, suspect: str,
                         since: datetime | None = None, until: datetime | None = None) -> pl.DataFrame:
    """Every credential and identity the suspect (and what it reached) used or created in the window,
    with its revocation path, whether it was revoked and whether it went quiet (see CHECKLIST_COLUMNS)."""
    since, until = default_window(con, incident, since, until)
    scope = build_scope(con, [suspect], since, until, TriggerRules())
    used = frame(con, "SELECT credential_uid AS item, arg_min(actor_identity, time) AS identity, arg_min(via, time) AS via "
                      "FROM trigger_events WHERE period = 'window' AND credential_uid IS NOT NULL GROUP BY 1")
    actors = frame(con, "SELECT actor_uid AS item, arg_min(actor_identity, time) AS identity, arg_min(via, time) AS via "
                        "FROM trigger_events WHERE period = 'window' AND via <> 'created credential' "
                        "AND actor_uid NOT IN (SELECT actor_uid FROM actors WHERE session_of IS NOT NULL) "
                        "AND actor_uid NOT IN (SELECT credential_uid FROM trigger_events WHERE credential_uid IS NOT NULL) GROUP BY 1")
    created = scope.created.select(pl.col("credential_uid").alias("item"), pl.col("creator_identity").alias("creator"),
                                   pl.col("event_uid").alias("created_by_event"), pl.col("target_uid"))
    creds = (used.join(created, on="item", how="full", coalesce=True)
             .with_columns(pl.coalesce("identity", "target_uid").alias("identity"),
                           pl.when(pl.col("created_by_event").is_not_null())
                           .then(pl.lit("created by ") + pl.col("creator")).otherwise(pl.col("via")).alias("via"),
                           pl.lit("credential").alias("kind")).drop("creator", "target_uid"))
    items = pl.concat([creds, actors.with_columns(pl.lit(None, pl.String).alias("created_by_event"),
                                                  pl.lit("identity").alias("kind"))], how="diagonal")
    contained = containment(con, inventory, incident)
    suspect_at = contained.get(suspect)
    revoked = _revocation_times(con, inventory, incident, items)
    items = items.with_columns(
        pl.col("item").replace_strict({k: v[0] for k, v in revoked.items()}, default=None,
                                      return_dtype=pl.Datetime("us", "UTC")).alias("revoked_at"),
        pl.col("item").replace_strict({k: v[1] for k, v in revoked.items()}, default=None).alias("revoked_by"),
    ).with_columns(pl.col("revoked_at").is_not_null().alias("revoked"),
                   pl.col("revoked_at").fill_null(pl.lit(suspect_at, pl.Datetime("us", "UTC"))).alias("reference_time"))
    con.register("revocation_items", items.select(pl.col("item").alias("uid"), pl.col("reference_time").alias("after")).to_arrow())
    usage = frame(con, query("triggers_revocation_usage"), {"since": since, "until": until}).rename({"uid": "item"})
    items = items.join(usage, on="item", how="left").with_columns(
        pl.col("uses_after").fill_null(0),
        pl.struct("item", "identity").map_elements(lambda r: _revocation_path(inventory, r["item"], r["identity"]),
                                                   return_dtype=pl.String).alias("revocation_path"))
    items = items.with_columns(
        pl.when(pl.col("revoked") & (pl.col("uses_after") == 0)).then(pl.lit("quiet"))
        .when(pl.col("uses_after") > 0).then(pl.lit("USED AFTER REVOCATION"))
        .when(pl.col("created_by_event").is_not_null()).then(pl.lit("NOT REVOKED"))
        .otherwise(pl.lit("not revoked, quiet")).alias("status"))
    order = {"USED AFTER REVOCATION": 0, "NOT REVOKED": 1, "not revoked, quiet": 2, "quiet": 3}
    return (items.with_columns(pl.col("status").replace_strict(order, return_dtype=pl.Int64).alias("_o"))
            .sort("_o", "kind", "first_use", "item", nulls_last=True).drop("_o").select(list(CHECKLIST_COLUMNS)))


def _revocation_times(con: duckdb.DuckDBPyConnection, inventory: Inventory, incident: Incident,
                      items: pl.DataFrame) -> dict[str, tuple[datetime, str]]:
    """item -> (revoked at, by what): a revocation naming it; for a credential, the revocation of every
    principal that used it (a role session's key: its role, if the key predates the revocation)."""
    direct: dict[str, tuple[datetime, str]] = {}
    for r in incident.revocations:
        key = r.target.lower()
        if key not in direct or r.at < direct[key][0]:
            direct[key] = (r.at, f"{r.action or 'revoked'} ({r.target})")
    out = {item: direct[item.lower()] for item in items["item"].to_list() if item.lower() in direct}
    # an identity whose own uids were revoked is contained as a whole (an agent id is no credential: it is
    # cut off with its role, app, bot and service account), from its last revocation
    contained = containment(con, inventory, incident)
    for item, kind, ident in items.select("item", "kind", "identity").iter_rows():
        if kind == "identity" and item not in out:
            owner = _identity_of(con, inventory, item) or ident
            if owner in contained:
                targets = [r.target for r in incident.revocations
                           if r.target != "*" and _identity_of(con, inventory, r.target) == owner]
                out[item] = (contained[owner], f"{owner} contained ({', '.join(targets) or 'all of it'})")
    creds = items.filter((pl.col("kind") == "credential") & pl.col("created_by_event").is_null())["item"].to_list()
    for cred, actors, roles, first_seen in frame(con, query("triggers_revocation_credentials"),
                                                 {"credentials": creds}).iter_rows():
        if cred in out:
            continue
        times = []
        for actor in actors:
            hit = direct.get(actor.lower())
            if hit is None:
                role = next((r for r in roles or [] if r.lower() in direct and first_seen <= direct[r.lower()][0]), None)
                hit = direct.get(role.lower()) if role else None
            if hit is None:
                break
            times.append(hit)
        else:
            if times:
                out[cred] = max(times)
    return out


def _revocation_path(inventory: Inventory, item: str, identity: str | None) -> str:
    ident = inventory.resolve(item) or (inventory.identities.get(identity) if identity else None)
    if ident is None:
        return "none: not in the inventory"
    step = next((s for s in ident.revocation_steps if s.get("target", "").lower() == item.lower()), None)
    return f"{step.get('action')} ({ident.id})" if step else (ident.revocation_path or f"none declared for {ident.id}")


def revocations(con: duckdb.DuckDBPyConnection, incident: Incident, slack_s: int = 300) -> pl.DataFrame:
    """The incident's revocations, each with the logged event that carried it out (null when none found
    within ``slack_s`` seconds: then the revocation is only the responder's word)."""
    forms = []
    for r in incident.revocations:
        variants = {r.target, r.target.removesuffix("[bot]")}
        parts = r.target.split(":")
        if r.target.startswith("system:serviceaccount:") and len(parts) == 4:
            variants.add(f"namespaces/{parts[2]}/serviceaccounts/{parts[3]}")
        forms += [{"target": r.target, "at": r.at, "action": r.action, "form": f} for f in sorted(variants)]
    base = pl.DataFrame([{"target": r.target, "at": r.at, "action": r.action} for r in incident.revocations],
                        schema={"target": pl.String, "at": pl.Datetime("us", "UTC"), "action": pl.String})
    if not forms:
        return base.with_columns(pl.lit(None, pl.String).alias("event_uid"), pl.lit(False).alias("confirmed"))
    con.register("revocation_forms", pa.Table.from_pylist(forms, schema=pa.schema(
        [("target", pa.string()), ("at", pa.timestamp("us", tz="UTC")), ("action", pa.string()), ("form", pa.string())])))
    found = frame(con, query("triggers_revocation_confirm"), {"slack_s": slack_s})
    return (base.join(found.drop("action"), on=["target", "at"], how="left")
            .with_columns(pl.col("event_uid").is_not_null().alias("confirmed")).sort("at"))


# -- over-privilege ----------------------------------------------------------------------------------
def over_privilege(con: duckdb.DuckDBPyConnection, inventory: Inventory, since: datetime | None,
                   until: datetime | None, identities: list[str] | None = None) -> pl.DataFrame:
    """Granted (inventory scope) versus used in the window, per identity with a declared scope: one row
    per (identity, dimension, item) with ``granted``, ``used`` and ``status`` ('used, granted',
    'USED, NOT GRANTED', 'granted, unused'). Unused grants are the over-privilege; used-but-not-granted
    items mean the inventory (or the identity) is wrong."""
    declared = [i for i in inventory.identities.values() if (i.tools or i.systems or i.data)
                and (identities is None or i.id in identities)]
    used = frame(con, query("triggers_over_privilege"),
                 {"since": since, "until": until, "identities": [i.id for i in declared]})
    rows: list[dict[str, Any]] = []
    for ident in declared:
        mine = used.filter(pl.col("identity") == ident.id)
        for dimension, patterns in (("tool", ident.tools), ("system", ident.systems), ("data", ident.data)):
            items = mine.filter(pl.col("dimension") == dimension)
            matched: set[str] = set()
            for row in items.iter_rows(named=True):
                grant = next((p for p in patterns if _inside(dimension, row["item"], p)), None)
                if grant:
                    matched.add(grant)
                rows.append({**row, "granted": grant is not None, "grant": grant, "used": True,
                             "status": "used, granted" if grant else "USED, NOT GRANTED"})
            rows += [{"identity": ident.id, "dimension": dimension, "item": p, "events": 0, "granted": True,
                      "grant": p, "used": False, "status": "granted, unused"} for p in patterns if p not in matched]
    schema: dict[str, Any] = {"identity": pl.String, "dimension": pl.String, "item": pl.String, "status": pl.String,
              "granted": pl.Boolean, "grant": pl.String, "used": pl.Boolean, "events": pl.Int64,
              "first_used": pl.Datetime("us", "UTC"), "last_used": pl.Datetime("us", "UTC"), "first_event_uid": pl.String}
    return pl.DataFrame(rows, schema=schema).sort("identity", "dimension", "status", "item")


def _inside(dimension: str, item: str, pattern: str) -> bool:
    probe = Identity(id="probe", tools=(pattern,), systems=(pattern,), data=(pattern,))
    if dimension == "tool":
        return probe.may_use_tool(item)
    if dimension == "system":
        return probe.may_reach_system(item)
    return probe.may_touch(item) or probe.may_touch(item + "/")
