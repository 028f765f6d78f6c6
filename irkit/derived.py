"""The identity tables every analysis joins, materialized once per state of the lake and inventory.

``actors``, ``identity_links`` and ``identity_edges`` (``irkit/sql/view_<name>.sql``) are computed from
the whole lake: about 14 s at 10 M events. They are cached as Parquet in the case folder under
``derived/<key>/``, where the key hashes everything they depend on (the last manifest commit, the
inventory's tables, the SQL that defines them, irkit's version), so a cache can never be stale: a new
ingest or another inventory gives another key. A cache folder appears whole (written aside, then
renamed) and older ones are removed. The cache is not evidence: ``verify`` ignores it, and a case
folder that cannot be written to simply goes without it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa

from irkit import __version__
from irkit.db import run_script, sql_string
from irkit.sql import query

#: Tables derived from ``events`` and the inventory, each defined by ``irkit/sql/view_<name>.sql``.
DERIVED_TABLES: tuple[str, ...] = ("principal_hops", "actors", "identity_links", "identity_edges")

CACHE_DIR = "derived"


def cache_key(last_commit: str, inventory_tables: tuple[pa.Table, ...]) -> str:
    digest = hashlib.sha256()
    for part in (__version__, last_commit, *(query(f"view_{name}") for name in DERIVED_TABLES)):
        digest.update(part.encode() + b"\0")
    for table in inventory_tables:
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        digest.update(sink.getvalue().to_pybytes())
    return digest.hexdigest()[:32]


def materialize(con: duckdb.DuckDBPyConnection, root: Path, key: str) -> None:
    """Create the derived tables as temp tables, from the cache when it holds ``key``."""
    folder = root / CACHE_DIR / key
    if all((folder / f"{name}.parquet").is_file() for name in DERIVED_TABLES):
        try:
            for name in DERIVED_TABLES:
                source = sql_string(str(folder / f"{name}.parquet"))
                con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM read_parquet({source})")
            return
        except duckdb.Error:
            pass  # an unreadable cache is rebuilt
    for name in DERIVED_TABLES:
        _compute(con, name)
    _store(con, root / CACHE_DIR, key)


def _compute(con: duckdb.DuckDBPyConnection, name: str) -> None:
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS " + run_script(con, query(f"view_{name}")))


def _store(con: duckdb.DuckDBPyConnection, cache: Path, key: str) -> None:
    aside = cache / f".{key}.{os.getpid()}"
    try:
        aside.mkdir(parents=True, exist_ok=True)
        for name in DERIVED_TABLES:
            target = sql_string(str(aside / f"{name}.parquet"))
            con.execute(f"COPY {name} TO {target} (FORMAT parquet, COMPRESSION zstd)")
        try:
            aside.rename(cache / key)
        except OSError:  # another process stored the same key first
            shutil.rmtree(aside, ignore_errors=True)
        for other in cache.iterdir():
            if other.name != key and not other.name.startswith("."):
                shutil.rmtree(other, ignore_errors=True)
    except (OSError, duckdb.Error):
        shutil.rmtree(aside, ignore_errors=True)  # a read-only case folder goes without a cache
