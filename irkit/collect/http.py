"""The one small HTTP layer of the API collectors (httpx): retries, rate limits, redaction, read-only.

* **Read-only by construction**: :meth:`Http.fetch` sends GET, or POST only to an endpoint the collector
  names as a read (Cloud Logging's ``entries:list``); nothing else can be sent.
* **Retries**: 429, 500, 502, 503, 504, a connection or read failure, a body cut short (fewer bytes
  than ``Content-Length``, or text that does not parse as the page it should be) are retried with
  exponential backoff and jitter; ``Retry-After`` (seconds or an HTTP date) wins over the backoff, then
  the vendors' reset headers (``X-Rate-Limit-Reset``, ``x-ratelimit-reset``: epoch seconds, measured
  against the server's ``Date`` so a skewed local clock does not matter). A success whose remaining
  quota is 0 waits for the reset before the next request.
* **Expired or revoked credentials**: a 401 asks the credential to refresh once (OAuth clients); a
  static token cannot, and the collection stops with :class:`TokenRejected`, its checkpoint intact.
* **Secrets** never reach a file or a log line: request headers are never logged, response headers
  only from an allow-list, and query values named like secrets are replaced by ``REDACTED``.
* Waits are multiplied by ``IRKIT_COLLECT_WAIT_SCALE`` (default 1): the test suite's knob.
"""

from __future__ import annotations

import email.utils
import json
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from irkit.errors import IrkitError

#: Response headers worth keeping in the collection log (lower case).
LOGGED_HEADERS = (
    "content-type", "content-length", "date", "etag", "link", "retry-after", "request-id", "x-request-id",
    "client-request-id", "x-ms-request-id", "x-ms-correlation-request-id", "x-okta-request-id",
    "x-github-request-id", "x-amzn-requestid", "x-rate-limit-limit", "x-rate-limit-remaining",
    "x-rate-limit-reset", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset",
    "x-ratelimit-used", "x-ratelimit-resource", "x-ms-ratelimit-remaining-subscription-reads",
    "x-ms-ratelimit-remaining-tenant-reads", "x-guploader-uploadid",
)
#: Query parameters whose values are secrets (compared in lower case).
SECRET_PARAMS = {"sig", "signature", "token", "access_token", "id_token", "refresh_token", "code", "key",
                 "api_key", "apikey", "client_secret", "password", "secret", "x-amz-signature",
                 "x-amz-security-token", "x-amz-credential", "sv", "se", "sp"}
RETRY_STATUS = {429, 500, 502, 503, 504}
MAX_BODY = 512 * 1024**2


class CollectError(IrkitError):
    """A collection could not go on (the checkpoint holds what was saved; rerun to resume)."""


class TokenRejected(CollectError):
    """The API refused the credential (expired, revoked or lacking permission)."""


class Credential:
    """What authorises a request: headers to add, and whether a fresh token can be had."""

    def headers(self) -> dict[str, str]:
        return {}

    def refresh(self) -> bool:
        return False


@dataclass
class StaticToken(Credential):
    scheme: str
    token: str

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"{self.scheme} {self.token}"}


@dataclass
class Page:
    """One response: what was asked (redacted), what came back, the body as received."""

    method: str
    url: str
    params: dict[str, Any]
    status: int
    headers: dict[str, str]
    body: bytes
    attempts: int
    requested: str

    def log_entry(self) -> dict[str, Any]:
        return {"method": self.method, "url": redact_url(self.url), "params": redact_params(self.params),
                "status": self.status, "headers": self.headers, "attempts": self.attempts,
                "requested": self.requested}


def wait_scale() -> float:
    try:
        return max(0.0, float(os.environ.get("IRKIT_COLLECT_WAIT_SCALE", "1")))
    except ValueError:
        return 1.0


def redact_url(url: str) -> str:
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    query = urlencode([(k, "REDACTED" if k.lower() in SECRET_PARAMS else v)
                       for k, v in parse_qsl(parts.query, keep_blank_values=True)])
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def redact_params(params: dict[str, Any] | None) -> dict[str, Any]:
    return {k: ("REDACTED" if k.lower() in SECRET_PARAMS else v) for k, v in (params or {}).items()}


class Http:
    """A read-only HTTP client for one API; see the module docstring."""

    def __init__(self, credential: Credential, *, max_attempts: int = 8, timeout: float = 60.0,
                 max_wait: float = 900.0, base_backoff: float = 1.0, user_agent: str = "",
                 sleep: Callable[[float], None] = time.sleep) -> None:
        import httpx

        self._httpx = httpx
        self.credential = credential
        self.max_attempts = max_attempts
        self.max_wait = max_wait
        self.base_backoff = base_backoff
        self.sleep = sleep
        self.waited = 0.0
        self._hold_until = 0.0
        self.client = httpx.Client(timeout=timeout, follow_redirects=False,
                                   headers={"User-Agent": user_agent or "irkit-collect",
                                            "Accept": "application/json"})

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Http:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _pause(self, seconds: float) -> None:
        seconds = min(max(seconds, 0.0), self.max_wait) * wait_scale()
        if seconds > 0:
            self.waited += seconds
            self.sleep(seconds)

    def fetch(self, url: str, *, params: dict[str, Any] | None = None, json_body: dict[str, Any] | None = None,
              read_post: bool = False, headers: dict[str, str] | None = None,
              valid: Callable[[bytes], bool] = lambda body: True) -> Page:
        """GET ``url`` (or POST ``json_body`` to a read endpoint when ``read_post``), retrying as the module
        docstring says; returns the final page, whose body ``valid`` accepted."""
        httpx = self._httpx
        method = "POST" if read_post else "GET"
        if json_body is not None and not read_post:
            raise CollectError("a request body goes only to a read endpoint")
        refreshed = False
        last_problem = ""
        hold = self._hold_until - time.monotonic()
        if hold > 0:
            self._pause(hold / max(wait_scale(), 1e-9))
        for attempt in range(1, self.max_attempts + 1):
            requested = _now()
            try:
                response = self.client.request(method, url, params=params, json=json_body,
                                               headers={**(headers or {}), **self.credential.headers()})
                body = response.content
            except httpx.TransportError as exc:  # refused, reset, timed out, or a body cut short
                last_problem = f"{type(exc).__name__}: {exc}"
                self._pause(self._backoff(attempt))
                continue
            status = response.status_code
            kept = {k: v for k, v in ((k.lower(), v) for k, v in response.headers.items()) if k in LOGGED_HEADERS}
            if status == 401:
                if not refreshed and self.credential.refresh():
                    refreshed = True
                    continue
                raise TokenRejected(f"{redact_url(str(response.request.url))}: the API refused the credential "
                                    f"(401{_vendor_message(body)}); renew it and rerun: the collection resumes "
                                    "at the page it stopped on")
            limited = status in RETRY_STATUS or (status == 403 and _rate_limited(kept, body))
            if limited:
                last_problem = f"HTTP {status}{_vendor_message(body)}"
                self._pause(self._wait_for(kept, attempt))
                continue
            if status >= 400:
                raise CollectError(f"{redact_url(str(response.request.url))}: HTTP {status}{_vendor_message(body)}")
            if len(body) > MAX_BODY:
                raise CollectError(f"{redact_url(url)}: a page over {MAX_BODY} bytes: not saved")
            declared = kept.get("content-length")
            if (declared and declared.isdigit() and int(declared) != len(body)) or not valid(body):
                last_problem = f"incomplete or malformed body ({len(body)} bytes)"
                self._pause(self._backoff(attempt))
                continue
            self._hold_until = time.monotonic() + self._quota_wait(kept) * wait_scale()
            return Page(method, str(response.request.url), params or {}, status, kept, body, attempt, requested)
        raise CollectError(f"{redact_url(url)}: gave up after {self.max_attempts} attempts ({last_problem}); "
                           "rerun to resume")

    def _backoff(self, attempt: int) -> float:
        return self.base_backoff * (2 ** (attempt - 1)) * (0.5 + random.random() / 2)

    def _wait_for(self, headers: dict[str, str], attempt: int) -> float:
        retry_after = headers.get("retry-after")
        if retry_after:
            seconds = _retry_after_seconds(retry_after, headers.get("date"))
            if seconds is not None:
                return seconds
        reset = _reset_seconds(headers)
        if reset is not None:
            return reset
        return self._backoff(attempt)

    def _quota_wait(self, headers: dict[str, str]) -> float:
        remaining = headers.get("x-rate-limit-remaining", headers.get("x-ratelimit-remaining"))
        if remaining is not None and remaining.strip() == "0":
            return _reset_seconds(headers) or 0.0
        return 0.0


def _now() -> str:
    from irkit.collect.store import now_iso

    return now_iso()


def _retry_after_seconds(value: str, date: str | None) -> float | None:
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - _server_now(date))


def _reset_seconds(headers: dict[str, str]) -> float | None:
    reset = headers.get("x-rate-limit-reset", headers.get("x-ratelimit-reset"))
    if not reset:
        return None
    try:
        return max(0.0, float(reset) - _server_now(headers.get("date"))) + 1.0
    except ValueError:
        return None


def _server_now(date: str | None) -> float:
    """The server's clock from its ``Date`` header (the last one, if a proxy added another), else ours."""
    for text in (date, date[-29:] if date else None):  # an IMF-fixdate is 29 characters
        if text:
            try:
                return email.utils.parsedate_to_datetime(text).timestamp()
            except (TypeError, ValueError, IndexError):
                continue
    return time.time()


def _rate_limited(headers: dict[str, str], body: bytes) -> bool:
    """A 403 that is a rate limit (GitHub answers some of its limits with 403)."""
    if headers.get("x-ratelimit-remaining", "").strip() == "0" or "retry-after" in headers:
        return True
    return b"rate limit" in body[:2000].lower()


def _vendor_message(body: bytes) -> str:
    """The API's own error text, short, for the error line (the CLI escapes control characters)."""
    try:
        data = json.loads(body[:65536])
    except ValueError:
        return ""
    message: Any = None
    if isinstance(data, dict):
        error = data.get("error")
        message = (data.get("message") or data.get("errorSummary")
                   or (error.get("message") if isinstance(error, dict) else error))
    return f": {str(message)[:200]}" if message else ""
