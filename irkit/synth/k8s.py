"""Kubernetes API-server audit log: raw ``audit.k8s.io/v1`` Event objects, one per line, as the
log backend writes them (``--audit-log-path``), stage ``ResponseComplete``, microsecond timestamps."""

from __future__ import annotations

from typing import Any

from ._util import MS, Ids, iso_us, ns_of
from .cast import Agent

JsonObj = dict[str, Any]

KUBECTL_UA = "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46"
PY_CLIENT_UA = "OpenAPI-Generator/31.0.0/python"

_PLURAL_URI = {"configmaps": "", "secrets": "", "pods": "", "serviceaccounts": "", "endpoints": "",
               "services": "", "deployments": "apps", "leases": "coordination.k8s.io",
               "selfsubjectrulesreviews": "authorization.k8s.io"}
_VERSION = {"": "v1", "apps": "v1", "coordination.k8s.io": "v1", "authorization.k8s.io": "v1"}


def sa_user(a: Agent, jti: str) -> JsonObj:
    """A pod's projected service-account token; `jti` is the token id (kubelet rotates it hourly)."""
    return {"username": a.sa, "uid": a.sa_uid,
            "groups": ["system:serviceaccounts", f"system:serviceaccounts:{a.namespace}", "system:authenticated"],
            "extra": {"authentication.kubernetes.io/credential-id": [f"JTI={jti}"],
                      "authentication.kubernetes.io/node-name": [a.node],
                      "authentication.kubernetes.io/pod-name": [a.pod],
                      "authentication.kubernetes.io/pod-uid": [a.pod_uid]}}


def plain_user(username: str, uid: str | None, groups: list[str]) -> JsonObj:
    return {"username": username, "uid": uid, "groups": groups} if uid else {"username": username, "groups": groups}


def event(ids: Ids, ns: int, *, user: JsonObj, verb: str, resource: str, namespace: str | None,
          name: str | None, ip: str, ua: str, code: int = 200, reason: str = "",
          latency_ns: int = 4 * MS, query: str = "") -> JsonObj:
    group = _PLURAL_URI[resource]
    version = _VERSION[group]
    base = f"/api/{version}" if not group else f"/apis/{group}/{version}"
    uri = base + (f"/namespaces/{namespace}" if namespace else "") + f"/{resource}" + (f"/{name}" if name else "")
    obj: JsonObj = {"resource": resource}
    if namespace:
        obj["namespace"] = namespace
    if name:
        obj["name"] = name
    if group:
        obj["apiGroup"] = group
    obj["apiVersion"] = version
    status: JsonObj = {"metadata": {}, "code": code}
    if code >= 400:
        status = {"metadata": {}, "status": "Failure", "message": reason, "reason": "Forbidden",
                  "details": {"name": name or "", "kind": resource}, "code": code}
    return {
        "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": ids.uuid4(),
        "stage": "ResponseComplete", "requestURI": uri + query, "verb": verb, "user": user, "sourceIPs": [ip],
        "userAgent": ua, "objectRef": obj, "responseStatus": status,
        "requestReceivedTimestamp": iso_us(ns), "stageTimestamp": iso_us(ns + latency_ns),
        "annotations": {"authorization.k8s.io/decision": "allow" if code < 400 else "forbid",
                        "authorization.k8s.io/reason": reason if code < 400 else ""},
    }


def event_uid(rec: JsonObj) -> str:
    """The loader's event_uid: auditID, stage and the request-received time (UTC, exactly 6 fraction
    digits, ``Z``), because a caller can choose the audit ID (``Audit-ID`` header)."""
    return f"{rec['auditID']}:{rec['stage']}:{iso_us(ns_of(rec['requestReceivedTimestamp']))}"
