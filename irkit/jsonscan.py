"""Where the records of a JSON document start and end, found without parsing it.

A CloudTrail S3 delivery file is one document ``{"Records": [...]}``; splitting it with a JSON decoder
decodes every record into Python objects only to learn where it ends (about 25 MB/s). Here the
structure is found with whole-array numpy operations instead (the first stage of simdjson, in numpy):

1. quotes not escaped by an odd run of backslashes delimit strings;
2. ``{ } [ ] , :`` outside strings are the structural characters, and a running sum of opens minus
   closes gives each one's depth; the k-th open and the k-th close of the same depth pair up;
3. records are the top-level values, the elements of a top-level array, or the elements of the array
   under an envelope key of a top-level object of at most three keys (the same rules as
   :func:`irkit.evidence.scan_document`, the exact scanner).

The scan gives up (returns None) on anything it does not fully understand: unbalanced or mismatched
brackets, a top-level scalar, text between values, an array element that is not an object or array.
The caller then uses the exact scanner, which also reports where invalid JSON starts. Values inside a
record are not checked here: a record that is not valid JSON is quarantined by the ingest, on its own.
"""

from __future__ import annotations

import numpy as np

_QUOTE, _BACKSLASH, _NEWLINE = 0x22, 0x5C, 0x0A
_OPEN_BRACE, _CLOSE_BRACE, _OPEN_BRACKET, _CLOSE_BRACKET, _COMMA, _COLON = 0x7B, 0x7D, 0x5B, 0x5D, 0x2C, 0x3A
_WHITESPACE = np.array([0x20, 0x09, 0x0D, 0x0A], np.uint8)


class Structure:
    """The structural characters of a document outside strings, with depths and bracket pairs."""

    def __init__(self, data: np.ndarray, quotes: np.ndarray, pos: np.ndarray) -> None:
        self.data, self.quotes, self.pos = data, quotes, pos
        self.char = data[pos]
        delta = np.zeros(len(pos), np.int64)
        delta[(self.char == _OPEN_BRACE) | (self.char == _OPEN_BRACKET)] = 1
        delta[(self.char == _CLOSE_BRACE) | (self.char == _CLOSE_BRACKET)] = -1
        self.delta = delta
        self.depth_after = np.cumsum(delta)
        self.depth_before = self.depth_after - delta
        self.pair = np.full(len(pos), -1, np.int64)

    def balanced(self) -> bool:
        """Brackets balance, never close below the top level, and each close matches its open."""
        if len(self.pos) == 0 or self.depth_after.min() < 0 or self.depth_after[-1] != 0:
            return False
        opens = np.flatnonzero(self.delta == 1)
        closes = np.flatnonzero(self.delta == -1)
        if len(opens) != len(closes):
            return False
        # Within one depth, opens and closes alternate: the k-th of each pair up.
        opens = opens[np.argsort(self.depth_after[opens], kind="stable")]
        closes = closes[np.argsort(self.depth_before[closes], kind="stable")]
        if not np.array_equal(self.depth_after[opens], self.depth_before[closes]) or np.any(closes < opens):
            return False
        if not np.all(self.char[closes] == self.char[opens] + 2):  # '{'+2 = '}', '['+2 = ']'
            return False
        self.pair[opens] = closes
        return True

    def key_before(self, colon: int) -> bytes:
        """The raw bytes of the key whose colon is structural character ``colon``."""
        k = int(np.searchsorted(self.quotes, self.pos[colon]))
        return self.data[self.quotes[k - 2] + 1 : self.quotes[k - 1]].tobytes()


def structure(data: np.ndarray) -> Structure | None:
    """The structure of ``data`` (UTF-8 bytes), or None when its strings do not close."""
    quotes = np.flatnonzero(data == _QUOTE)
    if len(quotes):
        quotes = quotes[~_escaped(data, quotes)]
    if len(quotes) % 2:
        return None
    marks = (data == _OPEN_BRACE) | (data == _CLOSE_BRACE) | (data == _OPEN_BRACKET) | (data == _CLOSE_BRACKET)
    marks |= (data == _COMMA) | (data == _COLON)
    pos = np.flatnonzero(marks)
    del marks
    pos = pos[np.searchsorted(quotes, pos) % 2 == 0]  # an odd number of quotes before: inside a string
    return Structure(data, quotes, pos)


def _escaped(data: np.ndarray, quotes: np.ndarray) -> np.ndarray:
    """Which quotes follow an odd run of backslashes."""
    escaped = np.zeros(len(quotes), bool)
    after_backslash = np.flatnonzero((quotes > 0) & (data[np.maximum(quotes - 1, 0)] == _BACKSLASH))
    if len(after_backslash) == 0:
        return escaped
    slashes = np.flatnonzero(data == _BACKSLASH)
    run_starts = np.ones(len(slashes), bool)
    run_starts[1:] = slashes[1:] != slashes[:-1] + 1
    start_of = slashes[run_starts][np.cumsum(run_starts) - 1]  # each backslash's run start
    q = quotes[after_backslash]
    run_length = q - start_of[np.searchsorted(slashes, q - 1)]
    escaped[after_backslash] = run_length % 2 == 1
    return escaped


class _Unsure(Exception):
    """The fast scan cannot vouch for the document; the exact scanner must read it."""


_BOM = b"\xef\xbb\xbf"


def records(data: bytes | memoryview, envelope_keys: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, list[str]] | None:
    """``(starts, ends, json_paths)`` of every record in a JSON document (byte offsets into ``data``),
    or None when the fast scan cannot vouch for the document (see the module docstring)."""
    skip = len(_BOM) if data[:3] == _BOM else 0
    try:
        starts, ends, paths = _records(np.frombuffer(data, np.uint8, offset=skip), envelope_keys)
    except _Unsure:
        return None
    return starts + skip, ends + skip, paths


def _records(array: np.ndarray, envelope_keys: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    s = structure(array)
    if s is None or not s.balanced():
        raise _Unsure
    tops = np.flatnonzero((s.depth_before == 0) & (s.delta == 1))
    if np.any(s.char[s.depth_before == 0] == _COMMA) or np.any(s.char[s.depth_before == 0] == _COLON):
        raise _Unsure
    if not _only_whitespace(array, _gaps_between(s, tops, len(array))):
        raise _Unsure
    starts: list[np.ndarray] = []
    ends: list[np.ndarray] = []
    paths: list[str] = []
    for top in tops.tolist():
        close = int(s.pair[top])
        if s.char[top] == _OPEN_BRACKET:
            span = _elements(s, top, close, array)
            prefix = "$"
        else:
            chosen = _envelope(s, top, close, envelope_keys, array)
            if chosen is None:
                starts.append(np.array([s.pos[top]]))
                ends.append(np.array([s.pos[close] + 1]))
                paths.append("$")
                continue
            key, opening = chosen
            span = _elements(s, opening, int(s.pair[opening]), array)
            prefix = f"$.{key}"
        starts.append(span[0])
        ends.append(span[1])
        paths.extend(f"{prefix}[{i}]" for i in range(len(span[0])))
    if not starts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), []
    return np.concatenate(starts), np.concatenate(ends), paths


def _gaps_between(s: Structure, tops: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The byte ranges outside the top-level values (which must hold only white space)."""
    if len(tops) == 0:
        return np.array([0]), np.array([size])
    gap_starts = np.concatenate([[0], s.pos[s.pair[tops]] + 1])
    gap_ends = np.concatenate([s.pos[tops], [size]])
    return gap_starts, gap_ends


def _envelope(s: Structure, top: int, close: int, keys: tuple[str, ...], array: np.ndarray) -> tuple[str, int] | None:
    """``(key, index of its array's '[')`` when the object at ``top`` is an envelope, else None."""
    inner = np.arange(top + 1, close)
    colons = inner[(s.depth_before[inner] == 1 + s.depth_before[top]) & (s.char[inner] == _COLON)]
    if len(colons) > 3:
        return None
    lists: dict[str, int] = {}
    for colon in colons.tolist():
        following = colon + 1
        if following < close and s.char[following] == _OPEN_BRACKET and _only_whitespace(
            array, (np.array([s.pos[colon] + 1]), np.array([s.pos[following]]))
        ):
            key = s.key_before(colon)
            if b"\\" in key:  # an escaped key name: only a decoder can say what it spells
                raise _Unsure
            lists.setdefault(key.decode("utf-8", "replace"), following)
    for key in keys:
        if key in lists:
            return key, lists[key]
    return None


def _elements(s: Structure, opening: int, close: int, array: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end offsets of the elements of the array at ``opening`` (each an object or array)."""
    level = s.depth_after[opening]
    inner = np.arange(opening + 1, close)
    at_level = inner[s.depth_before[inner] == level]
    commas = at_level[s.char[at_level] == _COMMA]
    firsts = at_level[s.delta[at_level] == 1]
    if len(firsts) == 0 and len(commas) == 0 and len(at_level) == 0:
        if not _only_whitespace(array, (np.array([s.pos[opening] + 1]), np.array([s.pos[close]]))):
            raise _Unsure  # a scalar element
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    if len(firsts) != len(commas) + 1 or len(at_level) != len(firsts) + len(commas):
        raise _Unsure
    starts = s.pos[firsts]
    ends = s.pos[s.pair[firsts]] + 1
    # Between '[' / ',' and an element, and between it and ',' / ']': white space only.
    separators = np.concatenate([[s.pos[opening]], s.pos[commas], [s.pos[close]]])
    if np.any(separators[:-1] > starts) or np.any(ends > separators[1:]):
        raise _Unsure
    gap_starts = np.concatenate([separators[:-1] + 1, ends])
    gap_ends = np.concatenate([starts, separators[1:]])
    if not _only_whitespace(array, (gap_starts, gap_ends)):
        raise _Unsure  # a scalar element, or text that is not JSON
    return starts, ends


def _only_whitespace(array: np.ndarray, ranges: tuple[np.ndarray, np.ndarray]) -> bool:
    """Whether every byte in the half-open ranges is JSON white space."""
    starts, ends = ranges
    lengths = ends - starts
    if np.any(lengths < 0):
        return False
    total = int(lengths.sum())
    if total == 0:
        return True
    offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
    return bool(np.isin(array[offsets + np.arange(total)], _WHITESPACE).all())


def line_numbers(data: bytes | memoryview, starts: np.ndarray, first_line: int = 1) -> np.ndarray:
    """The 1-based line (counting from ``first_line``) on which each offset lies."""
    newlines = np.flatnonzero(np.frombuffer(data, np.uint8) == _NEWLINE)
    return first_line + np.searchsorted(newlines, starts)
