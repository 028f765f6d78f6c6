"""GitHub organization and enterprise audit log, from the REST API, exports and streaming.

Shapes (all detected by content): the ``GET /orgs/{org}/audit-log`` and
``GET /enterprises/{enterprise}/audit-log`` JSON arrays, JSON/JSON-lines exports (including Git
events), and audit log streaming to S3 / Blob / Splunk (one event per line). Timestamps
(``@timestamp``, else ``created_at``) are epoch milliseconds as int, float or string, or ISO text.

Mapping (see docs/normalization.md):

=================  ==========================================================================
event_uid          ``_document_id``; else SHA-256 of the raw record
operation          ``action`` (``repo.create``, ``git.clone``, ``org.add_member``, ``api.request`` ...)
actor_uid          ``actor`` login (an App acts as ``<app-slug>[bot]``); else ``actor_id``
actor_type         ``actor_is_agent``: agent; ``<login>[bot]``, ``actor_is_bot``, a server-to-server
                   token: service; ``actor_is_bot: false`` or an ``integration*`` action (the App is
                   then the object, not the actor): human; another event naming an ``integration``
                   without a user-to-server/OAuth token: service; else human
credential_uid     ``hashed_token``, else ``token_id`` (0 means none); none on token lifecycle actions
                   (``personal_access_token.*``, ``oauth_access.*``, ``oauth_authorization.*``), where
                   those fields name the token acted on, not the caller's credential
delegator_uid      the App or OAuth app (``integration`` / ``oauth_application_name`` / ``_id``)
                   through which a user acted (user-to-server or OAuth token)
target             ``team.*``: the team (``<org>/<team>``); ``org.*``: the org; ``business.*``: the
                   enterprise; ``integration*``: the App; else the repository (``<org>/<repo>``: ``repo``, ``repository``, or the
                   ``/repos/<owner>/<repo>`` of an ``api.request`` ``url_path``), the team, the affected
                   ``user``, the org; system ``github``
resources          repository, team, affected user, org, enterprise, deploy/SSH key fingerprint and
                   the token of ``personal_access_token.*`` / ``oauth_*`` grants (type ``credential``),
                   the App (type ``app``)
status             ``api.request`` with ``status_code`` >= 400 and ``user.failed_login``: failure;
                   else success. status_detail: ``HTTP <status_code> <request_method> <route>``
account_uid        ``org`` (a string, the first element of a list, or ``login``/``name`` of an
                   object); else ``business``
src_ip, user_agent ``actor_ip``, ``user_agent``
class_name         authentication: ``oauth_access.*``, ``oauth_authorization.*``,
                   ``personal_access_token.*``, user login events; account_change: team, member,
                   collaborator, permission, admin, key, App installation and credential
                   authorization changes; api_activity otherwise
activity           membership, role, team repository, App installation, OAuth-app approval /
                   authorization, fine-grained PAT access and SSO credential authorization grants, and
                   protected-branch push / bypass allowances (``authorized_users_teams``,
                   ``branch_allowances``: the record sets the new list) → grant, their removals, suspensions and revocations → ungrant; user.login /
                   failed_login → authenticate; ``api.request`` by HTTP method; git.clone / fetch →
                   read, git.push → update; ``repo.access`` (a visibility change) → update; a
                   workflow run created / re-run → invoke; else the verb the action ends with
                   (create/add/submit/*created, destroy/delete/remove/revoke, update/merge/...); else
                   other
delegations        ``<slug>[bot]`` actor with the App named (``integration``…) → ``same_as`` standing
                   App → bot; a user acting through a user-to-server / OAuth token → ``on_behalf_of``
                   event user → App, credential = the token; ``integration_installation.create`` /
                   ``repositories_added`` / ``unsuspend`` and ``org.oauth_app_access_approved`` →
                   ``consent`` standing org → App; ``oauth_authorization.create`` → ``consent``
                   standing user → OAuth app; ``oauth_access.create`` / ``regenerate`` naming an app →
                   ``on_behalf_of`` grant user → app through the new token
credentials        ``used``: the credential_uid, kind from ``programmatic_access_type`` ("GitHub App
                   server-to-server token" → installation_token, user-to-server / OAuth →
                   oauth_token, personal access tokens → personal_access_token, "Public Key
                   (User/Deploy)" → ssh_key; absent → other), principal = the actor. Token lifecycle:
                   ``*.create`` / ``*regenerate*`` → created, ``*.destroy`` / ``*.delete`` → deleted,
                   ``*.revoke`` / ``access_revoked`` → revoked (personal_access_token or oauth_token,
                   uid = ``hashed_token`` else ``token_id``, principal = the ``user`` field else the
                   actor, name = ``user_programmatic_access_name``). ``public_key.create`` /
                   ``.delete`` (and ``*deploy_key*`` actions) → deploy_key (a repository named;
                   principal = ``<org>/<repo>``) or ssh_key (principal = the user) created / deleted,
                   uid = ``fingerprint`` / ``deploy_key_fingerprint`` exactly as GitHub writes it
                   (``SHA256:…``), name = ``title``. A Git event (``git.push`` / ``clone`` /
                   ``fetch``) naming ``deploy_key_fingerprint``: that key ``used`` (the
                   credential_uid, principal = the repository); GitHub names no actor then, and
                   neither does the row.
=================  ==========================================================================

GitHub names a token by ``hashed_token`` (base64 SHA-256) on most use events and by its numeric
``token_id`` on creation and access-grant events; a record with both is stated by ``hashed_token``. A PAT
created and then used through requests that carry ``hashed_token`` therefore appears under two uids;
nothing in one record ties them together.
"""

from __future__ import annotations

from collections.abc import Sequence

NAME = "github_audit"
VERSION = "1.3"
DESCRIPTION = "GitHub audit log: org/enterprise REST API pages, exports, streaming JSON lines"

_WHEN = ("@timestamp", "created_at")
_WHO = ("actor", "actor_id", "org", "business", "_document_id")


def sniff(records: Sequence[object]) -> bool:
    for record in records:
        if not isinstance(record, dict):
            continue
        action = record.get("action")
        if not isinstance(action, str) or "." not in action:
            continue
        if any(k in record for k in _WHEN) and any(k in record for k in _WHO):
            return True
    return False
