"""``irkit root-cause``: over-privilege, unsafe tool use, mis-scoped deployment, each a verdict with its
events, and the content that turned the agent.

Exit code 1 when any category is supported, else 0.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from irkit.cli._common import emit, format_arg, inventory_arg, jsonable, open_with_inventory, say


def _register(commands: Any) -> None:
    p = commands.add_parser("root-cause", help="root-cause verdicts with their events, and the injection's provenance",
                            description="For the suspect and what it controlled: over-privilege, unsafe tool use and "
                            "mis-scoped deployment, each supported / not supported / no evidence available with the "
                            "events behind it; then the content read before the first out-of-scope action (excerpt "
                            "escaped and bounded), where it came from, and the chain from it to the API calls, each "
                            "link with its strength. Exit 1 when any category is supported.")
    p.add_argument("case", help="case folder")
    p.add_argument("--actor", help="the suspect (default: the incident file's)")
    p.add_argument("--since", help="window start, ISO-8601 (default: 24 h before detection)")
    p.add_argument("--until", help="window end, ISO-8601 (default: the end of the lake)")
    inventory_arg(p)
    p.add_argument("--incident", help="incident YAML: suspect, detected_at, revocations (remembered by the case)")
    format_arg(p, ("table", "json"))
    p.set_defaults(handler=_root_cause)


def _root_cause(args: argparse.Namespace) -> int:
    case = open_with_inventory(args)
    if args.incident:
        case.use_incident(args.incident)
    rc = case.root_cause(args.actor, since=args.since, until=args.until)
    prov = rc.provenance
    if args.format == "json":
        out: dict[str, Any] = {"suspect": rc.suspect, "since": rc.since, "until": rc.until,
                               "findings": rc.table().to_dicts(), "injection": None}
        if prov is not None:
            out["injection"] = {k: getattr(prov, k) for k in (
                "call_uid", "response_uid", "time", "agent", "server", "tool", "arguments", "origin",
                "origin_resources", "excerpt", "truncated", "matched", "link", "compromise_uid", "compromise_time",
                "evidence_file", "evidence_offset")} | {"chain": prov.chain.to_dicts()}
        print(json.dumps(jsonable(out), indent=2, default=str))
    else:
        for f in rc.findings.values():
            say(f"{f.title}: {f.verdict.upper()}")
            say(f"  {f.summary}")
            if f.evidence:
                say(f"  events: {', '.join(f.evidence[:6])}" + (f" (+{len(f.evidence) - 6} more)" if len(f.evidence) > 6 else ""))
        if prov is None:
            say("Injection: no content read before the first out-of-scope action was logged")
        else:
            say(f"Injection: {prov.summary()}")
            say(f"  from {prov.evidence_file} line {prov.evidence_offset} (event {prov.response_uid})")
            say("  excerpt (escaped, bounded):")
            for line in prov.excerpt.splitlines():
                say(f"    {line}")
            emit(prov.chain.select("step", "time", "kind", "agent", "what", "resource", "link"), "table")
    return 1 if any(f.verdict == "supported" for f in rc.findings.values()) else 0


def register(commands: Any) -> None:
    _register(commands)
