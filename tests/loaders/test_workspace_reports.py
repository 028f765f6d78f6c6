"""Google Workspace Reports API activities (``samples/workspace_reports/``, written from the Admin SDK
Reports API reference and its login, admin and token activity event references):

* ``login-page.json``: an ``activities.list`` page (``admin#reports#activities``) of two login activities,
  a ``login_failure`` and a ``login_success``;
* ``admin-token-items.jsonl``: single activities, one per line: an admin assigning a role, a user granting
  an OAuth app scopes (``token`` ``authorize``: consent).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.loaders.helpers import SAMPLES, blank_row, hop, load, one, res, subset
from tests.loaders.helpers import utc as t

HERE = SAMPLES / "workspace_reports"
PAGE = HERE / "login-page.json"
ITEMS = HERE / "admin-token-items.jsonl"
DANA = "dana.reyes@example.com"
CLIENT = "123456789012-abcdefghijklmnop.apps.googleusercontent.com"


def _row(file: Path, line: int, path: str, **fields: Any) -> dict[str, Any]:
    return blank_row() | {"source": "workspace_reports", "status": "success", "actor_type": "human",
                          "account_uid": "C03az79cb", "evidence_file": str(file), "evidence_offset": line,
                          "evidence_path": path} | fields


def _login(i: int, second: int, name: str, status: str, detail: str | None) -> dict[str, Any]:
    return _row(PAGE, 1, f"$.items[{i}].events[0]", event_uid=f"-491722335028374569{i}:2024-05-02T10:00:{second}.000Z:0",
                time=t(2024, 5, 2, 10, 0, second), class_name="authentication", operation=name, activity="authenticate",
                status=status, status_detail=detail, actor_uid=DANA, actor_name=DANA,
                target_system="google_workspace:login", resources=[], src_ip="203.0.113.24")


EXPECTED = {
    "login_failure": _login(0, 10, "login_failure", "failure", "login_failure_invalid_password"),
    "login_success": _login(1, 40, "login_success", "success", None),
    "admin assigns a role": _row(
        ITEMS, 1, "$.events[0]", event_uid="7310982144239017361:2024-05-02T10:05:00.000Z:0", time=t(2024, 5, 2, 10, 5),
        class_name="account_change", operation="ASSIGN_ROLE", activity="grant", actor_uid="it-admin@example.com",
        actor_name="it-admin@example.com", target_uid="agent-svc@example.com", target_type="user",
        target_name="agent-svc@example.com", target_system="google_workspace:admin",
        resources=[res("_SEED_ADMIN_ROLE", "admin_role", "google_workspace:admin")], src_ip="198.51.100.9",
    ),
    "user grants an OAuth app": _row(
        ITEMS, 2, "$.events[0]", event_uid="7310982144239017362:2024-05-02T10:06:00.000Z:0", time=t(2024, 5, 2, 10, 6),
        class_name="authorization", operation="authorize", activity="grant", actor_uid=DANA, actor_name=DANA,
        delegations=[hop("consent", DANA, CLIENT, "standing")], target_uid=CLIENT, target_type="oauth_client",
        target_name="Inbox Summarizer Agent", target_system="google_workspace:token",
        resources=[res("https://www.googleapis.com/auth/gmail.readonly", "oauth_scope", "google_workspace:token"),
                   res("https://www.googleapis.com/auth/drive", "oauth_scope", "google_workspace:token")],
        src_ip="203.0.113.24",
    ),
}


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return load(tmp_path_factory.mktemp("workspace"), HERE)


def test_each_event_is_a_row(ingested: Any) -> None:
    case, summary = ingested
    assert (summary.read, summary.loaded, summary.quarantined) == (4, 4, 0)  # a page counts one per event, like OTLP spans
    assert set(case.sql("SELECT source FROM manifest")["source"].to_list()) == {"workspace_reports"}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_whole_row(ingested: Any, name: str) -> None:
    expected = EXPECTED[name]
    assert subset(one(ingested[0], "event_uid = $id", id=expected["event_uid"]), expected) == expected


def test_a_page_row_keeps_its_activity(ingested: Any) -> None:
    got = one(ingested[0], "event_uid = $id", id=EXPECTED["login_failure"]["event_uid"])
    assert json.loads(got["raw"]) == json.loads(PAGE.read_text())["items"][0]
