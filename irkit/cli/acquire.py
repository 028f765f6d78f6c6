"""``irkit collect`` (pull audit logs from the sources' APIs into a case) and ``irkit coverage``."""

from __future__ import annotations

import argparse
import json
from typing import Any

from irkit.cli._common import say


def _register_collect(commands: Any) -> None:
    from irkit import collect

    p = commands.add_parser(
        "collect", help="pull audit logs from a source's API into CASE/evidence (resumable, read-only)",
        description="Pull an audit trail from its API into CASE/evidence/<source>/, every response page byte "
        "for byte (gzip'd), with a collection log in CASE/collection/ (request, status, headers, time, "
        "collector version, SHA-256) that is also the checkpoint: rerun the same command after any "
        "interruption and it resumes where it stopped. Then `irkit ingest CASE CASE/evidence`. "
        "Needs the collect extra: pip install 'irkit[collect]'. See docs/collect.md.")
    sources = p.add_subparsers(dest="source", required=True, metavar="SOURCE")
    for name in collect.REGISTRY:
        module = collect.module(name)
        sp = sources.add_parser(name, help=module.DESCRIPTION, description=(module.__doc__ or "").strip(),
                                formatter_class=argparse.RawDescriptionHelpFormatter)
        sp.add_argument("--case", required=True, help="case folder (created if missing)")
        sp.add_argument("--since", default=None, help="start of the window, ISO-8601 UTC "
                        f"(default: {module.RETENTION_DAYS} days back, all the source keeps)"
                        if not getattr(module, "WINDOW_OPTIONAL", False) else "start of the window (default: all)")
        sp.add_argument("--until", default=None, help="end of the window (default: now, fixed at the first run)")
        sp.add_argument("--fresh", action="store_true", help="collect again even if the same job completed")
        sp.add_argument("--no-progress", action="store_true", help="no progress bar")
        sp.add_argument("--format", choices=("table", "json"), default="table", help="summary format")
        module.add_arguments(sp)
        sp.set_defaults(handler=_collect)


def _collect(args: argparse.Namespace) -> int:
    from irkit.collect import collect

    summary = collect(args.case, args.source, args, since=args.since, until=args.until,
                      progress=False if args.no_progress else None, fresh=args.fresh)
    if args.format == "json":
        print(json.dumps(summary, indent=2))
        return 0
    say(f"{args.source} job {summary['job']}: {summary['status']}")
    for stream, s in summary["streams"].items():
        span = f"  {s['first']} .. {s['last']}" if s["first"] else ""
        say(f"  {stream}: {s['pages']} pages, {s['records']} records{span}")
    say(f"next: irkit ingest {args.case} {args.case}/evidence")
    return 0


def register(commands: Any) -> None:
    _register_collect(commands)
