"""Microsoft Graph activity logs: every request an app or user made to Microsoft Graph in the tenant.

Shapes (detected by content): the Azure Monitor diagnostic export (``category``
``MicrosoftGraphActivityLogs``, the request in ``properties`` with camelCase names: one record per line,
or a ``{"records": [...]}`` blob; an Event Hub / storage export mixing it with sign-ins is routed here
record by record by the entra loader), and rows of the Log Analytics table ``MicrosoftGraphActivityLogs``
exported as JSON (PascalCase columns: ``TimeGenerated``, ``RequestId``, ``AppId``, ...).

Mapping (see docs/normalization.md):

=================  ==========================================================================
event_uid          ``requestId``; else SHA-256 of raw
time               ``timeGenerated`` / ``TimeGenerated``, else the record's ``time``
operation          ``<requestMethod> <path of requestUri>`` (``GET /v1.0/users/{id}/messages``)
activity           GET/HEAD read, POST create, PUT/PATCH update, DELETE delete
status             ``responseStatusCode`` below 400 success, else failure (detail: the code)
actor              ``userId`` (a user acting through an app: type human), else ``servicePrincipalId``
                   (an app-only token: type service); account = ``tenantId``
credentials        the app (``appId``, oauth_client) and the sign-in's token (``signInActivityId``, the
                   Entra sign-in's ``uniqueTokenIdentifier``: oauth_token), both used
delegations        user through an app: ``on_behalf_of`` user → ``appId`` (event, the token); app-only:
                   ``same_as`` ``appId`` → ``servicePrincipalId`` (standing)
target             ``requestUri`` without its query (``graph_resource``, system ``msgraph``)
resources          the app (``application``, ``entra``)
src_ip/user_agent  ``ipAddress`` (else ``callerIpAddress``) / ``userAgent``
=================  ==========================================================================
"""

from __future__ import annotations

from collections.abc import Sequence

NAME = "graph_activity"
VERSION = "1.0"
DESCRIPTION = "Microsoft Graph activity logs (Azure Monitor export or Log Analytics MicrosoftGraphActivityLogs rows)"


def is_record(r: dict) -> bool:
    if str(r.get("category", "")).lower() == "microsoftgraphactivitylogs":
        return True
    return "RequestUri" in r and "SignInActivityId" in r and ("TimeGenerated" in r or "RequestId" in r)


def sniff(records: Sequence[object]) -> bool:
    return any(isinstance(r, dict) and is_record(r) for r in records)
