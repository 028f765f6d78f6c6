"""Okta System Log: LogEvent objects, as the API pages them and as event hooks deliver them.

Shapes (all detected by content): ``GET /api/v1/logs`` pages (a JSON array of LogEvents), one LogEvent
per line (log shippers), and event-hook deliveries ``{"eventType": "com.okta.event_hook", "source":
..., "data": {"events": [...]}}``, which yield one row per event with evidence path
``<record path>.data.events[i]`` (the whole delivery is kept as ``raw``).

Mapping (see docs/normalization.md):

=================  ==========================================================================
event_uid          ``uuid``
actor_uid          ``actor.id`` (``00u…`` users, ``0oa…`` OAuth client apps, ``spr…`` Okta itself)
actor_type         User: human; SystemPrincipal / PublicClientApp / other apps: service;
                   a type naming an agent: agent; other types: unknown
session_uid        ``authenticationContext.externalSessionId`` (not ``"unknown"``)
credential_uid     actor is an OAuth client app (token grants, client-credentials flow): the client id
                   (``debugData.clientId``, else ``actor.id``); otherwise the API token
                   (``transaction.detail.requestApiTokenId``), else the OAuth client (``client.id``)
delegator_uid      client app acting for a user: the ``User`` target (the OAuth end user);
                   otherwise ``debugData.originalPrincipal.id`` when it differs from the actor
target             ``target[0]`` (id, type, displayName), system ``okta``
resources          every ``target[]``; tokens (``access_token``/``refresh_token``/``id_token``, API ``Token``)
                   with type ``credential``
status             ``outcome.result``: SUCCESS/ALLOW success, FAILURE/DENY failure, else unknown;
                   status_detail: ``outcome.reason``, the OAuth grant type and scopes
src_ip, user_agent ``client.ipAddress`` (else ``request.ipChain[0].ip``), ``client.userAgent.rawUserAgent``
account_uid        the org's host from the event hook's ``source`` URL; LogEvents do not name their org
                   (``debugData.requestUri`` is a path), so NULL unless it is an absolute URL
class_name         authentication: user.session.start/end, user.authentication.*, app.oauth2.*token*;
                   account_change: user/application/group lifecycle, membership, privilege, MFA
                   factor, API token and OAuth client changes; api_activity otherwise
activity           privilege, group / app membership, app assignment, consent and impersonation
                   grants → grant, their removals and revocations → ungrant; user.session.start,
                   user.authentication.*, app.oauth2.*token.grant*, impersonation start →
                   authenticate; system.api_token.create → create; API / OAuth token revocation →
                   delete; else the verb the eventType ends with (create/add, delete/remove,
                   update/activate/deactivate/..., read, list); else other
delegations        a client app granted an access / refresh token for a ``User`` target →
                   ``on_behalf_of`` user → client, scope grant, credential = the token, expires =
                   its ``detailEntry.expires``; ``app.oauth2.*consent.grant*`` → ``consent`` standing
                   from the consenting user to the app (an app target, else ``debugData.clientId``,
                   else ``client.id``); ``user.session.impersonation.initiate`` → ``impersonate`` event
                   from the actor to the ``User`` target; any event whose
                   ``debugData.originalPrincipal`` differs from the actor → ``impersonate`` event
                   from it to the actor. Failed events state no hop.
credentials        ``used``: the credential_uid above (``api_token`` for ``requestApiTokenId``, else
                   ``oauth_client``), principal = the actor. Token grants → ``issued`` ``oauth_token``
                   for each ``access_token`` / ``refresh_token`` target (ID tokens are identity
                   assertions, not bearer credentials), uid = the target id (``AT.…``/``RT.…``),
                   principal = ``detailEntry.subject``, expires = ``detailEntry.expires``;
                   ``app.oauth2.*token.revoke*`` → ``revoked`` for the same ids;
                   ``system.api_token.create`` / ``.revoke`` → ``api_token`` created (principal = the
                   creating admin: Okta API tokens act with their creator's permissions) / revoked,
                   uid = the ``Token`` target id (``00T…``), name = its displayName;
                   ``user.mfa.factor.activate`` / ``suspend`` / ``deactivate`` → ``mfa_device``
                   created / revoked / deleted (deactivation unenrolls; an unsuspend hands nobody a
                   credential and states none), uid = the ``AuthenticatorEnrollment`` target id,
                   principal = the ``User`` target. Canonical
                   uids are Okta's ids as written (``00T…``, ``0oa…``, ``AT.…``, ``RT.…``, ``opf…``).
=================  ==========================================================================

Okta writes placeholders where a value is missing: ``null``, the string ``"null"``, ``"unknown"``,
``"None"``; all read as missing.
"""

from __future__ import annotations

from collections.abc import Sequence

NAME = "okta"
VERSION = "1.2"
DESCRIPTION = "Okta System Log: /api/v1/logs pages, LogEvent JSON lines, event-hook deliveries"

HOOK_EVENT_TYPE = "com.okta.event_hook"


def _is_log_event(record: dict) -> bool:
    return (
        isinstance(record.get("eventType"), str)
        and "published" in record
        and isinstance(record.get("actor"), dict)
        and ("uuid" in record or "legacyEventType" in record or "displayMessage" in record)
    )


def sniff(records: Sequence[object]) -> bool:
    for record in records:
        if not isinstance(record, dict):
            continue
        if record.get("eventType") == HOOK_EVENT_TYPE:
            data = record.get("data")
            if isinstance(data, dict) and isinstance(data.get("events"), list):
                return True
        if _is_log_event(record):
            return True
    return False
