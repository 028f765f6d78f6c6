"""Identity attribution and sessions on the sample incident, asserted against its ground truth,
plus each learned-link kind and the session rules on small records."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

import irkit
from tests.sample import ground_truth, ts
from tests.test_ingest import ct_event, write_lines

GT = ground_truth()
COMPROMISE = ts(GT["times"]["compromise"])
REVOKED = ts(GT["times"]["revoked"])


def test_suspect_aliases_resolve_to_one_identity(sample_case: irkit.Case) -> None:
    card = sample_case.identity(GT["suspect"]["id"])
    for alias in GT["suspect"]["aliases"]:
        assert sample_case.identity_id(alias) == GT["suspect"]["id"]
        assert alias in card.aliases
    assert card.identity.business_owner and card.identity.technical_owner and card.identity.revocation_path
    # role sessions seen in the logs are learned aliases of the role's identity
    assert any(a.startswith("arn:aws:sts::111122223333:assumed-role/invoice-agent/") for a in card.aliases)


def test_suspect_sessions_match_ground_truth(sample_case: irkit.Case) -> None:
    found = sample_case.sessions(GT["suspect"]["id"], since=COMPROMISE, until=REVOKED, reach=True)
    by_id = {row["session_id"]: row for row in found.to_dicts()}
    suspect_reach = {"invoice-agent", "recon-subagent", "ops-admin"}
    for expected in GT["sessions"]:
        if expected["source"] == "okta":  # the human's session: checked through the delegation chain
            continue
        row = by_id[expected["id"]]
        assert (row["start"], row["end"]) == (ts(expected["start"]), ts(expected["end"])), expected["id"]
        assert expected["source"] in row["sources"]
        assert set(row["identities"]) & suspect_reach
    native = {r["session_id"] for r in found.to_dicts() if r["session_kind"] == "native"}
    assert native == {s["id"] for s in GT["sessions"] if s["source"] != "okta"}


def test_human_session_is_found(sample_case: irkit.Case) -> None:
    human = next(s for s in GT["sessions"] if s["source"] == "okta")
    row = sample_case.sessions("dave").filter(pl.col("session_id") == human["id"]).to_dicts()
    assert [(r["start"], r["end"]) for r in row] == [(ts(human["start"]), ts(human["end"]))]


def test_delegation_chain_with_proving_events(sample_case: irkit.Case) -> None:
    chain = sample_case.delegation_chain(GT["suspect"]["id"], since=COMPROMISE)
    got = [(h["uid"], h["event_uid"]) for h in chain]
    want = [(h["uid"], h["event_uid"]) for h in GT["delegation_chain"]]
    assert [hop for hop in got if hop in want] == want  # the story's hops, in order (the chain goes on to the data)


def test_every_post_injection_api_call_is_attributed_to_its_tool_call(sample_case: irkit.Case) -> None:
    rows = sample_case.attribute(GT["suspect"]["id"]).filter(pl.col("api_time") >= COMPROMISE)
    by_uid = {r["api_event_uid"]: r for r in rows.to_dicts()}
    for expected in GT["attribution"]:
        row = by_uid[expected["event_uid"]]
        call = expected["tool_call"]
        assert row["tool_call_uid"] == call["span_event_uid"], expected["event_uid"]
        assert row["mcp_call_uid"] == call["mcp_event_uid"]
        assert (row["tool_name"], row["agent"]) == (call["tool"], call["agent"])
        assert row["human"] == "dave@acme.example"
    attributed = rows.filter(pl.col("tool_call_uid").is_not_null() & (pl.col("api_time") <= REVOKED))
    assert set(attributed["api_event_uid"]) == {a["event_uid"] for a in GT["attribution"]}


def test_ambiguous_attribution_is_reported_not_hidden(sample_case: irkit.Case) -> None:
    rows = {r["api_event_uid"]: r for r in sample_case.attribute(GT["suspect"]["id"]).to_dicts()}
    amb = GT["ambiguous_attribution"]
    candidates = {c["span_event_uid"] for c in amb["tool_calls"]}
    for call in amb["api_calls"]:
        row = rows[call["event_uid"]]
        assert row["ambiguous"] and row["candidates"] == 2
        assert set(row["candidate_uids"]) == candidates
        assert row["tool_call_uid"] == call["belongs_to"]
        assert row["resolved_by"] == "arguments"


def test_ownership_audit_flags_the_sub_agent_only(sample_case: irkit.Case) -> None:
    audit = sample_case.ownership(since=COMPROMISE, until=REVOKED)
    gaps = audit.filter(pl.col("gaps").list.len() > 0)
    assert gaps["identity_id"].to_list() == ["recon-subagent"]
    assert gaps["gaps"].to_list() == [["not in inventory"]]


def test_tool_calls_show_the_out_of_scope_calls_with_arguments(sample_case: irkit.Case) -> None:
    truth = [t for t in ground_truth()["triggers"] if t["kind"] == "tool_expansion"]
    tools = sorted({t["tool"] for t in truth})
    calls = sample_case.tool_calls(tools=tools, since=COMPROMISE)
    assert {t["event_uid"] for t in truth} <= set(calls["call_uid"])
    assert sorted(set(calls["tool_name"])) == tools
    assert calls["arguments"].null_count() == 0 and calls["time"].is_sorted()
    own = sample_case.tool_calls("invoice-agent", tools=tools, since=COMPROMISE)
    direct = {t["event_uid"] for t in truth if t["via"] == "invoice-agent"}
    assert direct and direct <= set(own["call_uid"]) and set(own["identity"]) == {"invoice-agent"}
    assert sample_case.tool_calls(tools=tools, until=COMPROMISE).is_empty()


def test_no_credential_is_shared_in_the_sample(sample_case: irkit.Case) -> None:
    shared = sample_case.shared_credentials()
    assert shared.columns[:2] == ["credential", "identities"] and shared.is_empty()


def test_a_key_used_by_two_identities_is_shared(tmp_path: Path) -> None:
    bob = {"type": "IAMUser", "principalId": "AIDAEXAMPLEBOB", "arn": "arn:aws:iam::123456789012:user/Bob",
           "accountId": "123456789012", "accessKeyId": "AKIAIOSFODNN7EXAMPLE", "userName": "Bob"}
    write_lines(tmp_path / "ct.json", [ct_event(1), ct_event(2, userIdentity=bob), ct_event(3)])
    case = irkit.open_case(tmp_path / "case")
    case.ingest(tmp_path / "ct.json", progress=False)
    shared = case.shared_credentials()
    assert shared.select("credential", "identities").rows() == [
        ("AKIAIOSFODNN7EXAMPLE", ["arn:aws:iam::123456789012:user/Alice", "arn:aws:iam::123456789012:user/Bob"])]
    assert shared["event_uid"].to_list() == ["00000000-0000-4000-8000-000000000001"]


# ---------------------------------------------------------------------------------------------
# learned links and session rules on small records


def otel_doc(spans: list[dict]) -> str:
    def attrs(d: dict) -> list[dict]:
        return [{"key": k, "value": {"stringValue": v}} for k, v in d.items()]

    return json.dumps({"resourceSpans": [{"resource": {"attributes": attrs({"service.name": "svc"})},
                                           "scopeSpans": [{"scope": {"name": "t"}, "spans": [
        {"traceId": "a" * 32, "spanId": s["id"], **({"parentSpanId": s["parent"]} if s.get("parent") else {}),
         "name": s["name"], "kind": 1, "startTimeUnixNano": str(s["t"]), "endTimeUnixNano": str(s["t"] + 10**9),
         "attributes": attrs(s["attrs"]), "status": {}} for s in spans]}]}]})


def test_learned_links(tmp_path: Path) -> None:
    base = 1_794_300_000_000_000_000
    spans = [
        {"id": "1" * 16, "name": "invoke_agent", "t": base,
         "attrs": {"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.id": "parent-agent", "user.id": "u@example.com",
                   "gen_ai.conversation.id": "c1"}},
        {"id": "2" * 16, "parent": "1" * 16, "name": "invoke_agent child", "t": base + 10**9,
         "attrs": {"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.id": "child-agent", "gen_ai.conversation.id": "c1"}},
    ]
    (tmp_path / "ev").mkdir()
    (tmp_path / "ev" / "spans.json").write_text(otel_doc(spans) + "\n")
    session_arn = "arn:aws:sts::123456789012:assumed-role/app/s1"
    assume = ct_event(1, eventName="AssumeRole", eventSource="sts.amazonaws.com",
                      requestParameters={"roleArn": "arn:aws:iam::123456789012:role/admin", "roleSessionName": "s1",
                                         "sourceIdentity": "alice"},
                      responseElements={"credentials": {"accessKeyId": "ASIANEWKEY0000000001"}, "sourceIdentity": "alice",
                                        "assumedRoleUser": {"arn": "arn:aws:sts::123456789012:assumed-role/admin/s1"}})
    assume["userIdentity"] = {"type": "AssumedRole", "arn": session_arn, "accountId": "123456789012",
                              "accessKeyId": "ASIAOLDKEY0000000001",
                              "sessionContext": {"sessionIssuer": {"type": "Role", "arn": "arn:aws:iam::123456789012:role/app"}}}
    key = ct_event(2, eventName="CreateAccessKey", eventSource="iam.amazonaws.com", requestParameters={"userName": "bob"},
                   responseElements={"accessKey": {"accessKeyId": "AKIACREATED000000001", "userName": "bob"}})
    write_lines(tmp_path / "ev" / "trail.jsonl", [assume, key])
    case = irkit.open_case(tmp_path / "case")
    case.ingest(tmp_path / "ev", progress=False)
    links = {(r["src"], r["dst"], r["kind"]) for r in case.sql("SELECT src, dst, kind FROM identity_links").to_dicts()}
    assert ("u@example.com", "parent-agent", "on_behalf_of") in links
    assert ("parent-agent", "child-agent", "spawn_agent") in links
    assert ("arn:aws:iam::123456789012:role/app", session_arn, "session_of") in links
    new_session = "arn:aws:sts::123456789012:assumed-role/admin/s1"
    assert (session_arn, new_session, "assume_role") in links
    assert ("arn:aws:iam::123456789012:role/admin", new_session, "session_of") in links
    assert ("alice", new_session, "on_behalf_of") in links  # sourceIdentity, as the response echoes it
    assert (new_session, "ASIANEWKEY0000000001", "issued_credential") in links
    assert ("arn:aws:iam::123456789012:user/Alice", "AKIACREATED000000001", "created_credential") in links
    proof = case.sql("SELECT event_uid FROM identity_links WHERE kind = 'assume_role'").item()
    assert proof == assume["eventID"]
    # an unknown assumed-role session resolves to its role, not to itself
    assert case.identity_id(session_arn) == "arn:aws:iam::123456789012:role/app"


def test_session_rules_native_id_gap_and_services_without_arn(tmp_path: Path) -> None:
    def svc(i: int, minute: int, account: str) -> dict:
        return ct_event(i, eventTime=f"2026-11-10T12:{minute:02d}:00Z", recipientAccountId=account,
                        userIdentity={"type": "AWSService", "invokedBy": "lambda.amazonaws.com"})

    events = [svc(1, 0, "111111111111"), svc(2, 10, "111111111111"), svc(3, 50, "111111111111"),
              svc(4, 5, "222222222222"),
              ct_event(5, eventTime="2026-11-10T12:00:00Z", userIdentity={"type": "AssumedRole",
                       "arn": "arn:aws:sts::1:assumed-role/r/s", "accessKeyId": "ASIATEMP000000000001"}),
              ct_event(6, eventTime="2026-11-10T14:00:00Z", userIdentity={"type": "AssumedRole",
                       "arn": "arn:aws:sts::1:assumed-role/r/s", "accessKeyId": "ASIATEMP000000000001"})]
    write_lines(tmp_path / "ev" / "t.jsonl", events)
    case = irkit.open_case(tmp_path / "case")
    case.ingest(tmp_path / "ev", progress=False)
    rows = case.sessions().sort("start", "session_id").to_dicts()
    native = [r for r in rows if r["session_kind"] == "native"]
    assert [(r["session_id"], r["events"]) for r in native] == [("ASIATEMP000000000001", 2)]  # no gap split
    gap = [(r["accounts"], r["events"]) for r in rows if r["session_kind"] == "gap"]
    # the service acts in two accounts: never one session; 40 minutes idle > 30 min gap: a new session
    assert sorted(gap) == [(["111111111111"], 1), (["111111111111"], 2), (["222222222222"], 1)]
    assert len(case.sessions(gap="1h").filter(pl.col("session_kind") == "gap")) == 2


def test_unknown_name_is_a_clear_error(sample_case: irkit.Case) -> None:
    with pytest.raises(irkit.UsageError, match="no identity"):
        sample_case.identity("nobody-at-all")
