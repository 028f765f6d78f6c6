"""GitHub organization or enterprise audit log: ``GET /orgs/{org}/audit-log`` or
``GET /enterprises/{enterprise}/audit-log`` with ``include=all`` (web and Git events), ``order=asc``,
``per_page=100`` and a ``created:`` phrase for the window, followed by its ``Link: rel="next"`` cursor
(``after=``) until none. Each page is a bare JSON array (the github_audit loader's API shape).

Authorisation: a token in env ``GITHUB_TOKEN`` (classic PAT with ``read:audit_log``; or a GitHub App /
fine-grained token with the organization's "Administration" / enterprise "Enterprise administration"
read permission). Rate limits: ``x-ratelimit-remaining`` / ``x-ratelimit-reset``, 403 or 429 with
``retry-after`` for the secondary limits (the enterprise endpoint allows 1,750 queries an hour).
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from irkit.collect.base import Progress, Request, Window, link_next, page_through, token_from_env
from irkit.collect.store import Job

NAME = "github"
VERSION = "1"
DESCRIPTION = "GitHub organization / enterprise audit log (REST)"
RETENTION_DAYS = 180


def add_arguments(p: argparse.ArgumentParser) -> None:
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--org", help="organization login")
    who.add_argument("--enterprise", help="enterprise slug")
    p.add_argument("--api-url", default="https://api.github.com", help="API root (GitHub Enterprise Server: https://HOST/api/v3)")
    p.add_argument("--include", choices=("all", "web", "git"), default="all", help="event types (default all)")
    p.add_argument("--phrase", default=None, help="an extra audit-log search phrase (e.g. actor:octocat)")
    p.add_argument("--token-env", default="GITHUB_TOKEN", help="environment variable holding the token")


def params(args: argparse.Namespace) -> dict[str, Any]:
    return {"org": args.org, "enterprise": args.enterprise, "api_url": args.api_url.rstrip("/"),
            "include": args.include, "phrase": args.phrase}


def run(job: Job, args: argparse.Namespace, window: Window, progress: Progress) -> None:
    from irkit.collect.http import Http, StaticToken

    token = token_from_env(args.token_env, "GitHub token")
    path = f"/orgs/{args.org}/audit-log" if args.org else f"/enterprises/{args.enterprise}/audit-log"
    phrase = f"created:{window.iso('since', 0)}..{window.iso('until', 0)}"
    if args.phrase:
        phrase = f"{args.phrase} {phrase}"
    first = Request(args.api_url.rstrip("/") + path,
                    {"include": args.include, "order": "asc", "per_page": 100, "phrase": phrase})
    headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
    with Http(StaticToken("Bearer", token), user_agent=_agent()) as http:
        page_through(job, http, "audit-log", first, next_request=_next, when=_when, progress=progress,
                     headers=headers)


def _next(data: Any, request: Request, body: bytes, headers: dict[str, str]) -> Request | None:
    url = link_next(headers)
    return Request(url) if data and url else None


def _when(record: dict[str, Any]) -> str | None:
    value = record.get("@timestamp", record.get("created_at"))
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.isdigit()):
        moment = datetime.fromtimestamp(float(value) / 1000, UTC)
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return value if isinstance(value, str) else None


def _agent() -> str:
    from irkit import __version__

    return f"irkit-collect/{__version__} ({NAME}/{VERSION})"
