"""``irkit investigate``, ``report``, ``export``: the one-shot investigation, the HTML report, interop files.

``investigate`` is the command a newcomer runs first: evidence in, report out, with a short summary on
the terminal. Exit codes: 0 when the report (or export) was written, 2 on a usage or input error.
Findings do not change the exit code here: the report is the product (``irkit triggers`` exits 1).
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path
from typing import Any

from irkit.cli._common import inventory_arg, open_with_inventory, raw_csv_arg, say
from irkit.errors import UsageError


class _Steps:
    """Progress for the slow parts: one line per analysis step on stderr, with the time it took."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.started = time.perf_counter()
        self.last = self.started

    def __call__(self, label: str) -> None:
        now = time.perf_counter()
        if self.enabled:
            say(f"  [{now - self.started:5.1f} s] {label} …", file=sys.stderr)
        self.last = now

    def elapsed(self) -> float:
        return time.perf_counter() - self.started


def _window_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--suspect", help="identity id, alias or actor uid (default: the incident file's suspect)")
    p.add_argument("--since", help="window start, ISO-8601 (default: the start of the suspect's burst of "
                   "activity before detection)")
    p.add_argument("--until", help="window end, ISO-8601 (default: the end of the evidence)")
    p.add_argument("--detected-at", help="detection time, ISO-8601 (overrides the incident file's)")
    p.add_argument("--revoked-at", action="append", default=[], metavar="[TARGET=]TIME",
                   help="a revocation not in the incident file: TARGET=TIME, or TIME for everything of the "
                   "suspect (repeatable)")
    inventory_arg(p)
    p.add_argument("--incident", help="incident YAML: suspect, detected_at, revocations (remembered by the case)")


def _register_investigate(commands: Any) -> None:
    p = commands.add_parser(
        "investigate", help="ingest evidence, analyse a suspect and write the HTML report in one go",
        description="Load the evidence into a case folder, run every analysis for the suspect (sessions, "
        "triggers, attribution, blast radius, revocation checklist) and write one self-contained HTML report. "
        "Prints a short summary. Exit 0 when the report was written.")
    p.add_argument("evidence", nargs="+", help="evidence files or folders (plain, .gz, .zip)")
    _window_args(p)
    p.add_argument("--case", help="case folder to create or reuse (default: beside the report, OUT.irkit-case)")
    p.add_argument("--out", required=True, help="the HTML report to write")
    p.add_argument("--no-progress", action="store_true", help="no progress on stderr")
    p.set_defaults(handler=_investigate)


def _investigate(args: argparse.Namespace) -> int:
    from irkit.case import open_case
    from irkit.incident import load_incident
    from irkit.report.builder import report_html, write
    from irkit.report.findings import gather

    out = Path(args.out)
    case_dir = Path(args.case) if args.case else out.with_name(out.stem + ".irkit-case")
    if not (args.suspect or (args.incident and load_incident(args.incident).suspect)):
        raise UsageError("name the suspect with --suspect, or give an --incident file that does")
    steps = _Steps(not args.no_progress)
    case = open_case(case_dir, create=True)
    if args.inventory:
        case.use_inventory(args.inventory)
    if args.incident:
        case.use_incident(args.incident)
    steps("ingesting evidence")
    summary = case.ingest(args.evidence, progress=False if args.no_progress else None)
    ingest_s = steps.elapsed()
    _remember_scope(case, args)
    findings = gather(case, args.suspect, since=args.since, until=args.until, detected_at=args.detected_at,
                      revocations=args.revoked_at, progress=steps)
    path = write(report_html(case, findings, _command(args, case_dir), steps), out)
    _print_summary(summary, findings, path, case_dir, ingest_s, steps.elapsed())
    return 0


def _remember_scope(case: Any, args: argparse.Namespace) -> None:
    """The scope given on the command line, remembered by the case for later commands (irkit.scope)."""
    from irkit.scope import remember

    case.scope(args.suspect, since=args.since, until=args.until, detected_at=args.detected_at,
               revocations=args.revoked_at)  # checked before it is remembered
    remember(case, suspect=args.suspect, since=args.since, until=args.until, detected_at=args.detected_at,
             revoked_at=args.revoked_at)


def _print_summary(summary: Any, f: Any, path: Path, case_dir: Path, ingest_s: float, total_s: float) -> None:
    from irkit.report.builder import when
    from irkit.report.summary import manager_summary

    s = manager_summary(f)
    kinds = ", ".join(f"{k.replace('_', ' ')} {n}" for k, n in s.trigger_counts.items()) or "none"
    touched = ", ".join(f"{n} {k}" for k, n in s.touched_counts.items())
    lines = [
        f"irkit investigate: {f.suspect}",
        (f"  events      {summary.loaded} loaded from {len(summary.files)} files ({summary.quarantined} quarantined, "
        f"{summary.duplicates} duplicates, {summary.conflicts} conflicts; {f.events_total} in the case) in {ingest_s:.1f} s"),
        (f"  window      {when(f.since)} to {when(f.until) if f.until else 'the end of the evidence'}"
        f" (detected {when(f.detected_at)})"),
        f"  {f.scope.describe() if f.scope is not None else ''}",
        f"  sessions    {f.sessions.height}, {f.timeline.height} events of the suspect and what it reached",
        f"  triggers    {f.triggers.height}: {kinds}",
        f"  touched     {touched}",
        f"  still open  {len(s.still_open)}",
        *[f"    - {item}" for item in s.still_open],
        f"  report      {path.resolve()}",
        f"  case        {case_dir} (rebuild the report: irkit report {shlex.quote(str(case_dir))} --suspect {f.suspect} --out FILE)",
        f"  done in {total_s:.1f} s",
    ]
    say("\n".join(lines))


def _command(args: argparse.Namespace, case_dir: Path) -> str:
    """The command that rebuilds this report from the case folder (shown in the report's evidence section)."""
    parts = ["irkit", "report", str(case_dir), "--out", args.out]
    for flag in ("suspect", "since", "until", "detected_at"):
        if getattr(args, flag):
            parts += [f"--{flag.replace('_', '-')}", getattr(args, flag)]
    for r in args.revoked_at:
        parts += ["--revoked-at", r]
    return " ".join(shlex.quote(p) for p in parts if p)


def _register_report(commands: Any) -> None:
    p = commands.add_parser("report", help="write the HTML incident report from a case",
                            description="One self-contained HTML file (works offline, every value escaped): manager "
                            "summary, identity card, timeline, triggers, attribution chain, blast radius, revocation "
                            "checklist, ownership gaps and the evidence manifest.")
    p.add_argument("case", help="case folder")
    _window_args(p)
    p.add_argument("--out", required=True, help="the HTML report to write")
    p.add_argument("--no-progress", action="store_true", help="no progress on stderr")
    p.set_defaults(handler=_report)


def _report(args: argparse.Namespace) -> int:
    case = open_with_inventory(args)
    if args.incident:
        case.use_incident(args.incident)
    steps = _Steps(not args.no_progress)
    path = case.report(args.suspect, args.out, since=args.since, until=args.until, detected_at=args.detected_at,
                       revocations=args.revoked_at, command=_command(args, Path(args.case)), progress=steps)
    say(f"report written to {path.resolve()} in {steps.elapsed():.1f} s")
    return 0


FORMATS = ("timesketch-csv", "timesketch-jsonl", "ocsf")


def _register_export(commands: Any) -> None:
    p = commands.add_parser("export", help="export the suspect's timeline for Timesketch, or events as OCSF",
                            description="timesketch-csv / timesketch-jsonl: the suspect's cross-source timeline "
                            "(message, datetime, timestamp_desc and the normalized fields). ocsf: normalized events as "
                            "OCSF JSON lines (Authentication 3002, API Activity 6003): the suspect's and what it "
                            "reached, or every event without --suspect. Streams; never loads the lake.")
    p.add_argument("case", help="case folder")
    p.add_argument("--suspect", help="identity id, alias or actor uid (required for Timesketch; "
                   "default for OCSF: every event)")
    p.add_argument("--format", required=True, choices=FORMATS, help="output format")
    p.add_argument("--out", required=True, help="file to write")
    p.add_argument("--since", help="ISO-8601 time")
    p.add_argument("--until", help="ISO-8601 time")
    p.add_argument("--raw", action="store_true", help="OCSF: include each original record as raw_data")
    raw_csv_arg(p)
    inventory_arg(p)
    p.set_defaults(handler=_export)


def _export(args: argparse.Namespace) -> int:
    case = open_with_inventory(args)
    if args.format == "ocsf":
        n = case.export_ocsf(args.out, suspect=args.suspect, since=args.since, until=args.until, raw=args.raw)
    else:
        if not (args.suspect or case.incident.suspect):
            raise UsageError("a Timesketch timeline is the suspect's: name it with --suspect")
        n = case.export_timeline(args.suspect, args.out, format=args.format.removeprefix("timesketch-"),
                                 since=args.since, until=args.until, neutralise=not args.raw_csv)
    say(f"{n} events written to {args.out}")
    return 0


def register(commands: Any) -> None:
    for add in (_register_investigate, _register_report, _register_export):
        add(commands)
