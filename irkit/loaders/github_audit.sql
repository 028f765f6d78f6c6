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
    "deploy_key_fingerprint": "VARCHAR", "fingerprint": "VARCHAR", "title": "VARCHAR",
    "user_programmatic_access_name": "VARCHAR",
    "request_method": "VARCHAR", "route": "VARCHAR", "url_path": "VARCHAR", "status_code": "VARCHAR",
    "repositories_added_names": "JSON", "repositories_removed_names": "JSON"
}'));

-- The repositories an App installation gained or lost ("org/repo" names: a list, or one name as text).
CREATE OR REPLACE TEMP MACRO github_names(j) AS CASE json_type(j)
    WHEN 'ARRAY' THEN [x FOR x IN json_extract_string(j, '$[*]') IF irkit_nz(x) IS NOT NULL]
    WHEN 'VARCHAR' THEN [json_extract_string(j, '$')]
END;

-- The organization login, whether `org` is "acme", ["acme", ...] or {"login": "acme", ...} (typed
-- VARCHAR, a list or an object arrives as its JSON text; only those are parsed again).
CREATE OR REPLACE TEMP MACRO github_org(o) AS irkit_nz(CASE
    WHEN starts_with(o, '[') THEN TRY(o ->> '$[0]')
    WHEN starts_with(o, '{') THEN TRY(coalesce(o ->> '$.login', o ->> '$.name'))
    ELSE o
END);


-- The kind of credential a `programmatic_access_type` names (normalized: lower case, '_' for spaces and '-').
CREATE OR REPLACE TEMP MACRO github_token_kind(access) AS CASE
    WHEN access LIKE '%server_to_server%' THEN 'installation_token'
    WHEN access LIKE '%user_to_server%' OR access LIKE 'oauth%' THEN 'oauth_token'
    WHEN access LIKE '%personal_access_token%' THEN 'personal_access_token'
    WHEN access LIKE '%deploy_key%' THEN 'deploy_key'
    WHEN access LIKE '%public_key%' OR access LIKE '%ssh%' THEN 'ssh_key'
    ELSE 'other'
END;

-- The vendor-neutral kind of act (irkit.schema.ACTIVITIES) of an audit action: membership, role, App
-- installation and OAuth/token authorizations first; then API requests by HTTP method; then the verb.
CREATE OR REPLACE TEMP MACRO github_activity(action, method) AS CASE
    WHEN action IN ('org.add_member', 'org.update_member', 'org.add_billing_manager', 'team.add_member',
                    'team.add_repository', 'team.promote_maintainer', 'team.update_repository_permission',
                    'repo.add_member', 'repo.update_member', 'org.oauth_app_access_approved', 'oauth_authorization.create',
                    'integration_installation.create', 'integration_installation.repositories_added',
                    'integration_installation.unsuspend', 'personal_access_token.access_granted',
                    'org_credential_authorization.grant',
                    -- who may push to / bypass a protected branch was set (the record holds the new list)
                    'protected_branch.authorized_users_teams', 'protected_branch.branch_allowances')
         OR action LIKE '%.add_admin' THEN 'grant'
    WHEN action IN ('org.remove_member', 'org.remove_outside_collaborator', 'org.remove_billing_manager',
                    'team.remove_member', 'team.remove_repository', 'team.demote_maintainer', 'repo.remove_member',
                    'oauth_authorization.destroy', 'integration_installation.destroy', 'integration_installation.suspend',
                    'integration_installation.repositories_removed', 'personal_access_token.access_revoked',
                    'org_credential_authorization.revoke', 'org_credential_authorization.deauthorize')
         OR action LIKE '%.remove_admin' THEN 'ungrant'
    WHEN action IN ('user.login', 'user.failed_login') THEN 'authenticate'
    WHEN action = 'api.request' THEN CASE upper(method)
        WHEN 'GET' THEN 'read' WHEN 'HEAD' THEN 'read' WHEN 'POST' THEN 'create' WHEN 'PUT' THEN 'update'
        WHEN 'PATCH' THEN 'update' WHEN 'DELETE' THEN 'delete' ELSE 'other' END
    WHEN action IN ('git.clone', 'git.fetch') THEN 'read'
    WHEN action = 'git.push' THEN 'update'
    -- repo.access: the repository's visibility changed (not a read)
    WHEN action = 'repo.access' THEN 'update'
    -- a workflow run started (by a push, a schedule, a dispatch, ...) runs code
    WHEN action IN ('workflows.created_workflow_run', 'workflows.rerun_workflow_run', 'workflows.prepared_workflow_job') THEN 'invoke'
    WHEN regexp_matches(action, '\.(create|add|submit|[a-z_]*created|invite_member|regenerate|[a-z_]*regenerated)$') THEN 'create'
    WHEN regexp_matches(action, '\.(destroy|delete|remove|[a-z_]*deleted|revoke)$') THEN 'delete'
    WHEN regexp_matches(action, '\.(update|rename|edit|change|transfer|archived|unarchived|enable|disable|suspend|unsuspend|merge|close|reopen|[a-z_]*updated|update_[a-z_]+|change_[a-z_]+)$') THEN 'update'
    WHEN regexp_matches(action, '\.(download|view|clone|fetch)$') THEN 'read'
    WHEN regexp_matches(action, '\.list$') THEN 'list'
    ELSE 'other'
END;

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
        END AS kind,
        -- on token lifecycle actions the token fields name the token acted on, not the caller's credential
        coalesce(e.action LIKE 'personal_access_token.%' OR e.action LIKE 'oauth_access.%'
                 OR e.action LIKE 'oauth_authorization.%', false) AS token_subject,
        coalesce(irkit_nz(e.hashed_token), token_id) AS token
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
),
modeled AS (
    SELECT *,
        CASE WHEN NOT token_subject THEN token END AS used_token,
        coalesce(actor, irkit_nz(CASE WHEN e.actor_id <> '0' THEN e.actor_id END)) AS who,
        CASE WHEN app IS NOT NULL AND actor IS NOT NULL AND actor NOT LIKE '%[bot]'
                  AND (access LIKE '%user_to_server%' OR access LIKE 'oauth%' OR irkit_nz(e.oauth_application_id) IS NOT NULL)
             THEN app END AS through_app,
        -- the new, revoked or deleted token of a token lifecycle action
        CASE WHEN NOT token_subject OR token IS NULL THEN NULL
             WHEN regexp_matches(e.action, '\.(create|regenerate|credential_regenerated)$') THEN 'created'
             WHEN regexp_matches(e.action, '\.(destroy|delete)$') THEN 'deleted'
             WHEN regexp_matches(e.action, '\.(revoke|access_revoked)$') THEN 'revoked'
        END AS token_action,
        CASE WHEN key_fingerprint IS NULL THEN NULL
             WHEN regexp_matches(e.action, '\.(create|add_deploy_key|deploy_key_created)$') THEN 'created'
             WHEN regexp_matches(e.action, '\.(delete|destroy|remove_deploy_key|deploy_key_deleted)$') THEN 'deleted'
             -- a Git event (git.push, git.clone, git.fetch) made over SSH names the key it authenticated with
             WHEN e.action LIKE 'git.%' THEN 'used'
        END AS key_action
    FROM targets
),
stated AS (
    SELECT *,
        [h FOR h IN [
            -- an App acts as its bot account: both uids name one principal
            CASE WHEN actor LIKE '%[bot]' AND app IS NOT NULL THEN irkit_hop('same_as', app, actor, NULL, 'standing') END,
            -- a user-to-server or OAuth token: the App / OAuth app made this event for the user
            CASE WHEN through_app IS NOT NULL AND NOT token_subject
                 THEN irkit_hop('on_behalf_of', actor, through_app, used_token, 'event') END,
            -- installing an App (or adding repositories to it) or approving an OAuth app is the org's consent
            CASE WHEN e.action IN ('integration_installation.create', 'integration_installation.repositories_added',
                                   'integration_installation.unsuspend', 'org.oauth_app_access_approved')
                 THEN irkit_hop('consent', org, app, NULL, 'standing') END,
            -- a user authorizing an OAuth app is the user's consent
            CASE WHEN e.action = 'oauth_authorization.create' THEN irkit_hop('consent', who, app, NULL, 'standing') END,
            -- an OAuth access token generated for a user and an app: the app can act for the user with it
            CASE WHEN e.action LIKE 'oauth_access.%' AND token_action = 'created'
                 THEN irkit_hop('on_behalf_of', coalesce(affected_user, who), app, token, 'grant') END
        ] IF h IS NOT NULL AND h.from_uid IS NOT NULL AND h.to_uid IS NOT NULL AND h.from_uid <> h.to_uid] AS hops,
        [c FOR c IN [
            CASE WHEN used_token IS NOT NULL THEN irkit_cred(used_token, github_token_kind(access), 'used', who, NULL) END,
            CASE WHEN token_action IS NOT NULL THEN irkit_cred(
                token, CASE WHEN e.action LIKE 'personal_access_token.%' THEN 'personal_access_token' ELSE 'oauth_token' END,
                token_action, coalesce(affected_user, who), irkit_nz(e.user_programmatic_access_name)) END,
            -- deploy keys belong to a repository; other public keys to a user
            CASE WHEN key_action IS NOT NULL THEN irkit_cred(
                key_fingerprint, CASE WHEN repo IS NOT NULL OR e.action LIKE '%deploy_key%' THEN 'deploy_key' ELSE 'ssh_key' END,
                key_action, coalesce(repo, affected_user, who), irkit_nz(e.title)) END
        ] IF c IS NOT NULL AND c.uid IS NOT NULL] AS creds
    FROM modeled
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
    coalesce(used_token, CASE WHEN key_action = 'used' THEN key_fingerprint END) AS credential_uid,
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
    ] IF x.uid IS NOT NULL]
    -- integration_installation.repositories_added / _removed: the repositories granted to (taken from) the App
    || [struct_pack(uid := n, type := 'repository', system := 'github')
        FOR n IN coalesce(github_names(e.repositories_added_names), []) || coalesce(github_names(e.repositories_removed_names), [])
        IF n IS DISTINCT FROM repo] AS resources,
    irkit_ip(e.actor_ip) AS src_ip,
    irkit_nz(e.user_agent) AS user_agent,
    CAST(NULL AS VARCHAR) AS trace_uid,
    CAST(NULL AS VARCHAR) AS span_uid,
    CAST(NULL AS VARCHAR) AS parent_span_uid,
    CAST(NULL AS VARCHAR) AS tool_name,
    github_activity(coalesce(e.action, ''), e.request_method) AS activity,
    coalesce(hops, []) AS delegations,
    coalesce(creds, []) AS credentials,
    CASE
        WHEN e IS NULL THEN 'not valid JSON'
        WHEN irkit_nz(e.action) IS NULL THEN 'no action: not a GitHub audit log event'
        WHEN ts IS NULL THEN 'no readable @timestamp or created_at: ' || coalesce(e."@timestamp", e.created_at, 'absent')
    END AS quarantine_reason
FROM stated
