"""The identity tables every analysis joins, materialized once per state of the lake and inventory.

``actors``, ``identity_links``, ``identity_edges``, ``principal_hops``, ``handover_events`` (the events
that can hand control beyond their actor, which control reads instead of every record's delegation and
credential lists) and ``credentials_seen`` (every credential the records name, with its principal)
are defined by ``irkit/sql/view_<name>.sql`` and computed from the whole lake: about 16 s at 10 M events. They are cached as Parquet in the case folder under
``derived/<key>/``, where the key hashes everything they depend on (the last manifest commit, the
inventory's tables, the SQL that defines them, irkit's version), so a cache can never be stale: a new
ingest or another inventory gives another key. A cache folder appears whole (written aside, then
renamed) and older ones are removed. A case folder that cannot be written to goes without it.

The cache is not evidence, but every analysis reads it, so it is checked: each cache folder holds
``hashes.json`` (the SHA-256 of each table file), a cache whose files do not match is never used (it
is set aside as ``.rejected-<key>`` and the tables are recomputed from the lake), and
:func:`check` (run by ``verify``) recomputes the tables and compares them row for row with the cache,
which also catches an edit whose hashes were rewritten.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import warnings
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from irkit import __version__
from irkit.db import run_script, sql_string
from irkit.sql import query

#: Tables derived from ``events`` and the inventory, each defined by ``irkit/sql/view_<name>.sql``.
DERIVED_TABLES: tuple[str, ...] = ("principal_hops", "handover_events", "credentials_seen", "actors", "identity_links",
                                   "identity_edges")

CACHE_DIR = "derived"
HASHES = "hashes.json"


class CacheWarning(UserWarning):
    """The derived cache did not match its hashes and was recomputed."""


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
    """Create the derived tables as temp tables, from the cache when it holds ``key`` and its files
    match their recorded hashes; otherwise compute them from the lake (and store them)."""
    folder = root / CACHE_DIR / key
    if folder.is_dir():
        problem = _cache_problem(folder)
        if problem is None:
            try:
                for name in DERIVED_TABLES:
                    source = sql_string(str(folder / f"{name}.parquet"))
                    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM read_parquet({source})")
                return
            except duckdb.Error as exc:
                problem = f"unreadable ({exc})"
        warnings.warn(f"{folder}: derived cache {problem}; recomputed from the lake", CacheWarning, stacklevel=3)
        _reject(folder)
    for name in DERIVED_TABLES:
        _compute(con, name)
    _store(con, root / CACHE_DIR, key)


def _cache_problem(folder: Path) -> str | None:
    """Why the cache folder cannot be trusted, or None when every table file matches its hash."""
    try:
        recorded = json.loads((folder / HASHES).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return f"has no readable {HASHES} ({exc.__class__.__name__})"
    if not isinstance(recorded, dict) or set(recorded) != set(DERIVED_TABLES):
        return f"{HASHES} does not list the tables {', '.join(DERIVED_TABLES)}"
    from irkit.lake import sha256_file

    for name in DERIVED_TABLES:
        file = folder / f"{name}.parquet"
        if not file.is_file():
            return f"is missing {file.name}"
        if sha256_file(file) != recorded[name]:
            return f"file {file.name} does not match its recorded hash (changed after it was written)"
    return None


def _reject(folder: Path) -> None:
    """Set a cache that failed its check aside (kept for inspection, never read again)."""
    try:
        target = folder.with_name(f".rejected-{folder.name}")
        shutil.rmtree(target, ignore_errors=True)
        folder.rename(target)
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)


def check(con: duckdb.DuckDBPyConnection, root: Path, key: str) -> list[dict[str, Any]]:
    """Problems with the cache of ``key``: files that do not match their hashes, or tables that differ
    from a fresh computation from the lake. ``con`` has the lake views and no derived tables yet."""
    folder = root / CACHE_DIR / key
    if not folder.is_dir():
        return []
    relative = str(folder.relative_to(root))
    problem = _cache_problem(folder)
    if problem is not None:
        return [{"kind": "derived", "path": relative, "problem": "changed", "detail": f"the cache {problem}"}]
    problems = []
    for name in DERIVED_TABLES:
        _compute(con, name)
        cached = f"read_parquet({sql_string(str(folder / f'{name}.parquet'))})"
        try:
            differ = con.execute(
                f"SELECT (SELECT count(*) FROM (SELECT * FROM {cached} EXCEPT ALL SELECT * FROM {name})) + "
                f"(SELECT count(*) FROM (SELECT * FROM {name} EXCEPT ALL SELECT * FROM {cached}))"
            ).fetchone()[0]  # type: ignore[index]
        except duckdb.Error as exc:
            problems.append({"kind": "derived", "path": f"{relative}/{name}.parquet", "problem": "damaged",
                             "detail": f"cannot be compared with the lake ({exc})"})
            continue
        if differ:
            problems.append({"kind": "derived", "path": f"{relative}/{name}.parquet", "problem": "changed",
                             "detail": f"{differ} row(s) differ from the table computed from the lake "
                             f"(remove {relative} to have it recomputed)"})
    return problems


def _compute(con: duckdb.DuckDBPyConnection, name: str) -> None:
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS " + run_script(con, query(f"view_{name}")))


def _store(con: duckdb.DuckDBPyConnection, cache: Path, key: str) -> None:
    aside = cache / f".{key}.{os.getpid()}"
    try:
        aside.mkdir(parents=True, exist_ok=True)
        for name in DERIVED_TABLES:
            target = sql_string(str(aside / f"{name}.parquet"))
            con.execute(f"COPY {name} TO {target} (FORMAT parquet, COMPRESSION zstd)")
        from irkit.lake import sha256_file

        hashes = {name: sha256_file(aside / f"{name}.parquet") for name in DERIVED_TABLES}
        (aside / HASHES).write_text(json.dumps(hashes, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        try:
            aside.rename(cache / key)
        except OSError:  # another process stored the same key first
            shutil.rmtree(aside, ignore_errors=True)
        for other in cache.iterdir():
            if other.name != key and not other.name.startswith("."):
                shutil.rmtree(other, ignore_errors=True)
    except (OSError, duckdb.Error):
        shutil.rmtree(aside, ignore_errors=True)  # a read-only case folder goes without a cache
