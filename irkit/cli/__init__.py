"""The ``irkit`` command line: a thin layer over the library, one module per group of commands.

Exit codes: 0 ok, 1 findings or verification failure, 2 usage or input error (one line naming the file).

Everything reaches the terminal through :mod:`irkit.cli._common`, which escapes control characters
(log text is hostile). Failures end in one line on stderr: irkit's own errors, and also I/O failures
(disk full, a missing or damaged lake file, permissions) from Python, DuckDB or Arrow, named by file
where the error says which.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import warnings
from collections.abc import Sequence

import duckdb

from irkit.cli._common import say_error
from irkit.errors import IrkitError

#: Command modules, each with ``register(subparsers)``; their handlers return the exit code.
MODULES = ("lake", "identity", "containment", "rootcause", "reporting", "integrity", "acquire", "scoping")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
        try:
            return int(args.handler(args))
        except IrkitError as exc:
            say_error(str(exc))
            return 2
        except BrokenPipeError:  # output piped into head & co.
            sys.stderr.close()
            return 0
        except KeyboardInterrupt:
            print("irkit: interrupted", file=sys.stderr)
            return 130
        except (OSError, MemoryError, duckdb.IOException, duckdb.InvalidInputException,
                duckdb.OutOfMemoryException) as exc:
            say_error(_failure(exc))
            return 2


def _show_warning(message: Warning | str, category: type[Warning], *_: object, **__: object) -> None:
    say_error(str(message), "warning")


def _failure(exc: BaseException) -> str:
    """One line for an I/O failure: the file when known, then what happened."""
    from irkit.lake import lake_file_error

    if isinstance(exc, OSError) and exc.filename is not None:
        return f"{exc.filename}: {exc.strerror or exc}"
    damaged = lake_file_error(exc)
    if damaged is not None:
        return str(damaged)
    if isinstance(exc, MemoryError):
        return "out of memory"
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


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
