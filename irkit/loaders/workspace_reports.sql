-- Google Workspace Reports API activities -> normalized events, one row per event of an activity.
-- Input: records(file_id, evidence_offset, evidence_path, raw). Binds nothing.
-- A page's items and each activity's events are unnested; each activity is parsed once.

CREATE OR REPLACE TEMP MACRO workspace_activity_type() AS '{
    "kind": "VARCHAR",
    "id": {"time": "VARCHAR", "uniqueQualifier": "VARCHAR", "applicationName": "VARCHAR", "customerId": "VARCHAR"},
    "actor": {"callerType": "VARCHAR", "email": "VARCHAR", "profileId": "VARCHAR", "key": "VARCHAR"},
    "ipAddress": "VARCHAR",
    "events": [{"type": "VARCHAR", "name": "VARCHAR",
        "parameters": [{"name": "VARCHAR", "value": "VARCHAR", "boolValue": "VARCHAR", "intValue": "VARCHAR",
                        "multiValue": ["VARCHAR"]}]}]
}';

-- The value of a named event parameter (its text, boolean or integer value; a multi-value: the first).
CREATE OR REPLACE TEMP MACRO workspace_param(ps, n) AS
    [coalesce(p.value, p.boolValue, p.intValue, p.multiValue[1]) FOR p IN coalesce(ps, []) IF p.name = n][1];

WITH pages AS (
    SELECT r.*, TRY(json_transform(r.raw, '{"kind": "VARCHAR", "items": "JSON[]"}')) AS page FROM records r
),
activities AS (
    -- a page: each of its items; a single activity: itself
    SELECT file_id, evidence_offset, evidence_path, raw, page,
        evidence_path || '.items[' || (i - 1) || ']' AS activity_path, CAST(item AS VARCHAR) AS item_raw,
        TRY(json_transform(CAST(item AS VARCHAR), workspace_activity_type())) AS a
    FROM (SELECT *, unnest(page.items) AS item, generate_subscripts(page.items, 1) AS i FROM pages
          WHERE page.kind = 'admin#reports#activities' AND len(page.items) > 0)
    UNION ALL
    SELECT file_id, evidence_offset, evidence_path, raw, page, evidence_path AS activity_path, CAST(NULL AS VARCHAR) AS item_raw,
        TRY(json_transform(raw, workspace_activity_type())) AS a
    FROM pages WHERE page IS NULL OR page.kind IS DISTINCT FROM 'admin#reports#activities' OR coalesce(len(page.items), 0) = 0
),
events AS (
    SELECT *, activity_path || '.events[' || (j - 1) || ']' AS row_path
    FROM (SELECT *, unnest(CASE WHEN len(a.events) > 0 THEN a.events ELSE [NULL] END) AS ev,
                 generate_subscripts(CASE WHEN len(a.events) > 0 THEN a.events ELSE [NULL] END, 1) AS j
          FROM activities)
),
fields AS (
    SELECT *,
        lower(a.id.applicationName) AS app,
        ev.name AS name,
        lower(ev.name) AS lname,
        coalesce(irkit_nz(a.actor.email), irkit_nz(a.actor.profileId), irkit_nz(a.actor.key)) AS actor,
        workspace_param(ev.parameters, 'client_id') AS client_id,
        workspace_param(ev.parameters, 'app_name') AS app_name,
        flatten([coalesce(p.multiValue, [p.value]) FOR p IN coalesce(ev.parameters, []) IF p.name = 'scope']) AS scopes,
        workspace_param(ev.parameters, 'USER_EMAIL') AS user_email,
        workspace_param(ev.parameters, 'GROUP_EMAIL') AS group_email,
        workspace_param(ev.parameters, 'DOMAIN_NAME') AS domain_name,
        workspace_param(ev.parameters, 'ROLE_NAME') AS role_name,
        workspace_param(ev.parameters, 'doc_id') AS doc_id,
        workspace_param(ev.parameters, 'doc_title') AS doc_title,
        workspace_param(ev.parameters, 'owner') AS doc_owner,
        workspace_param(ev.parameters, 'login_failure_type') AS failure_type,
        workspace_param(ev.parameters, 'login_challenge_status') AS challenge_status
    FROM events
),
targets AS (
    SELECT *,
        CASE
            WHEN app = 'token' AND client_id IS NOT NULL THEN struct_pack(uid := client_id, type := 'oauth_client', name := coalesce(app_name, client_id))
            WHEN app = 'admin' AND user_email IS NOT NULL THEN struct_pack(uid := user_email, type := 'user', name := user_email)
            WHEN app = 'admin' AND group_email IS NOT NULL THEN struct_pack(uid := group_email, type := 'group', name := group_email)
            WHEN app = 'admin' AND domain_name IS NOT NULL THEN struct_pack(uid := domain_name, type := 'domain', name := domain_name)
            WHEN doc_id IS NOT NULL THEN struct_pack(uid := doc_id, type := 'document', name := coalesce(doc_title, doc_id))
        END AS t,
        (lname = 'login_failure' OR (lname = 'login_challenge' AND challenge_status ILIKE '%failed%')) AS failed
    FROM fields
)
SELECT
    file_id, evidence_offset, row_path AS evidence_path,
    -- a page's row keeps its activity (as DuckDB re-serializes it), not the whole page; evidence_file,
    -- evidence_offset and evidence_path locate the original bytes
    coalesce(item_raw, raw) AS raw,
    'workspace_reports' AS source,
    coalesce(irkit_nz(a.id.uniqueQualifier) || ':' || a.id.time || ':' || (j - 1), sha256(coalesce(item_raw, raw) || row_path)) AS event_uid,
    irkit_ts(a.id.time) AS time,
    CASE WHEN app IN ('login', 'saml') THEN 'authentication' WHEN app = 'token' THEN 'authorization'
         WHEN app = 'admin' THEN 'account_change' ELSE 'api_activity' END AS class_name,
    name AS operation,
    CASE
        WHEN app IN ('login', 'saml') AND lname NOT IN ('logout') AND NOT regexp_matches(lname, '(edit|change|enroll|disable|password|recovery)') THEN 'authenticate'
        WHEN app = 'token' AND lname = 'authorize' THEN 'grant'
        WHEN app = 'token' AND lname IN ('revoke', 'deny') THEN 'ungrant'
        WHEN app = 'admin' AND regexp_matches(lname, '^(assign_role|grant_admin_privilege|add_group_member|add_privilege)') THEN 'grant'
        WHEN app = 'admin' AND regexp_matches(lname, '^(unassign_role|revoke_admin_privilege|remove_group_member|remove_privilege)') THEN 'ungrant'
        WHEN regexp_matches(lname, '^(view|download|access|preview|print|read|get)') THEN 'read'
        WHEN regexp_matches(lname, '^(list|search)') THEN 'list'
        WHEN regexp_matches(lname, '^(create|add|upload|copy|insert)') THEN 'create'
        WHEN regexp_matches(lname, '^(delete|remove|trash)') THEN 'delete'
        WHEN regexp_matches(lname, '^(change|edit|update|rename|move|enable|disable|suspend|unsuspend|reset|set|toggle)') THEN 'update'
        ELSE 'other'
    END AS activity,
    CASE WHEN failed THEN 'failure' ELSE 'success' END AS status,
    CASE WHEN failed THEN coalesce(failure_type, challenge_status, lname) END AS status_detail,
    actor AS actor_uid,
    CASE WHEN actor IS NULL THEN NULL
         WHEN a.actor.callerType IN ('KEY', 'APPLICATION') THEN 'service'
         WHEN a.actor.callerType = 'USER' OR actor LIKE '%@%' THEN 'human' ELSE 'unknown' END AS actor_type,
    irkit_nz(a.actor.email) AS actor_name,
    irkit_nz(a.id.customerId) AS account_uid,
    CASE WHEN app = 'token' AND lname = 'authorize' AND actor IS NOT NULL AND client_id IS NOT NULL
         THEN [irkit_hop('consent', actor, client_id, NULL, 'standing', NULL)] ELSE [] END AS delegations,
    t.uid AS target_uid,
    t.type AS target_type,
    t.name AS target_name,
    'google_workspace:' || coalesce(app, 'unknown') AS target_system,
    [x FOR x IN [
        struct_pack(uid := role_name, type := 'admin_role', system := 'google_workspace:admin'),
        struct_pack(uid := doc_owner, type := 'user', system := 'google_workspace'),
        struct_pack(uid := CASE WHEN t.type IS DISTINCT FROM 'group' THEN group_email END, type := 'group', system := 'google_workspace:admin')
    ] IF x.uid IS NOT NULL]
    || [struct_pack(uid := s, type := 'oauth_scope', system := 'google_workspace:token') FOR s IN coalesce(scopes, []) IF s IS NOT NULL] AS resources,
    irkit_ip(a.ipAddress) AS src_ip,
    CASE
        WHEN a IS NULL AND page IS NULL THEN 'not valid JSON'
        WHEN a.kind IS DISTINCT FROM 'admin#reports#activity' THEN 'not a Reports API activity (kind admin#reports#activity)'
        WHEN ev IS NULL THEN 'activity holds no events'
        WHEN irkit_ts(a.id.time) IS NULL THEN 'no readable id.time: ' || coalesce(a.id.time, 'absent')
    END AS quarantine_reason
FROM targets
