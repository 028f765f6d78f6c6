"""GitHub audit log loader: REST API pages, streaming JSON lines, and what is not an audit event."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import irkit
from irkit.evidence import discover, sample_records
from irkit.loaders import github_audit
from tests.loaders.helpers import SAMPLES, conformance_corpus, cred, hop, load, one, quarantine, rows, subset

HERE = SAMPLES / "github_audit"
PAGE = HERE / "org_audit_log.json"
STREAM = HERE / "streaming.jsonl"
NOT_EVENTS = HERE / "not_audit_events.jsonl"
CREDENTIALS = HERE / "credentials.jsonl"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def gh(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"uid": uid, "type": kind, "system": "github"} for uid, kind in pairs]






def expected(**columns: Any) -> dict[str, Any]:
    """A whole normalized row: every column that matters, unset ones NULL."""
    base: dict[str, Any] = dict.fromkeys(
        (
            "status_detail",
            "session_uid",
            "credential_uid",
            "delegator_uid",
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
    base.update(source="github_audit", target_system="github", account_uid="acme", status="success", delegations=[],
                credentials=[])
    base.update(columns)
    return base


# --------------------------------------------------------------------------------------------
# Detection


def _records(path: Path) -> list[object]:
    return [r for item in discover([path]) for r in sample_records(item)]


@pytest.mark.parametrize("path", [PAGE, STREAM], ids=lambda p: p.name)
def test_sniff_accepts_each_shape(path: Path) -> None:
    assert github_audit.sniff(_records(path))


def test_sniff_rejects_other_formats() -> None:
    cloudtrail = {
        "eventVersion": "1.09",
        "eventTime": "2024-06-12T08:00:00Z",
        "eventSource": "iam.amazonaws.com",
        "eventName": "CreateUser",
        "awsRegion": "us-east-1",
    }
    webhook = {
        "action": "created",
        "sender": {"login": "dana-eng"},
        "repository": {"full_name": "acme/widgets"},
    }
    assert not github_audit.sniff([cloudtrail, webhook])
    assert not github_audit.sniff(_records(SAMPLES / "okta"))


# --------------------------------------------------------------------------------------------
# Normalization


@pytest.fixture(scope="module")
def page_case(tmp_path_factory: pytest.TempPathFactory) -> irkit.Case:
    """The API page, ingested once for the tests that only read it."""
    case, _ = load(tmp_path_factory.mktemp("page_case"), PAGE)
    return case


def test_rest_api_page(tmp_path: Path) -> None:
    case, summary = load(tmp_path, PAGE)
    assert (summary.read, summary.loaded, summary.quarantined, summary.duplicates) == (7, 7, 0, 0)
    assert quarantine(case) == []
    assert [r["evidence_path"] for r in rows(case)] == [f"$[{i}]" for i in range(7)]


def test_repo_create_by_a_human(page_case: irkit.Case) -> None:
    case = page_case
    row = one(case, "operation = 'repo.create'")
    want = expected(
        event_uid="a1B2c3D4e5F6g7H8i9J0kA",
        activity="create",
        time=at("2024-06-12T10:00:00.123"),
        class_name="api_activity",
        operation="repo.create",
        actor_uid="dana-eng",
        actor_type="human",
        actor_name="dana-eng",
        target_uid="acme/widgets",
        target_type="repository",
        target_name="widgets",
        resources=gh(("acme/widgets", "repository"), ("acme", "organization"), ("acme-corp", "enterprise")),
        user_agent="Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
        evidence_offset=2,
        evidence_path="$[0]",
    )
    assert subset(row, want) == want


def test_org_add_member_targets_the_org_and_names_the_user(page_case: irkit.Case) -> None:
    case = page_case
    row = one(case, "operation = 'org.add_member'")
    want = expected(
        event_uid="b2C3d4E5f6G7h8I9j0K1lB",
        activity="grant",
        time=at("2024-06-12T10:10:00.456"),
        class_name="account_change",
        operation="org.add_member",
        actor_uid="octo-admin",
        actor_type="human",
        actor_name="octo-admin",
        target_uid="acme",
        target_type="organization",
        target_name="acme",
        resources=gh(("mallory-dev", "user"), ("acme", "organization")),
    )
    assert subset(row, want) == want


def test_team_add_member_targets_the_team(page_case: irkit.Case) -> None:
    case = page_case
    row = one(case, "operation = 'team.add_member'")
    want = expected(
        event_uid="c3D4e5F6g7H8i9J0k1L2mC",
        activity="grant",
        time=at("2024-06-12T10:11:00.789"),
        class_name="account_change",
        operation="team.add_member",
        actor_uid="octo-admin",
        actor_type="human",
        actor_name="octo-admin",
        target_uid="acme/platform-admins",
        target_type="team",
        target_name="platform-admins",
        resources=gh(("acme/platform-admins", "team"), ("mallory-dev", "user"), ("acme", "organization")),
    )
    assert subset(row, want) == want


def test_app_bot_with_server_to_server_token(page_case: irkit.Case) -> None:
    case = page_case
    row = one(case, "operation = 'protected_branch.update'")
    want = expected(
        event_uid="d4E5f6G7h8I9j0K1l2M3nD",
        activity="update",
        delegations=[hop("same_as", "release-bot", "release-bot[bot]", "standing")],
        credentials=[cred("Jm4v0pQ9r8S7t6U5v4W3x2Y1z0A9b8C7d6E5f4G3h2I=", "installation_token", "used", "release-bot[bot]")],
        time=at("2024-06-12T10:30:00"),
        class_name="api_activity",
        operation="protected_branch.update",
        actor_uid="release-bot[bot]",
        actor_type="service",
        actor_name="release-bot[bot]",
        credential_uid="Jm4v0pQ9r8S7t6U5v4W3x2Y1z0A9b8C7d6E5f4G3h2I=",
        target_uid="acme/widgets",
        target_type="repository",
        target_name="widgets",
        resources=gh(("acme/widgets", "repository"), ("acme", "organization"), ("release-bot", "app")),
        src_ip="140.82.112.5",
        user_agent="release-bot/2.3.1 (octokit.js)",
    )
    assert subset(row, want) == want


def test_deploy_key_added_with_a_classic_pat(page_case: irkit.Case) -> None:
    case = page_case
    row = one(case, "operation = 'public_key.create'")
    want = expected(
        event_uid="e5F6g7H8i9J0k1L2m3N4oE",
        activity="create",
        credentials=[
            cred("88776655", "personal_access_token", "used", "mallory-dev"),
            cred("SHA256:7pXq2Lk9vB4nM1cR6tY8uI3oP0aS5dF2gH7jK4lZ9xW", "deploy_key", "created", "acme/widgets"),
        ],
        time=at("2024-06-12T10:45:00.321"),
        class_name="account_change",
        operation="public_key.create",
        actor_uid="mallory-dev",
        actor_type="human",
        actor_name="mallory-dev",
        credential_uid="88776655",  # token_id: no hashed_token in this event
        target_uid="acme/widgets",
        target_type="repository",
        target_name="widgets",
        resources=gh(
            ("acme/widgets", "repository"),
            ("acme", "organization"),
            ("SHA256:7pXq2Lk9vB4nM1cR6tY8uI3oP0aS5dF2gH7jK4lZ9xW", "credential"),
        ),
        src_ip="203.0.113.99",
        user_agent="curl/8.7.1",
    )
    assert subset(row, want) == want


def test_fine_grained_pat_grant_is_authentication(page_case: irkit.Case) -> None:
    case = page_case
    row = one(case, "operation = 'personal_access_token.access_granted'")
    want = expected(
        event_uid="f6G7h8I9j0K1l2M3n4O5pF",
        activity="grant",
        time=at("2024-06-12T11:00:00.999"),
        class_name="authentication",
        operation="personal_access_token.access_granted",
        actor_uid="octo-admin",
        actor_type="human",
        actor_name="octo-admin",
        credential_uid=None,  # token_id names the token granted access, not the credential octo-admin used
        target_uid="mallory-dev",
        target_type="user",
        target_name="mallory-dev",
        resources=gh(("mallory-dev", "user"), ("acme", "organization"), ("55443322", "credential")),
    )
    assert subset(row, want) == want


def test_app_suspended_by_a_human_targets_the_app(page_case: irkit.Case) -> None:
    row = one(page_case, "operation = 'integration_installation.suspend'")
    want = expected(
        event_uid="k1L2m3N4o5P6q7R8s9T0uK",
        activity="ungrant",
        time=at("2024-06-12T11:10:00.042"),
        class_name="account_change",
        operation="integration_installation.suspend",
        actor_uid="octo-admin",
        actor_type="human",  # `integration` names the App acted on, not the actor
        actor_name="octo-admin",
        target_uid="triage-agent",
        target_type="app",
        target_name="triage-agent",
        resources=gh(("acme", "organization"), ("triage-agent", "app")),
        user_agent="Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    )
    assert subset(row, want) == want


def test_streaming_api_request_failure(tmp_path: Path) -> None:
    case, summary = load(tmp_path, STREAM)
    assert (summary.read, summary.loaded, summary.quarantined, summary.duplicates) == (3, 3, 0, 0)
    assert quarantine(case) == []
    row = one(case, "operation = 'api.request'")
    want = expected(
        event_uid="g7H8i9J0k1L2m3N4o5P6qG",
        activity="delete",
        delegations=[hop("same_as", "triage-agent", "triage-agent[bot]", "standing")],
        credentials=[cred("Qk7pL2m9N4b6V1c8X3z5A0s2D7f4G9h1J6k3L8q5W0e=", "installation_token", "used", "triage-agent[bot]")],
        time=at("2024-06-12T11:30:00.500"),  # "@timestamp" as a string
        class_name="api_activity",
        operation="api.request",
        status="failure",
        status_detail="HTTP 404 DELETE /repos/{owner}/{repo}/hooks/{hook_id}",
        actor_uid="triage-agent[bot]",
        actor_type="service",
        actor_name="triage-agent[bot]",
        account_uid="acme",  # org: ["acme"]
        credential_uid="Qk7pL2m9N4b6V1c8X3z5A0s2D7f4G9h1J6k3L8q5W0e=",
        target_uid="acme/widgets",
        target_type="repository",
        target_name="widgets",  # from url_path
        resources=gh(
            ("acme/widgets", "repository"),
            ("acme", "organization"),
            ("acme-corp", "enterprise"),
            ("triage-agent", "app"),
        ),
        src_ip="198.51.100.40",
        user_agent="triage-agent/0.4 python-httpx/0.27.0",
        evidence_offset=1,
        evidence_path="$",
    )
    assert subset(row, want) == want


def test_git_push_through_a_user_to_server_token(tmp_path: Path) -> None:
    case, _ = load(tmp_path, STREAM)
    row = one(case, "operation = 'git.push'")
    want = expected(
        event_uid="h8I9j0K1l2M3n4O5p6Q7rH",
        activity="update",
        delegations=[hop("on_behalf_of", "dana-eng", "ai-code-assistant", "event", "Zx9Cv8Bn7Mq6Wr5Et4Yu3Io2Pa1Sd0Fg9Hj8Kl7Zq6=")],
        credentials=[cred("Zx9Cv8Bn7Mq6Wr5Et4Yu3Io2Pa1Sd0Fg9Hj8Kl7Zq6=", "oauth_token", "used", "dana-eng")],
        time=at("2024-06-12T11:31:40.250"),  # float epoch ms
        class_name="api_activity",
        operation="git.push",
        actor_uid="dana-eng",
        actor_type="human",
        actor_name="dana-eng",
        account_uid="acme",  # org: {"login": "acme", ...}
        credential_uid="Zx9Cv8Bn7Mq6Wr5Et4Yu3Io2Pa1Sd0Fg9Hj8Kl7Zq6=",
        delegator_uid="ai-code-assistant",  # the OAuth app the user acted through
        target_uid="acme/widgets",
        target_type="repository",
        target_name="widgets",
        resources=gh(("acme/widgets", "repository"), ("acme", "organization"), ("ai-code-assistant", "app")),
        src_ip="192.0.2.15",
        user_agent="git/2.45.1",
    )
    assert subset(row, want) == want


def test_agent_actor_iso_time_and_hash_fallback_id(tmp_path: Path) -> None:
    case, _ = load(tmp_path, STREAM)
    row = one(case, "operation = 'repo.access'")
    raw_line = STREAM.read_text().splitlines()[2]
    want = expected(
        event_uid=hashlib.sha256(raw_line.encode()).hexdigest(),
        activity="update",  # repo.access: the visibility changed
        time=at("2024-06-12T11:50:00"),
        class_name="api_activity",
        operation="repo.access",
        actor_uid="copilot-swe-agent",
        actor_type="agent",
        actor_name="copilot-swe-agent",
        target_uid="acme/widgets",
        target_type="repository",
        target_name="widgets",  # repo without owner
        resources=gh(("acme/widgets", "repository"), ("acme", "organization")),
        raw=raw_line,
    )
    assert subset(row, want) == want


def test_what_is_not_an_audit_event_is_quarantined_with_a_reason(tmp_path: Path) -> None:
    case, summary = load(tmp_path, NOT_EVENTS, source="github_audit")
    assert (summary.read, summary.loaded, summary.quarantined, summary.duplicates) == (3, 0, 3, 0)
    reasons = [(q["evidence_offset"], q["reason"]) for q in quarantine(case)]
    assert reasons[:2] == [
        (1, "no action: not a GitHub audit log event"),
        (2, "no readable @timestamp or created_at: absent"),
    ]
    assert reasons[2][0] == 3 and reasons[2][1].startswith("not valid JSON: ")


# --------------------------------------------------------------------------------------------
# Delegation and credentials: a PAT and a deploy key from creation to removal, App installation, consent

BROWSER = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15"
DEPLOY_KEY = "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8"


@pytest.fixture(scope="module")
def credentials_case(tmp_path_factory: pytest.TempPathFactory) -> irkit.Case:
    case, summary = load(tmp_path_factory.mktemp("credentials_case"), CREDENTIALS)
    assert (summary.read, summary.loaded, summary.quarantined, summary.duplicates) == (8, 8, 0, 0)
    return case


def stream(n: int, **columns: Any) -> dict[str, Any]:
    return expected(**({"evidence_offset": n, "evidence_path": "$", "user_agent": BROWSER} | columns))


CREDENTIAL_CASES = {
    "a PAT created is created, never the credential used": stream(
        1, event_uid="p1A2t3C4r5E6a7T8e9P0aA", time=at("2024-06-12T12:00:00.100"), class_name="authentication",
        operation="personal_access_token.create", activity="create", actor_uid="mallory-dev", actor_type="human",
        actor_name="mallory-dev", credential_uid=None, target_uid="mallory-dev", target_type="user",
        target_name="mallory-dev", src_ip="203.0.113.99",
        resources=gh(("mallory-dev", "user"), ("acme", "organization"), ("acme-corp", "enterprise"), ("99887766", "credential")),
        credentials=[cred("99887766", "personal_access_token", "created", "mallory-dev", "ci-mirror")],
    ),
    "a deploy key added with that PAT: the PAT used, the key created by fingerprint": stream(
        2, event_uid="d1E2p3L4o5Y6k7E8y9A0dB", time=at("2024-06-12T12:01:00.200"), class_name="account_change",
        operation="public_key.create", activity="create", actor_uid="mallory-dev", actor_type="human",
        actor_name="mallory-dev", credential_uid="99887766", target_uid="acme/widgets", target_type="repository",
        target_name="widgets", src_ip="203.0.113.99", user_agent="curl/8.7.1",
        resources=gh(("acme/widgets", "repository"), ("acme", "organization"), ("acme-corp", "enterprise"),
                     (DEPLOY_KEY, "credential")),
        credentials=[cred("99887766", "personal_access_token", "used", "mallory-dev"),
                     cred(DEPLOY_KEY, "deploy_key", "created", "acme/widgets", "mirror-deploy")],
    ),
    "installing an App is the org's consent": stream(
        3, event_uid="i1N2s3T4a5L6l7A8p9P0iC", time=at("2024-06-12T12:02:00.300"), class_name="account_change",
        operation="integration_installation.create", activity="grant", actor_uid="octo-admin", actor_type="human",
        actor_name="octo-admin", target_uid="triage-agent", target_type="app", target_name="triage-agent",
        resources=gh(("acme", "organization"), ("acme-corp", "enterprise"), ("triage-agent", "app")),
        delegations=[hop("consent", "acme", "triage-agent", "standing")],
    ),
    "adding a repository to a team is a grant": stream(
        4, event_uid="t1E2a3M4r5E6p7O8a9D0dD", time=at("2024-06-12T12:03:00.400"), class_name="account_change",
        operation="team.add_repository", activity="grant", actor_uid="octo-admin", actor_type="human",
        actor_name="octo-admin", target_uid="acme/platform-admins", target_type="team", target_name="platform-admins",
        resources=gh(("acme/widgets", "repository"), ("acme/platform-admins", "team"), ("acme", "organization"),
                     ("acme-corp", "enterprise")),
    ),
    "authorizing an OAuth app is the user's consent (the app did not act)": stream(
        5, event_uid="o1A2u3T4h5A6u7T8h9O0rE", time=at("2024-06-12T12:04:00.500"), class_name="authentication",
        operation="oauth_authorization.create", activity="grant", actor_uid="dana-eng", actor_type="human",
        actor_name="dana-eng", delegator_uid="ai-code-assistant", target_uid="dana-eng", target_type="user",
        target_name="dana-eng",
        resources=gh(("dana-eng", "user"), ("acme", "organization"), ("acme-corp", "enterprise"), ("ai-code-assistant", "app")),
        delegations=[hop("consent", "dana-eng", "ai-code-assistant", "standing")],
    ),
    "the deploy key removed: the same fingerprint": stream(
        6, event_uid="d2E3p4L5o6Y7k8E9y0R1mF", time=at("2024-06-12T12:20:00.600"), class_name="account_change",
        operation="public_key.delete", activity="delete", actor_uid="octo-admin", actor_type="human",
        actor_name="octo-admin", target_uid="acme/widgets", target_type="repository", target_name="widgets",
        resources=gh(("acme/widgets", "repository"), ("acme", "organization"), ("acme-corp", "enterprise"),
                     (DEPLOY_KEY, "credential")),
        credentials=[cred(DEPLOY_KEY, "deploy_key", "deleted", "acme/widgets", "mirror-deploy")],
    ),
    "the org revokes the PAT's access: revoked, owned by mallory-dev": stream(
        7, event_uid="p2R3e4V5o6K7e8D9t0K1nG", time=at("2024-06-12T12:21:00.700"), class_name="authentication",
        operation="personal_access_token.access_revoked", activity="ungrant", actor_uid="octo-admin",
        actor_type="human", actor_name="octo-admin", target_uid="mallory-dev", target_type="user",
        target_name="mallory-dev",
        resources=gh(("mallory-dev", "user"), ("acme", "organization"), ("acme-corp", "enterprise"), ("99887766", "credential")),
        credentials=[cred("99887766", "personal_access_token", "revoked", "mallory-dev", "ci-mirror")],
    ),
    "a push with the removed deploy key: the key used, for its repository; no actor named": stream(
        8, event_uid="g1I2t3P4u5S6h7D8k9E0yH", time=at("2024-06-12T12:30:00.800"), class_name="api_activity",
        operation="git.push", activity="update", actor_uid=None, actor_type="unknown",
        credential_uid=DEPLOY_KEY, target_uid="acme/widgets", target_type="repository", target_name="widgets",
        user_agent=None,
        resources=gh(("acme/widgets", "repository"), ("acme", "organization"), ("acme-corp", "enterprise"),
                     (DEPLOY_KEY, "credential")),
        credentials=[cred(DEPLOY_KEY, "deploy_key", "used", "acme/widgets")],
        actor_name=None,
    ),
}


@pytest.mark.parametrize("name", list(CREDENTIAL_CASES))
def test_credential_case_row(credentials_case: irkit.Case, name: str) -> None:
    want = CREDENTIAL_CASES[name]
    assert subset(one(credentials_case, "event_uid = $id", id=want["event_uid"]), want) == want


def test_credentials_keep_one_id_from_creation_to_removal(credentials_case: irkit.Case) -> None:
    life = credentials_case.sql(
        "SELECT c.uid, e.operation, c.action FROM events e, unnest(e.credentials) AS u(c) ORDER BY c.uid, e.time"
    ).rows()
    assert life == [
        ("99887766", "personal_access_token.create", "created"),
        ("99887766", "public_key.create", "used"),
        ("99887766", "personal_access_token.access_revoked", "revoked"),
        (DEPLOY_KEY, "public_key.create", "created"),
        (DEPLOY_KEY, "public_key.delete", "deleted"),
        (DEPLOY_KEY, "git.push", "used"),
    ]


def test_oauth_access_token_generated_for_an_app_is_a_grant(tmp_path: Path) -> None:
    """oauth_access.create: a new OAuth token through which the app can act for the user; never the token used."""
    file = tmp_path / "oauth.jsonl"
    file.write_text(json.dumps({
        "@timestamp": 1718195000000, "_document_id": "q1W2e3R4t5Y6u7I8o9P0aH", "action": "oauth_access.create",
        "actor": "dana-eng", "actor_id": 5012345, "oauth_application_id": 3344556,
        "oauth_application_name": "ai-code-assistant", "org": "acme", "token_id": 123456789, "user": "dana-eng",
        "created_at": 1718195000000,
    }) + "\n")
    case, _ = load(tmp_path / "c", file)
    row = one(case, "true")
    assert (row["credential_uid"], row["activity"]) == (None, "create")
    assert row["delegations"] == [hop("on_behalf_of", "dana-eng", "ai-code-assistant", "grant", "123456789")]
    assert row["credentials"] == [cred("123456789", "oauth_token", "created", "dana-eng")]


# --------------------------------------------------------------------------------------------
# Real records written by others


def test_conformance_records_all_load(tmp_path: Path) -> None:
    case, summary = load(tmp_path, conformance_corpus("github_audit"))
    assert (summary.read, summary.loaded, summary.quarantined, summary.duplicates) == (2, 2, 0, 0)
    request = one(case, "operation = 'api.request'")
    assert (request["status"], request["credential_uid"], request["account_uid"]) == (
        "success",
        "E8Fzcgs3TQXqhrKKC/qNR+2XZnaK3ykQBSAt1kPMiJs=",
        "user-delete",
    )
    assert one(case, "operation = 'repo.create'")["target_uid"] == "user-delete/private-repo"
