-- GCP Cloud Audit Logs (LogEntry with an AuditLog protoPayload) -> normalized events.
-- Input: records(file_id, evidence_offset, evidence_path, raw). Binds nothing.
-- Each entry is parsed once against a fixed struct. Entries of the same export that are not audit
-- records (jsonPayload, textPayload, a protoPayload of another @type) are quarantined with a reason
-- naming what they are. GKE entries (serviceName k8s.io) get the Kubernetes target convention.

CREATE OR REPLACE TEMP MACRO gcp_audit_parse(txt) AS TRY(json_transform(txt, '{
    "insertId": "VARCHAR", "logName": "VARCHAR", "timestamp": "VARCHAR", "receiveTimestamp": "VARCHAR",
    "resource": {"type": "VARCHAR",
        "labels": {"project_id": "VARCHAR", "cluster_name": "VARCHAR", "email_id": "VARCHAR"}},
    "textPayload": "VARCHAR", "jsonPayload": "JSON",
    "protoPayload": {
        "@type": "VARCHAR", "serviceName": "VARCHAR", "methodName": "VARCHAR", "resourceName": "VARCHAR",
        "status": {"code": "BIGINT", "message": "VARCHAR"},
        "authenticationInfo": {"principalEmail": "VARCHAR", "principalSubject": "VARCHAR",
            "serviceAccountKeyName": "VARCHAR",
            "serviceAccountDelegationInfo": [{"principalSubject": "VARCHAR",
                "firstPartyPrincipal": {"principalEmail": "VARCHAR"}}]},
        "authorizationInfo": [{"resource": "VARCHAR", "permission": "VARCHAR",
            "resourceAttributes": {"name": "VARCHAR", "type": "VARCHAR"}}],
        "requestMetadata": {"callerIp": "VARCHAR", "callerSuppliedUserAgent": "VARCHAR"},
        "request": {"name": "VARCHAR"},
        "response": {"name": "VARCHAR", "email": "VARCHAR"},
        "metadata": {"identityDelegationChain": ["VARCHAR"]},
        "serviceData": {"policyDelta": {"bindingDeltas": [{"member": "VARCHAR"}]}}
    }
}'));

-- The canonical name of a google.rpc.Code number.
CREATE OR REPLACE TEMP MACRO gcp_audit_code_name(c) AS (
    ['CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS',
     'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE',
     'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED'][c]
);

-- A principal named by a record: a service account (by e-mail when the name holds one:
-- 'projects/-/serviceAccounts/<email>' -> '<email>') or another principal.
CREATE OR REPLACE TEMP MACRO gcp_audit_principal(p) AS struct_pack(
    uid := CASE WHEN p LIKE '%/serviceAccounts/%@%' THEN split_part(split_part(p, '/serviceAccounts/', 2), '/', 1) ELSE p END,
    type := CASE WHEN p LIKE '%gserviceaccount.com' OR p LIKE '%/serviceAccounts/%' THEN 'service_account' ELSE 'principal' END,
    system := 'gcp:iam'
);

-- The resource type an authorizationInfo entry gives: its attributes' type, else its permission
-- without the verb ('storage.objects.get' -> 'storage.objects').
CREATE OR REPLACE TEMP MACRO gcp_audit_authz_type(a) AS coalesce(
    irkit_nz(a.resourceAttributes.type),
    nullif(left(a.permission, length(a.permission) - strpos(reverse(a.permission), '.')), '')
);

WITH parsed AS (
    SELECT r.*, gcp_audit_parse(r.raw) AS e FROM records r
),
fields AS (
    SELECT *,
        e.protoPayload AS p,
        e.protoPayload.authenticationInfo AS ai,
        e.protoPayload."@type" LIKE '%google.cloud.audit.AuditLog' AS is_audit,
        e.protoPayload.serviceName = 'k8s.io' AS is_k8s,
        lower(split_part(e.protoPayload.methodName, '.', -1)) AS method_verb,
        irkit_nz(split_part(e.protoPayload.serviceName, '.', 1)) AS service,
        coalesce(irkit_ts(e.timestamp), irkit_ts(e.receiveTimestamp)) AS ts,
        coalesce(
            irkit_nz(e.resource.labels.project_id),
            CASE WHEN e.logName LIKE 'projects/%' THEN split_part(e.logName, '/', 2)
                 WHEN e.logName LIKE '%/%/logs/%' THEN split_part(e.logName, '/', 1) || '/' || split_part(e.logName, '/', 2)
            END
        ) AS account,
        -- The first non-empty authority of the delegation chain (the list may hold empty objects).
        list_filter(
            [coalesce(irkit_nz(d.firstPartyPrincipal.principalEmail), irkit_nz(d.principalSubject))
                FOR d IN coalesce(e.protoPayload.authenticationInfo.serviceAccountDelegationInfo, [])],
            lambda x: x IS NOT NULL
        ) AS chain
    FROM parsed
),
k8s AS (
    -- GKE resourceName is '<group>/<version>/namespaces/<ns>/<resource>/<name>' (or cluster-scoped
    -- '<group>/<version>/<resource>/<name>'); non-resource URLs ('readyz', 'api/v1') carry no version.
    SELECT *,
        CASE WHEN is_k8s THEN string_split(p.resourceName, '/') END AS k8s_parts
    FROM fields
),
targets AS (
    SELECT *,
        -- The object path without '<group>/<version>/'; NULL for a non-resource URL.
        CASE
            WHEN is_k8s AND len(k8s_parts) >= 3 AND regexp_full_match(k8s_parts[2], 'v[0-9][a-z0-9]*')
                THEN array_to_string(k8s_parts[3:], '/')
        END AS k8s_object,
        CASE WHEN is_k8s THEN 'k8s' || coalesce(':' || irkit_nz(e.resource.labels.cluster_name), '')
             WHEN service IS NOT NULL THEN 'gcp:' || service END AS system
    FROM k8s
),
k8s_targets AS (
    -- namespaces/<ns>/<resource>[/<name>[/<subresource>]] or <resource>[/<name>[/<subresource>]]
    SELECT *,
        CASE WHEN k8s_object LIKE 'namespaces/%/%' THEN 3 ELSE 1 END AS k8s_at
    FROM targets
)
SELECT
    file_id, evidence_offset, evidence_path, raw,
    'gcp_audit' AS source,
    coalesce(irkit_nz(e.insertId), sha256(raw)) AS event_uid,
    ts AS time,
    CASE
        WHEN method_verb IN ('generateaccesstoken', 'generateidtoken', 'signjwt', 'signblob', 'exchangetoken',
                             'generateidentitybindingaccesstoken') THEN 'authentication'
        WHEN method_verb IN ('setiampolicy', 'setiampermissions')
             OR (service = 'iam' AND regexp_matches(method_verb, '^(create|delete|undelete|update|patch|enable|disable|upload|set)'))
            THEN 'account_change'
        WHEN e.logName LIKE '%data_access' THEN 'data_access'
        ELSE 'api_activity'
    END AS class_name,
    p.methodName AS operation,
    CASE WHEN coalesce(p.status.code, 0) = 0 THEN 'success' ELSE 'failure' END AS status,
    CASE WHEN coalesce(p.status.code, 0) <> 0
        THEN coalesce(gcp_audit_code_name(p.status.code) || ' (' || p.status.code || ')', 'code ' || p.status.code)
             || coalesce(': ' || nullif(irkit_nz(p.status.message), gcp_audit_code_name(p.status.code)), '')
    END AS status_detail,
    coalesce(irkit_nz(ai.principalEmail), irkit_nz(ai.principalSubject)) AS actor_uid,
    CASE
        WHEN coalesce(irkit_nz(ai.principalEmail), irkit_nz(ai.principalSubject)) IS NULL THEN NULL
        WHEN ai.principalEmail LIKE '%gserviceaccount.com' OR ai.principalSubject LIKE 'serviceAccount:%'
             OR ai.principalEmail LIKE 'system:serviceaccount:%'
             OR ai.principalSubject LIKE 'principal%://%/workloadIdentityPools/%' THEN 'service'
        WHEN ai.principalEmail = 'system:anonymous' THEN 'unknown'
        WHEN ai.principalEmail LIKE 'system:%' THEN 'service'
        WHEN ai.principalSubject LIKE 'user:%' OR ai.principalSubject LIKE 'principal%://%/workforcePools/%'
             OR ai.principalEmail LIKE '%@%' THEN 'human'
        ELSE 'unknown'
    END AS actor_type,
    CAST(NULL AS VARCHAR) AS actor_name,
    account AS account_uid,
    CAST(NULL AS VARCHAR) AS session_uid,
    irkit_nz(ai.serviceAccountKeyName) AS credential_uid,
    chain[1] AS delegator_uid,
    CASE WHEN NOT is_k8s THEN irkit_nz(p.resourceName)
         ELSE coalesce(k8s_object, '/' || p.resourceName) END AS target_uid,
    CASE
        WHEN NOT is_k8s THEN coalesce(
            irkit_nz(p.authorizationInfo[1].resourceAttributes.type),
            CASE WHEN p.authorizationInfo[1].resource = p.resourceName THEN gcp_audit_authz_type(p.authorizationInfo[1]) END,
            irkit_nz(e.resource.type))
        WHEN k8s_object IS NULL THEN 'nonresource_url'
        ELSE split_part(k8s_object, '/', k8s_at)
    END AS target_type,
    CASE WHEN NOT is_k8s THEN irkit_nz(split_part(p.resourceName, '/', -1))
         ELSE irkit_nz(split_part(k8s_object, '/', k8s_at + 1)) END AS target_name,
    system AS target_system,
    list_sort(list_distinct(list_filter(list_concat(
        [struct_pack(
            uid := coalesce(irkit_nz(a.resource), irkit_nz(a.resourceAttributes.name)),
            type := gcp_audit_authz_type(a),
            system := system)
            FOR a IN coalesce(p.authorizationInfo, [])],
        [struct_pack(uid := irkit_nz(a.resourceAttributes.name), type := irkit_nz(a.resourceAttributes.type), system := system)
            FOR a IN coalesce(p.authorizationInfo, [])],
        [gcp_audit_principal(d) FOR d IN chain],
        [gcp_audit_principal(d) FOR d IN coalesce(p.metadata.identityDelegationChain, [])],
        [gcp_audit_principal(irkit_nz(e.resource.labels.email_id))],
        -- Principals granted or removed by an IAM policy change ('serviceAccount:' / 'user:' prefix dropped).
        [gcp_audit_principal(regexp_replace(b.member, '^(serviceAccount|user):', ''))
            FOR b IN coalesce(p.serviceData.policyDelta.bindingDeltas, []) IF irkit_nz(b.member) IS NOT NULL],
        [gcp_audit_principal(x) FOR x IN [p.request.name, p.response.email] IF x LIKE '%/serviceAccounts/%' OR x LIKE '%gserviceaccount.com'],
        [struct_pack(uid := irkit_nz(ai.serviceAccountKeyName), type := 'credential', system := 'gcp:iam')],
        [struct_pack(uid := k, type := 'credential', system := 'gcp:iam')
            FOR k IN [p.response.name] IF k LIKE '%/keys/%']
    ), lambda x: x.uid IS NOT NULL AND x.uid NOT IN (coalesce(p.resourceName, ''), coalesce(k8s_object, '')) AND x.uid <> coalesce(ai.principalEmail, '')))) AS resources,
    irkit_nz(p.requestMetadata.callerIp) AS src_ip,
    irkit_nz(p.requestMetadata.callerSuppliedUserAgent) AS user_agent,
    CAST(NULL AS VARCHAR) AS trace_uid,
    CAST(NULL AS VARCHAR) AS span_uid,
    CAST(NULL AS VARCHAR) AS parent_span_uid,
    CAST(NULL AS VARCHAR) AS tool_name,
    CASE
        WHEN e IS NULL THEN 'not valid JSON'
        WHEN is_audit AND ts IS NULL THEN 'no readable timestamp: ' || coalesce(e.timestamp, e.receiveTimestamp, 'absent')
        WHEN is_audit THEN NULL
        WHEN p."@type" IS NOT NULL THEN 'not an audit log entry (protoPayload ' || p."@type" || ')'
        WHEN e.jsonPayload IS NOT NULL THEN 'not an audit log entry (jsonPayload)'
        WHEN e.textPayload IS NOT NULL THEN 'not an audit log entry (textPayload)'
        ELSE 'not a Cloud Logging audit entry (no AuditLog protoPayload)'
    END AS quarantine_reason
FROM k8s_targets
