"""Azure Activity log through Azure Resource Manager: ``GET /subscriptions/{id}/providers/
Microsoft.Insights/eventtypes/management/values`` (``api-version=2015-04-01``, ``$filter`` on
``eventTimestamp``, at most 90 days back), followed by ``nextLink`` until none. Each page is
``{"value": [...], "nextLink": ...}`` in the REST shape the entra loader reads as ``azure_activity``.
Throttling: 429 with ``Retry-After``; ``x-ms-ratelimit-remaining-subscription-reads`` is logged.

Authorisation: the ``Reader`` role (``Microsoft.Insights/eventtypes/values/read``) on each subscription,
a token in ``--token-env`` or ``DefaultAzureCredential``.
"""

from __future__ import annotations

import argparse
from typing import Any

from irkit.collect.base import Progress, Request, Window, page_through
from irkit.collect.store import Job

NAME = "azure-activity"
VERSION = "1"
DESCRIPTION = "Azure Activity log (Azure Resource Manager)"
RETENTION_DAYS = 90


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--subscription", action="append", required=True, help="subscription id (repeatable)")
    p.add_argument("--arm-url", default="https://management.azure.com", help="ARM root (national clouds differ)")
    p.add_argument("--token-env", default="AZURE_ACCESS_TOKEN",
                   help="environment variable holding an ARM token (default: DefaultAzureCredential when unset)")


def params(args: argparse.Namespace) -> dict[str, Any]:
    return {"subscriptions": sorted(args.subscription), "arm_url": args.arm_url.rstrip("/")}


def run(job: Job, args: argparse.Namespace, window: Window, progress: Progress) -> None:
    from irkit.collect.http import Http
    from irkit.collect.microsoft import credential, next_link

    root = args.arm_url.rstrip("/")
    where = f"eventTimestamp ge '{window.iso('since')}' and eventTimestamp le '{window.iso('until')}'"
    with Http(credential(args.token_env, f"{root}/.default"), user_agent=_agent()) as http:
        for subscription in sorted(args.subscription):
            first = Request(f"{root}/subscriptions/{subscription}/providers/Microsoft.Insights/eventtypes/"
                            "management/values", {"api-version": "2015-04-01", "$filter": where})
            page_through(job, http, subscription, first, next_request=next_link,
                         when=lambda r: r.get("eventTimestamp"), progress=progress)


def _agent() -> str:
    from irkit import __version__

    return f"irkit-collect/{__version__} ({NAME}/{VERSION})"
