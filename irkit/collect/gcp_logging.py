"""GCP Cloud Audit Logs through Cloud Logging ``entries.list`` (``POST /v2/entries:list``, a read: it
takes its query in the body), with ``resourceNames``, an audit-log filter on the window, ``orderBy
"timestamp asc"``, ``pageSize`` 1000, followed by ``nextPageToken`` until none (a page may come back
empty with a token while the search goes on). Each page is ``{"entries": [...], "nextPageToken": ...}``
(the gcp_audit loader reads the LogEntry objects).

Authorisation: ``google-auth`` application-default credentials (``gcloud auth application-default
login``, a service account, workload identity) with the ``logging.read`` scope, refreshed when a token
expires; or a token in ``--token-env``. Role ``roles/logging.viewer`` for Admin Activity, System Event
and Policy logs, ``roles/logging.privateLogViewer`` for Data Access logs. Quota: 429 / 503 retried.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from typing import Any

from irkit.collect.base import Progress, Request, Window, page_through
from irkit.collect.http import CollectError, Credential, StaticToken
from irkit.collect.store import Job

NAME = "gcp-logging"
VERSION = "1"
DESCRIPTION = "GCP Cloud Audit Logs (Cloud Logging entries.list)"
RETENTION_DAYS = 30
AUDIT_FILTER = 'logName:"cloudaudit.googleapis.com"'
SCOPE = "https://www.googleapis.com/auth/logging.read"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--resource", action="append", required=True,
                   help="projects/ID, folders/ID or organizations/ID (repeatable)")
    p.add_argument("--filter", default=AUDIT_FILTER, help=f"Logging query (default: {AUDIT_FILTER})")
    p.add_argument("--logging-url", default="https://logging.googleapis.com", help="API root")
    p.add_argument("--token-env", default=None, help="environment variable holding an access token "
                   "(default: google-auth application-default credentials)")


def params(args: argparse.Namespace) -> dict[str, Any]:
    return {"resources": sorted(args.resource), "filter": args.filter, "logging_url": args.logging_url.rstrip("/")}


@dataclass
class GoogleCredential(Credential):
    credentials: Any
    request: Any

    def headers(self) -> dict[str, str]:
        if not self.credentials.valid:
            self.credentials.refresh(self.request)
        return {"Authorization": f"Bearer {self.credentials.token}"}

    def refresh(self) -> bool:
        self.credentials.refresh(self.request)
        return True


def _credential(token_env: str | None) -> Credential:
    if token_env:
        token = os.environ.get(token_env, "").strip()
        if not token:
            raise CollectError(f"no token: the environment variable {token_env} is not set")
        return StaticToken("Bearer", token)
    try:
        import google.auth
        import google.auth.transport.requests
    except ImportError as exc:
        raise CollectError("google-auth is not installed: pip install 'irkit[collect]'") from exc
    try:
        credentials, _ = google.auth.default(scopes=[SCOPE])
    except google.auth.exceptions.DefaultCredentialsError as exc:
        raise CollectError(f"no Google credentials: {exc}") from exc
    return GoogleCredential(credentials, google.auth.transport.requests.Request())


def run(job: Job, args: argparse.Namespace, window: Window, progress: Progress) -> None:
    from irkit.collect.http import Http

    where = f'({args.filter}) AND timestamp>="{window.iso("since")}" AND timestamp<="{window.iso("until")}"'
    body = {"resourceNames": sorted(args.resource), "filter": where, "orderBy": "timestamp asc", "pageSize": 1000}
    first = Request(f"{args.logging_url.rstrip('/')}/v2/entries:list", None, body)
    with Http(_credential(args.token_env), user_agent=_agent()) as http:
        page_through(job, http, "entries", first, next_request=_next, when=lambda r: r.get("timestamp"),
                     progress=progress, read_post=True)


def _next(data: Any, request: Request, body: bytes, headers: dict[str, str]) -> Request | None:
    token = data.get("nextPageToken") if isinstance(data, dict) else None
    if not token:
        return None
    return Request(request.url, None, {**(request.body or {}), "pageToken": token})


def _agent() -> str:
    from irkit import __version__

    return f"irkit-collect/{__version__} ({NAME}/{VERSION})"
