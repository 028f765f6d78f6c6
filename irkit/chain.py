"""The delegation chain: how authority flowed from a human to what the agent reached, hop by hop.

human (their last sign-in before the conversation) → agent (the invocation acting for them) →
sub-agent (when one made the call) → tool call → every principal and credential the control model
followed to the acting principal (the role assumed and the session that assumed it, the key created,
the impersonation and the token grant behind it) → the API calls → the resources, each hop with the
event that proves it. The chain is drawn to the first production data the agent reached through its
tool calls (inventory ``production``), one branch per principal that reached it, each after the other
in time order (later production accesses of the same principal listed after its first); without
production data, to its first change of privilege, else to its first API call.

Read from the normalized model only (:mod:`irkit.control`, :mod:`irkit.attribution`).
"""

from __future__ import annotations

import fnmatch
from datetime import datetime, timedelta
from typing import Any

import duckdb
import polars as pl

from irkit.attribution import attribute
from irkit.db import frame
from irkit.inventory import Inventory
from irkit.sql import query

#: Later production accesses listed after the key call, at most.
MORE_CALLS = 8


def delegation_chain(con: duckdb.DuckDBPyConnection, inventory: Inventory, identity: str, since: datetime,
                     window: timedelta = timedelta(seconds=5)) -> list[dict[str, object]]:
    """The hops ``{uid, event_uid, link}`` from the human to the resources (see the module docstring)."""
    hops: list[dict[str, object]] = []

    def add(uid: object, event_uid: object, link: str) -> None:
        if uid and event_uid and not any(h["uid"] == uid and h["event_uid"] == event_uid for h in hops):
            hops.append({"uid": uid, "event_uid": event_uid, "link": link})

    conversation = frame(con, query("chain_conversation"), {"identity": identity, "since": since})
    if not conversation.is_empty():
        conv = conversation.row(0, named=True)
        add(conv["human"], conv["human_event_uid"], "the human signed in")
        add(identity, conv["event_uid"], f"{conv['human']} invoked the agent")
    calls = attribute(con, identity, window, since=since)  # leaves control_events for identity from since
    controlled = frame(con, query("chain_controlled"), {"owner": identity, "since": since})
    if controlled.is_empty():
        return hops
    attributed = calls.filter(pl.col("tool_call_uid").is_not_null())
    api = controlled.filter(pl.col("event_uid").is_in(attributed["api_event_uid"].to_list()))
    for key in _key_calls(api if not api.is_empty() else controlled, inventory):
        _branch(con, identity, inventory, key, attributed, controlled, add)
    return hops


def _branch(con: duckdb.DuckDBPyConnection, identity: str, inventory: Inventory, key: dict[str, Any],
            attributed: pl.DataFrame, controlled: pl.DataFrame, add: Any) -> None:
    """The hops from the agent to one key call: every event the control model followed to its principal,
    each after the sub-agent and tool call that made it (a key created by one tool call, used by
    another), then the key call's own tool call, the call and the principal's later production calls."""
    def tool_call(api_event_uid: str) -> None:  # the sub-agent and tool call that made an event, if any
        call = attributed.filter(pl.col("api_event_uid") == api_event_uid)
        if not call.is_empty():
            c = call.row(0, named=True)
            if c["parent_agent"]:
                add(c["agent"], c["spawn_event_uid"], f"{c['parent_agent']} spawned it")
            add(c["tool_name"], c["tool_call_uid"], f"{c['agent']}'s tool call")

    by_uid = {r["event_uid"]: r for r in frame(con, query("chain_events"), {"uids": list(key["path"] or [])}).iter_rows(named=True)}
    for uid in key["path"] or []:
        step = by_uid.get(uid)
        if step is None:
            continue
        tool_call(uid)
        add(step["actor_uid"], uid, f"{step['operation']} ran with this principal")
        for hop in step["delegations"] or []:
            if hop["scope"] == "grant" and hop["to_uid"]:
                parent = next((h["from_uid"] for h in step["delegations"] if h["kind"] == "session_of"
                               and h["to_uid"] == hop["to_uid"]), None)
                add(parent or hop["to_uid"], uid, f"{step['operation']}: {hop['kind'].replace('_', ' ')} into it")
        for cred in step["credentials"] or []:
            if cred["action"] == "created":
                add(cred["uid"], uid, f"{step['operation']} created this {(cred['kind'] or 'credential').replace('_', ' ')}")
    tool_call(key["event_uid"])
    if key["via"] in ("created credential", "issued credential") and key["credential_uid"]:
        add(key["actor_uid"], _first_use(controlled, key["actor_uid"], key["credential_uid"]), "acted with that credential")
    for hop in key["delegations"] or []:
        if hop["scope"] == "event" and hop["from_uid"] and hop["from_uid"] != key["actor_uid"]:
            for uid in (hop["from_uid"], key["actor_uid"]):
                granted = con.execute(query("chain_grant_into"), {"owner": identity, "to": uid, "at": key["time"]}).fetchall()
                add(uid, granted[0][0] if granted else key["event_uid"],
                    "handed to the agent" if granted else f"{hop['kind'].replace('_', ' ')} in the event itself")
    for row in _later_calls(controlled, key, inventory):
        add(row["operation"], row["event_uid"], f"API call by {row['actor_uid']}")
        add(row["target_uid"], row["event_uid"], "the resource")
        for res in row["resources"] or []:
            if inventory.is_production(res["uid"]):
                add(res["uid"], row["event_uid"], "production data it names")


def _production(row: dict[str, Any], inventory: Inventory) -> bool:
    uids = [row["target_uid"], *(r["uid"] for r in row["resources"] or [])]
    return any(u and any(fnmatch.fnmatchcase(u, p) for p in inventory.production) for u in uids)


def _key_calls(api: pl.DataFrame, inventory: Inventory) -> list[dict[str, Any]]:
    """One key call per principal that reached production data (its first such call), in time order;
    else the first call that changed privilege (a created credential, a grant, a delegation in the event
    or one followed to it); else the first call."""
    rows = api.sort("time", "event_uid").to_dicts()
    firsts: dict[str, dict[str, Any]] = {}
    for r in rows:
        if _production(r, inventory):
            firsts.setdefault(r["actor_uid"], r)
    if firsts:
        return sorted(firsts.values(), key=lambda r: (r["time"], r["event_uid"]))
    for test in (lambda r: bool(r["path"]) or r["activity"] == "grant"
                 or any(h["scope"] in ("grant", "event") and h["kind"] != "session_of" for h in r["delegations"] or [])
                 or any(c["action"] == "created" for c in r["credentials"] or []),
                 lambda r: True):
        found = next((r for r in rows if test(r)), None)
        if found is not None:
            return [found]
    return []


def _first_use(controlled: pl.DataFrame, actor: str, credential: str) -> str | None:
    used = controlled.filter((pl.col("actor_uid") == actor) & (pl.col("credential_uid") == credential)).sort("time", "event_uid")
    return None if used.is_empty() else str(used["event_uid"][0])


def _later_calls(controlled: pl.DataFrame, key: dict[str, Any], inventory: Inventory) -> list[dict[str, Any]]:
    """The key call, then the same principal's later accesses to production data (at most MORE_CALLS)."""
    later = controlled.filter((pl.col("actor_uid") == key["actor_uid"]) & (pl.col("time") > key["time"])).sort("time", "event_uid")
    more = [r for r in later.to_dicts() if _production(r, inventory)][:MORE_CALLS]
    return [key, *more]
