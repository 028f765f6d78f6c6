"""GCP Cloud Audit Logs: ``LogEntry`` records whose ``protoPayload`` is a ``google.cloud.audit.AuditLog``.

Shapes (detected by content): Cloud Logging sink exports (one entry per line) and
``gcloud logging read --format=json`` output (a JSON array). Non-audit entries of the same export
(``jsonPayload``, ``textPayload``, a ``protoPayload`` of another ``@type``) are not audit records: each
is quarantined with a reason naming its payload, never loaded and never fatal.

Mapping (see docs/normalization.md):

=================  ==========================================================================
event_uid          ``insertId``
time               ``timestamp`` (0 to 9 fraction digits); ``receiveTimestamp`` when absent
actor_uid          ``authenticationInfo.principalEmail``; ``principalSubject`` when the email is absent
                   (workload/workforce identity federation, redacted callers)
actor_type         service accounts, ``system:`` Kubernetes identities and workload-identity pools:
                   service; ``user:`` subjects, workforce pools and other e-mail addresses: human
delegator_uid      the first non-empty authority of ``serviceAccountDelegationInfo``
                   (``firstPartyPrincipal.principalEmail``, else the entry's ``principalSubject``; the
                   list may hold empty objects, ``[{}]``)
credential_uid     ``authenticationInfo.serviceAccountKeyName``, canonical (see credentials)
account_uid        ``resource.labels.project_id``; else the ``projects/<id>`` (or
                   ``organizations/<id>``, ``folders/<id>``) prefix of ``logName``
operation          ``methodName``
status             ``status`` null, ``{}`` or code 0: success; else failure with
                   ``<CODE NAME> (<code>): <message>``
class_name         authentication: GenerateAccessToken, GenerateIdToken, SignJwt, SignBlob,
                   ExchangeToken; account_change: SetIamPolicy/setIamPermissions and IAM
                   create/delete/update/enable/disable/upload methods (service accounts, keys, roles);
                   data_access: entries of a ``data_access`` log; else api_activity
target             ``resourceName``, type from ``authorizationInfo[0].resourceAttributes.type`` else
                   ``resource.type``, system ``gcp:<serviceName prefix>`` (``gcp:storage``, ``gcp:iam``)
GKE (k8s.io)       target_system ``k8s:<resource.labels.cluster_name>``; target_uid in the Kubernetes
                   convention the k8s_audit loader also writes (``namespaces/<ns>/<resource>/<name>``, the
                   ``<group>/<version>/`` prefix of ``resourceName`` dropped; a collection without
                   ``/<name>``; a non-resource URL as ``/<path>``, type ``nonresource_url``), target_type
                   the resource
resources          every ``authorizationInfo[]`` resource (type from its attributes or permission),
                   the delegation chain and ``metadata.identityDelegationChain`` (service accounts),
                   ``resource.labels.email_id``, service accounts named by ``request.name`` /
                   ``response.email``, and a key the request created (canonical) as type
                   ``credential``; the key it authenticated with is not a resource (it is the ``used``
                   entry of credentials)
src_ip, user_agent ``requestMetadata.callerIp``, ``requestMetadata.callerSuppliedUserAgent``
activity           GKE: the Kubernetes rule of the k8s_audit loader; GenerateAccessToken / GenerateIdToken
                   / SignJwt / SignBlob / ExchangeToken: authenticate; SetIamPolicy (any case, IAM logs
                   ``SetIAMPolicy``): grant when a ``serviceData.policyDelta.bindingDeltas[].action`` is
                   ADD, else ungrant when one is REMOVE, else update; IAM CreateRole / UndeleteRole:
                   grant, UpdateRole: grant (ungrant when its ``permissionDelta`` only removes),
                   DeleteRole: ungrant; else the method's verb (get/access/query... read, list/search
                   list, create/insert/upload create, update/patch/set/enable/disable... update,
                   delete/remove delete, invoke/run/predict... invoke, other)
=================  ==========================================================================

Delegation and credentials (docs/normalization.md, "Delegation and credentials"):

* ``serviceAccountDelegationInfo[]`` is documented as sorted "based on the original ordering of the
  identity delegation events": for authorities [A, B] and actor C the record proves A -> B and B -> C,
  each an ``event``-scope hop (``impersonate``; ``federate`` from a workload/workforce identity subject:
  ``principal://``, ``principalSet://``, GKE's legacy ``serviceAccount:<project>.svc.id.goog[<ns>/<ksa>]``).
  An authority is ``firstPartyPrincipal.principalEmail``, else its ``principalSubject`` (``user:`` and
  ``serviceAccount:`` prefixes dropped from e-mail subjects); empty entries (``[{}]``) and third-party
  authorities without a subject name nobody and are skipped.
* A GKE workload identity subject (legacy ``serviceAccount:P.svc.id.goog[ns/ksa]`` or the
  ``principal://.../workloadIdentityPools/P.svc.id.goog/subject/ns/<ns>/sa/<ksa>`` form), wherever the
  record names it, gives a ``standing`` ``same_as`` hop to ``system:serviceaccount:<ns>:<ksa>``, the
  username the Kubernetes audit log gives that pod.
* iamcredentials GenerateAccessToken / GenerateIdToken / SignJwt / SignBlob (and the IAM API's
  deprecated SignJwt / SignBlob), successful: a ``grant`` ``impersonate`` hop caller -> the service
  account of ``request.name`` (else ``resourceName``), credential_uid null (no token id is logged),
  expires = ``response.expireTime`` where logged; an ``issued`` ``oauth_token`` (SignJwt: ``other``)
  without uid. sts ExchangeToken: a ``grant`` ``federate`` hop from the IdP subject
  (``principalSubject``) to ``metadata.mapped_principal`` and an ``issued`` ``oauth_token``.
* Service-account keys, canonical uid ``projects/-/serviceAccounts/<account>/keys/<key id>``
  (lower-cased): IAM spells a created key ``projects/<project>/serviceAccounts/<email>/keys/<id>``, the
  key a request authenticated with ``//iam.googleapis.com/projects/<project>/...`` and a deletion as the
  caller wrote it (``projects/-/`` is the API's documented "infer the project from the account"), so
  the project is dropped; of several names in one record, the one spelling the account by e-mail wins
  (``resourceName`` often spells it by unique id, which cannot be mapped to the e-mail from the record
  alone). principal_uid = the account. ``serviceAccountKeyName``: ``used``;
  Create/UploadServiceAccountKey: ``created`` (from ``response.name``; expires = ``validBeforeTime``
  unless it is IAM's 9999-12-31 "never"); DisableServiceAccountKey: ``revoked``;
  DeleteServiceAccountKey: ``deleted``; EnableServiceAccountKey names no lifecycle action the schema
  has (a key coming back is not ``created``, and the caller does not get its private key): no entry,
  activity update.
* GKE entries: a TokenRequest (``serviceaccounts/token`` create) is a ``grant`` ``impersonate`` hop to
  ``system:serviceaccount:<ns>:<name>`` and an ``issued`` ``service_account_token`` whose uid is the
  ``authentication.kubernetes.io/issued-credential-id`` audit annotation (``JTI=...``, in the entry's
  labels) where logged; a Secret of type ``kubernetes.io/service-account-token`` created: ``created``
  with uid ``namespaces/<ns>/secrets/<name>``; as the k8s_audit loader does for GKE.
* Failed requests hand nothing over: grant hops and created/issued/revoked/deleted entries need a
  successful status; a ``used`` key is listed whatever the outcome.

Detection: the Kubernetes loader reads GKE files too (it comes later in the registry), so this loader
claims a file only when a sampled entry is an AuditLog of a service other than ``k8s.io``, or when
GKE audit entries are mixed with other Cloud Logging entries (a project-wide export).
"""

from __future__ import annotations

from collections.abc import Sequence

NAME = "gcp_audit"
VERSION = "1.3"
DESCRIPTION = "GCP Cloud Audit Logs: Cloud Logging exports (JSON lines) and gcloud logging read output"

AUDIT_LOG_TYPE = "type.googleapis.com/google.cloud.audit.AuditLog"


def _kind(record: dict) -> str | None:
    """``audit``, ``k8s`` (a GKE audit entry), ``entry`` (another Cloud Logging entry) or None."""
    payload = record.get("protoPayload", record.get("protopayload_auditlog"))  # BigQuery sink rows: the latter
    if isinstance(payload, dict):
        typed = payload.get("@type")
        if typed == AUDIT_LOG_TYPE or (typed is None and "serviceName" in payload and "methodName" in payload):
            return "k8s" if payload.get("serviceName") == "k8s.io" else "audit"
        return "entry"
    if ("jsonPayload" in record or "textPayload" in record) and ("logName" in record or "insertId" in record):
        return "entry"
    return None


def sniff(records: Sequence[object]) -> bool:
    kinds = {_kind(r) for r in records if isinstance(r, dict)}
    return "audit" in kinds or {"k8s", "entry"} <= kinds
