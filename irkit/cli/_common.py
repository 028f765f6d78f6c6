"""Shared pieces of the command line: output formats, safe terminal output and opening cases.

Every command prints through :func:`emit` (tables, JSON, CSV), :func:`say` (text lines) or
:func:`say_error` (stderr), never through ``print`` of log text directly: log values are hostile, and
these escape control characters for the terminal (``\\x1b``-style, :mod:`irkit.display`). JSON stays
valid JSON (``json.dumps`` escapes control characters itself). CSV cells starting with ``=``, ``+``,
``-``, ``@``, tab or CR get a leading ``'`` so a spreadsheet shows them as text; ``--raw-csv`` writes
them unchanged for machine consumers.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import shutil
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

import polars as pl

from irkit.display import csv_cell, escaped, terminal_chars, terminal_text


def jsonable(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    return value


def say(text: Any = "", *, file: Any = None) -> None:
    """Print one or more lines of text, control characters escaped (the line breaks kept)."""
    print(terminal_text(str(text), keep_newlines=True), file=file or sys.stdout)


def say_error(message: str, level: str = "error") -> None:
    """``irkit: error: ...`` on stderr, on one line whatever the message holds."""
    print(f"irkit: {level}: {terminal_text(message)}", file=sys.stderr)


def emit(frame: pl.DataFrame, fmt: str, *, raw_csv: bool = False) -> None:
    """Print a frame as an aligned table, JSON (a list of row objects) or CSV (formula cells
    neutralised unless ``raw_csv``)."""
    if fmt == "json":
        print(json.dumps([jsonable(row) for row in frame.to_dicts()], indent=2, default=str))
    elif fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        cell: Callable[[Any], Any] = (lambda v: v) if raw_csv else csv_cell
        writer.writerow([cell(c) for c in frame.columns])
        for row in frame.iter_rows():
            writer.writerow([cell("" if v is None else json.dumps(jsonable(v)) if isinstance(v, (list, dict))
                                  else jsonable(v)) for v in row])
        text = out.getvalue()
        sys.stdout.write(terminal_text(text, keep_newlines=True) if sys.stdout.isatty() else text)
    else:
        # a terminal's own width; piped or captured output keeps the wide layout
        width = shutil.get_terminal_size((240, 24)).columns if sys.stdout.isatty() else 240
        with pl.Config(tbl_rows=TABLE_ROWS, tbl_cols=-1, fmt_str_lengths=60, tbl_width_chars=width, tbl_hide_dataframe_shape=True, tbl_hide_column_data_types=True):
            print(terminal_frame(frame))
        if frame.height > TABLE_ROWS:
            print(f"showing {TABLE_ROWS} of {frame.height} rows; use --format csv for all")


#: Rows a table shows at most (the first and last halves); the rest is said, never silently cut.
TABLE_ROWS = 200


def terminal_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with control characters escaped in every text value and column name, ready for
    polars' table printer (which prints them raw)."""
    if frame.height > 400:  # the printer shows at most 200 rows: escape the ones it can show
        frame = pl.concat([frame.head(200), frame.tail(200)])
    columns = []
    for name, dtype in frame.schema.items():
        column = pl.col(name)
        if dtype == pl.String:
            expr = _escape_expr(column)
        elif dtype == pl.List(pl.String):
            expr = column.list.eval(_escape_expr(pl.element()))
        elif dtype.is_nested() or dtype == pl.Object:
            expr = column.map_elements(
                lambda v: terminal_text(json.dumps(jsonable(v), default=str, ensure_ascii=False)),
                return_dtype=pl.String)
        else:
            expr = column
        columns.append(expr.alias(terminal_text(name)))
    return frame.select(columns)


def _escape_expr(expr: pl.Expr) -> pl.Expr:
    for char in terminal_chars():
        expr = expr.str.replace_all(char, escaped(char), literal=True)
    return expr


def format_arg(parser: argparse.ArgumentParser, choices: Sequence[str] = ("table", "json")) -> None:
    parser.add_argument("--format", choices=list(choices), default="table", help="output format (default: table)")
    if "csv" in choices:
        raw_csv_arg(parser)


def raw_csv_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--raw-csv", action="store_true",
                        help="CSV: write cells as they are, without the ' that keeps a spreadsheet from running "
                        "cells starting with = + - @ tab or CR as formulas (for machine consumers)")


# -- validated option values -----------------------------------------------------------------------
def bounded_int(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: an integer in [low, high], else a one-line usage error."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is out of range ({low} to {high})")
        return value
    parse.__name__ = "integer"
    return parse


def bounded_float(low: float, high: float) -> Callable[[str], float]:
    """An argparse type: a finite number in [low, high], else a one-line usage error."""
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not math.isfinite(value) or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text} is out of range ({low:g} to {high:g})")
        return value
    parse.__name__ = "number"
    return parse


def duration_arg(what: str) -> Callable[[str], str]:
    """An argparse type: a duration (``30m``, ``5s``) that :func:`irkit.timeutil.parse_duration`
    accepts, checked when the command line is read; the text is passed on unchanged."""
    from irkit.errors import UsageError
    from irkit.timeutil import parse_duration

    def parse(text: str) -> str:
        try:
            parse_duration(text, what)
        except UsageError as exc:
            raise argparse.ArgumentTypeError(exc.message) from None
        return text
    parse.__name__ = "duration"
    return parse


def open_existing(path: str) -> Any:
    """An existing case folder (error exit 2 if it is not one)."""
    from irkit.case import open_case

    return open_case(path, create=False)


def inventory_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--inventory", help="identity inventory YAML (remembered by the case for later commands)")


def open_with_inventory(args: argparse.Namespace) -> Any:
    """The case, with ``--inventory`` loaded and remembered when given."""
    case = open_existing(args.case)
    if getattr(args, "inventory", None):
        case.use_inventory(args.inventory)
    return case
