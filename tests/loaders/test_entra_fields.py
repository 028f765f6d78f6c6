"""Entra / Azure field semantics on vendor-shaped records (``samples/entra/field-semantics.jsonl``, written
from Microsoft's Azure Monitor SignInLogs and Activity log schemas):

* ``clientAppUsed`` (``Exchange ActiveSync``) is the client protocol, not a user agent: ``user_agent`` null;
* an Activity log caller known only by its UPN claim (no ``oid``, no ``caller``) is that UPN.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from tests.loaders.helpers import SAMPLES, blank_row, cred, hop, load, one, res, subset
from tests.loaders.helpers import utc as t

FILE = SAMPLES / "entra" / "field-semantics.jsonl"
DANA = "0b7e6d1c-2f3a-4b5c-8d9e-a1b2c3d4e5f6"
EXO = "00000002-0000-0ff1-ce00-000000000000"
CLI = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
GUEST = "guest.auditor@partner.example"
ACCOUNT = "/SUBSCRIPTIONS/5F1E2D3C-4B5A-4968-8776-A5B4C3D2E1F0/RESOURCEGROUPS/RG-AGENTS/PROVIDERS/MICROSOFT.STORAGE/STORAGEACCOUNTS/PAYROLLDATA"


def _row(line: int, **fields: Any) -> dict[str, Any]:
    return blank_row() | {"evidence_file": str(FILE), "evidence_offset": line, "evidence_path": "$"} | fields


EXPECTED = {
    "legacy-protocol sign-in: clientAppUsed is not a user agent": _row(
        1, event_uid="6c7d8e9f-0a1b-4c2d-8e3f-4a5b6c7d8e9f", time=t(2024, 5, 2, 11, 2, 10, 123456),
        source="entra_signin", class_name="authentication", operation="Sign-in activity", activity="authenticate",
        status="success", actor_uid=DANA, actor_type="human", actor_name="dana.reyes@contoso.example",
        account_uid="72f988bf-0000-4000-8000-00000000c0de", session_uid="5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e",
        credential_uid=EXO, delegations=[hop("on_behalf_of", DANA, EXO, "grant")],
        credentials=[cred(EXO, "oauth_client", "used", EXO, "Office 365 Exchange Online")],
        target_uid=EXO, target_type="application", target_name="Office 365 Exchange Online", target_system="entra",
        resources=[res(EXO, "application", "entra")], src_ip="198.51.100.77", user_agent=None,
    ),
    "Activity log caller known by its UPN claim alone": _row(
        # the diagnostic export carries no event id: SHA-256 of the raw line
        2, event_uid=hashlib.sha256(FILE.read_text().splitlines()[1].encode()).hexdigest(),
        time=t(2024, 5, 2, 11, 5, 44, 663058), source="azure_activity", class_name="api_activity",
        operation="MICROSOFT.STORAGE/STORAGEACCOUNTS/LISTKEYS/ACTION", activity="read", status="success",
        status_detail="Success: OK", actor_uid=GUEST, actor_type="human", actor_name=GUEST,
        session_uid="7d8e9f0a-1b2c-4d3e-8f4a-5b6c7d8e9f0a", credential_uid=CLI,
        delegations=[hop("on_behalf_of", GUEST, CLI, "event")], credentials=[cred(CLI, "oauth_client", "used", CLI)],
        target_uid=ACCOUNT, target_type="microsoft.storage/storageaccounts", target_name="PAYROLLDATA",
        target_system="azure:microsoft.storage", resources=[res(CLI, "application", "entra")], src_ip="203.0.113.24",
    ),
}


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return load(tmp_path_factory.mktemp("entra_fields"), FILE)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_whole_row(ingested: Any, name: str) -> None:
    expected = EXPECTED[name]
    got = one(ingested[0], "evidence_offset = $n", n=expected["evidence_offset"])
    assert subset(got, expected) == expected
