"""GCP Cloud Audit Logs loader: both export shapes, one whole row per case, non-audit entries quarantined.

The samples in ``samples/gcp_audit/`` were written from Google's documented ``LogEntry`` and
``google.cloud.audit.AuditLog`` formats (AuthenticationInfo, ServiceAccountDelegationInfo,
AuthorizationInfo, RequestMetadata, google.rpc.Status, IAM AuditData policy deltas):

* ``sink_export.jsonl``: a Cloud Logging sink export, one entry per line: a Cloud Storage data access
  with a service-account key, a GKE (``k8s.io``) secret read, a denied ``SetIamPolicy``, an impersonated
  ``CreateServiceAccountKey``, and three entries of the same sink that are not audit records
  (``jsonPayload``, ``textPayload``, an App Engine ``RequestLog`` protoPayload);
* ``gcloud_logging_read.json``: ``gcloud logging read --format=json`` output (a JSON array, sorted
  keys): a workload-identity ``GenerateAccessToken`` with ``serviceAccountDelegationInfo: [{}]`` and a
  Compute Engine insert whose timestamp has no fraction;
* ``gke_only.jsonl``: GKE audit entries only, which detection leaves to the Kubernetes loader.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from irkit import loaders
from irkit.evidence import EvidenceItem, sample_records, scan_document
from tests.loaders.helpers import CHECKED, SAMPLES, blank_row, cred, hop, load, one, quarantine, res, subset
from tests.loaders.helpers import utc as t

HERE = SAMPLES / "gcp_audit"
SINK = HERE / "sink_export.jsonl"
GCLOUD = HERE / "gcloud_logging_read.json"
GKE_ONLY = HERE / "gke_only.jsonl"

PROJECT = "acme-ml-prod"
AGENT_SA = "agent-runner@acme-ml-prod.iam.gserviceaccount.com"
AGENT_KEY_LOGGED = f"//iam.googleapis.com/projects/{PROJECT}/serviceAccounts/{AGENT_SA}/keys/3f6c0b1a9e2d4c5b8a7f6e5d4c3b2a1908f7e6d5"
#: The canonical spelling of that key (the project dropped: the account names it).
AGENT_KEY = f"projects/-/serviceAccounts/{AGENT_SA}/keys/3f6c0b1a9e2d4c5b8a7f6e5d4c3b2a1908f7e6d5"
DANA = "dana.reyes@acme.example"
UA_PY = "google-api-python-client/2.127.0 (gzip),gzip(gfe)"
UA_AGENT_K8S = "agent-runner/1.4.2 (linux/amd64) kubernetes/v1.29.4"
BACKUP_KEY = (
    "projects/-/serviceAccounts/backup-exporter@acme-ml-prod.iam.gserviceaccount.com/keys/"
    "9c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d"
)
GITHUB_PRINCIPAL = (
    "principal://iam.googleapis.com/projects/412937556104/locations/global/workloadIdentityPools/"
    "github-actions/subject/repo:acme/agents:ref:refs/heads/main"
)





def locate(file: Path, path: str) -> tuple[int, str]:
    """(line, raw text) of the record at JSON path ``path`` of a file (a line number for JSON lines)."""
    if path.startswith("$:"):
        line = int(path[2:])
        return line, file.read_text().splitlines()[line - 1]
    for line, found, raw in scan_document(file.read_text()):
        if found == path:
            return line, raw
    raise KeyError(path)


def row(file: Path, path: str, **columns: Any) -> dict[str, Any]:
    """A whole expected row; ``path`` is a JSON path in a document or ``$:<line>`` in JSON lines."""
    offset, _ = locate(file, path)
    expected: dict[str, Any] = blank_row()
    expected.update(source="gcp_audit", resources=[], account_uid=PROJECT, status="success")
    expected.update(
        evidence_file=str(file), evidence_offset=offset, evidence_path="$" if path.startswith("$:") else path
    )
    unknown = set(columns) - set(CHECKED)
    assert not unknown, f"not event columns: {unknown}"
    expected.update(columns)
    return expected


CASES: dict[str, dict[str, Any]] = {
    "data access with a service-account key": row(
        SINK,
        "$:1",
        event_uid="1x7fq2ke8a9c",
        time=datetime(2024, 5, 2, 10, 2, 13, 475819, tzinfo=UTC),
        class_name="data_access",
        operation="storage.objects.get",
        actor_uid=AGENT_SA,
        actor_type="service",
        credential_uid=AGENT_KEY,
        activity="read",
        credentials=[cred(AGENT_KEY, "service_account_key", "used", AGENT_SA)],
        target_uid="projects/_/buckets/acme-training-data/objects/customers/2024-04.parquet",
        target_type="storage.objects",
        target_name="2024-04.parquet",
        target_system="gcp:storage",
        src_ip="198.51.100.17",
        user_agent="gcloud-python/3.4.1 google-cloud-storage/2.16.0,gzip(gfe)",
    ),
    "GKE secret read (k8s.io): Kubernetes target convention": row(
        SINK,
        "$:2",
        event_uid="5b2c9e1f0a7d",
        time=datetime(2024, 5, 2, 10, 3, 2, 713908, tzinfo=UTC),
        class_name="data_access",
        operation="io.k8s.core.v1.secrets.get",
        activity="read",
        actor_uid="system:serviceaccount:agents:agent-runner",
        actor_type="service",
        target_uid="namespaces/agents/secrets/openai-api-key",
        target_type="secrets",
        target_name="openai-api-key",
        target_system="k8s:ml-prod-gke",
        src_ip="10.128.0.12",
        user_agent=UA_AGENT_K8S,
    ),
    "SetIamPolicy denied: status code 7 and the principal it tried to grant": row(
        SINK,
        "$:3",
        event_uid="-q1w2e3r4t5y",
        time=datetime(2024, 5, 2, 10, 5, 41, 917000, tzinfo=UTC),
        class_name="account_change",
        operation="SetIamPolicy",
        activity="grant",
        status="failure",
        status_detail="PERMISSION_DENIED (7)",
        actor_uid=DANA,
        actor_type="human",
        target_uid=f"projects/{PROJECT}",
        target_type="cloudresourcemanager.googleapis.com/Project",
        target_name=PROJECT,
        target_system="gcp:cloudresourcemanager",
        resources=[res(AGENT_SA, "service_account", "gcp:iam")],
        src_ip="203.0.113.24",
        user_agent=(
            "google-cloud-sdk gcloud/473.0.0 command/gcloud.projects.add-iam-policy-binding invocation-id/5c0a1b2c3d4e4f5a "
            "interactive/True from-script/False python/3.11.8 term/xterm-256color (Linux 6.5.0),gzip(gfe)"
        ),
    ),
    "impersonated CreateServiceAccountKey: delegator and the created key": row(
        SINK,
        "$:4",
        event_uid="k9l8m7n6b5v4",
        time=datetime(2024, 5, 2, 10, 7, 19, 204117, tzinfo=UTC),
        class_name="account_change",
        operation="google.iam.admin.v1.CreateServiceAccountKey",
        actor_uid=AGENT_SA,
        actor_type="service",
        delegator_uid=DANA,
        activity="create",
        delegations=[hop("impersonate", DANA, AGENT_SA, "event")],
        credentials=[cred(BACKUP_KEY, "service_account_key", "created", "backup-exporter@acme-ml-prod.iam.gserviceaccount.com")],
        target_uid="projects/-/serviceAccounts/104422183371530948281",
        target_type="iam.googleapis.com/ServiceAccount",
        target_name="104422183371530948281",
        target_system="gcp:iam",
        resources=[
            res("backup-exporter@acme-ml-prod.iam.gserviceaccount.com", "service_account", "gcp:iam"),
            res(DANA, "principal", "gcp:iam"),
            res(BACKUP_KEY, "credential", "gcp:iam"),
        ],
        src_ip="198.51.100.17",
        user_agent=UA_PY,
    ),
    "workload identity GenerateAccessToken, delegation info [{}]": row(
        GCLOUD,
        "$[0]",
        event_uid="1q8w7e6r5t4y",
        time=datetime(2024, 5, 2, 9, 59, 58, 392416, tzinfo=UTC),
        class_name="authentication",
        operation="GenerateAccessToken",
        actor_uid=GITHUB_PRINCIPAL,
        activity="authenticate",
        delegations=[hop("impersonate", GITHUB_PRINCIPAL, AGENT_SA, "grant")],
        credentials=[cred(None, "oauth_token", "issued", AGENT_SA)],
        actor_type="service",
        target_uid="projects/-/serviceAccounts/104422183371530948282",
        target_type="iam.serviceAccounts",
        target_name="104422183371530948282",
        target_system="gcp:iamcredentials",
        resources=[res(AGENT_SA, "service_account", "gcp:iam")],
        src_ip="192.0.2.201",
        user_agent="google-github-actions:auth/2.1.2,gzip(gfe)",
    ),
    "Compute insert: status absent, timestamp without fraction": row(
        GCLOUD,
        "$[1]",
        event_uid="-7u6y5t4r3e2w",
        time=t(2024, 5, 2, 10, 10, 0),
        class_name="api_activity",
        operation="v1.compute.instances.insert",
        activity="create",
        actor_uid=AGENT_SA,
        actor_type="service",
        target_uid=f"projects/{PROJECT}/zones/europe-west4-a/instances/gpu-miner-01",
        target_type="compute.instances",
        target_name="gpu-miner-01",
        target_system="gcp:compute",
        resources=[
            res(
                f"projects/{PROJECT}/regions/europe-west4/subnetworks/default",
                "compute.subnetworks",
                "gcp:compute",
            ),
            res(
                f"projects/{PROJECT}/zones/europe-west4-a/disks/gpu-miner-01", "compute.disks", "gcp:compute"
            ),
        ],
        src_ip="198.51.100.17",
        user_agent=UA_PY,
    ),
}

COUNTS = {SINK.name: (7, 4, 3, 0), GCLOUD.name: (2, 2, 0, 0)}


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory):
    return load(tmp_path_factory.mktemp("gcp_audit"), SINK, GCLOUD)


def test_every_sample_file_is_detected_and_accounted_for(ingested) -> None:
    case, summary = ingested
    manifest = case.sql("SELECT file, source, read, loaded, quarantined, duplicates FROM manifest").to_dicts()
    got = {
        Path(m["file"]).name: (m["read"], m["loaded"], m["quarantined"], m["duplicates"]) for m in manifest
    }
    assert got == COUNTS, str(summary)
    assert {m["source"] for m in manifest} == {"gcp_audit"}


def test_non_audit_entries_are_quarantined_with_what_they_are(ingested) -> None:
    case, _ = ingested
    lines = SINK.read_text().splitlines()
    got = [
        subset(
            q, {"evidence_file": None, "evidence_offset": None, "source": None, "reason": None, "raw": None}
        )
        for q in quarantine(case)
    ]
    assert got == [
        {
            "evidence_file": str(SINK),
            "evidence_offset": 5,
            "source": "gcp_audit",
            "reason": "not an audit log entry (jsonPayload)",
            "raw": lines[4],
        },
        {
            "evidence_file": str(SINK),
            "evidence_offset": 6,
            "source": "gcp_audit",
            "reason": "not an audit log entry (textPayload)",
            "raw": lines[5],
        },
        {
            "evidence_file": str(SINK),
            "evidence_offset": 7,
            "source": "gcp_audit",
            "reason": "not an audit log entry (protoPayload type.googleapis.com/google.appengine.logging.v1.RequestLog)",
            "raw": lines[6],
        },
    ]


@pytest.mark.parametrize("name", list(CASES))
def test_case_row(ingested, name: str) -> None:
    case, _ = ingested
    expected = CASES[name]
    got = one(case, "event_uid = $id", id=expected["event_uid"])
    assert subset(got, expected) == expected


def test_raw_is_the_record_text(ingested) -> None:
    case, _ = ingested
    assert one(case, "event_uid = $id", id="k9l8m7n6b5v4")["raw"] == SINK.read_text().splitlines()[3]
    _, element = locate(GCLOUD, "$[0]")
    assert one(case, "event_uid = $id", id="1q8w7e6r5t4y")["raw"] == element


def test_gke_entries_forced_through_this_loader(tmp_path: Path) -> None:
    case, summary = load(tmp_path, GKE_ONLY, source="gcp_audit")
    assert (summary.read, summary.loaded, summary.quarantined) == (2, 2, 0)
    common = {"class_name": "api_activity", "target_system": "k8s:ml-prod-gke"}
    patch = row(
        GKE_ONLY,
        "$:1",
        **common,
        event_uid="7c6b5a49-3827-4160-9f8e-7d6c5b4a3928",
        time=datetime(2024, 5, 2, 10, 11, 30, 411975, tzinfo=UTC),
        operation="io.k8s.apps.v1.deployments.patch",
        activity="update",
        actor_uid=DANA,
        actor_type="human",
        target_uid="namespaces/agents/deployments/agent-runner",
        target_type="deployments",
        target_name="agent-runner",
        src_ip="203.0.113.24",
        user_agent="kubectl/v1.29.4 (linux/amd64) kubernetes/55019c8",
    )
    denied = row(
        GKE_ONLY,
        "$:2",
        **common,
        event_uid="3a2b1c0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d",
        time=datetime(2024, 5, 2, 10, 12, 6, 998104, tzinfo=UTC),
        operation="io.k8s.rbac.v1.clusterrolebindings.create",
        activity="grant",
        status="failure",
        status_detail=(
            "PERMISSION_DENIED (7): clusterrolebindings.rbac.authorization.k8s.io is forbidden: User "
            '"system:serviceaccount:agents:agent-runner" cannot create resource "clusterrolebindings" in API group '
            '"rbac.authorization.k8s.io" at the cluster scope'
        ),
        actor_uid="system:serviceaccount:agents:agent-runner",
        actor_type="service",
        target_uid="clusterrolebindings",
        target_type="clusterrolebindings",
        src_ip="10.128.0.12",
        user_agent=UA_AGENT_K8S,
    )
    for expected in (patch, denied):
        got = one(case, "event_uid = $id", id=expected["event_uid"])
        assert subset(got, expected) == expected


def _variant(tmp_path: Path, changes: dict[str, Any], drop: tuple[str, ...] = ()) -> Path:
    """The first sink entry with top-level or protoPayload.authenticationInfo changes, as a new file."""
    entry = json.loads(SINK.read_text().splitlines()[0])
    entry["insertId"] = "variant"
    for key in drop:
        entry.pop(key)
    for key, value in changes.items():
        if key == "authenticationInfo":
            entry["protoPayload"]["authenticationInfo"].update(value)
        else:
            entry[key] = value
    path = tmp_path / "variant.jsonl"
    path.write_text(json.dumps(entry) + "\n")
    return path


def test_first_non_empty_delegation_authority_is_the_delegator(tmp_path: Path) -> None:
    chain = [
        {},
        {"firstPartyPrincipal": {"principalEmail": DANA}},
        {"firstPartyPrincipal": {"principalEmail": "ops@acme.example"}},
    ]
    case, _ = load(
        tmp_path, _variant(tmp_path, {"authenticationInfo": {"serviceAccountDelegationInfo": chain}})
    )
    got = one(case, "true")
    assert got["delegator_uid"] == DANA
    assert res("ops@acme.example", "principal", "gcp:iam") in got["resources"]


@pytest.mark.parametrize(
    ("stamp", "utc"),
    [
        ("2024-05-02T10:02:13.123456789Z", datetime(2024, 5, 2, 10, 2, 13, 123456, tzinfo=UTC)),
        ("2024-05-02T10:02:13.1Z", datetime(2024, 5, 2, 10, 2, 13, 100000, tzinfo=UTC)),
        ("2024-05-02T12:02:13+02:00", t(2024, 5, 2, 10, 2, 13)),
    ],
)
def test_timestamp_fraction_digits(tmp_path: Path, stamp: str, utc: datetime) -> None:
    case, _ = load(tmp_path, _variant(tmp_path, {"timestamp": stamp}))
    assert one(case, "true")["time"] == utc


def test_receive_timestamp_stands_in_for_a_missing_timestamp(tmp_path: Path) -> None:
    case, _ = load(tmp_path, _variant(tmp_path, {}, drop=("timestamp",)))
    assert one(case, "true")["time"] == datetime(2024, 5, 2, 10, 2, 14, 118322, tzinfo=UTC)
    case2, summary = load(tmp_path / "2", _variant(tmp_path, {}, drop=("timestamp", "receiveTimestamp")))
    assert (summary.loaded, summary.quarantined) == (0, 1)
    assert quarantine(case2)[0]["reason"] == "no readable timestamp: absent"


def test_redacted_caller_has_no_actor(tmp_path: Path) -> None:
    path = _variant(tmp_path, {"authenticationInfo": {"principalEmail": "", "principalSubject": ""}})
    case, _ = load(tmp_path, path)
    got = one(case, "true")
    assert (got["actor_uid"], got["actor_type"]) == (None, None)


# --- detection ----------------------------------------------------------------------------------


def records_of(path: Path) -> list[object]:
    return sample_records(EvidenceItem(path))


@pytest.mark.parametrize("path", [SINK, GCLOUD], ids=lambda p: p.name)
def test_sniff_accepts_both_export_shapes(path: Path) -> None:
    assert loaders.get("gcp_audit").sniff(records_of(path))


def test_sniff_leaves_gke_only_files_to_the_kubernetes_loader() -> None:
    sniff = loaders.get("gcp_audit").sniff
    gke = records_of(GKE_ONLY)
    assert not sniff(gke)
    text_entry = json.loads(SINK.read_text().splitlines()[5])
    assert sniff([*gke, text_entry]), (
        "GKE audit entries mixed with other Cloud Logging entries are a project export"
    )


def test_sniff_rejects_look_alikes() -> None:
    sniff = loaders.get("gcp_audit").sniff
    lines = SINK.read_text().splitlines()
    non_audit_only = [json.loads(line) for line in lines[4:]]
    cloudtrail = {
        "eventVersion": "1.09",
        "eventSource": "s3.amazonaws.com",
        "eventName": "GetObject",
        "awsRegion": "us-east-1",
        "eventTime": "2024-05-02T10:00:00Z",
    }
    raw_k8s = {
        "kind": "Event",
        "apiVersion": "audit.k8s.io/v1",
        "auditID": "a1",
        "stage": "ResponseComplete",
        "verb": "get",
        "user": {"username": "admin"},
    }
    assert not sniff(non_audit_only)
    assert not sniff([cloudtrail, raw_k8s])




# --- delegation and credentials ------------------------------------------------------------------
# ``delegation.jsonl``, written from the AuditLog reference (serviceAccountDelegationInfo in the original
# order of delegation, principalSubject, serviceAccountKeyName as a full resource name), IAM's
# service-account and workload identity federation log examples (CreateServiceAccountKey's response
# name, SetIAMPolicy's policyDelta, ExchangeToken's metadata.mapped_principal) and iamcredentials'
# GenerateAccessTokenRequest.

DELEGATION = HERE / "delegation.jsonl"
READER = "prod-data-reader@acme-data-prod.iam.gserviceaccount.com"
READER_ID = "118230512774011203391"
#: One key, spelled four ways by the records (response name, full resource name, by e-mail and by
#: unique id): one canonical uid.
READER_KEY = f"projects/-/serviceAccounts/{READER}/keys/5e0f1d2c3b4a59687f6e5d4c3b2a19080f7e6d5c"
GKE_SUBJECT = f"serviceAccount:{PROJECT}.svc.id.goog[agents/agent-runner]"
UA_GCLOUD = "google-cloud-sdk gcloud/473.0.0 command/gcloud.{},gzip(gfe)"


def drow(line: int, **columns: Any) -> dict[str, Any]:
    return row(DELEGATION, f"$:{line}", **{"account_uid": "acme-data-prod", "actor_type": "service", **columns})


DELEGATION_CASES: dict[str, dict[str, Any]] = {
    "production data read through an impersonation chain (original order: the first caller first)": drow(
        1,
        event_uid="d1a2t3a4r5e6",
        time=t(2024, 5, 2, 10, 20, 1, 104250),
        class_name="data_access",
        operation="google.cloud.bigquery.v2.TableDataService.List",
        activity="list",
        actor_uid=READER,
        delegator_uid=DANA,
        delegations=[hop("impersonate", DANA, AGENT_SA, "event"), hop("impersonate", AGENT_SA, READER, "event")],
        target_uid="projects/acme-data-prod/datasets/customers/tables/accounts",
        target_type="bigquery.googleapis.com/Table",
        target_name="accounts",
        target_system="gcp:bigquery",
        resources=[res(AGENT_SA, "service_account", "gcp:iam"), res(DANA, "principal", "gcp:iam")],
        src_ip="198.51.100.17",
        user_agent=UA_PY,
    ),
    "GKE workload identity: the Kubernetes service account federates into the Google one, and is the same principal": drow(
        2,
        event_uid="w1i2f3g4k5e6",
        time=t(2024, 5, 2, 10, 21, 12, 553001),
        account_uid=PROJECT,
        class_name="data_access",
        operation="storage.objects.get",
        activity="read",
        actor_uid=AGENT_SA,
        delegator_uid=GKE_SUBJECT,
        delegations=[
            hop("federate", GKE_SUBJECT, AGENT_SA, "event"),
            hop("same_as", GKE_SUBJECT, "system:serviceaccount:agents:agent-runner", "standing"),
        ],
        target_uid="projects/_/buckets/acme-models/objects/prod/weights.bin",
        target_type="storage.objects",
        target_name="weights.bin",
        target_system="gcp:storage",
        resources=[res(GKE_SUBJECT, "principal", "gcp:iam")],
        src_ip="10.128.0.12",
        user_agent="gcloud-python/3.4.1 google-cloud-storage/2.16.0,gzip(gfe)",
    ),
    "generateAccessToken: a grant to impersonate the target service account (no token id logged)": drow(
        3,
        event_uid="g1a2t3k4n5e6",
        time=t(2024, 5, 2, 10, 19, 58, 9311),
        class_name="authentication",
        operation="GenerateAccessToken",
        activity="authenticate",
        actor_uid=AGENT_SA,
        delegations=[hop("impersonate", AGENT_SA, READER, "grant")],
        credentials=[cred(None, "oauth_token", "issued", READER)],
        target_uid=f"projects/-/serviceAccounts/{READER_ID}",
        target_type="service_account",
        target_name=READER_ID,
        target_system="gcp:iamcredentials",
        resources=[res(READER, "service_account", "gcp:iam")],
        src_ip="198.51.100.17",
        user_agent=UA_PY,
    ),
    "CreateServiceAccountKey: created, canonical, expiring at validBeforeTime": drow(
        4,
        event_uid="k1c2r3e4a5t6",
        time=t(2024, 5, 2, 10, 22, 40, 771204),
        class_name="account_change",
        operation="google.iam.admin.v1.CreateServiceAccountKey",
        activity="create",
        actor_uid=AGENT_SA,
        credentials=[cred(READER_KEY, "service_account_key", "created", READER, expires=t(2024, 7, 31, 10, 22, 40))],
        target_uid=f"projects/-/serviceAccounts/{READER_ID}",
        target_type="iam.googleapis.com/ServiceAccount",
        target_name=READER_ID,
        target_system="gcp:iam",
        resources=[res(READER, "service_account", "gcp:iam"), res(READER_KEY, "credential", "gcp:iam")],
        src_ip="198.51.100.17",
        user_agent=UA_PY,
    ),
    "the key authenticates a read: used, the same uid, not a credential resource": drow(
        5,
        event_uid="k1u2s3e4d5a6",
        time=t(2024, 5, 2, 10, 25, 3, 318742),
        class_name="data_access",
        operation="storage.objects.get",
        activity="read",
        actor_uid=READER,
        credential_uid=READER_KEY,
        credentials=[cred(READER_KEY, "service_account_key", "used", READER)],
        target_uid="projects/_/buckets/acme-customer-exports/objects/2024-04/accounts.csv",
        target_type="storage.objects",
        target_name="accounts.csv",
        target_system="gcp:storage",
        src_ip="203.0.113.99",
        user_agent="curl/8.5.0",
    ),
    "DisableServiceAccountKey: revoked (the name spelling the account by e-mail wins over its unique id)": drow(
        6,
        event_uid="k1d2i3s4a5b6",
        time=t(2024, 5, 2, 11, 2, 17, 400019),
        class_name="account_change",
        operation="google.iam.admin.v1.DisableServiceAccountKey",
        activity="update",
        actor_uid=DANA,
        actor_type="human",
        credentials=[cred(READER_KEY, "service_account_key", "revoked", READER)],
        target_uid=f"projects/-/serviceAccounts/{READER_ID}/keys/5e0f1d2c3b4a59687f6e5d4c3b2a19080f7e6d5c",
        target_type="iam.googleapis.com/ServiceAccountKey",
        target_name="5e0f1d2c3b4a59687f6e5d4c3b2a19080f7e6d5c",
        target_system="gcp:iam",
        resources=[res(READER, "service_account", "gcp:iam")],
        src_ip="203.0.113.24",
        user_agent=UA_GCLOUD.format("iam.service-accounts.keys.disable"),
    ),
    "DeleteServiceAccountKey: deleted": drow(
        7,
        event_uid="k1d2e3l4e5t6",
        time=t(2024, 5, 2, 11, 3, 40, 118230),
        class_name="account_change",
        operation="google.iam.admin.v1.DeleteServiceAccountKey",
        activity="delete",
        actor_uid=DANA,
        actor_type="human",
        credentials=[cred(READER_KEY, "service_account_key", "deleted", READER)],
        target_uid=f"projects/-/serviceAccounts/{READER_ID}/keys/5e0f1d2c3b4a59687f6e5d4c3b2a19080f7e6d5c",
        target_type="iam.googleapis.com/ServiceAccountKey",
        target_name="5e0f1d2c3b4a59687f6e5d4c3b2a19080f7e6d5c",
        target_system="gcp:iam",
        resources=[res(READER, "service_account", "gcp:iam")],
        src_ip="203.0.113.24",
        user_agent=UA_GCLOUD.format("iam.service-accounts.keys.delete"),
    ),
    "SetIAMPolicy with an ADD binding delta: grant": drow(
        8,
        event_uid="p1a2d3d4e5r6",
        time=t(2024, 5, 2, 10, 18, 30, 2871),
        class_name="account_change",
        operation="google.iam.admin.v1.SetIAMPolicy",
        activity="grant",
        actor_uid=DANA,
        actor_type="human",
        target_uid=f"projects/-/serviceAccounts/{READER_ID}",
        target_type="iam.serviceAccounts",
        target_name=READER_ID,
        target_system="gcp:iam",
        resources=[res(AGENT_SA, "service_account", "gcp:iam"), res(READER, "service_account", "gcp:iam")],
        src_ip="203.0.113.24",
        user_agent=UA_GCLOUD.format("iam.service-accounts.add-iam-policy-binding"),
    ),
    "SetIamPolicy with a REMOVE binding delta: ungrant": drow(
        9,
        event_uid="p1r2e3m4o5v6",
        time=t(2024, 5, 2, 11, 5, 9, 651004),
        account_uid=PROJECT,
        class_name="account_change",
        operation="SetIamPolicy",
        activity="ungrant",
        actor_uid=DANA,
        actor_type="human",
        target_uid=f"projects/{PROJECT}",
        target_type="cloudresourcemanager.googleapis.com/Project",
        target_name=PROJECT,
        target_system="gcp:cloudresourcemanager",
        resources=[res(AGENT_SA, "service_account", "gcp:iam")],
        src_ip="203.0.113.24",
        user_agent=UA_GCLOUD.format("projects.remove-iam-policy-binding"),
    ),
    "ExchangeToken: the IdP subject federates into its mapped principal": drow(
        10,
        event_uid="s1t2s3x4c5h6",
        time=t(2024, 5, 2, 9, 59, 57, 771092),
        account_uid=PROJECT,
        class_name="authentication",
        operation="google.identity.sts.v1.SecurityTokenService.ExchangeToken",
        activity="authenticate",
        actor_uid="repo:acme/agents:ref:refs/heads/main",
        actor_type="unknown",
        delegations=[hop("federate", "repo:acme/agents:ref:refs/heads/main", GITHUB_PRINCIPAL, "grant")],
        credentials=[cred(None, "oauth_token", "issued", GITHUB_PRINCIPAL)],
        target_uid="projects/412937556104/locations/global/workloadIdentityPools/github-actions/providers/github",
        target_type="audited_resource",
        target_name="github",
        target_system="gcp:sts",
        src_ip="192.0.2.201",
        user_agent="google-github-actions:auth/2.1.2,gzip(gfe)",
    ),
}


@pytest.fixture(scope="module")
def delegation(tmp_path_factory: pytest.TempPathFactory):
    case, summary = load(tmp_path_factory.mktemp("gcp_delegation"), DELEGATION)
    assert (summary.read, summary.loaded, summary.quarantined) == (10, 10, 0)
    return case


@pytest.mark.parametrize("name", list(DELEGATION_CASES))
def test_delegation_row(delegation, name: str) -> None:
    expected = DELEGATION_CASES[name]
    got = one(delegation, "event_uid = $id", id=expected["event_uid"])
    assert subset(got, expected) == expected


def test_a_key_has_one_uid_from_creation_to_use_to_deletion(delegation) -> None:
    got = delegation.sql(
        "SELECT c.action, c.uid FROM events, unnest(credentials) AS t(c) WHERE c.kind = 'service_account_key' ORDER BY time"
    ).rows()
    assert got == [("created", READER_KEY), ("used", READER_KEY), ("revoked", READER_KEY), ("deleted", READER_KEY)]
