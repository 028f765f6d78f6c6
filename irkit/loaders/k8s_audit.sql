-- Kubernetes audit records -> normalized events.
-- Input: records(file_id, evidence_offset, evidence_path, raw). Binds nothing.
-- One fixed struct reads all three shapes: a raw audit.k8s.io Event (its fields at the top level), a
-- GKE Cloud Logging entry (protoPayload, resource, operation, insertId) and an AKS diagnostic record
-- (category, resourceId, properties.log). properties.log is typed JSON because AKS writes it either as
-- an object or as a JSON string of the Event; only those rows parse it a second time, with the same
-- struct. Request/response bodies are read for the names they reference (RBAC roleRef and subjects,
-- the service account a pod runs as, the name of a created object) and nothing else.

CREATE OR REPLACE TEMP MACRO k8s_audit_parse(txt) AS TRY(json_transform(txt, '{
    "kind": "VARCHAR", "apiVersion": "VARCHAR", "auditID": "VARCHAR", "stage": "VARCHAR",
    "requestURI": "VARCHAR", "verb": "VARCHAR", "userAgent": "VARCHAR", "sourceIPs": ["VARCHAR"],
    "user": {"username": "VARCHAR",
        "extra": {"authentication.kubernetes.io/credential-id": ["VARCHAR"]}},
    "impersonatedUser": {"username": "VARCHAR"},
    "objectRef": {"resource": "VARCHAR", "namespace": "VARCHAR", "name": "VARCHAR",
        "apiGroup": "VARCHAR", "subresource": "VARCHAR"},
    "responseStatus": {"code": "VARCHAR", "reason": "VARCHAR", "message": "VARCHAR"},
    "requestObject": {"metadata": {"name": "VARCHAR", "annotations": {"kubernetes.io/service-account.name": "VARCHAR"}},
        "type": "VARCHAR",
        "roleRef": {"kind": "VARCHAR", "name": "VARCHAR"},
        "subjects": [{"kind": "VARCHAR", "name": "VARCHAR", "namespace": "VARCHAR"}],
        "spec": {"serviceAccountName": "VARCHAR"}},
    "responseObject": {"metadata": {"name": "VARCHAR"}, "spec": {"serviceAccountName": "VARCHAR"}, "status": "JSON"},
    "requestReceivedTimestamp": "VARCHAR", "stageTimestamp": "VARCHAR", "timestamp": "VARCHAR",
    "annotations": {"authorization.k8s.io/decision": "VARCHAR", "authorization.k8s.io/reason": "VARCHAR",
        "authentication.kubernetes.io/issued-credential-id": "VARCHAR", "authentication.k8s.io/issued-credential-id": "VARCHAR"},
    "category": "VARCHAR", "resourceId": "VARCHAR", "time": "VARCHAR", "properties": {"log": "JSON"},
    "insertId": "VARCHAR",
    "resource": {"labels": {"cluster_name": "VARCHAR"}},
    "labels": {"authorization.k8s.io/decision": "VARCHAR", "authorization.k8s.io/reason": "VARCHAR",
        "authentication.kubernetes.io/issued-credential-id": "VARCHAR", "authentication.k8s.io/issued-credential-id": "VARCHAR"},
    "protoPayload": {"serviceName": "VARCHAR", "methodName": "VARCHAR", "resourceName": "VARCHAR",
        "authenticationInfo": {"principalEmail": "VARCHAR",
            "serviceAccountDelegationInfo": [{"principalSubject": "VARCHAR",
                "firstPartyPrincipal": {"principalEmail": "VARCHAR"}}]},
        "requestMetadata": {"callerIp": "VARCHAR", "callerSuppliedUserAgent": "VARCHAR"},
        "status": {"code": "VARCHAR", "message": "VARCHAR"},
        "request": {"metadata": {"name": "VARCHAR", "annotations": {"kubernetes.io/service-account.name": "VARCHAR"}},
            "type": "VARCHAR",
            "roleRef": {"kind": "VARCHAR", "name": "VARCHAR"},
            "subjects": [{"kind": "VARCHAR", "name": "VARCHAR", "namespace": "VARCHAR"}],
            "spec": {"serviceAccountName": "VARCHAR"}},
        "response": {"metadata": {"name": "VARCHAR"}, "spec": {"serviceAccountName": "VARCHAR"}, "status": "JSON"}}
}'));


-- A delegation authority of a GKE entry as a principal uid (the gcp_audit loader's rule): the
-- first-party e-mail, else the subject without a 'user:' / 'serviceAccount:' prefix before an e-mail.
CREATE OR REPLACE TEMP MACRO k8s_audit_authority(email, subject) AS coalesce(
    irkit_nz(email),
    CASE WHEN regexp_full_match(subject, '(user|serviceAccount):[^\[\]/]+@[^\[\]/]+') THEN regexp_replace(subject, '^[A-Za-z]+:', '')
         ELSE irkit_nz(subject) END
);


WITH outer_parsed AS (
    SELECT r.*, k8s_audit_parse(r.raw) AS o FROM records r
),
parsed AS (
    SELECT file_id, evidence_offset, evidence_path, raw, o,
        o.category LIKE 'kube-audit%' AS aks,
        o.protoPayload.serviceName IS NOT NULL AS gcp,
        CASE
            WHEN o.category LIKE 'kube-audit%' AND json_type(o.properties.log) = 'VARCHAR'
                THEN k8s_audit_parse(o.properties.log ->> '$')
            WHEN o.category LIKE 'kube-audit%' THEN k8s_audit_parse(o.properties.log)
            ELSE o
        END AS e
    FROM outer_parsed
),
-- GKE entries carry no objectRef: rebuild it from resourceName
-- (<group>/<version>[/namespaces/<ns>]/<resource>[/<name>[/<subresource>]]), as Falco's GKE plugin does.
-- A methodName of three parts (io.k8s.get) is a non-resource URL such as readyz.
gke AS (
    SELECT *,
        string_split(e.protoPayload.resourceName, '/') AS rn,
        len(string_split(e.protoPayload.methodName, '.')) <= 3 AS gke_nonresource
    FROM parsed
),
fields AS (
    SELECT *,
        CASE WHEN gcp THEN split_part(e.protoPayload.methodName, '.', -1) ELSE e.verb END AS verb,
        CASE
            WHEN NOT gcp THEN e.objectRef
            WHEN gke_nonresource OR len(rn) < 3 THEN NULL
            WHEN rn[3] = 'namespaces' AND len(rn) >= 5
                THEN struct_pack(resource := rn[5], namespace := rn[4], name := rn[6], apiGroup := rn[1], subresource := rn[7])
            WHEN rn[3] = 'namespaces' AND len(rn) = 4
                THEN struct_pack(resource := rn[3], namespace := NULL, name := rn[4], apiGroup := rn[1], subresource := NULL)
            ELSE struct_pack(resource := rn[3], namespace := NULL, name := rn[4], apiGroup := rn[1], subresource := rn[5])
        END AS ref,
        CASE WHEN gcp THEN e.protoPayload.request ELSE e.requestObject END AS req_obj,
        CASE WHEN gcp THEN e.protoPayload.response.metadata.name ELSE e.responseObject.metadata.name END AS created_name,
        coalesce(CASE WHEN gcp THEN e.protoPayload.request.spec.serviceAccountName ELSE e.requestObject.spec.serviceAccountName END,
                 CASE WHEN gcp THEN e.protoPayload.response.spec.serviceAccountName ELSE e.responseObject.spec.serviceAccountName END) AS pod_sa,
        irkit_nz(CASE WHEN gcp THEN e.protoPayload.authenticationInfo.principalEmail ELSE e.user.username END) AS real_user,
        irkit_nz(e.impersonatedUser.username) AS as_user,
        irkit_nz(e.user.extra."authentication.kubernetes.io/credential-id"[1]) AS credential_id,
        coalesce(irkit_nz(e.annotations."authentication.kubernetes.io/issued-credential-id"),
                 irkit_nz(e.annotations."authentication.k8s.io/issued-credential-id"),
                 irkit_nz(e.labels."authentication.kubernetes.io/issued-credential-id"),
                 irkit_nz(e.labels."authentication.k8s.io/issued-credential-id")) AS issued_id,
        irkit_ts(json_extract_string(CASE WHEN gcp THEN e.protoPayload.response.status ELSE e.responseObject.status END,
                                     '$.expirationTimestamp')) AS token_expires,
        -- GKE: the delegation chain, in its documented order (the original caller first), empty entries dropped
        list_filter([k8s_audit_authority(d.firstPartyPrincipal.principalEmail, d.principalSubject)
                     FOR d IN coalesce(e.protoPayload.authenticationInfo.serviceAccountDelegationInfo, [])],
                    lambda x: x IS NOT NULL) AS chain,
        coalesce(e.annotations."authorization.k8s.io/decision", e.labels."authorization.k8s.io/decision") AS decision,
        irkit_nz(coalesce(e.annotations."authorization.k8s.io/reason", e.labels."authorization.k8s.io/reason")) AS authz_reason,
        coalesce(irkit_ts(e.requestReceivedTimestamp), irkit_ts(e.stageTimestamp), irkit_ts(e.timestamp),
                 irkit_ts(o.time)) AS ts,
        CASE
            WHEN gcp THEN irkit_nz(e.resource.labels.cluster_name)
            WHEN aks THEN irkit_nz(split_part(split_part(lower(o.resourceId), '/managedclusters/', 2), '/', 1))
        END AS cluster
    FROM gke
),
targets AS (
    SELECT *,
        coalesce(as_user, real_user) AS actor,
        CASE WHEN cluster IS NOT NULL THEN 'k8s:' || cluster ELSE 'k8s' END AS system,
        ref.resource || coalesce('/' || ref.subresource, '') AS resource_path,
        coalesce(ref.name, CASE WHEN verb = 'create' AND ref.subresource IS NULL
                                THEN coalesce(created_name, req_obj.metadata.name) END) AS obj_name,
        CASE WHEN gcp THEN '/' || e.protoPayload.resourceName ELSE split_part(e.requestURI, '?', 1) END AS url_path,
        TRY_CAST(e.responseStatus.code AS INTEGER) AS http_code,
        TRY_CAST(e.protoPayload.status.code AS INTEGER) AS rpc_code
    FROM fields
),
shaped AS (
    SELECT *,
        CASE WHEN ref.resource = 'serviceaccounts' AND ref.subresource = 'token' AND verb = 'create'
                  AND ref.namespace IS NOT NULL AND ref.name IS NOT NULL
             THEN 'system:serviceaccount:' || ref.namespace || ':' || ref.name END AS token_sa,
        CASE
            WHEN ref.resource IS NULL THEN NULL
            WHEN obj_name IS NULL THEN coalesce('namespaces/' || ref.namespace || '/', '') || ref.resource
            ELSE coalesce('namespaces/' || ref.namespace || '/', '') || ref.resource || '/' || obj_name
                 || coalesce('/' || ref.subresource, '')
        END AS obj_uid,
        CASE
            WHEN ref.resource IN ('subjectaccessreviews', 'selfsubjectaccessreviews',
                                  'localsubjectaccessreviews', 'selfsubjectrulesreviews') THEN 'authorization'
            WHEN ref.resource IN ('tokenreviews', 'selfsubjectreviews') THEN 'authentication'
            WHEN ref.resource = 'serviceaccounts' AND ref.subresource = 'token' AND verb = 'create' THEN 'account_change'
            WHEN ref.resource = 'certificatesigningrequests' AND ref.subresource = 'approval' THEN 'account_change'
            WHEN (ref.resource IN ('roles', 'rolebindings', 'clusterroles', 'clusterrolebindings')
                  OR (ref.resource = 'serviceaccounts' AND ref.subresource IS NULL))
                 AND verb IN ('create', 'update', 'patch', 'delete', 'deletecollection') THEN 'account_change'
            WHEN ref.resource IN ('secrets', 'configmaps') AND ref.subresource IS NULL
                 AND verb IN ('get', 'list', 'watch') THEN 'data_access'
            ELSE 'api_activity'
        END AS class_name,
        CASE
            WHEN http_code >= 400 THEN 'failure'
            WHEN coalesce(rpc_code, 0) <> 0 THEN 'failure'
            WHEN decision = 'forbid' THEN 'failure'
            WHEN e.stage = 'Panic' THEN 'failure'
            WHEN http_code IS NOT NULL OR gcp THEN 'success'
            ELSE 'unknown'
        END AS status
    FROM targets
)
SELECT
    file_id, evidence_offset, evidence_path, raw,
    'k8s_audit' AS source,
    CASE
        WHEN gcp THEN coalesce(irkit_nz(e.insertId), sha256(raw))
        WHEN irkit_nz(e.auditID) IS NOT NULL AND ts IS NOT NULL
            THEN e.auditID || ':' || coalesce(e.stage, '') || ':' || strftime(ts, '%Y-%m-%dT%H:%M:%S.%fZ')
        ELSE sha256(raw)
    END AS event_uid,
    ts AS time,
    class_name,
    verb || ' ' || coalesce(resource_path, url_path) AS operation,
    status,
    CASE
        WHEN http_code >= 400 THEN concat_ws(': ', concat_ws(' ', http_code, irkit_nz(e.responseStatus.reason)),
                           irkit_nz(e.responseStatus.message), authz_reason)
        WHEN coalesce(rpc_code, 0) <> 0 THEN concat_ws(': ', rpc_code, irkit_nz(e.protoPayload.status.message))
        WHEN decision = 'forbid' THEN concat_ws(': ', 'forbid', authz_reason)
        WHEN e.stage = 'Panic' THEN 'Panic'
        ELSE authz_reason
    END AS status_detail,
    actor AS actor_uid,
    CASE
        WHEN actor IS NULL THEN NULL
        WHEN actor = 'system:anonymous' THEN 'unknown'
        WHEN actor LIKE 'system:%' THEN 'service'
        WHEN actor LIKE '%.gserviceaccount.com' THEN 'service'
        WHEN actor IN ('aksService', 'masterclient', 'nodeclient', 'aksProblemDetector') THEN 'service'
        WHEN actor LIKE '%@%' THEN 'human'
        ELSE 'unknown'
    END AS actor_type,
    CASE WHEN actor LIKE 'system:serviceaccount:%' OR actor LIKE 'system:node:%'
         THEN split_part(actor, ':', -1) ELSE actor END AS actor_name,
    cluster AS account_uid,
    CAST(NULL AS VARCHAR) AS session_uid,
    credential_id AS credential_uid,
    CASE WHEN as_user IS NOT NULL THEN real_user ELSE chain[1] END AS delegator_uid,
    irkit_k8s_activity(verb, ref.resource, ref.subresource) AS activity,
    list_filter(list_concat(
        -- event: kubectl --as (the Impersonate-User header): the authenticated user acted as the impersonated one
        [irkit_hop('impersonate', real_user, as_user, NULL, 'event', NULL) FOR x IN [1] IF as_user IS NOT NULL],
        -- event (GKE): each delegation authority through the next, the last through the actor
        [irkit_hop('impersonate', chain[i], coalesce(chain[i + 1], actor), NULL, 'event', NULL)
            FOR i IN range(1, len(chain) + 1)],
        -- grant: a TokenRequest hands the caller a token of the service account until it expires
        [irkit_hop('impersonate', actor, token_sa, issued_id, 'grant', token_expires)
            FOR x IN [1] IF status = 'success' AND token_sa IS NOT NULL]
    ), lambda h: h.from_uid IS NOT NULL AND h.to_uid IS NOT NULL AND h.from_uid <> h.to_uid) AS delegations,
    list_filter([
        -- the credential the request authenticated with: it is the authenticated (real) user's, not the
        -- impersonated user's
        CASE WHEN credential_id IS NOT NULL THEN
            irkit_cred(credential_id,
                           CASE WHEN credential_id LIKE 'JTI=%' THEN 'service_account_token'
                                WHEN credential_id LIKE 'X509SHA256=%' THEN 'certificate' ELSE 'other' END,
                           'used', real_user, NULL, NULL)
        END,
        CASE WHEN status = 'success' AND token_sa IS NOT NULL THEN
            irkit_cred(issued_id, 'service_account_token', 'issued', token_sa, NULL, token_expires)
        END,
        -- a legacy token Secret: the token controller fills it with a long-lived token of the annotated account
        CASE WHEN status = 'success' AND ref.resource = 'secrets' AND ref.subresource IS NULL AND verb = 'create'
                  AND req_obj.type = 'kubernetes.io/service-account-token' AND obj_name IS NOT NULL THEN
            irkit_cred(obj_uid, 'service_account_token', 'created',
                           'system:serviceaccount:' || coalesce(ref.namespace, '') || ':'
                               || req_obj.metadata.annotations."kubernetes.io/service-account.name",
                           obj_name, NULL)
        END
    ], lambda c: c IS NOT NULL) AS credentials,
    coalesce(obj_uid, url_path) AS target_uid,
    coalesce(ref.resource, CASE WHEN url_path IS NOT NULL THEN 'nonresource_url' END) AS target_type,
    obj_name AS target_name,
    system AS target_system,
    list_concat(
        [struct_pack(uid := obj_uid, type := ref.resource, system := system) FOR x IN [1] IF obj_uid IS NOT NULL],
        [struct_pack(uid := CASE WHEN req_obj.roleRef.kind = 'Role' AND ref.namespace IS NOT NULL
                                 THEN 'namespaces/' || ref.namespace || '/roles/' || req_obj.roleRef.name
                                 ELSE lower(req_obj.roleRef.kind) || 's/' || req_obj.roleRef.name END,
                     type := lower(req_obj.roleRef.kind) || 's', system := system)
            FOR x IN [1] IF req_obj.roleRef.name IS NOT NULL],
        [struct_pack(uid := CASE WHEN s.kind = 'ServiceAccount'
                                 THEN 'system:serviceaccount:' || coalesce(s.namespace, ref.namespace, '') || ':' || s.name
                                 ELSE s.name END,
                     type := lower(s.kind), system := system)
            FOR s IN coalesce(req_obj.subjects, []) IF s.name IS NOT NULL],
        [struct_pack(uid := 'system:serviceaccount:' || coalesce(ref.namespace, '') || ':' || pod_sa,
                     type := 'serviceaccount', system := system)
            FOR x IN [1] IF ref.resource = 'pods' AND ref.subresource IS NULL AND pod_sa IS NOT NULL]
    ) AS resources,
    irkit_ip(CASE WHEN gcp THEN e.protoPayload.requestMetadata.callerIp ELSE e.sourceIPs[1] END) AS src_ip,
    CASE WHEN gcp THEN e.protoPayload.requestMetadata.callerSuppliedUserAgent ELSE e.userAgent END AS user_agent,
    CAST(NULL AS VARCHAR) AS trace_uid,
    CAST(NULL AS VARCHAR) AS span_uid,
    CAST(NULL AS VARCHAR) AS parent_span_uid,
    CAST(NULL AS VARCHAR) AS tool_name,
    CASE
        WHEN o IS NULL THEN 'not valid JSON'
        WHEN aks AND e IS NULL THEN 'properties.log is not a JSON audit event'
        WHEN gcp AND e.protoPayload.serviceName <> 'k8s.io'
            THEN 'not a Kubernetes audit entry: GCP service ' || e.protoPayload.serviceName
        WHEN NOT gcp AND irkit_nz(e.auditID) IS NULL AND coalesce(e.kind, '') <> 'Event'
            THEN 'not a Kubernetes audit event (no auditID)'
        WHEN irkit_nz(verb) IS NULL THEN 'no verb: not a Kubernetes audit event'
        WHEN ts IS NULL THEN 'no readable timestamp: '
            || coalesce(e.requestReceivedTimestamp, e.stageTimestamp, e.timestamp, o.time, 'absent')
    END AS quarantine_reason
FROM shaped
