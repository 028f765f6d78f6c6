"""The errors irkit raises, all rooted at :class:`IrkitError`.

::

    IrkitError                      anything irkit reports to a responder
    ├── EvidenceError               an evidence file cannot be read (names the file, and the line if known)
    │   ├── UnsafeArchiveError      an archive member escapes its folder, or decompresses past the bound
    │   └── UnknownFormatError      no loader recognises the file
    ├── CaseError                   the case folder is missing, damaged or inconsistent
    ├── InventoryError              the identity inventory is malformed (names the line)
    └── UsageError                  a call or command was given arguments that do not make sense

A malformed *record* is never an exception: it is quarantined with its reason and counted.
Errors render as a short message in a terminal and as a plain box in Jupyter.
"""

from __future__ import annotations

import html
from pathlib import Path


class IrkitError(Exception):
    """Root of every error irkit raises on purpose."""

    def __init__(self, message: str, *, path: str | Path | None = None, line: int | None = None) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        super().__init__(self._render())

    def _render(self) -> str:
        where = self.path or ""
        if where and self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.message}" if where else self.message

    def _repr_html_(self) -> str:
        return (
            '<div style="border-left:4px solid #b00020;padding:4px 8px;background:#fdecea">'
            f"<b>{html.escape(type(self).__name__)}</b>: {html.escape(self._render())}</div>"
        )


class EvidenceError(IrkitError, OSError):
    """An evidence file or archive cannot be read."""


class UnsafeArchiveError(EvidenceError):
    """An archive member would escape its folder or decompress beyond the configured bound."""


class UnknownFormatError(EvidenceError):
    """No registered loader recognises the file's content."""


class CaseError(IrkitError):
    """The case folder is missing, damaged or inconsistent with its manifest."""


class InventoryError(IrkitError, ValueError):
    """The identity inventory file is malformed."""


class UsageError(IrkitError, ValueError):
    """Arguments that do not make sense for the call or command."""
