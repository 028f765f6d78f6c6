"""Ingest: evidence files in, normalized Parquet and quarantine out, every record accounted for.

For each batch of files read by one loader: records are streamed into Arrow, normalized by the
loader's SQL in DuckDB, split into good rows and quarantine, de-duplicated on ``(source, event_uid)``
(within the batch and against the lake), written to staging as zstd Parquet, then committed by
moving the files into the lake and appending one manifest line. Per file it counts
``read = loaded + quarantined + duplicates``.
"""

from __future__ import annotations

import fcntl
import json
import os
import queue
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
import pyarrow.parquet as pq

from irkit import __version__, lake, loaders
from irkit.accounting import FileResult, IngestSummary
from irkit.db import duck_type, run_script, sql_string
from irkit.evidence import DEFAULT_MAX_BYTES, EvidenceItem, discover, read_records, sample_records
from irkit.progress import progress_bar
from irkit.schema import EVENT_SCHEMA, LOADER_COLUMNS, REQUIRED_LOADER_COLUMNS
from irkit.sql import query

BATCH_BYTES = 256 * 1024**2
FLUSH_BYTES = 96 * 1024**2
BATCH_FILES = 4000

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
    progress: bool | None = None,
) -> IngestSummary:
    """Ingest files and folders into the case at ``root``; see the module docstring.

    ``source`` forces a loader instead of detection; ``options`` are bound as named parameters of
    that loader's query (the generic ``jsonl`` loader takes its field mapping this way).
    """
    if options and not source:
        from irkit.errors import UsageError

        raise UsageError("loader options need an explicit source")
    started = time.perf_counter()
    items = discover(list(paths))
    forced = loaders.get(source) if source else None
    summary = IngestSummary()
    with case_lock(root):
        lake.recover(root)
        known = lake.Manifest.read(root).ingested_hashes()
        plan: list[tuple[loaders.Loader, FileResult, EvidenceItem]] = []
        for item in items:
            sha = item.sha256()
            result = FileResult(
                path=item.display, sha256=sha, size=item.size(), source=None,
                member=item.member, abspath=str(item.path.resolve()),
            )
            summary.files.append(result)
            if sha in known:
                result.status = "already ingested"
                continue
            known.add(sha)
            loader = forced or loaders.detect(sample_records(item, max_bytes=max_bytes)) or UNKNOWN
            result.source = loader.name or None
            result.loader_version = loader.version or None
            plan.append((loader, result, item))
        total = sum(r.size for _, r, _ in plan)
        with progress_bar(total, "ingest", progress) as bar:
            for batch in _batches(plan):
                _ingest_batch(root, con, batch, max_bytes, bar, options)
    summary.seconds = time.perf_counter() - started
    return summary


def _batches(
    plan: list[tuple[loaders.Loader, FileResult, EvidenceItem]],
) -> Iterator[list[tuple[loaders.Loader, FileResult, EvidenceItem]]]:
    by_loader: dict[str, list[tuple[loaders.Loader, FileResult, EvidenceItem]]] = {}
    for entry in plan:
        by_loader.setdefault(entry[0].name, []).append(entry)
    for entries in by_loader.values():
        batch: list[tuple[loaders.Loader, FileResult, EvidenceItem]] = []
        size = 0
        for entry in entries:
            batch.append(entry)
            size += entry[1].size
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
    pending_bytes, flush_no = 0, 0
    for file_id, table in _prefetched(_batch_records(batch, max_bytes)):
        if table is None:  # the file is done
            bar.update(batch[file_id][1].size)
            continue
        pending.append(table.add_column(0, "file_id", pa.array(np.full(len(table), file_id, np.int64))))
        pending_bytes += table.nbytes
        if pending_bytes >= FLUSH_BYTES:
            _flush(con, loader, pending, staging, flush_no, batch, options)
            pending, pending_bytes, flush_no = [], 0, flush_no + 1
    if pending or flush_no == 0:
        _flush(con, loader, pending, staging, flush_no, batch, options)
    _commit(root, staging, commit_id, batch)
    con.unregister("batch_files")


def _batch_records(
    batch: list[tuple[loaders.Loader, FileResult, EvidenceItem]], max_bytes: int
) -> Iterator[tuple[int, pa.Table | None]]:
    """Record tables of every file in the batch, each file closed by ``(file_id, None)``."""
    for file_id, (_, _, item) in enumerate(batch):
        for table in read_records(item, max_bytes):
            yield file_id, table
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
    schema = pa.schema([("file_id", pa.int64()), *lake_record_fields()])
    records = pa.concat_tables(tables) if tables else schema.empty_table()
    con.register("records", records)
    try:
        statement = run_script(con, loader.sql)
        con.execute(f"CREATE OR REPLACE TEMP TABLE normalized AS {statement}", options or None)
        _complete_columns(con, loader)
        con.execute(query("ingest_unaccounted"))
        con.execute(query("ingest_guard"))
        _explain_invalid_json(con)
        existing = _existing_event_files(staging.parent.parent, staging, con)
        con.execute(query("ingest_dedup").replace("/*existing*/", existing))
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
        for file_id, read, quarantined, loaded in con.execute(query("ingest_counts")).fetchall():
            result = batch[file_id][1]
            result.read += read
            result.quarantined += quarantined
            result.loaded += loaded
            result.duplicates = result.read - result.loaded - result.quarantined
    finally:
        con.unregister("records")
        con.execute("DROP TABLE IF EXISTS normalized; DROP TABLE IF EXISTS kept")


def _complete_columns(con: duckdb.DuckDBPyConnection, loader: loaders.Loader) -> None:
    """Add the event columns the loader does not state, as typed nulls (lists: empty lists); a missing
    required column is the loader's bug, reported by name."""
    present = {row[0] for row in con.execute("DESCRIBE normalized").fetchall()}
    missing = [c for c in REQUIRED_LOADER_COLUMNS if c not in present]
    if missing and loader.name:
        from irkit.errors import IrkitError

        raise IrkitError(f"loader {loader.name} does not produce the required column(s) {', '.join(missing)}")
    for column in LOADER_COLUMNS:
        if column not in present:
            typ = EVENT_SCHEMA.field(column).type
            default = f"CAST([] AS {duck_type(typ)})" if pa.types.is_list(typ) else "NULL"
            con.execute(f"ALTER TABLE normalized ADD COLUMN {column} {duck_type(typ)} DEFAULT {default}")


def lake_record_fields() -> list[pa.Field]:
    from irkit.evidence import RECORD_SCHEMA

    return list(RECORD_SCHEMA)


def _explain_invalid_json(con: duckdb.DuckDBPyConnection) -> None:
    """Replace the loaders' 'not valid JSON' marker by the parser's own message, for the few bad rows."""
    bad = con.execute(
        "SELECT file_id, evidence_offset, evidence_path, raw FROM normalized WHERE quarantine_reason = $r",
        {"r": loaders.INVALID_JSON},
    ).fetchall()
    for file_id, offset, path, raw in bad:
        try:
            json.loads(raw)
            reason = "not a JSON object of this format"
        except ValueError as exc:
            reason = f"{loaders.INVALID_JSON}: {exc}"
        con.execute(
            "UPDATE normalized SET quarantine_reason = $reason WHERE file_id = $f AND evidence_offset = $o AND evidence_path = $p",
            {"reason": reason, "f": file_id, "o": offset, "p": path},
        )


def _existing_event_files(root: Path, staging: Path, con: duckdb.DuckDBPyConnection) -> str:
    """A FROM-source of (source, event_uid) already stored for the sources and days in this flush."""
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
        return "(SELECT CAST(NULL AS VARCHAR) AS source, CAST(NULL AS VARCHAR) AS event_uid WHERE false)"
    listed = "[" + ", ".join(sql_string(f) for f in files) + "]"
    return f"(SELECT source, event_uid FROM read_parquet({listed}, hive_partitioning = true, hive_types = {{'source': VARCHAR, 'day': DATE}}))"


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
