"""Okta System Log loader: API pages, JSON lines, event hooks, and what is not a LogEvent."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import irkit
from irkit.evidence import discover, sample_records
from irkit.loaders import okta
from tests.loaders.helpers import SAMPLES, conformance_corpus, cred, hop, load, one, quarantine, rows, subset

HERE = SAMPLES / "okta"
PAGE = HERE / "system_log_page.json"
LINES = HERE / "system_log.jsonl"
HOOK = HERE / "event_hook.json"
NOT_EVENTS = HERE / "not_log_events.jsonl"
CREDENTIALS = HERE / "credentials.jsonl"

ALICE = "00u8k2m4n6p8r0t2v4x6"
ADMIN = "00u1admin9z8y7x6w5v4"
AGENT_APP = "0oa5agent7k9m1n3p5r7"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def okta_res(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"uid": uid, "type": kind, "system": "okta"} for uid, kind in pairs]






def expected(**columns: Any) -> dict[str, Any]:
    """A whole normalized row: every column that matters, unset ones NULL."""
    base: dict[str, Any] = dict.fromkeys(
        (
            "status_detail",
            "account_uid",
            "session_uid",
            "credential_uid",
            "delegator_uid",
            "target_uid",
            "target_type",
            "target_name",
            "src_ip",
            "user_agent",
            "trace_uid",
            "span_uid",
            "parent_span_uid",
            "tool_name",
            "end_time",
            "activity",
        ),
    )
    base.update(source="okta", target_system="okta", resources=[], delegations=[], credentials=[])
    base.update(columns)
    return base


# --------------------------------------------------------------------------------------------
# Detection


def _records(path: Path) -> list[object]:
    return [r for item in discover([path]) for r in sample_records(item)]


@pytest.mark.parametrize("path", [PAGE, LINES, HOOK], ids=lambda p: p.name)
def test_sniff_accepts_each_shape(path: Path) -> None:
    assert okta.sniff(_records(path))


def test_sniff_rejects_other_formats() -> None:
    cloudtrail = {
        "eventVersion": "1.09",
        "eventTime": "2024-06-12T08:00:00Z",
        "eventSource": "s3.amazonaws.com",
        "eventName": "GetObject",
        "eventType": "AwsApiCall",
        "awsRegion": "eu-west-3",
    }
    github = {"@timestamp": 1718186400123, "action": "repo.create", "actor": "dana-eng", "org": "acme"}
    assert not okta.sniff([cloudtrail, github, {"errorCode": "E0000011"}])
    assert not okta.sniff(_records(SAMPLES / "github_audit"))


# --------------------------------------------------------------------------------------------
# Normalization


@pytest.fixture(scope="module")
def page_case(tmp_path_factory: pytest.TempPathFactory) -> irkit.Case:
    """The API page, ingested once for the tests that only read it."""
    case, _ = load(tmp_path_factory.mktemp("page_case"), PAGE)
    return case


def test_api_page(tmp_path: Path) -> None:
    case, summary = load(tmp_path, PAGE)
    assert (summary.read, summary.loaded, summary.quarantined, summary.duplicates) == (8, 8, 0, 0)
    assert quarantine(case) == []
    assert [r["evidence_path"] for r in rows(case)] == [f"$[{i}]" for i in range(8)]
    assert all(r["raw"].startswith("{") and r["raw"].endswith("}") for r in rows(case))


def test_user_session_start(page_case: irkit.Case) -> None:
    case = page_case
    row = one(case, "operation = 'user.session.start'")
    want = expected(
        event_uid="5f0b7c1e-2a3d-11ef-9a1b-0b5e6c7d8e9f",
        activity="authenticate",
        time=at("2024-06-12T08:15:02.114"),
        class_name="authentication",
        operation="user.session.start",
        status="success",
        actor_uid=ALICE,
        actor_type="human",
        actor_name="Alice Martin",
        session_uid="102Xq7vR2sTfW9yLmN3kPq8aZ",
        src_ip="198.51.100.23",
        user_agent=FIREFOX,
        evidence_offset=2,
        evidence_path="$[0]",
    )
    assert subset(row, want) == want


def test_client_credentials_grant_acts_as_the_client_app(page_case: irkit.Case) -> None:
    case = page_case
    row = one(case, "operation = 'app.oauth2.as.token.grant.access_token'")
    want = expected(
        event_uid="6a1c8d2f-2a3d-11ef-9a1b-0b5e6c7d8e9f",
        activity="authenticate",
        credentials=[
            cred(AGENT_APP, "oauth_client", "used", AGENT_APP),
            cred("AT.f3Kq9zP1vX7mB2nC4dE6gH8jL0", "oauth_token", "issued", AGENT_APP, expires=at("2024-06-12T09:20:44")),
        ],
        time=at("2024-06-12T08:20:44.901"),
        class_name="authentication",
        operation="app.oauth2.as.token.grant.access_token",
        status="success",
        status_detail="grant client_credentials; scopes okta.users.read, okta.groups.read",
        actor_uid=AGENT_APP,
        actor_type="service",
        actor_name="Support Triage Agent",
        session_uid=None,  # externalSessionId "unknown"
        credential_uid=AGENT_APP,
        delegator_uid=None,
        target_uid="aus2default4auth6srv",
        target_type="AuthorizationServer",
        target_name="default",
        resources=okta_res(
            ("aus2default4auth6srv", "AuthorizationServer"), ("AT.f3Kq9zP1vX7mB2nC4dE6gH8jL0", "credential")
        ),
        src_ip="203.0.113.50",
        user_agent="python-httpx/0.27.0",
    )
    assert subset(row, want) == want


def test_token_grant_on_behalf_of_a_user_names_the_user_as_delegator(page_case: irkit.Case) -> None:
    case = page_case
    row = one(case, "operation = 'app.oauth2.as.token.grant.refresh_token'")
    want = expected(
        event_uid="7b2d9e3a-2a3d-11ef-9a1b-0b5e6c7d8e9f",
        activity="authenticate",
        delegations=[hop("on_behalf_of", ALICE, AGENT_APP, "grant", "RT.a9S8d7F6g5H4j3K2l1", at("2024-06-19T08:31:10"))],
        credentials=[
            cred(AGENT_APP, "oauth_client", "used", AGENT_APP),
            cred("RT.a9S8d7F6g5H4j3K2l1", "oauth_token", "issued", ALICE, expires=at("2024-06-19T08:31:10")),
        ],
        time=at("2024-06-12T08:31:10.007"),
        class_name="authentication",
        operation="app.oauth2.as.token.grant.refresh_token",
        status="success",
        status_detail="grant refresh_token; scopes openid, offline_access, okta.myAccount.read",
        actor_uid=AGENT_APP,
        actor_type="service",
        actor_name="Support Triage Agent",
        credential_uid=AGENT_APP,
        delegator_uid=ALICE,
        target_uid=ALICE,
        target_type="User",
        target_name="Alice Martin",
        resources=okta_res((ALICE, "User"), ("RT.a9S8d7F6g5H4j3K2l1", "credential")),
        src_ip="203.0.113.50",
        user_agent="python-httpx/0.27.0",
    )
    assert subset(row, want) == want


def test_mfa_failure_with_java_map_and_json_text_debug_data(page_case: irkit.Case) -> None:
    case = page_case
    row = one(case, "operation = 'user.authentication.auth_via_mfa'")
    want = expected(
        event_uid="8c3e0f4b-2a3d-11ef-9a1b-0b5e6c7d8e9f",
        activity="authenticate",
        time=at("2024-06-12T08:40:55.560"),
        class_name="authentication",
        operation="user.authentication.auth_via_mfa",
        status="failure",
        status_detail="INVALID_CREDENTIALS",
        actor_uid=ALICE,
        actor_type="human",
        actor_name="Alice Martin",
        session_uid="102Xq7vR2sTfW9yLmN3kPq8aZ",
        target_uid="mfa4okta5verify6fac7",
        target_type="AuthenticatorEnrollment",
        target_name="Okta Verify",
        resources=okta_res(("mfa4okta5verify6fac7", "AuthenticatorEnrollment")),
        src_ip="192.0.2.77",
        user_agent=FIREFOX,
    )
    assert subset(row, want) == want
    assert (
        json.loads(row["raw"])["debugContext"]["debugData"]["risk"]
        == "{reasons=Anomalous Location, level=HIGH}"
    )


def test_admin_change_through_an_api_token(page_case: irkit.Case) -> None:
    case = page_case
    row = one(case, "operation = 'group.user_membership.add'")
    want = expected(
        event_uid="9d4f1a5c-2a3d-11ef-9a1b-0b5e6c7d8e9f",
        activity="grant", credentials=[cred("00T9apitoken2b4d6f8h", "api_token", "used", ADMIN)],
        time=at("2024-06-12T09:02:13.318"),
        class_name="account_change",
        operation="group.user_membership.add",
        status="success",
        actor_uid=ADMIN,
        actor_type="human",
        actor_name="IT Admin",
        credential_uid="00T9apitoken2b4d6f8h",
        target_uid=ALICE,
        target_type="User",
        target_name="Alice Martin",
        resources=okta_res((ALICE, "User"), ("00g3prod7admins9x1z3", "UserGroup")),
        src_ip="198.51.100.9",
        user_agent="okta-sdk-python/2.9.2 python/3.12.3 Linux/6.8.0",
    )
    assert subset(row, want) == want


def test_policy_deny_is_a_failure(page_case: irkit.Case) -> None:
    case = page_case
    row = one(case, "operation = 'policy.evaluate_sign_on'")
    want = expected(
        event_uid="ae5a2b6d-2a3d-11ef-9a1b-0b5e6c7d8e9f",
        activity="other",
        time=at("2024-06-12T09:05:40"),
        class_name="api_activity",
        operation="policy.evaluate_sign_on",
        status="failure",
        status_detail="Sign-on policy evaluation resulted in DENY",
        actor_uid=ALICE,
        actor_type="human",
        actor_name="Alice Martin",
        session_uid="102Xq7vR2sTfW9yLmN3kPq8aZ",
        target_uid="00p1signon3policy5x7",
        target_type="PolicyEntity",
        target_name="Default Policy",
        resources=okta_res(("00p1signon3policy5x7", "PolicyEntity"), ("0pr2deny4rule6x8z0b2", "PolicyRule")),
        src_ip="192.0.2.77",
        user_agent=FIREFOX,
    )
    assert subset(row, want) == want


def test_system_principal_with_null_client(page_case: irkit.Case) -> None:
    case = page_case
    row = one(case, "operation = 'user.lifecycle.deactivate'")
    want = expected(
        event_uid="bf6b3c7e-2a3d-11ef-9a1b-0b5e6c7d8e9f",
        activity="update",
        time=at("2024-06-12T09:30:00.250"),
        class_name="account_change",
        operation="user.lifecycle.deactivate",
        status="success",
        actor_uid="spr7okta0system1z2x3",
        actor_type="service",
        actor_name="Okta System",
        target_uid="00u4former6staff8x0z",
        target_type="User",
        target_name="Bob Leroy",
        resources=okta_res(("00u4former6staff8x0z", "User")),
    )
    assert subset(row, want) == want


def test_string_null_ip_and_challenge_outcome(page_case: irkit.Case) -> None:
    case = page_case
    row = one(case, "operation = 'user.authentication.sso'")
    want = expected(
        event_uid="c07c4d8f-2a3d-11ef-9a1b-0b5e6c7d8e9f",
        activity="authenticate",
        time=at("2024-06-12T09:45:31.777"),
        class_name="authentication",
        operation="user.authentication.sso",
        status="unknown",
        actor_uid=ALICE,
        actor_type="human",
        actor_name="Alice Martin",
        session_uid="102Xq7vR2sTfW9yLmN3kPq8aZ",
        target_uid="0oa7github9app1x3z5",
        target_type="AppInstance",
        target_name="GitHub Enterprise Cloud",
        resources=okta_res(("0oa7github9app1x3z5", "AppInstance")),
        src_ip="192.0.2.78",  # client.ipAddress is the string "null": the first ipChain address
        user_agent=FIREFOX,
    )
    assert subset(row, want) == want


def test_json_lines_impersonation_and_a_duplicate_across_files(tmp_path: Path) -> None:
    case, summary = load(tmp_path, PAGE, LINES)
    assert (summary.read, summary.loaded, summary.quarantined, summary.duplicates) == (11, 10, 0, 1)
    assert quarantine(case) == []
    row = one(case, "operation = 'user.account.update_profile'")
    want = expected(
        event_uid="e29e6f0b-2a3d-11ef-9a1b-0b5e6c7d8e9f",
        activity="update",
        delegations=[hop("impersonate", ADMIN, ALICE, "event")],
        credentials=[cred("0oa9admin1console3x5", "oauth_client", "used", ALICE)],
        time=at("2024-06-12T10:02:12.010"),
        class_name="account_change",
        operation="user.account.update_profile",
        status="success",
        actor_uid=ALICE,
        actor_type="human",
        actor_name="Alice Martin",
        session_uid="102ImpXq7vR2sTfW9yLmN3kA",
        credential_uid="0oa9admin1console3x5",  # client.id: the OAuth client of the request
        delegator_uid=ADMIN,  # debugData.originalPrincipal
        target_uid=ALICE,
        target_type="User",
        target_name="Alice Martin",
        resources=okta_res((ALICE, "User")),
        src_ip="198.51.100.9",
        user_agent=FIREFOX,
        evidence_offset=2,
        evidence_path="$",
    )
    assert subset(row, want) == want
    assert one(case, "operation = 'user.session.impersonation.initiate'")["delegator_uid"] is None


def test_event_hook_yields_one_row_per_event(tmp_path: Path) -> None:
    case, summary = load(tmp_path, HOOK)
    assert (summary.read, summary.loaded, summary.quarantined, summary.duplicates) == (2, 2, 0, 0)
    assert quarantine(case) == []
    found = rows(case)
    assert [r["evidence_path"] for r in found] == ["$.data.events[0]", "$.data.events[1]"]
    assert all(r["raw"] == HOOK.read_text().rstrip("\n") for r in found)
    want = expected(
        event_uid="04b08b2d-2a3e-11ef-9a1b-0b5e6c7d8e9f",
        activity="create", credentials=[cred("00T2newtoken4x6z8b0d", "api_token", "created", ADMIN, "ci-sync")],
        time=at("2024-06-12T11:00:03.500"),
        class_name="account_change",
        operation="system.api_token.create",
        status="success",
        actor_uid=ADMIN,
        actor_type="human",
        actor_name="IT Admin",
        account_uid="example-corp.okta.com",
        session_uid="102AdmSess4r5t6y7u8i9o0p",
        target_uid="00T2newtoken4x6z8b0d",
        target_type="Token",
        target_name="ci-sync",
        resources=okta_res(("00T2newtoken4x6z8b0d", "credential")),
        src_ip="198.51.100.9",
        user_agent=FIREFOX,
        evidence_offset=1,
        evidence_path="$.data.events[1]",
    )
    assert subset(found[1], want) == want
    assert found[0]["resources"] == okta_res(
        ("0ua2appuser4x6z8b0d2", "AppUser"), ("0oa7github9app1x3z5", "AppInstance"), (ALICE, "User")
    )


def test_what_is_not_a_log_event_is_quarantined_with_a_reason(tmp_path: Path) -> None:
    case, summary = load(tmp_path, NOT_EVENTS, source="okta")
    assert (summary.read, summary.loaded, summary.quarantined, summary.duplicates) == (5, 1, 4, 0)
    reasons = [(q["evidence_offset"], q["reason"]) for q in quarantine(case)]
    assert reasons[:3] == [
        (2, "no eventType: not an Okta LogEvent"),
        (3, "Okta event hook delivery holds no events"),
        (4, "no readable published timestamp: absent"),
    ]
    assert reasons[3][0] == 5 and reasons[3][1].startswith("not valid JSON: ")


# --------------------------------------------------------------------------------------------
# Delegation and credentials: consent, privilege grants, token and API token revocation


@pytest.fixture(scope="module")
def credentials_case(tmp_path_factory: pytest.TempPathFactory) -> irkit.Case:
    case, summary = load(tmp_path_factory.mktemp("credentials_case"), CREDENTIALS)
    assert (summary.read, summary.loaded, summary.quarantined, summary.duplicates) == (5, 5, 0, 0)
    return case


ADMIN_SESSION = "102AdmSess4r5t6y7u8i9o0p"
SCOPES = (("scp1myaccount3read5x", "Scope"), ("scp2offline4access6z", "Scope"))
CREDENTIAL_CASES = {
    "a user consents to an app's scopes: consent hop user -> app": expected(
        event_uid="f1a2b3c4-2a3e-11ef-9a1b-0b5e6c7d8e9f", time=at("2024-06-12T08:30:58.201"), class_name="api_activity",
        operation="app.oauth2.as.consent.grant", status="success", activity="grant", actor_uid=ALICE, actor_type="human",
        actor_name="Alice Martin", session_uid="102Xq7vR2sTfW9yLmN3kPq8aZ", credential_uid=AGENT_APP,
        target_uid="scp1myaccount3read5x", target_type="Scope", target_name="okta.myAccount.read",
        resources=okta_res(*SCOPES), src_ip="198.51.100.23", user_agent=FIREFOX,
        delegations=[hop("consent", ALICE, AGENT_APP, "standing")],
        credentials=[cred(AGENT_APP, "oauth_client", "used", ALICE)],
    ),
    "an admin grants a user an admin role": expected(
        event_uid="f2b3c4d5-2a3e-11ef-9a1b-0b5e6c7d8e9f", time=at("2024-06-12T09:10:41.884"), class_name="account_change",
        operation="user.account.privilege.grant", status="success", activity="grant", actor_uid=ADMIN,
        actor_type="human", actor_name="IT Admin", session_uid=ADMIN_SESSION, target_uid=ALICE, target_type="User",
        target_name="Alice Martin", resources=okta_res((ALICE, "User")), src_ip="198.51.100.9", user_agent=FIREFOX,
    ),
    "the client revokes the refresh token it was issued (same id)": expected(
        event_uid="f3c4d5e6-2a3e-11ef-9a1b-0b5e6c7d8e9f", time=at("2024-06-12T11:40:12.330"), class_name="authentication",
        operation="app.oauth2.as.token.revoke", status="success", activity="delete", actor_uid=AGENT_APP,
        actor_type="service", actor_name="Support Triage Agent", credential_uid=AGENT_APP,
        target_uid="aus2default4auth6srv", target_type="AuthorizationServer", target_name="default",
        resources=okta_res(("aus2default4auth6srv", "AuthorizationServer"), ("RT.a9S8d7F6g5H4j3K2l1", "credential")),
        src_ip="203.0.113.50", user_agent="python-httpx/0.27.0",
        credentials=[
            cred(AGENT_APP, "oauth_client", "used", AGENT_APP),
            cred("RT.a9S8d7F6g5H4j3K2l1", "oauth_token", "revoked", ALICE, expires=at("2024-06-19T08:31:10")),
        ],
    ),
    "an admin revokes the user's consent": expected(
        event_uid="f4d5e6f7-2a3e-11ef-9a1b-0b5e6c7d8e9f", time=at("2024-06-12T11:45:00.012"), class_name="api_activity",
        operation="app.oauth2.as.consent.revoke", status="success", activity="ungrant", actor_uid=ADMIN,
        actor_type="human", actor_name="IT Admin", session_uid=ADMIN_SESSION, target_uid=ALICE, target_type="User",
        target_name="Alice Martin", resources=okta_res((ALICE, "User"), (AGENT_APP, "AppInstance")),
        src_ip="198.51.100.9", user_agent=FIREFOX,
    ),
    "an admin revokes the API token created in the event hook (same id)": expected(
        event_uid="f5e6f7a8-2a3e-11ef-9a1b-0b5e6c7d8e9f", time=at("2024-06-12T11:50:30.777"), class_name="account_change",
        operation="system.api_token.revoke", status="success", activity="delete", actor_uid=ADMIN, actor_type="human",
        actor_name="IT Admin", session_uid=ADMIN_SESSION, target_uid="00T2newtoken4x6z8b0d", target_type="Token",
        target_name="ci-sync", resources=okta_res(("00T2newtoken4x6z8b0d", "credential")), src_ip="198.51.100.9",
        user_agent=FIREFOX, credentials=[cred("00T2newtoken4x6z8b0d", "api_token", "revoked", None, "ci-sync")],
    ),
}


@pytest.mark.parametrize("name", list(CREDENTIAL_CASES))
def test_credential_case_row(credentials_case: irkit.Case, name: str) -> None:
    want = CREDENTIAL_CASES[name]
    assert subset(one(credentials_case, "event_uid = $id", id=want["event_uid"]), want) == want


def test_tokens_keep_one_id_from_issue_or_creation_to_revocation(tmp_path: Path) -> None:
    case, _ = load(tmp_path, PAGE, HOOK, CREDENTIALS)
    life = case.sql(
        "SELECT c.uid, e.operation, c.action FROM events e, unnest(e.credentials) AS u(c) "
        "WHERE c.kind IN ('oauth_token', 'api_token') AND c.action <> 'used' ORDER BY c.uid, e.time"
    ).rows()
    assert life == [
        ("00T2newtoken4x6z8b0d", "system.api_token.create", "created"),
        ("00T2newtoken4x6z8b0d", "system.api_token.revoke", "revoked"),
        ("AT.f3Kq9zP1vX7mB2nC4dE6gH8jL0", "app.oauth2.as.token.grant.access_token", "issued"),
        ("RT.a9S8d7F6g5H4j3K2l1", "app.oauth2.as.token.grant.refresh_token", "issued"),
        ("RT.a9S8d7F6g5H4j3K2l1", "app.oauth2.as.token.revoke", "revoked"),
    ]


def test_mfa_authenticator_lifecycle(tmp_path: Path) -> None:
    """user.mfa.factor.* name the user and the AuthenticatorEnrollment; the enrollment id is the credential."""
    base = json.loads(LINES.read_text().splitlines()[0])
    enrollment = {"id": "opf9nexaPushAtk04x7a", "type": "AuthenticatorEnrollment", "alternateId": "unknown",
                  "displayName": "Okta Verify", "detailEntry": None}
    user = {"id": ALICE, "type": "User", "alternateId": "alice@example.org", "displayName": "Alice Martin",
            "detailEntry": None}
    lines = []
    for i, event_type in enumerate(("user.mfa.factor.activate", "user.mfa.factor.suspend", "user.mfa.factor.unsuspend",
                                    "user.mfa.factor.deactivate")):
        lines.append(json.dumps(base | {"uuid": f"0f0f0f0f-2a3e-11ef-9a1b-00000000000{i}", "eventType": event_type,
                                        "published": f"2024-06-12T12:0{i}:00.000Z", "target": [user, enrollment],
                                        "debugContext": {"debugData": {}}}))
    file = tmp_path / "factors.jsonl"
    file.write_text("".join(line + "\n" for line in lines))
    case, _ = load(tmp_path / "c", file)
    assert [(r["operation"], r["activity"], r["credentials"]) for r in rows(case)] == [
        ("user.mfa.factor.activate", "update", [cred("opf9nexaPushAtk04x7a", "mfa_device", "created", ALICE, "Okta Verify")]),
        ("user.mfa.factor.suspend", "update", [cred("opf9nexaPushAtk04x7a", "mfa_device", "revoked", ALICE, "Okta Verify")]),
        ("user.mfa.factor.unsuspend", "update", []),  # gives nobody a credential
        ("user.mfa.factor.deactivate", "update", [cred("opf9nexaPushAtk04x7a", "mfa_device", "deleted", ALICE, "Okta Verify")]),
    ]


# --------------------------------------------------------------------------------------------
# Real records written by others


def test_conformance_records_all_load(tmp_path: Path) -> None:
    case, summary = load(tmp_path, conformance_corpus("okta"))
    assert summary.read == 20 and summary.quarantined == 0
    # The corpus re-uses uuids across different records (a test fixture); a uuid is Okta's unique
    # event id, so those count as duplicates.
    assert summary.loaded == len({json.loads(r)["uuid"] for r in _raw_lines(conformance_corpus("okta"))})
    system = one(case, "actor_type = 'service'")
    assert (system["actor_uid"], system["operation"], system["src_ip"]) == (
        "spr294puarJOdUsWD1t7",
        "app.user_management",
        None,
    )
    assert len(system["resources"]) == 4


def _raw_lines(folder: Path) -> list[str]:
    return [line for f in sorted(folder.iterdir()) for line in f.read_text().splitlines() if line.strip()]
