"""Deterministic ids, timestamps and JSON bytes for the synthetic evidence writers.

Everything random comes from a `random.Random` the caller owns: no global random, no wall clock,
no `uuid4`. Times are integer nanoseconds since the Unix epoch (UTC) so that every vendor's
precision (seconds, milliseconds, microseconds, Go's trimmed nanoseconds) is rendered exactly.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import random
from typing import Any

_orjson: Any
try:  # orjson is ~5x faster; the stdlib path below writes the very same bytes.
    import orjson as _orjson
except ImportError:  # pragma: no cover - exercised on machines without orjson
    _orjson = None

NS = 1_000_000_000
MS = 1_000_000
US = 1_000
SECOND = NS
MINUTE = 60 * NS
HOUR = 3600 * NS
DAY = 86400 * NS

_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def dumps(obj: Any) -> bytes:
    """Minified JSON, keys in insertion order, UTF-8, identical with or without orjson."""
    if _orjson is not None:
        return _orjson.dumps(obj)
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def sha256_hex(line: bytes) -> str:
    return hashlib.sha256(line).hexdigest()


# ---------------------------------------------------------------- time
def ns_of(iso: str) -> int:
    """'2026-11-10T14:03:22.5Z' -> ns (test and story helper, not on hot paths)."""
    base, _, frac = iso.rstrip("Z").partition(".")
    d = dt.datetime.fromisoformat(base).replace(tzinfo=dt.UTC)
    return int(d.timestamp()) * NS + int((frac + "000000000")[:9])


_day_cache: dict[int, str] = {}


def _day(sec: int) -> tuple[str, int]:
    day, rem = divmod(sec, 86400)
    s = _day_cache.get(day)
    if s is None:
        s = dt.datetime.fromtimestamp(day * 86400, dt.UTC).strftime("%Y-%m-%d")
        _day_cache[day] = s
    return s, rem


_hms_cache: dict[int, str] = {}


def _hms(sec: int) -> str:
    s = _hms_cache.get(sec)
    if s is None:
        if len(_hms_cache) > 20_000:
            _hms_cache.clear()
        d, rem = _day(sec)
        h, rem = divmod(rem, 3600)
        m, s_ = divmod(rem, 60)
        s = _hms_cache[sec] = f"{d}T{h:02d}:{m:02d}:{s_:02d}"
    return s


def iso_s(ns: int) -> str:
    """CloudTrail: 2026-11-10T14:03:22Z."""
    return _hms(ns // NS) + "Z"


def iso_ms(ns: int) -> str:
    """Okta: 2026-11-10T14:03:22.123Z."""
    return f"{_hms(ns // NS)}.{(ns % NS) // MS:03d}Z"


def iso_us(ns: int) -> str:
    """Kubernetes: 2026-11-10T14:03:22.123456Z."""
    return f"{_hms(ns // NS)}.{(ns % NS) // US:06d}Z"


def iso_go(ns: int) -> str:
    """Go RFC3339Nano (MCP gateway): up to 9 fraction digits, trailing zeros trimmed."""
    frac = f"{ns % NS:09d}".rstrip("0")
    return _hms(ns // NS) + ("." + frac if frac else "") + "Z"


def iso_gt(ns: int) -> str:
    """Ground-truth time: microsecond precision (the lake's), fraction omitted when zero."""
    us = (ns % NS) // US
    return _hms(ns // NS) + (f".{us:06d}" if us else "") + "Z"


def epoch_ms(ns: int) -> int:
    return ns // MS


def date_parts(ns: int) -> tuple[str, str, str]:
    d, _ = _day(ns // NS)
    return d[:4], d[5:7], d[8:10]


# ---------------------------------------------------------------- ids
class Ids:
    """Identifier factory over one `random.Random`."""

    __slots__ = ("_bits", "rng")

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._bits = rng.getrandbits

    def uuid4(self) -> str:
        h = f"{(self._bits(128) & ~(0xF000 << 64) | (0x4000 << 64)) & ~(0xC << 60) | (0x8 << 60):032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def uuid1ish(self) -> str:
        """Okta's time-based looking uuids (version nibble 1)."""
        h = f"{(self._bits(128) & ~(0xF000 << 64)) | (0x1000 << 64):032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def hex(self, n: int) -> str:
        return f"{self._bits(4 * n):0{n}x}"

    def span_id(self) -> str:
        return f"{self._bits(64) | 1:016x}"  # never the invalid all-zero id

    def trace_id(self) -> str:
        return f"{self._bits(128) | 1:032x}"

    def aws_key(self, prefix: str) -> str:
        """AKIA…/ASIA…/AROA…/AIDA…: prefix + 16 base32 characters."""
        return prefix + base64.b32encode(self._bits(80).to_bytes(10, "big")).decode()

    def aws_principal(self, prefix: str) -> str:
        """AROA/AIDA ids are 21 characters."""
        return prefix + base64.b32encode(self._bits(85).to_bytes(11, "big")).decode()[:17]

    def b62(self, n: int) -> str:
        return "".join(self.rng.choices(_B62, k=n))

    def b64(self, nbytes: int, *, urlsafe: bool = False, pad: bool = True) -> str:
        raw = self._bits(8 * nbytes).to_bytes(nbytes, "big")
        s = (base64.urlsafe_b64encode if urlsafe else base64.b64encode)(raw).decode()
        return s if pad else s.rstrip("=")

    def s3_request_id(self) -> str:
        return f"{self._bits(64):016X}"

    def okta_id(self, prefix: str) -> str:
        return prefix + self.b62(17)
