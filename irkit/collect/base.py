"""What every API collector shares: the window, the paging loop over a job's streams, progress.

A collector module (``irkit/collect/<source>.py``) defines ``NAME``, ``VERSION``, ``DESCRIPTION``,
``RETENTION_DAYS`` (how far back the vendor keeps records by default: the default ``--since``),
``add_arguments(parser)``, ``params(args) -> dict`` (what identifies the job: never a secret) and
``run(job, args, window, progress)``. Its heavy imports (boto3, httpx, google-auth) happen inside ``run``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from irkit.collect.http import CollectError, Http
from irkit.collect.store import Job


@dataclass(frozen=True)
class Window:
    since: datetime
    until: datetime

    def iso(self, which: str, digits: int = 3) -> str:
        value = getattr(self, which)
        text = value.isoformat(timespec="milliseconds" if digits == 3 else "seconds")
        return text.replace("+00:00", "Z")

    @classmethod
    def resolve(cls, since: datetime | None, until: datetime | None, retention_days: int) -> Window:
        end = until or datetime.now(UTC).replace(microsecond=0)
        start = since or end - timedelta(days=retention_days)
        if start >= end:
            raise CollectError(f"--since ({start.isoformat()}) is not before --until ({end.isoformat()})")
        return cls(start, end)

    def to_json(self) -> dict[str, str]:
        return {"since": self.iso("since"), "until": self.iso("until")}

    @classmethod
    def from_json(cls, data: dict[str, str]) -> Window:
        return cls(datetime.fromisoformat(data["since"].replace("Z", "+00:00")),
                   datetime.fromisoformat(data["until"].replace("Z", "+00:00")))


class Progress:
    """Pages, records and the time range covered, per stream: a bar on a terminal, lines elsewhere."""

    def __init__(self, enabled: bool | None = None, out: Any = None) -> None:
        self.out = out or sys.stderr
        self.enabled = self.out.isatty() if enabled is None else enabled
        self._bar: Any = None
        self.pages = 0
        self.records = 0

    def start(self, stream: str, done_pages: int) -> None:
        self.close()
        if self.enabled:
            from tqdm import tqdm

            self._bar = tqdm(desc=stream, unit="page", initial=done_pages, file=self.out, leave=True)

    def page(self, records: int, first: str | None, last: str | None) -> None:
        self.pages += 1
        self.records += records
        if self._bar is not None:
            self._bar.update(1)
            self._bar.set_postfix_str(f"{self.records} records {first or ''}..{last or ''}", refresh=False)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


@dataclass
class Request:
    """The cursor of a stream: the next request to send (JSON-able, so the log can hold it)."""

    url: str
    params: dict[str, Any] | None = None
    body: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return {"url": self.url, "params": self.params, "body": self.body}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Request:
        return cls(data["url"], data.get("params"), data.get("body"))


def json_records(body: bytes) -> list[Any] | None:
    """The records of a JSON page: a bare array, or the array under ``value`` / ``entries`` / ``Events``
    (an object without one of those keys has none); None when the body is not a JSON page."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for key in ("value", "entries", "Events"):
            if isinstance(data.get(key), list):
                return data[key]
        return []
    return None


def time_range(records: Iterable[Any], when: Callable[[dict[str, Any]], str | None]) -> tuple[str | None, str | None]:
    times = [t for t in (when(r) for r in records if isinstance(r, dict)) if t]
    return (min(times), max(times)) if times else (None, None)


def page_through(job: Job, http: Http, stream: str, first: Request, *,
                 next_request: Callable[[Any, Request, bytes, dict[str, str]], Request | None],
                 when: Callable[[dict[str, Any]], str | None], progress: Progress,
                 read_post: bool = False, headers: dict[str, str] | None = None) -> None:
    """Fetch a stream's pages from its checkpoint on, saving each before asking for the next."""
    state = job.state(stream)
    if state.done:
        return
    progress.start(f"{job.source} {stream}", state.pages)
    request = Request.from_json(state.cursor) if state.pages and state.cursor else first
    while True:
        page = http.fetch(request.url, params=request.params, json_body=request.body, read_post=read_post,
                          headers=headers, valid=lambda b: json_records(b) is not None)
        data = json.loads(page.body)
        records = json_records(page.body) or []
        following = next_request(data, request, page.body, page.headers)
        if following is not None and following == request:  # a cursor that does not move: the end
            following = None
        times = time_range(records, when)
        entry = page.log_entry()
        if request.body is not None:
            entry["request_body"] = request.body
        job.save_page(stream, page.body, entry, next_cursor=following.to_json() if following else None,
                      done=following is None, records=len(records), times=times)
        progress.page(len(records), *times)
        if following is None:
            break
        request = following
    progress.close()


def link_next(headers: dict[str, str]) -> str | None:
    """The ``rel="next"`` URL of an RFC 8288 ``Link`` header (Okta, GitHub)."""
    for part in headers.get("link", "").split(","):
        section = part.split(";")
        if len(section) < 2:
            continue
        url = section[0].strip()
        if url.startswith("<") and url.endswith(">") and any(
                p.strip().replace(" ", "") in ('rel="next"', "rel=next") for p in section[1:]):
            return url[1:-1]
    return None


def token_from_env(name: str, what: str) -> str:
    import os

    value = os.environ.get(name, "").strip()
    if not value:
        raise CollectError(f"no {what}: set the environment variable {name} (tokens are never taken on the "
                           "command line, where other users of the machine can read them)")
    return value
