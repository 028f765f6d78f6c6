"""``irkit triggers``, ``revocation``, ``blast-radius``: what to cut off now, whether it went quiet, what it touched.

Exit codes: ``triggers`` 1 when any trigger fired; ``revocation`` 1 when anything was used after its
revocation or a credential created during the incident was never revoked; ``blast-radius`` 0.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import polars as pl

from irkit.cli._common import (
    bounded_float,
    bounded_int,
    emit,
    format_arg,
    inventory_arg,
    jsonable,
    open_with_inventory,
    say,
)


def _common(p: argparse.ArgumentParser, *, actor_help: str) -> None:
    p.add_argument("case", help="case folder")
    p.add_argument("--actor", help=actor_help)
    p.add_argument("--since", help="window start, ISO-8601, or auto (default: the case's scope: the start of the "
                   "suspect's burst of activity under way at detection; docs/incident.md)")
    p.add_argument("--until", help="window end, ISO-8601, or auto (default: the case's scope: the end of the evidence)")
    inventory_arg(p)
    p.add_argument("--incident", help="incident YAML: suspect, detected_at, revocations (remembered by the case)")


def _revoked_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--revoked-at", action="append", default=[], metavar="TARGET=TIME",
                   help="a revocation not in the incident file: TARGET=TIME, or TIME for everything of the suspect "
                   "(repeatable)")


def _open(args: argparse.Namespace) -> Any:
    """The case with --inventory / --incident loaded (and remembered)."""
    case = open_with_inventory(args)
    if getattr(args, "incident", None):
        case.use_incident(args.incident)
    return case


def _say_scope(case: Any, actor: str | None) -> Any:
    """Print which scope the result was computed over (stderr, so tables and JSON stay clean)."""
    import sys

    from irkit.errors import UsageError

    try:
        scope = case.scope(actor)
    except UsageError:
        say("scope: every agent, 24 h before detection (no suspect named and no incident file)", file=sys.stderr)
        return None
    say(scope.describe(), file=sys.stderr)
    return scope


def _register_triggers(commands: Any) -> None:
    p = commands.add_parser("triggers", help="containment triggers that fired, with their evidence events",
                            description="New production data, unexpected tool expansion, anomalous downstream reach, "
                            "privilege change, ownership gap and activity after revocation, for one identity and what "
                            "it reached (or every agent), compared with a baseline before the window. Exit 1 when any fired.")
    _common(p, actor_help="identity id, alias or actor uid (default: the scope's suspect, else every agent)")
    p.add_argument("--every-agent", action="store_true", help="every agent and what it reached, not only the suspect")
    p.add_argument("--baseline-days", type=bounded_int(1, 3650), default=30, help="baseline length before the window (default 30)")
    p.add_argument("--reach-factor", type=bounded_float(0, 1e6), default=2.0,
                   help="downstream reach fires at this many times the largest baseline burst (default 2)")
    p.add_argument("--reach-min-new", type=bounded_int(0, 1_000_000), default=3,
                   help="... and at least this many never-reached systems/identities (default 3)")
    _revoked_arg(p)
    format_arg(p, ("table", "json", "csv"))
    p.set_defaults(handler=_triggers)


def _triggers(args: argparse.Namespace) -> int:
    case = _open(args)
    scope = _say_scope(case, args.actor)
    actor = None if args.every_agent else args.actor or (scope.suspect if scope is not None else None)
    frame = case.triggers(actor, since=args.since, until=args.until, baseline_days=args.baseline_days,
                          reach_factor=args.reach_factor, reach_min_new=args.reach_min_new,
                          revocations=args.revoked_at)
    if args.format == "table":
        shown = frame.select("time", "severity", "kind", "identity", "subject", "evidence_count", "reason")
        emit(shown, "table")
        say(f"{frame.height} trigger(s) fired" if frame.height else "no trigger fired")
    else:
        emit(frame, args.format, raw_csv=args.raw_csv)
    return 1 if frame.height else 0


def _register_revocation(commands: Any) -> None:
    p = commands.add_parser("revocation", help="revocation checklist: revoked? went quiet?",
                            description="Every credential and identity the suspect used or created in the window, with "
                            "its revocation path, whether a revocation covered it and whether it was used afterwards; "
                            "then each revocation with the logged event that carried it out. Exit 1 when something was "
                            "used after revocation or a credential created during the incident was never revoked.")
    _common(p, actor_help="the suspect (default: the incident file's)")
    _revoked_arg(p)
    format_arg(p, ("table", "json", "csv"))
    p.set_defaults(handler=_revocation)


def _revocation(args: argparse.Namespace) -> int:
    case = _open(args)
    _say_scope(case, args.actor)
    checklist = case.revocation_checklist(args.actor, since=args.since, until=args.until, revocations=args.revoked_at)
    done = case.revocations(revocations=args.revoked_at)
    bad = checklist.filter(pl.col("status").is_in(["USED AFTER REVOCATION", "NOT REVOKED"])).height
    from irkit.containment import containment_actions

    actions = containment_actions(case.con, case.inventory, checklist)  # commands shown, never run
    if args.format == "json":
        print(json.dumps(jsonable({"checklist": checklist.to_dicts(), "revocations": done.to_dicts(),
                                   "actions": actions.to_dicts()}), indent=2, default=str))
    elif args.format == "csv":
        emit(checklist, "csv", raw_csv=args.raw_csv)
    else:
        emit(checklist.select("status", "kind", "item", "identity", "via", "last_use", "revoked_at", "uses_after",
                              "first_after", "revocation_path"), "table")
        say("revocations")
        shown = ("at", "target", "action", "confirmed", "event_uid", "operation", "by_actor")
        emit(done.select([c for c in shown if c in done.columns]), "table")  # no revocations: fewer columns
        for a in actions.iter_rows(named=True):
            say(f"{a['status']}: {a['what']}{' ' + repr(a['name']) if a['name'] else ''} {a['item']}")
            say(f"  owner: {a['owner']}; lives in {a['lives_in']}")
            say(f"  revoke (run it yourself): {a['step']}")
            say(f"  verify: {a['verify']}")
    return 1 if bad else 0


def _register_blast_radius(commands: Any) -> None:
    p = commands.add_parser("blast-radius", help="what the suspect reached: identities, credentials, resources, systems",
                            description="Time-respecting reach from the suspect: an edge counts only if it happened after "
                            "its source was reached. Every node with its first-touch time, hop count and the first "
                            "evidence event; --export writes the graph (.graphml, .json, .opengraph.json for BloodHound).")
    _common(p, actor_help="the suspect (default: the incident file's)")
    p.add_argument("--export", metavar="FILE", help="write the graph: FILE.graphml, FILE.json or FILE.opengraph.json")
    format_arg(p, ("table", "json"))
    p.set_defaults(handler=_blast_radius)


def _blast_radius(args: argparse.Namespace) -> int:
    case = _open(args)
    scope = _say_scope(case, args.actor)
    result = case.blast_radius(args.actor, since=args.since, until=args.until)
    if args.export:
        result.export(args.export)
    if args.format == "json":
        out = {"suspect": result.suspect, "since": result.since, "until": result.until,
               "scope": scope.to_dict() if scope is not None else None,
               **{name: getattr(result, name).to_dicts() for name in
                  ("identities", "credentials", "resources", "systems", "potential")}}
        print(json.dumps(jsonable(out), indent=2, default=str))
    else:
        emit(result.summary(), "table")
        say(f"{result.identities.height} identities, {result.credentials.height} credentials, "
              f"{result.resources.height} resources, {result.systems.height} systems reached by {result.suspect} "
              f"since {result.since}" + (f"; graph written to {args.export}" if args.export else ""))
    return 0


def register(commands: Any) -> None:
    for add in (_register_triggers, _register_revocation, _register_blast_radius):
        add(commands)
