-- Microsoft Graph activity logs -> normalized events.
-- Input: records(file_id, evidence_offset, evidence_path, raw). Binds nothing.
-- Two shapes that cannot share one struct (DuckDB struct names are case-insensitive, JSON keys are not):
-- the diagnostic export (camelCase inside properties) and Log Analytics rows (PascalCase at the top).

CREATE OR REPLACE TEMP MACRO graph_parse_export(txt) AS TRY(json_transform(txt, '{
    "time": "VARCHAR", "category": "VARCHAR", "callerIpAddress": "VARCHAR", "tenantId": "VARCHAR",
    "properties": {"timeGenerated": "VARCHAR", "requestId": "VARCHAR", "requestMethod": "VARCHAR",
        "requestUri": "VARCHAR", "responseStatusCode": "VARCHAR", "appId": "VARCHAR", "userId": "VARCHAR",
        "servicePrincipalId": "VARCHAR", "signInActivityId": "VARCHAR", "tenantId": "VARCHAR",
        "ipAddress": "VARCHAR", "userAgent": "VARCHAR", "sessionId": "VARCHAR"}
}'));

CREATE OR REPLACE TEMP MACRO graph_parse_row(txt) AS TRY(json_transform(txt, '{
    "TimeGenerated": "VARCHAR", "RequestId": "VARCHAR", "RequestMethod": "VARCHAR", "RequestUri": "VARCHAR",
    "ResponseStatusCode": "VARCHAR", "AppId": "VARCHAR", "UserId": "VARCHAR", "ServicePrincipalId": "VARCHAR",
    "SignInActivityId": "VARCHAR", "TenantId": "VARCHAR", "AadTenantId": "VARCHAR", "IPAddress": "VARCHAR",
    "UserAgent": "VARCHAR", "SessionId": "VARCHAR"
}'));

WITH parsed AS (
    SELECT r.*, graph_parse_export(r.raw) AS x, graph_parse_row(r.raw) AS y FROM records r
),
fields AS (
    SELECT *,
        CASE WHEN x.properties IS NOT NULL THEN struct_pack(
                ts := coalesce(irkit_ts(x.properties.timeGenerated), irkit_ts(x.time)),
                request := irkit_nz(x.properties.requestId), method := upper(irkit_nz(x.properties.requestMethod)),
                uri := irkit_nz(x.properties.requestUri), code := TRY_CAST(x.properties.responseStatusCode AS INTEGER),
                app := irkit_nz(x.properties.appId), usr := irkit_nz(x.properties.userId),
                sp := irkit_nz(x.properties.servicePrincipalId), token := irkit_nz(x.properties.signInActivityId),
                tenant := coalesce(irkit_nz(x.properties.tenantId), irkit_nz(x.tenantId)),
                ip := coalesce(irkit_ip(x.properties.ipAddress), irkit_ip(x.callerIpAddress)),
                agent := irkit_nz(x.properties.userAgent))
             ELSE struct_pack(
                ts := irkit_ts(y.TimeGenerated), request := irkit_nz(y.RequestId), method := upper(irkit_nz(y.RequestMethod)),
                uri := irkit_nz(y.RequestUri), code := TRY_CAST(y.ResponseStatusCode AS INTEGER),
                app := irkit_nz(y.AppId), usr := irkit_nz(y.UserId), sp := irkit_nz(y.ServicePrincipalId),
                token := irkit_nz(y.SignInActivityId), tenant := coalesce(irkit_nz(y.AadTenantId), irkit_nz(y.TenantId)),
                ip := irkit_ip(y.IPAddress), agent := irkit_nz(y.UserAgent))
        END AS g
    FROM parsed
),
shaped AS (
    SELECT *,
        split_part(g.uri, '?', 1) AS resource_uri,
        regexp_replace(split_part(g.uri, '?', 1), '^https?://[^/]+', '') AS path
    FROM fields
)
SELECT
    file_id, evidence_offset, evidence_path, raw,
    'graph_activity' AS source,
    coalesce(g.request, sha256(raw)) AS event_uid,
    g.ts AS time,
    'api_activity' AS class_name,
    nullif(concat_ws(' ', g.method, nullif(path, '')), '') AS operation,
    CASE WHEN g.method IN ('GET', 'HEAD') THEN 'read' WHEN g.method = 'POST' THEN 'create'
         WHEN g.method IN ('PUT', 'PATCH') THEN 'update' WHEN g.method = 'DELETE' THEN 'delete' ELSE 'other' END AS activity,
    CASE WHEN g.code IS NULL THEN 'unknown' WHEN g.code < 400 THEN 'success' ELSE 'failure' END AS status,
    CASE WHEN g.code >= 400 THEN 'HTTP ' || g.code END AS status_detail,
    coalesce(g.usr, g.sp) AS actor_uid,
    CASE WHEN g.usr IS NOT NULL THEN 'human' WHEN g.sp IS NOT NULL THEN 'service' END AS actor_type,
    g.tenant AS account_uid,
    coalesce(g.token, g.app) AS credential_uid,
    CASE WHEN g.usr IS NOT NULL THEN g.app END AS delegator_uid,
    [h FOR h IN [
        CASE WHEN g.usr IS NOT NULL AND g.app IS NOT NULL THEN irkit_hop('on_behalf_of', g.usr, g.app, g.token, 'event', NULL) END,
        CASE WHEN g.usr IS NULL AND g.sp IS NOT NULL AND g.app IS NOT NULL AND g.app <> g.sp
             THEN irkit_hop('same_as', g.app, g.sp, NULL, 'standing', NULL) END
    ] IF h IS NOT NULL] AS delegations,
    [c FOR c IN [
        CASE WHEN g.token IS NOT NULL THEN irkit_cred(g.token, 'oauth_token', 'used', coalesce(g.usr, g.sp), NULL, NULL) END,
        CASE WHEN g.app IS NOT NULL THEN irkit_cred(g.app, 'oauth_client', 'used', g.app, NULL, NULL) END
    ] IF c IS NOT NULL] AS credentials,
    resource_uri AS target_uid,
    CASE WHEN resource_uri IS NOT NULL THEN 'graph_resource' END AS target_type,
    CASE WHEN resource_uri IS NOT NULL THEN nullif(split_part(path, '/', -1), '') END AS target_name,
    'msgraph' AS target_system,
    CASE WHEN g.app IS NOT NULL THEN [struct_pack(uid := g.app, type := 'application', system := 'entra')] ELSE [] END AS resources,
    g.ip AS src_ip,
    g.agent AS user_agent,
    CASE
        WHEN x IS NULL AND y IS NULL THEN 'not valid JSON'
        WHEN g.uri IS NULL AND g.method IS NULL THEN 'not a Microsoft Graph activity record (no requestUri / requestMethod)'
        WHEN g.ts IS NULL THEN 'no readable time (timeGenerated / TimeGenerated / time)'
    END AS quarantine_reason
FROM shaped
