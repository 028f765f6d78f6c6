"""Microsoft Graph activity logs (``samples/graph_activity/``, written from Microsoft's
MicrosoftGraphActivityLogs reference: the Azure Monitor diagnostic export with camelCase ``properties`` and
the Log Analytics table's PascalCase columns):

* ``diagnostic-export.jsonl``: a user reading a mailbox through Exchange Online's app;
* ``log-analytics-rows.json``: an app-only token denied an application update (403);
* ``eventhub-with-signins.jsonl``: an Event Hub export mixing a sign-in and the Graph request made with the
  token it issued: routed record by record (the sign-in to entra, the request here), and joined by the
  token (the sign-in's ``uniqueTokenIdentifier`` = the request's ``signInActivityId``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.loaders.helpers import SAMPLES, blank_row, cred, hop, load, one, res, rows, subset
from tests.loaders.helpers import utc as t

HERE = SAMPLES / "graph_activity"
DANA = "0b7e6d1c-2f3a-4b5c-8d9e-a1b2c3d4e5f6"
EXO = "00000002-0000-0ff1-ce00-000000000000"
TOKEN = "Qm9vVGtOaW5nUHJvdGVjdGlvbg"
TENANT = "72f988bf-0000-4000-8000-00000000c0de"
MAILBOX = f"https://graph.microsoft.com/v1.0/users/{DANA}/messages"
APP = "6e7f8a9b-0c1d-4e2f-8a3b-4c5d6e7f8a9b"
SP = "7f8a9b0c-1d2e-4f3a-8b4c-5d6e7f8a9b0c"


def _mail_read(file: Path, uid: str) -> dict[str, Any]:
    return blank_row() | {
        "event_uid": uid, "time": t(2024, 5, 2, 11, 3, 12, 512345), "source": "graph_activity",
        "class_name": "api_activity", "operation": f"GET /v1.0/users/{DANA}/messages", "activity": "read",
        "status": "success", "actor_uid": DANA, "actor_type": "human", "account_uid": TENANT,
        "credential_uid": TOKEN, "delegator_uid": EXO,
        "delegations": [hop("on_behalf_of", DANA, EXO, "event", TOKEN)],
        "credentials": [cred(TOKEN, "oauth_token", "used", DANA), cred(EXO, "oauth_client", "used", EXO)],
        "target_uid": MAILBOX, "target_type": "graph_resource", "target_name": "messages", "target_system": "msgraph",
        "resources": [res(EXO, "application", "entra")], "src_ip": "198.51.100.77", "user_agent": "python-requests/2.31.0",
        "evidence_file": str(file), "evidence_path": "$",
    }


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return load(tmp_path_factory.mktemp("graph"), HERE)


def test_every_file_is_accounted_for(ingested: Any) -> None:
    case, _ = ingested
    got = {Path(m["file"]).name: (m["source"], m["read"], m["loaded"], m["quarantined"])
           for m in case.sql("SELECT file, source, read, loaded, quarantined FROM manifest").to_dicts()}
    assert got == {"diagnostic-export.jsonl": ("graph_activity", 1, 1, 0),
                   "log-analytics-rows.json": ("graph_activity", 1, 1, 0),
                   "eventhub-with-signins.jsonl": ("entra", 2, 2, 0)}


def test_diagnostic_export_row(ingested: Any) -> None:
    file = HERE / "diagnostic-export.jsonl"
    expected = _mail_read(file, "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b") | {"evidence_offset": 1}
    assert subset(one(ingested[0], "event_uid = $id", id=expected["event_uid"]), expected) == expected


def test_log_analytics_row(ingested: Any) -> None:
    file = HERE / "log-analytics-rows.json"
    uri = "https://graph.microsoft.com/v1.0/applications/3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f"
    expected = blank_row() | {
        "event_uid": "2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d", "time": t(2024, 5, 2, 11, 4, 30, 221000),
        "source": "graph_activity", "class_name": "api_activity",
        "operation": "PATCH /v1.0/applications/3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f", "activity": "update",
        "status": "failure", "status_detail": "HTTP 403", "actor_uid": SP, "actor_type": "service",
        "account_uid": TENANT, "credential_uid": APP, "delegations": [hop("same_as", APP, SP, "standing")],
        "credentials": [cred(APP, "oauth_client", "used", APP)], "target_uid": uri, "target_type": "graph_resource",
        "target_name": "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f", "target_system": "msgraph",
        "resources": [res(APP, "application", "entra")], "src_ip": "203.0.113.88", "user_agent": "Go-http-client/1.1",
        "evidence_file": str(file), "evidence_offset": 2, "evidence_path": "$[0]",
    }
    assert subset(one(ingested[0], "event_uid = $id", id=expected["event_uid"]), expected) == expected


def test_mixed_export_is_routed_and_joins_by_token(ingested: Any) -> None:
    case, _ = ingested
    file = HERE / "eventhub-with-signins.jsonl"
    got = rows(case, "evidence_file = $f", f=str(file))
    assert [r["source"] for r in got] == ["entra_signin", "graph_activity"]
    signin, request = got
    assert cred(TOKEN, "oauth_token", "issued", DANA) in signin["credentials"]
    assert hop("on_behalf_of", DANA, EXO, "grant", TOKEN) in signin["delegations"]
    expected = _mail_read(file, "4d5e6f7a-8b9c-4d0e-8f1a-2b3c4d5e6f7a") | {"evidence_offset": 2}
    assert subset(request, expected) == expected
