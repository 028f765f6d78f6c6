"""``irkit identity``, ``sessions``, ``attribute``, ``timeline``: who acted, in which session, through which tool call."""

from __future__ import annotations

import argparse
import json
from typing import Any

import polars as pl

from irkit.cli._common import (
    duration_arg,
    emit,
    format_arg,
    inventory_arg,
    jsonable,
    open_with_inventory,
    say,
)


def _register_identity(commands: Any) -> None:
    p = commands.add_parser("identity", help="the identity card of an id, alias or actor",
                            description="Canonical identity, aliases, owners, revocation path, credentials and "
                            "the delegation tree above and below it, each link with its proving event.")
    p.add_argument("case", help="case folder")
    p.add_argument("name", help="identity id, alias or actor uid")
    inventory_arg(p)
    format_arg(p)
    p.set_defaults(handler=_identity)


def _identity(args: argparse.Namespace) -> int:
    card = open_with_inventory(args).identity(args.name)
    if args.format == "json":
        print(json.dumps(jsonable(card.to_dict()), indent=2, default=str))
        return 0
    i = card.identity
    say(f"{i.id}  ({i.kind}{'' if i.declared else ', NOT IN INVENTORY'})")
    for label, value in (("display name", i.display_name), ("business owner", i.business_owner),
                         ("technical owner", i.technical_owner), ("revocation path", i.revocation_path),
                         ("active", f"{card.first_seen} .. {card.last_seen} ({card.events} events)")):
        say(f"  {label:<16} {value or '-'}")
    say("  aliases")
    for alias in card.aliases:
        say(f"    {alias}")
    for title, hops in (("delegated to it by", card.upstream), ("it reached", card.downstream)):
        say(f"  {title}")
        for h in hops:
            say(f"    {'  ' * (h.depth - 1)}{h.src} -{h.kind}-> {h.dst}   [{h.first_time:%Y-%m-%d %H:%M:%S} {h.event_uid}]")
    return 0


def _register_sessions(commands: Any) -> None:
    p = commands.add_parser("sessions", help="reconstructed sessions per identity",
                            description="One row per session: native session ids first, then inactivity gaps per "
                            "identity and account; with counts, tools, systems and first-seen items.")
    p.add_argument("case", help="case folder")
    p.add_argument("--actor", help="identity id, alias or actor uid (default: every identity)")
    p.add_argument("--since", help="ISO-8601 time")
    p.add_argument("--until", help="ISO-8601 time")
    p.add_argument("--gap", default="30m", type=duration_arg("--gap"), help="inactivity gap that ends a session without a native id (default 30m)")
    inventory_arg(p)
    format_arg(p, ("table", "json", "csv"))
    p.set_defaults(handler=_sessions)


def _sessions(args: argparse.Namespace) -> int:
    frame = open_with_inventory(args).sessions(args.actor, since=args.since, until=args.until, gap=args.gap)
    if args.format == "table" and not frame.is_empty():
        frame = frame.select("session_id", "identity_id", "sources", "start", "end", "events", "failures", "systems", "first_seen")
    emit(frame, args.format, raw_csv=args.raw_csv)
    return 0


def _register_attribute(commands: Any) -> None:
    p = commands.add_parser("attribute", help="pair an agent's API calls with the tool calls that caused them",
                            description="For each API call made with the agent's credentials (or those of what it "
                            "reached), the tool call that caused it: human -> agent -> sub-agent -> tool call -> "
                            "credential -> API call -> resource. Ambiguous pairings are marked, not hidden.")
    p.add_argument("case", help="case folder")
    p.add_argument("--actor", required=True, help="the agent: identity id, alias or actor uid")
    p.add_argument("--window", default="5s", type=duration_arg("--window"),
                   help="how long after a tool call an API call may follow it (default 5s)")
    p.add_argument("--since", help="only API calls from this ISO-8601 time on")
    inventory_arg(p)
    format_arg(p, ("table", "json", "csv"))
    p.set_defaults(handler=_attribute)


def _attribute(args: argparse.Namespace) -> int:
    from irkit.timeutil import parse_time

    frame = open_with_inventory(args).attribute(args.actor, window=args.window)
    since = parse_time(args.since, "--since")
    if since is not None:
        frame = frame.filter(pl.col("api_time") >= since)
    if args.format == "table":
        frame = frame.select("api_time", "api_source", "operation", "resource", "credential_uid", "tool_name",
                             "agent", "parent_agent", "human", "attribution")
    emit(frame, args.format, raw_csv=args.raw_csv)
    return 0


def _register_timeline(commands: Any) -> None:
    p = commands.add_parser("timeline", help="cross-source timeline of an identity and what it reached")
    p.add_argument("case", help="case folder")
    p.add_argument("--actor", help="identity id, alias or actor uid (default: the case's suspect)")
    p.add_argument("--since", help="ISO-8601 time, or auto (default: the case's scope; docs/incident.md)")
    p.add_argument("--until", help="ISO-8601 time, or auto (default: the case's scope)")
    inventory_arg(p)
    format_arg(p, ("table", "json", "csv"))
    p.set_defaults(handler=_timeline)


def _timeline(args: argparse.Namespace) -> int:
    import sys

    case = open_with_inventory(args)
    say(case.scope(args.actor).describe(), file=sys.stderr)
    frame = case.timeline(args.actor, since=args.since, until=args.until)
    if args.format == "table":
        frame = frame.select("time", "source", "identity_id", "operation", "status", "tool_name", "target_uid", "target_system")
    emit(frame, args.format, raw_csv=args.raw_csv)
    return 0


def register(commands: Any) -> None:
    for add in (_register_identity, _register_sessions, _register_attribute, _register_timeline):
        add(commands)
