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
        counted = f"{s['pages']} delivery files" if args.source == "aws-s3" else \
            f"{s['pages']} pages, {s['records']} records"
        say(f"  {stream}: {counted}{span}")
    say(f"next: irkit ingest {args.case} {args.case}/evidence")
    return 0


def _register_coverage(commands: Any) -> None:
    from irkit.cli._common import format_arg

    p = commands.add_parser(
        "coverage", help="which logs the suspect's systems need, which are missing, and when they expire",
        description="For each system the suspect's chain touched, the log sources that record it: present, "
        "partial (a gap, arguments withheld, starts late) or absent; what a missing one costs the analyses; "
        "the date its oldest needed record expires under the vendor's default retention, and the command "
        "that preserves it now. Without --suspect: the incident file's suspect, else every system in the lake.")
    p.add_argument("case", help="case folder")
    p.add_argument("--suspect", default=None, help="identity (default: the incident file's suspect)")
    p.add_argument("--since", default=None, help="only the suspect's events from this time (ISO-8601)")
    p.add_argument("--until", default=None, help="only the suspect's events up to this time")
    p.add_argument("--as-of", default=None, help="count the days left from this time (default: now)")
    format_arg(p, ("table", "json", "csv"))
    p.set_defaults(handler=_coverage)


def _coverage(args: argparse.Namespace) -> int:
    from irkit.cli._common import emit, open_existing
    from irkit.coverage import case_coverage

    table = case_coverage(open_existing(args.case), args.suspect, since=args.since, until=args.until,
                          as_of=args.as_of)
    if args.format != "table":
        emit(table, args.format, raw_csv=getattr(args, "raw_csv", False))
        return 0
    for row in table.iter_rows(named=True):
        expiry = (f"expires {row['expires']:%Y-%m-%d} ({row['days_left']} days left)" if row["expires"]
                  else f"retention: {row['retention_note'] or 'unknown'}")
        say(f"{row['status'].upper():<8} {row['log']}  [{', '.join(row['systems'])}]  {row['records']} records; "
            f"{expiry}")
        if row["detail"]:
            say(f"         {row['detail']}")
        if row["costs"]:
            say(f"         costs: {row['costs']}")
        if row["preserve"] and row["status"] != "unknown":
            say(f"         preserve now: {row['preserve']}")
    return 0


def register(commands: Any) -> None:
    _register_collect(commands)
    _register_coverage(commands)
