"""GitHub organization audit log, as the REST API and audit-log streaming return it.

Keys are sorted (as GitHub emits them), ``@timestamp`` and ``created_at`` are epoch milliseconds,
``_document_id`` is a 22-character url-safe id, and an App acts as ``<slug>[bot]`` with
``programmatic_access_type: "GitHub App server-to-server token"``.
"""

from __future__ import annotations

import zlib
from typing import Any

from ._util import Ids, epoch_ms
from .cast import BUSINESS, BUSINESS_ID, ORG, ORG_ID, Agent, Human

JsonObj = dict[str, Any]

REPO_IDS = {
    "acme/payments-api": 734112001, "acme/web-frontend": 734112002, "acme/platform-infra": 734112003,
    "acme/invoice-templates": 734112004, "acme/invoice-agent": 734112005, "acme/support-bot": 734112006,
}
GIT_UA = "git/2.47.1"
GH_CLI_UA = "GitHub CLI 2.62.0"


def event(ids: Ids, ns: int, action: str, *, actor: str, actor_id: int, country: str = "US",
          ua: str | None = None, repo: str | None = None, bot: bool = False, **extra: Any) -> JsonObj:
    ms = epoch_ms(ns)
    r: JsonObj = {
        "@timestamp": ms, "_document_id": ids.b64(16, urlsafe=True, pad=False), "action": action,
        "actor": actor, "actor_id": actor_id, "actor_is_bot": bot, "actor_location": {"country_code": country},
        "business": BUSINESS, "business_id": BUSINESS_ID, "created_at": ms, "org": ORG, "org_id": ORG_ID,
        "operation_type": _operation(action),
    }
    if repo is not None:
        repo_id = REPO_IDS.get(repo) or 800_000_000 + zlib.crc32(repo.encode()) % 100_000_000
        r.update(repo=repo, repo_id=repo_id, repository=repo, repository_id=repo_id)
    if ua is not None:
        r["user_agent"] = ua
    r.update(extra)
    return dict(sorted(r.items()))


_OPERATIONS = {"create": "create", "clone": "access", "fetch": "access", "access": "access",
               "destroy": "remove", "delete": "remove", "remove_member": "remove"}


def _operation(action: str) -> str:
    return _OPERATIONS.get(action.rsplit(".", 1)[1], "modify")


def human_event(ids: Ids, ns: int, action: str, h: Human, **kw: Any) -> JsonObj:
    assert h.github
    return event(ids, ns, action, actor=h.github, actor_id=h.github_id, **kw)


def git_event(ids: Ids, ns: int, action: str, h: Human, repo: str) -> JsonObj:
    return human_event(ids, ns, action, h, repo=repo, ua=GIT_UA, repository_public=False,
                       transport_protocol=2, transport_protocol_name="ssh")


def app_event(ids: Ids, ns: int, action: str, a: Agent, token: tuple[str, int], **kw: Any) -> JsonObj:
    """An action taken with the App's installation (server-to-server) token."""
    return event(ids, ns, action, actor=a.bot, actor_id=a.github_bot_id, bot=True,
                 programmatic_access_type="GitHub App server-to-server token", hashed_token=token[0],
                 token_id=token[1], integration=a.github_app, oauth_application_id=a.github_app_id, **kw)
