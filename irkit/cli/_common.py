"""Shared pieces of the command line: output formats and opening cases."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import polars as pl


def jsonable(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    return value


def emit(frame: pl.DataFrame, fmt: str) -> None:
    """Print a frame as an aligned table, JSON (a list of row objects) or CSV."""
    if fmt == "json":
        print(json.dumps([jsonable(row) for row in frame.to_dicts()], indent=2, default=str))
    elif fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(frame.columns)
        for row in frame.iter_rows():
            writer.writerow(["" if v is None else json.dumps(jsonable(v)) if isinstance(v, (list, dict)) else jsonable(v) for v in row])
        sys.stdout.write(out.getvalue())
    else:
        with pl.Config(tbl_rows=200, tbl_cols=-1, fmt_str_lengths=60, tbl_width_chars=240,
                       tbl_hide_dataframe_shape=True, tbl_hide_column_data_types=True):
            print(frame)


def format_arg(parser: argparse.ArgumentParser, choices: Sequence[str] = ("table", "json")) -> None:
    parser.add_argument("--format", choices=list(choices), default="table", help="output format (default: table)")


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
