-- GCP Cloud Audit Logs (LogEntry with an AuditLog protoPayload) -> normalized events.
-- Input: records(file_id, evidence_offset, evidence_path, raw). Binds nothing.
-- Each entry is parsed once against a fixed struct. Entries of the same export that are not audit
-- records (jsonPayload, textPayload, a protoPayload of another @type) are quarantined with a reason
-- naming what they are. GKE entries (serviceName k8s.io) get the Kubernetes target convention.

CREATE OR REPLACE TEMP MACRO gcp_audit_parse(txt) AS TRY(json_transform(txt, '{
    "insertId": "VARCHAR", "logName": "VARCHAR", "timestamp": "VARCHAR", "receiveTimestamp": "VARCHAR",
    "resource": {"type": "VARCHAR",
        "labels": {"project_id": "VARCHAR", "cluster_name": "VARCHAR", "email_id": "VARCHAR"}},
    "labels": {"authentication.kubernetes.io/issued-credential-id": "VARCHAR",
        "authentication.k8s.io/issued-credential-id": "VARCHAR"},
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
        "request": {"name": "VARCHAR", "delegates": ["VARCHAR"], "type": "VARCHAR",
            "metadata": {"name": "VARCHAR", "annotations": {"kubernetes.io/service-account.name": "VARCHAR"}}},
        "response": {"name": "VARCHAR", "email": "VARCHAR", "expireTime": "VARCHAR",
            "valid_before_time": "JSON", "validBeforeTime": "JSON",
            "status": {"expirationTimestamp": "VARCHAR"}},
        "metadata": {"identityDelegationChain": ["VARCHAR"], "mapped_principal": "VARCHAR",
            "mappedPrincipal": "VARCHAR"},
        "serviceData": {"policyDelta": {"bindingDeltas": [{"action": "VARCHAR", "member": "VARCHAR"}]},
            "permissionDelta": {"addedPermissions": ["VARCHAR"], "removedPermissions": ["VARCHAR"]}}
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

-- A service-account key in its canonical spelling, the same from creation to use to deletion:
-- 'projects/-/serviceAccounts/<account>/keys/<key id>', lower-cased. IAM names a created key
-- 'projects/<project>/serviceAccounts/<email>/keys/<id>', the key a request authenticated with
-- '//iam.googleapis.com/projects/<project>/serviceAccounts/<email>/keys/<id>', and a deletion as the
-- caller wrote it (often 'projects/-/...'); the project is dropped because the account names it (the IAM
-- API documents '-' as "infer the project from the account"). Any other text is kept as given.
CREATE OR REPLACE TEMP MACRO gcp_audit_key(n) AS (
    CASE WHEN regexp_full_match(n, '(//iam\.googleapis\.com/)?projects/[^/]+/serviceAccounts/[^/]+/keys/[^/]+')
         THEN 'projects/-/serviceAccounts/' || lower(regexp_extract(n, '/serviceAccounts/([^/]+)/keys/', 1))
              || '/keys/' || lower(regexp_extract(n, '/keys/([^/]+)$', 1))
         ELSE irkit_nz(n) END
);

-- The service account a key name belongs to (its <account>: an e-mail, or the account's unique id).
CREATE OR REPLACE TEMP MACRO gcp_audit_key_owner(n) AS irkit_nz(regexp_extract(n, '/serviceAccounts/([^/]+)/keys/', 1));

-- The service account a resource name names ('projects/-/serviceAccounts/<email or id>[/...]').
CREATE OR REPLACE TEMP MACRO gcp_audit_account(n) AS irkit_nz(regexp_extract(n, '(^|/)serviceAccounts/([^/]+)', 2));

-- A delegation authority or principalSubject as a principal uid: 'user:<email>' and
-- 'serviceAccount:<email>' lose their prefix (the spelling principalEmail uses); workload and workforce
-- identity subjects are kept as written.
CREATE OR REPLACE TEMP MACRO gcp_audit_subject(s) AS (
    CASE WHEN regexp_full_match(s, '(user|serviceAccount):[^\[\]/]+@[^\[\]/]+') THEN regexp_replace(s, '^[A-Za-z]+:', '')
         ELSE irkit_nz(s) END
);

-- Whether a subject is a federated (external or workload) identity: 'principal://' / 'principalSet://'
-- identities of workload or workforce pools, and GKE's legacy 'serviceAccount:<project>.svc.id.goog[<ns>/<ksa>]'.
CREATE OR REPLACE TEMP MACRO gcp_audit_federated(s) AS (
    s LIKE 'principal://%' OR s LIKE 'principalSet://%' OR regexp_matches(s, '^serviceAccount:[^@\[]*\.svc\.id\.goog\[')
);

-- The Kubernetes username of a GKE workload identity subject, else NULL:
-- 'serviceAccount:<project>.svc.id.goog[<ns>/<ksa>]' and
-- 'principal://iam.googleapis.com/projects/<n>/locations/global/workloadIdentityPools/<project>.svc.id.goog/subject/ns/<ns>/sa/<ksa>'
-- are both 'system:serviceaccount:<ns>:<ksa>' (the username the k8s_audit loader gives that pod's requests).
CREATE OR REPLACE TEMP MACRO gcp_audit_ksa(s) AS coalesce(
    CASE WHEN regexp_full_match(s, 'serviceAccount:[^\[]+\.svc\.id\.goog\[[^/\]]+/[^\]]+\]')
         THEN regexp_replace(s, '^serviceAccount:[^\[]+\[([^/]+)/([^\]]+)\]$', 'system:serviceaccount:\1:\2') END,
    CASE WHEN regexp_full_match(s, 'principal://iam\.googleapis\.com/projects/[^/]+/locations/global/workloadIdentityPools/[^/]+\.svc\.id\.goog/subject/ns/[^/]+/sa/[^/]+')
         THEN regexp_replace(s, '^.*/subject/ns/([^/]+)/sa/([^/]+)$', 'system:serviceaccount:\1:\2') END
);

-- A key's validBeforeTime ({"seconds": ...} in the proto-JSON of IAM's logs, or RFC 3339 text); NULL
-- for the 9999-12-31 IAM writes for a key that never expires.
CREATE OR REPLACE TEMP MACRO gcp_audit_key_expiry(j) AS (
    SELECT CASE WHEN t < TIMESTAMPTZ '9999-01-01' THEN t END
    FROM (SELECT CASE WHEN j IS NULL THEN NULL
                      WHEN json_type(j) = 'OBJECT' THEN to_timestamp(TRY_CAST(j ->> 'seconds' AS BIGINT))
                      ELSE irkit_ts(j ->> '$') END AS t)
);



-- The kind of act a GCP method's verb (the last part of methodName, lower-cased) names.
CREATE OR REPLACE TEMP MACRO gcp_audit_verb_activity(v) AS (
    CASE
        WHEN regexp_matches(v, '^(list|aggregatedlist|search)') THEN 'list'
        WHEN regexp_matches(v, '^(get|read|access|download|fetch|lookup|query|batchget|export|testiampermissions)') THEN 'read'
        WHEN regexp_matches(v, '^(create|insert|upload|import|add|clone|copy)') THEN 'create'
        WHEN regexp_matches(v, '^(update|patch|set|replace|enable|disable|undelete|modify|move|rename|resize|start|stop|reset|restore|rotate|write|put|mutate|commit|attach|detach|suspend|resume)') THEN 'update'
        WHEN regexp_matches(v, '^(delete|remove|destroy|purge|drop|cancel|truncate)') THEN 'delete'
        WHEN regexp_matches(v, '^(invoke|call|run|execute|exec|predict|rawpredict|streamrawpredict|generatecontent|streamgeneratecontent)') THEN 'invoke'
        ELSE 'other'
    END
);

-- A row of a BigQuery log sink, exported as JSON: the AuditLog in 'protopayload_auditlog' with its request,
-- response, metadata and service data as JSON text ('requestJson', ...), no @type. Rebuilt as the LogEntry it
-- was (raw stays the row).
CREATE OR REPLACE TEMP MACRO gcp_audit_from_bigquery(txt, pp) AS
    json_merge_patch(txt, json_object('protoPayload', json_merge_patch(pp, json_object(
        '@type', 'type.googleapis.com/google.cloud.audit.AuditLog',
        'request', TRY(CAST(pp ->> 'requestJson' AS JSON)), 'response', TRY(CAST(pp ->> 'responseJson' AS JSON)),
        'metadata', TRY(CAST(pp ->> 'metadataJson' AS JSON)), 'serviceData', TRY(CAST(pp ->> 'serviceDataJson' AS JSON))))));

WITH parsed AS (
    SELECT r.*,
        gcp_audit_parse(CASE WHEN contains(r.raw, '"protopayload_auditlog"')
            THEN TRY(gcp_audit_from_bigquery(r.raw, json_extract(r.raw, '$.protopayload_auditlog'))) ELSE r.raw END) AS e
    FROM records r
),
fields AS (
    SELECT *,
        e.protoPayload AS p,
        e.protoPayload.authenticationInfo AS ai,
        -- an AuditLog: by its @type, or (shippers that drop @type) a protoPayload naming a service and a method
        coalesce(e.protoPayload."@type" LIKE '%google.cloud.audit.AuditLog',
                 e.protoPayload.serviceName IS NOT NULL AND e.protoPayload.methodName IS NOT NULL) AS is_audit,
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
            [coalesce(irkit_nz(d.firstPartyPrincipal.principalEmail), gcp_audit_subject(d.principalSubject))
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
),
model AS (
    SELECT *,
        coalesce(irkit_nz(ai.principalEmail), irkit_nz(ai.principalSubject)) AS actor,
        coalesce(p.status.code, 0) = 0 AS ok,
        -- GKE methods: io.k8s.<group>.<version>.<resource>[.<subresource>].<verb>
        CASE WHEN is_k8s THEN method_verb END AS k8s_verb,
        CASE WHEN is_k8s AND len(string_split(p.methodName, '.')) >= 6 THEN string_split(p.methodName, '.')[5] END AS k8s_res,
        CASE WHEN is_k8s AND len(string_split(p.methodName, '.')) = 7 THEN string_split(p.methodName, '.')[6] END AS k8s_sub,
        -- the service account a credentials call is about: request.name (it holds the e-mail), else the resource's
        coalesce(gcp_audit_account(p.request.name), gcp_audit_account(p.resourceName)) AS about_sa,
        -- the key a key-management call is about, preferring a name that spells the account by e-mail
        list_filter([p.response.name, p.request.name, p.resourceName],
                    lambda n: n LIKE '%/serviceAccounts/%/keys/%') AS key_names,
        [upper(b.action) FOR b IN coalesce(p.serviceData.policyDelta.bindingDeltas, [])] AS delta_actions,
        CASE method_verb WHEN 'createserviceaccountkey' THEN 'created' WHEN 'uploadserviceaccountkey' THEN 'created'
                         WHEN 'deleteserviceaccountkey' THEN 'deleted' WHEN 'disableserviceaccountkey' THEN 'revoked' END AS key_action,
        coalesce(irkit_nz(e.labels."authentication.kubernetes.io/issued-credential-id"),
                 irkit_nz(e.labels."authentication.k8s.io/issued-credential-id")) AS k8s_issued_id
    FROM k8s_targets
),
lifecycle AS (
    SELECT *,
        coalesce(list_filter(key_names, lambda n: n LIKE '%@%')[1], key_names[1]) AS key_name,
        CASE WHEN k8s_res = 'serviceaccounts' AND k8s_sub = 'token' AND k8s_verb = 'create' AND k8s_object LIKE 'namespaces/%'
             THEN 'system:serviceaccount:' || split_part(k8s_object, '/', 2) || ':' || split_part(k8s_object, '/', 4) END AS token_sa,
        CASE WHEN k8s_res = 'secrets' AND k8s_verb = 'create' AND p.request.type = 'kubernetes.io/service-account-token'
                  AND k8s_object LIKE 'namespaces/%'
             THEN 'namespaces/' || split_part(k8s_object, '/', 2) || '/secrets/'
                  || coalesce(irkit_nz(p.request.metadata.name), split_part(k8s_object, '/', 4)) END AS sa_secret,
        CASE WHEN k8s_object LIKE 'namespaces/%' THEN split_part(k8s_object, '/', 2) END AS k8s_ns
    FROM model
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
        -- Google Workspace Login Audit (login.googleapis.com) is written to the data_access log: sign-ins all the same
        WHEN service = 'login' THEN 'authentication'
        WHEN e.logName LIKE '%data_access' THEN 'data_access'
        ELSE 'api_activity'
    END AS class_name,
    p.methodName AS operation,
    -- a Workspace login_failure carries no status: the method says it failed
    CASE WHEN service = 'login' AND method_verb = 'loginfailure' THEN 'failure'
         WHEN coalesce(p.status.code, 0) = 0 THEN 'success' ELSE 'failure' END AS status,
    CASE WHEN service = 'login' AND method_verb = 'loginfailure'
        THEN 'login_failure'
        WHEN coalesce(p.status.code, 0) <> 0
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
    gcp_audit_key(ai.serviceAccountKeyName) AS credential_uid,
    chain[1] AS delegator_uid,
    CASE
        WHEN NOT coalesce(is_audit, false) THEN NULL
        WHEN is_k8s THEN irkit_k8s_activity(k8s_verb, k8s_res, k8s_sub)
        WHEN method_verb IN ('generateaccesstoken', 'generateidtoken', 'signjwt', 'signblob', 'exchangetoken',
                             'generateidentitybindingaccesstoken') THEN 'authenticate'
        -- Workspace sign-ins (and their failures, challenges and logouts)
        WHEN service = 'login' AND method_verb IN ('loginsuccess', 'loginfailure', 'loginchallenge', 'logout',
                                                   'loginverification') THEN 'authenticate'
        -- IAP authorizing a user's request to an app behind it: the user signing in to that app
        WHEN service = 'iap' AND method_verb = 'authorizeuser' THEN 'authenticate'
        -- An IAM policy change gives or takes away what its binding deltas say (ADD / REMOVE).
        WHEN method_verb IN ('setiampolicy', 'setiampermissions') THEN
            CASE WHEN list_has_any(delta_actions, ['ADD', '1']) THEN 'grant'
                 WHEN list_has_any(delta_actions, ['REMOVE', '2']) THEN 'ungrant' ELSE 'update' END
        -- A custom role's permissions are its members': adding permissions grants, removing them ungrants.
        WHEN service = 'iam' AND method_verb IN ('createrole', 'undeleterole') THEN 'grant'
        WHEN service = 'iam' AND method_verb = 'updaterole' THEN
            CASE WHEN len(coalesce(p.serviceData.permissionDelta.addedPermissions, [])) = 0
                      AND len(coalesce(p.serviceData.permissionDelta.removedPermissions, [])) > 0 THEN 'ungrant'
                 ELSE 'grant' END
        WHEN service = 'iam' AND method_verb = 'deleterole' THEN 'ungrant'
        ELSE gcp_audit_verb_activity(method_verb)
    END AS activity,
    list_filter(list_concat(
        -- event: the documented order is the original order of delegation, so each authority acted
        -- through the next one and the last one through the actor (federated subjects federate).
        [irkit_hop(CASE WHEN gcp_audit_federated(chain[i]) THEN 'federate' ELSE 'impersonate' END,
                       chain[i], coalesce(chain[i + 1], actor), NULL, 'event', NULL)
            FOR i IN range(1, len(chain) + 1)],
        -- standing: a GKE workload identity subject is its Kubernetes service account.
        list_distinct([irkit_hop('same_as', s, gcp_audit_ksa(s), NULL, 'standing', NULL)
            FOR s IN list_append(chain, irkit_nz(ai.principalSubject)) IF gcp_audit_ksa(s) IS NOT NULL]),
        -- grant: a short-lived credential of a service account handed to the caller (no token id is
        -- logged), a federated token for the mapped principal, a Kubernetes TokenRequest.
        [irkit_hop('impersonate', actor, about_sa, NULL, 'grant', irkit_ts(p.response.expireTime))
            FOR x IN [1] IF ok AND service IN ('iamcredentials', 'iam')
                            AND method_verb IN ('generateaccesstoken', 'generateidtoken', 'signjwt', 'signblob')],
        [irkit_hop('federate', actor, coalesce(irkit_nz(p.metadata.mapped_principal), irkit_nz(p.metadata.mappedPrincipal)),
                       NULL, 'grant', NULL)
            FOR x IN [1] IF ok AND method_verb = 'exchangetoken'],
        [irkit_hop('impersonate', actor, token_sa, k8s_issued_id, 'grant', irkit_ts(p.response.status.expirationTimestamp))
            FOR x IN [1] IF ok AND token_sa IS NOT NULL]
    ), lambda h: h.from_uid IS NOT NULL AND h.to_uid IS NOT NULL AND h.from_uid <> h.to_uid) AS delegations,
    list_filter([
        -- the key the request authenticated with (used, whatever the outcome)
        irkit_cred(gcp_audit_key(ai.serviceAccountKeyName), 'service_account_key', 'used',
                       coalesce(gcp_audit_key_owner(ai.serviceAccountKeyName), irkit_nz(ai.principalEmail)), NULL, NULL),
        -- a key created, uploaded, disabled or deleted by a successful request
        CASE WHEN ok AND key_action IS NOT NULL AND key_name IS NOT NULL THEN
            irkit_cred(gcp_audit_key(key_name), 'service_account_key', key_action, gcp_audit_key_owner(key_name), NULL,
                           CASE WHEN key_action = 'created' THEN gcp_audit_key_expiry(coalesce(p.response.valid_before_time, p.response.validBeforeTime)) END)
        END,
        -- short-lived tokens handed out (their value is never logged, so they have no uid)
        CASE WHEN ok AND service IN ('iamcredentials', 'iam') AND method_verb IN ('generateaccesstoken', 'generateidtoken', 'signjwt') THEN
            irkit_cred(NULL, CASE WHEN method_verb = 'signjwt' THEN 'other' ELSE 'oauth_token' END, 'issued', about_sa, NULL,
                           irkit_ts(p.response.expireTime))
        END,
        CASE WHEN ok AND method_verb = 'exchangetoken' THEN
            irkit_cred(NULL, 'oauth_token', 'issued',
                           coalesce(irkit_nz(p.metadata.mapped_principal), irkit_nz(p.metadata.mappedPrincipal), actor), NULL, NULL)
        END,
        -- GKE: a TokenRequest's token (its JTI where the audit annotation is logged), a legacy token Secret
        CASE WHEN ok AND token_sa IS NOT NULL THEN
            irkit_cred(k8s_issued_id, 'service_account_token', 'issued', token_sa, NULL, irkit_ts(p.response.status.expirationTimestamp))
        END,
        CASE WHEN ok AND sa_secret IS NOT NULL THEN
            irkit_cred(sa_secret, 'service_account_token', 'created',
                           'system:serviceaccount:' || k8s_ns || ':' || p.request.metadata.annotations."kubernetes.io/service-account.name",
                           split_part(sa_secret, '/', -1), NULL)
        END
    ], lambda c: c IS NOT NULL AND (c.uid IS NOT NULL OR c.action = 'issued')) AS credentials,
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
        -- A key this request created, canonical (the key it authenticated with is in credentials, not here).
        [struct_pack(uid := gcp_audit_key(k), type := 'credential', system := 'gcp:iam')
            FOR k IN [p.response.name] IF ok AND key_action = 'created' AND k LIKE '%/keys/%']
    ), lambda x: x.uid IS NOT NULL AND x.uid NOT IN (coalesce(p.resourceName, ''), coalesce(k8s_object, '')) AND x.uid <> coalesce(ai.principalEmail, '')))) AS resources,
    -- 'private', 'gce-internal-ip' (internal callers) are no address: raw keeps them
    irkit_ip(p.requestMetadata.callerIp) AS src_ip,
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
FROM lifecycle
