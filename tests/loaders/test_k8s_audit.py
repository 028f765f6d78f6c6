"""Kubernetes audit loader: raw audit.k8s.io events (v1 lines, v1beta1 pretty-printed), GKE, AKS.

``samples/k8s_audit/delegation.log`` (audit.k8s.io/v1 lines) holds a TokenRequest at RequestResponse
level with its ``authentication.kubernetes.io/issued-credential-id`` annotation, a request made with
that token (the same JTI in ``user.extra``), a legacy service-account token Secret and a binding deleted.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from irkit import loaders
from irkit.evidence import discover, sample_records
from irkit.loaders import k8s_audit
from tests.loaders.helpers import SAMPLES, conformance_corpus, cred, hop, load, one, quarantine, rows, subset

SAMPLE_DIR = SAMPLES / "k8s_audit"

SA = "system:serviceaccount:agents:triage-bot"
JTI = "JTI=0b7e2d6c-4f1a-4c8e-9d2b-3a5f6e7d8c9b"
KUBECTL_LINUX = "kubectl/v1.30.2 (linux/amd64) kubernetes/3968350"
KUBECTL_MAC = "kubectl/v1.30.2 (darwin/arm64) kubernetes/3968350"
X509 = "X509SHA256=4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b"


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def res(uid: str, type_: str, system: str = "k8s") -> dict[str, str]:
    return {"uid": uid, "type": type_, "system": system}






@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory):
    return load(tmp_path_factory.mktemp("k8s"), SAMPLE_DIR)


def test_every_record_is_accounted_for(loaded) -> None:
    case, summary = loaded
    assert (summary.read, summary.loaded, summary.quarantined, summary.duplicates) == (24, 21, 2, 1)
    assert {f.source for f in summary.files} == {"k8s_audit"}
    reasons = {(Path(q["evidence_file"]).name, q["evidence_path"]): q["reason"] for q in quarantine(case)}
    assert reasons[("aks-diagnostics.json", "$.records[2]")] == "properties.log is not a JSON audit event"
    assert reasons[("apiserver-audit.log", "$")].startswith("not valid JSON: ")
    assert len(reasons) == 2


def test_each_stage_is_a_row_of_the_same_request(loaded) -> None:
    case, _ = loaded
    stages = rows(case, "target_name = 'stripe-api-key' AND source = 'k8s_audit' AND target_system = 'k8s'")
    common = {
        "activity": "read", "delegations": [], "credentials": [cred(JTI, "service_account_token", "used", SA)],
        "time": t("2026-03-02T09:14:05.120934"), "source": "k8s_audit", "class_name": "data_access",
        "operation": "get secrets", "actor_uid": SA, "actor_type": "service", "actor_name": "triage-bot",
        "account_uid": None, "session_uid": None, "credential_uid": JTI, "delegator_uid": None,
        "target_uid": "namespaces/payments/secrets/stripe-api-key", "target_type": "secrets",
        "target_name": "stripe-api-key", "target_system": "k8s",
        "resources": [res("namespaces/payments/secrets/stripe-api-key", "secrets")],
        "src_ip": "10.244.2.17", "user_agent": KUBECTL_LINUX, "tool_name": None,
    }
    assert [subset(r, {**common, "event_uid": 0, "status": 0, "status_detail": 0}) for r in stages] == [
        {**common, "event_uid": "9c1f3e2a-55b1-4d0e-8a7c-1e2f3a4b5c6d:RequestReceived:2026-03-02T09:14:05.120934Z",
         "status": "unknown", "status_detail": None},
        {**common, "event_uid": "9c1f3e2a-55b1-4d0e-8a7c-1e2f3a4b5c6d:ResponseComplete:2026-03-02T09:14:05.120934Z",
         "status": "success",
         "status_detail": 'RBAC: allowed by RoleBinding "secret-reader/payments" of Role "secret-reader" '
                          'to ServiceAccount "triage-bot/agents"'},
    ]


def test_a_reused_audit_id_does_not_hide_a_second_request(loaded) -> None:
    case, _ = loaded
    row = one(case, "target_name = 'db-password'")
    assert subset(row, {"event_uid": 0, "operation": 0, "status": 0, "time": 0}) == {
        "event_uid": "9c1f3e2a-55b1-4d0e-8a7c-1e2f3a4b5c6d:ResponseComplete:2026-03-02T09:14:09.881002Z",
        "operation": "get secrets", "status": "success", "time": t("2026-03-02T09:14:09.881002"),
    }


EXPECTED = {
    "exec into a pod (subresource, code 101)": (
        "event_uid = '2b7d4c9e-1f3a-4e6b-8c2d-9a0b1c2d3e4f:ResponseStarted:2026-03-02T09:20:11.004518Z'",
        {"activity": "invoke", "delegations": [], "credentials": [],
         "time": t("2026-03-02T09:20:11.004518"), "class_name": "api_activity", "operation": "create pods/exec",
         "status": "success", "status_detail": None, "actor_uid": "dana@example.com", "actor_type": "human",
         "credential_uid": None, "delegator_uid": None,
         "target_uid": "namespaces/payments/pods/api-6b8f9c7d4-q9w8e/exec", "target_type": "pods",
         "target_name": "api-6b8f9c7d4-q9w8e", "target_system": "k8s",
         "resources": [res("namespaces/payments/pods/api-6b8f9c7d4-q9w8e/exec", "pods")],
         "src_ip": "203.0.113.45", "user_agent": KUBECTL_MAC},
    ),
    "impersonation": (
        "event_uid LIKE '6e5d4c3b-2a19-4807-b6f5-e4d3c2b1a098:%'",
        {"activity": "list", "delegations": [hop("impersonate", "dana@example.com", SA, "event")], "credentials": [cred(X509, "certificate", "used", "dana@example.com")],
         "event_uid": "6e5d4c3b-2a19-4807-b6f5-e4d3c2b1a098:ResponseComplete:2026-03-02T09:25:40.310020Z",
         "class_name": "api_activity", "operation": "list pods", "status": "success", "actor_uid": SA,
         "actor_type": "service", "delegator_uid": "dana@example.com",
         "credential_uid": "X509SHA256=4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b",
         "target_uid": "namespaces/payments/pods", "target_type": "pods", "target_name": None,
         "target_system": "k8s", "resources": [res("namespaces/payments/pods", "pods")],
         "src_ip": "203.0.113.45", "user_agent": KUBECTL_MAC},
    ),
    "forbidden cluster-admin binding": (
        "event_uid LIKE '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d:%'",
        {"activity": "grant", "delegations": [], "credentials": [cred(JTI, "service_account_token", "used", SA)],
         "event_uid": "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d:ResponseComplete:2026-03-02T09:31:02.650113Z",
         "time": t("2026-03-02T09:31:02.650113"), "class_name": "account_change",
         "operation": "create clusterrolebindings", "status": "failure",
         "status_detail": '403 Forbidden: clusterrolebindings.rbac.authorization.k8s.io is forbidden: User '
                          '"system:serviceaccount:agents:triage-bot" cannot create resource "clusterrolebindings" '
                          'in API group "rbac.authorization.k8s.io" at the cluster scope',
         "actor_uid": SA, "actor_type": "service", "credential_uid": JTI, "delegator_uid": None,
         "target_uid": "clusterrolebindings/triage-bot-admin", "target_type": "clusterrolebindings",
         "target_name": "triage-bot-admin", "target_system": "k8s",
         "resources": [res("clusterrolebindings/triage-bot-admin", "clusterrolebindings"),
                       res("clusterroles/cluster-admin", "clusterroles"), res(SA, "serviceaccount")],
         "src_ip": "10.244.2.17", "user_agent": KUBECTL_LINUX},
    ),
    "role binding names its role and subjects": (
        "event_uid LIKE '7f8e9d0c-1b2a-4394-a5b6-c7d8e9f0a1b2:%'",
        {"activity": "grant", "delegations": [], "credentials": [],
         "class_name": "account_change", "operation": "create rolebindings", "status": "success",
         "actor_uid": "dana@example.com", "actor_type": "human",
         "target_uid": "namespaces/payments/rolebindings/triage-bot-secrets", "target_type": "rolebindings",
         "resources": [res("namespaces/payments/rolebindings/triage-bot-secrets", "rolebindings"),
                       res("namespaces/payments/roles/secret-reader", "roles"), res(SA, "serviceaccount"),
                       res("dana@example.com", "user")]},
    ),
    "token minted for a service account": (
        "event_uid LIKE '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f:%'",
        {"activity": "authenticate", "delegations": [], "credentials": [cred(JTI, "service_account_token", "used", SA), cred(None, "service_account_token", "issued", SA)],
         "class_name": "account_change", "operation": "create serviceaccounts/token", "status": "success",
         "actor_uid": SA, "credential_uid": JTI,
         "target_uid": "namespaces/agents/serviceaccounts/triage-bot/token", "target_type": "serviceaccounts",
         "target_name": "triage-bot", "target_system": "k8s"},
    ),
    "self subject access review": (
        "event_uid LIKE '8a9b0c1d-2e3f-4a5b-9c6d-7e8f9a0b1c2d:%'",
        {"activity": "read",
         "class_name": "authorization", "operation": "create selfsubjectaccessreviews", "status": "success",
         "actor_uid": SA, "target_uid": "selfsubjectaccessreviews", "target_type": "selfsubjectaccessreviews"},
    ),
    "non-resource URL by a node": (
        "event_uid LIKE '1d2c3b4a-5f6e-4d7c-8b9a-0f1e2d3c4b5a:%'",
        {"activity": "read", "delegations": [], "credentials": [],
         "class_name": "api_activity", "operation": "get /healthz", "status": "success",
         "actor_uid": "system:node:worker-2", "actor_type": "service", "actor_name": "worker-2",
         "target_uid": "/healthz", "target_type": "nonresource_url", "target_name": None, "resources": [],
         "src_ip": "10.0.1.12"},
    ),
    "v1beta1 event with only `timestamp`, pretty-printed": (
        "event_uid LIKE 'e1f2a3b4-c5d6-4e7f-8091-a2b3c4d5e6f7:%'",
        {"activity": "update", "delegations": [], "credentials": [],
         "event_uid": "e1f2a3b4-c5d6-4e7f-8091-a2b3c4d5e6f7:ResponseComplete:2018-06-11T08:42:17.000000Z",
         "time": t("2018-06-11T08:42:17"), "class_name": "api_activity", "operation": "update deployments/scale",
         "status": "success", "actor_uid": "system:serviceaccount:kube-system:horizontal-pod-autoscaler",
         "actor_type": "service", "target_uid": "namespaces/shop/deployments/cart/scale",
         "target_type": "deployments", "target_name": "cart", "target_system": "k8s",
         "src_ip": "192.168.99.100", "user_agent": None, "evidence_offset": 1, "evidence_path": "$"},
    ),
    "GKE secret read": (
        "event_uid = '4b1e2c8a-0f3d-4e5a-9b6c-7d8e9f0a1b2c'",
        {"activity": "read", "delegations": [], "credentials": [],
         "time": t("2026-03-02T10:02:44.318220"), "class_name": "data_access", "operation": "get secrets",
         "status": "success", "actor_uid": "triage-bot@acme-prod.iam.gserviceaccount.com", "actor_type": "service",
         "account_uid": "prod-eu", "credential_uid": None, "delegator_uid": None,
         "target_uid": "namespaces/payments/secrets/stripe-api-key", "target_type": "secrets",
         "target_name": "stripe-api-key", "target_system": "k8s:prod-eu",
         "resources": [res("namespaces/payments/secrets/stripe-api-key", "secrets", "k8s:prod-eu")],
         "src_ip": "35.187.10.22", "user_agent": "python-requests/2.32.3"},
    ),
    "GKE denied binding": (
        "event_uid = 'c2d3e4f5-a6b7-4c8d-9e0f-1a2b3c4d5e6f'",
        {"activity": "grant", "delegations": [], "credentials": [],
         "class_name": "account_change", "operation": "create clusterrolebindings", "status": "failure",
         "status_detail": "7: PERMISSION_DENIED", "target_uid": "clusterrolebindings/triage-bot-admin",
         "target_system": "k8s:prod-eu",
         "resources": [res("clusterrolebindings/triage-bot-admin", "clusterrolebindings", "k8s:prod-eu"),
                       res("clusterroles/cluster-admin", "clusterroles", "k8s:prod-eu"),
                       res("triage-bot@acme-prod.iam.gserviceaccount.com", "user", "k8s:prod-eu")]},
    ),
    "GKE exec": (
        "event_uid = 'd4e5f6a7-b8c9-4d0e-8f1a-2b3c4d5e6f70'",
        {"activity": "invoke", "delegations": [], "credentials": [],
         "operation": "create pods/exec", "status": "success", "actor_uid": "dana@example.com", "actor_type": "human",
         "target_uid": "namespaces/payments/pods/api-6b8f9c7d4-q9w8e/exec", "target_name": "api-6b8f9c7d4-q9w8e"},
    ),
    "GKE cluster-scoped list": (
        "event_uid = 'e5f6a7b8-c9d0-4e1f-9a2b-3c4d5e6f7a81'",
        {"activity": "list",
         "operation": "list nodes", "target_uid": "nodes", "target_type": "nodes", "user_agent": "GoogleCloudConsole"},
    ),
    "AKS, properties.log as a JSON string": (
        "event_uid LIKE '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d:%'",
        {"activity": "read", "delegations": [], "credentials": [],
         "time": t("2026-03-02T11:00:01.220301"), "class_name": "data_access", "operation": "get configmaps",
         "status": "success", "actor_uid": SA, "actor_type": "service", "account_uid": "aks-payments-we",
         "target_uid": "namespaces/payments/configmaps/feature-flags", "target_type": "configmaps",
         "target_system": "k8s:aks-payments-we",
         "resources": [res("namespaces/payments/configmaps/feature-flags", "configmaps", "k8s:aks-payments-we")],
         "src_ip": "10.224.0.35", "user_agent": "triage-bot/1.4.0", "evidence_path": "$.records[0]"},
    ),
    "AKS, properties.log as an object": (
        "event_uid LIKE '6b7c8d9e-0f1a-4b2c-9d3e-4f5a6b7c8d9e:%'",
        {"activity": "delete",
         "operation": "delete pods", "status": "success", "actor_uid": "dana@example.com",
         "target_uid": "namespaces/payments/pods/api-6b8f9c7d4-q9w8e", "target_system": "k8s:aks-payments-we",
         "evidence_path": "$.records[1]"},
    ),
}


@pytest.mark.parametrize("case_name", list(EXPECTED))
def test_one_whole_row_per_case(loaded, case_name: str) -> None:
    case, _ = loaded
    where, expected = EXPECTED[case_name]
    assert subset(one(case, where), expected) == expected


def test_raw_is_kept_byte_for_byte(loaded) -> None:
    case, _ = loaded
    row = one(case, "event_uid LIKE '5a6b7c8d-%'")
    wrapper = json.loads(row["raw"])
    assert wrapper["category"] == "kube-audit" and isinstance(wrapper["properties"]["log"], str)
    first_line = (SAMPLE_DIR / "apiserver-audit.log").read_text().splitlines()[0]
    assert one(case, "evidence_offset = 1 AND evidence_file LIKE '%apiserver-audit.log'")["raw"] == first_line


CLOUDTRAIL = {"eventVersion": "1.09", "eventSource": "s3.amazonaws.com", "eventName": "GetObject",
              "awsRegion": "us-east-1", "eventTime": "2026-03-02T09:00:00Z", "userIdentity": {"type": "IAMUser"}}


def test_sniff_claims_its_shapes_only() -> None:
    for path in SAMPLE_DIR.iterdir():
        records = sample_records(discover([path])[0])
        assert k8s_audit.sniff(records), path.name
        assert loaders.detect(records).name == "k8s_audit", path.name
    assert not k8s_audit.sniff([CLOUDTRAIL])
    gke_entry = json.loads((SAMPLE_DIR / "gke-cloud-logging.jsonl").read_text().splitlines()[0])
    other_gcp = {**gke_entry, "protoPayload": {**gke_entry["protoPayload"], "serviceName": "storage.googleapis.com"}}
    assert not k8s_audit.sniff([gke_entry, other_gcp]), "a mixed GCP file belongs to gcp_audit"


def test_conformance_records_all_load(tmp_path: Path) -> None:
    case, summary = load(tmp_path, conformance_corpus("k8s_audit"))
    assert {f.source for f in summary.files} == {"k8s_audit"}
    assert summary.quarantined == 0, quarantine(case)
    # one line of elastic's test-audit.log repeats the line before it byte for byte
    assert summary.duplicates == 1
    assert summary.loaded == summary.read - 1


# --- delegation and credentials (delegation.log) ------------------------------------------------------
# A TokenRequest at RequestResponse level (the issued token's JTI in the
# ``authentication.kubernetes.io/issued-credential-id`` annotation, its expiry in the response's
# ``status.expirationTimestamp``), that token's use (the same JTI in ``user.extra``), a legacy token
# Secret and a binding deleted.

DEPLOYER = "system:serviceaccount:agents:deployer"
NEW_JTI = "JTI=7c2e9a41-3b5d-4f6e-8a1c-2d3e4f5a6b7c"
DELEGATION = {
    "TokenRequest: issued token (JTI from the audit annotation), grant to impersonate until it expires": (
        "event_uid LIKE '41d2c3b4-%'",
        {"operation": "create serviceaccounts/token", "status": "success", "activity": "authenticate",
         "actor_uid": "dana@example.com", "credential_uid": X509,
         "delegations": [hop("impersonate", "dana@example.com", DEPLOYER, "grant", NEW_JTI, t("2026-03-02T11:00:00"))],
         "credentials": [cred(X509, "certificate", "used", "dana@example.com"),
                         cred(NEW_JTI, "service_account_token", "issued", DEPLOYER, expires=t("2026-03-02T11:00:00"))],
         "target_uid": "namespaces/agents/serviceaccounts/deployer/token"},
    ),
    "the issued token used: the same JTI": (
        "event_uid LIKE '52e3d4c5-%'",
        {"operation": "patch deployments", "activity": "update", "actor_uid": DEPLOYER, "credential_uid": NEW_JTI,
         "delegations": [], "credentials": [cred(NEW_JTI, "service_account_token", "used", DEPLOYER)]},
    ),
    "a legacy service-account token Secret: created": (
        "event_uid LIKE '63f4e5d6-%'",
        {"operation": "create secrets", "activity": "create", "delegations": [],
         "credentials": [cred(X509, "certificate", "used", "dana@example.com"),
                         cred("namespaces/agents/secrets/deployer-token", "service_account_token", "created", DEPLOYER,
                              "deployer-token")]},
    ),
    "a role binding deleted: ungrant": (
        "event_uid LIKE '74a5f6e7-%'",
        {"operation": "delete rolebindings", "activity": "ungrant", "delegations": []},
    ),
}


@pytest.mark.parametrize("case_name", list(DELEGATION))
def test_delegation_and_credentials(loaded, case_name: str) -> None:
    case, _ = loaded
    where, expected = DELEGATION[case_name]
    assert subset(one(case, where), expected) == expected
