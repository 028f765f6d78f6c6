-- GitHub organization / enterprise audit log records -> normalized events.
-- Input: records(file_id, evidence_offset, evidence_path, raw). Binds nothing.
-- Each record is parsed once against a fixed struct. Numbers that arrive as int, float or string
-- (timestamps, ids, status codes) are typed VARCHAR, which keeps any of them as text; `org` is a
-- string, a list or an object depending on the exporter (see github_org).

CREATE OR REPLACE TEMP MACRO github_parse(txt) AS TRY(json_transform(txt, '{
    "_document_id": "VARCHAR", "@timestamp": "VARCHAR", "created_at": "VARCHAR", "action": "VARCHAR",
    "actor": "VARCHAR", "actor_id": "VARCHAR", "actor_is_bot": "VARCHAR", "actor_is_agent": "VARCHAR",
    "actor_ip": "VARCHAR", "user_agent": "VARCHAR",
    "programmatic_access_type": "VARCHAR", "hashed_token": "VARCHAR", "token_id": "VARCHAR",
    "token_scopes": "VARCHAR", "oauth_application_id": "VARCHAR", "oauth_application_name": "VARCHAR",
    "integration": "VARCHAR", "integration_id": "VARCHAR",
    "org": "VARCHAR", "business": "VARCHAR", "repo": "VARCHAR", "repository": "VARCHAR",
    "team": "VARCHAR", "user": "VARCHAR", "target_login": "VARCHAR",
    "deploy_key_fingerprint": "VARCHAR", "fingerprint": "VARCHAR",
    "request_method": "VARCHAR", "route": "VARCHAR", "url_path": "VARCHAR", "status_code": "VARCHAR"
}'));

-- The organization login, whether `org` is "acme", ["acme", ...] or {"login": "acme", ...} (typed
-- VARCHAR, a list or an object arrives as its JSON text; only those are parsed again).
CREATE OR REPLACE TEMP MACRO github_org(o) AS irkit_nz(CASE
    WHEN starts_with(o, '[') THEN TRY(o ->> '$[0]')
    WHEN starts_with(o, '{') THEN TRY(coalesce(o ->> '$.login', o ->> '$.name'))
    ELSE o
END);

WITH parsed AS (
    SELECT r.*, github_parse(r.raw) AS e FROM records r
),
fields AS (
    SELECT *,
        github_org(e.org) AS org,
        irkit_nz(e.business) AS business,
        irkit_nz(e.actor) AS actor,
        coalesce(irkit_nz(e.repo), irkit_nz(e.repository),
                 CASE WHEN e.url_path LIKE '/repos/%/%'
                      THEN irkit_nz(split_part(e.url_path, '/', 3)) || '/' || irkit_nz(split_part(e.url_path, '/', 4)) END
        ) AS repo_raw,
        irkit_nz(e.team) AS team,
        irkit_nz(coalesce(irkit_nz(e.user), irkit_nz(e.target_login))) AS affected_user,
        coalesce(irkit_ts(e."@timestamp"), irkit_ts(e.created_at)) AS ts,
        lower(replace(replace(coalesce(e.programmatic_access_type, ''), ' ', '_'), '-', '_')) AS access,
        coalesce(irkit_nz(e.integration), irkit_nz(e.oauth_application_name),
                 irkit_nz(e.integration_id), irkit_nz(CASE WHEN e.oauth_application_id <> '0' THEN e.oauth_application_id END)) AS app,
        TRY_CAST(e.status_code AS DOUBLE) AS http_status,
        irkit_nz(CASE WHEN e.token_id <> '0' THEN e.token_id END) AS token_id,
        irkit_nz(coalesce(irkit_nz(e.deploy_key_fingerprint), irkit_nz(e.fingerprint))) AS key_fingerprint
    FROM parsed
),
derived AS (
    SELECT *,
        CASE WHEN repo_raw IS NULL THEN NULL
             WHEN contains(repo_raw, '/') THEN repo_raw
             WHEN org IS NOT NULL THEN org || '/' || repo_raw
             ELSE repo_raw END AS repo,
        CASE WHEN team IS NULL THEN NULL
             WHEN contains(team, '/') OR org IS NULL THEN team
             ELSE org || '/' || team END AS team_uid,
        CASE
            WHEN lower(e.actor_is_agent) = 'true' THEN 'agent'
            WHEN actor LIKE '%[bot]' OR lower(e.actor_is_bot) = 'true' OR access LIKE '%server_to_server%' THEN 'service'
            WHEN actor IS NULL THEN 'unknown'
            WHEN lower(e.actor_is_bot) = 'false' OR starts_with(e.action, 'integration') THEN 'human'
            -- an App named without a user-to-server or OAuth token: the App itself acted
            WHEN (irkit_nz(e.integration) IS NOT NULL OR irkit_nz(e.integration_id) IS NOT NULL)
                 AND access NOT LIKE '%user_to_server%' AND access NOT LIKE 'oauth%' THEN 'service'
            ELSE 'human'
        END AS kind
    FROM fields
),
targets AS (
    SELECT *,
        CASE
            WHEN e.action LIKE 'team.%' AND team_uid IS NOT NULL
                THEN struct_pack(uid := team_uid, type := 'team', name := split_part(team, '/', -1))
            WHEN (starts_with(e.action, 'org.') OR starts_with(e.action, 'org_')) AND org IS NOT NULL
                THEN struct_pack(uid := org, type := 'organization', name := org)
            WHEN e.action LIKE 'business.%' AND business IS NOT NULL
                THEN struct_pack(uid := business, type := 'enterprise', name := business)
            WHEN starts_with(e.action, 'integration') AND app IS NOT NULL
                THEN struct_pack(uid := app, type := 'app', name := app)
            WHEN repo IS NOT NULL
                THEN struct_pack(uid := repo, type := 'repository', name := split_part(repo, '/', -1))
            WHEN team_uid IS NOT NULL
                THEN struct_pack(uid := team_uid, type := 'team', name := split_part(team, '/', -1))
            WHEN affected_user IS NOT NULL
                THEN struct_pack(uid := affected_user, type := 'user', name := affected_user)
            WHEN org IS NOT NULL
                THEN struct_pack(uid := org, type := 'organization', name := org)
            WHEN business IS NOT NULL
                THEN struct_pack(uid := business, type := 'enterprise', name := business)
        END AS t
    FROM derived
)
SELECT
    file_id, evidence_offset, evidence_path, raw,
    'github_audit' AS source,
    coalesce(irkit_nz(e._document_id), sha256(raw)) AS event_uid,
    ts AS time,
    CASE
        WHEN e.action LIKE 'oauth_access.%' OR e.action LIKE 'oauth_authorization.%'
             OR e.action LIKE 'personal_access_token.%'
             OR e.action IN ('user.login', 'user.logout', 'user.failed_login') THEN 'authentication'
        WHEN e.action LIKE 'team.%' OR e.action LIKE '%member%' OR e.action LIKE '%permission%'
             OR e.action LIKE '%collaborator%' OR e.action LIKE '%.add_admin' OR e.action LIKE '%.remove_admin'
             OR e.action LIKE 'public_key.%' OR e.action LIKE '%deploy_key%' OR e.action LIKE 'ssh_certificate%'
             OR e.action LIKE 'integration_installation.%' OR e.action LIKE 'org_credential_authorization.%'
             OR e.action LIKE '%block_user' OR e.action LIKE 'oauth_application.%'
             OR e.action LIKE 'two_factor_authentication.%' THEN 'account_change'
        ELSE 'api_activity'
    END AS class_name,
    e.action AS operation,
    CASE WHEN http_status >= 400 OR e.action = 'user.failed_login' THEN 'failure' ELSE 'success' END AS status,
    CASE WHEN http_status IS NOT NULL OR e.action = 'api.request'
         THEN irkit_nz(concat_ws(' ', 'HTTP ' || irkit_nz(e.status_code), irkit_nz(e.request_method),
                                 coalesce(irkit_nz(e.route), irkit_nz(e.url_path)))) END AS status_detail,
    coalesce(actor, irkit_nz(CASE WHEN e.actor_id <> '0' THEN e.actor_id END)) AS actor_uid,
    kind AS actor_type,
    actor AS actor_name,
    coalesce(org, business) AS account_uid,
    CAST(NULL AS VARCHAR) AS session_uid,
    coalesce(irkit_nz(e.hashed_token), token_id) AS credential_uid,
    CASE WHEN app IS NOT NULL AND actor IS NOT NULL AND actor NOT LIKE '%[bot]'
              AND (access LIKE '%user_to_server%' OR access LIKE 'oauth%' OR irkit_nz(e.oauth_application_id) IS NOT NULL)
         THEN app END AS delegator_uid,
    t.uid AS target_uid,
    t.type AS target_type,
    t.name AS target_name,
    'github' AS target_system,
    [struct_pack(uid := x.uid, type := x.type, system := 'github') FOR x IN [
        struct_pack(uid := repo, type := 'repository'),
        struct_pack(uid := team_uid, type := 'team'),
        struct_pack(uid := affected_user, type := 'user'),
        struct_pack(uid := org, type := 'organization'),
        struct_pack(uid := business, type := 'enterprise'),
        struct_pack(uid := key_fingerprint, type := 'credential'),
        struct_pack(uid := CASE WHEN e.action LIKE 'personal_access_token.%' OR e.action LIKE 'oauth_access.%'
                                     OR e.action LIKE 'oauth_authorization.%' THEN token_id END, type := 'credential'),
        struct_pack(uid := app, type := 'app')
    ] IF x.uid IS NOT NULL] AS resources,
    irkit_nz(e.actor_ip) AS src_ip,
    irkit_nz(e.user_agent) AS user_agent,
    CAST(NULL AS VARCHAR) AS trace_uid,
    CAST(NULL AS VARCHAR) AS span_uid,
    CAST(NULL AS VARCHAR) AS parent_span_uid,
    CAST(NULL AS VARCHAR) AS tool_name,
    CASE
        WHEN e IS NULL THEN 'not valid JSON'
        WHEN irkit_nz(e.action) IS NULL THEN 'no action: not a GitHub audit log event'
        WHEN ts IS NULL THEN 'no readable @timestamp or created_at: ' || coalesce(e."@timestamp", e.created_at, 'absent')
    END AS quarantine_reason
FROM targets
