"""Where collected pages go, and the collection log that is both the chain of custody and the checkpoint.

A *job* is one collection from one source with one set of parameters (window, accounts, filters). Its id
is a hash of those parameters, so a rerun of the same command finds the same job and resumes it.

Layout in the case folder::

    evidence/<source>/<job>/<stream>/000001.json.gz     one response page, byte for byte, gzip'd
    collection/<source>-<job>/job.json                 what was asked, when, by which collector version
    collection/<source>-<job>/log.jsonl                one line per page: request, response, hashes
    collection/<source>-<job>/tmp/                     pages being written (never under evidence/)

A *stream* is one sequence of pages (a region, an endpoint, a bucket prefix). Saving a page is three
steps, in an order that makes any interruption (kill -9, power loss) recoverable without a gap or a
doubled page:

1. the page is written (and fsync'd) under ``tmp/``;
2. its log line (with the SHA-256 and the cursor that follows it) is appended and fsync'd;
3. the file is renamed into ``evidence/``.

The log is the checkpoint: a stream resumes from its last logged page's cursor. On open, a page whose log
line was written but whose rename was not is completed (its hash checked); a page written without a log
line is discarded and fetched again; a torn last log line (cut mid-write) is dropped.
"""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from irkit import __version__
from irkit.errors import CaseError

EVIDENCE = "evidence"
COLLECTION = "collection"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def job_id(source: str, params: dict[str, Any]) -> str:
    text = json.dumps({"source": source, "params": params}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


@dataclass
class StreamState:
    """Where a stream stands: pages saved, the cursor of the next page, whether it is finished."""

    pages: int = 0
    cursor: Any = None
    done: bool = False
    records: int = 0
    first_time: str | None = None
    last_time: str | None = None


@dataclass
class Job:
    """One collection job in a case; see the module docstring."""

    case: Path
    source: str
    params: dict[str, Any]
    collector_version: str
    window: dict[str, Any] = field(default_factory=dict)
    id: str = ""
    streams: dict[str, StreamState] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.id = self.id or job_id(self.source, self.params)
        self.folder = self.case / COLLECTION / f"{self.source}-{self.id}"
        self.evidence = self.case / EVIDENCE / self.source / self.id
        self.log_path = self.folder / "log.jsonl"
        self.tmp = self.folder / "tmp"

    # -- opening ------------------------------------------------------------------------------
    def open(self) -> Job:
        """Create the job's folders (or find them), recover an interrupted save, read the checkpoint.
        Holds an exclusive lock on the job until :meth:`close`: one collector per job at a time."""
        self.tmp.mkdir(parents=True, exist_ok=True)
        self._lock = open(self.folder / ".lock", "w")  # noqa: SIM115 - held until close()
        try:
            fcntl.flock(self._lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            self._lock.close()
            raise CaseError("another collection is writing this job", path=self.folder) from exc
        self.evidence.mkdir(parents=True, exist_ok=True)
        job_file = self.folder / "job.json"
        if job_file.exists():
            stored = json.loads(job_file.read_text())
            if stored.get("params") != json.loads(json.dumps(self.params, default=str)):
                raise CaseError("collection job parameters differ from the stored ones", path=job_file)
            self.window = stored.get("window") or self.window  # a rerun keeps the first run's "now"
        else:
            _write_atomic(job_file, json.dumps({
                "job": self.id, "source": self.source, "params": self.params, "window": self.window,
                "started": now_iso(), "collector_version": self.collector_version, "irkit": __version__,
            }, indent=2, sort_keys=True, default=str).encode() + b"\n")
        self._recover()
        return self

    def close(self) -> None:
        lock = getattr(self, "_lock", None)
        if lock is not None and not lock.closed:
            lock.close()

    def _recover(self) -> None:
        entries = list(self._entries(repair=True))
        for entry in entries:
            state = self.streams.setdefault(entry["stream"], StreamState())
            state.pages = entry["seq"]
            state.cursor = entry.get("next")
            state.done = bool(entry.get("done"))
            state.records += int(entry.get("records") or 0)
            if entry.get("first_time") and (state.first_time is None or entry["first_time"] < state.first_time):
                state.first_time = entry["first_time"]
            if entry.get("last_time") and (state.last_time is None or entry["last_time"] > state.last_time):
                state.last_time = entry["last_time"]
        for entry in entries[-1:]:  # pages are saved one at a time: only the last can be mid-save
            if not entry.get("file"):
                continue
            part, final = self._part(entry["file"]), self.case / entry["file"]
            if part.exists() and not final.exists() and _sha256_file(part) == entry["stored_sha256"]:
                final.parent.mkdir(parents=True, exist_ok=True)
                os.replace(part, final)  # step 3 of an interrupted save
        for part in self.tmp.iterdir():
            part.unlink()  # written but never logged: fetched again

    def _entries(self, repair: bool = False) -> Iterator[dict[str, Any]]:
        if not self.log_path.exists():
            return
        data = self.log_path.read_bytes()
        keep = len(data)
        if data and not data.endswith(b"\n"):  # a line cut mid-write: it never counted
            keep = data.rfind(b"\n") + 1
            if repair:
                with open(self.log_path, "r+b") as fh:
                    fh.truncate(keep)
        for line in data[:keep].splitlines():
            if line.strip():
                yield json.loads(line)

    def _part(self, rel: str) -> Path:
        return self.tmp / (hashlib.sha256(rel.encode()).hexdigest()[:32] + ".part")

    def entries(self) -> list[dict[str, Any]]:
        return list(self._entries())

    def state(self, stream: str) -> StreamState:
        return self.streams.setdefault(stream, StreamState())

    # -- saving -------------------------------------------------------------------------------
    def save_page(self, stream: str, body: bytes, entry: dict[str, Any], *, next_cursor: Any, done: bool,
                  records: int = 0, times: tuple[str | None, str | None] = (None, None),
                  name: str | None = None, compress: bool = True) -> Path:
        """Save one response body as the stream's next page; see the module docstring for the order."""
        stored = gzip.compress(body, compresslevel=6, mtime=0) if compress else body
        return self._save(stream, stored, hashlib.sha256(body).hexdigest(), len(body), entry,
                          next_cursor=next_cursor, done=done, records=records, times=times, name=name,
                          suffix=".json.gz" if compress else "")

    def save_stream(self, stream: str, source: BinaryIO, entry: dict[str, Any], *, next_cursor: Any,
                    done: bool, name: str, folder: str | None = None, chunk: int = 4 * 1024**2,
                    limit: int | None = None) -> Path:
        """Save a downloaded object as it is (already compressed delivery files stay as delivered),
        streaming it so memory does not grow with its size."""
        part = self.tmp / "download.part"
        digest, size = hashlib.sha256(), 0
        with open(part, "wb") as out:
            while block := source.read(chunk):
                size += len(block)
                if limit is not None and size > limit:
                    raise CaseError(f"object larger than the {limit}-byte bound: not saved", path=name)
                digest.update(block)
                out.write(block)
            out.flush()
            os.fsync(out.fileno())
        return self._save(stream, part, digest.hexdigest(), size, entry, next_cursor=next_cursor, done=done,
                          records=0, times=(None, None), name=name, suffix="", folder=folder)

    def _save(self, stream: str, stored: bytes | Path, sha256: str, size: int, entry: dict[str, Any], *,
              next_cursor: Any, done: bool, records: int, times: tuple[str | None, str | None],
              name: str | None, suffix: str, folder: str | None = None) -> Path:
        state = self.state(stream)
        seq = state.pages + 1
        if records == 0 and isinstance(stored, bytes) and suffix == ".json.gz":
            return self._log_only(stream, seq, gzip.decompress(stored), sha256, entry, next_cursor, done)
        rel_name = name or f"{seq:06d}{suffix}"
        final = self.evidence / _safe_part(folder or stream) / rel_name
        rel = final.relative_to(self.case).as_posix()
        part = self._part(rel)
        if isinstance(stored, Path):
            os.replace(stored, part)
            stored_sha = sha256
        else:
            _write_atomic(part, stored)
            stored_sha = hashlib.sha256(stored).hexdigest()
        line = {
            "seq": seq, "stream": stream, **entry, "sha256": sha256, "bytes": size,
            "stored_sha256": stored_sha, "file": rel, "records": records,
            "first_time": times[0], "last_time": times[1], "next": next_cursor, "done": done,
            "collector": self.source, "collector_version": self.collector_version, "irkit": __version__,
            "saved": now_iso(),
        }
        self._append(line)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(part, final)
        state.pages, state.cursor, state.done = seq, next_cursor, done
        state.records += records
        if times[0] and (state.first_time is None or times[0] < state.first_time):
            state.first_time = times[0]
        if times[1] and (state.last_time is None or times[1] > state.last_time):
            state.last_time = times[1]
        return final

    def _log_only(self, stream: str, seq: int, body: bytes, sha256: str, entry: dict[str, Any],
                  next_cursor: Any, done: bool) -> Path:
        """A page holding no records (the end of a listing): its bytes go in the log line, not in
        evidence/, where ingest would report a file with no records of a known format."""
        line = {"seq": seq, "stream": stream, **entry, "sha256": sha256, "bytes": len(body), "file": None,
                "body": body.decode("utf-8", "backslashreplace")[:65536], "records": 0, "next": next_cursor,
                "done": done, "collector": self.source, "collector_version": self.collector_version,
                "irkit": __version__, "saved": now_iso()}
        self._append(line)
        state = self.state(stream)
        state.pages, state.cursor, state.done = seq, next_cursor, done
        return self.log_path

    def _append(self, line: dict[str, Any]) -> None:
        with open(self.log_path, "ab") as fh:
            fh.write(json.dumps(line, sort_keys=True, default=str).encode() + b"\n")
            fh.flush()
            os.fsync(fh.fileno())

    def finish_stream(self, stream: str, entry: dict[str, Any]) -> None:
        """Mark a stream finished without a page (e.g. a listing that found nothing more)."""
        state = self.state(stream)
        line = {"seq": state.pages, "stream": stream, **entry, "next": state.cursor, "done": True,
                "records": 0, "collector": self.source, "collector_version": self.collector_version,
                "irkit": __version__, "saved": now_iso()}
        self._append(line)
        state.done = True


def _safe_part(text: str) -> str:
    """A stream name as a folder name (no separators, no dot-dot)."""
    cleaned = "".join(c if c.isalnum() or c in "-_.=" else "_" for c in text)
    return cleaned.strip(".") or "stream"


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".w")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(4 * 1024**2):
            digest.update(block)
    return digest.hexdigest()
