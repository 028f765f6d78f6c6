"""CloudTrail field semantics on vendor-shaped records (``samples/cloudtrail/field-semantics.jsonl``,
written from AWS's CloudTrail userIdentity element and sourceIPAddress documentation and the Cognito and
KMS example events):

* ``sourceIPAddress`` holds an address only when it is one: a service name (``kms.amazonaws.com``, ``AWS
  Internal``) goes to ``src_service``, a malformed address to neither (raw keeps it);
* a record whose userIdentity has no type and only ``invokedBy`` is the service's, type service;
* an unauthenticated request (Cognito hosted UI: userIdentity names only the account) has no actor.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.loaders.helpers import SAMPLES, blank_row, cred, hop, load, one, res, subset
from tests.loaders.helpers import utc as t

FILE = SAMPLES / "cloudtrail" / "field-semantics.jsonl"
ACCT = "111122223333"
AGENT = f"arn:aws:sts::{ACCT}:assumed-role/agent-runner/agent-7f3c"
AGENT_ROLE = f"arn:aws:iam::{ACCT}:role/agent-runner"
BOT = f"arn:aws:iam::{ACCT}:user/deploy-bot"
KEY = f"arn:aws:kms:us-east-1:{ACCT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _row(line: int, **fields: Any) -> dict[str, Any]:
    return blank_row() | {"source": "cloudtrail", "account_uid": ACCT, "evidence_file": str(FILE),
                          "evidence_offset": line, "evidence_path": "$"} | fields


EXPECTED = {
    "Cognito hosted UI: no one signed in": _row(
        1, event_uid="c0a1b2c3-d4e5-4f60-8a7b-8c9d0e1f2a01", time=t(2025, 3, 12, 10, 30), class_name="api_activity",
        operation="Login_GET", status="success", activity="read",
        target_uid="4example56789abcdefghijklm", target_type="cognito_app_client",
        target_name="4example56789abcdefghijklm", target_system="aws:cognito-idp", resources=[],
        src_ip="192.0.2.1", user_agent="Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0",
    ),
    "service event: the service acts": _row(
        2, event_uid="c0a1b2c3-d4e5-4f60-8a7b-8c9d0e1f2a02", time=t(2025, 3, 12, 10, 31), class_name="api_activity",
        operation="RotateKey", status="success", activity="update",
        actor_uid="kms.amazonaws.com", actor_type="service", actor_name="kms.amazonaws.com",
        target_uid=KEY, target_type="AWS::KMS::Key", target_name="1234abcd-12ab-34cd-56ef-1234567890ab",
        target_system="aws:kms", resources=[res(KEY, "AWS::KMS::Key", "aws:kms")],
        src_service="kms.amazonaws.com", user_agent="kms.amazonaws.com",
    ),
    "a role session acting through CloudFormation": _row(
        3, event_uid="c0a1b2c3-d4e5-4f60-8a7b-8c9d0e1f2a03", time=t(2025, 3, 12, 10, 32), class_name="account_change",
        operation="CreateRole", status="success", activity="create",
        actor_uid=AGENT, actor_type="unknown", actor_name="agent-7f3c", session_uid="ASIAY34FZKBOKMUTVV7A",
        credential_uid="ASIAY34FZKBOKMUTVV7A", delegator_uid=AGENT_ROLE,
        delegations=[hop("session_of", AGENT_ROLE, AGENT, "standing")],
        credentials=[cred("ASIAY34FZKBOKMUTVV7A", "session_token", "used", AGENT)],
        target_uid=f"arn:aws:iam::{ACCT}:role/stack-worker", target_type="iam_role", target_name="stack-worker",
        target_system="aws:iam", resources=[],
        src_service="cloudformation.amazonaws.com", user_agent="cloudformation.amazonaws.com",
    ),
    "a malformed address is no address": _row(
        4, event_uid="c0a1b2c3-d4e5-4f60-8a7b-8c9d0e1f2a04", time=t(2025, 3, 12, 10, 33), class_name="api_activity",
        operation="GetCallerIdentity", status="success", activity="read",
        actor_uid=BOT, actor_type="unknown", actor_name="deploy-bot", credential_uid="AKIAIOSFODNN7EXAMPLE",
        credentials=[cred("AKIAIOSFODNN7EXAMPLE", "access_key", "used", BOT)],
        target_system="aws:sts", resources=[], user_agent="aws-cli/2.15.30",
    ),
    "AWS Internal": _row(
        5, event_uid="c0a1b2c3-d4e5-4f60-8a7b-8c9d0e1f2a05", time=t(2025, 3, 12, 10, 34), class_name="data_access",
        operation="GetObject", status="success", activity="read",
        actor_uid=AGENT, actor_type="unknown", actor_name="agent-7f3c", session_uid="ASIAY34FZKBOKMUTVV7A",
        credential_uid="ASIAY34FZKBOKMUTVV7A", delegator_uid=AGENT_ROLE,
        delegations=[hop("session_of", AGENT_ROLE, AGENT, "standing")],
        credentials=[cred("ASIAY34FZKBOKMUTVV7A", "session_token", "used", AGENT)],
        target_uid="arn:aws:s3:::acme-customer-exports/2025/03/customers.csv", target_type="s3_object",
        target_name="2025/03/customers.csv", target_system="aws:s3", resources=[],
        src_service="AWS Internal", user_agent="AWS Internal",
    ),
    "an IPv6 address": _row(
        6, event_uid="c0a1b2c3-d4e5-4f60-8a7b-8c9d0e1f2a06", time=t(2025, 3, 12, 10, 35), class_name="api_activity",
        operation="GetCallerIdentity", status="success", activity="read",
        actor_uid=BOT, actor_type="unknown", actor_name="deploy-bot", credential_uid="AKIAIOSFODNN7EXAMPLE",
        credentials=[cred("AKIAIOSFODNN7EXAMPLE", "access_key", "used", BOT)],
        target_system="aws:sts", resources=[], src_ip="2001:db8::7", user_agent="aws-cli/2.15.30",
    ),
}


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return load(tmp_path_factory.mktemp("fields"), FILE)


def test_all_load(ingested: Any) -> None:
    assert (ingested[1].read, ingested[1].loaded, ingested[1].quarantined) == (6, 6, 0)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_whole_row(ingested: Any, name: str) -> None:
    expected = EXPECTED[name]
    got = one(ingested[0], "event_uid = $id", id=expected["event_uid"])
    assert subset(got, expected) == expected


@pytest.mark.parametrize(("value", "address"), [
    ("198.51.100.23", "198.51.100.23"), ("2001:db8::7", "2001:db8::7"), ("fe80::1%eth0", "fe80::1%eth0"),
    ("::ffff:192.0.2.1", "::ffff:192.0.2.1"), ("203.0.113.300", None), ("AWS Internal", None),
    ("s3.amazonaws.com", None), ("private", None), ("gce-internal-ip", None), ("", None), ("1.2.3", None),
])
def test_only_addresses_are_addresses(value: str, address: str | None) -> None:
    """irkit_ip, shared by every loader's src_ip (GCP writes 'private' / 'gce-internal-ip' for internal callers)."""
    from irkit.db import connect

    assert connect().execute("SELECT irkit_ip($v)", {"v": value}).fetchone()[0] == address


AGENTCORE = SAMPLES / "cloudtrail" / "agentcore-gateway.jsonl"
GATEWAY = f"arn:aws:bedrock-agentcore:us-west-2:{ACCT}:gateway/orders-gw-abc123xyz"


def test_agentcore_gateway_mcp_calls(tmp_path: Any) -> None:
    """Bedrock AgentCore Gateway data events (``InvokeGateway``, shaped after AWS's documented examples)
    carry the MCP JSON-RPC request and response: a tools/call is a tool call on its tool, paired by its
    JSON-RPC id and arguments; a request failing inbound auth (accountId ``anonymous``) has no actor and
    fails with the JSON-RPC error."""
    case, summary = load(tmp_path, AGENTCORE)
    assert (summary.loaded, summary.quarantined) == (2, 0)
    base = blank_row() | {"source": "cloudtrail", "operation": "InvokeGateway", "activity": "invoke",
                          "account_uid": ACCT, "target_system": "aws:bedrock-agentcore", "src_ip": "198.51.100.61",
                          "user_agent": "python-httpx/0.28.1", "evidence_file": str(AGENTCORE), "evidence_path": "$"}
    gateway = res(GATEWAY, "AWS::BedrockAgentCore::Gateway", "aws:bedrock-agentcore")
    call = base | {
        "event_uid": "6e7f8a9b-0c1d-4e2f-8a3b-4c5d6e7f8a9b", "time": t(2025, 7, 14, 2, 15, 42), "class_name": "tool_call",
        "status": "success", "target_uid": "orders___get_order", "target_type": "mcp_tool",
        "target_name": "orders___get_order", "tool_name": "orders___get_order", "evidence_offset": 1,
        "resources": [gateway, res("4", "jsonrpc_id", "mcp:orders-gw-abc123xyz"),
                      res('{"order_id":"A-1001"}', "tool_arguments", "mcp:orders-gw-abc123xyz")],
    }
    denied = base | {
        "event_uid": "6e7f8a9b-0c1d-4e2f-8a3b-4c5d6e7f8a9a", "time": t(2025, 7, 14, 2, 14, 42), "class_name": "data_access",
        "status": "failure", "status_detail": "-32001: Invalid Bearer token", "target_uid": GATEWAY,
        "target_type": "AWS::BedrockAgentCore::Gateway", "target_name": "orders-gw-abc123xyz", "evidence_offset": 2,
        "resources": [gateway, res("0", "jsonrpc_id", "mcp:orders-gw-abc123xyz")],
    }
    for expected in (call, denied):
        assert subset(one(case, "event_uid = $id", id=expected["event_uid"]), expected) == expected
