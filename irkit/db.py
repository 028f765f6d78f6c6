"""DuckDB connections set up the way every irkit query expects (UTC, shared macros)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb
import polars as pl
import pyarrow as pa

from irkit.sql import query


def connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    # DuckDB's own progress bar writes to stdout, where it would corrupt `irkit sql --format json`. In
    # a Jupyter kernel DuckDB refuses the setting unless ipywidgets is installed; its bar is harmless there.
    try:
        con.execute("SET enable_progress_bar = false")
    except duckdb.Error:
        pass
    run_script(con, query("macros") + "\nSELECT 1")
    return con


def run_script(con: duckdb.DuckDBPyConnection, script: str) -> str:
    """Run every statement of ``script`` but the last, and return the last (the query) unexecuted."""
    statements = [s for s in _split_statements(script) if s.strip()]
    for statement in statements[:-1]:
        con.execute(statement)
    return statements[-1] if statements else ""


def _split_statements(script: str) -> list[str]:
    """Split on semicolons outside quotes and comments."""
    out, current, quote, i = [], [], "", 0
    while i < len(script):
        ch = script[i]
        if quote:
            current.append(ch)
            if ch == quote:
                quote = ""
        elif ch in ("'", '"'):
            quote = ch
            current.append(ch)
        elif script.startswith("--", i):
            end = script.find("\n", i)
            end = len(script) if end < 0 else end
            current.append(script[i:end])
            i = end
            continue
        elif ch == ";":
            out.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    out.append("".join(current))
    return [s for s in out if _has_code(s)]


def _has_code(statement: str) -> bool:
    return any(line.strip() and not line.strip().startswith("--") for line in statement.splitlines())


def _literal_text(value: str) -> str:
    return value.replace("'", "''")


def sql_string(value: str) -> str:
    """A SQL string literal for a value irkit itself generated (paths in the case folder), never log text."""
    return "'" + _literal_text(value) + "'"


def parquet_source(files: Sequence[str], schema: pa.Schema, hive: bool) -> str:
    """A FROM-clause source over the given files, or a typed empty relation when there are none."""
    if not files:
        columns = ", ".join(f"CAST(NULL AS {duck_type(f.type)}) AS {f.name}" for f in schema)
        extra = ", CAST(NULL AS DATE) AS day" if hive else ""
        return f"(SELECT {columns}{extra} WHERE false)"
    listed = "[" + ", ".join(sql_string(f) for f in files) + "]"
    options = ", hive_partitioning = true, hive_types = {'source': VARCHAR, 'day': DATE}" if hive else ""
    return f"read_parquet({listed}, union_by_name = true{options})"


def duck_type(t: pa.DataType) -> str:
    if pa.types.is_timestamp(t):
        return "TIMESTAMPTZ"
    if pa.types.is_int64(t):
        return "BIGINT"
    if pa.types.is_list(t):
        return duck_type(t.value_type) + "[]"
    if pa.types.is_struct(t):
        return "STRUCT(" + ", ".join(f'"{f.name}" {duck_type(f.type)}' for f in t) + ")"
    return "VARCHAR"


def frame(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None) -> pl.DataFrame:
    """Run a query with bound parameters and return a polars DataFrame."""
    return pl.from_arrow(con.sql(sql, params=params or None).to_arrow_table())  # type: ignore[return-value]
