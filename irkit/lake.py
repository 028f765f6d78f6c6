"""The evidence lake of one case: Parquet files, the manifest that commits them, and verification.

Layout of a case folder::

    case.json                                  case settings (irkit version, remembered inventory, ...)
    manifest.jsonl                             the commit log: one JSON line per committed ingest batch
    manifest.head                              the chain's head: line count and hash of the last line
    lake/events/source=<s>/day=<d>/*.parquet   normalized events (zstd), hive-partitioned
    lake/quarantine/*.parquet                  records that could not be normalized, with reasons
    .staging/<commit>/                         work in progress of one ingest batch; never read

The manifest is the only source of truth: a Parquet file counts only once a manifest line names it,
and a line is appended (and fsync'd) only after its files are in place. An ingest killed at any point
therefore leaves the case readable and consistent; the next ingest removes the files the killed batch
moved into the lake (those named ``<commit>-*`` whose ``.staging/<commit>`` folder is still there and
which no line names) and redoes the uncommitted evidence. A torn last line (a kill during the append:
no final newline) is ignored and cut off. No other lake file is ever deleted.

**The manifest is a hash chain.** Each line carries ``seq`` (its line number) and ``prev`` (the SHA-256
of the exact text of the line before it; sixty-four zeros for the first), and names each output file
with its SHA-256 and row count. ``manifest.head`` records the number of lines and the hash of the last
one; it is written just before an append (with the line to come as ``pending``) and again after it, so
a kill between the two is recognised. Deleting, editing, reordering, duplicating or appending a line
breaks the chain or disagrees with the head; forged counts disagree with the Parquet files they name;
a Parquet file in the lake that no line names is reported. Someone who rewrites the whole chain and
its head consistently is not caught by this alone: the chain makes tampering visible, not impossible.

Lines written by irkit before the chain existed (no ``prev``) are accepted and reported as a warning.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from irkit.errors import CaseError

MANIFEST = "manifest.jsonl"
HEAD = "manifest.head"
EVENTS_DIR = Path("lake") / "events"
QUARANTINE_DIR = Path("lake") / "quarantine"
STAGING = ".staging"
GENESIS = "0" * 64

#: Count fields of a manifest evidence entry that add up to ``read``.
COUNT_FIELDS = ("loaded", "quarantined", "duplicates", "conflicts")


class IntegrityWarning(UserWarning):
    """The manifest has problems (:func:`verify` says which); the case was read as far as it could be."""


def line_hash(line: bytes) -> str:
    """The hash the next line's ``prev`` carries: SHA-256 of the line's exact bytes, without its newline."""
    return hashlib.sha256(line).hexdigest()


@dataclass
class Manifest:
    """The committed state of a case, read from ``manifest.jsonl``.

    ``problems`` lists what is wrong with the manifest itself (a damaged line, a broken chain, a head
    that does not match); damaged lines are left out of ``commits``. ``warnings`` lists what is only
    worth knowing (lines from before the chain). Reading never raises for either: :func:`verify`
    reports them, readers warn, and an ingest refuses to add to a manifest with problems.
    """

    root: Path
    commits: list[dict[str, Any]] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    lines: int = 0
    last_hash: str = GENESIS
    line_hashes: list[str] = field(default_factory=list)
    torn: bool = False

    @classmethod
    def read(cls, root: Path) -> Manifest:
        manifest = cls(root)
        path = root / MANIFEST
        if not path.exists():
            if (root / HEAD).exists():
                manifest._problem(MANIFEST, "missing", "manifest.head exists but the manifest does not")
            return manifest
        data = path.read_bytes()
        raw_lines = data.split(b"\n")
        tail = raw_lines.pop()  # b"" when the file ends with a newline
        if tail:
            manifest.torn = True  # an interrupted append: never committed
        legacy = 0
        expected_prev = GENESIS
        for number, line in enumerate(raw_lines, 1):
            manifest.lines = number
            digest = line_hash(line)
            manifest.line_hashes.append(digest)
            try:
                commit = json.loads(line)
            except (ValueError, UnicodeDecodeError) as exc:
                commit, reason = None, str(exc)
            else:
                reason = "not a commit object"
            if not isinstance(commit, dict) or not isinstance(commit.get("outputs"), list) \
                    or not isinstance(commit.get("evidence"), list):
                manifest._problem(f"{MANIFEST}:{number}", "damaged", f"not a manifest commit ({reason})")
                expected_prev = digest
                continue
            if "prev" not in commit:
                if manifest.commits and "prev" in manifest.commits[-1]:
                    manifest._problem(f"{MANIFEST}:{number}", "unchained",
                                      "a line without a hash chain after chained lines (inserted or forged)")
                legacy += 1
            else:
                if commit.get("seq") != number:
                    manifest._problem(f"{MANIFEST}:{number}", "out of place",
                                      f"line {number} says it is line {commit.get('seq')} "
                                      "(a line deleted, duplicated or reordered)")
                elif commit["prev"] != expected_prev:
                    manifest._problem(f"{MANIFEST}:{number}", "chain broken",
                                      f"line {number - 1} is not the line that line {number} follows "
                                      "(edited, replaced or reordered)",
                                      expected=commit["prev"], actual=expected_prev)
            manifest.commits.append(commit)
            expected_prev = digest
        manifest.last_hash = expected_prev
        if legacy:
            manifest.warnings.append(f"{legacy} manifest line(s) written before the hash chain are not protected by it")
        manifest._check_head(legacy == manifest.lines)
        return manifest

    def _problem(self, path: str, problem: str, detail: str, **extra: str) -> None:
        self.problems.append({"kind": "manifest", "path": path, "problem": problem, "detail": detail, **extra})

    def _check_head(self, legacy_only: bool) -> None:
        path = self.root / HEAD
        if not path.exists():
            if self.lines and not legacy_only:
                self._problem(HEAD, "missing", "the manifest's head record is missing")
            return
        try:
            head = json.loads(path.read_text(encoding="utf-8"))
            lines, last, pending = int(head["lines"]), str(head["sha256"]), head.get("pending")
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
            self._problem(HEAD, "damaged", f"the manifest's head record is unreadable ({exc})")
            return
        if (lines, last) == (self.lines, self.last_hash):
            return
        if pending and lines + 1 == self.lines and pending == self.last_hash:
            return  # killed after appending, before recording the new head: the line is committed
        if self.lines > lines:
            what = f"{self.lines - lines} line(s) appended after the recorded head (line {lines})"
        elif self.lines < lines:
            what = f"{lines - self.lines} line(s) missing at the end (the head records {lines} lines)"
        else:
            what = f"the last line (line {lines}) is not the one the head records"
        self._problem(HEAD, "mismatch", what, expected=last, actual=self.last_hash)

    def evidence(self) -> list[dict[str, Any]]:
        return [entry for commit in self.commits for entry in commit["evidence"]]

    def outputs(self, kind: str | None = None) -> list[dict[str, Any]]:
        """The lake files the commits name, each once (a file named twice is a problem :func:`verify`
        reports; its rows never count twice)."""
        seen: set[str] = set()
        out = []
        for commit in self.commits:
            for o in commit["outputs"]:
                if o["path"] not in seen and (kind is None or o["kind"] == kind):
                    seen.add(o["path"])
                    out.append(o)
        return out

    def ingested_hashes(self) -> set[str]:
        return {entry["sha256"] for entry in self.evidence()}

    def event_files(self, source: str | None = None) -> list[str]:
        return [
            str(self.root / o["path"])
            for o in self.outputs("events")
            if source is None or o.get("source") == source
        ]

    def quarantine_files(self) -> list[str]:
        return [str(self.root / o["path"]) for o in self.outputs("quarantine")]

    def missing_files(self) -> list[str]:
        """Lake files a commit names that are not there (relative paths): cheap, one stat each."""
        return [o["path"] for o in self.outputs() if not (self.root / o["path"]).is_file()]

    def unreadable_files(self) -> list[tuple[str, str]]:
        """Lake files a commit names that are missing or plainly not Parquet (no ``PAR1`` at both ends,
        a footer longer than the file), with the reason: one open and two small reads per file. A
        change inside a file is for :func:`verify` (hashes) to find."""
        out = []
        for output in self.outputs():
            reason = _unreadable(self.root / output["path"])
            if reason:
                out.append((output["path"], reason))
        return out


def _unreadable(path: Path) -> str | None:
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size < 12:
                return "truncated (not a Parquet file)"
            head = fh.read(4)
            fh.seek(size - 8)
            tail = fh.read(8)
    except FileNotFoundError:
        return "missing"
    except OSError as exc:
        return f"unreadable ({exc.strerror})"
    if head != b"PAR1" or tail[4:] != b"PAR1" or int.from_bytes(tail[:4], "little") > size - 12:
        return "damaged (not a complete Parquet file)"
    return None


def _write_head(root: Path, head: dict[str, Any]) -> None:
    tmp = root / (HEAD + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(head, sort_keys=True) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, root / HEAD)


def append_commit(root: Path, commit: dict[str, Any]) -> None:
    """Append one commit line durably, chained to the line before it, first cutting off a torn last
    line if there is one. Refuses (:class:`CaseError`) to add to a manifest with problems."""
    path = root / MANIFEST
    _cut_torn_tail(path)
    manifest = Manifest.read(root)
    if manifest.problems:
        raise _refusal(manifest)
    line = json.dumps({**commit, "seq": manifest.lines + 1, "prev": manifest.last_hash}, sort_keys=True)
    digest = line_hash(line.encode("utf-8"))
    _write_head(root, {"lines": manifest.lines, "sha256": manifest.last_hash, "pending": digest})
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(line + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    _write_head(root, {"lines": manifest.lines + 1, "sha256": digest, "commit": commit.get("commit")})


def check_appendable(root: Path) -> None:
    """Raise the :class:`CaseError` an ingest would end with if the manifest has problems."""
    manifest = Manifest.read(root)
    if manifest.problems:
        raise _refusal(manifest)


def _refusal(manifest: Manifest) -> CaseError:
    first = manifest.problems[0]
    more = f" (and {len(manifest.problems) - 1} more)" if len(manifest.problems) > 1 else ""
    return CaseError(
        f"the manifest is damaged or tampered: {first['problem']}: {first['detail']}{more}; nothing was "
        "ingested and nothing deleted. Run `irkit verify`; ingest the evidence into a new case to rebuild it",
        path=manifest.root / first["path"].split(":")[0],
        line=int(first["path"].split(":")[1]) if ":" in first["path"] else None,
    )


def _cut_torn_tail(path: Path) -> None:
    if not path.exists():
        return
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        keep = data.rfind(b"\n") + 1
        with open(path, "r+b") as fh:
            fh.truncate(keep)


_COMMIT_PREFIX = re.compile(r"^(\d{8}T\d{12}-\d+)-")


def recover(root: Path) -> list[Path]:
    """Undo what interrupted ingests left behind; return the lake files removed.

    Only files an interrupted batch provably wrote are removed: named ``<commit>-*`` where
    ``.staging/<commit>/`` still exists and the manifest nowhere mentions that commit. Any other
    lake file no commit names (planted, or left by a damaged manifest) stays where it is: readers
    never read it and :func:`verify` reports it. Refuses (:class:`CaseError`) when the manifest has
    problems, so a damaged manifest never leads to deleting anything.
    """
    manifest = Manifest.read(root)
    if manifest.problems:
        raise _refusal(manifest)
    staging = root / STAGING
    interrupted = {p.name for p in staging.iterdir() if p.is_dir()} if staging.is_dir() else set()
    text = (root / MANIFEST).read_text(encoding="utf-8", errors="replace") if (root / MANIFEST).exists() else ""
    interrupted = {c for c in interrupted if c not in text}
    committed = {(root / o["path"]).resolve() for o in manifest.outputs()}
    removed: list[Path] = []
    for file in _lake_files(root):
        match = _COMMIT_PREFIX.match(file.name)
        if match and match.group(1) in interrupted and file.resolve() not in committed:
            file.unlink()
            removed.append(file)
    shutil.rmtree(staging, ignore_errors=True)
    return removed


def _lake_files(root: Path) -> Iterator[Path]:
    for folder in (root / EVENTS_DIR, root / QUARANTINE_DIR):
        yield from parquet_files_under(folder)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(4 * 1024**2):
            digest.update(block)
    return digest.hexdigest()


def verify(root: Path, public_key: str | None = None) -> dict[str, Any]:
    """Check the manifest's chain and head, re-hash every evidence and lake file it names, recount the
    rows of every lake file, and name every lake file no commit names; report exactly what differs.
    With ``public_key`` (hex), the case must carry a valid signature by that key over a head that is
    still in the chain (:mod:`irkit.signing`); without, a signature present is checked for consistency."""
    import pyarrow.parquet as pq

    from irkit.evidence import EvidenceItem

    manifest = Manifest.read(root)
    problems: list[dict[str, Any]] = list(manifest.problems)
    if public_key or (root / "manifest.sig").exists():
        from irkit import signing

        problems += signing.check(root, manifest.line_hashes, public_key)
    checked = 0
    seen_evidence: dict[tuple[str, str | None], int] = {}
    for number, commit in enumerate(manifest.commits, 1):
        for entry in commit["evidence"]:
            checked += 1
            key = (entry["sha256"], entry.get("member"))
            if key in seen_evidence:
                problems.append({"kind": "manifest", "path": entry["file"], "problem": "twice",
                                 "detail": "the same evidence is committed twice (a duplicated line?)"})
            seen_evidence[key] = number
            counts = [entry.get(name) or 0 for name in COUNT_FIELDS]
            if entry.get("read") != sum(counts):
                problems.append({"kind": "manifest", "path": entry["file"], "problem": "counts",
                                 "detail": f"read {entry.get('read')} is not "
                                 + " + ".join(f"{n} {c}" for n, c in zip(COUNT_FIELDS, counts, strict=True))})
            path = Path(entry["path"])
            if not path.exists():
                problems.append({"kind": "evidence", "path": entry["file"], "problem": "missing"})
                continue
            actual = EvidenceItem(path, entry.get("member"), entry.get("member_index")).sha256()
            if actual != entry["sha256"]:
                problems.append(
                    {"kind": "evidence", "path": entry["file"], "problem": "changed",
                     "expected": entry["sha256"], "actual": actual}
                )
    named: set[Path] = set()
    lake_root = (root / "lake").resolve()
    for output in (o for c in manifest.commits for o in c["outputs"]):
        checked += 1
        path = root / output["path"]
        resolved = path.resolve()
        if resolved in named:
            problems.append({"kind": output["kind"], "path": output["path"], "problem": "twice",
                             "detail": "named by more than one commit (its rows would count twice)"})
        named.add(resolved)
        if not resolved.is_relative_to(lake_root):
            problems.append({"kind": output["kind"], "path": output["path"], "problem": "outside",
                             "detail": "a commit names a file outside the lake"})
            continue
        if not path.exists():
            problems.append({"kind": output["kind"], "path": output["path"], "problem": "missing"})
        elif (actual := sha256_file(path)) != output["sha256"]:
            problems.append(
                {"kind": output["kind"], "path": output["path"], "problem": "changed",
                 "expected": output["sha256"], "actual": actual}
            )
        elif "rows" in output:
            try:
                rows = pq.read_metadata(path).num_rows
            except (OSError, ValueError) as exc:
                problems.append({"kind": output["kind"], "path": output["path"], "problem": "damaged",
                                 "detail": f"not a readable Parquet file ({exc})"})
                continue
            if rows != output["rows"]:
                problems.append({"kind": output["kind"], "path": output["path"], "problem": "counts",
                                 "detail": f"the commit says {output['rows']} rows, the file holds {rows}"})
    for commit in manifest.commits:
        outputs = [o for o in commit["outputs"] if o.get("kind") == "events" and "rows" in o]
        loaded = sum(e.get("loaded") or 0 for e in commit["evidence"])
        if outputs and sum(o["rows"] for o in outputs) != loaded:
            problems.append({"kind": "manifest", "path": f"commit {commit.get('commit')}", "problem": "counts",
                             "detail": f"its evidence says {loaded} events loaded, its event files hold "
                             f"{sum(o['rows'] for o in outputs)}"})
    staging = root / STAGING
    interrupted = {p.name for p in staging.iterdir() if p.is_dir()} if staging.is_dir() else set()
    for file in _lake_files(root):
        if file.resolve() in named:
            continue
        match = _COMMIT_PREFIX.match(file.name)
        if match and match.group(1) in interrupted:
            continue  # left by an interrupted ingest; the next ingest removes it
        problems.append({"kind": "lake", "path": str(file.relative_to(root)), "problem": "unnamed",
                         "detail": "a Parquet file in the lake that no commit names (planted?); readers ignore it"})
    return {"ok": not problems, "checked": checked, "problems": problems, "warnings": list(manifest.warnings)}


_PARQUET_PATH = re.compile(r"""["']([^"'\n]+?\.parquet)["']|(\S+\.parquet)""")


def lake_file_error(exc: BaseException, root: Path | None = None) -> CaseError | None:
    """A clear error naming the lake file when ``exc`` (a DuckDB or Arrow error) is about reading one
    (missing, truncated, not Parquet); None when it is about something else."""
    text = str(exc)
    if re.search(r"writ|no space|disk full|quota", text, re.IGNORECASE):
        return None  # a failure to write (disk full, ...), not a damaged lake file
    match = _PARQUET_PATH.search(text)
    if match is None:
        return None
    path = Path(match.group(1) or match.group(2))
    if root is not None and path.is_relative_to(root.resolve()):
        path = path.relative_to(root.resolve())
    elif root is not None and path.is_relative_to(root):
        path = path.relative_to(root)
    reason = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return CaseError(f"lake file missing or damaged ({reason}); run `irkit verify`", path=path)


def parquet_files_under(folder: Path) -> Iterator[Path]:
    yield from sorted(folder.rglob("*.parquet")) if folder.exists() else iter(())
