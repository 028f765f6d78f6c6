"""``irkit ingest``, ``sql``, ``verify``, ``sources``, ``synth``: the evidence lake commands."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import polars as pl

from irkit.cli._common import bounded_float, bounded_int, emit, format_arg, open_existing, say, say_error
from irkit.errors import UsageError

# ------------------------------------------------------------------------------------------------
# commands


def _register_ingest(commands: Any) -> None:
    p = commands.add_parser("ingest", help="load evidence files or folders into a case",
                            description="Load evidence (files, folders, .gz, .zip) into the case folder, "
                            "creating it if needed. Prints the loss accounting: read = loaded + quarantined + duplicates "
                            "+ conflicts. A file that cannot be read (not text, empty, a corrupt, encrypted, nested or "
                            "oversized archive, a link or special file) is recorded in the manifest with its reason and the "
                            "rest loads: one warning line per such file on stderr and exit 1; --strict stops at the first (exit 2).")
    p.add_argument("case", help="case folder")
    p.add_argument("paths", nargs="+", help="evidence files or folders")
    p.add_argument("--source", help="force a loader instead of detecting it by content (see `irkit sources`)")
    p.add_argument("--mapping", help="YAML field mapping for --source jsonl (see docs/jsonl_mapping.md)")
    p.add_argument("--max-bytes", type=bounded_int(1, 2**62), default=None,
                   help="absolute bound on the decompressed size of one file (default 16 GiB)")
    p.add_argument("--max-ratio", type=bounded_float(1, 1e9), default=None,
                   help="bound on decompressed / compressed size of one file (default 100; never below 256 MiB)")
    p.add_argument("--strict", action="store_true", help="stop at the first file that cannot be read (exit 2)")
    p.add_argument("--follow-symlinks", action="store_true",
                   help="follow symbolic links in the given folders whose target stays inside them (default: refuse links)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    format_arg(p)
    p.set_defaults(handler=_ingest)


def _ingest(args: argparse.Namespace) -> int:
    from irkit.evidence import DEFAULT_MAX_BYTES, DEFAULT_MAX_RATIO

    options = None
    if args.mapping:
        if args.source != "jsonl":
            raise UsageError("--mapping goes with --source jsonl")
        options = _jsonl_options(Path(args.mapping))
    case = _create(args.case)
    summary = case.ingest(
        args.paths,
        source=args.source,
        options=options,
        max_bytes=args.max_bytes or DEFAULT_MAX_BYTES,
        max_ratio=args.max_ratio or DEFAULT_MAX_RATIO,
        strict=args.strict,
        follow_symlinks=args.follow_symlinks,
        progress=False if args.no_progress else None,
    )
    if args.format == "json":
        print(json.dumps(summary.to_dict(), indent=2))
    else:
        say(summary)
    warnings = summary.warning_lines()
    for line in warnings:  # one line per file that could not be read, and per changed evidence file
        say_error(line, level="warning")
    return 1 if warnings else 0


def _jsonl_options(path: Path) -> dict[str, Any]:
    from irkit import safeyaml
    from irkit.loaders import jsonl

    mapping, _ = safeyaml.load(path, "the mapping")
    return jsonl.mapping_options(mapping)  # type: ignore[no-any-return]


def _register_sql(commands: Any) -> None:
    p = commands.add_parser("sql", help="run DuckDB SQL over a case",
                            description="Run a DuckDB query over the views events, quarantine and manifest. "
                            "Values are bound with --param name=value and referenced as $name.")
    p.add_argument("case", help="case folder")
    p.add_argument("query", help="SQL text")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="bind $NAME to VALUE")
    format_arg(p, ("table", "json", "csv"))
    p.set_defaults(handler=_sql)


def _sql(args: argparse.Namespace) -> int:
    params: dict[str, Any] = {}
    for item in args.param:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UsageError(f"--param takes NAME=VALUE, got {item!r}")
        params[name] = value
    emit(open_existing(args.case).sql(args.query, **params), args.format, raw_csv=args.raw_csv)
    return 0


def _register_verify(commands: Any) -> None:
    p = commands.add_parser("verify", help="check the manifest's hash chain and re-hash evidence and lake files",
                            description="Check the manifest's hash chain and head, re-hash every evidence and lake "
                            "file it names, recount their rows, name lake files no commit names, and compare the "
                            "cached identity tables with the lake. Exit 1 if anything differs.")
    p.add_argument("case", help="case folder")
    p.add_argument("--public-key", metavar="KEY", help="require a valid signature by this ed25519 public key "
                   "(hex, or the KEY.pub file from `irkit keygen`) over the manifest's head; see `irkit sign`")
    format_arg(p)
    p.set_defaults(handler=_verify)


def _verify(args: argparse.Namespace) -> int:
    public_key = None
    if args.public_key:
        from irkit.signing import read_public_key

        public_key = read_public_key(args.public_key)
    report = open_existing(args.case).verify(public_key=public_key)
    if args.format == "json":
        print(json.dumps(report, indent=2))
    else:
        say(f"checked {report['checked']} files: {'all match the manifest' if report['ok'] else 'MISMATCH'}")
        for p in report["problems"]:
            detail = f" (expected {p['expected'][:16]}…, found {p['actual'][:16]}…)" if "expected" in p else ""
            detail = f": {p['detail']}{detail}" if p.get("detail") else detail
            say(f"  {p['kind']:<10} {p['problem']:<8} {p['path']}{detail}")
        for w in report.get("warnings", []):
            say(f"  warning: {w}")
    return 0 if report["ok"] else 1


def _register_sources(commands: Any) -> None:
    p = commands.add_parser("sources", help="list the loaders and what they detect",
                            description="List every loader, its version and what it reads; --schema prints the normalized event schema.")
    p.add_argument("--schema", action="store_true", help="print the normalized event schema instead")
    format_arg(p)
    p.set_defaults(handler=_sources)


def _sources(args: argparse.Namespace) -> int:
    if args.schema:
        from irkit.schema import COLUMNS, describe

        if args.format == "json":
            print(json.dumps([{"column": n, "type": str(t), "meaning": d} for n, t, d in COLUMNS], indent=2))
        else:
            print(describe())
        return 0
    from irkit import loaders

    frame = pl.DataFrame(
        [{"source": l.name, "version": l.version, "detected": l.detectable, "reads": l.description} for l in loaders.available()]
    )
    emit(frame, args.format)
    return 0


def _register_synth(commands: Any) -> None:
    p = commands.add_parser("synth", help="generate the sample incident or scale data in native formats",
                            description="Without --events: write the sample incident (native logs, inventory, ground truth). "
                            "With --events N: write N events of the same kinds of multi-source data for benchmarks.")
    p.add_argument("out", help="output folder")
    p.add_argument("--events", type=bounded_int(1, 10**9), default=None, help="scale mode: about this many events")
    p.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    p.add_argument("--scenario", default=None,
                   help="write another incident scenario instead of the sample: coding-agent-gcp")
    p.set_defaults(handler=_synth)


def _synth(args: argparse.Namespace) -> int:
    from irkit import synth

    out = Path(args.out)
    if args.scenario is not None:
        from irkit.synth import scenarios

        print(f"scenario {args.scenario} written to {scenarios.generate(args.scenario, out, seed=args.seed)}")
        return 0
    if args.events is None:
        folder = synth.generate_sample(out, seed=args.seed)
        say(f"sample incident written to {folder}")
    else:
        counts = synth.generate_scale(out, events=args.events, seed=args.seed)
        print(json.dumps(counts, indent=2, default=str))
    return 0




def _create(path: str) -> Any:
    from irkit.case import open_case

    return open_case(path, create=True)


def register(commands: Any) -> None:
    for add in (_register_ingest, _register_sql, _register_verify, _register_sources, _register_synth):
        add(commands)
