"""Ingest: evidence files in, normalized Parquet and quarantine out, every record accounted for.

For each batch of files read by one loader: records are streamed into Arrow, normalized by the
loader's SQL in DuckDB, split into good rows and quarantine, de-duplicated on ``(source, event_uid)``
(within the batch and against the lake), written to staging as zstd Parquet, then committed by
moving the files into the lake and appending one manifest line. Per file it counts
``read = loaded + quarantined + duplicates + conflicts``.

Nothing in one file stops the others, and nothing in one record stops its batch:

* a record the reader rejects (too deep, too long, not UTF-8) is quarantined without being parsed;
* a record whose values make the loader's SQL fail (a number no timestamp can hold) is isolated by
  re-running the loader on halves of the flush until the failing records stand alone, and each is
  quarantined with the error;
* a time outside 1970-01-01 .. 2100-01-01 (``TIME_RANGE``; ``end_time`` and credential expiries too)
  quarantines the record: such values are corrupt or forged, and readers (polars, pyarrow, Python's
  datetime) cannot even hold some of them;
* an event id already seen with the *same* content (same normalized fields, and the same JSON
  text, or one record wrapping the other as an envelope does) is a duplicate and stored once; with
  *different* content it is a **conflict**: the record is kept whole in the quarantine with reason
  ``conflict: ...`` and counted apart, never dropped;
* a file that cannot be read as a whole (not text, empty, a corrupt, encrypted, nested or oversized
  archive) gets a manifest entry with its ``error``; records read before the failure stay accounted for.
  Links and special files are refused and listed in the commit's ``refused`` entries. ``strict`` turns
  the first such problem into an exception instead.
"""

from __future__ import annotations

import collections
import dataclasses
import fcntl
import json
import os
import queue
import re
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from irkit import __version__, lake, loaders
from irkit.accounting import FileResult, IngestSummary
from irkit.db import duck_type, run_script, sql_string
from irkit.errors import EvidenceError, IrkitError
from irkit.evidence import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_RATIO,
    READ_SCHEMA,
    EvidenceItem,
    discover,
    read_records,
    sample_lines,
    sample_records,
)
from irkit.progress import progress_bar
from irkit.schema import EVENT_SCHEMA, LOADER_COLUMNS, REQUIRED_LOADER_COLUMNS
from irkit.sql import query

BATCH_BYTES = 256 * 1024**2
FLUSH_BYTES = 96 * 1024**2
#: A flush also ends at this many records, so that tiny records cannot grow the normalized table
#: (forty columns a record) without bound.
FLUSH_RECORDS = 100_000
BATCH_FILES = 4000
#: Runs of a loader's query spent isolating the records it fails on, per flush (about 20-80 ms each).
ISOLATION_RUNS = 200
#: Plausible event times; anything outside is quarantined (see the module docstring).
TIME_RANGE = ("1970-01-01", "2100-01-01")
#: Event columns that must agree for a repeated event id to be a duplicate rather than a conflict
#: (with the record's text: see irkit/sql/ingest_dedup.sql).
CONTENT_COLUMNS = ("time", "class_name", "operation", "status", "actor_uid", "target_uid")
_T = TypeVar("_T")

UNKNOWN = loaders.Loader(
    name="",
    version="",
    description="no loader recognises the file",
    sniff=lambda records: False,
    sql="SELECT file_id, evidence_offset, evidence_path, raw, CAST(NULL AS VARCHAR) AS source, "
    + ", ".join(f"CAST(NULL AS {duck_type(EVENT_SCHEMA.field(c).type)}) AS {c}" for c in REQUIRED_LOADER_COLUMNS)
    + ", 'no loader recognises this file' AS quarantine_reason FROM records",
    detectable=False,
)


def _unknown(hint: str) -> loaders.Loader:
    """The no-loader loader whose quarantine reason says what the records likely are (``hint`` is one of
    :func:`irkit.loaders.likely_format`'s constant texts, never a log value)."""
    reason = sql_string(f"no loader recognises this file: {hint}")
    return dataclasses.replace(UNKNOWN, sql=UNKNOWN.sql.replace("'no loader recognises this file'", reason))


@contextmanager
def case_lock(root: Path) -> Iterator[None]:
    """One writer per case at a time."""
    with open(root / ".lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            from irkit.errors import CaseError

            raise CaseError("another ingest is writing to this case", path=root) from exc
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def ingest(
    root: Path,
    con: duckdb.DuckDBPyConnection,
    paths: Sequence[str | Path],
    *,
    source: str | None = None,
    options: dict[str, Any] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_ratio: float | None = DEFAULT_MAX_RATIO,
    strict: bool = False,
    follow_symlinks: bool = False,
    progress: bool | None = None,
) -> IngestSummary:
    """Ingest files and folders into the case at ``root``; see the module docstring.

    ``source`` forces a loader instead of detection; ``options`` are bound as named parameters of
    that loader's query (the generic ``jsonl`` loader takes its field mapping this way).
    ``max_bytes`` and ``max_ratio`` bound decompression (:mod:`irkit.evidence`); ``strict`` raises at
    the first file that cannot be read instead of recording it; ``follow_symlinks`` follows links
    in the given folders whose target stays inside them.
    """
    if options and not source:
        from irkit.errors import UsageError

        raise UsageError("loader options need an explicit source")
    started = time.perf_counter()
    items = discover(list(paths), follow_symlinks=follow_symlinks)
    forced = loaders.get(source) if source else None
    summary = IngestSummary()
    with case_lock(root):
        lake.recover(root)
        manifest = lake.Manifest.read(root)
        known = {e["sha256"] for e in manifest.evidence() if e.get("sha256")}
        earlier = {(e.get("path"), e.get("member"), e.get("member_index")): (e, c.get("at"))
                   for c in manifest.commits for e in c["evidence"]}
        plan: list[tuple[loaders.Loader, FileResult, EvidenceItem]] = []
        unread: list[FileResult] = []
        for item in items:
            result = FileResult(
                path=item.display, sha256=None, size=None, source=None,
                member=item.member, member_index=item.index, abspath=str(item.path.absolute()),
            )
            summary.files.append(result)
            if item.problem:
                if strict:
                    raise item.refusal()
                _file_problem(result, "refused", item.problem, strict, item)
                unread.append(result)
                continue
            try:
                result.sha256, result.size = item.sha256(), item.size()
            except (OSError, ValueError, RuntimeError) as exc:
                _file_problem(result, "refused", f"cannot read: {exc}", strict, item)
                unread.append(result)
                continue
            before = earlier.get((result.abspath, item.member, item.index))
            if before and before[0].get("sha256") != result.sha256:
                summary.warnings.append(
                    f"{item.display}: changed since it was ingested at {before[1]} (SHA-256 was "
                    f"{str(before[0].get('sha256'))[:16]}…, is {result.sha256[:16]}…); both versions are in the case")
            if result.sha256 in known:
                result.status = "already ingested"
                continue
            known.add(result.sha256)
            try:
                sample = sample_records(item, max_bytes=max_bytes, max_ratio=max_ratio)
            except EvidenceError as exc:
                if strict:
                    raise
                _file_problem(result, "failed", _message(exc), strict, item)
                unread.append(result)
                continue
            loader = forced or loaders.detect(sample)
            if loader is None:  # a text log whose lines are not JSON (or JSON no loader takes)
                try:
                    loader = loaders.detect_lines(sample_lines(item, max_bytes=max_bytes, max_ratio=max_ratio))
                except EvidenceError:
                    loader = None
            loader = loader or UNKNOWN
            if loader is UNKNOWN:
                hint = loaders.likely_format(sample)
                result.error = "unknown format: no loader recognises this file (its records are quarantined)"
                if hint:
                    result.error += f"; {hint}"
                    loader = _unknown(hint)
                if strict:
                    from irkit.errors import UnknownFormatError

                    raise UnknownFormatError("no loader recognises this file", path=item.display)
            result.source = loader.name or None
            result.loader_version = loader.version or None
            plan.append((loader, result, item))
        total = sum(r.size or 0 for _, r, _ in plan)
        with progress_bar(total, "ingest", progress) as bar:
            for batch in _batches(plan):
                _ingest_batch(root, con, batch, max_bytes, max_ratio, strict, bar, options)
        if unread:
            _commit_unread(root, unread)
    summary.seconds = time.perf_counter() - started
    return summary


def _message(exc: IrkitError) -> str:
    return f"line {exc.line}: {exc.message}" if exc.line is not None else exc.message


def _file_problem(result: FileResult, status: str, reason: str, strict: bool, item: EvidenceItem) -> None:
    """Record what is wrong with a whole file; under ``strict``, raise it instead."""
    if strict:
        raise EvidenceError(reason, path=item.display)
    result.status, result.error = status, reason


def _batches(
    plan: list[tuple[loaders.Loader, FileResult, EvidenceItem]],
) -> Iterator[list[tuple[loaders.Loader, FileResult, EvidenceItem]]]:
    by_loader: dict[tuple[str, str], list[tuple[loaders.Loader, FileResult, EvidenceItem]]] = {}
    for entry in plan:
        by_loader.setdefault((entry[0].name, entry[0].sql), []).append(entry)
    for entries in by_loader.values():
        batch: list[tuple[loaders.Loader, FileResult, EvidenceItem]] = []
        size = 0
        for entry in entries:
            batch.append(entry)
            size += entry[1].size or 0
            if size >= BATCH_BYTES or len(batch) >= BATCH_FILES:
                yield batch
                batch, size = [], 0
        if batch:
            yield batch


def _ingest_batch(
    root: Path,
    con: duckdb.DuckDBPyConnection,
    batch: list[tuple[loaders.Loader, FileResult, EvidenceItem]],
    max_bytes: int,
    max_ratio: float | None,
    strict: bool,
    bar: Any,
    options: dict[str, Any] | None,
) -> None:
    loader = batch[0][0]
    commit_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f") + f"-{os.getpid()}"
    staging = root / lake.STAGING / commit_id
    staging.mkdir(parents=True)
    files = pa.table(
        {
            "file_id": pa.array(range(len(batch)), pa.int64()),
            "evidence_file": [r.path for _, r, _ in batch],
            "evidence_sha256": [r.sha256 for _, r, _ in batch],
        }
    )
    con.register("batch_files", files)
    pending: list[pa.Table] = []
    pending_bytes, pending_rows, flush_no = 0, 0, 0
    for file_id, table in _prefetched(_batch_records(batch, max_bytes, max_ratio, strict)):
        if table is None:  # the file is done
            bar.update(batch[file_id][1].size or 0)
            continue
        pending.append(table.add_column(0, "file_id", pa.array(np.full(len(table), file_id, np.int64))))
        pending_bytes += table.nbytes
        pending_rows += len(table)
        if pending_bytes >= FLUSH_BYTES or pending_rows >= FLUSH_RECORDS:
            _flush(con, loader, pending, staging, flush_no, batch, options)
            pending, pending_bytes, pending_rows, flush_no = [], 0, 0, flush_no + 1
    if pending or flush_no == 0:
        _flush(con, loader, pending, staging, flush_no, batch, options)
    _commit(root, staging, commit_id, batch)
    con.unregister("batch_files")


def _batch_records(
    batch: list[tuple[loaders.Loader, FileResult, EvidenceItem]], max_bytes: int, max_ratio: float | None,
    strict: bool,
) -> Iterator[tuple[int, pa.Table | None]]:
    """Record tables of every file in the batch, each file closed by ``(file_id, None)``. A file that
    fails part-way keeps what was read and gets the failure as its ``error``."""
    for file_id, (_, result, item) in enumerate(batch):
        try:
            for table in read_records(item, max_bytes, max_ratio):
                yield file_id, table
        except EvidenceError as exc:
            if strict:
                raise
            result.status, result.error = "failed", _message(exc)
        except (ValueError, RecursionError, MemoryError, pa.ArrowException) as exc:
            if strict:
                raise EvidenceError(f"cannot be read: {exc!r}", path=item.display) from exc
            result.status, result.error = "failed", f"cannot be read: {exc!r}"
        yield file_id, None


def _prefetched(items: Iterator[_T], depth: int = 2) -> Iterator[_T]:
    """Run a generator in a background thread, ``depth`` items ahead, so reading and decompressing
    evidence overlaps DuckDB's work (both release the GIL). Exceptions surface in the caller."""
    box: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                if stop.is_set():
                    return
                box.put(("item", item))
            box.put(("end", None))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            box.put(("error", exc))

    worker = threading.Thread(target=produce, daemon=True)
    worker.start()
    try:
        while True:
            kind, value = box.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
        while worker.is_alive():
            try:
                box.get_nowait()
            except queue.Empty:
                worker.join(0.05)


def _flush(
    con: duckdb.DuckDBPyConnection,
    loader: loaders.Loader,
    tables: list[pa.Table],
    staging: Path,
    flush_no: int,
    batch: list[tuple[loaders.Loader, FileResult, EvidenceItem]],
    options: dict[str, Any] | None,
) -> None:
    schema = pa.schema([("file_id", pa.int64()), *READ_SCHEMA])
    read = pa.concat_tables(tables) if tables else schema.empty_table()
    if len(tables) > 256:  # thousands of tiny files: DuckDB scans one chunk per file slowly
        read = read.combine_chunks()
    rejected_mask = pc.is_valid(read.column("reject"))
    rejected = read.filter(rejected_mask)
    records = read.filter(pc.invert(rejected_mask)).drop_columns(["reject"]) if len(rejected) else read.drop_columns(["reject"])
    try:
        _normalize(con, loader, records, options)
        _complete_columns(con, loader)
        _route(con, loader, records)
        con.execute("ALTER TABLE normalized ADD COLUMN conflict BOOLEAN DEFAULT false")
        con.register("records", records)
        con.execute(query("ingest_unaccounted"))
        con.execute(query("ingest_raw"))
        if len(rejected):
            con.register("rejected", rejected)
            con.execute(
                "INSERT INTO normalized BY NAME SELECT file_id, evidence_offset, evidence_path, raw, "
                "$source AS source, reject AS quarantine_reason FROM rejected", {"source": loader.name or None})
            con.unregister("rejected")
        con.execute(query("ingest_guard"), {"since": TIME_RANGE[0], "until": TIME_RANGE[1]})
        _explain_invalid_json(con)
        existing = _existing_event_files(staging.parent.parent, staging, con)
        con.execute(run_script(con, query("ingest_keys").replace("/*existing*/", existing)))
        if not con.execute("SELECT count(*) FROM ingest_stored_keys").fetchone()[0]:
            existing = _no_events()  # nothing to compare with: the lake's wide columns stay unread
        dedup = query("ingest_dedup").replace("/*existing*/", existing)
        dedup = dedup.replace("/*content n*/", _content("n")).replace("/*content e*/", _content("e"))
        con.execute(run_script(con, dedup))
        events_dir = staging / "events"
        con.execute(
            "COPY (" + query("ingest_events_out") + ") TO " + sql_string(str(events_dir))
            + " (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1, PARTITION_BY (source, day),"
            + " OVERWRITE_OR_IGNORE,"
            + f" FILENAME_PATTERN 'part-{flush_no}-{{i}}')"
        )
        (staging / "quarantine").mkdir(exist_ok=True)
        quarantine_file = staging / "quarantine" / f"part-{flush_no}.parquet"
        con.execute(
            "COPY (" + query("ingest_quarantine_out") + ") TO " + sql_string(str(quarantine_file))
            + " (FORMAT parquet, COMPRESSION zstd)"
        )
        for file_id, read_n, quarantined, conflicts, loaded in con.execute(query("ingest_counts")).fetchall():
            result = batch[file_id][1]
            result.read += read_n
            result.quarantined += quarantined
            result.conflicts += conflicts
            result.loaded += loaded
            result.duplicates = result.read - result.loaded - result.quarantined - result.conflicts
    finally:
        for name in ("records", "rejected"):
            try:
                con.unregister(name)
            except (duckdb.Error, KeyError):
                pass
        con.execute("DROP TABLE IF EXISTS normalized; DROP TABLE IF EXISTS kept; DROP TABLE IF EXISTS ingest_firsts;"
                    " DROP TABLE IF EXISTS ingest_stored; DROP TABLE IF EXISTS ingest_repeats;"
                    " DROP TABLE IF EXISTS ingest_stored_keys")


def _content(alias: str) -> str:
    """The fingerprint of a row's core normalized fields (CONTENT_COLUMNS)."""
    return "md5(CAST(ROW(" + ", ".join(f"{alias}.{c}" for c in CONTENT_COLUMNS) + ") AS VARCHAR))"


def _normalize(con: duckdb.DuckDBPyConnection, loader: loaders.Loader, records: pa.Table,
               options: dict[str, Any] | None) -> None:
    """``normalized``: the loader's rows for ``records``. When the loader's SQL fails on some value,
    the records it fails on are found by halving and quarantined one by one with the error (k bad
    records among n cost about 2k log(n/k) runs of the loader's query). Past ISOLATION_RUNS runs (a
    file full of such values), the groups still failing are quarantined whole, with the error."""
    for relation, table in loader.tables:  # the loader's data files (CloudTrail's targets per call)
        con.register(relation, table)
    statement = run_script(con, loader.sql)  # its macros, once
    try:
        _run_loader(con, statement, records, options, create=True)
        return
    except duckdb.Error as first:
        if not loader.name or len(records) == 0:
            raise
        error = first
    _run_loader(con, statement, records.slice(0, 0), options, create=True)
    spans = collections.deque([(0, len(records), error)])  # breadth first: what the budget leaves is even
    runs = 0
    while spans:
        lo, hi, error = spans.popleft()
        detail = str(error).strip().splitlines()[0]
        if hi - lo == 1 or runs >= ISOLATION_RUNS:
            con.register("records", records.slice(lo, hi - lo))
            reason = (f"a value the {loader.name} loader cannot convert: {detail}" if hi - lo == 1 else
                      f"one of {hi - lo} records here holds a value the {loader.name} loader cannot convert "
                      f"(not isolated: too many such records in this file): {detail}")
            con.execute(
                "INSERT INTO normalized BY NAME SELECT file_id, evidence_offset, evidence_path, raw, "
                "$source AS source, $reason AS quarantine_reason FROM records",
                {"source": loader.name, "reason": reason},
            )
            continue
        mid = (lo + hi) // 2
        for a, b in ((lo, mid), (mid, hi)):
            runs += 1
            try:
                _run_loader(con, statement, records.slice(a, b - a), options, create=False)
            except duckdb.Error as exc:
                spans.append((a, b, exc))
    con.register("records", records)


def _route(con: duckdb.DuckDBPyConnection, loader: loaders.Loader, records: pa.Table) -> None:
    """Records the loader handed to another (reason ``route:<loader>``: a Kubernetes audit record in an
    Azure Monitor export) are normalized by that loader, record by record; their rows replace the
    hand-over in ``normalized`` and carry that loader's ``source``. A loader may route only to the
    loaders its ``ROUTES`` names, and a routed record is not routed again."""
    prefix = loaders.ROUTE
    wanted = [r[0] for r in con.execute(
        "SELECT DISTINCT quarantine_reason FROM normalized WHERE starts_with(quarantine_reason, $p)", {"p": prefix}
    ).fetchall()]
    for reason in wanted:
        name = reason[len(prefix):]
        if name not in loader.routes or name == loader.name:
            con.execute("UPDATE normalized SET quarantine_reason = $why WHERE quarantine_reason = $r",
                        {"why": f"the {name} loader reads this record, but {loader.name} does not route to it", "r": reason})
            continue
        con.register("records", records)
        handed = con.sql(
            "SELECT r.* FROM records r SEMI JOIN (SELECT file_id, evidence_offset, evidence_path FROM normalized"
            " WHERE quarantine_reason = $r) USING (file_id, evidence_offset, evidence_path)", params={"r": reason}
        ).to_arrow_table()
        con.execute("DELETE FROM normalized WHERE quarantine_reason = $r", {"r": reason})
        con.execute("ALTER TABLE normalized RENAME TO normalized_routing")
        try:
            other = loaders.get(name)
            _normalize(con, other, handed, None)
            _complete_columns(con, other)
            con.execute("UPDATE normalized SET quarantine_reason = $why WHERE starts_with(quarantine_reason, $p)",
                        {"why": f"routed to the {name} loader, which hands it on again", "p": prefix})
            con.execute("INSERT INTO normalized_routing BY NAME SELECT * FROM normalized")
        finally:
            con.execute("DROP TABLE IF EXISTS normalized")
            con.execute("ALTER TABLE normalized_routing RENAME TO normalized")
    con.register("records", records)


def _run_loader(con: duckdb.DuckDBPyConnection, statement: str, records: pa.Table,
                options: dict[str, Any] | None, *, create: bool) -> None:
    con.register("records", records)
    verb = "CREATE OR REPLACE TEMP TABLE normalized AS " if create else "INSERT INTO normalized BY NAME "
    con.execute(verb + statement, options or None)


def _complete_columns(con: duckdb.DuckDBPyConnection, loader: loaders.Loader) -> None:
    """Add the event columns the loader does not state, as typed nulls (lists: empty lists); a missing
    required column is the loader's bug, reported by name."""
    present = {row[0] for row in con.execute("DESCRIBE normalized").fetchall()}
    missing = [c for c in REQUIRED_LOADER_COLUMNS if c not in present]
    if missing and loader.name:
        raise IrkitError(f"loader {loader.name} does not produce the required column(s) {', '.join(missing)}")
    for column in LOADER_COLUMNS:
        if column not in present:
            typ = EVENT_SCHEMA.field(column).type
            default = f"CAST([] AS {duck_type(typ)})" if pa.types.is_list(typ) else "NULL"
            con.execute(f"ALTER TABLE normalized ADD COLUMN {column} {duck_type(typ)} DEFAULT {default}")


#: At most this many invalid records per flush get the parser's own message (the rest keep the marker).
EXPLAIN_LIMIT = 100_000


def _explain_invalid_json(con: duckdb.DuckDBPyConnection) -> None:
    """Replace the loaders' 'not valid JSON' marker by the parser's own message, in one update."""
    bad = con.execute(
        "SELECT rowid, raw FROM normalized WHERE quarantine_reason = $r LIMIT $n",
        {"r": loaders.INVALID_JSON, "n": EXPLAIN_LIMIT},
    ).fetchall()
    if not bad:
        return
    rids, reasons = [], []
    for rid, raw in bad:
        rids.append(rid)
        reasons.append(explain(raw))
    con.register("explained", pa.table({"rid": pa.array(rids, pa.int64()), "reason": pa.array(reasons, pa.string())}))
    try:
        con.execute("UPDATE normalized SET quarantine_reason = e.reason FROM explained e WHERE normalized.rowid = e.rid")
    finally:
        con.unregister("explained")


_BINARY = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def explain(raw: str | None) -> str:
    """Why a record the loader could not parse is not a record of its format, in words."""
    if raw is None:
        return f"{loaders.INVALID_JSON}: no text"
    if _BINARY.search(raw[:4096]):
        return "binary bytes, not a JSON record (trailing garbage?)"
    try:
        json.loads(raw)
        return "not a JSON object of this format"
    except RecursionError:
        return f"{loaders.INVALID_JSON}: nested too deep to parse"
    except ValueError as exc:
        return f"{loaders.INVALID_JSON}: {exc}"


def _existing_event_files(root: Path, staging: Path, con: duckdb.DuckDBPyConnection) -> str:
    """A FROM-source of the events already stored for the sources and days in this flush."""
    wanted = {
        (s, str(d)) for s, d in con.execute(
            "SELECT DISTINCT source, CAST(time AS DATE) FROM normalized WHERE quarantine_reason IS NULL"
        ).fetchall()
    }
    manifest = lake.Manifest.read(root)
    candidates = [root / o["path"] for o in manifest.outputs("events")]
    candidates += list(lake.parquet_files_under(staging / "events"))
    files = [str(p) for p in candidates if _partition_of(p) in wanted]
    if not files:
        return _no_events()
    listed = "[" + ", ".join(sql_string(f) for f in files) + "]"
    return (f"(SELECT * FROM read_parquet({listed}, union_by_name = true, hive_partitioning = true,"
            " hive_types = {'source': VARCHAR, 'day': DATE}))")


def _no_events() -> str:
    """An empty relation with the event columns."""
    columns = ", ".join(f"CAST(NULL AS {duck_type(EVENT_SCHEMA.field(c).type)}) AS {c}" for c in EVENT_SCHEMA.names)
    return f"(SELECT {columns} WHERE false)"


def _partition_of(path: Path) -> tuple[str, str]:
    parts = {p.split("=", 1)[0]: p.split("=", 1)[1] for p in path.parts if "=" in p}
    return parts.get("source", ""), parts.get("day", "")


def _commit(
    root: Path, staging: Path, commit_id: str, batch: list[tuple[loaders.Loader, FileResult, EvidenceItem]]
) -> None:
    outputs: list[dict[str, Any]] = []
    for kind, folder, target in (
        ("events", staging / "events", root / lake.EVENTS_DIR),
        ("quarantine", staging / "quarantine", root / lake.QUARANTINE_DIR),
    ):
        for file in lake.parquet_files_under(folder):
            rows = pq.read_metadata(file).num_rows
            if rows == 0:
                continue
            relative = file.relative_to(folder)
            final = target / relative.parent / f"{commit_id}-{relative.name}"
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(file, final)
            source, day = _partition_of(relative)
            outputs.append(
                {"kind": kind, "path": str(final.relative_to(root)), "sha256": lake.sha256_file(final),
                 "rows": rows, "source": source or None, "day": day or None}
            )
    commit = {
        "commit": commit_id,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "irkit": __version__,
        "evidence": [r.manifest_entry() for _, r, _ in batch],
        "outputs": outputs,
    }
    lake.append_commit(root, commit)
    import shutil

    shutil.rmtree(staging, ignore_errors=True)


def _commit_unread(root: Path, results: list[FileResult]) -> None:
    """One commit for the files that were found but not read: those with a hash (readable, but not as
    records) as evidence entries with their ``error``; refused ones (links, special files, members
    that cannot be opened) under ``refused``, since there is nothing of theirs to hash."""
    commit = {
        "commit": datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f") + f"-{os.getpid()}",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "irkit": __version__,
        "evidence": [r.manifest_entry() for r in results if r.sha256],
        "refused": [r.manifest_entry() for r in results if not r.sha256],
        "outputs": [],
    }
    lake.append_commit(root, commit)
