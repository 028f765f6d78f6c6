"""Microsoft Entra ID sign-ins and directory audits through Microsoft Graph.

Streams: ``signIns`` (``GET /beta/auditLogs/signIns``: the beta endpoint returns every sign-in event
type when asked by ``signInEventTypes`` — interactive and non-interactive users, service principals and
managed identities, which an agent's sign-ins are; v1.0 returns interactive ones only) and
``directoryAudits`` (``GET /v1.0/auditLogs/directoryAudits``), each filtered to the window on
``createdDateTime`` / ``activityDateTime`` and followed by ``@odata.nextLink`` until none. Each page is
Graph's ``{"@odata.context": ..., "value": [...]}`` (the entra loader's Graph shape). Throttling: 429
with ``Retry-After``.

Authorisation: application permission ``AuditLog.Read.All`` (sign-ins also need a Microsoft Entra ID
P1/P2 licence), a token in ``--token-env`` or ``DefaultAzureCredential``.
"""

from __future__ import annotations

import argparse
from typing import Any

from irkit.collect.base import Progress, Request, Window, page_through
from irkit.collect.store import Job

NAME = "entra"
VERSION = "1"
DESCRIPTION = "Microsoft Entra ID sign-ins and directory audits (Microsoft Graph)"
RETENTION_DAYS = 30
SIGNIN_TYPES = ("interactiveUser", "nonInteractiveUser", "servicePrincipal", "managedIdentity")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--graph-url", default="https://graph.microsoft.com", help="Graph root (national clouds differ)")
    p.add_argument("--logs", default="signIns,directoryAudits", help="which logs (default: signIns,directoryAudits)")
    p.add_argument("--interactive-only", action="store_true",
                   help="sign-ins from v1.0 (interactive users only) instead of every event type from beta")
    p.add_argument("--top", type=int, default=None,
                   help="page size ($top); default: the API's own page size, which every tenant accepts")
    p.add_argument("--token-env", default="AZURE_ACCESS_TOKEN",
                   help="environment variable holding a Graph token (default: DefaultAzureCredential when unset)")


def params(args: argparse.Namespace) -> dict[str, Any]:
    return {"graph_url": args.graph_url.rstrip("/"), "logs": args.logs, "interactive_only": args.interactive_only,
            "top": args.top}


def run(job: Job, args: argparse.Namespace, window: Window, progress: Progress) -> None:
    from irkit.collect.http import Http
    from irkit.collect.microsoft import credential, next_link

    root = args.graph_url.rstrip("/")
    since, until = window.iso("since", 0), window.iso("until", 0)
    wanted = [x.strip() for x in args.logs.split(",") if x.strip()]
    with Http(credential(args.token_env, f"{root}/.default"), user_agent=_agent()) as http:
        for log in wanted:
            if log == "signIns":
                version = "v1.0" if args.interactive_only else "beta"
                where = f"createdDateTime ge {since} and createdDateTime le {until}"
                if not args.interactive_only:
                    kinds = " or ".join(f"t eq '{k}'" for k in SIGNIN_TYPES)
                    where += f" and signInEventTypes/any(t: {kinds})"
                first = Request(f"{root}/{version}/auditLogs/signIns", _query(where, args.top))
                when = "createdDateTime"
            elif log == "directoryAudits":
                where = f"activityDateTime ge {since} and activityDateTime le {until}"
                first = Request(f"{root}/v1.0/auditLogs/directoryAudits", _query(where, args.top))
                when = "activityDateTime"
            else:
                from irkit.collect.http import CollectError

                raise CollectError(f"--logs: unknown log {log!r} (signIns, directoryAudits)")
            page_through(job, http, log, first, next_request=next_link,
                         when=lambda r, k=when: r.get(k), progress=progress)  # type: ignore[misc]


def _query(where: str, top: int | None) -> dict[str, Any]:
    return {"$filter": where, **({"$top": top} if top else {})}


def _agent() -> str:
    from irkit import __version__

    return f"irkit-collect/{__version__} ({NAME}/{VERSION})"
