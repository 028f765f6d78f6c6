"""Attribution on small hand-stated stories in the normalized model (what the OTel GenAI, MCP and
cloud loaders write): agents known only from invoke_agent spans, MCP requests carrying their caller's
traceparent, long tool calls, a skewed clock, concurrent agents told apart by credential."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import duckdb
import pytest

from irkit.attribution import attribute, clock_offsets
from tests.model.lake import at, cred, event, hop, lake

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


def s(seconds: float):
    return at(seconds / 60)


def invoke(uid: str, sec: float, end: float, agent: str, span: str, parent: str | None = None,
           user: str | None = None) -> dict[str, Any]:
    """An invoke_agent span: the only span naming its agent."""
    return event(uid, sec / 60, agent, "invoke_agent", source="otel_genai", class_name="agent_invocation",
                 activity="invoke", actor_type="agent", end_time=s(end), target_uid=agent, target_type="agent",
                 target_system="genai", trace_uid=TRACE, span_uid=span, parent_span_uid=parent,
                 delegations=[hop("on_behalf_of", user, agent, "event")] if user else [])


def tool(uid: str, sec: float, end: float, name: str, span: str, parent: str, arguments: str = "{}") -> dict[str, Any]:
    """An execute_tool span in strict convention shape: no agent attribute, acted by its service."""
    return event(uid, sec / 60, "agent-runtime", "execute_tool", source="otel_genai", class_name="tool_call",
                 activity="invoke", actor_type="service", end_time=s(end), target_uid=name, target_type="tool",
                 target_system="mcp:devtools", tool_name=name, trace_uid=TRACE, span_uid=span, parent_span_uid=parent,
                 resources=[{"uid": arguments, "type": "tool_arguments", "system": "mcp:devtools"}])


def request(uid: str, sec: float, name: str, caller: str | None, client: str = "agent-runtime",
            arguments: str = "{}") -> dict[str, Any]:
    """An MCP tools/call request; its traceparent names the span that sent it."""
    return event(uid, sec / 60, client, "tools/call", source="mcp", class_name="tool_call", activity="invoke",
                 status="unknown", target_uid=name, target_type="mcp_tool", target_system="mcp:devtools",
                 tool_name=name, session_uid="mcp-session-1", trace_uid=TRACE if caller else None,
                 parent_span_uid=caller,
                 resources=[{"uid": arguments, "type": "tool_arguments", "system": "mcp:devtools"}])


def api(uid: str, sec: float, actor: str, operation: str, target: str, source: str = "cloudtrail",
        credential: str | None = None, **fields: Any) -> dict[str, Any]:
    fields.setdefault("target_system", "aws:sts")
    return event(uid, sec / 60, actor, operation, source=source, target_uid=target, credential_uid=credential, **fields)


def by_api(con: duckdb.DuckDBPyConnection, identity: str, **kwargs: Any) -> dict[str, dict[str, Any]]:
    return {r["api_event_uid"]: r for r in attribute(con, identity, **kwargs).to_dicts()}


def pick(row: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: row[k] for k in keys}


KEYS = ("tool_call_uid", "mcp_call_uid", "tool_name", "agent", "parent_agent", "spawn_event_uid", "human",
        "candidates", "ambiguous", "resolved_by", "attribution")


def test_a_sub_agents_tool_call_is_the_sub_agents() -> None:
    con = lake([
        invoke("inv-a", 0, 300, "agent-a", "a000000000000000", user="dave@example.com"),
        invoke("inv-b", 20, 200, "agent-b", "b000000000000000", parent="a000000000000000"),
        tool("tool-b", 30, 33, "aws_cli", "b100000000000001", "b000000000000000", '{"command":"aws sts assume-role"}'),
        tool("tool-a", 30.5, 32, "aws_cli", "a100000000000001", "a000000000000000", '{"command":"aws s3 ls"}'),
        # both requests within a second of both spans: only their traceparents tell them apart
        request("mcp-b", 30.6, "aws_cli", "b100000000000001", arguments='{"command":"aws sts assume-role"}'),
        request("mcp-a", 30.55, "aws_cli", "a100000000000001", arguments='{"command":"aws s3 ls"}'),
        api("assume", 31.5, "agent-a", "AssumeRole", "arn:aws:iam::1:role/ops", credential="KEY-A"),
    ])
    row = by_api(con, "agent-a")["assume"]
    assert pick(row, *KEYS, "paired_by") == {
        "tool_call_uid": "tool-b", "mcp_call_uid": "mcp-b", "tool_name": "aws_cli", "agent": "agent-b",
        "parent_agent": "agent-a", "spawn_event_uid": "inv-b", "human": "dave@example.com", "candidates": 2,
        "ambiguous": True, "resolved_by": "arguments", "attribution": "ambiguous", "paired_by": "trace"}
    calls = {r["event_uid"]: (r["agent"], r["parent_agent"], r["caller_event_uid"])
             for r in con.sql("SELECT * FROM call_agents").fetchall() and con.sql(
                 "SELECT event_uid, agent, parent_agent, caller_event_uid FROM call_agents").pl().to_dicts()}
    assert calls == {"inv-a": ("agent-a", None, None), "inv-b": ("agent-b", "agent-a", None),
                     "tool-a": ("agent-a", None, None), "tool-b": ("agent-b", "agent-a", None),
                     "mcp-a": ("agent-a", None, "tool-a"), "mcp-b": ("agent-b", "agent-a", "tool-b")}


def test_an_api_call_late_in_a_long_tool_call_is_attributed() -> None:
    con = lake([
        invoke("inv-a", 0, 300, "agent-a", "a000000000000000"),
        tool("long", 10, 90, "run_shell", "a100000000000001", "a000000000000000", '{"command":"make deploy"}'),
        api("late", 87, "agent-a", "PutObject", "arn:aws:s3:::bucket/build.tgz", credential="KEY-A"),
        api("after", 97, "agent-a", "GetObject", "arn:aws:s3:::bucket/other", credential="KEY-A"),
    ])
    rows = by_api(con, "agent-a")
    assert pick(rows["late"], "tool_call_uid", "agent", "candidates", "ambiguous", "enclosed", "attribution") == {
        "tool_call_uid": "long", "agent": "agent-a", "candidates": 1, "ambiguous": False, "enclosed": True,
        "attribution": "attributed"}
    assert pick(rows["after"], "tool_call_uid", "candidates", "attribution") == {
        "tool_call_uid": None, "candidates": 0, "attribution": "unattributed"}  # 7 s after the end


def skewed_story() -> list[dict[str, Any]]:
    """A cluster whose clock runs 2.5 s fast: three secret reads its kubectl calls name (short calls,
    the reads 0.1 s in), then a read during an unnamed kubectl call that the skew would hand to the
    ledger call started 2 s later."""
    rows = [invoke("inv-a", 0, 600, "agent-a", "a000000000000000")]
    for i, start in enumerate((20, 40, 60), 1):
        rows.append(tool(f"kubectl-{i}", start, start + 0.2, "kubectl", f"a10000000000000{i}", "a000000000000000",
                         f'{{"command":"kubectl get secret db{i} -n payments"}}'))
        rows.append(api(f"read-{i}", start + 0.1 + 2.5, "agent-a", "get", f"namespaces/payments/secrets/db{i}",
                        source="k8s_audit", target_system="k8s:prod"))
    rows += [
        tool("kubectl-x", 100, 100.5, "kubectl", "a100000000000009", "a000000000000000",
             '{"command":"kubectl get secrets -n payments -o yaml"}'),
        tool("ledger", 102, 103.5, "post_to_ledger", "a10000000000000a", "a000000000000000", '{"amount":12}'),
        api("read-x", 100.2 + 2.5, "agent-a", "get", "namespaces/payments/secrets/zz9", source="k8s_audit",
            target_system="k8s:prod"),
        api("ct", 102.5, "agent-a", "PutItem", "arn:aws:dynamodb:::table/ledger", credential="KEY-A"),
    ]
    return rows


def test_a_fast_clock_is_estimated_and_allowed_for() -> None:
    con = lake(skewed_story())
    offsets = {r["source"]: r for r in clock_offsets(con, "agent-a").to_dicts()}
    assert offsets["k8s_audit"]["offset_s"] == pytest.approx(2.5, abs=0.15)
    assert (offsets["k8s_audit"]["pairs"], offsets["k8s_audit"]["outside"], offsets["k8s_audit"]["estimated"]) == (3, 3, True)
    assert (offsets["cloudtrail"]["offset_s"], offsets["cloudtrail"]["pairs"]) == (0.0, 0)
    rows = by_api(con, "agent-a")
    assert pick(rows["read-x"], "tool_call_uid", "candidates", "ambiguous", "clock_offset_s") == {
        "tool_call_uid": "kubectl-x", "candidates": 1, "ambiguous": False, "clock_offset_s": pytest.approx(2.5)}
    assert [rows[f"read-{i}"]["tool_call_uid"] for i in (1, 2, 3)] == ["kubectl-1", "kubectl-2", "kubectl-3"]
    assert rows["ct"]["tool_call_uid"] == "ledger" and rows["ct"]["clock_offset_s"] == 0.0
    # without the allowance the read goes to the wrong call; an override is applied as given
    assert by_api(con, "agent-a", estimate_clock=False)["read-x"]["tool_call_uid"] == "ledger"
    assert by_api(con, "agent-a", offsets={"k8s_audit": timedelta(0)})["read-x"]["tool_call_uid"] == "ledger"
    assert by_api(con, "agent-a", estimate_clock=False, offsets={"k8s_audit": 2.5})["read-x"]["tool_call_uid"] == "kubectl-x"


def test_concurrent_agents_are_told_apart_by_credential() -> None:
    con = lake([
        invoke("inv-a", 0, 300, "agent-a", "a000000000000000", user="dave@example.com"),
        invoke("inv-b", 5, 200, "agent-b", "b000000000000000", parent="a000000000000000"),
        tool("assume-call", 10, 12, "aws_cli", "b100000000000001", "b000000000000000",
             '{"command":"aws sts assume-role --role-arn arn:aws:iam::1:role/ops"}'),
        api("assume", 11, "agent-a", "AssumeRole", "arn:aws:iam::1:role/ops", credential="KEY-A",
            credentials=[cred("KEY-A", "used"), cred("ASIA-OPS", "issued", "session_token")],
            delegations=[hop("assume_role", "agent-a", "arn:aws:sts::1:assumed-role/ops/b", "grant", "ASIA-OPS")]),
        # the sub-agent's call starts first, the parent's concurrent one nearer the API call
        tool("b-list", 20, 26, "aws_cli", "b100000000000002", "b000000000000000", '{"command":"aws s3 ls"}'),
        tool("a-read", 21, 25, "read_document", "a100000000000002", "a000000000000000", '{"uri":"s3://in/x.pdf"}'),
        api("list", 22, "arn:aws:sts::1:assumed-role/ops/b", "ListBuckets", "arn:aws:s3:::", credential="ASIA-OPS"),
        api("read", 23, "agent-a", "GetObject", "arn:aws:s3:::in/x.pdf", credential="KEY-A"),
    ])
    rows = by_api(con, "agent-a")
    assert pick(rows["list"], *KEYS, "credential_owner") == {
        "tool_call_uid": "b-list", "mcp_call_uid": None, "tool_name": "aws_cli", "agent": "agent-b",
        "parent_agent": "agent-a", "spawn_event_uid": "inv-b", "human": "dave@example.com", "candidates": 2,
        "ambiguous": True, "resolved_by": "credential", "attribution": "ambiguous", "credential_owner": "agent-b"}
    # the parent's own credential may be used by either: the arguments decide, the ambiguity stays visible
    assert pick(rows["read"], "tool_call_uid", "candidates", "ambiguous", "resolved_by", "candidate_uids") == {
        "tool_call_uid": "a-read", "candidates": 2, "ambiguous": True, "resolved_by": "arguments",
        "candidate_uids": ["a-read", "b-list"]}
    assert pick(rows["assume"], "tool_call_uid", "agent", "issued_credentials") == {
        "tool_call_uid": "assume-call", "agent": "agent-b", "issued_credentials": ["ASIA-OPS"]}


def test_ambiguity_nothing_decides_is_reported() -> None:
    con = lake([
        invoke("inv-a", 0, 300, "agent-a", "a000000000000000"),
        tool("one", 10, 14, "run_shell", "a100000000000001", "a000000000000000", '{"command":"./sync.sh"}'),
        tool("two", 11, 15, "run_shell", "a100000000000002", "a000000000000000", '{"command":"./backup.sh"}'),
        api("put", 12, "agent-a", "PutObject", "arn:aws:s3:::b/k", credential="KEY-A"),
    ])
    row = by_api(con, "agent-a")["put"]
    assert pick(row, "tool_call_uid", "candidates", "ambiguous", "resolved_by", "candidate_uids", "attribution") == {
        "tool_call_uid": "two", "candidates": 2, "ambiguous": True, "resolved_by": "nearest",
        "candidate_uids": ["two", "one"], "attribution": "ambiguous"}


def test_vendor_shaped_records_find_their_agents(tmp_path) -> None:
    """Strict-convention OTLP spans and a bare MCP log: the request's traceparent names the sub-agent's
    MCP client span, whose agent is the sub-agent whose invoke_agent span encloses it."""
    import irkit
    from tests.loaders.helpers import SAMPLES

    case = irkit.open_case(tmp_path / "case")
    case.ingest([SAMPLES / "semconv" / "otlp_strict.jsonl", SAMPLES / "semconv" / "mcp_bare_stamped.jsonl"], progress=False)
    from irkit.attribution import ensure_call_agents

    ensure_call_agents(case.con)
    found = case.sql("SELECT kind, tool_name, agent, parent_agent, human, caller_event_uid IS NOT NULL AS traced "
                     "FROM call_agents JOIN events USING (event_uid) ORDER BY call_agents.time, kind").rows()
    assert found == [
        ("invocation", None, "asst_ops_orchestrator", None, "alice@example.com", False),
        ("span", "run_migration", "asst_ops_orchestrator", None, "alice@example.com", False),
        ("invocation", None, "asst_researcher", "asst_ops_orchestrator", "alice@example.com", False),
        ("span", "kubectl", "asst_researcher", "asst_ops_orchestrator", "alice@example.com", False),
        ("request", "kubectl", "asst_researcher", "asst_ops_orchestrator", "alice@example.com", True),
        ("request", "kubectl", None, None, None, False),
    ]


def test_one_call_seen_twice_and_one_agent_seen_twice_count_once() -> None:
    """An MCP server's span under the client's execute_tool span is the same call; a remote agent's
    client and internal invoke_agent spans are one agent, whose parent is the caller above both."""
    con = lake([
        invoke("inv-a", 0, 300, "agent-a", "a000000000000000", user="dave@example.com"),
        invoke("inv-b-client", 5, 200, "agent-b", "b000000000000000", parent="a000000000000000"),
        invoke("inv-b", 5.1, 199, "agent-b", "b000000000000001", parent="b000000000000000"),
        tool("client", 10, 14, "aws_cli", "b100000000000001", "b000000000000001", '{"command":"aws s3 ls"}'),
        tool("server", 10.2, 13.9, "aws_cli", "b100000000000002", "b100000000000001"),
        api("list", 12, "agent-a", "ListBuckets", "arn:aws:s3:::", credential="KEY-A"),
    ])
    row = by_api(con, "agent-a")["list"]
    assert pick(row, *KEYS) == {
        "tool_call_uid": "client", "mcp_call_uid": None, "tool_name": "aws_cli", "agent": "agent-b",
        "parent_agent": "agent-a", "spawn_event_uid": "inv-b", "human": "dave@example.com", "candidates": 1,
        "ambiguous": False, "resolved_by": None, "attribution": "attributed"}
    parents = dict(con.sql("SELECT event_uid, parent_agent FROM call_agents WHERE kind = 'invocation'").fetchall())
    assert parents == {"inv-a": None, "inv-b-client": "agent-a", "inv-b": "agent-a"}


def test_vendor_shaped_incident_end_to_end(tmp_path) -> None:
    """Strict-convention spans, a bare MCP log and CloudTrail calls of the agent's role session: a call
    77 s into an 80 s tool call is that call's; a call during the sub-agent's MCP call is the
    sub-agent's, its MCP request found by trace context."""
    import irkit
    from tests.loaders.helpers import SAMPLES
    from tests.test_ingest import ct_event, write_lines

    session = {"type": "AssumedRole", "principalId": "AROAOPSAGENTEXAMPLE:ops",
               "arn": "arn:aws:sts::123456789012:assumed-role/ops-agent/ops", "accountId": "123456789012",
               "accessKeyId": "ASIAOPSAGENT00000001",
               "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAOPSAGENTEXAMPLE",
                                                    "arn": "arn:aws:iam::123456789012:role/ops-agent",
                                                    "accountId": "123456789012", "userName": "ops-agent"}}}
    write_lines(tmp_path / "ev" / "trail.jsonl", [
        ct_event(1, userIdentity=session, eventTime="2025-03-05T10:01:21Z", eventSource="s3.amazonaws.com",
                 eventName="GetObject", requestParameters={"bucketName": "billing-dumps", "key": "pre-migration.sql"},
                 resources=[{"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::billing-dumps/pre-migration.sql"}]),
        ct_event(2, userIdentity=session, eventTime="2025-03-05T10:01:35Z", eventSource="eks.amazonaws.com",
                 eventName="DescribeCluster", requestParameters={"name": "prod"}),
    ])
    (tmp_path / "inventory.yaml").write_text(
        "identities:\n- id: ops-orchestrator\n  kind: agent\n  aliases:\n  - asst_ops_orchestrator\n"
        "  - arn:aws:iam::123456789012:role/ops-agent\n")
    case = irkit.open_case(tmp_path / "case")
    case.ingest([SAMPLES / "semconv" / "otlp_strict.jsonl", SAMPLES / "semconv" / "mcp_bare_stamped.jsonl",
                 tmp_path / "ev"], progress=False)
    case.use_inventory(tmp_path / "inventory.yaml")
    rows = {r["operation"]: r for r in case.attribute("ops-orchestrator").to_dicts()}
    span = "5b8efff798038103d269b633813fc60c:"
    request = hashlib.sha256((SAMPLES / "semconv" / "mcp_bare_stamped.jsonl").read_text().splitlines()[2].encode()).hexdigest()
    assert pick(rows["GetObject"], *KEYS, "acting_identity", "enclosed") == {
        "tool_call_uid": span + "eee19b7ec3c1b176", "mcp_call_uid": None, "tool_name": "run_migration",
        "agent": "ops-orchestrator", "parent_agent": None, "spawn_event_uid": None, "human": "alice@example.com",
        "candidates": 1, "ambiguous": False, "resolved_by": None, "attribution": "attributed",
        "acting_identity": "ops-orchestrator", "enclosed": True}
    assert pick(rows["DescribeCluster"], *KEYS, "paired_by") == {
        "tool_call_uid": span + "eee19b7ec3c1b178", "mcp_call_uid": request, "tool_name": "kubectl",
        "agent": "asst_researcher", "parent_agent": "ops-orchestrator", "spawn_event_uid": span + "eee19b7ec3c1b177",
        "human": "alice@example.com", "candidates": 1, "ambiguous": False, "resolved_by": None,
        "attribution": "attributed", "paired_by": "trace"}
