"""Okta System Log: ``GET {org}/api/v1/logs``, a bounded query (``since`` and ``until``), sorted
ascending, ``limit`` 1000, followed by its ``Link: rel="next"`` header until a page comes back empty or
without one. Each page is a bare JSON array of LogEvents (the okta loader's API shape).

Authorisation: an API token (``Authorization: SSWS``, env ``OKTA_API_TOKEN``); an OAuth 2.0 service app
(API Services app, ``private_key_jwt``: ``--client-id`` and ``--private-key`` PEM file), which gets
an access token with the ``okta.logs.read`` scope from ``{org}/oauth2/v1/token`` (client-credentials
grant, an RS256 client assertion signed with google-auth's signer) and a new one when it expires; or an
access token obtained elsewhere (``--token-env`` naming it, ``--bearer``). Rate limits:
``X-Rate-Limit-Remaining`` / ``X-Rate-Limit-Reset`` (epoch seconds) and 429.
"""

from __future__ import annotations

import argparse
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from irkit.collect.base import Progress, Request, Window, link_next, page_through, token_from_env
from irkit.collect.http import CollectError, Credential
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
    p.add_argument("--client-id", default=None, help="OAuth service app (private_key_jwt): its client id")
    p.add_argument("--private-key", default=None, help="the service app's private key, a PEM file")
    p.add_argument("--key-id", default=None, help="the key's kid, if the app holds several")
    p.add_argument("--limit", type=int, default=1000, help="events per page (at most 1000)")


def params(args: argparse.Namespace) -> dict[str, Any]:
    return {"org_url": args.org_url.rstrip("/"), "filter": args.filter, "limit": args.limit,
            "client_id": args.client_id}


def run(job: Job, args: argparse.Namespace, window: Window, progress: Progress) -> None:
    from irkit.collect.http import Http, StaticToken

    org = args.org_url.rstrip("/")
    credential: Credential
    if args.client_id:
        if not args.private_key:
            raise CollectError("--client-id goes with --private-key (the service app's PEM key file)")
        credential = ServiceApp(f"{org}/oauth2/v1/token", args.client_id, Path(args.private_key), args.key_id)
    else:
        credential = StaticToken("Bearer" if args.bearer else "SSWS", token_from_env(args.token_env, "Okta token"))
    query: dict[str, Any] = {"since": window.iso("since"), "until": window.iso("until"),
                             "sortOrder": "ASCENDING", "limit": min(max(args.limit, 1), 1000)}
    if args.filter:
        query["filter"] = args.filter
    first = Request(f"{org}/api/v1/logs", query)
    with Http(credential, user_agent=_agent()) as http:
        page_through(job, http, "logs", first, next_request=_next, when=lambda r: r.get("published"),
                     progress=progress)


@dataclass
class ServiceApp(Credential):
    """An Okta API Services app: client-credentials grant with a signed client assertion."""

    token_url: str
    client_id: str
    key_file: Path
    key_id: str | None = None
    _token: str = field(default="", repr=False)

    def headers(self) -> dict[str, str]:
        if not self._token:
            self.refresh()
        return {"Authorization": f"Bearer {self._token}"}

    def refresh(self) -> bool:
        import httpx
        from google.auth import crypt, jwt

        signer = crypt.RSASigner.from_string(self.key_file.read_text(), key_id=self.key_id)
        now = int(time.time())
        assertion = jwt.encode(signer, {"iss": self.client_id, "sub": self.client_id, "aud": self.token_url,
                                        "iat": now, "exp": now + 300, "jti": uuid.uuid4().hex}).decode()
        response = httpx.post(self.token_url, timeout=60, data={
            "grant_type": "client_credentials", "scope": "okta.logs.read",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion}, headers={"Accept": "application/json"})
        if response.status_code != 200:
            raise CollectError(f"{self.token_url}: no access token for the service app (HTTP {response.status_code})")
        self._token = response.json()["access_token"]
        return True


def _next(data: Any, request: Request, body: bytes, headers: dict[str, str]) -> Request | None:
    url = link_next(headers)
    if not data or not url:
        return None
    return Request(url)


def _agent() -> str:
    from irkit import __version__

    return f"irkit-collect/{__version__} ({NAME}/{VERSION})"
