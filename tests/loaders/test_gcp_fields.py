"""GCP field semantics on vendor-shaped records (``samples/gcp_audit/field-semantics.jsonl``, written from
Google's Cloud Audit Logs LogEntry / AuditLog reference, the Google Workspace Login Audit samples and the
BigQuery log-sink export schema):

* Workspace ``loginFailure`` (no status in the entry) is a failed sign-in, and logins are authentication, not
  data access, although Workspace writes them to the data_access log;
* a BigQuery sink row (``protopayload_auditlog``, request/response as JSON text, no ``@type``) loads;
* an AuditLog whose ``@type`` a shipper dropped loads.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.loaders.helpers import SAMPLES, blank_row, cred, load, one, res, subset
from tests.loaders.helpers import utc as t

FILE = SAMPLES / "gcp_audit" / "field-semantics.jsonl"
DANA = "dana.reyes@example.com"
SA = "agent-runner@acme-prod.iam.gserviceaccount.com"
KEY = f"projects/-/serviceAccounts/{SA}/keys/0123456789abcdef0123456789abcdef01234567"
GCLOUD_UA = "google-cloud-sdk gcloud/470.0.0"


def _row(line: int, **fields: Any) -> dict[str, Any]:
    return blank_row() | {"source": "gcp_audit", "evidence_file": str(FILE), "evidence_offset": line,
                          "evidence_path": "$"} | fields


def _login(line: int, uid: str, second: int, method: str, status: str, detail: str | None) -> dict[str, Any]:
    return _row(line, event_uid=uid, time=t(2024, 5, 2, 10, 0, second), class_name="authentication",
                operation=f"google.login.LoginService.{method}", activity="authenticate", status=status,
                status_detail=detail, actor_uid=DANA, actor_type="human", account_uid="organizations/123456789012",
                target_uid="organizations/123456789012", target_type="audited_resource", target_name="123456789012",
                target_system="gcp:login", resources=[], src_ip="203.0.113.24")


EXPECTED = {
    "Workspace login_failure": _login(1, "-x1y2z3a4b5c", 10, "loginFailure", "failure", "login_failure"),
    "Workspace login_success": _login(2, "-x1y2z3a4b5d", 40, "loginSuccess", "success", None),
    "BigQuery sink row": _row(
        3, event_uid="1abc2def3ghi", time=t(2024, 5, 2, 10, 1, 0, 123456), class_name="data_access",
        operation="storage.objects.get", activity="read", status="success", actor_uid=SA, actor_type="service",
        account_uid="acme-prod", target_uid="projects/_/buckets/acme-exports/objects/customers.csv",
        target_type="storage.objects", target_name="customers.csv", target_system="gcp:storage", resources=[],
        src_ip="10.128.0.7", user_agent=GCLOUD_UA,
    ),
    "AuditLog without @type": _row(
        4, event_uid="1kx2y3z4a5", time=t(2024, 5, 2, 10, 2), class_name="account_change",
        operation="google.iam.admin.v1.CreateServiceAccountKey", activity="create", status="success",
        actor_uid=DANA, actor_type="human", account_uid="acme-prod",
        credentials=[cred(KEY, "service_account_key", "created", SA)],
        target_uid="projects/-/serviceAccounts/112233445566778899000", target_type="service_account",
        target_name="112233445566778899000", target_system="gcp:iam",
        resources=[res(SA, "service_account", "gcp:iam"), res(KEY, "credential", "gcp:iam")],
        src_ip="203.0.113.24", user_agent=GCLOUD_UA,
    ),
}


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return load(tmp_path_factory.mktemp("gcp_fields"), FILE)


def test_all_load(ingested: Any) -> None:
    assert (ingested[1].read, ingested[1].loaded, ingested[1].quarantined) == (4, 4, 0)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_whole_row(ingested: Any, name: str) -> None:
    expected = EXPECTED[name]
    got = one(ingested[0], "event_uid = $id", id=expected["event_uid"])
    assert subset(got, expected) == expected
