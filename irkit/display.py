"""Showing hostile log text safely: on a terminal, in a spreadsheet, in a browser.

Log values are written by whoever wrote the logs, attacker included. Three places interpret them:

- **a terminal** runs escape sequences (colours, cursor moves, OSC 52 clipboard writes, title
  changes): :func:`terminal_text` shows every C0/C1 control character, DEL and the bidirectional
  controls as ``\\x1b`` / ``\\u202e`` text instead;
- **a spreadsheet** runs a cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return as a
  formula: :func:`csv_cell` prefixes such a text cell with ``'`` (the OWASP advice), so it reads as
  text; numbers are left alone;
- **a browser** applies bidirectional controls (U+202E turns ``exe.txt`` into ``txt.exe`` on screen):
  :func:`visible_bidi` replaces each with a visible ``⟨U+202E⟩`` marker.

JSON output needs none of this: ``json.dumps`` escapes control characters itself.
"""

from __future__ import annotations

import re
from typing import Any

#: Bidirectional formatting characters: embeddings, overrides, isolates, marks.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

#: Everything a terminal may interpret: C0 (but see keep_newlines), DEL, C1, bidi controls, and the
#: Unicode line and paragraph separators.
_TERMINAL = re.compile("[\x00-\x1f\x7f-\x9f" + BIDI_CONTROLS + "\u2028\u2029]")
_TERMINAL_KEEP_NL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f" + BIDI_CONTROLS + "\u2028\u2029]")
_BIDI = re.compile("[" + BIDI_CONTROLS + "]")

#: Characters that make a spreadsheet read a cell as a formula when they start it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_text(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with every control character shown as ``\\x1b``-style text (newlines kept if asked)."""
    pattern = _TERMINAL_KEEP_NL if keep_newlines else _TERMINAL
    return pattern.sub(_escape_char, text)


def has_controls(text: str) -> bool:
    return _TERMINAL.search(text) is not None


def terminal_chars() -> list[str]:
    """Every character :func:`terminal_text` escapes, for vectorized replacement."""
    return [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))] + list(BIDI_CONTROLS) + ["\u2028", "\u2029"]


def escaped(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def csv_cell(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula, prefixed with ``'``; anything else as is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def visible_bidi(text: str) -> str:
    """``text`` with each bidirectional control shown as ``⟨U+202E⟩`` instead of applied."""
    return _BIDI.sub(lambda m: f"\u27e8U+{ord(m.group(0)):04X}\u27e9", text)
