"""Where synthetic records go: per-source writers fed in time order with bounded memory.

Generators `put` serialized records (bytes) with their time in any order within the current hour;
`flush(until)` sorts what is pending, hands every record older than `until` to the source's writer
and keeps the rest (a conversation that started at 13:59 may still emit at 14:01). Memory is bounded
by one hour of records, whatever the total volume.
"""

from __future__ import annotations

import bisect
from pathlib import Path
from typing import Protocol


class Writer(Protocol):
    def write_batch(self, items: list[tuple[int, int, bytes]]) -> None: ...

    def close(self) -> None: ...

    @property
    def files(self) -> list[Path]: ...


class JsonlWriter:
    """One JSON object per line, `\\n` line endings, a single file."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._f = open(path, "wb")  # noqa: SIM115 - closed in close()
        self.count = 0

    def write_batch(self, items: list[tuple[int, int, bytes]]) -> None:
        if items:
            self._f.write(b"\n".join(line for _, _, line in items) + b"\n")
            self.count += len(items)

    def close(self) -> None:
        self._f.close()

    @property
    def files(self) -> list[Path]:
        return [self.path]


class Sinks:
    def __init__(self, writers: dict[str, Writer]) -> None:
        self.writers = writers
        self._pending: dict[str, list[tuple[int, int, bytes]]] = {k: [] for k in writers}
        self._seq = 0
        self.counts: dict[str, int] = {k: 0 for k in writers}

    def put(self, source: str, ns: int, line: bytes) -> bytes:
        self._seq += 1
        self._pending[source].append((ns, self._seq, line))
        return line

    def flush(self, until: int | None = None) -> None:
        for source, pending in self._pending.items():
            if not pending:
                continue
            pending.sort()
            if until is None:
                ready, rest = pending, []
            else:
                cut = bisect.bisect_left(pending, (until,))
                ready, rest = pending[:cut], pending[cut:]
            self.writers[source].write_batch(ready)
            self.counts[source] += len(ready)
            self._pending[source] = rest

    def close(self) -> None:
        self.flush(None)
        for w in self.writers.values():
            w.close()
