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
credential_uid     ``authenticationInfo.serviceAccountKeyName``
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
                   ``response.email``, and keys (``serviceAccountKeyName``, a created key's
                   ``response.name``) as type ``credential``
src_ip, user_agent ``requestMetadata.callerIp``, ``requestMetadata.callerSuppliedUserAgent``
=================  ==========================================================================

Detection: the Kubernetes loader reads GKE files too (it comes later in the registry), so this loader
claims a file only when a sampled entry is an AuditLog of a service other than ``k8s.io``, or when
GKE audit entries are mixed with other Cloud Logging entries (a project-wide export).
"""

from __future__ import annotations

from collections.abc import Sequence

NAME = "gcp_audit"
VERSION = "1.0"
DESCRIPTION = "GCP Cloud Audit Logs: Cloud Logging exports (JSON lines) and gcloud logging read output"

AUDIT_LOG_TYPE = "type.googleapis.com/google.cloud.audit.AuditLog"


def _kind(record: dict) -> str | None:
    """``audit``, ``k8s`` (a GKE audit entry), ``entry`` (another Cloud Logging entry) or None."""
    payload = record.get("protoPayload")
    if isinstance(payload, dict):
        if payload.get("@type") == AUDIT_LOG_TYPE:
            return "k8s" if payload.get("serviceName") == "k8s.io" else "audit"
        return "entry"
    if ("jsonPayload" in record or "textPayload" in record) and ("logName" in record or "insertId" in record):
        return "entry"
    return None


def sniff(records: Sequence[object]) -> bool:
    kinds = {_kind(r) for r in records if isinstance(r, dict)}
    return "audit" in kinds or {"k8s", "entry"} <= kinds
