"""``irkit scope``, ``irkit inventory draft``: the one investigation scope, and an inventory drafted from the logs.

``scope`` shows the scope every command computes over and remembers what it is given in case.json
(docs/incident.md); ``inventory draft`` writes what the logs prove about identities for the responder
to complete (docs/inventory.md). Exit codes: 0 ok, 2 usage or input error.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from irkit.cli._common import inventory_arg, jsonable, open_with_inventory, say


def _register_scope(commands: Any) -> None:
    p = commands.add_parser("scope", help="show (and remember) the investigation scope: suspect, window, revocations",
                            description="Every command, the notebooks and the report compute over one scope. Values "
                            "given here are remembered by the case (case.json) for every later command; `auto` "
                            "returns one to its default (docs/incident.md).")
    p.add_argument("case", help="case folder")
    p.add_argument("--suspect", help="identity id or any alias (role ARN, service-account email, app id, bot login)")
    p.add_argument("--since", help="window start, ISO-8601, or auto")
    p.add_argument("--until", help="window end, ISO-8601, or auto")
    p.add_argument("--detected-at", help="detection time, ISO-8601, or auto (overrides the incident file's)")
    p.add_argument("--revoked-at", action="append", default=[], metavar="[TARGET=]TIME",
                   help="a revocation not in the incident file (repeatable; remembered)")
    p.add_argument("--incident", help="incident YAML: suspect, detected_at, revocations (remembered by the case)")
    inventory_arg(p)
    p.add_argument("--format", choices=["table", "json"], default="table", help="output format (default: table)")
    p.set_defaults(handler=_scope)


def _scope(args: argparse.Namespace) -> int:
    from irkit.scope import remember

    case = open_with_inventory(args)
    if args.incident:
        case.use_incident(args.incident)
    scope = case.scope(args.suspect, since=args.since, until=args.until, detected_at=args.detected_at,
                       revocations=args.revoked_at)  # checks the values before they are remembered
    remember(case, suspect=args.suspect, since=args.since, until=args.until, detected_at=args.detected_at,
             revoked_at=args.revoked_at)
    if args.format == "json":
        print(json.dumps(jsonable(scope.to_dict()), indent=2, default=str))
    else:
        say(scope.describe())
        for r in scope.revocations:
            say(f"  revoked {r.target} at {r.at.isoformat()} ({r.action or 'no action given'})")
    return 0


def _register_inventory(commands: Any) -> None:
    p = commands.add_parser("inventory", help="draft an identity inventory from the logs",
                            description="`irkit inventory draft CASE --out inventory.yaml` writes every identity the "
                            "logs show (or the suspect's and those active in the scope's window) with its kind, the "
                            "aliases the records prove (each with its proving event as a comment), its observed scope "
                            "and production guesses; owners and revocation paths are marked MISSING. Complete it and "
                            "give it back with --inventory (docs/inventory.md).")
    sub = p.add_subparsers(dest="action", required=True, metavar="draft")
    d = sub.add_parser("draft", help="write a draft inventory from the logs")
    d.add_argument("case", help="case folder")
    d.add_argument("--suspect", help="the suspect first, then only the identities active in the scope's window")
    d.add_argument("--out", required=True, help="the YAML file to write")
    d.set_defaults(handler=_draft)


def _draft(args: argparse.Namespace) -> int:
    from irkit.cli._common import open_existing
    from irkit.errors import UsageError
    from irkit.inventory_draft import draft_yaml, learn, write_draft

    case = open_existing(args.case)
    try:
        scope = case.scope(args.suspect)
    except UsageError:
        if args.suspect:
            raise
        scope = None  # no suspect anywhere: observed scope over the whole lake
    # observed scope = the baseline before the investigation window, never the incident's own acts
    learned = learn(case.con, baseline_until=scope.since if scope is not None else None)
    chosen = None
    if args.suspect and scope is not None:
        active = case.sql("SELECT DISTINCT a.identity_id AS id FROM events e JOIN actors a USING (actor_uid) "
                          "WHERE e.time >= $since ORDER BY 1", since=scope.since)["id"].to_list()
        ident = learned.identity_of(args.suspect) or learned.identity_of(scope.suspect)
        first = [ident.id] if ident is not None else []
        chosen = first + [i for i in active if i not in first and i in learned.identities]
    path = write_draft(draft_yaml(learned, identities=chosen, source=str(case.root)), args.out)
    shown = chosen if chosen is not None else list(learned.identities)
    several = sum(1 for i in shown if len(learned.identities[i].aliases) > 1)
    say(f"draft inventory written to {path}: {len(shown)} identities ({several} with aliases the logs prove), "
        f"{len(learned.production)} production guesses; owners and revocation paths marked MISSING")
    return 0


def register(commands: Any) -> None:
    for add in (_register_scope, _register_inventory):
        add(commands)
