"""Vendor-shaped API servers for the collector tests: each pages the scenarios' own records the way the
vendor's documentation says (Okta and GitHub: ``Link: rel="next"``; Graph: ``@odata.nextLink``; ARM:
``nextLink``; Cloud Logging: ``nextPageToken``), and can be told to fail a given request number."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.collect.servers import ROOT, Reply, jbytes

INVOICE = ROOT / "sample_data" / "invoice-agent-incident" / "evidence"
ENTRA = ROOT / "sample_data" / "entra-okta-agent" / "evidence"
GCP = ROOT / "sample_data" / "coding-agent-gcp" / "evidence"


def jsonl(path: Path) -> list[Any]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def okta_events() -> list[Any]:
    return jsonl(INVOICE / "okta" / "system_log.jsonl")


def github_events() -> list[Any]:
    return jsonl(INVOICE / "github" / "audit_log.jsonl")


def signins() -> list[Any]:
    out: list[Any] = []
    seen: set[str] = set()
    for path in sorted((ENTRA / "entra" / "signins").glob("*.json")):
        for record in json.loads(path.read_text())["value"]:
            if record["id"] not in seen:
                seen.add(record["id"])
                out.append(record)
    return out


def audits() -> list[Any]:
    return json.loads((ENTRA / "entra" / "directoryAudits.json").read_text())["value"]


def activity() -> list[Any]:
    return json.loads((ENTRA / "azure" / "activity-log.json").read_text())


def gcp_entries() -> list[Any]:
    return json.loads((GCP / "gcp" / "logging-read_2026-11-11_2026-11-17T12.json").read_text())


@dataclass
class Script:
    """Failures by request number (1-based, counted per server), and what was sent."""

    failures: dict[int, str] = field(default_factory=dict)
    delay: float = 0.0
    count: int = 0
    sent: list[bytes] = field(default_factory=list)  # bodies of 200 pages, in order
    tokens: set[str] = field(default_factory=lambda: {"token-1"})

    def fail(self, request: dict[str, Any]) -> Reply | None:
        self.count += 1
        if self.delay:
            time.sleep(self.delay)
        auth = request["headers"].get("Authorization", "")
        if not any(auth.endswith(" " + t) for t in self.tokens):
            return Reply(401, jbytes({"errorCode": "E0000011", "errorSummary": "Invalid token provided",
                                      "message": "Bad credentials", "error": {"code": "InvalidAuthenticationToken",
                                                                             "message": "Access token has expired"}}))
        kind = self.failures.get(self.count)
        if kind == "429":
            return Reply(429, jbytes({"errorCode": "E0000047", "errorSummary": "API call exceeded rate limit"}),
                         {"Retry-After": "2", "X-Rate-Limit-Remaining": "0",
                          "X-Rate-Limit-Reset": str(int(time.time()) + 2), "Date": formatdate(usegmt=True)})
        if kind == "503":
            return Reply(503, b"<html>Service Unavailable</html>")
        if kind == "expire":
            self.tokens = {"token-2"}
            return self.fail_again(request)
        return None

    def fail_again(self, request: dict[str, Any]) -> Reply:
        return Reply(401, jbytes({"errorCode": "E0000011", "errorSummary": "Invalid token provided"}))

    def ok(self, body: bytes, headers: dict[str, str], request_no: int) -> Reply:
        if self.failures.get(request_no) == "truncate":
            return Reply(200, body, headers, truncate=len(body) // 2)
        if self.failures.get(request_no) == "garbled":
            return Reply(200, body[: len(body) // 2], headers)  # a whole response, but not the page
        self.sent.append(body)
        return Reply(200, body, headers)


def link_pager(records: list[Any], page_size: int, script: Script, path: str,
               rate_headers: Callable[[], dict[str, str]]) -> Callable[[dict[str, Any]], Reply]:
    """Okta's and GitHub's paging: the next page's URL in ``Link: <...>; rel="next"``, an opaque cursor."""
    def handler(request: dict[str, Any]) -> Reply:
        failed = script.fail(request)
        if failed is not None:
            return failed
        url = urlsplit(request["path"])
        assert url.path == path, url.path
        query = parse_qs(url.query)
        start = int(query.get("after", ["0"])[0].removeprefix("cursor-"))
        chunk = records[start:start + page_size]
        host = request["headers"]["Host"]
        headers = {"Content-Type": "application/json", **rate_headers(),
                   "Link": f'<http://{host}{request["path"]}>; rel="self"'}
        if start + page_size < len(records) or not chunk:
            kept = "&".join(f"{k}={v[0]}" for k, v in query.items() if k != "after")
            headers["Link"] += f', <http://{host}{path}?{kept}&after=cursor-{start + page_size}>; rel="next"'
        return script.ok(jbytes(chunk), headers, script.count)
    return handler


def okta_rate() -> dict[str, str]:
    return {"X-Rate-Limit-Limit": "600", "X-Rate-Limit-Remaining": "599",
            "X-Rate-Limit-Reset": str(int(time.time()) + 60), "X-Okta-Request-Id": "req-1"}


def github_rate() -> dict[str, str]:
    return {"x-ratelimit-limit": "1750", "x-ratelimit-remaining": "1700", "x-ratelimit-reset": str(int(time.time()) + 60),
            "x-ratelimit-resource": "audit_log", "x-github-request-id": "gh-1"}


def odata_pager(records: list[Any], page_size: int, script: Script, path: str, *, arm: bool = False
                ) -> Callable[[dict[str, Any]], Reply]:
    """Graph's ``@odata.nextLink`` (``$skiptoken``) and ARM's ``nextLink``: the whole next URL."""
    def handler(request: dict[str, Any]) -> Reply:
        failed = script.fail(request)
        if failed is not None:
            return failed
        url = urlsplit(request["path"])
        assert url.path == path, (url.path, path)
        query = parse_qs(url.query)
        assert "$filter" in query
        start = int(query.get("$skiptoken", ["0"])[0])
        chunk = records[start:start + page_size]
        page: dict[str, Any] = {} if arm else {"@odata.context": "https://graph.microsoft.com/beta/$metadata#auditLogs"}
        page["value"] = chunk
        if start + page_size < len(records):
            keep = "&".join(f"{k}={v[0]}" for k, v in query.items() if k != "$skiptoken")
            page["nextLink" if arm else "@odata.nextLink"] = (
                f"http://{request['headers']['Host']}{path}?{keep}&$skiptoken={start + page_size}")
        return script.ok(jbytes(page), {"Content-Type": "application/json", "request-id": "g-1"}, script.count)
    return handler


def logging_pager(records: list[Any], page_size: int, script: Script, empty_after: int | None = None
                  ) -> Callable[[dict[str, Any]], Reply]:
    """Cloud Logging ``entries:list``: the query in a POST body, ``nextPageToken`` in the page; a page may
    come back empty with a token (the search is still going)."""
    def handler(request: dict[str, Any]) -> Reply:
        failed = script.fail(request)
        if failed is not None:
            return failed
        assert request["method"] == "POST" and request["path"] == "/v2/entries:list"
        body = json.loads(request["body"])
        assert body["resourceNames"] and "cloudaudit.googleapis.com" in body["filter"]
        token = body.get("pageToken", "0")
        if token.startswith("empty-"):
            start, chunk = int(token[6:]), []
            page: dict[str, Any] = {"nextPageToken": str(start)}
        else:
            start = int(token)
            chunk = records[start:start + page_size]
            page = {"entries": chunk}
            nxt = start + page_size
            if nxt < len(records):
                page["nextPageToken"] = f"empty-{nxt}" if empty_after is not None and start == empty_after else str(nxt)
        return script.ok(jbytes(page), {"Content-Type": "application/json"}, script.count)
    return handler
