"""The ``irkit`` command line: a thin layer over the library, one module per group of commands.

Exit codes: 0 ok, 1 findings or verification failure, 2 usage or input error (one line naming the file).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from irkit.errors import IrkitError

#: Command modules, each with ``register(subparsers)``; their handlers return the exit code.
MODULES = ("lake", "identity", "containment", "reporting")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except IrkitError as exc:
        print(f"irkit: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into head & co.
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("irkit: interrupted", file=sys.stderr)
        return 130


def build_parser() -> argparse.ArgumentParser:
    from irkit import __version__

    parser = argparse.ArgumentParser(
        prog="irkit",
        description="Incident-response forensics for AI agents: audit logs in, sessions, attribution, "
        "triggers, blast radius and reports out.",
    )
    parser.add_argument("--version", action="version", version=f"irkit {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in MODULES:
        try:
            module = importlib.import_module(f"irkit.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"irkit.cli.{name}":
                raise
            continue
        module.register(commands)
    return parser


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
