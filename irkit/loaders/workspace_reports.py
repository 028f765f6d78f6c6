"""Google Workspace audit activity as the Admin SDK Reports API returns it (``activities.list``).

Shapes (detected by content): a response page ``{"kind": "admin#reports#activities", "items": [...],
"nextPageToken": ...}`` (what ``irkit collect`` and most scripts save), or one activity per line
(``{"kind": "admin#reports#activity", "id": {...}, "actor": {...}, "events": [...]}``). An activity
holds one or more events: **one row per event**, ``evidence_path`` = ``<record path>.items[i].events[j]``
(a single activity: ``<record path>.events[j]``). Any application: ``login``, ``admin``, ``token`` (OAuth
grants), ``drive``, ``saml``, ...

Mapping (see docs/normalization.md):

=================  ==========================================================================
event_uid          ``id.uniqueQualifier`` : ``id.time`` : the event's index in the activity
time               ``id.time``
class_name         login / saml → authentication; token → authorization; admin → account_change;
                   else api_activity
operation          the event ``name`` (``login_failure``, ``authorize``, ``ASSIGN_ROLE``, ``download``)
status             ``login_failure``, ``login_challenge`` with ``login_challenge_status`` Challenge Failed,
                   ``saml`` ``login_failure`` → failure; else success; detail = ``login_failure_type``
actor              ``actor.email``, else ``actor.profileId``, else ``actor.key``; type: callerType
                   USER (or an e-mail) human, KEY / APPLICATION service; account = ``id.customerId``
activity           login → authenticate; token authorize → grant, revoke → ungrant; admin role and
                   privilege grants → grant, their removal → ungrant; then the verb of the name
delegations        token ``authorize``: ``consent`` user → OAuth ``client_id`` (standing): the user
                   granted the app the listed ``scope``s
target             token: the OAuth client (``oauth_client``); admin: ``USER_EMAIL`` (``user``), else
                   ``GROUP_EMAIL`` (``group``), else ``DOMAIN_NAME``; drive: ``doc_id`` (``document``);
                   login / saml: none (the actor signed in)
resources          the admin role (``ROLE_NAME``, ``admin_role``), the OAuth app name, granted scopes
                   (``oauth_scope``), the document's owner
src_ip             ``ipAddress``
=================  ==========================================================================
"""

from __future__ import annotations

from collections.abc import Sequence

NAME = "workspace_reports"
VERSION = "1.0"
DESCRIPTION = "Google Workspace audit activity (Admin SDK Reports API activities.list pages or items)"


def sniff(records: Sequence[object]) -> bool:
    return any(isinstance(r, dict) and r.get("kind") in ("admin#reports#activities", "admin#reports#activity")
               for r in records)
