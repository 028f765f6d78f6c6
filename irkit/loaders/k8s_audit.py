"""Kubernetes API server audit events, raw or wrapped by a managed service.

Shapes (all detected by content): ``audit.k8s.io/v1`` and ``v1beta1`` ``Event`` objects as the log
backend writes them (one per line) or as a single pretty-printed event; GKE's Cloud Logging entries
(``protoPayload.serviceName == "k8s.io"``, cluster in ``resource.labels.cluster_name``), which carry no
``objectRef`` and are mapped back from ``methodName``/``resourceName``; AKS diagnostic-settings records
(category ``kube-audit``/``kube-audit-admin``) whose ``properties.log`` is the Event as an object or as a
JSON string, cluster from ``resourceId`` (``…/MANAGEDCLUSTERS/<name>``, lower-cased: Azure names are
case-insensitive and the diagnostic pipeline upper-cases them).

Every stage record (RequestReceived, ResponseStarted, ResponseComplete, Panic) is its own row.

Mapping (see docs/normalization.md):

=================  ==========================================================================
event_uid          ``auditID:stage:requestReceivedTimestamp`` (UTC, µs). Not ``auditID:stage`` alone:
                   the API server takes the audit ID from the caller's ``Audit-ID`` header, so a
                   client can reuse one ID for many requests and dedup on it would erase them
                   (kubernetes/kubernetes#101597). Count a request once by its first two parts.
                   GKE: ``insertId`` (GKE's ``operation.id`` equals it). No auditID: SHA-256 of raw.
time               ``requestReceivedTimestamp``, else ``stageTimestamp``, v1beta1 ``timestamp``, AKS
                   ``time``; GKE ``timestamp``. Stages of one request share the request's time.
actor_uid          ``user.username`` (GKE ``authenticationInfo.principalEmail``); when
                   ``impersonatedUser`` is set: the impersonated user, delegator = the real user
actor_type         ``system:anonymous``: unknown; other ``system:*`` (service accounts, nodes, control
                   plane), ``*.gserviceaccount.com`` and AKS's own ``aksService``/``masterclient``/
                   ``nodeclient``/``aksProblemDetector``: service; an e-mail address: human; else unknown
credential_uid     ``user.extra["authentication.kubernetes.io/credential-id"][0]`` (``JTI=…``, ``X509SHA256=…``)
target             ``objectRef``: ``namespaces/<ns>/<resource>/<name>[/<subresource>]`` (cluster-scoped
                   ``<resource>/<name>``; collections without a name; a create names the object it
                   created from the response body); non-resource requests: the URL path
target_system      ``k8s:<cluster>`` (GKE, AKS), else ``k8s``
operation          ``<verb> <resource>[/<subresource>]`` (``create pods/exec``), ``<verb> <path>`` for
                   non-resource URLs
class_name         authorization: (self/local)subjectaccessreviews, selfsubjectrulesreviews;
                   authentication: tokenreviews, selfsubjectreviews; account_change: writes to RBAC
                   objects and service accounts, ``serviceaccounts/token`` create, CSR approval;
                   data_access: get/list/watch of secrets and configmaps; api_activity otherwise
status             ``responseStatus.code`` >= 400, ``authorization.k8s.io/decision`` forbid, a Panic
                   stage or a GKE non-zero ``status.code``: failure (code, reason, message); a
                   RequestReceived record: unknown; else success, with the authorization reason (which
                   binding allowed it) as status_detail
resources          the target, an RBAC binding's ``roleRef`` and ``subjects`` (service accounts as
                   ``system:serviceaccount:<ns>:<name>``, like actors), a created pod's service account
src_ip, user_agent ``sourceIPs[0]``, ``userAgent`` (GKE ``requestMetadata``)
account_uid        the cluster where known
activity           RBAC bindings and roles created/updated/patched: grant, deleted: ungrant (a role's
                   rules are its bound subjects' permissions); CSR approval: grant; exec, attach,
                   portforward, proxy: invoke; TokenRequest, TokenReview: authenticate; access reviews:
                   read; else the verb (get/watch read, list list, create create, update/patch update,
                   delete/deletecollection delete, other)
=================  ==========================================================================

Delegation and credentials (docs/normalization.md, "Delegation and credentials"):

* ``impersonatedUser`` (``kubectl --as``, the Impersonate-User header): an ``event``-scope
  ``impersonate`` hop ``user.username`` -> ``impersonatedUser.username`` (the actor is the impersonated
  user). GKE: ``serviceAccountDelegationInfo`` authorities, in their documented order, each an
  ``event`` ``impersonate`` hop to the next and the last to the actor (the gcp_audit loader's rule).
* ``user.extra["authentication.kubernetes.io/credential-id"]`` (Kubernetes 1.30+): the credential the
  request authenticated with, ``used``, uid as logged: ``JTI=<uuid>`` a ``service_account_token``,
  ``X509SHA256=<hex>`` a ``certificate``, anything else ``other``; its principal is the authenticated
  user, never the impersonated one. ``pod-name``, ``pod-uid``, ``node-name`` extras are context, not
  credentials.
* TokenRequest (``create serviceaccounts/token``), successful: an ``issued`` ``service_account_token``
  of ``system:serviceaccount:<ns>:<name>``, uid = the ``authentication.kubernetes.io/issued-credential-id``
  audit annotation (``authentication.k8s.io/issued-credential-id`` before 1.30; GKE: the entry's labels),
  which is the same ``JTI=<uuid>`` the token's requests carry in their credential-id extra, so issue and
  use share one uid; expires = the response's ``status.expirationTimestamp`` (RequestResponse level);
  and a ``grant`` ``impersonate`` hop caller -> that service account with that credential (none when
  the caller asks for its own token).
* A Secret of type ``kubernetes.io/service-account-token`` created: a ``created``
  ``service_account_token`` of the account its ``kubernetes.io/service-account.name`` annotation names,
  uid ``namespaces/<ns>/secrets/<name>`` (its use is not linked: the extra a legacy token carries names
  no JTI).
"""

from __future__ import annotations

from collections.abc import Sequence

NAME = "k8s_audit"
VERSION = "1.2"
DESCRIPTION = "Kubernetes audit events: apiserver log backend (v1, v1beta1), GKE Cloud Logging, AKS diagnostics"


def _is_raw_event(record: dict) -> bool:
    return record.get("kind") == "Event" and "auditID" in record


def _is_aks(record: dict) -> bool:
    category = record.get("category")
    properties = record.get("properties")
    return (
        isinstance(category, str)
        and category.startswith("kube-audit")
        and isinstance(properties, dict)
        and "log" in properties
    )


def _is_gke(record: dict) -> bool:
    payload = record.get("protoPayload")
    return isinstance(payload, dict) and payload.get("serviceName") == "k8s.io"


def sniff(records: Sequence[object]) -> bool:
    """Raw Events or AKS records anywhere in the sample; or a sample made only of GKE k8s.io entries
    (a mixed GCP file belongs to gcp_audit, which comes first in the registry)."""
    dicts = [r for r in records if isinstance(r, dict)]
    if any(_is_raw_event(r) or _is_aks(r) for r in dicts):
        return True
    return bool(dicts) and all(_is_gke(r) for r in dicts)
