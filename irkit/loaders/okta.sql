-- Okta System Log records -> normalized events.
-- Input: records(file_id, evidence_offset, evidence_path, raw). Binds nothing.
-- Each record is parsed once against a fixed struct that holds both a LogEvent and the event-hook
-- envelope ({"eventType": "com.okta.event_hook", "source": ..., "data": {"events": [...]}}). An
-- envelope yields one row per event (evidence_path '<record path>.data.events[i]'), each event being
-- parsed a second time against the same struct. debugData values are typed loosely: some are JSON
-- text, some Java-map text ('{level=LOW}'), some objects; only the few read here are named.

CREATE OR REPLACE TEMP MACRO okta_parse(txt) AS TRY(json_transform(txt, '{
    "uuid": "VARCHAR", "published": "VARCHAR", "eventType": "VARCHAR", "displayMessage": "VARCHAR",
    "legacyEventType": "VARCHAR",
    "actor": {"id": "VARCHAR", "type": "VARCHAR", "alternateId": "VARCHAR", "displayName": "VARCHAR"},
    "client": {"id": "VARCHAR", "ipAddress": "VARCHAR", "userAgent": {"rawUserAgent": "VARCHAR"}},
    "authenticationContext": {"externalSessionId": "VARCHAR"},
    "outcome": {"result": "VARCHAR", "reason": "VARCHAR"},
    "target": [{"id": "VARCHAR", "type": "VARCHAR", "alternateId": "VARCHAR", "displayName": "VARCHAR",
        "detailEntry": {"subject": "VARCHAR", "expires": "VARCHAR", "hash": "VARCHAR"}}],
    "debugContext": {"debugData": {"requestUri": "VARCHAR", "url": "VARCHAR", "grantType": "VARCHAR",
        "clientId": "VARCHAR", "grantedScopes": "VARCHAR", "requestedScopes": "VARCHAR",
        "originalPrincipal": "JSON"}},
    "transaction": {"detail": {"requestApiTokenId": "VARCHAR"}},
    "request": {"ipChain": [{"ip": "VARCHAR"}]},
    "source": "VARCHAR",
    "data": {"events": "JSON[]"}
}'));

-- The host of an absolute URL, else NULL (Okta paths such as '/api/v1/authn' name no org).
CREATE OR REPLACE TEMP MACRO okta_host(u) AS
    CASE WHEN u ILIKE 'http://%' OR u ILIKE 'https://%'
         THEN irkit_nz(split_part(split_part(split_part(u, '://', 2), '/', 1), ':', 1)) END;


-- The vendor-neutral kind of act (irkit.schema.ACTIVITIES) of an Okta eventType: privilege, group and app
-- membership and consent changes first, then sign-in, then the verb the event type ends with.
CREATE OR REPLACE TEMP MACRO okta_activity(et) AS CASE
    WHEN et IN ('user.account.privilege.grant', 'group.privilege.grant', 'group.user_membership.add',
                'application.user_membership.add', 'app.user_membership.add', 'group.application_assignment.add',
                'user.session.impersonation.grant', 'app.oauth2.client.privilege.grant')
         OR et LIKE 'app.oauth2.%consent.grant%' THEN 'grant'
    WHEN et IN ('user.account.privilege.revoke', 'group.privilege.revoke', 'group.user_membership.remove',
                'application.user_membership.remove', 'app.user_membership.remove', 'group.application_assignment.remove',
                'user.session.impersonation.revoke', 'app.oauth2.client.privilege.revoke')
         OR et LIKE 'app.oauth2.%consent.revoke%' THEN 'ungrant'
    WHEN et = 'user.session.start' OR et LIKE 'user.authentication.%' OR et LIKE 'app.oauth2.%token.grant%'
         OR et LIKE 'user.session.impersonation.initiate%' THEN 'authenticate'
    WHEN et = 'system.api_token.create' THEN 'create'
    WHEN et IN ('system.api_token.revoke', 'app.oauth2.as.token.revoke', 'app.oauth2.token.revoke') THEN 'delete'
    WHEN regexp_matches(et, '\.(create|add|enroll|issue)$') THEN 'create'
    WHEN regexp_matches(et, '\.(delete|remove|destroy|purge)$') THEN 'delete'
    WHEN regexp_matches(et, '\.(update|activate|deactivate|reactivate|suspend|unsuspend|lock|unlock|expire|reset|change)$')
         OR regexp_matches(et, '\.(update|reset|change)_[a-z_]+$') THEN 'update'
    WHEN regexp_matches(et, '\.(read|get|view|download|export)$') THEN 'read'
    WHEN regexp_matches(et, '\.(list|search)$') THEN 'list'
    ELSE 'other'
END;

WITH outer_parsed AS (
    SELECT r.*, okta_parse(r.raw) AS o FROM records r
),
hooks AS (
    SELECT *, coalesce(o.eventType = 'com.okta.event_hook'
                       OR (o.uuid IS NULL AND o.data.events IS NOT NULL), false) AS is_hook
    FROM outer_parsed
),
-- One row per LogEvent (i = 0) or per event of a hook delivery (i = 1..n; i = 0 when it holds none).
expanded AS (
    SELECT *,
        unnest(CASE WHEN is_hook AND len(o.data.events) > 0 THEN range(1, len(o.data.events) + 1) ELSE [0] END) AS i
    FROM hooks
),
parsed AS (
    SELECT file_id, evidence_offset, raw, o,
        CASE WHEN i = 0 THEN evidence_path ELSE evidence_path || '.data.events[' || (i - 1) || ']' END AS evidence_path,
        CASE WHEN NOT is_hook THEN o WHEN i > 0 THEN okta_parse(o.data.events[i]) END AS e,
        is_hook AND i = 0 AS empty_hook
    FROM expanded
),
fields AS (
    SELECT *,
        e.actor AS a,
        e.debugContext.debugData AS dbg,
        [t FOR t IN coalesce(e.target, []) IF t.id IS NOT NULL] AS targets,
        irkit_ts(e.published) AS ts,
        CASE
            WHEN e.actor.type = 'User' THEN 'human'
            WHEN e.actor.type ILIKE '%agent%' THEN 'agent'
            WHEN e.actor.type IN ('SystemPrincipal', 'PublicClientApp', 'Client', 'AppInstance')
                 OR e.actor.type ILIKE '%app%' OR e.actor.type ILIKE '%principal%' THEN 'service'
            WHEN e.actor IS NULL OR e.actor.type IS NULL THEN NULL
            ELSE 'unknown'
        END AS kind,
        e.actor.type IN ('PublicClientApp', 'Client', 'AppInstance') OR e.actor.id LIKE '0oa%' AS actor_is_client
    FROM parsed
),
model AS (
    SELECT *,
        coalesce(e.eventType, '') AS et,
        coalesce(e.outcome.result IN ('SUCCESS', 'ALLOW'), false) AS ok,
        -- the credential the request authenticated with: the client of a client app, else the API token
        -- (SSWS), else the OAuth client of the request
        CASE WHEN actor_is_client THEN coalesce(irkit_nz(dbg.clientId), irkit_nz(a.id))
             ELSE coalesce(irkit_nz(e.transaction.detail.requestApiTokenId), irkit_nz(e.client.id), irkit_nz(dbg.clientId))
        END AS used_uid,
        CASE WHEN NOT actor_is_client AND irkit_nz(e.transaction.detail.requestApiTokenId) IS NOT NULL
             THEN 'api_token' ELSE 'oauth_client' END AS used_kind,
        [t.id FOR t IN targets IF t.type = 'User'][1] AS target_user,
        -- the OAuth client an event is about: an app target, else the request's client
        coalesce([t.id FOR t IN targets IF t.type IN ('AppInstance', 'PublicClientApp', 'Client', 'ClientApp')][1],
                 irkit_nz(dbg.clientId), irkit_nz(e.client.id)) AS app_uid,
        [t FOR t IN targets IF t.type IN ('access_token', 'refresh_token')] AS tokens,
        irkit_nz(dbg.originalPrincipal ->> '$.id') AS original_principal
    FROM fields
),
modeled AS (
    SELECT *,
        [h FOR h IN list_concat(
            -- a client app granted a token for a user acts for that user through the token, until it expires
            CASE WHEN ok AND et LIKE 'app.oauth2.%token.grant%' AND actor_is_client AND target_user IS NOT NULL THEN
                [irkit_hop('on_behalf_of', target_user, a.id, x.id, 'grant', irkit_ts(x.detailEntry.expires)) FOR x IN tokens] END,
            -- a user (or admin) consented to an app's scopes: a lasting relationship
            CASE WHEN ok AND et LIKE 'app.oauth2.%consent.grant%' THEN
                [irkit_hop('consent', coalesce(CASE WHEN NOT actor_is_client THEN irkit_nz(a.id) END, target_user),
                          app_uid, NULL, 'standing', NULL)] END,
            -- Okta Support (or an admin) starting an impersonation session of a user
            CASE WHEN ok AND et LIKE 'user.session.impersonation.initiate%' THEN
                [irkit_hop('impersonate', a.id, target_user, NULL, 'event', NULL)] END,
            -- an event made during impersonation names the impersonator as debugData.originalPrincipal
            CASE WHEN original_principal IS NOT NULL THEN
                [irkit_hop('impersonate', original_principal, a.id, NULL, 'event', NULL)] END
        ) IF h.from_uid IS NOT NULL AND h.to_uid IS NOT NULL AND h.from_uid <> h.to_uid] AS hops,
        [c FOR c IN list_concat(
            CASE WHEN used_uid IS NOT NULL THEN [irkit_cred(used_uid, used_kind, 'used', a.id, NULL, NULL)] END,
            -- OAuth access and refresh tokens the authorization server issued (ID tokens are assertions, not bearer credentials)
            CASE WHEN ok AND et LIKE 'app.oauth2.%token.grant%' THEN
                [irkit_cred(x.id, 'oauth_token', 'issued',
                           coalesce(irkit_nz(x.detailEntry.subject), target_user, irkit_nz(a.id)),
                           NULL, irkit_ts(x.detailEntry.expires)) FOR x IN tokens] END,
            CASE WHEN ok AND et LIKE 'app.oauth2.%token.revoke%' THEN
                [irkit_cred(x.id, 'oauth_token', 'revoked', irkit_nz(x.detailEntry.subject), NULL,
                           irkit_ts(x.detailEntry.expires)) FOR x IN tokens] END,
            -- SSWS API tokens act with the permissions of the admin who created them
            CASE WHEN ok AND et IN ('system.api_token.create', 'system.api_token.revoke') THEN
                [irkit_cred(x.id, 'api_token', CASE WHEN et = 'system.api_token.create' THEN 'created' ELSE 'revoked' END,
                           CASE WHEN et = 'system.api_token.create' THEN irkit_nz(a.id) END,
                           coalesce(irkit_nz(x.displayName), irkit_nz(x.alternateId)), NULL)
                    FOR x IN targets IF x.type = 'Token' OR x.id LIKE '00T%'] END,
            -- MFA authenticators of a user (the AuthenticatorEnrollment target): activated (by the user
            -- holding it), suspended, or deactivated (unenrolled: gone). An unsuspend hands nobody a
            -- credential, so it states none.
            CASE WHEN ok AND et IN ('user.mfa.factor.activate', 'user.mfa.factor.suspend', 'user.mfa.factor.deactivate') THEN
                [irkit_cred(x.id, 'mfa_device', CASE et WHEN 'user.mfa.factor.suspend' THEN 'revoked'
                                                      WHEN 'user.mfa.factor.deactivate' THEN 'deleted' ELSE 'created' END,
                           coalesce(target_user, irkit_nz(a.id)), irkit_nz(x.displayName), NULL)
                    FOR x IN targets IF x.type = 'AuthenticatorEnrollment'] END
        ) IF c.uid IS NOT NULL] AS creds
    FROM model
)
SELECT
    file_id, evidence_offset, evidence_path, raw,
    'okta' AS source,
    coalesce(irkit_nz(e.uuid), sha256(raw)) AS event_uid,
    ts AS time,
    CASE
        WHEN e.eventType IN ('user.session.start', 'user.session.end')
             OR e.eventType LIKE 'user.authentication.%'
             OR e.eventType LIKE 'app.oauth2.%token%' THEN 'authentication'
        WHEN e.eventType LIKE 'user.lifecycle.%' OR e.eventType LIKE 'user.account.%'
             OR e.eventType LIKE 'user.mfa.factor.%' OR e.eventType LIKE 'user.credential.%'
             OR e.eventType LIKE 'application.lifecycle.%' OR e.eventType LIKE 'application.user_membership.%'
             OR e.eventType LIKE 'group.lifecycle.%' OR e.eventType LIKE 'group.user_membership.%'
             OR e.eventType LIKE 'group.application_assignment.%' OR e.eventType LIKE 'group.privilege.%'
             OR e.eventType LIKE 'system.api_token.%' OR e.eventType LIKE 'app.oauth2.client.%'
             OR e.eventType LIKE 'app.user_management%' THEN 'account_change'
        ELSE 'api_activity'
    END AS class_name,
    e.eventType AS operation,
    CASE WHEN e.outcome.result IN ('SUCCESS', 'ALLOW') THEN 'success'
         WHEN e.outcome.result IN ('FAILURE', 'DENY') THEN 'failure'
         ELSE 'unknown' END AS status,
    irkit_nz(concat_ws('; ',
        irkit_nz(e.outcome.reason),
        'grant ' || irkit_nz(dbg.grantType),
        'scopes ' || coalesce(irkit_nz(dbg.grantedScopes), irkit_nz(dbg.requestedScopes)))) AS status_detail,
    irkit_nz(a.id) AS actor_uid,
    kind AS actor_type,
    coalesce(irkit_nz(a.displayName), irkit_nz(a.alternateId)) AS actor_name,
    coalesce(okta_host(o.source), okta_host(dbg.requestUri), okta_host(dbg.url)) AS account_uid,
    irkit_nz(e.authenticationContext.externalSessionId) AS session_uid,
    used_uid AS credential_uid,
    CASE
        WHEN actor_is_client
            THEN [t.id FOR t IN targets IF t.type = 'User'][1]
        WHEN irkit_nz(dbg.originalPrincipal ->> '$.id') IS DISTINCT FROM irkit_nz(a.id)
            THEN irkit_nz(dbg.originalPrincipal ->> '$.id')
    END AS delegator_uid,
    targets[1].id AS target_uid,
    targets[1].type AS target_type,
    coalesce(irkit_nz(targets[1].displayName), irkit_nz(targets[1].alternateId)) AS target_name,
    'okta' AS target_system,
    [struct_pack(uid := t.id,
                 type := CASE WHEN t.type IN ('access_token', 'refresh_token', 'id_token', 'Token') THEN 'credential' ELSE t.type END,
                 system := 'okta')
        FOR t IN targets] AS resources,
    coalesce(irkit_ip(e.client.ipAddress), irkit_ip(e.request.ipChain[1].ip)) AS src_ip,
    irkit_nz(e.client.userAgent.rawUserAgent) AS user_agent,
    CAST(NULL AS VARCHAR) AS trace_uid,
    CAST(NULL AS VARCHAR) AS span_uid,
    CAST(NULL AS VARCHAR) AS parent_span_uid,
    CAST(NULL AS VARCHAR) AS tool_name,
    okta_activity(et) AS activity,
    coalesce(hops, []) AS delegations,
    coalesce(creds, []) AS credentials,
    CASE
        WHEN o IS NULL THEN 'not valid JSON'
        WHEN empty_hook THEN 'Okta event hook delivery holds no events'
        WHEN e IS NULL THEN 'event hook entry is not a JSON object'
        WHEN irkit_nz(e.eventType) IS NULL THEN 'no eventType: not an Okta LogEvent'
        WHEN ts IS NULL THEN 'no readable published timestamp: ' || coalesce(e.published, 'absent')
    END AS quarantine_reason
FROM modeled
