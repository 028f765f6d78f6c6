"""What is missing, and for how long what is needed will still be there.

For each system the suspect's chain touched (its controlled events' target systems and the systems their
resources name; :mod:`irkit.control`), the log sources that record that system (the table
``irkit/collect/retention.json``: data, not code) are checked against the lake:

* **present**: the log holds records around the time the suspect was there;
* **partial**: a log that records every action on its systems has no record in an hour in which another
  log shows the suspect acting on them (nor the hour either side), or its tool calls carry no arguments;
* **absent**: the lake holds none of it.

A log that is not present costs the analyses the answers the table names for it. Every log gets the date
its oldest needed record (the suspect's first event on the systems it covers) expires under the vendor's
default retention, the days left from ``as_of``, and the command that preserves it now. This reads only
the normalized model and the table; it never names a source itself nor reads ``raw``.
"""

from __future__ import annotations

import fnmatch
import json
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib.resources import files
from typing import Any

import duckdb
import polars as pl

from irkit.db import frame
from irkit.sql import query

STATUS_ORDER = {"absent": 0, "partial": 1, "unknown": 2, "present": 3}

COLUMNS = ("log", "status", "systems", "records", "first", "last", "detail", "costs", "retention_days",
           "oldest_needed", "expires", "days_left", "retention_note", "preserve")


@cache
def retention_table() -> tuple[dict[str, Any], ...]:
    """The log sources, what they record, their default retention and how to preserve them."""
    text = files("irkit.collect").joinpath("retention.json").read_text(encoding="utf-8")
    return tuple(json.loads(text)["logs"])


def coverage(con: duckdb.DuckDBPyConnection, owner: str | None, since: datetime | None, until: datetime | None,
             *, case: str = "CASE", as_of: datetime | None = None,
             table: tuple[dict[str, Any], ...] | None = None) -> pl.DataFrame:
    """One row per log source that records a system the owner's chain touched (every system in the
    lake in the window when ``owner`` is None); see the module docstring and :data:`COLUMNS`.
    ``control_events`` must have been computed for the owner and window."""
    table = table or retention_table()
    now = (as_of or datetime.now(UTC)).astimezone(UTC)
    touched = (f"{query('coverage_touched')}", {"owner": owner}) if owner is not None else \
        (query("coverage_touched_all"), {"since": since, "until": until})
    con.execute("CREATE OR REPLACE TEMP TABLE coverage_touched AS " + touched[0], touched[1]).fetchall()
    systems = frame(con, "SELECT system, min(time) AS first, max(time) AS last FROM coverage_touched "
                         "GROUP BY system ORDER BY system")
    rows: list[dict[str, Any]] = []
    covered: set[str] = set()
    for log in table:
        mine = systems.filter(pl.col("system").map_elements(
            lambda s, pats=tuple(log["systems"]): any(fnmatch.fnmatchcase(s, p) for p in pats),
            return_dtype=pl.Boolean)) if systems.height else systems
        if mine.height == 0:
            continue
        covered |= set(mine["system"].to_list())
        first, last = mine["first"].min(), mine["last"].max()
        rows.append(_row(con, log, sorted(mine["system"].to_list()), first, last, now, case))  # type: ignore[arg-type]
    for system in sorted(set(systems["system"].to_list()) - covered) if systems.height else []:
        touched = systems.filter(pl.col("system") == system)
        rows.append({**dict.fromkeys(COLUMNS), "log": "no known log source", "status": "unknown",
                     "systems": [system], "records": 0, "first": touched["first"][0], "last": touched["last"][0],
                     "detail": "irkit's retention table names no log for this system",
                     "costs": "check which log records this system, and preserve it"})
    rows.sort(key=lambda r: (STATUS_ORDER[r["status"]], r["expires"] or datetime.max.replace(tzinfo=UTC), r["log"]))
    return pl.DataFrame(rows, schema={
        "log": pl.String, "status": pl.String, "systems": pl.List(pl.String), "records": pl.Int64,
        "first": pl.Datetime("us", "UTC"), "last": pl.Datetime("us", "UTC"), "detail": pl.String,
        "costs": pl.String, "retention_days": pl.Int64, "oldest_needed": pl.Datetime("us", "UTC"),
        "expires": pl.Datetime("us", "UTC"), "days_left": pl.Int64, "retention_note": pl.String,
        "preserve": pl.String})


def _row(con: duckdb.DuckDBPyConnection, log: dict[str, Any], systems: list[str], first: datetime,
         last: datetime, now: datetime, case: str) -> dict[str, Any]:
    system = log.get("system")
    stats = frame(con, query("coverage_log"), {
        "sources": list(log["lake"]), "system_like": system.replace("*", "%") if system else None,
        "class_name": log.get("class_name"), "not_class_name": log.get("not_class_name"),
        "op_prefix": log.get("operation_prefix"), "resource_type": log.get("resource_type"),
        "systems": systems, "continuous": bool(log.get("continuous"))}).row(0, named=True)
    status, detail = _status(stats)
    retention = log.get("retention_days")
    expires = first + timedelta(days=retention) if retention is not None else None
    days_left = (expires - now).days if expires is not None else None
    if expires is not None and expires <= now:
        detail = f"{detail}; the oldest needed record expired on {expires:%Y-%m-%d}" if detail else \
            f"the oldest needed record expired on {expires:%Y-%m-%d}"
    costs = None
    if status == "absent":
        costs = f"cannot tell {log['answers']}"
    elif status == "partial":
        costs = f"incomplete: {log['answers']}"
    window_since = (first - timedelta(days=1)).strftime("%Y-%m-%d")
    window_until = (last + timedelta(days=1)).strftime("%Y-%m-%d")
    return {"log": log["name"], "status": status, "systems": systems, "records": stats["records"],
            "first": first, "last": last, "detail": detail, "costs": costs, "retention_days": retention,
            "oldest_needed": first, "expires": expires, "days_left": days_left,
            "retention_note": log.get("retention_note"),
            "preserve": log["preserve"].format(case=case, since=window_since, until=window_until)}


def _status(stats: dict[str, Any]) -> tuple[str, str | None]:
    if not stats["total"]:
        return "absent", "the lake holds none of this log"
    problems = []
    if stats["missed"]:
        problems.append(f"no record in {stats['missed']} of the {stats['hours']} hours in which other logs show the "
                        f"suspect on these systems (first {stats['first_missed']:%Y-%m-%d %H:00} UTC; the log has "
                        f"{stats['total']} records from {stats['log_first']:%Y-%m-%d %H:%M} to "
                        f"{stats['log_last']:%Y-%m-%d %H:%M})")
    if stats["without_resource"]:
        problems.append(f"{stats['without_resource']} of {stats['named']} tool calls carry no arguments")
    if problems:
        return "partial", "; ".join(problems)
    return "present", None


def case_coverage(case: Any, suspect: str | None = None, *, since: str | datetime | None = None,
                  until: str | datetime | None = None, as_of: str | datetime | None = None) -> pl.DataFrame:
    """:func:`coverage` for a :class:`irkit.Case`: the suspect (else the incident file's; else every system
    in the lake) resolved to its identity, its controlled events computed for the window."""
    from irkit.control import compute_control
    from irkit.timeutil import parse_time

    start, end = parse_time(since, "since"), parse_time(until, "until")
    name = suspect or case.incident.suspect
    owner = case.identity_id(name) if name else None
    if owner is not None:
        compute_control(case.con, [owner], start, end)
    return coverage(case.con, owner, start, end, case=str(case.root), as_of=parse_time(as_of, "as_of"))
