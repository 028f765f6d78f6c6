-- Microsoft Entra ID sign-ins and directory audits, and the Azure Activity log -> normalized events.
-- Input: records(file_id, evidence_offset, evidence_path, raw). Binds nothing.
-- One parse per record against one fixed struct: the Microsoft Graph fields (a Graph object at the top
-- level, or the `properties` of an Azure Monitor diagnostic record), the Azure Monitor envelope, and
-- the Activity log's REST/CLI (camelCase) and SDK (snake_case) keys. Values that are a string in one
-- shape and a {value, localizedValue} object in another are read as text and unwrapped.

-- The Microsoft Graph signIn / directoryAudit fields (and the Activity log's `properties`), shared by
-- the top level and by `properties`.
CREATE OR REPLACE TEMP MACRO entra_graph_type() AS '{
    "id": "VARCHAR", "createdDateTime": "VARCHAR", "correlationId": "VARCHAR", "tenantId": "VARCHAR",
    "userId": "VARCHAR", "userPrincipalName": "VARCHAR", "userDisplayName": "VARCHAR",
    "appId": "VARCHAR", "appDisplayName": "VARCHAR", "ipAddress": "VARCHAR", "clientAppUsed": "VARCHAR",
    "userAgent": "VARCHAR",
    "status": {"errorCode": "VARCHAR", "failureReason": "VARCHAR", "value": "VARCHAR"},
    "servicePrincipalId": "VARCHAR", "servicePrincipalName": "VARCHAR",
    "servicePrincipalCredentialKeyId": "VARCHAR", "servicePrincipalCredentialThumbprint": "VARCHAR",
    "federatedCredentialId": "VARCHAR",
    "managedServiceIdentity": {"msiType": "VARCHAR", "associatedResourceId": "VARCHAR"},
    "signInEventTypes": ["VARCHAR"],
    "resourceId": "VARCHAR", "resourceDisplayName": "VARCHAR", "resourceServicePrincipalId": "VARCHAR",
    "resourceTenantId": "VARCHAR", "homeTenantId": "VARCHAR", "azureResourceId": "VARCHAR",
    "activityDisplayName": "VARCHAR", "activityDateTime": "VARCHAR", "category": "VARCHAR",
    "result": "VARCHAR", "resultReason": "VARCHAR", "operationType": "VARCHAR",
    "initiatedBy": {
        "user": {"id": "VARCHAR", "userPrincipalName": "VARCHAR", "displayName": "VARCHAR", "ipAddress": "VARCHAR"},
        "app": {"appId": "VARCHAR", "displayName": "VARCHAR", "servicePrincipalId": "VARCHAR", "servicePrincipalName": "VARCHAR"}},
    "targetResources": [{"id": "VARCHAR", "displayName": "VARCHAR", "type": "VARCHAR", "userPrincipalName": "VARCHAR",
        "modifiedProperties": [{"displayName": "VARCHAR", "oldValue": "VARCHAR", "newValue": "VARCHAR"}]}],
    "additionalDetails": [{"key": "VARCHAR", "value": "VARCHAR"}],
    "entity": "VARCHAR", "statusCode": "VARCHAR"
}';

-- The access-token claims of an Activity log record (top-level `claims`, or `identity.claims`).
CREATE OR REPLACE TEMP MACRO entra_claims_type() AS '{
    "http://schemas.microsoft.com/identity/claims/objectidentifier": "VARCHAR", "oid": "VARCHAR",
    "http://schemas.microsoft.com/identity/claims/tenantid": "VARCHAR", "tid": "VARCHAR",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn": "VARCHAR", "upn": "VARCHAR",
    "unique_name": "VARCHAR", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name": "VARCHAR",
    "http://schemas.microsoft.com/identity/claims/scope": "VARCHAR", "scp": "VARCHAR",
    "appid": "VARCHAR", "azp": "VARCHAR", "idtyp": "VARCHAR", "puid": "VARCHAR", "ipaddr": "VARCHAR",
    "xms_mirid": "VARCHAR"
}';

CREATE OR REPLACE TEMP MACRO entra_parse(txt) AS TRY(json_transform(txt,
    rtrim(rtrim(entra_graph_type()), '}') || ',
    "time": "VARCHAR", "operationName": "VARCHAR", "resultType": "VARCHAR", "resultSignature": "VARCHAR",
    "resultDescription": "VARCHAR", "callerIpAddress": "VARCHAR",
    "identity": {"authorization": {"scope": "VARCHAR",
        "evidence": {"principalId": "VARCHAR", "principalType": "VARCHAR"}}, "claims": ' || entra_claims_type() || '},
    "properties": ' || entra_graph_type() || ',
    "eventDataId": "VARCHAR", "eventTimestamp": "VARCHAR", "caller": "VARCHAR",
    "subStatus": {"value": "VARCHAR"}, "resourceType": {"value": "VARCHAR"},
    "subscriptionId": "VARCHAR", "authorization": {"scope": "VARCHAR"},
    "httpRequest": {"clientIpAddress": "VARCHAR"}, "claims": ' || entra_claims_type() || ',
    "event_data_id": "VARCHAR", "event_timestamp": "VARCHAR", "operation_name": {"value": "VARCHAR"},
    "sub_status": {"value": "VARCHAR"}, "resource_id": "VARCHAR", "resource_type": {"value": "VARCHAR"},
    "correlation_id": "VARCHAR", "tenant_id": "VARCHAR", "subscription_id": "VARCHAR",
    "http_request": {"client_ip_address": "VARCHAR"}
}'));

-- A value that is text in one shape and {"value": ..., "localizedValue": ...} in another.
CREATE OR REPLACE TEMP MACRO entra_unwrap(s) AS (
    CASE WHEN starts_with(s, '{') THEN json_extract_string(s, '$.value') ELSE s END
);

-- The part of an Azure resource id after its last '/providers/' ('Microsoft.Compute/disks/d1'), or NULL.
CREATE OR REPLACE TEMP MACRO entra_provider_path(rid) AS (
    CASE WHEN strpos(lower(rid), '/providers/') > 0
        THEN substr(rid, length(rid) - strpos(reverse(lower(rid)), '/sredivorp/') + 2) END
);

-- The resource type of an Azure resource id, lower-cased (the diagnostic export upper-cases resource
-- ids, the REST API does not): 'microsoft.compute/virtualmachines',
-- 'microsoft.eventhub/namespaces/authorizationrules', 'microsoft.resources/resourcegroups'.
CREATE OR REPLACE TEMP MACRO entra_resource_type(rid) AS lower(
    CASE
        WHEN rid IS NULL THEN NULL
        WHEN entra_provider_path(rid) IS NOT NULL THEN
            split_part(entra_provider_path(rid), '/', 1)
            || coalesce('/' || nullif(array_to_string(list_slice(string_split(entra_provider_path(rid), '/'), 2, -1, 2), '/'), ''), '')
        WHEN lower(rid) LIKE '/subscriptions/%/resourcegroups/%' THEN 'Microsoft.Resources/resourceGroups'
        WHEN lower(rid) LIKE '/subscriptions/%' THEN 'Microsoft.Resources/subscriptions'
    END
);

-- The downstream system of an Azure resource id: 'azure:microsoft.compute'.
CREATE OR REPLACE TEMP MACRO entra_resource_system(rid) AS (
    CASE WHEN rid IS NULL THEN NULL
         ELSE 'azure:' || lower(coalesce(split_part(entra_provider_path(rid), '/', 1), 'Microsoft.Resources')) END
);

CREATE OR REPLACE TEMP MACRO entra_resource(rid) AS struct_pack(
    uid := irkit_nz(rid), type := entra_resource_type(irkit_nz(rid)), system := entra_resource_system(irkit_nz(rid))
);

WITH parsed AS (
    SELECT r.*, entra_parse(r.raw) AS o FROM records r
),
shaped AS (
    SELECT *,
        entra_unwrap(o.category) AS category,
        o.time IS NOT NULL AND o.operationName IS NOT NULL
            AND coalesce(o.eventDataId, o.event_data_id) IS NULL AS exported
    FROM parsed
),
sourced AS (
    SELECT *,
        CASE
            WHEN o IS NULL THEN NULL
            WHEN coalesce(o.eventDataId, o.event_data_id, o.eventTimestamp, o.event_timestamp) IS NOT NULL THEN 'azure_activity'
            WHEN exported AND category ILIKE '%SignInLogs' THEN 'entra_signin'
            WHEN exported AND category = 'AuditLogs' THEN 'entra_audit'
            WHEN exported AND category ILIKE 'kube-%' THEN NULL
            WHEN exported AND lower(coalesce(o.resourceId, '')) LIKE '/subscriptions/%' THEN 'azure_activity'
            WHEN exported AND category IN ('Administrative', 'Security', 'ServiceHealth', 'Alert', 'Recommendation',
                                           'Policy', 'Autoscale', 'ResourceHealth') THEN 'azure_activity'
            WHEN exported THEN NULL
            WHEN o.activityDisplayName IS NOT NULL THEN 'entra_audit'
            WHEN o.createdDateTime IS NOT NULL THEN 'entra_signin'
        END AS src,
        -- The Graph object: `properties` of a diagnostic record, else the record itself.
        CASE WHEN exported THEN o.properties.resourceId ELSE o.resourceId END AS g_resource_id,
        CASE WHEN exported THEN o.properties.category ELSE o.category END AS g_category,
        coalesce(o.properties.id, o.id) AS g_id,
        coalesce(o.properties.userId, o.userId) AS g_user_id,
        coalesce(o.properties.userPrincipalName, o.userPrincipalName) AS g_upn,
        coalesce(o.properties.appId, o.appId) AS g_app_id,
        coalesce(o.properties.appDisplayName, o.appDisplayName) AS g_app_name,
        coalesce(o.properties.servicePrincipalId, o.servicePrincipalId) AS g_sp_id,
        coalesce(o.properties.servicePrincipalName, o.servicePrincipalName) AS g_sp_name,
        coalesce(o.properties.status, o.status) AS g_status,
        coalesce(o.properties.signInEventTypes, o.signInEventTypes, []) AS g_event_types,
        coalesce(o.properties.managedServiceIdentity, o.managedServiceIdentity) AS g_msi,
        coalesce(o.properties.initiatedBy, o.initiatedBy) AS g_initiated_by,
        coalesce(o.properties.targetResources, o.targetResources, []) AS g_targets,
        coalesce(o.properties.additionalDetails, o.additionalDetails, []) AS g_details,
        coalesce(o.claims, o.identity.claims) AS claims
    FROM shaped
),
signin AS (
    SELECT *,
        CASE
            WHEN src <> 'entra_signin' THEN NULL
            WHEN category = 'ManagedIdentitySignInLogs' OR list_contains(g_event_types, 'managedIdentity')
                 OR lower(coalesce(irkit_nz(g_msi.msiType), 'none')) <> 'none' THEN 'managed_identity'
            WHEN category = 'ServicePrincipalSignInLogs' OR list_contains(g_event_types, 'servicePrincipal')
                 OR (irkit_nz(g_user_id) IS NULL AND irkit_nz(g_upn) IS NULL AND irkit_nz(g_sp_id) IS NOT NULL)
                THEN 'service_principal'
            ELSE 'user'
        END AS signin_kind,
        coalesce(irkit_nz(claims."http://schemas.microsoft.com/identity/claims/objectidentifier"),
                 irkit_nz(claims.oid), irkit_nz(o.identity.authorization.evidence.principalId)) AS claim_oid,
        coalesce(irkit_nz(claims."http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"), irkit_nz(claims.upn),
                 irkit_nz(claims.unique_name), irkit_nz(claims."http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name"))
            AS claim_user,
        coalesce(irkit_nz(claims."http://schemas.microsoft.com/identity/claims/scope"), irkit_nz(claims.scp)) AS claim_scope,
        coalesce(irkit_nz(o.resourceId), irkit_nz(o.resource_id)) AS act_resource_id,
        coalesce(entra_unwrap(o.operationName), o.operation_name.value) AS act_operation,
        coalesce(o.status.value, o.resultType) AS act_status,
        coalesce(irkit_nz(o.subStatus.value), irkit_nz(o.sub_status.value), irkit_nz(o.properties.statusCode)) AS act_sub_status
    FROM sourced
),
normalized AS (
    SELECT *,
        CASE src
            WHEN 'entra_signin' THEN coalesce(irkit_ts(coalesce(o.properties.createdDateTime, o.createdDateTime)), irkit_ts(o.time))
            WHEN 'entra_audit' THEN coalesce(irkit_ts(coalesce(o.properties.activityDateTime, o.activityDateTime)), irkit_ts(o.time))
            WHEN 'azure_activity' THEN coalesce(irkit_ts(o.eventTimestamp), irkit_ts(o.event_timestamp), irkit_ts(o.time))
        END AS ts,
        -- Sign-in status: Graph status.errorCode, else the diagnostic record's resultType ("0" = success).
        coalesce(irkit_nz(g_status.errorCode), irkit_nz(o.resultType)) AS signin_code,
        CASE WHEN src = 'entra_audit' THEN g_targets[1] END AS audit_target,
        CASE WHEN src = 'entra_audit' THEN irkit_nz(g_initiated_by.user.id) IS NOT NULL
                                        OR irkit_nz(g_initiated_by.user.userPrincipalName) IS NOT NULL END AS audit_by_user
    FROM signin
)
SELECT
    file_id, evidence_offset, evidence_path, raw,
    coalesce(src, 'entra') AS source,
    CASE src
        WHEN 'azure_activity' THEN coalesce(irkit_nz(o.eventDataId), irkit_nz(o.event_data_id), sha256(raw))
        ELSE coalesce(irkit_nz(g_id), sha256(raw))
    END AS event_uid,
    ts AS time,
    CASE src
        WHEN 'entra_signin' THEN 'authentication'
        WHEN 'entra_audit' THEN
            CASE WHEN g_category IN ('UserManagement', 'GroupManagement', 'ApplicationManagement', 'RoleManagement',
                                     'DirectoryManagement', 'Policy', 'PolicyManagement', 'AuthenticationMethods',
                                     'UserAuthenticationMethod', 'Device', 'DeviceManagement', 'EntitlementManagement',
                                     'AdministrativeUnit', 'Agreement')
                      OR coalesce(o.properties.operationType, o.operationType) IN ('Add', 'Update', 'Delete', 'Assign', 'Unassign')
                 THEN 'account_change' ELSE 'api_activity' END
        WHEN 'azure_activity' THEN
            CASE WHEN (lower(act_operation) LIKE 'microsoft.authorization/%' OR lower(act_operation) LIKE 'microsoft.managedidentity/%')
                      AND lower(act_operation) NOT LIKE '%/read'
                 THEN 'account_change' ELSE 'api_activity' END
    END AS class_name,
    CASE src
        WHEN 'entra_signin' THEN coalesce(entra_unwrap(o.operationName), 'Sign-in activity')
        WHEN 'entra_audit' THEN coalesce(o.properties.activityDisplayName, o.activityDisplayName, entra_unwrap(o.operationName))
        WHEN 'azure_activity' THEN act_operation
    END AS operation,
    CASE src
        WHEN 'entra_signin' THEN CASE WHEN signin_code IS NULL THEN 'unknown' WHEN signin_code = '0' THEN 'success' ELSE 'failure' END
        WHEN 'entra_audit' THEN
            CASE lower(coalesce(o.properties.result, o.result))
                WHEN 'success' THEN 'success' WHEN 'failure' THEN 'failure' WHEN 'timeout' THEN 'failure' ELSE 'unknown' END
        WHEN 'azure_activity' THEN
            CASE WHEN lower(act_status) IN ('succeeded', 'success', 'resolved') THEN 'success'
                 WHEN lower(act_status) IN ('failed', 'failure', 'canceled', 'cancelled') THEN 'failure'
                 ELSE 'unknown' END
    END AS status,
    CASE src
        WHEN 'entra_signin' THEN
            CASE WHEN signin_code <> '0' THEN signin_code
                || coalesce(': ' || coalesce(irkit_nz(g_status.failureReason), irkit_nz(o.resultDescription)), '') END
        WHEN 'entra_audit' THEN coalesce(irkit_nz(coalesce(o.properties.resultReason, o.resultReason)), irkit_nz(o.resultDescription),
                                         CASE WHEN lower(coalesce(o.properties.result, o.result)) NOT IN ('success', 'failure')
                                              THEN coalesce(o.properties.result, o.result) END)
        WHEN 'azure_activity' THEN nullif(concat_ws(': ', irkit_nz(act_status), act_sub_status), '')
    END AS status_detail,
    -- Users are named by their object id (stable across renames and shared with the Activity log's oid
    -- claim); the user principal name is the display name.
    CASE src
        WHEN 'entra_signin' THEN
            CASE WHEN signin_kind = 'user' THEN coalesce(irkit_nz(g_user_id), irkit_nz(g_upn))
                 ELSE coalesce(irkit_nz(g_sp_id), irkit_nz(g_app_id)) END
        WHEN 'entra_audit' THEN
            CASE WHEN audit_by_user THEN coalesce(irkit_nz(g_initiated_by.user.id), irkit_nz(g_initiated_by.user.userPrincipalName))
                 ELSE coalesce(irkit_nz(g_initiated_by.app.servicePrincipalId), irkit_nz(g_initiated_by.app.appId)) END
        WHEN 'azure_activity' THEN coalesce(claim_oid, irkit_nz(o.caller))
    END AS actor_uid,
    CASE src
        WHEN 'entra_signin' THEN CASE WHEN signin_kind = 'user' THEN 'human' ELSE 'service' END
        WHEN 'entra_audit' THEN
            CASE WHEN audit_by_user THEN 'human'
                 WHEN coalesce(irkit_nz(g_initiated_by.app.servicePrincipalId), irkit_nz(g_initiated_by.app.appId)) IS NOT NULL THEN 'service' END
        WHEN 'azure_activity' THEN
            CASE WHEN coalesce(claim_oid, irkit_nz(o.caller)) IS NULL THEN NULL
                 WHEN lower(claims.idtyp) = 'app' OR o.identity.authorization.evidence.principalType = 'ServicePrincipal' THEN 'service'
                 WHEN lower(claims.idtyp) = 'user' OR o.identity.authorization.evidence.principalType = 'User'
                      OR claim_user IS NOT NULL OR claim_scope IS NOT NULL OR irkit_nz(claims.puid) IS NOT NULL
                      OR o.caller LIKE '%@%' THEN 'human'
                 WHEN coalesce(irkit_nz(claims.appid), irkit_nz(claims.azp)) IS NOT NULL THEN 'service'
                 ELSE 'unknown' END
    END AS actor_type,
    CASE src
        WHEN 'entra_signin' THEN
            CASE WHEN signin_kind = 'user' THEN coalesce(irkit_nz(g_upn), irkit_nz(coalesce(o.properties.userDisplayName, o.userDisplayName)))
                 ELSE coalesce(irkit_nz(g_sp_name), irkit_nz(g_app_name)) END
        WHEN 'entra_audit' THEN
            CASE WHEN audit_by_user THEN coalesce(irkit_nz(g_initiated_by.user.userPrincipalName), irkit_nz(g_initiated_by.user.displayName))
                 ELSE coalesce(irkit_nz(g_initiated_by.app.displayName), irkit_nz(g_initiated_by.app.servicePrincipalName)) END
        WHEN 'azure_activity' THEN coalesce(claim_user, nullif(irkit_nz(o.caller), claim_oid))
    END AS actor_name,
    CASE src
        WHEN 'azure_activity' THEN coalesce(irkit_nz(o.tenantId), irkit_nz(o.tenant_id),
            irkit_nz(claims."http://schemas.microsoft.com/identity/claims/tenantid"), irkit_nz(claims.tid))
        ELSE coalesce(irkit_nz(o.tenantId), irkit_nz(o.properties.tenantId),
            irkit_nz(coalesce(o.properties.resourceTenantId, o.resourceTenantId)),
            irkit_nz(coalesce(o.properties.homeTenantId, o.homeTenantId)))
    END AS account_uid,
    CASE src
        WHEN 'entra_signin' THEN irkit_nz(coalesce(o.properties.correlationId, o.correlationId))
        WHEN 'azure_activity' THEN coalesce(irkit_nz(o.correlationId), irkit_nz(o.correlation_id))
    END AS session_uid,
    CASE src
        WHEN 'entra_signin' THEN
            CASE WHEN signin_kind = 'user' THEN irkit_nz(g_app_id)
                 ELSE coalesce(irkit_nz(coalesce(o.properties.servicePrincipalCredentialKeyId, o.servicePrincipalCredentialKeyId)),
                               irkit_nz(coalesce(o.properties.servicePrincipalCredentialThumbprint, o.servicePrincipalCredentialThumbprint)),
                               irkit_nz(coalesce(o.properties.federatedCredentialId, o.federatedCredentialId)),
                               irkit_nz(g_app_id)) END
        WHEN 'entra_audit' THEN CASE WHEN NOT audit_by_user THEN irkit_nz(g_initiated_by.app.appId) END
        WHEN 'azure_activity' THEN coalesce(irkit_nz(claims.appid), irkit_nz(claims.azp))
    END AS credential_uid,
    CAST(NULL AS VARCHAR) AS delegator_uid,
    CASE src
        WHEN 'entra_signin' THEN coalesce(irkit_nz(g_resource_id), irkit_nz(coalesce(o.properties.resourceDisplayName, o.resourceDisplayName)))
        WHEN 'entra_audit' THEN coalesce(irkit_nz(audit_target.id), irkit_nz(audit_target.userPrincipalName), irkit_nz(audit_target.displayName))
        WHEN 'azure_activity' THEN act_resource_id
    END AS target_uid,
    CASE src
        WHEN 'entra_signin' THEN CASE WHEN irkit_nz(g_resource_id) IS NOT NULL THEN 'application' END
        WHEN 'entra_audit' THEN
            CASE audit_target.type
                WHEN 'ServicePrincipal' THEN 'service_principal' WHEN 'AdministrativeUnit' THEN 'administrative_unit'
                ELSE lower(irkit_nz(audit_target.type)) END
        WHEN 'azure_activity' THEN lower(coalesce(irkit_nz(o.resourceType.value), irkit_nz(o.resource_type.value), entra_resource_type(act_resource_id)))
    END AS target_type,
    CASE src
        WHEN 'entra_signin' THEN irkit_nz(coalesce(o.properties.resourceDisplayName, o.resourceDisplayName))
        WHEN 'entra_audit' THEN coalesce(irkit_nz(audit_target.displayName), irkit_nz(audit_target.userPrincipalName))
        WHEN 'azure_activity' THEN irkit_nz(split_part(rtrim(act_resource_id, '/'), '/', -1))
    END AS target_name,
    CASE src
        WHEN 'azure_activity' THEN entra_resource_system(act_resource_id)
        WHEN 'entra_signin' THEN 'entra'
        WHEN 'entra_audit' THEN 'entra'
    END AS target_system,
    CASE src
        WHEN 'entra_signin' THEN list_sort(list_distinct(list_filter([
            struct_pack(uid := irkit_nz(g_app_id), type := 'application', system := 'entra'),
            struct_pack(uid := irkit_nz(coalesce(o.properties.resourceServicePrincipalId, o.resourceServicePrincipalId)),
                        type := 'service_principal', system := 'entra'),
            struct_pack(uid := irkit_nz(coalesce(o.properties.servicePrincipalCredentialKeyId, o.servicePrincipalCredentialKeyId)),
                        type := 'credential', system := 'entra'),
            struct_pack(uid := irkit_nz(coalesce(o.properties.federatedCredentialId, o.federatedCredentialId)),
                        type := 'credential', system := 'entra'),
            entra_resource(g_msi.associatedResourceId),
            entra_resource(coalesce(o.properties.azureResourceId, o.azureResourceId))
        ], lambda x: x.uid IS NOT NULL AND x.uid <> coalesce(irkit_nz(g_resource_id), ''))))
        WHEN 'entra_audit' THEN list_sort(list_distinct(list_filter(list_concat(
            [struct_pack(uid := coalesce(irkit_nz(t.id), irkit_nz(t.userPrincipalName)),
                         type := CASE t.type WHEN 'ServicePrincipal' THEN 'service_principal'
                                             WHEN 'AdministrativeUnit' THEN 'administrative_unit' ELSE lower(irkit_nz(t.type)) END,
                         system := 'entra')
                FOR t IN g_targets[2:]],
            [struct_pack(uid := irkit_nz(g_initiated_by.app.appId), type := 'application', system := 'entra')],
            -- Credentials added by the event: key ids present in a KeyDescription's new value only.
            CASE WHEN coalesce(o.properties.activityDisplayName, o.activityDisplayName) ILIKE '%credential%'
                      OR coalesce(o.properties.activityDisplayName, o.activityDisplayName) ILIKE '%secret%'
                      OR coalesce(o.properties.activityDisplayName, o.activityDisplayName) ILIKE '%certificate%'
                THEN flatten(flatten([
                    [[struct_pack(uid := k, type := 'credential', system := 'entra')
                        FOR k IN regexp_extract_all(m.newValue, 'KeyIdentifier=([0-9A-Fa-f-]+)', 1)
                        IF NOT list_contains(regexp_extract_all(coalesce(m.oldValue, ''), 'KeyIdentifier=([0-9A-Fa-f-]+)', 1), k)]
                     FOR m IN coalesce(t.modifiedProperties, []) IF m.displayName = 'KeyDescription']
                    FOR t IN g_targets]))
                ELSE [] END
        ), lambda x: x.uid IS NOT NULL)))
        WHEN 'azure_activity' THEN list_sort(list_distinct(list_filter([
            entra_resource(coalesce(o.authorization.scope, o.identity.authorization.scope)),
            entra_resource(o.properties.entity),
            entra_resource(claims.xms_mirid),
            struct_pack(uid := coalesce(irkit_nz(claims.appid), irkit_nz(claims.azp)), type := 'application', system := 'entra')
        ], lambda x: x.uid IS NOT NULL AND lower(x.uid) <> lower(coalesce(act_resource_id, '')))))
    END AS resources,
    CASE src
        WHEN 'entra_signin' THEN coalesce(irkit_nz(coalesce(o.properties.ipAddress, o.ipAddress)), irkit_nz(o.callerIpAddress))
        WHEN 'entra_audit' THEN coalesce(irkit_nz(g_initiated_by.user.ipAddress), irkit_nz(o.callerIpAddress))
        WHEN 'azure_activity' THEN coalesce(irkit_nz(o.callerIpAddress), irkit_nz(o.httpRequest.clientIpAddress),
                                            irkit_nz(o.http_request.client_ip_address), irkit_nz(claims.ipaddr))
    END AS src_ip,
    CASE src
        WHEN 'entra_signin' THEN coalesce(irkit_nz(coalesce(o.properties.userAgent, o.userAgent)),
                                          irkit_nz(coalesce(o.properties.clientAppUsed, o.clientAppUsed)))
        WHEN 'entra_audit' THEN coalesce(irkit_nz(coalesce(o.properties.userAgent, o.userAgent)),
                                         irkit_nz(list_filter(g_details, lambda d: d.key = 'User-Agent')[1].value))
    END AS user_agent,
    CAST(NULL AS VARCHAR) AS trace_uid,
    CAST(NULL AS VARCHAR) AS span_uid,
    CAST(NULL AS VARCHAR) AS parent_span_uid,
    CAST(NULL AS VARCHAR) AS tool_name,
    CASE
        WHEN o IS NULL THEN 'not valid JSON'
        WHEN src IS NULL AND category ILIKE 'kube-%' THEN 'AKS ' || category || ' record: read it with the k8s_audit loader'
        WHEN src IS NULL AND exported THEN 'Azure Monitor ' || coalesce(category, 'uncategorised')
            || ' record: not a sign-in, directory audit or Activity log record'
        WHEN src IS NULL THEN 'not an Entra ID sign-in, directory audit or Azure Activity log record'
        WHEN ts IS NULL THEN 'no readable time: '
            || coalesce(o.properties.createdDateTime, o.createdDateTime, o.properties.activityDateTime, o.activityDateTime,
                        o.eventTimestamp, o.event_timestamp, o.time, 'absent')
    END AS quarantine_reason
FROM normalized
