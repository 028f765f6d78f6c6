"""Finding evidence files and reading their records, without ever changing them.

An *evidence item* is one file on disk, one ``.gz`` file, or one member of a ``.zip`` archive (read in
memory, never extracted). Reading an item yields Arrow batches of records ``(evidence_offset,
evidence_path, raw)``: the raw text of each record exactly as it stands in the file, the 1-based line
where its JSON text starts, and the JSON path of the record inside that text.

Three containers are recognised by content:

* JSON lines: one JSON value per line; every non-blank line is a record (path ``$``);
* a JSON document (pretty-printed or not, possibly several concatenated): each top-level value is a
  record, except that a top-level array yields its elements (``$[3]``) and an object holding a
  known envelope key (``Records``, ``Events``, ``value``, ``records``, ``entries``) yields that array's elements
  (``$.Records[3]``);
* JSON lines whose lines are envelopes (log shippers that write one delivery file per line).

Decompression is bounded (``max_bytes``) and archive members that would escape their folder are
refused, because evidence is attacker-influenced.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from irkit import jsonscan
from irkit.errors import EvidenceError, UnsafeArchiveError

#: Keys whose array value holds the records of an envelope document.
ENVELOPE_KEYS = ("Records", "Events", "value", "records", "entries")

#: Default bound on the decompressed size of one evidence item.
DEFAULT_MAX_BYTES = 16 * 1024**3

CHUNK_BYTES = 32 * 1024**2
SNIFF_BYTES = 1024**2
DOCUMENT_MAX_BYTES = 2 * 1024**3

RECORD_SCHEMA = pa.schema(
    [("evidence_offset", pa.int64()), ("evidence_path", pa.string()), ("raw", pa.large_string())]
)


@dataclass(frozen=True)
class EvidenceItem:
    """One readable stream of evidence: a file, a gzip file, or a zip member."""

    path: Path
    member: str | None = None

    @property
    def display(self) -> str:
        return f"{self.path}!{self.member}" if self.member else str(self.path)

    @property
    def gzipped(self) -> bool:
        name = self.member or self.path.name
        return name.lower().endswith(".gz")

    def size(self) -> int:
        if self.member is None:
            return self.path.stat().st_size
        with zipfile.ZipFile(self.path) as zf:
            return zf.getinfo(self.member).file_size

    def open(self, max_bytes: int = DEFAULT_MAX_BYTES) -> BinaryIO:
        """The decompressed byte stream, refusing to yield more than ``max_bytes``."""
        try:
            if self.member is None:
                raw: BinaryIO = open(self.path, "rb")
            else:
                zf = zipfile.ZipFile(self.path)
                info = zf.getinfo(self.member)
                if info.file_size > max_bytes:
                    raise UnsafeArchiveError(
                        f"member decompresses to {info.file_size} bytes, over the {max_bytes}-byte bound",
                        path=self.display,
                    )
                raw = zf.open(info)  # type: ignore[assignment]
            if self.gzipped:
                raw = gzip.GzipFile(fileobj=raw)  # type: ignore[assignment]
        except (OSError, zipfile.BadZipFile, KeyError) as exc:
            if isinstance(exc, EvidenceError):
                raise
            raise EvidenceError(f"cannot open: {exc}", path=self.display) from exc
        return _Bounded(raw, max_bytes, self.display)  # type: ignore[return-value]

    def sha256(self) -> str:
        """SHA-256 of the item as stored: the file's bytes on disk, or the archive member's bytes."""
        digest = hashlib.sha256()
        if self.member is None:
            with open(self.path, "rb") as fh:
                while block := fh.read(4 * 1024**2):
                    digest.update(block)
        else:
            with zipfile.ZipFile(self.path) as zf, zf.open(self.member) as fh:
                while block := fh.read(4 * 1024**2):
                    digest.update(block)
        return digest.hexdigest()


class _Bounded(io.RawIOBase):
    """A read-only stream that raises once more than ``limit`` bytes have come out of it."""

    def __init__(self, inner: BinaryIO, limit: int, display: str) -> None:
        self._inner, self._limit, self._display, self._seen = inner, limit, display, 0

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            return b"".join(iter(lambda: self.read(CHUNK_BYTES), b""))
        try:
            data = self._inner.read(max(1, min(size, self._limit + 1 - self._seen)))
        except (OSError, EOFError, zipfile.BadZipFile) as exc:
            raise EvidenceError(f"cannot decompress: {exc}", path=self._display) from exc
        self._seen += len(data)
        if self._seen > self._limit:
            raise UnsafeArchiveError(
                f"decompresses past the {self._limit}-byte bound (raise max_bytes if this is genuine)",
                path=self._display,
            )
        return data

    def close(self) -> None:
        self._inner.close()
        super().close()


def discover(paths: list[str | Path]) -> list[EvidenceItem]:
    """Every evidence item under the given files and folders, in a stable order."""
    items: list[EvidenceItem] = []
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise EvidenceError("no such file or folder", path=path)
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if any(part.startswith(".") for part in file.relative_to(path).parts) if path.is_dir() else False:
                continue
            items.extend(_archive_members(file) if zipfile.is_zipfile(file) else [EvidenceItem(file)])
    return items


def _archive_members(path: Path) -> list[EvidenceItem]:
    try:
        with zipfile.ZipFile(path) as zf:
            names = [info.filename for info in zf.infolist() if not info.is_dir()]
    except zipfile.BadZipFile as exc:
        raise EvidenceError(f"damaged zip archive: {exc}", path=path) from exc
    for name in names:
        _check_member_name(path, name)
    return [EvidenceItem(path, name) for name in sorted(names)]


def _check_member_name(archive: Path, name: str) -> None:
    pure = PurePosixPath(name.replace("\\", "/"))
    if pure.is_absolute() or ".." in pure.parts or (len(name) > 1 and name[1] == ":"):
        raise UnsafeArchiveError(f"member {name!r} would escape the archive's folder", path=archive)


# --------------------------------------------------------------------------------------------
# Records


def read_records(item: EvidenceItem, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[pa.Table]:
    """Tables of records ``(evidence_offset, evidence_path, raw)``, streamed in bounded chunks."""
    with item.open(max_bytes) as stream:
        head = stream.read(SNIFF_BYTES)
        mode = container_of(head)
        if mode == "lines":
            yield from _lines(head, stream, item)
        else:
            parts, size = [head], len(head)
            while block := stream.read(CHUNK_BYTES):
                parts.append(block)
                size += len(block)
                if size > DOCUMENT_MAX_BYTES:
                    raise EvidenceError(
                        f"a single JSON document over {DOCUMENT_MAX_BYTES} bytes; split it into JSON lines",
                        path=item.display,
                    )
            yield _document_table(b"".join(parts), item)


def container_of(head: bytes) -> str:
    """``lines`` when the first non-blank line is a complete JSON value, else ``document``."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text:
        return "lines"
    first, newline, _ = text.partition(b"\n")
    if not newline and len(head) >= SNIFF_BYTES:
        # The first line does not end within the head: a compact document (a delivery file is one
        # line), or a JSON line longer than the head, which the document scan reads the same way.
        return "document" if text[:1] in (b"{", b"[") else "lines"
    try:
        value = json.loads(first)
    except ValueError:
        return "document" if text[:1] in (b"{", b"[") else "lines"
    if isinstance(value, list):
        return "document"
    if isinstance(value, dict) and _envelope_key(value) is not None:
        return "envelope-lines"
    return "lines"


def _envelope_key(value: dict) -> str | None:
    for key in ENVELOPE_KEYS:
        if isinstance(value.get(key), list) and len(value) <= 3:
            return key
    return None


def _lines(head: bytes, stream: BinaryIO, item: EvidenceItem) -> Iterator[pa.Table]:
    envelope = container_of(head) == "envelope-lines"
    carry, line_no, block = b"", 0, head
    while True:
        if not block:
            if carry:
                yield _line_table(memoryview(carry), line_no, item, envelope)[0]
            return
        data = carry + block if carry else block
        cut = data.rfind(b"\n")
        if cut < 0:
            carry = data
        else:
            table, newlines = _line_table(memoryview(data)[: cut + 1], line_no, item, envelope)
            carry = data[cut + 1 :]
            line_no += newlines
            yield table
        block = stream.read(CHUNK_BYTES)


def _line_table(data: memoryview, line_base: int, item: EvidenceItem, envelope: bool) -> tuple[pa.Table, int]:
    """The non-blank lines of ``data`` (whole lines) numbered from ``line_base + 1``, and how many
    newlines it holds; the text is not copied."""
    if line_base == 0 and data[:3] == b"\xef\xbb\xbf":
        data = data[3:]  # a byte-order mark is not part of the first record
    ends = np.flatnonzero(np.frombuffer(data, np.uint8) == 10) + 1
    newlines = len(ends)
    if len(data) and data[-1] != 10:
        ends = np.append(ends, len(data))
    offsets = np.concatenate([np.zeros(1, np.int64), ends.astype(np.int64)])
    whole = pa.LargeStringArray.from_buffers(len(ends), pa.py_buffer(offsets), pa.py_buffer(data))
    try:
        whole.validate(full=True)
    except pa.ArrowInvalid:
        _decode(bytes(data), item, line_base + 1)  # raises with the line of the first bad byte
        raise
    lines = pc.utf8_rtrim(whole, characters="\r\n")
    keep = _non_blank(lines, np.frombuffer(data, np.uint8), offsets[:-1])
    numbers = pa.array(np.arange(line_base + 1, line_base + 1 + len(lines), dtype=np.int64))
    if not keep.all():
        lines, numbers = pc.filter(lines, keep), pc.filter(numbers, keep)
    if not envelope:
        paths = pa.array(["$"] * len(lines), pa.string())
        return pa.Table.from_arrays([numbers, paths, lines], schema=RECORD_SCHEMA), newlines
    fast = _fast_table(data, line_base + 1)  # the lines are envelopes: scan them as one text
    if fast is not None:
        return fast, newlines
    rows: list[tuple[int, str, str]] = []
    for number, line in zip(numbers.to_pylist(), lines.to_pylist(), strict=True):
        rows.extend((number, path, raw) for _, path, raw in scan_document(line))
    return _table(rows), newlines


def _document_table(data: bytes, item: EvidenceItem) -> pa.Table:
    """The records of one JSON document: found by the vectorized scan where it can vouch for the
    document, else by the exact scanner (which also places invalid JSON)."""
    _utf8(data, item, 1)
    fast = _fast_table(data, 1)
    return fast if fast is not None else _table(list(scan_document(data.decode("utf-8"))))


def _fast_table(data: bytes | memoryview, first_line: int) -> pa.Table | None:
    found = jsonscan.records(data, ENVELOPE_KEYS)
    if found is None:
        return None
    starts, ends, paths = found
    view = memoryview(data)
    text = b"".join([view[s:e] for s, e in zip(starts.tolist(), ends.tolist(), strict=True)])
    offsets = np.zeros(len(starts) + 1, np.int64)
    np.cumsum(ends - starts, out=offsets[1:])
    raw = pa.LargeStringArray.from_buffers(len(starts), pa.py_buffer(offsets), pa.py_buffer(text))
    lines = pa.array(jsonscan.line_numbers(data, starts, first_line), pa.int64())
    return pa.Table.from_arrays([lines, pa.array(paths, pa.string()), raw], schema=RECORD_SCHEMA)


def _utf8(data: bytes, item: EvidenceItem, first_line: int) -> None:
    """Raise a clear error, with the line, when ``data`` is not UTF-8 (a vectorized check first)."""
    whole = pa.LargeStringArray.from_buffers(1, pa.py_buffer(np.array([0, len(data)], np.int64)), pa.py_buffer(data))
    try:
        whole.validate(full=True)
    except pa.ArrowInvalid:
        _decode(data, item, first_line)
        raise


_BLANK_BYTES = np.array([32, 9, 13, 10], np.uint8)


def _non_blank(lines: pa.Array, data: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Which lines hold more than white space. A line whose first byte is not white space does; only
    the rare others are trimmed and measured (trimming every line costs more than the rest of reading)."""
    lengths = pc.binary_length(lines).to_numpy(zero_copy_only=False)
    keep = lengths > 0
    firsts = np.zeros(len(lengths), np.uint8)
    firsts[keep] = data[starts[keep]]
    doubtful = np.flatnonzero(keep & np.isin(firsts, _BLANK_BYTES))
    if len(doubtful):
        trimmed = pc.utf8_trim(lines.take(pa.array(doubtful)), characters=" \t\r\n")
        keep[doubtful] = pc.binary_length(trimmed).to_numpy(zero_copy_only=False) > 0
    return keep


def _decode(data: bytes, item: EvidenceItem, first_line: int) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = first_line + data.count(b"\n", 0, exc.start)
        raise EvidenceError(f"not UTF-8 text (byte {exc.start})", path=item.display, line=line) from exc


def _table(rows: list[tuple[int, str, str]]) -> pa.Table:
    offsets, paths, raws = zip(*rows, strict=True) if rows else ((), (), ())
    return pa.Table.from_arrays(
        [pa.array(offsets, pa.int64()), pa.array(paths, pa.string()), pa.array(raws, pa.large_string())],
        schema=RECORD_SCHEMA,
    )


_DECODER = json.JSONDecoder()
_WS = " \t\r\n"


def scan_document(text: str) -> Iterator[tuple[int, str, str]]:
    """``(line, json_path, raw)`` for every record of a JSON document, slicing the exact text.

    Text that is not valid JSON ends the scan with one record holding the rest of the text, so the
    ingest quarantines it (with the parser's message) instead of losing it.
    """
    pos, n = 0, len(text)
    if text.startswith("\ufeff"):
        pos = 1
    counter = _LineCounter(text)
    while True:
        pos = _skip_ws(text, pos)
        if pos >= n:
            return
        line = counter.line_at(pos)
        try:
            if text[pos] == "[":
                for index, (start, end) in enumerate(_array_items(text, pos)):
                    yield counter.line_at(start), f"$[{index}]", text[start:end]
                _, pos = _DECODER.raw_decode(text, pos)
                continue
            value, end = _DECODER.raw_decode(text, pos)
        except ValueError:
            yield line, "$", text[pos:].rstrip(_WS)
            return
        key = _envelope_key(value) if isinstance(value, dict) else None
        if key is None:
            yield line, "$", text[pos:end]
        else:
            start = _value_position(text, pos, key)
            for index, (s, e) in enumerate(_array_items(text, start)):
                yield counter.line_at(s), f"$.{key}[{index}]", text[s:e]
        pos = end


class _LineCounter:
    """Line numbers of increasing positions in a text, counted incrementally."""

    def __init__(self, text: str) -> None:
        self._text, self._pos, self._line = text, 0, 1

    def line_at(self, pos: int) -> int:
        if pos < self._pos:
            self._pos, self._line = 0, 1
        self._line += self._text.count("\n", self._pos, pos)
        self._pos = pos
        return self._line


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _WS:
        pos += 1
    return pos


def _array_items(text: str, pos: int) -> Iterator[tuple[int, int]]:
    """Start and end of each element of the JSON array whose ``[`` is at ``pos``."""
    pos = _skip_ws(text, pos + 1)
    if text[pos] == "]":
        return
    while True:
        _, end = _DECODER.raw_decode(text, pos)
        yield pos, end
        pos = _skip_ws(text, end)
        if text[pos] == "]":
            return
        if text[pos] != ",":
            raise ValueError("expected , or ]")
        pos = _skip_ws(text, pos + 1)


def _value_position(text: str, pos: int, wanted: str) -> int:
    """Position of the value of top-level key ``wanted`` in the object starting at ``pos``."""
    pos = _skip_ws(text, pos + 1)
    while text[pos] != "}":
        key, pos = _DECODER.raw_decode(text, pos)
        pos = _skip_ws(text, pos)
        pos = _skip_ws(text, pos + 1)  # past the colon
        if key == wanted:
            return pos
        _, pos = _DECODER.raw_decode(text, pos)
        pos = _skip_ws(text, pos)
        if text[pos] == ",":
            pos = _skip_ws(text, pos + 1)
    raise ValueError(f"key {wanted!r} not found")


def sample_records(item: EvidenceItem, limit: int = 20, max_bytes: int = DEFAULT_MAX_BYTES) -> list[object]:
    """The first parsed records of an item, for format detection. A document larger than the sniffing
    head is sampled from its head alone (the first elements of its array or envelope), so detection
    does not read a whole delivery file that the ingest reads again."""
    with item.open(max_bytes) as stream:
        head = stream.read(SNIFF_BYTES + 1)
    if len(head) > SNIFF_BYTES and container_of(head) == "document":
        sampled = _head_sample(head.decode("utf-8", errors="ignore"), limit)
        if sampled:
            return sampled
    out: list[object] = []
    for table in read_records(item, max_bytes):
        for raw in table.column("raw").to_pylist():
            try:
                out.append(json.loads(raw))
            except ValueError:
                continue
            if len(out) >= limit:
                return out
        if out:
            return out
    return out


def _head_sample(text: str, limit: int) -> list[object]:
    """The first records of a document cut short: elements of a top-level array, or of the first
    envelope key's array, decoded one by one until the text runs out."""
    out: list[object] = []
    pos = _skip_ws(text, 1 if text.startswith("\ufeff") else 0)
    start: int | None = pos if text[pos:pos + 1] == "[" else None
    if start is None:
        for key in ENVELOPE_KEYS:
            try:
                start = _value_position(text, pos, key)
                break
            except (ValueError, IndexError):
                continue
    if start is None or text[start:start + 1] != "[":
        return out
    try:
        for s, e in _array_items(text, start):
            out.append(json.loads(text[s:e]))
            if len(out) >= limit:
                break
    except (ValueError, IndexError):
        pass  # the head ends mid-record: what was decoded is the sample
    return out


def relative_display(item: EvidenceItem, root: Path | None = None) -> str:
    """A display path relative to ``root`` where possible."""
    if root is None:
        return item.display
    try:
        base = os.path.relpath(item.path, root)
    except ValueError:
        base = str(item.path)
    return f"{base}!{item.member}" if item.member else base
