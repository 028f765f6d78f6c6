"""Times given by people (CLI flags, notebook parameters, case files): always timezone-aware UTC inside."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from irkit.errors import UsageError


def parse_time(value: str | datetime | None, what: str = "time") -> datetime | None:
    """ISO-8601 text or a datetime, as an aware UTC datetime; naive values are taken as UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError as exc:
            raise UsageError(f"{what}: {value!r} is not an ISO-8601 time (e.g. 2026-11-14T09:30:00Z)") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


#: The longest duration irkit accepts (a window or gap longer than this is a typo, and Python's
#: timedelta overflows not far beyond it).
MAX_DURATION = timedelta(days=3650)


def parse_duration(value: str | timedelta | float, what: str = "duration") -> timedelta:
    """``30m``, ``2h``, ``45s``, ``1d`` or a number of seconds; from zero to :data:`MAX_DURATION`."""
    if isinstance(value, timedelta):
        duration = value
    else:
        units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
        text = str(value).strip().lower()
        try:
            if isinstance(value, (int, float)):
                seconds = float(value)
            elif text and text[-1] in units:
                seconds = float(text[:-1]) * units[text[-1]]
            else:
                seconds = float(text)
        except ValueError as exc:
            raise UsageError(f"{what}: {value!r} is not a duration (e.g. 30m, 2h, 45s)") from exc
        if not math.isfinite(seconds) or abs(seconds) > MAX_DURATION.total_seconds():
            raise UsageError(f"{what}: {value!r} is out of range (at most {MAX_DURATION.days} days)")
        duration = timedelta(seconds=seconds)
    if duration < timedelta(0) or duration > MAX_DURATION:
        raise UsageError(f"{what}: {value!r} is out of range (0 to {MAX_DURATION.days} days)")
    return duration


def iso(value: datetime | None) -> str | None:
    """ISO-8601 UTC with a Z, or None."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
