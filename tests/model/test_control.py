"""Control bounded in time and by event, on stories stated in the normalized model.

Each story differs in how authority passes (role session, impersonation in the event, a created key
used by another principal, a sub-agent, a shared service account, a human using the same role) and
each expected set is written from the story, not from the analysis.
"""

from __future__ import annotations

from irkit.control import control_events
from irkit.inventory import Identity
from tests.model.lake import at, cred, event, hop, lake

AGENT = Identity(id="agent", kind="agent", aliases=("agent-sa@p.iam", "system:serviceaccount:ai:agent"))


def controlled(con, owner: str = "agent", since=None, until=None) -> dict[str, str]:
    rows = control_events(con, [owner], since, until)
    return dict(rows.select("event_uid", "via").iter_rows())


def test_impersonation_controls_only_the_events_that_carry_it() -> None:
    con = lake([
        event("job-1", 0, "shared-sa@p.iam", "storage.objects.get"),          # the SA's own nightly job
        event("imp-1", 10, "shared-sa@p.iam", "storage.objects.get",
              delegations=[hop("impersonate", "agent-sa@p.iam", "shared-sa@p.iam", "event")]),
        event("job-2", 20, "shared-sa@p.iam", "storage.objects.list"),         # its own job again
        event("own-1", 5, "agent-sa@p.iam", "secretmanager.get"),
    ], [AGENT])
    got = controlled(con)
    assert got == {"own-1": "self", "imp-1": "impersonate"}


def test_role_session_is_controlled_through_its_issued_key_only() -> None:
    con = lake([
        event("assume", 1, "agent-sa@p.iam", "AssumeRole",
              delegations=[hop("assume_role", "agent-sa@p.iam", "sess/agent", "grant", "ASIA1"),
                           hop("session_of", "role/ops", "sess/agent", "standing")],
              credentials=[cred("ASIA1", "issued", "session_token", "sess/agent")]),
        event("use", 2, "sess/agent", "ListUsers", credential_uid="ASIA1",
              delegations=[hop("session_of", "role/ops", "sess/agent", "standing")]),
        # a human assumes the same role hours later: a new session and a new key
        event("admin-assume", 300, "alice", "AssumeRole",
              delegations=[hop("assume_role", "alice", "sess/alice", "grant", "ASIA2"),
                           hop("session_of", "role/ops", "sess/alice", "standing")]),
        event("admin-use", 301, "sess/alice", "DeleteUser", credential_uid="ASIA2",
              delegations=[hop("session_of", "role/ops", "sess/alice", "standing")]),
    ], [AGENT])
    got = controlled(con)
    assert got == {"assume": "self", "use": "role session"}


def test_created_key_is_followed_from_its_creation_whoever_uses_it() -> None:
    con = lake([
        event("before", 0, "user/backup", "GetObject", credential_uid="AKIAOLD"),
        event("create", 5, "agent-sa@p.iam", "CreateAccessKey",
              credentials=[cred("AKIANEW", "created", "access_key", "user/backup")]),
        event("nightly", 6, "user/backup", "GetObject", credential_uid="AKIAOLD"),   # its own old key
        event("stolen", 400, "user/backup", "GetObject", credential_uid="AKIANEW"),
    ], [AGENT])
    got = controlled(con)
    assert got == {"create": "self", "stolen": "created credential"}
    proof = control_events(con, ["agent"], None, None).filter(event_uid="stolen").row(0, named=True)
    assert proof["proof_event_uid"] == "create" and proof["path"] == ["create"]


def test_chain_through_two_grants_keeps_the_path() -> None:
    con = lake([
        event("a1", 1, "agent-sa@p.iam", "AssumeRole",
              delegations=[hop("assume_role", "agent-sa@p.iam", "sess/1", "grant", "K1")]),
        event("a2", 2, "sess/1", "AssumeRole", credential_uid="K1",
              delegations=[hop("assume_role", "sess/1", "sess/2", "grant", "K2")]),
        event("a3", 3, "sess/2", "GetSecretValue", credential_uid="K2"),
    ], [AGENT])
    rows = control_events(con, ["agent"], None, None)
    assert rows.filter(event_uid="a3")["path"].to_list() == [["a1", "a2"]]


def test_failed_grant_hands_nothing_over() -> None:
    con = lake([
        event("try", 1, "agent-sa@p.iam", "CreateServiceAccountKey", status="failure",
              credentials=[cred("KEYX", "created", "service_account_key")]),
        event("later", 2, "prod@p.iam", "storage.objects.get", credential_uid="KEYX"),
    ], [AGENT])
    assert controlled(con) == {"try": "self"}


def test_sub_agent_is_controlled_within_its_invocation_only() -> None:
    spans = {"trace_uid": "t1"}
    con = lake([
        event("root", 0, "agent", "invoke_agent", class_name="agent_invocation", span_uid="s1", end_time=at(10), **spans),
        event("tool", 1, "svc", "execute_tool", class_name="tool_call", span_uid="s2", parent_span_uid="s1", end_time=at(3), **spans),
        event("child", 2, "helper", "invoke_agent", class_name="agent_invocation", span_uid="s3", parent_span_uid="s2",
              end_time=at(6), **spans),
        event("child-call", 4, "helper", "tools/call", class_name="tool_call"),
        # the same helper agent, working for somebody else the next day
        event("helper-own", 1500, "helper", "tools/call", class_name="tool_call"),
    ], [AGENT])
    got = controlled(con)
    assert got == {"root": "self", "child": "sub-agent", "child-call": "sub-agent"}


def test_window_bounds_control() -> None:
    con = lake([
        event("early", 0, "agent-sa@p.iam", "x"),
        event("late", 100, "agent-sa@p.iam", "y"),
    ], [AGENT])
    assert controlled(con, since=at(50)) == {"late": "self"}


def test_a_sign_in_with_a_created_secret_opens_a_session_from_its_address_only() -> None:
    con = lake([
        event("add-secret", 0, "agent-sa@p.iam", "Add service principal credentials",
              credentials=[cred("key-b", "created", "app_secret", "sp-payroll")]),
        event("own-sign-in", 5, "sp-payroll", "sign-in", activity="authenticate", credential_uid="key-c", src_ip="10.0.0.9"),
        event("own-read", 6, "sp-payroll", "SecretGet", credential_uid="app-payroll", src_ip="10.0.0.9"),
        event("sign-in", 10, "sp-payroll", "sign-in", activity="authenticate", credential_uid="key-b", src_ip="203.0.113.5"),
        event("read", 12, "sp-payroll", "SecretGet", credential_uid="app-payroll", src_ip="203.0.113.5"),
        event("own-read-2", 13, "sp-payroll", "SecretGet", credential_uid="app-payroll", src_ip="10.0.0.9"),
        event("read-late", 200, "sp-payroll", "SecretGet", credential_uid="app-payroll", src_ip="203.0.113.5"),
    ], [AGENT])
    got = controlled(con)
    assert got == {"add-secret": "self", "sign-in": "created credential",
                   "read": "session signed in with created credential"}
