"""Okta System Log: ``GET {org}/api/v1/logs``, a bounded query (``since`` and ``until``), sorted
ascending, ``limit`` 1000, followed by its ``Link: rel="next"`` header until a page comes back empty or
without one. Each page is a bare JSON array of LogEvents (the okta loader's API shape).

Authorisation: an API token (``Authorization: SSWS``, env ``OKTA_API_TOKEN``) or an OAuth 2.0 access
token of a service app with the ``okta.logs.read`` scope (``Bearer``, ``--token-env`` naming it,
``--bearer``). Rate limits: ``X-Rate-Limit-Remaining`` / ``X-Rate-Limit-Reset`` (epoch seconds) and 429.
"""

from __future__ import annotations

import argparse
from typing import Any

from irkit.collect.base import Progress, Request, Window, link_next, page_through, token_from_env
from irkit.collect.store import Job

NAME = "okta"
VERSION = "1"
DESCRIPTION = "Okta System Log (/api/v1/logs)"
RETENTION_DAYS = 90


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--org-url", required=True, help="the org's URL, e.g. https://acme.okta.com")
    p.add_argument("--filter", default=None, help="a System Log filter expression (default: every event)")
    p.add_argument("--token-env", default="OKTA_API_TOKEN", help="environment variable holding the token")
    p.add_argument("--bearer", action="store_true", help="the token is an OAuth access token (okta.logs.read)")
    p.add_argument("--limit", type=int, default=1000, help="events per page (at most 1000)")


def params(args: argparse.Namespace) -> dict[str, Any]:
    return {"org_url": args.org_url.rstrip("/"), "filter": args.filter, "limit": args.limit}


def run(job: Job, args: argparse.Namespace, window: Window, progress: Progress) -> None:
    from irkit.collect.http import Http, StaticToken

    token = token_from_env(args.token_env, "Okta token")
    query: dict[str, Any] = {"since": window.iso("since"), "until": window.iso("until"),
                             "sortOrder": "ASCENDING", "limit": min(max(args.limit, 1), 1000)}
    if args.filter:
        query["filter"] = args.filter
    first = Request(f"{args.org_url.rstrip('/')}/api/v1/logs", query)
    with Http(StaticToken("Bearer" if args.bearer else "SSWS", token), user_agent=_agent()) as http:
        page_through(job, http, "logs", first, next_request=_next, when=lambda r: r.get("published"),
                     progress=progress)


def _next(data: Any, request: Request, body: bytes, headers: dict[str, str]) -> Request | None:
    url = link_next(headers)
    if not data or not url:
        return None
    return Request(url)


def _agent() -> str:
    from irkit import __version__

    return f"irkit-collect/{__version__} ({NAME}/{VERSION})"
