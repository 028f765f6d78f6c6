-- Microsoft Entra ID sign-ins and directory audits, the Azure Activity log and the Key Vault / Storage
-- resource logs (source azure_activity) -> normalized events.
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
    "userAgent": "VARCHAR", "uniqueTokenIdentifier": "VARCHAR",
    "status": {"errorCode": "VARCHAR", "failureReason": "VARCHAR", "value": "VARCHAR"},
    "servicePrincipalId": "VARCHAR", "servicePrincipalName": "VARCHAR",
    "servicePrincipalCredentialKeyId": "VARCHAR", "servicePrincipalCredentialThumbprint": "VARCHAR",
    "federatedCredentialId": "VARCHAR", "clientCredentialType": "VARCHAR",
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
    "entity": "VARCHAR", "statusCode": "VARCHAR", "requestbody": "VARCHAR", "responseBody": "VARCHAR",
    "tokenIssuerType": "VARCHAR", "tokenIssuerName": "VARCHAR",
    "httpStatusCode": "VARCHAR", "clientInfo": "VARCHAR", "requestUri": "VARCHAR",
    "statusText": "VARCHAR", "uri": "VARCHAR", "userAgentHeader": "VARCHAR", "objectKey": "VARCHAR", "serviceType": "VARCHAR"
}';

-- The access-token claims of an Activity log record (top-level `claims`, or `identity.claims`; Key Vault
-- resource logs: `identity.claim`).
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
        "evidence": {"principalId": "VARCHAR", "principalType": "VARCHAR"}}, "claims": ' || entra_claims_type() || ',
        "claim": ' || entra_claims_type() || ', "type": "VARCHAR", "tokenHash": "VARCHAR",
        "requester": {"objectId": "VARCHAR", "appId": "VARCHAR", "tenantId": "VARCHAR", "upn": "VARCHAR"}},
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
        -- '<namespace>/<type>/<name>[/<type>/<name>...]': namespace and types (three levels of nesting).
        WHEN entra_provider_path(rid) IS NOT NULL THEN concat_ws('/',
            split_part(entra_provider_path(rid), '/', 1), nullif(split_part(entra_provider_path(rid), '/', 2), ''),
            nullif(split_part(entra_provider_path(rid), '/', 4), ''), nullif(split_part(entra_provider_path(rid), '/', 6), ''))
        WHEN lower(rid) LIKE '/subscriptions/%/resourcegroups/%' THEN 'Microsoft.Resources/resourceGroups'
        WHEN lower(rid) LIKE '/subscriptions/%' THEN 'Microsoft.Resources/subscriptions'
    END
);

-- The downstream system of an Azure resource id: 'azure:microsoft.compute'.
CREATE OR REPLACE TEMP MACRO entra_resource_system(rid) AS (
    CASE WHEN rid IS NULL THEN NULL
         ELSE 'azure:' || lower(coalesce(split_part(entra_provider_path(rid), '/', 1), 'Microsoft.Resources')) END
);

-- An Azure resource named by its id, as (uid, type, system); uid NULL when the id is empty.
CREATE OR REPLACE TEMP MACRO entra_azure_resource(rid) AS struct_pack(
    uid := rid, type := entra_resource_type(rid), system := entra_resource_system(rid)
);

-- An Entra ID directory object as a resource.
CREATE OR REPLACE TEMP MACRO entra_object(uid, type) AS struct_pack(uid := irkit_nz(uid), type := type, system := 'entra');

-- The normalized type of a directory-audit target ('ServicePrincipal' -> 'service_principal').
CREATE OR REPLACE TEMP MACRO entra_target_type(t) AS (
    CASE t WHEN 'ServicePrincipal' THEN 'service_principal' WHEN 'AdministrativeUnit' THEN 'administrative_unit'
           ELSE lower(irkit_nz(t)) END
);


-- The canonical uid of an Entra key credential (password or certificate keyId, federated identity
-- credential id): the GUID lower-cased, the same in the audit that adds it (KeyDescription's
-- KeyIdentifier), the sign-in that uses it (servicePrincipalCredentialKeyId) and the audit that removes it.
CREATE OR REPLACE TEMP MACRO entra_key(k) AS lower(irkit_nz(trim(k)));

-- The key credentials a KeyDescription value lists ('["[KeyIdentifier=<guid>,KeyType=Password,
-- KeyUsage=Verify,DisplayName=<name>]", ...]'), as (uid, kind, name): KeyType Password is a client
-- secret, AsymmetricX509Cert a certificate.
CREATE OR REPLACE TEMP MACRO entra_keys(v) AS [
    struct_pack(
        uid := entra_key(regexp_extract(x, 'KeyIdentifier=([^,\]]+)', 1)),
        kind := CASE regexp_extract(x, 'KeyType=([^,\]]+)', 1)
                    WHEN 'Password' THEN 'app_secret' WHEN 'AsymmetricX509Cert' THEN 'certificate'
                    WHEN 'Symmetric' THEN 'app_secret' ELSE 'other' END,
        name := irkit_nz(regexp_extract(x, 'DisplayName=([^\]]*)\]', 1)))
    FOR x IN regexp_extract_all(coalesce(v, ''), '\[KeyIdentifier=[^\]]*\]')];

-- The federated identity credentials a FederatedIdentityCredentials value lists (JSON objects), as
-- (uid, kind, name): uid = the credential's id where the value gives one, name = its Name.
CREATE OR REPLACE TEMP MACRO entra_fics(v) AS [
    struct_pack(
        uid := entra_key(regexp_extract(x, '"[Ii]d"\s*:\s*"([^"]+)"', 1)),
        kind := 'federated_credential',
        name := irkit_nz(regexp_extract(x, '"[Nn]ame"\s*:\s*"([^"]+)"', 1)))
    FOR x IN regexp_extract_all(replace(coalesce(v, ''), '\"', '"'), '\{[^{}]*\}')];

-- The kind of act of a directory audit: giving a role, app role, group or ownership, delegated
-- permissions or consent grants; taking one away ungrants; else by its verb.
CREATE OR REPLACE TEMP MACRO entra_audit_activity(a, op_type) AS (
    CASE
        WHEN a ILIKE 'Consent to application%' OR a ILIKE 'Add app role assignment%' OR a ILIKE 'Add %member to role%'
             OR a ILIKE 'Add delegated permission grant%' OR a ILIKE 'Add owner to %' OR a ILIKE 'Add member to group%'
             OR a ILIKE 'Add member to administrative unit%' THEN 'grant'
        WHEN a ILIKE 'Revoke consent%' OR a ILIKE 'Remove app role assignment%' OR a ILIKE 'Remove %member from role%'
             OR a ILIKE 'Remove delegated permission grant%' OR a ILIKE 'Remove owner from %' OR a ILIKE 'Remove member from group%'
             OR a ILIKE 'Remove member from administrative unit%' THEN 'ungrant'
        WHEN op_type = 'Assign' THEN 'grant'
        WHEN op_type = 'Unassign' THEN 'ungrant'
        WHEN a ILIKE 'Add %' OR a ILIKE 'Create %' OR a ILIKE 'Register %' OR op_type = 'Add' THEN 'create'
        WHEN a ILIKE 'Delete %' OR a ILIKE 'Remove %' OR a ILIKE 'Hard delete %' OR op_type = 'Delete' THEN 'delete'
        WHEN a ILIKE 'Update %' OR a ILIKE 'Set %' OR a ILIKE 'Reset %' OR a ILIKE 'Change %' OR a ILIKE 'Disable %'
             OR a ILIKE 'Enable %' OR a ILIKE 'Restore %' OR op_type = 'Update' THEN 'update'
        ELSE 'other'
    END
);

-- The kind of act of an Azure Activity log operation ('Microsoft.<ns>/<type>/<verb>', lower-cased):
-- writing a role assignment (or its PIM schedule request), a role definition or elevating access
-- grants, deleting one ungrants; else by the ARM verb (read; write update; delete; list*/action read;
-- other actions other).
CREATE OR REPLACE TEMP MACRO entra_activity_activity(op) AS (
    CASE
        WHEN regexp_matches(op, '^microsoft\.authorization/(roleassignments|roleassignmentschedulerequests|roleeligibilityschedulerequests|roledefinitions)/write$')
             OR op = 'microsoft.authorization/elevateaccess/action' THEN 'grant'
        WHEN regexp_matches(op, '^microsoft\.authorization/(roleassignments|roledefinitions)/delete$') THEN 'ungrant'
        WHEN op LIKE '%/read' THEN 'read'
        WHEN op LIKE '%/write' THEN 'update'
        WHEN op LIKE '%/delete' THEN 'delete'
        WHEN regexp_matches(op, '/list[a-z]*/action$') THEN 'read'
        WHEN op IS NULL THEN NULL
        ELSE 'other'
    END
);

-- The address of a caller field without its port: Storage logs write the requester's address with its
-- port ('198.51.100.40:32433', '[2001:db8::7]:443'); a bare IPv6 address is kept as it is.
CREATE OR REPLACE TEMP MACRO entra_ip(s) AS (
    CASE WHEN regexp_matches(s, '^\[[0-9A-Fa-f:.%a-z]+\](:[0-9]+)?$') THEN regexp_extract(s, '^\[([^\]]+)\]', 1)
         WHEN regexp_matches(s, '^[0-9]{1,3}(\.[0-9]{1,3}){3}:[0-9]+$') THEN split_part(s, ':', 1)
         ELSE irkit_ip(s) END
);

-- The kind of act of a Key Vault AuditEvent operation (VaultGet, SecretGet, SecretList, KeySign, ...),
-- by the verb its name ends with.
CREATE OR REPLACE TEMP MACRO entra_keyvault_activity(op) AS (
    CASE
        WHEN op IS NULL THEN NULL
        WHEN op = 'Authentication' THEN 'authenticate'
        WHEN regexp_matches(op, 'List[A-Za-z]*$') THEN 'list'
        WHEN regexp_matches(op, '(Get|GetDeleted|Backup)$') THEN 'read'
        WHEN regexp_matches(op, '(Create|Set|Import|Restore)$') THEN 'create'
        WHEN regexp_matches(op, '(Update|Patch|Put|Recover|Rotate)$') THEN 'update'
        WHEN regexp_matches(op, '(Delete|Purge)$') THEN 'delete'
        ELSE 'other'
    END
);

-- The kind of act of an Azure Storage operation (GetBlob, ListBlobs, PutBlob, DeleteBlob, ...), by its
-- verb, else by its category (StorageRead, StorageWrite, StorageDelete).
CREATE OR REPLACE TEMP MACRO entra_storage_activity(op, category) AS (
    CASE
        WHEN regexp_matches(op, '^List') THEN 'list'
        WHEN regexp_matches(op, '^(Get|Query|Head)') THEN 'read'
        WHEN regexp_matches(op, '^(Put|Create|Copy|Append|Upload|StartCopy|Incremental)') THEN 'create'
        WHEN regexp_matches(op, '^(Set|Update|Lease|Undelete|Restore|Rename|Flush|Patch|Snapshot)') THEN 'update'
        WHEN regexp_matches(op, '^Delete') THEN 'delete'
        WHEN category = 'StorageRead' THEN 'read'
        WHEN category = 'StorageWrite' THEN 'update'
        WHEN category = 'StorageDelete' THEN 'delete'
        ELSE 'other'
    END
);

-- The normalized type of a principal named by type in an Azure request body ('ServicePrincipal' ->
-- 'service_principal', 'User' -> 'user', 'Group' -> 'group').
CREATE OR REPLACE TEMP MACRO entra_principal_type(t) AS (
    CASE WHEN t IS NULL THEN 'principal' ELSE entra_target_type(t) END
);

-- Each record is parsed once; its source is read off its shape. Each source then has its own SELECT.
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
sourced AS MATERIALIZED (
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
        END AS src
    FROM shaped
),

-- Sign-ins: the Graph object is the record itself, or the `properties` of a diagnostic record.
signin_fields AS (
    SELECT file_id, evidence_offset, evidence_path, raw, category,
        coalesce(irkit_ts(coalesce(o.properties.createdDateTime, o.createdDateTime)), irkit_ts(o.time)) AS ts,
        coalesce(o.properties.createdDateTime, o.createdDateTime, o.time) AS ts_text,
        coalesce(o.properties.id, o.id) AS id,
        irkit_nz(coalesce(o.properties.userId, o.userId)) AS user_id,
        irkit_nz(coalesce(o.properties.userPrincipalName, o.userPrincipalName)) AS upn,
        irkit_nz(coalesce(o.properties.userDisplayName, o.userDisplayName)) AS user_name,
        irkit_nz(coalesce(o.properties.appId, o.appId)) AS app_id,
        irkit_nz(coalesce(o.properties.appDisplayName, o.appDisplayName)) AS app_name,
        -- the token the sign-in issued (Graph activity logs name it as signInActivityId)
        irkit_nz(coalesce(o.properties.uniqueTokenIdentifier, o.uniqueTokenIdentifier)) AS token_id,
        irkit_nz(coalesce(o.properties.servicePrincipalId, o.servicePrincipalId)) AS sp_id,
        irkit_nz(coalesce(o.properties.servicePrincipalName, o.servicePrincipalName)) AS sp_name,
        irkit_nz(coalesce(o.properties.servicePrincipalCredentialKeyId, o.servicePrincipalCredentialKeyId)) AS key_id,
        irkit_nz(coalesce(o.properties.servicePrincipalCredentialThumbprint, o.servicePrincipalCredentialThumbprint)) AS thumbprint,
        irkit_nz(coalesce(o.properties.federatedCredentialId, o.federatedCredentialId)) AS federated_id,
        lower(irkit_nz(coalesce(o.properties.clientCredentialType, o.clientCredentialType))) AS credential_type,
        coalesce(o.properties.managedServiceIdentity, o.managedServiceIdentity) AS msi,
        coalesce(o.properties.signInEventTypes, o.signInEventTypes, []) AS event_types,
        irkit_nz(CASE WHEN exported THEN o.properties.resourceId ELSE o.resourceId END) AS resource_id,
        irkit_nz(coalesce(o.properties.resourceDisplayName, o.resourceDisplayName)) AS resource_name,
        irkit_nz(coalesce(o.properties.resourceServicePrincipalId, o.resourceServicePrincipalId)) AS resource_sp_id,
        irkit_nz(coalesce(o.properties.azureResourceId, o.azureResourceId)) AS azure_resource_id,
        -- Graph status.errorCode, else the diagnostic record's resultType (a string, "0" = success).
        coalesce(irkit_nz(coalesce(o.properties.status.errorCode, o.status.errorCode)), irkit_nz(o.resultType)) AS code,
        coalesce(irkit_nz(coalesce(o.properties.status.failureReason, o.status.failureReason)), irkit_nz(o.resultDescription)) AS reason,
        coalesce(irkit_nz(coalesce(o.properties.ipAddress, o.ipAddress)), irkit_nz(o.callerIpAddress)) AS ip,
        -- clientAppUsed ('Browser', 'Mobile Apps and Desktop clients', 'Exchange ActiveSync') is the kind of client
        -- protocol, not a user agent: it stays in raw
        irkit_nz(coalesce(o.properties.userAgent, o.userAgent)) AS agent,
        irkit_nz(coalesce(o.properties.correlationId, o.correlationId)) AS correlation_id,
        coalesce(irkit_nz(o.tenantId), irkit_nz(o.properties.tenantId),
                 irkit_nz(coalesce(o.properties.resourceTenantId, o.resourceTenantId)),
                 irkit_nz(coalesce(o.properties.homeTenantId, o.homeTenantId))) AS tenant,
        coalesce(entra_unwrap(o.operationName), 'Sign-in activity') AS operation,
        -- a federated user sign-in: Entra accepted a token issued by the user's federation IdP (AD FS, Okta, ...)
        irkit_nz(coalesce(o.properties.tokenIssuerType, o.tokenIssuerType)) AS issuer_type,
        irkit_nz(coalesce(o.properties.tokenIssuerName, o.tokenIssuerName)) AS issuer_name
    FROM sourced WHERE src = 'entra_signin'
),
signin_kinds AS (
    SELECT *,
        CASE
            WHEN category = 'ManagedIdentitySignInLogs' OR list_contains(event_types, 'managedIdentity')
                 OR lower(coalesce(irkit_nz(msi.msiType), 'none')) <> 'none' THEN 'managed_identity'
            WHEN category = 'ServicePrincipalSignInLogs' OR list_contains(event_types, 'servicePrincipal')
                 OR (user_id IS NULL AND upn IS NULL AND sp_id IS NOT NULL) THEN 'service_principal'
            ELSE 'user'
        END = 'user' AS is_user
    FROM signin_fields
),
signins AS (
    SELECT file_id, evidence_offset, evidence_path, raw,
        'entra_signin' AS source,
        coalesce(irkit_nz(id), sha256(raw)) AS event_uid,
        ts AS time,
        'authentication' AS class_name,
        operation,
        CASE WHEN code IS NULL THEN 'unknown' WHEN code = '0' THEN 'success' ELSE 'failure' END AS status,
        CASE WHEN code <> '0' THEN code || coalesce(': ' || reason, '') END AS status_detail,
        -- Users are named by their object id (stable across renames, and the `oid` claim of the same
        -- user's Activity log records); the user principal name is the display name.
        CASE WHEN is_user THEN coalesce(user_id, upn) ELSE coalesce(sp_id, app_id) END AS actor_uid,
        CASE WHEN is_user THEN 'human' ELSE 'service' END AS actor_type,
        CASE WHEN is_user THEN coalesce(upn, user_name) ELSE coalesce(sp_name, app_name) END AS actor_name,
        tenant AS account_uid,
        correlation_id AS session_uid,
        -- A user signs in through an OAuth client (the app); a service principal or managed identity
        -- with a key, a certificate or a federated credential.
        CASE WHEN is_user THEN app_id ELSE coalesce(entra_key(key_id), lower(thumbprint), entra_key(federated_id), app_id) END AS credential_uid,
        CAST(NULL AS VARCHAR) AS delegator_uid,
        'authenticate' AS activity,
        list_filter([
            -- a service principal or managed identity sign-in names its application and its service principal
            CASE WHEN NOT is_user AND app_id IS NOT NULL AND sp_id IS NOT NULL AND app_id <> sp_id
                 THEN irkit_hop('same_as', app_id, sp_id, NULL, 'standing', NULL) END,
            -- a user signing in to a client app hands it a delegated token: the app acts for the user
            CASE WHEN is_user AND code = '0' AND app_id IS NOT NULL AND coalesce(user_id, upn) IS NOT NULL
                 THEN irkit_hop('on_behalf_of', coalesce(user_id, upn), app_id, token_id, 'grant', NULL) END,
            -- a user federated from another IdP: whoever controls that issuer vouched for this sign-in
            CASE WHEN is_user AND code = '0' AND coalesce(user_id, upn) IS NOT NULL
                      AND issuer_type IN ('ADFederationServices', 'ADFederationServicesMFAAdapter')
                 THEN irkit_hop('federate', coalesce(issuer_name, issuer_type), coalesce(user_id, upn), NULL, 'event', NULL) END
        ], lambda h: h IS NOT NULL) AS delegations,
        list_filter([
            CASE WHEN is_user AND app_id IS NOT NULL THEN irkit_cred(app_id, 'oauth_client', 'used', app_id, app_name, NULL)
                 WHEN NOT is_user AND coalesce(key_id, thumbprint, federated_id) IS NOT NULL THEN
                     irkit_cred(coalesce(entra_key(key_id), lower(thumbprint), entra_key(federated_id)),
                                CASE WHEN credential_type = 'clientsecret' THEN 'app_secret'
                                     WHEN credential_type = 'certificate' THEN 'certificate'
                                     WHEN credential_type = 'federatedidentitycredential' THEN 'federated_credential'
                                     WHEN credential_type = 'clientassertion' AND federated_id IS NOT NULL THEN 'federated_credential'
                                     WHEN credential_type = 'clientassertion' THEN 'certificate'
                                     WHEN key_id IS NULL AND thumbprint IS NULL THEN 'federated_credential'
                                     WHEN thumbprint IS NOT NULL THEN 'certificate'
                                     ELSE 'other' END,
                                'used', coalesce(sp_id, app_id), NULL, NULL)
                 WHEN NOT is_user AND app_id IS NOT NULL THEN irkit_cred(app_id, 'oauth_client', 'used', app_id, coalesce(app_name, sp_name), NULL)
            END,
            -- a successful user sign-in issues the client a token for the user (uniqueTokenIdentifier)
            CASE WHEN is_user AND code = '0' AND token_id IS NOT NULL AND coalesce(user_id, upn) IS NOT NULL
                 THEN irkit_cred(token_id, 'oauth_token', 'issued', coalesce(user_id, upn), NULL, NULL) END
        ], lambda c: c IS NOT NULL) AS credentials,
        coalesce(resource_id, resource_name) AS target_uid,
        CASE WHEN resource_id IS NOT NULL THEN 'application' END AS target_type,
        resource_name AS target_name,
        'entra' AS target_system,
        list_sort(list_filter([
            entra_object(app_id, 'application'),
            entra_object(resource_sp_id, 'service_principal'),
            entra_azure_resource(irkit_nz(msi.associatedResourceId)),
            entra_azure_resource(azure_resource_id)
        ], lambda x: x.uid IS NOT NULL)) AS resources,
        irkit_ip(ip) AS src_ip,
        agent AS user_agent,
        CASE WHEN ts IS NULL THEN 'no readable time: ' || coalesce(ts_text, 'absent') END AS quarantine_reason
    FROM signin_kinds
),

-- Directory audits.
audit_fields AS (
    SELECT file_id, evidence_offset, evidence_path, raw,
        coalesce(irkit_ts(coalesce(o.properties.activityDateTime, o.activityDateTime)), irkit_ts(o.time)) AS ts,
        coalesce(o.properties.activityDateTime, o.activityDateTime, o.time) AS ts_text,
        coalesce(o.properties.id, o.id) AS id,
        CASE WHEN exported THEN o.properties.category ELSE o.category END AS audit_category,
        coalesce(o.properties.operationType, o.operationType) AS operation_type,
        coalesce(o.properties.activityDisplayName, o.activityDisplayName, entra_unwrap(o.operationName)) AS activity,
        coalesce(o.properties.result, o.result) AS result,
        coalesce(irkit_nz(coalesce(o.properties.resultReason, o.resultReason)), irkit_nz(o.resultDescription)) AS reason,
        coalesce(o.properties.initiatedBy, o.initiatedBy) AS initiator,
        coalesce(o.properties.targetResources, o.targetResources, []) AS targets,
        coalesce(irkit_nz(coalesce(o.properties.userAgent, o.userAgent)),
                 irkit_nz(list_filter(coalesce(o.properties.additionalDetails, o.additionalDetails, []),
                                      lambda d: d.key = 'User-Agent')[1].value)) AS agent,
        irkit_nz(o.callerIpAddress) AS caller_ip,
        coalesce(o.properties.additionalDetails, o.additionalDetails) AS o_details,
        coalesce(irkit_nz(o.tenantId), irkit_nz(o.properties.tenantId)) AS tenant
    FROM sourced WHERE src = 'entra_audit'
),
audit_actors AS (
    SELECT *,
        coalesce(irkit_nz(initiator.user.id), irkit_nz(initiator.user.userPrincipalName)) IS NOT NULL AS by_user,
        targets[1] AS target,
        lower(result) = 'success' AS ok,
        irkit_nz(list_filter(coalesce(o_details, []), lambda d: d.key = 'AppId')[1].value) AS detail_app_id,
        -- key credentials in a target's KeyDescription / FederatedIdentityCredentials before and after
        flatten([
            flatten([[struct_pack(target_id := irkit_nz(t.id), before := entra_keys(m.oldValue), after := entra_keys(m.newValue))
                      FOR m IN coalesce(t.modifiedProperties, []) IF m.displayName = 'KeyDescription'],
                     [struct_pack(target_id := irkit_nz(t.id), before := entra_fics(m.oldValue), after := entra_fics(m.newValue))
                      FOR m IN coalesce(t.modifiedProperties, []) IF m.displayName = 'FederatedIdentityCredentials']])
            FOR t IN targets]) AS key_changes,
        -- the principal an app role assignment is given to (or taken from): ServicePrincipal.ObjectID,
        -- User.ObjectID or Group.ObjectID among the modified properties
        flatten([[struct_pack(uid := irkit_nz(trim(coalesce(m.newValue, m.oldValue), '"')),
                              type := entra_target_type(split_part(m.displayName, '.', 1)))
                  FOR m IN coalesce(t.modifiedProperties, [])
                  IF m.displayName IN ('ServicePrincipal.ObjectID', 'User.ObjectID', 'Group.ObjectID')]
                 FOR t IN targets IF activity ILIKE '%app role assignment%']) AS grantees,
        -- AccountEnabled true -> false disables the principal (it can no longer sign in), false -> true enables it
        [CASE WHEN m.oldValue ILIKE '%true%' AND m.newValue ILIKE '%false%' THEN 'disabled'
              WHEN m.oldValue ILIKE '%false%' AND m.newValue ILIKE '%true%' THEN 'enabled' END
         FOR m IN coalesce(targets[1].modifiedProperties, []) IF m.displayName = 'AccountEnabled'][1] AS account_enabled
    FROM audit_fields
),
audit_model AS (
    SELECT *,
        list_filter(list_concat(
            -- the initiating app's client id (its OAuth client)
            [irkit_cred(initiator.app.appId, 'oauth_client', 'used', initiator.app.appId, irkit_nz(initiator.app.displayName), NULL)
                FOR x IN [1] IF NOT by_user AND irkit_nz(initiator.app.appId) IS NOT NULL],
            -- key credentials the change added (created) or took away (deleted), owned by that target
            flatten([[irkit_cred(k.uid, k.kind, 'created', c.target_id, k.name, NULL)
                      FOR k IN c.after IF NOT list_contains([b.uid FOR b IN c.before], k.uid)
                                          AND NOT list_contains([b.name FOR b IN c.before IF b.uid IS NULL], k.name)]
                     FOR c IN key_changes IF ok]),
            flatten([[irkit_cred(k.uid, k.kind, 'deleted', c.target_id, k.name, NULL)
                      FOR k IN c.before IF NOT list_contains([a.uid FOR a IN c.after], k.uid)
                                           AND NOT list_contains([a.name FOR a IN c.after IF a.uid IS NULL], k.name)]
                     FOR c IN key_changes IF ok])
        ), lambda c: c.uid IS NOT NULL OR c.name IS NOT NULL) AS audit_credentials
    FROM audit_actors
),
audits AS (
    SELECT file_id, evidence_offset, evidence_path, raw,
        'entra_audit' AS source,
        coalesce(irkit_nz(id), sha256(raw)) AS event_uid,
        ts AS time,
        CASE WHEN audit_category IN ('UserManagement', 'GroupManagement', 'ApplicationManagement', 'RoleManagement',
                                     'DirectoryManagement', 'Policy', 'PolicyManagement', 'AuthenticationMethods',
                                     'UserAuthenticationMethod', 'Device', 'DeviceManagement', 'EntitlementManagement',
                                     'AdministrativeUnit', 'Agreement')
                  OR operation_type IN ('Add', 'Update', 'Delete', 'Assign', 'Unassign')
             THEN 'account_change' ELSE 'api_activity' END AS class_name,
        activity AS operation,
        CASE lower(result) WHEN 'success' THEN 'success' WHEN 'failure' THEN 'failure' WHEN 'timeout' THEN 'failure'
             ELSE 'unknown' END AS status,
        coalesce(reason, CASE WHEN lower(result) NOT IN ('success', 'failure') THEN result END) AS status_detail,
        CASE WHEN by_user THEN coalesce(irkit_nz(initiator.user.id), irkit_nz(initiator.user.userPrincipalName))
             ELSE coalesce(irkit_nz(initiator.app.servicePrincipalId), irkit_nz(initiator.app.appId)) END AS actor_uid,
        CASE WHEN by_user THEN 'human'
             WHEN coalesce(irkit_nz(initiator.app.servicePrincipalId), irkit_nz(initiator.app.appId)) IS NOT NULL THEN 'service' END AS actor_type,
        CASE WHEN by_user THEN coalesce(irkit_nz(initiator.user.userPrincipalName), irkit_nz(initiator.user.displayName))
             ELSE coalesce(irkit_nz(initiator.app.displayName), irkit_nz(initiator.app.servicePrincipalName)) END AS actor_name,
        tenant AS account_uid,
        CAST(NULL AS VARCHAR) AS session_uid,
        CASE WHEN NOT by_user THEN irkit_nz(initiator.app.appId) END AS credential_uid,
        CAST(NULL AS VARCHAR) AS delegator_uid,
        CASE account_enabled WHEN 'disabled' THEN 'ungrant' WHEN 'enabled' THEN 'grant'
             ELSE entra_audit_activity(activity, operation_type) END AS activity,
        list_filter([
            -- consent (user or admin) to an application: a lasting grant to its service principal
            CASE WHEN ok AND activity ILIKE 'Consent to application%' THEN
                irkit_hop('consent', coalesce(irkit_nz(initiator.user.id), irkit_nz(initiator.user.userPrincipalName),
                                              irkit_nz(initiator.app.servicePrincipalId)),
                          coalesce(irkit_nz(target.id), irkit_nz(target.displayName)), NULL, 'standing', NULL) END,
            -- an app role (application permission) assigned to a service principal: an admin's consent to that app
            CASE WHEN ok AND activity ILIKE 'Add app role assignment to service principal%' THEN
                irkit_hop('consent', coalesce(irkit_nz(initiator.user.id), irkit_nz(initiator.user.userPrincipalName),
                                              irkit_nz(initiator.app.servicePrincipalId)),
                          [g.uid FOR g IN grantees IF g.type = 'service_principal'][1], NULL, 'standing', NULL) END,
            -- an initiating app named by both its app id and its service principal
            CASE WHEN NOT by_user AND irkit_nz(initiator.app.appId) IS NOT NULL AND irkit_nz(initiator.app.servicePrincipalId) IS NOT NULL
                 THEN irkit_hop('same_as', initiator.app.appId, initiator.app.servicePrincipalId, NULL, 'standing', NULL) END,
            -- an application object named with its app id (additionalDetails AppId)
            CASE WHEN target.type = 'Application' AND detail_app_id IS NOT NULL AND irkit_nz(target.id) IS NOT NULL
                      AND detail_app_id <> target.id
                 THEN irkit_hop('same_as', detail_app_id, target.id, NULL, 'standing', NULL) END
        ], lambda h: h IS NOT NULL AND h.from_uid IS NOT NULL AND h.to_uid IS NOT NULL AND h.from_uid <> h.to_uid) AS delegations,
        audit_credentials AS credentials,
        coalesce(irkit_nz(target.id), irkit_nz(target.userPrincipalName), irkit_nz(target.displayName)) AS target_uid,
        entra_target_type(target.type) AS target_type,
        coalesce(irkit_nz(target.displayName), irkit_nz(target.userPrincipalName)) AS target_name,
        'entra' AS target_system,
        list_sort(list_distinct(list_filter(list_concat(
            [entra_object(coalesce(irkit_nz(t.id), t.userPrincipalName), entra_target_type(t.type)) FOR t IN targets[2:]],
            [entra_object(CASE WHEN NOT by_user THEN initiator.app.appId END, 'application')],
            -- who an app role assignment is given to
            [entra_object(g.uid, g.type) FOR g IN grantees],
            -- Credentials the event created or deleted (canonical): key ids a KeyDescription or
            -- FederatedIdentityCredentials gained or lost.
            [entra_object(c.uid, 'credential') FOR c IN audit_credentials IF c.action IN ('created', 'deleted') AND c.uid IS NOT NULL]
        ), lambda x: x.uid IS NOT NULL AND x.uid IS DISTINCT FROM coalesce(irkit_nz(target.id), irkit_nz(target.userPrincipalName))))) AS resources,
        irkit_ip(coalesce(irkit_nz(initiator.user.ipAddress), caller_ip)) AS src_ip,
        agent AS user_agent,
        CASE WHEN ts IS NULL THEN 'no readable time: ' || coalesce(ts_text, 'absent') END AS quarantine_reason
    FROM audit_model
),

-- The Azure Activity log: diagnostic export, REST / CLI (camelCase) and SDK (snake_case) shapes.
activity_fields AS (
    SELECT file_id, evidence_offset, evidence_path, raw, o,
        coalesce(irkit_ts(o.eventTimestamp), irkit_ts(o.event_timestamp), irkit_ts(o.time)) AS ts,
        coalesce(o.eventTimestamp, o.event_timestamp, o.time) AS ts_text,
        coalesce(o.claims, o.identity.claims, o.identity.claim) AS claims,
        coalesce(irkit_nz(o.resourceId), irkit_nz(o.resource_id)) AS resource_id,
        coalesce(entra_unwrap(o.operationName), o.operation_name.value) AS operation,
        irkit_nz(coalesce(o.status.value, o.resultType)) AS result,
        coalesce(irkit_nz(o.subStatus.value), irkit_nz(o.sub_status.value), irkit_nz(o.properties.statusCode)) AS sub_status,
        irkit_nz(coalesce(o.authorization.scope, o.identity.authorization.scope)) AS scope,
        irkit_nz(o.properties.entity) AS entity,
        -- Resource logs that share the common schema: Key Vault AuditEvent, Storage StorageRead /
        -- StorageWrite / StorageDelete. Everything else is the Activity log.
        CASE WHEN category = 'AuditEvent' AND lower(coalesce(o.resourceId, '')) LIKE '%/providers/microsoft.keyvault/%' THEN 'keyvault'
             WHEN category IN ('StorageRead', 'StorageWrite', 'StorageDelete') THEN 'storage'
             ELSE 'activity' END AS log_kind,
        category,
        -- A role assignment's request (Started) or response (Succeeded) body names who gets which role where.
        coalesce(irkit_nz(o.properties.requestbody), irkit_nz(o.properties.responseBody)) AS body
    FROM sourced WHERE src = 'azure_activity'
),
activity_claims AS (
    SELECT *,
        -- a caller known only by its UPN claim (no oid, no evidence, no caller) is that UPN
        coalesce(irkit_nz(claims."http://schemas.microsoft.com/identity/claims/objectidentifier"),
                 irkit_nz(claims.oid), irkit_nz(o.identity.authorization.evidence.principalId), irkit_nz(o.caller),
                 irkit_nz(claims."http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"), irkit_nz(claims.upn)) AS principal,
        coalesce(irkit_nz(claims."http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"), irkit_nz(claims.upn),
                 irkit_nz(claims.unique_name), irkit_nz(claims."http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name"))
            AS user_claim,
        coalesce(irkit_nz(claims."http://schemas.microsoft.com/identity/claims/scope"), irkit_nz(claims.scp)) AS scope_claim,
        coalesce(irkit_nz(claims.appid), irkit_nz(claims.azp)) AS client_id,
        lower(operation) AS op,
        CASE WHEN lower(operation) LIKE 'microsoft.authorization/roleassignment%' THEN
            struct_pack(
                principal := irkit_nz(regexp_extract(body, '(?i)"principalId"\s*:\s*"([^"]+)"', 1)),
                principal_type := irkit_nz(regexp_extract(body, '(?i)"principalType"\s*:\s*"([^"]+)"', 1)),
                role := irkit_nz(regexp_extract(body, '(?i)"roleDefinitionId"\s*:\s*"([^"]+)"', 1)),
                at := irkit_nz(regexp_extract(body, '(?i)"scope"\s*:\s*"([^"]+)"', 1))) END AS assignment
    FROM activity_fields WHERE log_kind = 'activity'
),
activity AS (
    SELECT file_id, evidence_offset, evidence_path, raw,
        'azure_activity' AS source,
        -- The diagnostic export carries no event id: SHA-256 of the raw record.
        coalesce(irkit_nz(o.eventDataId), irkit_nz(o.event_data_id), sha256(raw)) AS event_uid,
        ts AS time,
        CASE WHEN (op LIKE 'microsoft.authorization/%' OR op LIKE 'microsoft.managedidentity/%') AND op NOT LIKE '%/read'
             THEN 'account_change' ELSE 'api_activity' END AS class_name,
        operation,
        CASE WHEN lower(result) IN ('succeeded', 'success', 'resolved') THEN 'success'
             WHEN lower(result) IN ('failed', 'failure', 'canceled', 'cancelled') THEN 'failure'
             ELSE 'unknown' END AS status,
        nullif(concat_ws(': ', result, sub_status), '') AS status_detail,
        principal AS actor_uid,
        CASE WHEN principal IS NULL THEN NULL
             WHEN lower(claims.idtyp) = 'app' OR o.identity.authorization.evidence.principalType = 'ServicePrincipal' THEN 'service'
             WHEN lower(claims.idtyp) = 'user' OR o.identity.authorization.evidence.principalType = 'User'
                  OR user_claim IS NOT NULL OR scope_claim IS NOT NULL OR irkit_nz(claims.puid) IS NOT NULL
                  OR o.caller LIKE '%@%' THEN 'human'
             WHEN client_id IS NOT NULL THEN 'service'
             ELSE 'unknown' END AS actor_type,
        coalesce(user_claim, nullif(irkit_nz(o.caller), principal)) AS actor_name,
        coalesce(irkit_nz(o.tenantId), irkit_nz(o.tenant_id),
                 irkit_nz(claims."http://schemas.microsoft.com/identity/claims/tenantid"), irkit_nz(claims.tid)) AS account_uid,
        coalesce(irkit_nz(o.correlationId), irkit_nz(o.correlation_id)) AS session_uid,
        client_id AS credential_uid,
        CAST(NULL AS VARCHAR) AS delegator_uid,
        entra_activity_activity(op) AS activity,
        list_filter([
            -- an app-only token names the app (appid) and its service principal (oid)
            CASE WHEN client_id IS NOT NULL AND principal IS NOT NULL AND client_id <> principal
                      AND (lower(claims.idtyp) = 'app' OR o.identity.authorization.evidence.principalType = 'ServicePrincipal')
                 THEN irkit_hop('same_as', client_id, principal, NULL, 'standing', NULL) END,
            -- a user's (delegated) token: the client app made this request for the user
            CASE WHEN client_id IS NOT NULL AND principal IS NOT NULL AND client_id <> principal
                      AND (lower(claims.idtyp) = 'user' OR (claims.idtyp IS NULL AND (user_claim IS NOT NULL OR scope_claim IS NOT NULL)))
                 THEN irkit_hop('on_behalf_of', principal, client_id, NULL, 'event', NULL) END
        ], lambda h: h IS NOT NULL) AS delegations,
        [irkit_cred(client_id, 'oauth_client', 'used', client_id, NULL, NULL) FOR x IN [1] IF client_id IS NOT NULL] AS credentials,
        -- The resource id as given: the diagnostic export upper-cases it, the REST API does not.
        resource_id AS target_uid,
        lower(coalesce(irkit_nz(o.resourceType.value), irkit_nz(o.resource_type.value), entra_resource_type(resource_id))) AS target_type,
        irkit_nz(split_part(rtrim(resource_id, '/'), '/', -1)) AS target_name,
        entra_resource_system(resource_id) AS target_system,
        list_sort(list_filter([
            entra_azure_resource(CASE WHEN lower(scope) <> lower(coalesce(resource_id, '')) THEN scope END),
            entra_azure_resource(CASE WHEN lower(entity) NOT IN (lower(coalesce(resource_id, '')), lower(coalesce(scope, ''))) THEN entity END),
            entra_azure_resource(irkit_nz(claims.xms_mirid)),
            entra_object(client_id, 'application'),
            -- a role assignment's grantee, its role definition and the scope it applies at
            entra_object(assignment.principal, entra_principal_type(assignment.principal_type)),
            entra_azure_resource(assignment.role),
            entra_azure_resource(CASE WHEN lower(assignment.at) NOT IN (lower(coalesce(resource_id, '')), lower(coalesce(scope, '')))
                                      THEN assignment.at END)
        ], lambda x: x.uid IS NOT NULL)) AS resources,
        entra_ip(coalesce(irkit_nz(o.callerIpAddress), irkit_nz(o.httpRequest.clientIpAddress),
                          irkit_nz(o.http_request.client_ip_address), irkit_nz(claims.ipaddr))) AS src_ip,
        CAST(NULL AS VARCHAR) AS user_agent,
        CASE WHEN ts IS NULL THEN 'no readable time: ' || coalesce(ts_text, 'absent') END AS quarantine_reason
    FROM activity_claims
),

-- Azure resource logs in the common schema: Key Vault AuditEvent (the caller's token claims in
-- `identity.claim`, the object in `properties.id` / `requestUri`, HTTP status in `resultSignature` and
-- `properties.httpStatusCode`) and Storage (`identity.type` and `identity.requester`, `statusCode` /
-- `statusText`, `callerIpAddress` with its port, the object in `properties.objectKey` / `uri`).
resource_fields AS (
    SELECT *,
        -- Key Vault: the object the request names (https://<vault>.vault.azure.net/<collection>/<name>[/<version>])
        regexp_extract(coalesce(irkit_nz(o.properties.id), irkit_nz(o.properties.requestUri), ''),
                       '^https://[^/]+/(secrets|keys|certificates|storage|deletedsecrets|deletedkeys|deletedcertificates)/([^/?]+)',
                       ['collection', 'name']) AS kv_object,
        -- Storage: /<account>/<container, share, queue or table>[/<blob>], else the uri's path
        CASE WHEN irkit_nz(o.properties.objectKey) IS NOT NULL
             THEN regexp_extract(trim(o.properties.objectKey, '"'), '^/[^/]+/([^/]+)(?:/(.+))?$', ['container', 'object'])
             ELSE regexp_extract(coalesce(o.uri, ''), '^https?://[^/]+/([^/?]+)(?:/([^?]+))?', ['container', 'object']) END AS st_object,
        lower(irkit_nz(coalesce(o.properties.serviceType, regexp_extract(lower(coalesce(resource_id, '')), '/(blob|file|queue|table)services/', 1)))) AS st_service,
        lower(replace(irkit_nz(o.identity.type), ' ', '')) AS auth_type,
        -- the storage account a Storage record's service belongs to
        regexp_extract(coalesce(resource_id, ''), '(?i)^(.*/providers/Microsoft\.Storage/storageAccounts/[^/]+)', 1) AS st_account,
        json_extract_string(raw, '$.identity.authorization[0].principals[0].type') AS st_principal_type
    FROM activity_fields WHERE log_kind <> 'activity'
),
resource_principals AS (
    SELECT *,
        CASE WHEN log_kind = 'storage' THEN irkit_nz(o.identity.requester.objectId)
             ELSE coalesce(irkit_nz(claims."http://schemas.microsoft.com/identity/claims/objectidentifier"), irkit_nz(claims.oid),
                           irkit_nz(claims."http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"), irkit_nz(claims.upn)) END AS principal,
        CASE WHEN log_kind = 'storage' THEN irkit_nz(o.identity.requester.upn)
             ELSE coalesce(irkit_nz(claims."http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"), irkit_nz(claims.upn),
                           irkit_nz(claims.unique_name)) END AS user_claim,
        CASE WHEN log_kind = 'storage' THEN irkit_nz(o.identity.requester.appId)
             ELSE coalesce(irkit_nz(claims.appid), irkit_nz(claims.azp)) END AS client_id,
        CASE WHEN log_kind = 'storage' THEN irkit_nz(o.identity.requester.tenantId)
             ELSE coalesce(irkit_nz(claims."http://schemas.microsoft.com/identity/claims/tenantid"), irkit_nz(claims.tid)) END AS tenant,
        -- HTTP status: Storage statusCode, Key Vault properties.httpStatusCode (resultSignature is its text)
        TRY_CAST(CASE WHEN log_kind = 'storage' THEN o.statusCode ELSE o.properties.httpStatusCode END AS INTEGER) AS http_status,
        CASE WHEN log_kind = 'storage' THEN irkit_nz(o.statusText)
             ELSE concat_ws(': ', irkit_nz(o.resultSignature), irkit_nz(o.resultDescription)) END AS http_text,
        CASE WHEN log_kind = 'keyvault' AND irkit_nz(kv_object.name) IS NOT NULL
             THEN resource_id || '/' || kv_object.collection || '/' || kv_object.name
             WHEN log_kind = 'storage' AND st_service = 'blob' AND irkit_nz(st_object.object) IS NOT NULL
             THEN resource_id || '/containers/' || st_object.container || '/blobs/' || st_object.object
             WHEN log_kind = 'storage' AND irkit_nz(st_object.container) IS NOT NULL
             THEN resource_id || CASE st_service WHEN 'blob' THEN '/containers/' WHEN 'file' THEN '/shares/'
                                                 WHEN 'queue' THEN '/queues/' WHEN 'table' THEN '/tables/' ELSE '/' END
                              || st_object.container END AS object_uid,
        CASE WHEN log_kind = 'keyvault' AND irkit_nz(kv_object.name) IS NOT NULL
             THEN 'microsoft.keyvault/' || CASE WHEN lower(resource_id) LIKE '%/managedhsms/%' THEN 'managedhsms' ELSE 'vaults' END
                  || '/' || kv_object.collection
             WHEN log_kind = 'storage' AND st_service = 'blob' AND irkit_nz(st_object.object) IS NOT NULL
             THEN 'microsoft.storage/storageaccounts/blobservices/containers/blobs'
             WHEN log_kind = 'storage' AND irkit_nz(st_object.container) IS NOT NULL
             THEN 'microsoft.storage/storageaccounts/' || st_service || 'services/'
                  || CASE st_service WHEN 'blob' THEN 'containers' WHEN 'file' THEN 'shares' WHEN 'queue' THEN 'queues'
                                     WHEN 'table' THEN 'tables' ELSE 'objects' END END AS object_type,
        CASE WHEN log_kind = 'keyvault' THEN irkit_nz(kv_object.name)
             ELSE coalesce(irkit_nz(st_object.object), irkit_nz(st_object.container)) END AS object_name
    FROM resource_fields
),
resource_logs AS (
    SELECT file_id, evidence_offset, evidence_path, raw,
        'azure_activity' AS source,
        sha256(raw) AS event_uid,
        ts AS time,
        CASE WHEN log_kind = 'storage' OR (operation NOT LIKE 'Vault%' AND operation <> 'Authentication') THEN 'data_access'
             ELSE 'api_activity' END AS class_name,
        operation,
        CASE WHEN http_status BETWEEN 100 AND 399 THEN 'success'
             WHEN http_status >= 400 THEN 'failure'
             WHEN lower(result) IN ('succeeded', 'success') THEN 'success'
             WHEN lower(result) IN ('failed', 'failure') THEN 'failure'
             ELSE 'unknown' END AS status,
        nullif(concat_ws(': ', CAST(http_status AS VARCHAR), nullif(http_text, '')), '') AS status_detail,
        -- Shared key and SAS requests carry no principal: only the key (and the caller's address) is known.
        principal AS actor_uid,
        CASE WHEN principal IS NULL THEN NULL
             WHEN lower(claims.idtyp) = 'app' OR st_principal_type = 'ServicePrincipal' THEN 'service'
             WHEN lower(claims.idtyp) = 'user' OR st_principal_type = 'User' OR user_claim IS NOT NULL THEN 'human'
             WHEN client_id IS NOT NULL THEN 'service'
             ELSE 'unknown' END AS actor_type,
        user_claim AS actor_name,
        coalesce(irkit_nz(o.tenantId), tenant) AS account_uid,
        irkit_nz(o.correlationId) AS session_uid,
        CASE WHEN auth_type IN ('accountkey', 'sas', 'saskey') THEN irkit_nz(o.identity.tokenHash) ELSE client_id END AS credential_uid,
        CAST(NULL AS VARCHAR) AS delegator_uid,
        CASE WHEN log_kind = 'keyvault' THEN entra_keyvault_activity(operation)
             ELSE entra_storage_activity(operation, category) END AS activity,
        list_filter([
            -- an app-only token names the app (appid) and its service principal (oid / requester objectId)
            CASE WHEN client_id IS NOT NULL AND principal IS NOT NULL AND client_id <> principal
                      AND (lower(claims.idtyp) = 'app' OR st_principal_type = 'ServicePrincipal'
                           OR (claims.idtyp IS NULL AND st_principal_type IS NULL AND user_claim IS NULL))
                 THEN irkit_hop('same_as', client_id, principal, NULL, 'standing', NULL) END,
            -- a user's (delegated) token: the client app made this request for the user
            CASE WHEN client_id IS NOT NULL AND principal IS NOT NULL AND client_id <> principal
                      AND (lower(claims.idtyp) = 'user' OR st_principal_type = 'User'
                           OR (claims.idtyp IS NULL AND coalesce(st_principal_type, '') <> 'ServicePrincipal' AND user_claim IS NOT NULL))
                 THEN irkit_hop('on_behalf_of', principal, client_id, NULL, 'event', NULL) END
        ], lambda h: h IS NOT NULL) AS delegations,
        list_filter([
            CASE WHEN auth_type = 'accountkey' AND irkit_nz(o.identity.tokenHash) IS NOT NULL
                     THEN irkit_cred(o.identity.tokenHash, 'access_key', 'used', irkit_nz(st_account), 'account key', NULL)
                 WHEN auth_type IN ('sas', 'saskey') AND irkit_nz(o.identity.tokenHash) IS NOT NULL
                     THEN irkit_cred(o.identity.tokenHash, 'other', 'used', irkit_nz(st_account), 'shared access signature', NULL)
                 WHEN client_id IS NOT NULL THEN irkit_cred(client_id, 'oauth_client', 'used', client_id, NULL, NULL) END
        ], lambda c: c IS NOT NULL) AS credentials,
        -- The object acted on (a secret, key, certificate; a blob, container, share, queue, table), named
        -- under the resource id as given; else the resource itself.
        coalesce(object_uid, resource_id) AS target_uid,
        coalesce(object_type, entra_resource_type(resource_id)) AS target_type,
        coalesce(object_name, irkit_nz(split_part(rtrim(resource_id, '/'), '/', -1))) AS target_name,
        entra_resource_system(resource_id) AS target_system,
        list_sort(list_distinct(list_filter([
            entra_azure_resource(CASE WHEN object_uid IS NOT NULL THEN resource_id END),
            -- a blob's container
            entra_azure_resource(CASE WHEN log_kind = 'storage' AND st_service = 'blob' AND irkit_nz(st_object.object) IS NOT NULL
                                      THEN resource_id || '/containers/' || st_object.container END),
            entra_object(client_id, 'application')
        ], lambda x: x.uid IS NOT NULL))) AS resources,
        entra_ip(coalesce(irkit_nz(o.callerIpAddress), irkit_nz(claims.ipaddr))) AS src_ip,
        trim(coalesce(irkit_nz(o.properties.clientInfo), irkit_nz(o.properties.userAgentHeader)), '"') AS user_agent,
        CASE WHEN ts IS NULL THEN 'no readable time: ' || coalesce(ts_text, 'absent') END AS quarantine_reason
    FROM resource_principals
),

-- Everything else: not JSON, or not one of the three sources.
rejected AS (
    SELECT file_id, evidence_offset, evidence_path, raw,
        'entra' AS source,
        CASE
            WHEN o IS NULL THEN 'not valid JSON'
            -- AKS control-plane records (kube-audit, kube-audit-admin) in the same export: the k8s_audit loader reads them
            WHEN category ILIKE 'kube-audit%' THEN 'route:k8s_audit'
            WHEN lower(category) = 'microsoftgraphactivitylogs' THEN 'route:graph_activity'
            WHEN category ILIKE 'kube-%' THEN 'AKS ' || category || ' record: a control-plane log, not an audit record'
            WHEN exported THEN 'Azure Monitor ' || coalesce(category, 'uncategorised')
                || ' record: not a sign-in, directory audit or Activity log record'
            ELSE 'not an Entra ID sign-in, directory audit or Azure Activity log record'
        END AS quarantine_reason
    FROM sourced WHERE src IS NULL
)
SELECT *,
    CAST(NULL AS VARCHAR) AS trace_uid, CAST(NULL AS VARCHAR) AS span_uid,
    CAST(NULL AS VARCHAR) AS parent_span_uid, CAST(NULL AS VARCHAR) AS tool_name
FROM (
    SELECT * FROM signins
    UNION ALL BY NAME SELECT * FROM audits
    UNION ALL BY NAME SELECT * FROM activity
    UNION ALL BY NAME SELECT * FROM resource_logs
    UNION ALL BY NAME SELECT * FROM rejected
)
