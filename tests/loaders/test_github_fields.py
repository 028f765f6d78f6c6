"""GitHub: ``integration_installation.repositories_added`` keeps the repositories granted to the App
(``repositories_added_names``, per GitHub's audit log event reference). Sample written from that reference."""

from __future__ import annotations

from pathlib import Path

from tests.loaders.helpers import SAMPLES, blank_row, hop, load, one, res, subset
from tests.loaders.helpers import utc as t

FILE = SAMPLES / "github_audit" / "repositories-added.jsonl"


def test_repositories_granted_to_an_app_are_listed(tmp_path: Path) -> None:
    case, summary = load(tmp_path, FILE)
    assert (summary.read, summary.loaded, summary.quarantined) == (1, 1, 0)
    expected = blank_row() | {
        "event_uid": "Zq3xY8bT2mLp7aZrKd9wQA", "time": t(2024, 5, 2, 10, 0), "source": "github_audit",
        "class_name": "account_change", "operation": "integration_installation.repositories_added",
        "activity": "grant", "status": "success", "actor_uid": "dana-reyes", "actor_type": "human",
        "actor_name": "dana-reyes", "account_uid": "acme",
        "delegations": [hop("consent", "acme", "agent-ops", "standing")],
        "target_uid": "agent-ops", "target_type": "app", "target_name": "agent-ops", "target_system": "github",
        "resources": [res("acme", "organization", "github"), res("agent-ops", "app", "github"),
                      res("acme/payments", "repository", "github"), res("acme/infra", "repository", "github")],
        "src_ip": "203.0.113.24", "user_agent": "Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0",
        "evidence_file": str(FILE), "evidence_offset": 1, "evidence_path": "$",
    }
    assert subset(one(case, "true"), expected) == expected
