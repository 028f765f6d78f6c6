"""Finding evidence files and reading their records, without ever changing them.

An *evidence item* is one file on disk (plain or compressed: gzip, bzip2, xz, recognised by content), or
one member of a ``.zip`` archive (read in place, never extracted). Reading an item yields Arrow batches
of records ``(evidence_offset, evidence_path, raw, reject)``: the raw text of each record exactly as it
stands in the file, the 1-based line where its JSON text starts, the JSON path of the record inside
that text, and, for a record the ingest must quarantine without parsing it, the reason (else null).

Three containers are recognised by content:

* JSON lines: one JSON value per line (LF, CRLF or CR); every non-blank line is a record (path ``$``);
* a JSON document (pretty-printed or not, possibly several concatenated): each top-level value is a
  record, except that a top-level array yields its elements (``$[3]``) and an object holding a
  known envelope key (``Records``, ``Events``, ``value``, ``records``, ``entries``) yields that array's elements
  (``$.Records[3]``);
* JSON lines whose lines are envelopes (log shippers that write one delivery file per line).

Evidence is attacker-influenced, so reading is bounded and never trusts the file:

* **Decompression** is streamed (memory does not grow with the output) and bounded: by default an item
  may decompress to at most ``DEFAULT_MAX_RATIO`` (100) times its compressed size, never less than
  ``RATIO_FLOOR`` (256 MiB) and never more than ``max_bytes`` (16 GiB). Past the bound the item is
  refused (:class:`UnsafeArchiveError`) and what was read before stays accounted for. At most
  ``MAX_NESTING`` compression layers are unwrapped (``.json.gz.gz``); a zip or tar archive inside an
  item is refused as such (it needs extracting first).
* **Files**: symbolic links and special files (devices, FIFOs, sockets, ``/proc``, ``/sys``, ``/dev``)
  found in evidence folders are refused, not followed, unless ``follow_symlinks`` allows links whose
  target stays inside the folders given. Zip members whose names would escape the archive's folder,
  encrypted members and members with a damaged header are refused items; two members with one name are
  two items (the second displayed ``archive!name#2``).
* **Records**: a record deeper than ``MAX_DEPTH`` (200) levels, longer than ``MAX_RECORD_BYTES``
  (64 MiB) or holding bytes that are not UTF-8 is handed to the ingest as rejected (quarantined with
  the reason, never parsed). Its ``raw`` is byte-exact except in two documented cases: bytes that are
  not UTF-8 are shown as ``\\xNN`` (a Parquet string cannot hold them), and a JSON line over
  ``MAX_RECORD_BYTES`` keeps its first ``KEPT_PREFIX_BYTES`` (the reason gives its length; the evidence
  file holds it whole).
* **Splitting recovers**: a line that is not JSON is one bad record, never its neighbours' grave; a
  JSON document that goes bad mid-way yields its good records and one record holding the bad rest.
"""

from __future__ import annotations

import bz2
import hashlib
import io
import json
import lzma
import os
import re
import stat
import threading
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from irkit import jsonscan
from irkit.errors import EvidenceError, UnsafeArchiveError

#: Keys whose array value holds the records of an envelope document.
ENVELOPE_KEYS = ("Records", "Events", "value", "records", "entries")

#: Absolute bound on the decompressed size of one evidence item (also the size bound of a plain file).
DEFAULT_MAX_BYTES = 16 * 1024**3
#: Bound on decompressed size / compressed size of a compressed item.
DEFAULT_MAX_RATIO = 100
#: The ratio bound never goes below this many bytes (small files compress very well).
RATIO_FLOOR = 256 * 1024**2
#: Compression layers unwrapped at most (a gzip inside a zip member, a .gz.gz).
MAX_NESTING = 2

#: Records deeper than this are quarantined unparsed (Python's own decoder fails near 1,000).
MAX_DEPTH = 200
#: Records longer than this are quarantined unparsed.
MAX_RECORD_BYTES = 64 * 1024**2
#: How much of a JSON line over MAX_RECORD_BYTES is kept as its raw text.
KEPT_PREFIX_BYTES = 1024**2

CHUNK_BYTES = 32 * 1024**2
#: Lines are split in blocks of about this size, so one batch of records stays small however short
#: the records are.
BLOCK_BYTES = 2 * 1024**2
SNIFF_BYTES = 1024**2
DOCUMENT_MAX_BYTES = 2 * 1024**3
_INPUT_BYTES = 1024**2

RECORD_SCHEMA = pa.schema(
    [("evidence_offset", pa.int64()), ("evidence_path", pa.string()), ("raw", pa.large_string())]
)
#: What :func:`read_records` yields: the records and, for those to quarantine unparsed, why.
READ_SCHEMA = pa.schema([*RECORD_SCHEMA, ("reject", pa.string())])

_SPECIAL_ROOTS = ("/proc", "/sys", "/dev")


@dataclass(frozen=True)
class EvidenceItem:
    """One readable stream of evidence: a file, or a zip member (``index``: its place in the archive).

    ``problem`` is set on items found but refused (a symbolic link, a special file, an unsafe or
    encrypted member): they are recorded, never read.
    """

    path: Path
    member: str | None = None
    index: int | None = None
    problem: str | None = field(default=None, compare=False)
    occurrence: int = field(default=1, compare=False)

    def refusal(self) -> EvidenceError:
        """The error a refused item stands for (under ``strict``, raised)."""
        cls = UnsafeArchiveError if self.member is not None else EvidenceError
        return cls(self.problem or "refused", path=self.display)

    @property
    def display(self) -> str:
        if not self.member:
            return str(self.path)
        suffix = f"#{self.occurrence}" if self.occurrence > 1 else ""
        return f"{self.path}!{self.member}{suffix}"

    def _info(self) -> zipfile.ZipInfo:
        infos = _zip(self.path).infolist()
        if self.index is not None and self.index < len(infos) and infos[self.index].filename == self.member:
            return infos[self.index]
        return _zip(self.path).getinfo(self.member or "")

    def size(self) -> int:
        """Size as stored: the file's bytes, or the member's declared uncompressed size."""
        if self.member is None:
            return os.stat(self.path).st_size  # a link here was allowed: its target counts
        return self._info().file_size

    def _stored(self) -> tuple[BinaryIO, int, bool]:
        """The item's bytes as the file or archive gives them, the compressed size, and whether the
        archive compressed them."""
        if self.member is None:
            fh = open(self.path, "rb")  # noqa: SIM115 - closed by the caller
            return fh, os.fstat(fh.fileno()).st_size, False
        info = self._info()
        if info.flag_bits & 0x1:
            raise EvidenceError("encrypted archive member (password-protected): not read", path=self.display)
        return _zip(self.path).open(info), info.compress_size, info.compress_type != zipfile.ZIP_STORED

    def open(self, max_bytes: int = DEFAULT_MAX_BYTES, max_ratio: float | None = DEFAULT_MAX_RATIO) -> BinaryIO:
        """The decompressed byte stream, refusing to yield more than the bound (see the module docstring)."""
        try:
            stream, compressed_size, compressed = self._stored()
            if self.member is not None and compressed:
                declared = self._info().file_size
                bound = _bound(max_bytes, max_ratio, compressed_size)
                if declared > bound:
                    stream.close()
                    raise UnsafeArchiveError(
                        f"member decompresses to {declared} bytes, over the {bound}-byte bound "
                        f"({_bound_text(max_bytes, max_ratio, compressed_size)})", path=self.display)
            layers = 0
            while True:
                head = _read_full(stream, 512)
                kind = _compression(head)
                if kind is None:
                    break
                layers += 1
                if layers > MAX_NESTING:
                    stream.close()
                    raise UnsafeArchiveError(f"compressed data nested more than {MAX_NESTING} deep: not read",
                                             path=self.display)
                stream = _Decompressed(_Chain(head, stream), kind, self.display)
                compressed = True
            nested = _archive_kind(head)
            if nested:
                stream.close()
                where = "an archive member" if self.member else ("a compressed file" if layers else "this file")
                raise UnsafeArchiveError(
                    f"a {nested} archive inside {where}: not read (extract it and ingest what it holds)",
                    path=self.display)
        except (OSError, zipfile.BadZipFile, KeyError, RuntimeError, NotImplementedError, zlib.error,
                EOFError, lzma.LZMAError) as exc:
            if isinstance(exc, EvidenceError):
                raise
            raise EvidenceError(f"cannot open: {exc}", path=self.display) from exc
        limit = _bound(max_bytes, max_ratio, compressed_size) if compressed else max_bytes
        why = _bound_text(max_bytes, max_ratio, compressed_size) if compressed else f"max_bytes {max_bytes}"
        return _Bounded(_Chain(head, stream), limit, self.display, why)  # type: ignore[return-value]

    def sha256(self) -> str:
        """SHA-256 of the item as stored: the file's bytes on disk, or the archive member's bytes (for a
        member that cannot be decompressed, encrypted or damaged: its stored, compressed bytes)."""
        digest = hashlib.sha256()
        if self.member is None:
            with open(self.path, "rb") as fh:
                while block := fh.read(4 * 1024**2):
                    digest.update(block)
            return digest.hexdigest()
        info = self._info()
        try:
            if info.flag_bits & 0x1:
                raise RuntimeError("encrypted")
            with _zip(self.path).open(info) as fh:
                while block := fh.read(4 * 1024**2):
                    digest.update(block)
            return digest.hexdigest()
        except (OSError, zipfile.BadZipFile, RuntimeError, NotImplementedError, zlib.error, EOFError,
                lzma.LZMAError):
            return _stored_member_sha256(self.path, info)


def _bound(max_bytes: int, max_ratio: float | None, compressed_size: int) -> int:
    if max_ratio is None:
        return max_bytes
    return int(min(max_bytes, max(RATIO_FLOOR, max_ratio * compressed_size)))


def _bound_text(max_bytes: int, max_ratio: float | None, compressed_size: int) -> str:
    if max_ratio is None:
        return f"max_bytes {max_bytes}"
    return (f"{max_ratio:g}x its {compressed_size} compressed bytes, at least {RATIO_FLOOR}, at most "
            f"{max_bytes}; raise --max-ratio / --max-bytes if this is genuine")


def _stored_member_sha256(archive: Path, info: zipfile.ZipInfo) -> str:
    """SHA-256 of a member's bytes exactly as stored in the archive (after its local header)."""
    digest = hashlib.sha256()
    with open(archive, "rb") as fh:
        fh.seek(info.header_offset)
        header = fh.read(30)
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            digest.update(b"damaged local header")
            return digest.hexdigest()
        skip = int.from_bytes(header[26:28], "little") + int.from_bytes(header[28:30], "little")
        fh.seek(skip, os.SEEK_CUR)
        left = info.compress_size
        while left > 0 and (block := fh.read(min(left, 4 * 1024**2))):
            digest.update(block)
            left -= len(block)
    return digest.hexdigest()


# One open ZipFile per archive: parsing the central directory of an archive of n members is O(n), and
# doing it once per member made archives of thousands of members quadratic.
_ZIPS: OrderedDict[tuple[str, int, int], zipfile.ZipFile] = OrderedDict()
_ZIPS_LOCK = threading.Lock()


def _zip(path: Path) -> zipfile.ZipFile:
    st = os.stat(path)
    key = (str(path), st.st_mtime_ns, st.st_size)
    with _ZIPS_LOCK:
        zf = _ZIPS.get(key)
        if zf is None:
            zf = zipfile.ZipFile(path)
            _ZIPS[key] = zf
            while len(_ZIPS) > 8:
                _ZIPS.popitem(last=False)[1].close()
        else:
            _ZIPS.move_to_end(key)
        return zf


def _read_full(stream: BinaryIO, size: int) -> bytes:
    parts, got = [], 0
    while got < size:
        block = stream.read(size - got)
        if not block:
            break
        parts.append(block)
        got += len(block)
    return b"".join(parts)


def _compression(head: bytes) -> str | None:
    if head[:2] == b"\x1f\x8b":
        return "gzip"
    if head[:3] == b"BZh" and head[3:4].isdigit() and head[4:10] == b"1AY&SY":
        return "bzip2"
    if head[:6] == b"\xfd7zXZ\x00":
        return "xz"
    return None


def _archive_kind(head: bytes) -> str | None:
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    if len(head) >= 262 and head[257:262] == b"ustar":
        return "tar"
    if head[:6] == b"7z\xbc\xaf\x27\x1c":
        return "7z"
    if head[:4] == b"Rar!":
        return "rar"
    return None


class _Chain(io.RawIOBase):
    """Bytes already read, then the rest of a stream."""

    def __init__(self, head: bytes, inner: BinaryIO) -> None:
        self._head, self._inner = head, inner

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if self._head:
            if size is None or size < 0 or size >= len(self._head):
                out, self._head = self._head, b""
            else:
                out, self._head = self._head[:size], self._head[size:]
            return out
        return self._inner.read(size if size is not None and size >= 0 else CHUNK_BYTES)

    def close(self) -> None:
        self._inner.close()
        super().close()


class _Decompressed(io.RawIOBase):
    """A gzip, bzip2 or xz stream decompressed incrementally (member after member), each read bounded.

    A truncated stream yields everything it holds and then raises, so the readable part is kept.
    """

    def __init__(self, inner: BinaryIO, kind: str, display: str) -> None:
        self._inner, self._kind, self._display = inner, kind, display
        self._d = self._new()
        self._buf = b""
        self._done = False
        self._error: EvidenceError | None = None

    def _new(self) -> object:
        if self._kind == "gzip":
            return zlib.decompressobj(wbits=31)
        if self._kind == "bzip2":
            return bz2.BZ2Decompressor()
        return lzma.LZMADecompressor()

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if self._error is not None:
            raise self._error
        try:
            return self._read(size)
        except EvidenceError as exc:
            self._error = exc
            raise

    def _read(self, size: int | None) -> bytes:
        size = CHUNK_BYTES if size is None or size < 0 else max(1, size)
        d = self._d
        while not self._done:
            if d.eof:  # type: ignore[attr-defined]
                tail = d.unused_data + self._buf  # type: ignore[attr-defined]
                self._buf = b""
                if not tail:
                    tail = self._inner.read(_INPUT_BYTES)
                if not tail.strip(b"\x00"):
                    if tail:  # zero padding after the last member, as tape and dd leave it
                        while self._inner.read(_INPUT_BYTES):
                            pass
                    self._done = True
                    return b""
                if _compression(tail[:10]) != self._kind:
                    self._done = True
                    raise EvidenceError(
                        f"bytes after the end of the {self._kind} data are not {self._kind} data (trailing "
                        "garbage); what came before was read", path=self._display)
                d = self._d = self._new()
                self._buf = tail
            if not self._buf and self._needs_input(d):
                self._buf = self._inner.read(_INPUT_BYTES)
                if not self._buf:
                    self._done = True
                    raise EvidenceError(
                        f"truncated {self._kind} data: the stream ends before its end marker; the readable "
                        "part was read", path=self._display)
            try:
                if self._kind == "gzip":
                    out = d.decompress(self._buf, size)  # type: ignore[attr-defined]
                    self._buf = d.unconsumed_tail  # type: ignore[attr-defined]
                else:
                    out = d.decompress(self._buf, size)  # type: ignore[attr-defined]
                    self._buf = b""
            except (zlib.error, OSError, EOFError, lzma.LZMAError, ValueError) as exc:
                self._done = True
                raise EvidenceError(f"corrupt {self._kind} data: {exc}", path=self._display) from exc
            if out:
                return out
        return b""

    def _needs_input(self, d: object) -> bool:
        if self._kind == "gzip":
            return True
        return bool(d.needs_input)  # type: ignore[attr-defined]

    def close(self) -> None:
        self._inner.close()
        super().close()


class _Bounded(io.RawIOBase):
    """A read-only stream that raises once more than ``limit`` bytes have come out of it; a read returns
    ``size`` bytes unless the stream ends."""

    def __init__(self, inner: BinaryIO, limit: int, display: str, why: str = "") -> None:
        self._inner, self._limit, self._display, self._seen, self._why = inner, limit, display, 0, why

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            return b"".join(iter(lambda: self.read(CHUNK_BYTES), b""))
        parts, got = [], 0
        while got < size:
            try:
                data = self._inner.read(max(1, min(size - got, self._limit + 1 - self._seen)))
            except EvidenceError:
                if parts:  # hand over what was read; the next read raises again
                    break
                raise
            except (OSError, EOFError, zipfile.BadZipFile, zlib.error, lzma.LZMAError, RuntimeError) as exc:
                if parts:
                    break
                raise EvidenceError(f"cannot decompress: {exc}", path=self._display) from exc
            if not data:
                break
            self._seen += len(data)
            if self._seen > self._limit:
                raise UnsafeArchiveError(
                    f"decompresses past the {self._limit}-byte bound ({self._why})", path=self._display)
            parts.append(data)
            got += len(data)
        return b"".join(parts)

    def close(self) -> None:
        self._inner.close()
        super().close()


# --------------------------------------------------------------------------------------------
# Finding evidence


def discover(paths: list[str | Path], follow_symlinks: bool = False) -> list[EvidenceItem]:
    """Every evidence item under the given files and folders, in a stable order. Hidden files are
    skipped; links and special files come back as refused items (``problem`` set)."""
    items: list[EvidenceItem] = []
    roots = [Path(os.path.abspath(p)) for p in paths]
    for given in paths:
        path = Path(given)
        if not os.path.lexists(path):
            raise EvidenceError("no such file or folder", path=path)
        if path.is_dir():
            unreadable: list[OSError] = []
            for file in _walk(path, unreadable.append):
                items.extend(_item(file, roots, follow_symlinks, given=False))
            items.extend(EvidenceItem(Path(e.filename or path), problem=f"cannot list this folder: {e.strerror}")
                         for e in unreadable)
        else:
            items.extend(_item(path, roots, follow_symlinks, given=True))
    return items


def _walk(folder: Path, onerror: Callable[[OSError], None]) -> list[Path]:
    """Every entry under ``folder`` that is not a folder, never descending through a linked folder;
    folders that cannot be listed go to ``onerror``."""
    out: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder, onerror=onerror, followlinks=False):
        base = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            if not name.startswith("."):
                out.append(base / name)
        for name in dirnames:
            if (base / name).is_symlink():
                out.append(base / name)  # a link to a folder: refused below, like any link
    return sorted(out)


def _item(file: Path, roots: list[Path], follow_symlinks: bool, given: bool) -> list[EvidenceItem]:
    try:
        st = os.lstat(file)
    except OSError as exc:
        return [EvidenceItem(file, problem=f"cannot stat: {exc.strerror}")]
    target = file
    if stat.S_ISLNK(st.st_mode):
        real = Path(os.path.realpath(file))
        inside = any(real == r or real.is_relative_to(r) for r in roots)
        if not given and not follow_symlinks:
            return [EvidenceItem(file, problem=f"symbolic link to {os.readlink(file)}: not followed "
                                 "(--follow-symlinks follows links that stay inside the given folders)")]
        if not given and not inside:
            return [EvidenceItem(file, problem=f"symbolic link to {real}, outside the given folders: not followed")]
        target = real
        try:
            st = os.stat(real)
        except OSError as exc:
            return [EvidenceItem(file, problem=f"broken symbolic link: {exc.strerror}")]
        if stat.S_ISDIR(st.st_mode):
            return [EvidenceItem(file, problem="symbolic link to a folder: not followed")]
    real_text = os.path.realpath(target)
    if any(real_text == r or real_text.startswith(r + "/") for r in _SPECIAL_ROOTS):
        return [EvidenceItem(file, problem=f"a system file ({real_text}), not evidence: not read")]
    if not stat.S_ISREG(st.st_mode):
        kind = ("a FIFO" if stat.S_ISFIFO(st.st_mode) else "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)
                else "a socket" if stat.S_ISSOCK(st.st_mode) else "not a regular file")
        return [EvidenceItem(file, problem=f"{kind}: not read")]
    try:
        with open(file, "rb") as fh:
            magic = fh.read(4)
    except OSError as exc:
        return [EvidenceItem(file, problem=f"cannot read: {exc.strerror}")]
    if magic in (b"PK\x03\x04", b"PK\x05\x06") and zipfile.is_zipfile(file):
        return _archive_members(file)
    return [EvidenceItem(file)]


def _archive_members(path: Path) -> list[EvidenceItem]:
    try:
        infos = _zip(path).infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        return [EvidenceItem(path, problem=f"damaged zip archive: {exc}")]
    items: list[EvidenceItem] = []
    seen: dict[str, int] = {}
    for index, info in enumerate(infos):
        if info.is_dir():
            continue
        name = info.filename
        seen[name] = seen.get(name, 0) + 1
        problem = _member_problem(name) or ("encrypted archive member (password-protected): not read"
                                           if info.flag_bits & 0x1 else None)
        items.append(EvidenceItem(path, name, index, problem=problem, occurrence=seen[name]))
    if not items:
        return [EvidenceItem(path, problem="a zip archive with no members")]
    return sorted(items, key=lambda i: (i.member or "", i.occurrence))


def _member_problem(name: str) -> str | None:
    pure = PurePosixPath(name.replace("\\", "/"))
    if pure.is_absolute() or ".." in pure.parts or (len(name) > 1 and name[1] == ":"):
        return f"member {name!r} would escape the archive's folder: refused"
    return None


# --------------------------------------------------------------------------------------------
# Records


def read_records(item: EvidenceItem, max_bytes: int = DEFAULT_MAX_BYTES,
                 max_ratio: float | None = DEFAULT_MAX_RATIO) -> Iterator[pa.Table]:
    """Tables of records (:data:`READ_SCHEMA`), streamed in bounded chunks. Raises
    :class:`EvidenceError` for what is wrong with the file as a whole, after yielding what it could read."""
    if item.problem:
        raise EvidenceError(item.problem, path=item.display)
    with item.open(max_bytes, max_ratio) as stream:
        head = stream.read(SNIFF_BYTES)
        file_problem(head, item)
        mode = container_of(head)
        if mode != "document":
            yield from _lines(head, stream, item, mode == "envelope-lines")
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


def file_problem(head: bytes, item: EvidenceItem) -> None:
    """Raise for a file that holds no records at all or is not text, judged from its head (more than
    one byte in twenty a control byte: binary). Bytes that are not UTF-8 in JSON lines are their
    records' problem, not the file's: those records are quarantined one by one (a JSON document must
    be UTF-8 as a whole, and is refused with the line of the first bad byte)."""
    if not head:
        raise EvidenceError("empty file: no records", path=item.display)
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise EvidenceError("UTF-16 text: convert it to UTF-8 to ingest it", path=item.display)
    start = len(head) - len(head.lstrip(b"\xef\xbb\xbf \t\r\n"))
    if start == len(head):
        raise EvidenceError("only white space: no records", path=item.display)
    probe = head[start:start + 4096]
    controls = len(probe) - len(probe.translate(None, _CONTROL_BYTES))
    if controls * 20 > len(probe):
        raise EvidenceError("binary content, not text records", path=item.display)


_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))


def _bad_utf8(data: bytes, cut: bool) -> bool:
    try:
        data.decode("utf-8")
        return False
    except UnicodeDecodeError as exc:
        return not (cut and exc.start >= len(data) - 3 and exc.reason == "unexpected end of data")


def container_of(head: bytes) -> str:
    """``lines`` when the first non-blank line is a complete JSON value (or, when it is damaged, when the
    lines after it are), ``envelope-lines`` when that value is an envelope, else ``document``."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text:
        return "lines"
    first, newline, rest = _split_line(text)
    if not newline and len(head) >= SNIFF_BYTES:
        # The first line does not end within the head: a compact document (a delivery file is one
        # line), or a JSON line longer than the head, which the document scan reads the same way.
        return "document" if text[:1] in (b"{", b"[") else "lines"
    try:
        value = json.loads(first)
    except (ValueError, RecursionError):
        if text[:1] not in (b"{", b"["):
            return "lines"
        return "lines" if _lines_follow(rest, first) else "document"
    if isinstance(value, list):
        return "document"
    if isinstance(value, dict) and _envelope_key(value) is not None:
        return "envelope-lines"
    return "lines"


_LINE_END = re.compile(rb"\r\n|\r|\n")


def _split_line(text: bytes) -> tuple[bytes, bytes, bytes]:
    """The first line of ``text``, its line end (LF, CRLF, CR or none) and the rest (memchr-fast)."""
    ends = [i for i in (text.find(b"\n"), text.find(b"\r")) if i >= 0]
    if not ends:
        return text, b"", b""
    at = min(ends)
    size = 2 if text[at:at + 2] == b"\r\n" else 1
    return text[:at], text[at:at + size], text[at + size:]


def _lines_follow(rest: bytes, first: bytes) -> bool:
    """Whether the lines after a damaged first line are JSON lines: at least two of the next eight
    parse as objects on their own (a pretty-printed document's lines do not), or the only next line
    does and the first is more than a lone bracket."""
    lines = [line for line in _LINE_END.split(rest[:SNIFF_BYTES]) if line.strip()][:9]
    complete = lines if len(rest) < SNIFF_BYTES else lines[:-1]  # the head may cut the last one
    whole = 0
    for line in complete[:8]:
        try:
            whole += isinstance(json.loads(line), dict)
        except (ValueError, RecursionError):
            continue
    return whole >= 2 or (whole == 1 and len(complete) == 1 and len(first.strip()) > 1)


def _envelope_key(value: dict) -> str | None:
    for key in ENVELOPE_KEYS:
        if isinstance(value.get(key), list) and len(value) <= 3:
            return key
    return None


def _lines(head: bytes, stream: BinaryIO, item: EvidenceItem, envelope: bool) -> Iterator[pa.Table]:
    carry, line_no, block = b"", 0, head
    skipping: tuple[int, int, bytes] | None = None  # an over-long line: (its line, bytes so far, prefix)
    while True:
        if not block:
            if skipping is not None:
                yield _oversize_table(*skipping)
            elif carry:
                yield _line_table(memoryview(carry), line_no, item, envelope, final=True)[0]
            return
        if skipping is not None:
            first, terminator, rest = _split_line(block)
            if not terminator:
                skipping = (skipping[0], skipping[1] + len(block), skipping[2])
            else:
                yield _oversize_table(skipping[0], skipping[1] + len(first), skipping[2])
                line_no = skipping[0]
                skipping, carry = None, b""
                if rest:
                    block = rest
                    continue
        else:
            data = carry + block if carry else block
            cut = max(data.rfind(b"\n"), data.rfind(b"\r"))
            if cut == len(data) - 1 and data[cut] == 13:
                cut = max(data.rfind(b"\n", 0, cut), data.rfind(b"\r", 0, cut))  # a CR that may start a CRLF
            if cut < 0:
                carry = data
                if len(carry) > MAX_RECORD_BYTES:
                    lead = len(carry) - len(carry.lstrip(b" \t"))
                    skipping, carry = (line_no + 1, len(carry) - lead, carry[lead:lead + KEPT_PREFIX_BYTES]), b""
            else:
                view = memoryview(data)
                for start, end in _blocks(data, cut + 1):
                    table, newlines = _line_table(view[start:end], line_no, item, envelope)
                    line_no += newlines
                    if len(table):
                        yield table
                carry = data[cut + 1:]
        try:
            block = stream.read(CHUNK_BYTES)
        except EvidenceError:
            if skipping is not None:
                yield _oversize_table(*skipping)
            elif carry:
                yield _line_table(memoryview(carry), line_no, item, envelope, final=True)[0]
            raise


def _blocks(data: bytes, end: int) -> Iterator[tuple[int, int]]:
    """``data[:end]`` (whole lines) in blocks of about BLOCK_BYTES, each ending at a line end."""
    start = 0
    while start < end:
        stop = end
        if end - start > BLOCK_BYTES:
            limit = start + BLOCK_BYTES
            stop = max(data.rfind(b"\n", start, limit), data.rfind(b"\r", start, limit)) + 1
            if stop <= start:
                stop = end  # one line longer than a block: take it whole (the chunk bounds it)
            elif data[stop - 1] == 13 and stop < end and data[stop] == 10:
                stop += 1  # keep a CRLF together
        yield start, stop
        start = stop


def _oversize_table(line: int, length: int, prefix: bytes) -> pa.Table:
    text = prefix.decode("utf-8", "backslashreplace")
    reason = (f"a line of {length} bytes, over the {MAX_RECORD_BYTES}-byte record bound: quarantined "
              f"unparsed; raw holds its first {len(prefix)} bytes, the evidence file the whole line")
    return _table([(line, "$", text)], [reason])


_WS_BYTES = np.array([32, 9, 13, 10], np.uint8)


def _line_table(data: memoryview, line_base: int, item: EvidenceItem, envelope: bool,
                final: bool = False) -> tuple[pa.Table, int]:
    """The non-blank lines of ``data`` (whole lines) numbered from ``line_base + 1``, and how many
    line ends it holds; the text is not copied."""
    if line_base == 0 and data[:3] == b"\xef\xbb\xbf":
        data = data[3:]  # a byte-order mark is not part of the first record
    array = np.frombuffer(data, np.uint8)
    if len(array) and array.max() <= 32:  # perhaps blank lines only (a bomb of newlines skips at this speed)
        lf, cr = np.count_nonzero(array == 10), np.count_nonzero(array == 13)
        if lf + cr + np.count_nonzero(array == 32) + np.count_nonzero(array == 9) == len(array):
            crlf = np.count_nonzero((array[:-1] == 13) & (array[1:] == 10)) if cr else 0
            return guard(_table([])), int(lf + cr - crlf)
    ends = np.flatnonzero(array == 10) + 1
    if (array == 13).any():  # CR line ends (old Mac, some exporters): a CR not followed by LF ends a line
        crs = np.flatnonzero(array == 13)
        follower = np.append(array, np.uint8(0))[crs + 1]
        lone = crs[follower != 10]
        if len(lone):
            ends = np.union1d(ends, lone + 1)
    newlines = len(ends)
    if len(data) and (not len(ends) or ends[-1] != len(data)):
        ends = np.append(ends, len(data))
    offsets = np.concatenate([np.zeros(1, np.int64), ends.astype(np.int64)])
    whole = pa.LargeStringArray.from_buffers(len(ends), pa.py_buffer(offsets), pa.py_buffer(data))
    try:
        whole.validate(full=True)
    except pa.ArrowInvalid:
        return _line_table_slow(bytes(data), offsets, line_base, envelope), newlines
    lines = pc.utf8_rtrim(whole, characters="\r\n")
    keep = _non_blank(lines, array, offsets[:-1])
    numbers = pa.array(np.arange(line_base + 1, line_base + 1 + len(lines), dtype=np.int64))
    if not keep.all():
        lines, numbers = pc.filter(lines, keep), pc.filter(numbers, keep)
    if not envelope and _may_hold_envelopes(data):
        # decided per line, not from the first line: an envelope line may follow plain ones
        return guard(_table(_lines_with_envelopes(numbers.to_pylist(), lines.to_pylist()))), newlines
    if not envelope:
        paths = pa.repeat(pa.scalar("$", pa.string()), len(lines))
        table = pa.Table.from_arrays([numbers, paths, lines], schema=RECORD_SCHEMA)
        return guard(table), newlines
    fast = _fast_table(data, line_base + 1)  # the lines are envelopes: scan them as one text
    if fast is not None:
        return guard(fast), newlines
    rows: list[tuple[int, str, str]] = []
    for number, line in zip(numbers.to_pylist(), lines.to_pylist(), strict=True):
        rows.extend((number + n - 1, path, raw) for n, path, raw in scan_document(line))
    return guard(_table(rows)), newlines


#: An envelope key followed by an array, anywhere in a block: the block may hold envelope lines (a false
#: hit only costs the envelope scan, which reads plain lines as they are).
_ENVELOPE_HINTS = tuple(re.compile(b'"' + key.encode() + rb'"\s*:\s*\[') for key in ENVELOPE_KEYS)


def _may_hold_envelopes(data: memoryview | bytes | str) -> bool:
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    return any(hint.search(data) for hint in _ENVELOPE_HINTS)


def _envelope_line(text: str) -> bool:
    """Whether one line is an envelope (``{"Records": [...]}``) as a whole."""
    if not _may_hold_envelopes(text):
        return False
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return False
    return isinstance(value, dict) and _envelope_key(value) is not None


def _lines_with_envelopes(numbers: list[int], lines: list[str]) -> list[tuple[int, str, str]]:
    """Rows of plain JSON lines among which some lines are envelopes: those are unwrapped, every other
    line stays the record it is, byte for byte."""
    rows: list[tuple[int, str, str]] = []
    for number, line in zip(numbers, lines, strict=True):
        if _envelope_line(line):
            rows.extend((number + n - 1, path, raw) for n, path, raw in scan_document(line))
        else:
            rows.append((number, "$", line))
    return rows


def _line_table_slow(data: bytes, offsets: np.ndarray, line_base: int, envelope: bool) -> pa.Table:
    """Lines of a block holding bytes that are not UTF-8: the good lines as usual, each bad one rejected
    with the position of its first bad byte (its raw shows the bad bytes as ``\\xNN``)."""
    rows: list[tuple[int, str, str]] = []
    rejects: list[str | None] = []
    for number, (s, e) in enumerate(zip(offsets[:-1].tolist(), offsets[1:].tolist(), strict=True), line_base + 1):
        line = data[s:e].rstrip(b"\r\n")
        if not line.strip(b" \t\r\n"):
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            binary = b"\x00" in line
            rows.append((number, "$", line.decode("utf-8", "backslashreplace")))
            rejects.append(
                ("binary bytes, not a JSON record (trailing garbage?)" if binary
                 else f"not UTF-8 text (byte {exc.start + 1} of the line)")
                + "; raw shows the undecodable bytes as \\xNN")
            continue
        if envelope or _envelope_line(text):  # an envelope line may follow plain ones
            for n, path, raw in scan_document(text):
                rows.append((number + n - 1, path, raw))
                rejects.append(None)
        else:
            rows.append((number, "$", text))
            rejects.append(None)
    return guard(_table(rows, rejects))


def _document_table(data: bytes, item: EvidenceItem) -> pa.Table:
    """The records of one JSON document: found by the vectorized scan where it can vouch for the
    document, else by the exact scanner (which also places invalid JSON). A record holding bytes that
    are not UTF-8 is rejected alone, its raw showing them as ``\\xNN``; its siblings load."""
    fast = _fast_table(data, 1)
    if fast is not None:
        raw = fast.column("raw").combine_chunks()
        try:
            raw.validate(full=True)
            return guard(fast)
        except pa.ArrowInvalid:
            binary = pa.LargeBinaryArray.from_buffers(pa.large_binary(), len(raw), raw.buffers()[:3], offset=raw.offset)
            texts = [_escaped(b) for b in binary.to_pylist()]
            rows = list(zip(fast.column("evidence_offset").to_pylist(), fast.column("evidence_path").to_pylist(),
                            [t for t, _ in texts], strict=True))
            return guard(_table(rows, [r for _, r in texts]))
    try:
        return guard(_table(list(scan_document(data.decode("utf-8")))))
    except UnicodeDecodeError:
        rows = list(scan_document(data.decode("utf-8", "surrogateescape")))
        texts = [_escaped(raw.encode("utf-8", "surrogateescape")) for _, _, raw in rows]
        return guard(_table([(n, p, t) for (n, p, _), (t, _) in zip(rows, texts, strict=True)], [r for _, r in texts]))


def _escaped(data: bytes) -> tuple[str, str | None]:
    """A record's text, and why it is rejected when it is not UTF-8 (its raw shows the bad bytes as \\xNN)."""
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        reason = ("binary bytes, not a JSON record (trailing garbage?)" if b"\x00" in data
                  else f"not UTF-8 text (byte {exc.start + 1} of the record)")
        return data.decode("utf-8", "backslashreplace"), reason + "; raw shows the undecodable bytes as \\xNN"


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


def guard(table: pa.Table) -> pa.Table:
    """The records with a ``reject`` reason for those too deep or too long to parse safely. Vectorized:
    only records with at least MAX_DEPTH opening brackets are measured exactly."""
    if "reject" in table.column_names:
        rejects = table.column("reject").to_pylist()
        table = table.drop_columns(["reject"])
    else:
        rejects = None
    n = len(table)
    if n == 0:
        return table.append_column("reject", pa.nulls(0, pa.string()))
    raw = table.column("raw").combine_chunks()
    offsets = np.frombuffer(raw.buffers()[1], np.int64, len(raw) + 1, raw.offset * 8)
    lengths = np.diff(offsets)
    data = np.frombuffer(raw.buffers()[2], np.uint8, int(offsets[-1] - offsets[0]), int(offsets[0]))
    found: dict[int, str] = {}
    for i in np.flatnonzero(lengths > MAX_RECORD_BYTES).tolist():
        found[i] = f"a record of {int(lengths[i])} bytes, over the {MAX_RECORD_BYTES}-byte bound: quarantined unparsed"
    if len(data) >= MAX_DEPTH:
        opens = (data == 0x7B) | (data == 0x5B)
        starts = (offsets[:-1] - offsets[0]).astype(np.int64)
        nonempty = lengths > 0
        counts = np.zeros(n, np.int64)
        if nonempty.any():
            counts[nonempty] = np.add.reduceat(opens, starts[nonempty], dtype=np.int64)
        for i in np.flatnonzero(counts >= MAX_DEPTH).tolist():
            depth = nesting_depth(data[starts[i]: starts[i] + lengths[i]])
            if depth > MAX_DEPTH and i not in found:
                found[i] = f"nested {depth} levels deep, over the bound of {MAX_DEPTH}: quarantined unparsed"
    if rejects is None and not found:
        return table.append_column("reject", pa.nulls(n, pa.string()))
    merged = list(rejects) if rejects is not None else [None] * n
    for i, reason in found.items():
        merged[i] = merged[i] or reason
    return table.append_column("reject", pa.array(merged, pa.string()))


def nesting_depth(record: np.ndarray) -> int:
    """The deepest nesting of brackets outside strings in one record's bytes."""
    s = jsonscan.structure(record)
    if s is not None and len(s.pos):
        return int(s.depth_after.max())
    delta = ((record == 0x7B) | (record == 0x5B)).astype(np.int64) - ((record == 0x7D) | (record == 0x5D))
    return int(np.cumsum(delta).max()) if len(delta) else 0


def _non_blank(lines: pa.Array, data: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Which lines hold more than white space. A line whose first byte is not white space does; only
    the rare others are trimmed and measured (trimming every line costs more than the rest of reading)."""
    lengths = pc.binary_length(lines).to_numpy(zero_copy_only=False)
    keep = lengths > 0
    firsts = np.zeros(len(lengths), np.uint8)
    firsts[keep] = data[starts[keep]]
    doubtful = np.flatnonzero(keep & np.isin(firsts, _WS_BYTES))
    if len(doubtful):
        trimmed = pc.utf8_trim(lines.take(pa.array(doubtful)), characters=" \t\r\n")
        keep[doubtful] = pc.binary_length(trimmed).to_numpy(zero_copy_only=False) > 0
    return keep


def _table(rows: list[tuple[int, str, str]], rejects: list[str | None] | None = None) -> pa.Table:
    offsets, paths, raws = zip(*rows, strict=True) if rows else ((), (), ())
    arrays = [pa.array(offsets, pa.int64()), pa.array(paths, pa.string()), pa.array(raws, pa.large_string())]
    if rejects is None:
        return pa.Table.from_arrays(arrays, schema=RECORD_SCHEMA)
    return pa.Table.from_arrays([*arrays, pa.array(rejects, pa.string())], schema=READ_SCHEMA)


_DECODER = json.JSONDecoder()
_WS = " \t\r\n"
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*+"|[\[\]{}]', re.DOTALL)
_RESYNC = re.compile(r"[\r\n](?=[\[{])")


class _Broken(ValueError):
    """The text stops being JSON at ``at``."""

    def __init__(self, at: int) -> None:
        super().__init__(at)
        self.at = at


def _decode_at(text: str, pos: int) -> tuple[object, int]:
    """The JSON value at ``pos`` and where it ends. A value nested too deep for Python's decoder is
    delimited by its brackets instead and comes back as None (the ingest rejects it by its depth)."""
    try:
        return _DECODER.raw_decode(text, pos)
    except RecursionError:
        depth = 0
        for match in _TOKENS.finditer(text, pos):
            token = match.group()
            if token in "[{":
                depth += 1
            elif token in "]}":
                depth -= 1
                if depth == 0:
                    return None, match.end()
            elif depth == 0:
                break
        raise ValueError("unterminated value") from None


def scan_document(text: str) -> Iterator[tuple[int, str, str]]:
    """``(line, json_path, raw)`` for every record of a JSON document, slicing the exact text.

    Text that is not valid JSON becomes one record (which the ingest quarantines with the parser's
    message) reaching to the next line that starts a valid JSON value, so concatenated values and
    JSON lines recover after a bad one; inside an array, the bad element and everything after it is
    that one record, the elements before it stay records of their own.
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
        if text[pos] == "[":
            items, end, broken = _array_items(text, pos)
            for index, (start, stop) in enumerate(items):
                yield counter.line_at(start), f"$[{index}]", text[start:stop]
            if broken is not None:
                at = _skip_ws(text, broken)
                yield counter.line_at(min(at, n - 1)), f"$[{len(items)}]", text[at:].rstrip(_WS) or text[broken:]
                return
            pos = end
            continue
        try:
            value, end = _decode_at(text, pos)
        except ValueError:
            resume = _resync(text, pos)
            yield line, "$", text[pos:resume].rstrip(_WS)
            pos = resume
            continue
        key = _envelope_key(value) if isinstance(value, dict) else _deep_envelope(text, pos, value)
        if key is None:
            yield line, "$", text[pos:end]
        else:
            items, _, broken = _array_items(text, _value_position(text, pos, key))
            for index, (s, e) in enumerate(items):
                yield counter.line_at(s), f"$.{key}[{index}]", text[s:e]
            if broken is not None:  # only for a value too deep to decode: the rest of it is one record
                at = _skip_ws(text, broken)
                yield counter.line_at(at), f"$.{key}[{len(items)}]", text[at:end]
        pos = end


def _deep_envelope(text: str, pos: int, value: object) -> str | None:
    """The envelope key of an object too deep to decode (``value`` None), found without decoding it."""
    if value is not None or text[pos] != "{":
        return None
    for key in ENVELOPE_KEYS:
        try:
            start = _value_position(text, pos, key)
        except (ValueError, IndexError, RecursionError):
            continue
        if text[start:start + 1] == "[":
            return key
    return None


def _resync(text: str, pos: int) -> int:
    """Where JSON resumes after bad text at ``pos``: the next line that starts (in its first column)
    a value that decodes, else the end of the text."""
    for match in _RESYNC.finditer(text, pos + 1):
        start = match.end()
        try:
            _decode_at(text, start)
        except ValueError:
            continue
        return start
    return len(text)


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


def _array_items(text: str, pos: int, limit: int | None = None) -> tuple[list[tuple[int, int]], int, int | None]:
    """Start and end of each element of the JSON array whose ``[`` is at ``pos`` (the first ``limit``
    at most), where the array ends, and where it stops being JSON (None when it does not)."""
    items: list[tuple[int, int]] = []
    pos = _skip_ws(text, pos + 1)
    if pos < len(text) and text[pos] == "]":
        return items, pos + 1, None
    while limit is None or len(items) < limit:
        try:
            _, end = _decode_at(text, pos)
        except ValueError:
            return items, len(text), pos
        after = _skip_ws(text, end)
        if after >= len(text) or text[after] not in ",]":
            return items, len(text), pos
        items.append((pos, end))
        if text[after] == "]":
            return items, after + 1, None
        pos = _skip_ws(text, after + 1)
    return items, pos, None


def _value_position(text: str, pos: int, wanted: str) -> int:
    """Position of the value of top-level key ``wanted`` in the object starting at ``pos``."""
    pos = _skip_ws(text, pos + 1)
    while text[pos] != "}":
        key, pos = _DECODER.raw_decode(text, pos)
        pos = _skip_ws(text, pos)
        pos = _skip_ws(text, pos + 1)  # past the colon
        if key == wanted:
            return pos
        _, pos = _decode_at(text, pos)
        pos = _skip_ws(text, pos)
        if text[pos] == ",":
            pos = _skip_ws(text, pos + 1)
    raise ValueError(f"key {wanted!r} not found")


def sample_records(item: EvidenceItem, limit: int = 20, max_bytes: int = DEFAULT_MAX_BYTES,
                   max_ratio: float | None = DEFAULT_MAX_RATIO) -> list[object]:
    """The first parsed records of an item, for format detection. A document larger than the sniffing
    head is sampled from its head alone (the first elements of its array or envelope), so detection
    does not read a whole delivery file that the ingest reads again. Records too deep to decode are
    skipped; a file that cannot be read at all raises :class:`EvidenceError`."""
    if item.problem:
        raise EvidenceError(item.problem, path=item.display)
    with item.open(max_bytes, max_ratio) as stream:
        head = stream.read(SNIFF_BYTES + 1)
    file_problem(head, item)
    if len(head) > SNIFF_BYTES and container_of(head) == "document":
        sampled = _head_sample(head.decode("utf-8", errors="ignore"), limit)
        if sampled:
            return sampled
    out: list[object] = []
    tables = read_records(item, max_bytes, max_ratio)
    try:
        for table in tables:
            rejects = table.column("reject").to_pylist()
            for raw, reject in zip(table.column("raw").to_pylist(), rejects, strict=True):
                if reject is not None:
                    continue
                try:
                    out.append(json.loads(raw))
                except (ValueError, RecursionError):
                    continue
                if len(out) >= limit:
                    return out
            if out:
                return out
    except EvidenceError:
        if not out:
            raise
    finally:
        tables.close()
    return out


def sample_lines(item: EvidenceItem, limit: int = 200, max_bytes: int = DEFAULT_MAX_BYTES,
                 max_ratio: float | None = DEFAULT_MAX_RATIO) -> list[str]:
    """The first non-blank lines of an item's head as text, for detecting line-oriented text logs whose
    lines are not JSON (a client's log: a timestamp, a level, then a message). Bytes that are not UTF-8
    are shown as ``\\xNN``; a line the head cuts short is left out."""
    if item.problem:
        raise EvidenceError(item.problem, path=item.display)
    with item.open(max_bytes, max_ratio) as stream:
        head = stream.read(SNIFF_BYTES)
    if head[:3] == b"\xef\xbb\xbf":
        head = head[3:]
    lines = _LINE_END.split(head)
    if len(head) >= SNIFF_BYTES:
        lines = lines[:-1]
    return [line.decode("utf-8", "backslashreplace") for line in lines if line.strip()][:limit]


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
            except (ValueError, IndexError, RecursionError):
                continue
    if start is None or text[start:start + 1] != "[":
        return out
    items, _, _ = _array_items(text, start, limit)
    for s, e in items:
        try:
            out.append(json.loads(text[s:e]))
        except (ValueError, RecursionError):
            continue
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
